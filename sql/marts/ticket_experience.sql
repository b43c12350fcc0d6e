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

after_tickets as (
    select response_id, tickets_before, experience
    from ticket_experience_worst(
        date_from := date_from, date_to := date_to,
        segments := segments, channels := channels, regions := regions,
        lookback_days := lookback_days
    )
),

final as (
    select
        answers.response_id,
        answers.customer_id,
        answers.responded_at,
        answers.nps,
        answers.nps_class,
        coalesce(after_tickets.tickets_before, 0) as tickets_before,
        coalesce(after_tickets.experience, 'no_ticket') as experience,
    from answers
    left join after_tickets on after_tickets.response_id = answers.response_id
)

select * from final;
