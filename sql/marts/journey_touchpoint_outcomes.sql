-- one row per journey touchpoint: how the journeys that passed through it ended
create or replace macro journey_touchpoint_outcomes(
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
    select touchpoint, journey_id
    from journey_touchpoint_passes(
        date_from := date_from, date_to := date_to,
        segments := segments, channels := channels, regions := regions
    )
),

counted as (
    select
        passes.touchpoint,
        count(*) as n,
        count(*) filter (where journeys.abandoned_at = passes.touchpoint) as abandoned_here,
        count(*) filter (
            where journeys.outcome = 'abandoned' and journeys.abandoned_at <> passes.touchpoint
        ) as abandoned_elsewhere,
        count(*) filter (where journeys.outcome = 'completed') as completed,
        count(*) filter (where journeys.outcome = 'open') as still_open,
    from passes
    inner join journeys on journeys.journey_id = passes.journey_id
    group by passes.touchpoint
),

flagged as (
    select
        *,
        suppressed_below(n, min_n) as suppressed,
    from counted
),

final as (
    select
        touchpoint,
        n,
        -- counts would give a suppressed share away
        case when not suppressed then abandoned_here end as abandoned_here,
        case when not suppressed then abandoned_elsewhere end as abandoned_elsewhere,
        case when not suppressed then completed end as completed,
        case when not suppressed then still_open end as still_open,
        case when not suppressed then share_pct(abandoned_here, n) end as abandoned_here_pct,
        case when not suppressed then share_pct(abandoned_elsewhere, n) end as abandoned_elsewhere_pct,
        case when not suppressed then share_pct(completed, n) end as completed_pct,
        case when not suppressed then share_pct(still_open, n) end as still_open_pct,
        suppressed,
    from flagged
)

select * from final;
