-- one row per week or month and split group: NPS with its 95 % band and n, suppressed below min_n
create or replace macro nps_by_period(
    date_from := null, date_to := null, segments := null, channels := null, regions := null, min_n := 10,
    grain := 'month', split_by := null
) as table
with

-- NPS counts add up over days: summed from the stored day counts
-- (sql/schema/010_response_day_counts.sql), each day in the week or month an answer of it is in
days as (
    select
        *,
        trend_period_start(day, grain) as period_start,
        trend_split_value(split_by, segment, channel) as split_value,
    from filtered_response_days(
        date_from := date_from, date_to := date_to,
        segments := segments, channels := channels, regions := regions
    )
    where nps_n > 0
),

summed as (
    select
        period_start,
        split_value,
        sum(nps_n)::bigint as n,
        sum(promoters)::bigint as promoters,
        sum(passives)::bigint as passives,
        sum(detractors)::bigint as detractors,
    from days
    group by period_start, split_value
),

-- a week or month is named by its first day as by any of its days (ISO weeks run Monday to Sunday)
counted as (
    select
        trend_period_label(period_start, grain) as period,
        period_start,
        trend_period_end(period_start, grain) as period_end,
        trend_period_cut(period_start, grain, date_from, date_to) as is_partial,
        split_value,
        n,
        promoters,
        passives,
        detractors,
    from summed
),

scored as (
    select
        *,
        nps_score(promoters, detractors, n) as raw_nps,
        nps_margin(promoters, detractors, n) as raw_margin,
        suppressed_below(n, min_n) as suppressed,
    from counted
),

final as (
    select
        period,
        period_start,
        period_end,
        is_partial,
        split_value,
        n,
        suppressed,
        case when not suppressed then promoters end as promoters,
        case when not suppressed then passives end as passives,
        case when not suppressed then detractors end as detractors,
        case when not suppressed then share_pct(promoters, n) end as promoter_share,
        case when not suppressed then share_pct(detractors, n) end as detractor_share,
        case when not suppressed then raw_nps end as nps,
        case when not suppressed then raw_margin end as margin_of_error,
        -- the band is drawn inside the scale NPS can take
        case when not suppressed then greatest(raw_nps - raw_margin, -100) end as nps_low,
        case when not suppressed then least(raw_nps + raw_margin, 100) end as nps_high,
    from scored
)

select * from final order by period_start, split_value;
