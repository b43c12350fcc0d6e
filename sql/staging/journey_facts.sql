-- one row per journey event, with its customer's segment and region and its place on the journey
create or replace view journey_facts as
with

events as (
    select * from main.journey_events
),

customers as (
    select customer_id, segment, region from main.customers
),

touchpoints as (
    select touchpoint, position, moment_of_truth from main.touchpoints
),

final as (
    select
        events.*,
        customers.segment,
        customers.region,
        touchpoints.position as touchpoint_position,
        touchpoints.moment_of_truth,
        events.outcome = 'abandoned' as is_abandoned,
    from events
    left join customers on customers.customer_id = events.customer_id
    left join touchpoints on touchpoints.touchpoint = events.touchpoint
)

select * from final;
