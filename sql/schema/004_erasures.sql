-- What `forget` (GDPR erasure) leaves behind: counts only, never whom. An erasure removes
-- rows that an import loaded, so an import's rows_loaded no longer equals the rows that
-- carry its import_id; erased_rows says how many each import lost, so lineage stays
-- explainable: rows carrying import_id + rows erased from it = what the import left.

create sequence if not exists erasure_id_seq start 1;

-- one row per forget command carried out (also one that found nothing: the request was handled)
create table erasures (
    erasure_id   bigint primary key,
    erased_at    timestamp not null,
    customers    integer not null check (customers >= 0),
    rows_deleted bigint not null check (rows_deleted >= 0)
);

-- one row per erasure, table and import the erased rows came from (import_id null: rows
-- loaded without lineage, e.g. by hand)
create table erased_rows (
    erasure_id   bigint not null,
    table_name   varchar not null,
    import_id    bigint,
    rows_deleted bigint not null check (rows_deleted > 0)
);
