-- One row per segment, region, signup date and churn date of the customers: how many customers
-- have them.
--
-- Why: churn is counted per period from each customer's two dates (sql/marts/kpi_counts.sql).
-- Read from the customers table, that meant reading and grouping all 2M customers of the
-- benchmark store for every Overview, about 20 ms of its 200 (BENCHMARKS.md, eighth round);
-- these counts hold the same dates in 650k rows, and the churn counts add up over them.
-- cxdata/summaries.py keeps the table in step: whatever writes customers (a customers import,
-- undo, erasure) notes it, and the table is counted again whole in the same transaction (about
-- half a second at 2M customers; customers change far less often than answers). It derives the
-- counts from the customers table through sql/staging/customer_date_summary.sql.

create table customer_date_counts (
    segment     varchar,
    region      varchar,
    signup_date date,
    churned_on  date,
    customers   bigint not null
);

-- filled when the store is opened (cxdata/store.py), once the macros are installed
insert into store_pending_fills values ('customer_date_counts') on conflict do nothing;
