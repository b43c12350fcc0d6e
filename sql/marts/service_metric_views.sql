-- one row per view (overall, by_group, by_period), period (null unless by_period), group of the chosen dimension ('All tickets' overall) and service metric
-- What the Service page shows from one read of the window's tickets: its tiles (overall: all
-- tickets of the window), the chosen metric per group of the dimension (by_group) and per group
-- and period of the grain (by_period). The three are grouping sets of one aggregate instead of
-- three queries that each read, filter and plan the same tickets. service_metrics is one view.
create or replace macro service_metric_views(
    date_from := null, date_to := null, segments := null, channels := null, regions := null, min_n := 10,
    dimension := 'all', grain := 'total'
) as table
with

tickets as (
    select *
    from filtered_tickets(
        date_from := date_from, date_to := date_to,
        segments := segments, channels := channels, regions := regions
    )
),

-- a ticket belongs to the period it was created in, so a period's times describe its own tickets;
-- weeks are ISO weeks (Monday to Sunday), months calendar months
dated as (
    select
        *,
        case grain
            when 'week' then date_trunc('week', created_at)::date
            when 'month' then date_trunc('month', created_at)::date
        end as period_start,
    from tickets
),

grouped as (
    select
        period_start,
        case grain
            when 'week' then period_start + 6
            when 'month' then last_day(period_start)
        end as period_end,
        coalesce(
            case dimension
                when 'channel' then channel
                when 'category' then category
                when 'priority' then priority
                when 'all' then 'All tickets'
            end,
            'Not recorded'
        ) as group_value,
        is_resolved,
        is_fcr,
        reopens,
        csat,
        first_response_minutes / 60.0 as first_response_hours,
        case when is_resolved then resolution_minutes / 60.0 end as resolution_hours,
    from dated
),

counted as (
    select
        case
            when grouping(group_value) = 1 then 'overall'
            when grouping(period_start) = 1 then 'by_group'
            else 'by_period'
        end as view,
        period_start,
        period_end,
        -- the period is cut by the date filter when it starts before or ends after it
        (date_from is not null and period_start < date_from::date)
            or (date_to is not null and period_end > date_to::date) as is_partial,
        case when grouping(group_value) = 1 then 'All tickets' else group_value end as group_value,
        count(*) as tickets,
        count(is_fcr) as fcr_n,
        count(*) filter (where is_fcr) as fcr_hits,
        count(first_response_hours) as first_response_n,
        -- both quantiles of a column from one sorted copy of it, not two
        quantile_cont(first_response_hours, [0.5, 0.9]) as first_response_quantiles,
        count(resolution_hours) as resolution_n,
        quantile_cont(resolution_hours, [0.5, 0.9]) as resolution_quantiles,
        -- a reopen needs an earlier resolution: the base is every ticket resolved at least once
        count(*) filter (where reopens is not null and (is_resolved or reopens > 0)) as reopen_n,
        count(*) filter (where reopens > 0) as reopen_hits,
        count(csat) as csat_n,
        count(*) filter (where csat >= 4) as csat_hits,
    from grouped
    group by grouping sets ((), (group_value), (period_start, period_end, group_value))
    -- the whole window as one group has a row even without tickets: like the others, it has none
    having count(*) > 0
),

-- each group's metrics, one row each; volume is the n itself: always shown
long as (
    select
        view, period_start, period_end, is_partial, group_value,
        unnest([
            {metric_order: 1, metric: 'tickets', n: tickets, hits: null::bigint,
                raw_value: tickets::double, raw_margin: null::double, can_suppress: false},
            {metric_order: 2, metric: 'fcr', n: fcr_n, hits: fcr_hits,
                raw_value: share_pct(fcr_hits, fcr_n), raw_margin: share_margin(fcr_hits, fcr_n), can_suppress: true},
            {metric_order: 3, metric: 'first_response_median', n: first_response_n, hits: null,
                raw_value: first_response_quantiles[1], raw_margin: null, can_suppress: true},
            {metric_order: 4, metric: 'first_response_p90', n: first_response_n, hits: null,
                raw_value: first_response_quantiles[2], raw_margin: null, can_suppress: true},
            {metric_order: 5, metric: 'resolution_median', n: resolution_n, hits: null,
                raw_value: resolution_quantiles[1], raw_margin: null, can_suppress: true},
            {metric_order: 6, metric: 'resolution_p90', n: resolution_n, hits: null,
                raw_value: resolution_quantiles[2], raw_margin: null, can_suppress: true},
            {metric_order: 7, metric: 'reopen_rate', n: reopen_n, hits: reopen_hits,
                raw_value: share_pct(reopen_hits, reopen_n), raw_margin: share_margin(reopen_hits, reopen_n), can_suppress: true},
            {metric_order: 8, metric: 'csat', n: csat_n, hits: csat_hits,
                raw_value: share_pct(csat_hits, csat_n), raw_margin: share_margin(csat_hits, csat_n), can_suppress: true}
        ], recursive := true),
    from counted
),

final as (
    select
        view,
        period_start,
        period_end,
        coalesce(is_partial, false) as is_partial,
        group_value,
        metric_order,
        metric,
        n,
        hits,
        can_suppress and suppressed_below(n, min_n) as suppressed,
        case when not (can_suppress and suppressed_below(n, min_n)) then raw_value end as value,
        case when not (can_suppress and suppressed_below(n, min_n)) then raw_margin end as margin_of_error,
    from long
)

select * from final;
