-- one row per journey event, with its customer's segment and region and when its journey was last
-- at the same touchpoint (previous_visit_at), stored on the row: cxdata/layout.py keeps them in step.
-- No join to the touchpoint list: every query of the events would pay for it on every event
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
