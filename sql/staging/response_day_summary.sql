-- one row per answer day, segment, region, channel and touchpoint of the answers from first_day to last_day (open ends: all), of the days in the list `days` (null: all): what response_day_counts must hold
-- The one derivation of the stored day counts (cxdata/summaries.py writes them and checks them
-- with it); the classes are response_facts' own (nps_class, csat_satisfied, ces_easy).
-- days: the days a write touched, counted again by cxdata/summaries.py. Filtered before the
-- grouping, not after it: a re-import touching days across three years grouped every answer of
-- those years. Read once, in `noted` (see ticket_answer_matches for why).
create or replace macro response_day_summary(first_day := null, last_day := null, days := null) as table
with

noted as (select unnest(days) as day)

select
    responded_at::date as day,
    segment,
    region,
    channel,
    touchpoint,
    count(*) as answers,
    count(nps) as nps_n,
    count(*) filter (where nps_class = 'promoter') as promoters,
    count(*) filter (where nps_class = 'passive') as passives,
    count(*) filter (where nps_class = 'detractor') as detractors,
    count(csat) as csat_n,
    count(*) filter (where csat_satisfied) as csat_hits,
    count(ces) as ces_n,
    count(*) filter (where ces_easy) as ces_hits,
    -- the NPS answers that carry a customer id: those a ticket can have come before
    count(nps) filter (where customer_id is not null) as identified_nps_n,
    count(*) filter (where nps_class = 'promoter' and customer_id is not null) as identified_promoters,
    count(*) filter (where nps_class = 'detractor' and customer_id is not null) as identified_detractors,
from response_facts
where (first_day is null or responded_at >= first_day::date)
  and (last_day is null or responded_at < last_day::date + interval 1 day)
  and ((select days is null) or responded_at::date in (select day from noted))
group by all;
