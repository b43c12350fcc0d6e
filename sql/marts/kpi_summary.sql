-- one row per headline KPI: its value and 95 % margin of error with n, suppressed below min_n
create or replace macro kpi_summary(
    date_from := null, date_to := null, segments := null, channels := null, regions := null, min_n := 10
) as table
with

-- the window as one period: the same definition the trend and the change use
summary as (
    select *
    from kpi_periods(
        date_from := date_from, date_to := date_to,
        segments := segments, channels := channels, regions := regions, min_n := min_n
    )
),

final as (
    select
        kpi_order,
        kpi,
        n,
        value,
        margin_of_error,
        suppressed,
        hits,
        promoters,
        detractors,
    from summary
)

select * from final order by kpi_order;
