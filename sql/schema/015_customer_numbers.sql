-- Each customer gets a number (customer_no) that the store assigns when the customer is first
-- written and keeps: a customers import updates a known customer in place, and undo puts back the
-- version it replaced with its number. Each answer carries its customer's number
-- (fact_customer_no; null when the customers table does not hold the customer). (Not declared
-- not null: DuckDB cannot add that to a table with a primary key inside the migration's
-- transaction; `python -m cxdata optimize` numbers a customer written around cxdata without one.)
--
-- Why: revenue at risk under a segment, channel or region filter groups the filtered answers of
-- each customer whose latest answer of a period the filter may have left out. Grouped by the
-- text customer id, reading and hashing that id cost about 45 ms of the Overview's 225 at 10M
-- answers, as much for the few answers a filter keeps as for every answer of the row groups read
-- (BENCHMARKS.md, seventh round); a number is read and hashed for a fraction of it.
-- cxdata/layout.py keeps fact_customer_no in step with the customers table like the other fact_
-- columns.

create sequence if not exists customer_no_seq start 1;

alter table customers add column customer_no bigint default nextval('customer_no_seq');

alter table responses add column fact_customer_no bigint;

update responses set fact_customer_no = customers.customer_no
from customers
where customers.customer_id = responses.customer_id;
