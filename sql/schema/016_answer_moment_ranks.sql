-- Each NPS answer of a known customer id carries its place among that customer's NPS answers
-- given at the same moment (nps_moment_rank: 0 for the smallest response id, 1 for the next…;
-- null where next_nps_at has no sequence either: no NPS or no customer id). With the moment it
-- orders a customer's answers the way "latest" means everywhere (by time, then by the greater
-- id) in numbers alone.
--
-- Why: revenue at risk under a segment, channel or region filter finds the latest answer the
-- filter lets through for each customer in doubt, and the tie-break of two answers at one moment
-- read the text response id of every filtered answer: reading it, and keeping it beside the
-- answers that three steps share, cost about 30 ms of the Overview's 200 at 10M answers
-- (BENCHMARKS.md, eighth round). The rank is nearly always 0 and costs next to nothing to read.
-- Ties are not rare where exports carry dates without times (dd.mm.yyyy): two answers of one
-- customer on one day share a moment. cxdata/layout.py keeps it in step like next_nps_at.

alter table responses add column nps_moment_rank integer;

update responses set nps_moment_rank = ranked.moment_rank
from (
    select
        response_id,
        row_number() over (partition by customer_id, responded_at order by response_id) - 1 as moment_rank,
    from responses
    where nps is not null and customer_id is not null
) as ranked
where responses.response_id = ranked.response_id;
