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
    select *
    from journey_outcomes(
        date_from := date_from, date_to := date_to,
        segments := segments, channels := channels, regions := regions
    )
),

touchpoints as (
    select touchpoint, stage, position, moment_of_truth from main.touchpoints
),

-- split_by is a bound value chosen from an allow-list, never an identifier spliced into SQL
grouped_events as (
    select
        *,
        case split_by
            when 'segment' then coalesce(segment, 'unknown')
            when 'channel' then coalesce(channel, 'unknown')
            else 'All customers'
        end as compared_group,
    from events
),

-- a journey is counted in the group of the event where it was abandoned
grouped_abandonments as (
    select
        abandoned_at as touchpoint,
        case split_by
            when 'segment' then coalesce(segment, 'unknown')
            when 'channel' then coalesce(abandoned_channel, 'unknown')
            else 'All customers'
        end as compared_group,
    from journeys
    where outcome = 'abandoned'
),

-- emotion is averaged over events (a touchpoint felt twice counts twice); abandonment over
-- journeys (a journey that comes back to a touchpoint passes it once)
passed as (
    select
        compared_group,
        touchpoint,
        mode(stage) as event_stage,
        count(emotion) as emotion_n,
        avg(emotion) as raw_emotion,
        stddev_samp(emotion) as emotion_sd,
        count(distinct journey_id) as n,
    from grouped_events
    group by compared_group, touchpoint
),

abandoned as (
    select
        compared_group,
        touchpoint,
        count(*) as abandoned,
    from grouped_abandonments
    group by compared_group, touchpoint
),

counted as (
    select
        passed.compared_group,
        passed.touchpoint,
        -- the touchpoint list decides the stage; an unlisted touchpoint keeps its events' stage
        coalesce(touchpoints.stage, passed.event_stage) as stage,
        touchpoints.position,
        touchpoints.moment_of_truth,
        passed.emotion_n,
        passed.raw_emotion,
        passed.emotion_sd,
        passed.n,
        coalesce(abandoned.abandoned, 0) as abandoned,
    from passed
    left join abandoned
        on abandoned.compared_group = passed.compared_group
        and abandoned.touchpoint = passed.touchpoint
    left join touchpoints on touchpoints.touchpoint = passed.touchpoint
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
        case when not emotion_suppressed then mean_margin(emotion_sd, emotion_n) end as emotion_margin,
        case when not suppressed then share_pct(abandoned, n) end as abandonment_rate,
        case when not suppressed then share_margin(abandoned, n) end as abandonment_margin,
    from ordered
),

-- a pain point (wow moment) lies more than 1.5 standard deviations below (above) the average
-- touchpoint of its curve and on the negative (positive) side of the emotion scale: one deep
-- low stands out without every mildly negative touchpoint being called a pain point
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
        -- the count would give a suppressed rate away
        case when not suppressed then abandoned end as abandoned,
        abandonment_rate,
        abandonment_margin,
        case
            when mean_emotion < 0 and mean_emotion < curve_mean - 1.5 * curve_sd then 'pain point'
            when mean_emotion > 0 and mean_emotion > curve_mean + 1.5 * curve_sd then 'wow moment'
        end as moment,
        emotion_suppressed,
        suppressed,
    from spread
)

select * from final;
