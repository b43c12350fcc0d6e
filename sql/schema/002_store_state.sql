-- A counter every write bumps, so that cached query results can be keyed by it
-- and an import shows at once. Customers and touchpoints get lineage too, so that
-- an import of them can be undone like any other.

create table store_state (
    id           integer primary key check (id = 1),
    data_version bigint not null
);
insert into store_state values (1, 0);

alter table customers add column import_id bigint;
alter table touchpoints add column import_id bigint;
