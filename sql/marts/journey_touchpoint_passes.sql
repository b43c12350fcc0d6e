-- one row per journey touchpoint and journey that passed through it: when it first got there, in which channel, how it felt
create or replace macro journey_touchpoint_passes(
    date_from := null, date_to := null, segments := null, channels := null, regions := null
) as table
with

events as (
    select touchpoint, journey_id, occurred_at, channel, emotion
    from filtered_journey_events(
        date_from := date_from, date_to := date_to,
        segments := segments, channels := channels, regions := regions
    )
),

-- a journey that comes back to a touchpoint passes it once, first at reached_at
final as (
    select
        touchpoint,
        journey_id,
        min(occurred_at) as reached_at,
        arg_min(channel, occurred_at) as channel,
        avg(emotion) as emotion,
    from events
    group by touchpoint, journey_id
)

select * from final;
