-- one row per touchpoint on the journey and compared group (all customers, a segment or a channel)
create or replace macro journey_map(
    date_from := null, date_to := null, segments := null, channels := null, regions := null, min_n := 10,
    split_by := 'none'
) as table
with

events as (
    select *
    from filtered_journey_events(
        date_from := date_from, date_to := date_to,
        segments := segments, channels := channels, regions := regions
    )
),

journeys as (
    select journey_id, abandoned_at, outcome
    from journey_outcomes(
        date_from := date_from, date_to := date_to,
        segments := segments, channels := channels, regions := regions
    )
),

touchpoints as (
    select touchpoint, stage, position, moment_of_truth from main.touchpoints
),

-- split_by is a bound value chosen from an allow-list, never an identifier spliced into SQL
grouped as (
    select
        events.*,
        case split_by
            when 'segment' then coalesce(events.segment, 'unknown')
            when 'channel' then coalesce(events.channel, 'unknown')
            else 'All customers'
        end as compared_group,
    from events
),

-- a journey that comes back to a touchpoint passes it once: abandonment counts journeys, not events
passes as (
    select
        grouped.compared_group,
        grouped.touchpoint,
        grouped.journey_id,
        mode(grouped.stage) as event_stage,
        any_value(journeys.abandoned_at) = grouped.touchpoint as abandoned_here,
        any_value(journeys.outcome) as outcome,
    from grouped
    inner join journeys on journeys.journey_id = grouped.journey_id
    group by grouped.compared_group, grouped.touchpoint, grouped.journey_id
),

journey_counts as (
    select
        compared_group,
        touchpoint,
        mode(event_stage) as event_stage,
        count(*) as n,
        count(*) filter (where abandoned_here) as abandoned,
        count(*) filter (where outcome = 'abandoned' and not coalesce(abandoned_here, false)) as abandoned_elsewhere,
        count(*) filter (where outcome = 'completed') as completed,
    from passes
    group by compared_group, touchpoint
),

-- emotion is averaged over events: a touchpoint felt twice counts twice
emotions as (
    select
        compared_group,
        touchpoint,
        count(emotion) as emotion_n,
        avg(emotion) as raw_emotion,
        stddev_samp(emotion) as emotion_sd,
    from grouped
    group by compared_group, touchpoint
),

counted as (
    select
        journey_counts.compared_group,
        journey_counts.touchpoint,
        -- the touchpoint list decides the stage; an unlisted touchpoint keeps its events' stage
        coalesce(touchpoints.stage, journey_counts.event_stage) as stage,
        touchpoints.position,
        touchpoints.moment_of_truth,
        emotions.emotion_n,
        emotions.raw_emotion,
        emotions.emotion_sd,
        journey_counts.n,
        journey_counts.abandoned,
        journey_counts.abandoned_elsewhere,
        journey_counts.completed,
    from journey_counts
    inner join emotions
        on emotions.compared_group = journey_counts.compared_group
        and emotions.touchpoint = journey_counts.touchpoint
    left join touchpoints on touchpoints.touchpoint = journey_counts.touchpoint
),

ordered as (
    select
        *,
        -- one place along the x axis per touchpoint, the same in every compared group
        dense_rank() over (
            order by
                list_position(['awareness', 'consideration', 'purchase', 'service', 'loyalty'], stage) nulls last,
                position nulls last,
                touchpoint
        ) as journey_step,
        suppressed_below(n, min_n) as suppressed,
        suppressed_below(emotion_n, min_n) as emotion_suppressed,
    from counted
),

measured as (
    select
        *,
        case when not emotion_suppressed then raw_emotion end as mean_emotion,
        -- 95 % confidence interval of a mean: 1.96 standard errors
        case when not emotion_suppressed then 1.96 * emotion_sd / sqrt(emotion_n) end as emotion_margin,
        case when not suppressed then share_pct(abandoned, n) end as abandonment_rate,
        case when not suppressed then share_margin(abandoned, n) end as abandonment_margin,
    from ordered
),

-- a pain point (wow moment) lies more than one standard deviation below (above) the average
-- touchpoint of its curve and on the negative (positive) side of the emotion scale
spread as (
    select
        *,
        avg(mean_emotion) over (partition by compared_group) as curve_mean,
        stddev_pop(mean_emotion) over (partition by compared_group) as curve_sd,
    from measured
),

final as (
    select
        compared_group,
        journey_step,
        stage,
        touchpoint,
        position,
        moment_of_truth,
        emotion_n,
        mean_emotion,
        emotion_margin,
        mean_emotion - emotion_margin as emotion_lower,
        mean_emotion + emotion_margin as emotion_upper,
        n,
        -- counts would give a suppressed rate away
        case when not suppressed then abandoned end as abandoned,
        case when not suppressed then abandoned_elsewhere end as abandoned_elsewhere,
        case when not suppressed then completed end as completed,
        abandonment_rate,
        abandonment_margin,
        case
            when mean_emotion < 0 and mean_emotion < curve_mean - curve_sd then 'pain point'
            when mean_emotion > 0 and mean_emotion > curve_mean + curve_sd then 'wow moment'
        end as moment,
        emotion_suppressed,
        suppressed,
    from spread
)

select * from final;
