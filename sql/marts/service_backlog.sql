-- one row per period and age band: the tickets still open when the period closed
create or replace macro service_backlog(
    date_from := null, date_to := null, segments := null, channels := null, regions := null,
    grain := 'week'
) as table
with

-- a ticket opened before the range can still be open inside it: no lower date bound here
tickets as (
    select ticket_id, created_at, resolved_at, status
    from filtered_tickets(
        date_from := null, date_to := date_to,
        segments := segments, channels := channels, regions := regions
    )
),

bounds as (
    select
        coalesce(date_from::date, (select min(created_at)::date from tickets)) as first_day,
        coalesce(date_to::date, (select max(created_at)::date from tickets)) as last_day,
),

periods as (
    select
        period.period_start::date as period_start,
        -- the moment the period closes; the last one closes at the end of the range
        least(
            period.period_start + case grain when 'month' then interval 1 month else interval 7 day end,
            bounds.last_day + interval 1 day
        ) as snapshot_at,
    from bounds,
        range(
            date_trunc(case grain when 'month' then 'month' else 'week' end, bounds.first_day)::timestamp,
            (bounds.last_day + interval 1 day)::timestamp,
            case grain when 'month' then interval 1 month else interval 7 day end
        ) as period(period_start)
),

age_bands as (
    select * from ticket_age_bands
),

-- open at a moment: created before it and not yet resolved then; a ticket marked solved
-- without a resolution time cannot be placed and is left out
open_then as (
    select
        periods.period_start,
        date_diff('second', tickets.created_at, periods.snapshot_at) / 86400.0 as age_days,
    from periods
    inner join tickets
        on tickets.created_at < periods.snapshot_at
        and (
            tickets.resolved_at >= periods.snapshot_at
            or (tickets.resolved_at is null and (tickets.status is null or tickets.status not in ('solved', 'closed')))
        )
),

banded as (
    select
        open_then.period_start,
        age_bands.band_order,
        count(*) as open_tickets,
    from open_then
    inner join age_bands
        on open_then.age_days >= age_bands.from_days
        and (age_bands.to_days is null or open_then.age_days < age_bands.to_days)
    group by open_then.period_start, age_bands.band_order
),

final as (
    select
        periods.period_start,
        (periods.snapshot_at - interval 1 day)::date as period_end,
        age_bands.band_order,
        age_bands.age_band,
        coalesce(banded.open_tickets, 0) as open_tickets,
    from periods
    cross join age_bands
    left join banded
        on banded.period_start = periods.period_start
        and banded.band_order = age_bands.band_order
)

select * from final order by period_start, band_order;
