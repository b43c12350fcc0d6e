-- one row per journey event, with its customer's segment and region
-- (stored on the row: cxdata/layout.py keeps fact_segment and fact_region in step with customers).
-- No join to the touchpoint list: every query of the events would pay for it on every event, and
-- only the journey map's journey fingerprint needs a touchpoint's position (it joins the list itself)
create or replace view journey_facts as
with

events as (
    select * exclude (fact_segment, fact_region), fact_segment as segment, fact_region as region
    from main.journey_events
),

final as (
    select * from events
)

select * from final;
