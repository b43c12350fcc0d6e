-- The stored day counts (response_day_counts, 010) also count the NPS answers that carry a
-- customer id (identified_nps_n) and their promoters and detractors.
--
-- Why: the Service page's "NPS after a ticket" compares the answers that followed a ticket with
-- all other answers of customers it can know (an anonymous answer cannot be paired with
-- tickets). It counted those answers row by row, reading the text customer id of every answer of
-- the window: about 50 ms of the page's 230 at 10M answers (BENCHMARKS.md, eighth round). These
-- counts add up over days, segments, regions, channels and touchpoints like the others, so the
-- page sums the window's day rows instead.
-- Filled, with the rest of the day counts, when the store is opened (cxdata/store.py), by the
-- one derivation of the day counts (sql/staging/response_day_summary.sql).

alter table response_day_counts add column identified_nps_n bigint not null default 0;
alter table response_day_counts add column identified_promoters bigint not null default 0;
alter table response_day_counts add column identified_detractors bigint not null default 0;

insert into store_pending_fills values ('response_day_counts') on conflict do nothing;
