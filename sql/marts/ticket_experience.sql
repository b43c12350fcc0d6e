-- one row per NPS answer of a known customer inside the filters, with the customer's ticket experience before it
create or replace macro ticket_experience(
    date_from := null, date_to := null, segments := null, channels := null, regions := null,
    lookback_days := 90
) as table
with

-- anonymous answers are left out: whether they had a ticket cannot be known
answers as (
    select response_id, customer_id, responded_at, nps, nps_class
    from filtered_responses(
        date_from := date_from, date_to := date_to,
        segments := segments, channels := channels, regions := regions
    )
    where nps is not null and customer_id is not null
),

-- tickets of any channel count: a customer answering on the web remembers the phone call
tickets as (
    select ticket_id, customer_id, created_at, is_resolved, is_fcr, reopens
    from ticket_facts
    where customer_id is not null
),

-- only tickets opened in the window before the answer can have shaped it
recent as (
    select
        answers.response_id,
        tickets.ticket_id,
        -- the worst outcome wins when a customer had several tickets
        case
            when tickets.reopens > 0 then 5
            when not tickets.is_resolved then 4
            when tickets.is_fcr = false then 3
            when tickets.is_fcr is null then 2
            else 1
        end as severity,
    from answers
    inner join tickets
        on tickets.customer_id = answers.customer_id
        and tickets.created_at <= answers.responded_at
        and tickets.created_at > answers.responded_at - to_days(lookback_days::integer)
),

worst as (
    select response_id, max(severity) as severity, count(*) as tickets
    from recent
    group by response_id
),

final as (
    select
        answers.response_id,
        answers.customer_id,
        answers.responded_at,
        answers.nps,
        answers.nps_class,
        coalesce(worst.tickets, 0) as tickets_before,
        case coalesce(worst.severity, 0)
            when 0 then 'no_ticket'
            when 1 then 'first_contact'
            when 2 then 'unknown'
            when 3 then 'not_first_contact'
            when 4 then 'still_open'
            when 5 then 'reopened'
        end as experience,
    from answers
    left join worst on worst.response_id = answers.response_id
)

select * from final;
