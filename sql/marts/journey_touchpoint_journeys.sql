-- one row per journey touchpoint and journey that passed through it, for touchpoints passed by at least min_n journeys
create or replace macro journey_touchpoint_journeys(
    date_from := null, date_to := null, segments := null, channels := null, regions := null, min_n := 10
) as table
with

journeys as (
    select *
    from journey_outcomes(
        date_from := date_from, date_to := date_to,
        segments := segments, channels := channels, regions := regions
    )
),

passes as (
    select *
    from journey_touchpoint_passes(
        date_from := date_from, date_to := date_to,
        segments := segments, channels := channels, regions := regions
    )
),

sized as (
    select
        passes.*,
        count(*) over (partition by passes.touchpoint) as touchpoint_journeys,
    from passes
),

final as (
    select
        sized.touchpoint,
        sized.journey_id,
        journeys.customer_id,
        journeys.segment,
        sized.channel,
        journeys.started_at,
        sized.reached_at,
        journeys.last_event_at,
        journeys.events,
        sized.emotion,
        journeys.outcome,
        journeys.abandoned_at,
        journeys.abandoned_at is not distinct from sized.touchpoint as abandoned_here,
        sized.touchpoint_journeys,
    from sized
    inner join journeys on journeys.journey_id = sized.journey_id
    where not suppressed_below(sized.touchpoint_journeys, min_n)
)

select * from final;
