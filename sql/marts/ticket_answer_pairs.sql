-- one row per NPS answer of a known customer inside the filters and ticket of that customer opened in the lookback up to it
-- The one place that says which tickets can have shaped an answer: ticket_experience_worst and
-- service_nps_after_tickets read their pairs here.
create or replace macro ticket_answer_pairs(
    date_from := null, date_to := null, segments := null, channels := null, regions := null,
    lookback_days := 90
) as table
with

-- anonymous answers are left out: whether they had a ticket cannot be known. answer_key tells the answers apart
-- (within one call, response_facts.response_row): grouping the pairs by answer on it is cheaper than on the text
-- response_id
answers as (
    select response_id, customer_id, responded_at, nps, nps_class, response_row as answer_key,
    from filtered_responses(
        date_from := date_from, date_to := date_to,
        segments := segments, channels := channels, regions := regions
    )
    where nps is not null and customer_id is not null
),

-- tickets of any channel count: a customer answering on the web remembers the phone call. Only
-- tickets from the lookback before the first day to the last day can precede an answer in the
-- window; the bounds let the scan skip the rest
tickets as (
    select ticket_id, customer_id, created_at, channel, category, priority, is_resolved, is_fcr, reopens
    from ticket_facts
    where customer_id is not null
      and (date_from is null or created_at > date_from::date - to_days(lookback_days::integer))
      and (date_to is null or created_at < date_to::date + interval 1 day)
),

-- only tickets opened in the lookback before the answer can have shaped it
final as (
    select
        answers.answer_key,
        answers.response_id,
        answers.customer_id,
        answers.responded_at,
        answers.nps,
        answers.nps_class,
        tickets.ticket_id,
        tickets.created_at,
        -- the ticket's own channel, category and priority (the answer's channel is not read here)
        tickets.channel,
        tickets.category,
        tickets.priority,
        tickets.is_resolved,
        tickets.is_fcr,
        tickets.reopens,
    from answers
    inner join tickets
        on tickets.customer_id = answers.customer_id
        and tickets.created_at <= answers.responded_at
        and tickets.created_at > answers.responded_at - to_days(lookback_days::integer)
)

select * from final;
