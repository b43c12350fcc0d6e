-- one row per touchpoint, channel (or all channels together) and metric (nps, csat, ces) with at least one answer
create or replace macro touchpoint_performance(
    date_from := null, date_to := null, segments := null, channels := null, regions := null, min_n := 10
) as table
with

-- the counts add up over days: summed from the stored day counts
-- (sql/schema/010_response_day_counts.sql), where the classes are counted once
days as (
    select *
    from filtered_response_days(
        date_from := date_from, date_to := date_to,
        segments := segments, channels := channels, regions := regions
    )
    where touchpoint is not null
),

touchpoints as (
    select touchpoint, stage, position, moment_of_truth from main.touchpoints
),

labelled as (
    select
        days.*,
        -- an answer without a channel still belongs to its touchpoint's total
        coalesce(days.channel, 'unknown') as channel_label,
    from days
),

counted as (
    select
        touchpoint,
        case when grouping(channel_label) = 1 then 'All channels' else channel_label end as channel,
        grouping(channel_label) = 1 as all_channels,
        sum(nps_n)::bigint as nps_n,
        sum(promoters)::bigint as promoters,
        sum(detractors)::bigint as detractors,
        sum(csat_n)::bigint as csat_n,
        sum(csat_hits)::bigint as csat_hits,
        sum(ces_n)::bigint as ces_n,
        sum(ces_hits)::bigint as ces_hits,
    from labelled
    group by grouping sets ((touchpoint, channel_label), (touchpoint))
),

by_metric as (
    select
        touchpoint, channel, all_channels, 'nps' as metric, nps_n as n,
        nps_score(promoters, detractors, nps_n) as raw_value,
        nps_margin(promoters, detractors, nps_n) as raw_margin,
    from counted
    union all
    select
        touchpoint, channel, all_channels, 'csat', csat_n,
        share_pct(csat_hits, csat_n),
        share_margin(csat_hits, csat_n),
    from counted
    union all
    select
        touchpoint, channel, all_channels, 'ces', ces_n,
        share_pct(ces_hits, ces_n),
        share_margin(ces_hits, ces_n),
    from counted
),

flagged as (
    select
        by_metric.*,
        suppressed_below(by_metric.n, min_n) as suppressed,
    from by_metric
    where by_metric.n > 0
),

final as (
    select
        flagged.touchpoint,
        -- touchpoints missing from the touchpoint list still show, after the known ones
        touchpoints.stage,
        touchpoints.position,
        touchpoints.moment_of_truth,
        flagged.channel,
        flagged.all_channels,
        flagged.metric,
        flagged.n,
        case when not flagged.suppressed then flagged.raw_value end as value,
        case when not flagged.suppressed then flagged.raw_margin end as margin_of_error,
        flagged.suppressed,
    from flagged
    left join touchpoints on touchpoints.touchpoint = flagged.touchpoint
)

select * from final;
