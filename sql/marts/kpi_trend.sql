-- one row per headline KPI and week or month of the period: the KPI as kpi_summary states it for that stretch
create or replace macro kpi_trend(
    date_from := null, date_to := null, segments := null, channels := null, regions := null, min_n := 10,
    grain := 'week'
) as table
with

-- an open-ended filter means the whole span of the answers, as in kpi_counts
bounds as (
    select
        coalesce(date_from::date, (select min(responded_at)::date from main.responses)) as first_day,
        coalesce(date_to::date, (select max(responded_at)::date from main.responses)) as last_day,
),

calendar as (
    select
        unnest(generate_series(
            case when grain = 'week' then date_trunc('week', first_day) else date_trunc('month', first_day) end,
            last_day,
            case when grain = 'week' then interval 7 day else interval 1 month end
        ))::date as period_start,
        first_day,
        last_day,
    from bounds
),

-- the first and last period are cut to the filter, so every answer counts in exactly one period
periods as (
    select
        period_start,
        greatest(period_start, first_day) as stretch_from,
        least(
            case when grain = 'week' then period_start + 6 else last_day(period_start) end,
            last_day
        ) as stretch_to,
    from calendar
),

-- the same view as the headline tiles, once per period: one definition of every KPI
final as (
    select
        periods.period_start,
        periods.stretch_from,
        periods.stretch_to,
        summary.kpi_order,
        summary.kpi,
        summary.n,
        summary.value,
        summary.margin_of_error,
        summary.suppressed,
    from periods,
    lateral kpi_summary(
        date_from := periods.stretch_from, date_to := periods.stretch_to,
        segments := segments, channels := channels, regions := regions, min_n := min_n
    ) as summary
)

select * from final order by kpi_order, period_start;
