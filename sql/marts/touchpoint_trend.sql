-- one row per touchpoint and calendar month with NPS answers: NPS with its 95 % band
create or replace macro touchpoint_trend(
    date_from := null, date_to := null, segments := null, channels := null, regions := null, min_n := 10
) as table
with

responses as (
    select *
    from filtered_responses(
        date_from := date_from, date_to := date_to,
        segments := segments, channels := channels, regions := regions
    )
    where touchpoint is not null
      and nps is not null
),

counted as (
    select
        touchpoint,
        date_trunc('month', responded_at)::date as month,
        count(*) as n,
        count(*) filter (where nps_class = 'promoter') as promoters,
        count(*) filter (where nps_class = 'detractor') as detractors,
    from responses
    group by touchpoint, month
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
        touchpoint,
        month,
        n,
        case when not suppressed then raw_nps end as nps,
        case when not suppressed then raw_margin end as margin_of_error,
        case when not suppressed then raw_nps - raw_margin end as nps_lower,
        case when not suppressed then raw_nps + raw_margin end as nps_upper,
        suppressed,
    from scored
)

select * from final;
