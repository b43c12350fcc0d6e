-- one row per touchpoint on the journey and compared group (all customers, a segment or a channel)
create or replace macro journey_map(
    date_from := null, date_to := null, segments := null, channels := null, regions := null, min_n := 10,
    split_by := 'none'
) as table
with

events as not materialized (
    select *
    from filtered_journey_events(
        date_from := date_from, date_to := date_to,
        segments := segments, channels := channels, regions := regions
    )
),

touchpoints as (
    select touchpoint, stage, position, moment_of_truth from main.touchpoints
),

-- split_by is a bound value chosen from an allow-list, never an identifier spliced into SQL.
-- Not materialised: each use below reads only its own columns, cheaper than a copy of every event
grouped_events as not materialized (
    select
        journey_id,
        event_id,
        touchpoint,
        channel,
        case split_by
            when 'segment' then coalesce(segment, 'unknown')
            when 'channel' then coalesce(channel, 'unknown')
            else 'All customers'
        end as compared_group,
        emotion,
        stage,
        occurred_at,
        outcome,
        previous_visit_at,
        next_visit_at,
    from events
),

-- emotion is averaged over events (a touchpoint felt twice counts twice). Unsplit, the events are
-- grouped by touchpoint alone: the constant group in the key made this pass about 1.5x as costly.
-- The branch a split does not take is dropped when the macro is planned
felt as (
    select
        'All customers' as compared_group,
        touchpoint,
        count(*) as events,
        count(emotion) as emotion_n,
        avg(emotion) as raw_emotion,
        stddev_samp(emotion) as emotion_sd,
        count(*) filter (where previous_visit_at >= coalesce(date_from::timestamp, '-infinity'::timestamp)) as comebacks,
    from events
    where split_by is null or split_by not in ('segment', 'channel')
    group by touchpoint
    union all
    select
        compared_group,
        touchpoint,
        count(*) as events,
        count(emotion) as emotion_n,
        avg(emotion) as raw_emotion,
        stddev_samp(emotion) as emotion_sd,
        null::bigint as comebacks,
    from grouped_events
    where split_by in ('segment', 'channel')
    group by compared_group, touchpoint
),

-- a listed touchpoint takes its stage from the list: only an unlisted one needs the stage its events
-- name, and its events are read again only when there is one
unlisted as (
    select distinct touchpoint
    from felt
    where touchpoint not in (select touchpoint from touchpoints)
),

unlisted_stages as (
    select
        grouped_events.compared_group,
        grouped_events.touchpoint,
        mode(grouped_events.stage) as event_stage,
    from grouped_events
    inner join unlisted on unlisted.touchpoint = grouped_events.touchpoint
    group by grouped_events.compared_group, grouped_events.touchpoint
),

-- abandonment is over journeys: a journey that comes back to a touchpoint passes it once. Rather
-- than group every (touchpoint, journey) pair, the events are counted and the comebacks taken off.
-- Each event stores its journey's previous and next visit to the touchpoint (previous_visit_at,
-- next_visit_at: cxdata/layout.py). With no filter but dates and no split, every event of the
-- window is counted, so an event whose previous visit falls inside the window is a comeback:
-- counted with the emotion (felt), no grouping. A filter or a split can leave the previous visit
-- out (another channel) or put it in another group, so then the events of a journey at a
-- touchpoint are grouped, but only those with another visit inside the window: of a journey with
-- two or more counted events at a touchpoint, each has its previous or its next visit between the
-- first and the last of them, so none is missed, and one with no other visit inside the window is
-- counted once without grouping. These events and the abandoned ones (abandonments, below) are
-- the only ones whose journey id is fetched, once for both: fetching a text id costs about as
-- much for the few events a filter keeps as for every event of the row groups read.
identified_events as materialized (
    select *
    from (
        select
            journey_id,
            event_id,
            touchpoint,
            channel,
            compared_group,
            occurred_at,
            outcome,
            coalesce(previous_visit_at >= coalesce(date_from::timestamp, '-infinity'::timestamp), false)
                or coalesce(next_visit_at < coalesce(date_to::date + interval 1 day, 'infinity'::timestamp), false)
                as visited_again,
        from grouped_events
        where segments is not null or channels is not null or regions is not null or split_by in ('segment', 'channel')
    )
    where visited_again or outcome = 'abandoned'
),

comebacks as (
    select compared_group, touchpoint, comebacks
    from felt
    where segments is null and channels is null and regions is null
      and (split_by is null or split_by not in ('segment', 'channel'))
    union all
    select
        compared_group,
        touchpoint,
        count(*) - 1 as comebacks,
    from identified_events
    where visited_again
    group by journey_id, compared_group, touchpoint
    having count(*) > 1
),

passed as (
    select
        felt.compared_group,
        felt.touchpoint,
        unlisted_stages.event_stage,
        felt.emotion_n,
        felt.raw_emotion,
        felt.emotion_sd,
        (felt.events - coalesce(comebacks.comebacks, 0))::bigint as n,
    from felt
    left join (
        select compared_group, touchpoint, sum(comebacks) as comebacks from comebacks group by all
    ) as comebacks
        on comebacks.compared_group = felt.compared_group
        and comebacks.touchpoint = felt.touchpoint
    left join unlisted_stages
        on unlisted_stages.compared_group = felt.compared_group
        and unlisted_stages.touchpoint = felt.touchpoint
),

-- a journey is abandoned where its latest 'abandoned' event is (as journey_outcomes: the last in
-- time, of those at one moment the greatest event id); only journeys with such an event need
-- looking at. With nothing but dates filtering, the window holds every abandoned event of its
-- days, so an event is its journey's latest of the window when the journey's next abandonment
-- (next_abandoned_at, cxdata/layout.py) falls after the window: a test of the row, which reads no
-- journey ids (fetching them cost about 35 ms at 10M answers, however few events were abandoned).
-- A segment, channel or region filter can leave the later one out: then the journey's filtered
-- abandoned events are grouped. A split by segment takes each journey's segment, so it groups too
abandonments as (
    select
        null::varchar as journey_id,
        touchpoint,
        channel,
    from events
    where outcome = 'abandoned'
      and segments is null and channels is null and regions is null
      and (split_by is null or split_by <> 'segment')
      and coalesce(next_abandoned_at >= coalesce(date_to::date + interval 1 day, 'infinity'::timestamp), true)
    union all
    select
        journey_id,
        arg_max(touchpoint, (occurred_at, event_id)) as touchpoint,
        arg_max_null(channel, (occurred_at, event_id)) as channel,
    from identified_events
    where outcome = 'abandoned'
      and (segments is not null or channels is not null or regions is not null or split_by = 'segment')
    group by journey_id
),

-- a journey's segment, as journey_outcomes takes it (read only when the map is split by segment)
journey_segments as (
    select
        journey_id,
        any_value(segment) as segment,
    from events
    where split_by = 'segment'
    group by journey_id
),

-- a journey is counted in the group of the event where it was abandoned
abandoned as (
    select
        case split_by
            when 'segment' then coalesce(journey_segments.segment, 'unknown')
            when 'channel' then coalesce(abandonments.channel, 'unknown')
            else 'All customers'
        end as compared_group,
        abandonments.touchpoint,
        count(*) as abandoned,
    from abandonments
    left join journey_segments on journey_segments.journey_id = abandonments.journey_id
    group by all
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
