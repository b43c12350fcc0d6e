-- one row per journey inside the global filters: where it started, ended and was abandoned
create or replace macro journey_outcomes(
    date_from := null, date_to := null, segments := null, channels := null, regions := null
) as table
with

events as (
    select *
    from filtered_journey_events(
        date_from := date_from, date_to := date_to,
        segments := segments, channels := channels, regions := regions
    )
),

final as (
    select
        journey_id,
        any_value(customer_id) as customer_id,
        any_value(segment) as segment,
        min(occurred_at) as started_at,
        max(occurred_at) as last_event_at,
        count(*) as events,
        -- a journey is abandoned where its latest 'abandoned' event is, whether an export marks
        -- only that event or every event of the journey
        arg_max(touchpoint, (occurred_at, event_id)) filter (where outcome = 'abandoned') as abandoned_at,
        max(occurred_at) filter (where outcome = 'abandoned') as abandoned_when,
        arg_max_null(channel, (occurred_at, event_id)) filter (where outcome = 'abandoned') as abandoned_channel,
        case
            when bool_or(outcome = 'abandoned') then 'abandoned'
            when bool_or(outcome = 'completed') then 'completed'
            else 'open'
        end as outcome,
    from events
    group by journey_id
)

select * from final;
