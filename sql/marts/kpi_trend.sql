-- one row per headline KPI and week or month of the period: the KPI as kpi_summary states it for that stretch
create or replace macro kpi_trend(
    date_from := null, date_to := null, segments := null, channels := null, regions := null, min_n := 10,
    grain := 'week'
) as table
with

-- the definition kpi_summary uses, grouped by period in one pass: one definition of every KPI, and the
-- answers are read once rather than once per period
summary as (
    select *
    from kpi_periods(
        date_from := date_from, date_to := date_to,
        segments := segments, channels := channels, regions := regions, min_n := min_n,
        grain := case when grain = 'week' then 'week' else 'month' end
    )
),

final as (
    select
        period_start,
        stretch_from,
        stretch_to,
        kpi_order,
        kpi,
        n,
        value,
        margin_of_error,
        suppressed,
    from summary
)

select * from final order by kpi_order, period_start;
