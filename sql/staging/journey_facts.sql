-- one row per journey event, with its customer's segment and region and its place on the journey
-- (stored on the row: cxdata/layout.py keeps fact_segment and fact_region in step with customers)
create or replace view journey_facts as
with

events as (
    select * exclude (fact_segment, fact_region), fact_segment as segment, fact_region as region
    from main.journey_events
),

touchpoints as (
    select touchpoint, position, moment_of_truth from main.touchpoints
),

final as (
    select
        events.*,
        touchpoints.position as touchpoint_position,
        touchpoints.moment_of_truth,
        events.outcome = 'abandoned' as is_abandoned,
    from events
    left join touchpoints on touchpoints.touchpoint = events.touchpoint
)

select * from final;
