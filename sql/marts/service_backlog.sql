-- one row per period and age band: the tickets still open when the period closed
create or replace macro service_backlog(
    date_from := null, date_to := null, segments := null, channels := null, regions := null,
    grain := 'week'
) as table
with

-- a ticket opened before the range can still be open inside it: no lower date bound here.
-- Not materialised: each use reads the few columns it needs
tickets as not materialized (
    select ticket_id, created_at, resolved_at, status
    from filtered_tickets(
        date_from := null, date_to := date_to,
        segments := segments, channels := channels, regions := regions
    )
),

-- open from its creation until its resolution; never resolved and not solved or closed: open for
-- good; marked solved without a resolution time: it cannot be placed and is left out
open_spans as (
    select
        created_at,
        case
            when resolved_at is not null then resolved_at
            when status is null or status not in ('solved', 'closed') then 'infinity'::timestamp
        end as open_until,
    from tickets
    -- every snapshot falls after the first day of the range: a ticket resolved before it is never
    -- counted, and the filter lets the scan skip the row groups of old tickets
    where date_from is null or resolved_at is null or resolved_at >= date_from::date
),

-- an open-ended range runs from the first to the last ticket; a closed one needs no look at them
data_span as (
    select
        min(created_at)::date as first_day,
        max(created_at)::date as last_day,
    from tickets
    where date_from is null or date_to is null
),

bounds as (
    select
        coalesce(date_from::date, data_span.first_day) as first_day,
        coalesce(date_to::date, data_span.last_day) as last_day,
    from data_span
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

-- only tickets open at one of the snapshots at least meet the periods below: most tickets were
-- resolved before the first one, or opened after the last
open_during as (
    select open_spans.created_at, open_spans.open_until,
    from open_spans
    inner join (select min(snapshot_at) as first_at, max(snapshot_at) as last_at from periods) as span
        on open_spans.created_at < span.last_at
        and open_spans.open_until >= span.first_at
),

-- open at a moment: created before it and not yet resolved then
open_then as (
    select
        periods.period_start,
        date_diff('second', open_during.created_at, periods.snapshot_at) / 86400.0 as age_days,
    from periods
    inner join open_during
        on open_during.created_at < periods.snapshot_at
        and open_during.open_until >= periods.snapshot_at
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
