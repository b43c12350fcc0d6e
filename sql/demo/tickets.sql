-- one row per demo support ticket
insert into tickets (
    ticket_id, customer_id, created_at, first_response_at, resolved_at, channel, category,
    priority, status, replies, reopens, csat, import_id, fact_segment, fact_region
)
with

people as (
    select * from demo_people where ticket_hi > ticket_lo
),

numbered as (
    select
        people.*,
        unnest(generate_series(people.ticket_lo, people.ticket_hi - 1)) as t,
    from people
),

drawn as (
    select
        numbered.*,
        demo_u($seed, t, 'day') as u_day,
        demo_u($seed, t, 'hour') as u_hour,
        demo_u($seed, t, 'minute') as u_minute,
        demo_u($seed, t, 'billing') as u_billing,
        demo_u($seed, t, 'category') as u_category,
        demo_u($seed, t, 'app channel') as u_app_channel,
        demo_u($seed, t, 'channel') as u_channel,
        demo_u($seed, t, 'priority') as u_priority,
        demo_u($seed, t, 'first contact') as u_first_contact,
        demo_u($seed, t, 'replies') as u_replies,
        demo_u($seed, t, 'reopens') as u_reopens,
        demo_u($seed, t, 'second reopen') as u_second_reopen,
        demo_u($seed, t, 'stuck') as u_stuck,
        demo_u($seed, t, 'status') as u_status,
        demo_normal($seed, t, 'first response time') as first_response_noise,
        demo_normal($seed, t, 'resolution time') as resolution_noise,
        demo_u($seed, t, 'asks csat') as u_asks_csat,
        demo_normal($seed, t, 'csat') as csat_noise,
    from numbered
),

placed as (
    select
        drawn.*,
        $start::timestamp + to_seconds(
            floor(demo_seasonal_day(active_from_day, active_to_day, u_day, $peak_day)) * 86400
            + 25200 + 50400 * (u_hour + u_minute) / 2
        ) as created_at,
    from drawn
),

categorised as (
    select
        *,
        case
            -- stories 2 and 3: customers with billing trouble open many Billing tickets
            when u_billing < case when billing_trouble then 0.50 else 0.06 end then 'Billing'
            else demo_pick(
                ['Delivery', 'Technical', 'Account', 'Returns', 'Product question'],
                case
                    when month(created_at) = 12 then [0.40, 0.62, 0.74, 0.88]
                    -- story 1: the app release brings technical tickets from app users
                    when app_affine and created_at >= $app_release::timestamp then [0.20, 0.64, 0.75, 0.88]
                    else [0.27, 0.51, 0.66, 0.83]
                end,
                u_category
            )
        end as category,
        case
            when app_affine and u_app_channel < 0.35 then 'app'
            else demo_pick(['email', 'chat', 'phone', 'web'], [0.38, 0.62, 0.85], u_channel)
        end as channel,
        demo_pick(['low', 'normal', 'high', 'urgent'], [0.22, 0.78, 0.95], u_priority) as priority,
    from placed
),

-- story 3: Billing tickets are rarely solved at the first contact
handled as (
    select
        *,
        u_first_contact < case category
            when 'Billing' then 0.35
            when 'Technical' then 0.66
            when 'Returns' then 0.72
            when 'Delivery' then 0.75
            when 'Account' then 0.82
            else 0.86
        end as first_contact,
    from categorised
),

worked as (
    select
        *,
        case
            when first_contact then case when u_replies < 0.08 then 0 else 1 end
            else 2 + floor(-ln(1 - u_replies) * case when category = 'Billing' then 2.2 else 1.4 end)::integer
        end as replies_needed,
        case
            when first_contact then 0
            when u_reopens < case when category = 'Billing' then 0.55 else 0.30 end
                then 1 + (u_second_reopen < 0.25)::integer
            else 0
        end as reopens_needed,
        case channel when 'phone' then 2 when 'chat' then 4 when 'app' then 180 when 'web' then 240 else 300 end
            * case priority when 'urgent' then 0.25 when 'high' then 0.5 when 'low' then 1.6 else 1.0 end
            * exp(0.8 * first_response_noise)
            as first_response_minutes,
    from handled
),

timed as (
    select
        *,
        first_response_minutes
            + case
                when first_contact then 20 * exp(0.9 * resolution_noise)
                else (replies_needed + reopens_needed) * 720 * exp(0.7 * resolution_noise)
                    * case when category = 'Billing' then 1.5 else 1.0 end
            end
            -- a few tickets wait a long time on the customer or a third party
            * case when u_stuck < 0.03 then 10 else 1 end
            as resolution_minutes,
        $start::timestamp + to_seconds($span_days * 86400) as export_at,
    from worked
),

-- tickets still running when the data ends form the backlog
statused as (
    select
        *,
        created_at + to_seconds(first_response_minutes * 60) as responded_at,
        created_at + to_seconds(resolution_minutes * 60) as solved_at,
        case
            when created_at + to_seconds(first_response_minutes * 60) >= export_at then 'new'
            when created_at + to_seconds(resolution_minutes * 60) >= export_at
                then demo_pick(['open', 'pending', 'hold'], [0.60, 0.90], u_status)
            when created_at + to_seconds(resolution_minutes * 60) >= export_at - interval 4 day then 'solved'
            else 'closed'
        end as status,
    from timed
),

final as (
    select
        'T' || lpad(t::varchar, 9, '0') as ticket_id,
        customer_id,
        created_at,
        case when status <> 'new' then responded_at end as first_response_at,
        case when status in ('solved', 'closed') then solved_at end as resolved_at,
        channel,
        category,
        priority,
        status,
        case when status = 'new' then 0 else replies_needed end as replies,
        case when status in ('solved', 'closed') then reopens_needed else 0 end as reopens,
        case
            when status in ('solved', 'closed') and u_asks_csat < 0.35 then demo_score(
                4.3 - 1.3 * (not first_contact)::integer - 0.4 * (category = 'Billing')::integer
                + 0.35 * mood + 0.8 * csat_noise - 0.15 * ln(1 + resolution_minutes / 60),
                1, 5
            )
        end as csat,
        $import_id as import_id,
    from statused
)

-- stored with the segment and region that apply (cxdata/layout.py), in date order
select facts.*, customers.segment as fact_segment, customers.region as fact_region
from final as facts
left join main.customers as customers on customers.customer_id = facts.customer_id
order by facts.created_at;
