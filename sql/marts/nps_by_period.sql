-- one row per week or month and split group: NPS with its 95 % band and n, suppressed below min_n
create or replace macro nps_by_period(
    date_from := null, date_to := null, segments := null, channels := null, regions := null, min_n := 10,
    grain := 'month', split_by := null
) as table
with

answers as (
    select *
    from nps_answers(
        date_from := date_from, date_to := date_to,
        segments := segments, channels := channels, regions := regions,
        grain := grain, split_by := split_by
    )
),

counted as (
    select
        period,
        period_start,
        period_end,
        is_partial,
        split_value,
        count(*) as n,
        count(*) filter (where nps_class = 'promoter') as promoters,
        count(*) filter (where nps_class = 'passive') as passives,
        count(*) filter (where nps_class = 'detractor') as detractors,
    from answers
    group by period, period_start, period_end, is_partial, split_value
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
