-- one row per age band: the tickets whose status is not solved or closed now, aged at the latest ticket activity
create or replace macro service_backlog_now(
    date_from := null, date_to := null, segments := null, channels := null, regions := null
) as table
with

-- "now" is the store's state: the date range does not apply, the other filters do
tickets as (
    select created_at, status
    from filtered_tickets(
        date_from := null, date_to := null,
        segments := segments, channels := channels, regions := regions
    )
),

-- the data's own clock: an export from last month is aged as of its last activity, not today
as_of as (
    select greatest(max(created_at), max(first_response_at), max(resolved_at)) as as_of_at
    from main.tickets
),

age_bands as (
    select * from ticket_age_bands
),

open_now as (
    select greatest(date_diff('second', tickets.created_at, as_of.as_of_at) / 86400.0, 0) as age_days,
    from tickets, as_of
    where tickets.status is null or tickets.status not in ('solved', 'closed')
),

final as (
    select
        age_bands.band_order,
        age_bands.age_band,
        count(open_now.age_days) as open_tickets,
        (select as_of_at from as_of) as as_of_at,
    from age_bands
    left join open_now
        on open_now.age_days >= age_bands.from_days
        and (age_bands.to_days is null or open_now.age_days < age_bands.to_days)
    group by age_bands.band_order, age_bands.age_band
)

select * from final order by band_order;
