-- one row per headline KPI: this period against an earlier one, with the change and its 95 % significance
create or replace macro kpi_change(
    date_from, date_to, previous_from, previous_to,
    segments := null, channels := null, regions := null, min_n := 10
) as table
with

-- both periods in one pass over the answers and tickets, each counted as if it were the only one;
-- kpi_overview holds the comparison, and adds the weeks or months when asked
compared as (
    select *
    from kpi_overview(
        date_from, date_to, previous_from, previous_to,
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
        previous_n,
        previous_value,
        previous_suppressed,
        change,
        z,
        significant,
    from compared
)

select * from final order by kpi_order;
