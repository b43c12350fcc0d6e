-- one row per support ticket, with its customer's segment and region and the FCR rule applied
-- (stored on the row: cxdata/layout.py keeps fact_segment and fact_region in step with customers)
create or replace view ticket_facts as
with

tickets as (
    select * exclude (fact_segment, fact_region), fact_segment as segment, fact_region as region
    from main.tickets
),

classified as (
    select
        tickets.*,
        tickets.status in ('solved', 'closed') and tickets.resolved_at is not null as is_resolved,
        date_diff('second', tickets.created_at, tickets.first_response_at) / 60.0 as first_response_minutes,
        date_diff('second', tickets.created_at, tickets.resolved_at) / 60.0 as resolution_minutes,
    from tickets
),

final as (
    select
        *,
        -- FCR: a resolved ticket with at most one agent reply and no reopen;
        -- null when replies or reopens are unknown, so it stays out of the FCR base
        case
            when not is_resolved or replies is null or reopens is null then null
            else replies <= 1 and reopens = 0
        end as is_fcr,
    from classified
)

select * from final;
