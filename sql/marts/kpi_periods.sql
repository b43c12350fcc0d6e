-- one row per period (as kpi_counts: the window, or each week or month of it, with with_previous a previous window, with with_window the whole window too) and headline KPI: its value and 95 % margin of error with n, suppressed below min_n
create or replace macro kpi_periods(
    date_from := null, date_to := null, segments := null, channels := null, regions := null, min_n := 10,
    grain := 'window', with_previous := false, previous_from := null, previous_to := null,
    with_window := false
) as table
with

counts as (
    select *
    from kpi_counts(
        date_from := date_from, date_to := date_to,
        segments := segments, channels := channels, regions := regions,
        grain := grain, with_previous := with_previous, previous_from := previous_from, previous_to := previous_to,
        with_window := with_window
    )
),

computed as (
    select
        *,
        case
            when kpi = 'nps' then nps_score(promoters, detractors, n)
            when kpi = 'revenue_at_risk' then amount
            else share_pct(hits, n)
        end as raw_value,
        case
            when kpi = 'nps' then nps_margin(promoters, detractors, n)
            when kpi = 'revenue_at_risk' then null
            else share_margin(hits, n)
        end as raw_margin,
        suppressed_below(n, min_n) as suppressed,
    from counts
),

final as (
    select
        kpi_order,
        kpi,
        n,
        case when not suppressed then raw_value end as value,
        case when not suppressed then raw_margin end as margin_of_error,
        suppressed,
        hits,
        promoters,
        detractors,
        period_kind,
        is_previous,
        period_start,
        stretch_from,
        stretch_to,
    from computed
)

select * from final order by is_previous, kpi_order, period_start;
