-- one row per headline KPI: this period against an earlier one, with the change and its 95 % significance
create or replace macro kpi_change(
    date_from, date_to, previous_from, previous_to,
    segments := null, channels := null, regions := null, min_n := 10
) as table
with

-- both periods in one pass over the answers and tickets, each counted as if it were the only one
both_periods as materialized (
    select *
    from kpi_periods(
        date_from := date_from, date_to := date_to,
        segments := segments, channels := channels, regions := regions, min_n := min_n,
        with_previous := true, previous_from := previous_from, previous_to := previous_to
    )
),

current_period as (
    select * from both_periods where not is_previous
),

previous_period as (
    select * from both_periods where is_previous
),

compared as (
    select
        current_period.kpi_order,
        current_period.kpi,
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

final as (
    select
        kpi_order,
        kpi,
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
)

select * from final order by kpi_order;
