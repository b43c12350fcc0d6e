-- one row per headline KPI and period of the window: the whole window against the previous period (with the change and its 95 % significance), and with grain 'week' or 'month' each week or month of the window
-- What the Overview shows: its tiles and their small lines come from one pass over the answers,
-- tickets and customers (kpi_counts) instead of one for the comparison and one for the trend.
create or replace macro kpi_overview(
    date_from, date_to, previous_from, previous_to,
    segments := null, channels := null, regions := null, min_n := 10, grain := 'window'
) as table
with

periods as materialized (
    select *
    from kpi_periods(
        date_from := date_from, date_to := date_to,
        segments := segments, channels := channels, regions := regions, min_n := min_n,
        grain := case when grain in ('week', 'month') then grain else 'window' end,
        with_previous := true, previous_from := previous_from, previous_to := previous_to,
        with_window := true
    )
),

current_period as (
    select * from periods where period_kind = 'window'
),

previous_period as (
    select * from periods where period_kind = 'previous'
),

compared as (
    select
        current_period.kpi_order,
        current_period.kpi,
        current_period.period_start,
        current_period.stretch_from,
        current_period.stretch_to,
        current_period.n,
        current_period.value,
        current_period.margin_of_error,
        current_period.suppressed,
        previous_period.n as previous_n,
        previous_period.value as previous_value,
        previous_period.suppressed as previous_suppressed,
        current_period.value - previous_period.value as change,
        case
            when current_period.kpi = 'nps' then nps_change_z(
                current_period.promoters, current_period.detractors, current_period.n,
                previous_period.promoters, previous_period.detractors, previous_period.n
            )
            -- revenue at risk is a sum, not a share: no test applies
            when current_period.kpi = 'revenue_at_risk' then null
            else share_change_z(current_period.hits, current_period.n, previous_period.hits, previous_period.n)
        end as z,
    from current_period
    inner join previous_period on previous_period.kpi = current_period.kpi
),

-- each week or month as kpi_trend states it
trend as (
    select kpi_order, kpi, period_kind, period_start, stretch_from, stretch_to, n, value, margin_of_error, suppressed,
    from periods
    where period_kind in ('week', 'month')
),

final as (
    select
        kpi_order,
        kpi,
        'window' as period_kind,
        period_start,
        stretch_from,
        stretch_to,
        n,
        value,
        margin_of_error,
        suppressed,
        previous_n,
        previous_value,
        previous_suppressed,
        change,
        case when change is not null then z end as z,
        case when change is not null and z is not null then abs(z) > 1.96 end as significant,
    from compared
    union all
    select
        kpi_order, kpi, period_kind, period_start, stretch_from, stretch_to, n, value, margin_of_error, suppressed,
        null, null, null, null, null, null,
    from trend
)

select * from final order by kpi_order, period_kind = 'window' desc, period_start;
