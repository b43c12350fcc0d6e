-- one row per ticket inside the filters that belongs to the chosen group (and period, when one is chosen);
-- none when that list is smaller than min_n, so a small group's tickets and their csat stay unseen
create or replace macro ticket_list(
    date_from := null, date_to := null, segments := null, channels := null, regions := null,
    dimension := 'all', group_value := null, grain := null, period_start := null, min_n := 10
) as table
with

tickets as (
    select *
    from filtered_tickets(
        date_from := date_from, date_to := date_to,
        segments := segments, channels := channels, regions := regions
    )
),

-- the same grouping and period rules as service_metrics, so a drill shows the tickets behind a bar
grouped as (
    select
        *,
        coalesce(
            case dimension
                when 'channel' then channel
                when 'category' then category
                when 'priority' then priority
                when 'all' then 'All tickets'
            end,
            'Not recorded'
        ) as ticket_group,
        case grain
            when 'week' then date_trunc('week', created_at)::date
            when 'month' then date_trunc('month', created_at)::date
        end as ticket_period,
    from tickets
),

chosen as (
    select *
    from grouped
    where (group_value is null or ticket_group = group_value)
      and (period_start is null or ticket_period = period_start::date)
),

-- ids only: no names, e-mail addresses or message texts leave the store through this list
final as (
    select
        ticket_id,
        customer_id,
        created_at,
        channel,
        category,
        priority,
        status,
        replies,
        reopens,
        is_fcr as resolved_at_first_contact,
        first_response_minutes / 60.0 as first_response_hours,
        case when is_resolved then resolution_minutes / 60.0 end as resolution_hours,
        csat,
        count(*) over () as tickets_in_list,
    from chosen
)

select * from final where not suppressed_below(tickets_in_list, min_n);
