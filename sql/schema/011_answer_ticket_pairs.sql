-- One row per NPS answer of a known customer and ticket of that customer opened in the 90 days up
-- to it (paired_lookback_days()): the answer's day, score and filter columns, and how the ticket
-- turned out.
--
-- Why: Service's "NPS after tickets" paired the window's 0.9M answers with the same customers'
-- 0.5M tickets on every page view: a hash join on the customer's id, 110 ms of the page's 365 at
-- 10M answers (BENCHMARKS.md). Which tickets can have shaped an answer does not depend on the
-- page's filters, only on the answer, so the pairs are stored and a page reads the window's.
-- cxdata/summaries.py keeps them in step through imports of answers, tickets and customers, undo,
-- erasure, optimize and the demo, recomputing the pairs of each customer a write touched; it
-- derives them with sql/staging/ticket_answer_matches.sql, the one place that says which tickets
-- can have shaped an answer. Another lookback than the stored one is paired on the fly.

create table answer_ticket_pairs (
    customer_id       varchar not null,
    response_id       varchar not null,
    responded_at      timestamp not null,
    nps               tinyint not null,
    -- the answer's, as the filters read them
    answer_segment    varchar,
    answer_region     varchar,
    answer_channel    varchar,
    ticket_id         varchar not null,
    created_at        timestamp not null,
    ticket_channel    varchar,
    category          varchar,
    priority          varchar,
    is_resolved       boolean,
    is_fcr            boolean,
    reopens           integer
);

insert into store_pending_fills values ('answer_ticket_pairs');
