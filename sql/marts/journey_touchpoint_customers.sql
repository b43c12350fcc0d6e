-- one row per journey touchpoint and known customer whose journey passed through it
create or replace macro journey_touchpoint_customers(
    date_from := null, date_to := null, segments := null, channels := null, regions := null
) as table
with

events as (
    select touchpoint, customer_id
    from filtered_journey_events(
        date_from := date_from, date_to := date_to,
        segments := segments, channels := channels, regions := regions
    )
    -- an anonymous event cannot be linked to an answer
    where customer_id is not null
),

final as (
    select distinct touchpoint, customer_id
    from events
)

select * from final;
