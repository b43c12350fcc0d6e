-- What importing real exports needs beyond the lineage row: the counts a re-import
-- reports, the mapping it used, saved mappings (profiles), and the versions of rows a
-- re-import replaced, so that undoing it can put the earlier import's version back.

alter table imports add column rows_inserted bigint;
alter table imports add column rows_updated bigint;
alter table imports add column rows_unchanged bigint;
alter table imports add column rows_skipped bigint;
alter table imports add column size_bytes bigint;
alter table imports add column profile varchar;
-- the mapping as TOML, so a load can be repeated or explained later
alter table imports add column mapping varchar;
alter table imports add column undone_at timestamp;

create table import_profiles (
    name       varchar primary key,
    kind       varchar not null check (kind in ('survey', 'tickets', 'journey', 'customers', 'touchpoints')),
    mapping    varchar not null,
    created_at timestamp not null,
    updated_at timestamp not null
);

-- one row per stored row an import replaced (or took over unchanged): its version before
-- the import, as JSON, so that undo can restore the newest version still loaded
create table import_replaced_rows (
    import_id          bigint not null,
    table_name         varchar not null,
    row_key            varchar not null,
    previous_import_id bigint,
    previous_row       json not null
);
