-- One row per answer day, segment, region, channel and touchpoint (segment and region as the
-- filters read them off the row: fact_segment, fact_region): how many answers carry an NPS, CSAT
-- or CES, and how many of those are promoters, passives, detractors, satisfied or easy.
--
-- Why: the Overview's survey tiles, "what moved" and the NPS trend counted the window's answers
-- row by row, 1.8M of them at 10M answers (BENCHMARKS.md). These counts add up over days,
-- segments, regions, channels and touchpoints, so every filter the pages offer is a sum over the
-- window's day rows instead (1.15M rows for all 10M answers of the benchmark store, about 190k in
-- its 180 days). Revenue at risk does not add up over days (it asks for each customer's latest
-- answer of a period) and is still counted from the answers.
-- cxdata/summaries.py keeps this table in step through imports, customer imports, undo, erasure,
-- optimize and the demo; it derives the counts from response_facts
-- (sql/staging/response_day_summary.sql), where the classes are defined.

create table response_day_counts (
    day        date not null,
    segment    varchar,
    region     varchar,
    channel    varchar,
    touchpoint varchar,
    answers    bigint not null,
    nps_n      bigint not null,
    promoters  bigint not null,
    passives   bigint not null,
    detractors bigint not null,
    csat_n     bigint not null,
    csat_hits  bigint not null,
    ces_n      bigint not null,
    ces_hits   bigint not null
);

-- Filled from the stored answers when the store is opened (cxdata/store.py), once the macros that
-- define the classes are installed: a migration runs before them. The mark stays until the fill
-- has committed, so a fill cut short is done again at the next open.
create table store_pending_fills (
    table_name varchar primary key
);
insert into store_pending_fills values ('response_day_counts');
