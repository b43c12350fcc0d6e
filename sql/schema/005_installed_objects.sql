-- Which version of the views and macros in sql/ a store holds (a digest of their text),
-- so that opening a current store skips re-creating them.
create table installed_objects (
    id     integer primary key check (id = 1),
    digest varchar not null
);
