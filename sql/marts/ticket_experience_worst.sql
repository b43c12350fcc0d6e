-- one row per NPS answer of a known customer inside the filters that followed at least one ticket: the tickets and
-- the worst outcome among them
create or replace macro ticket_experience_worst(
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

-- tickets of any channel count: a customer answering on the web remembers the phone call. Only
-- tickets from the lookback before the first day to the last day can precede an answer in the
-- window; the bounds let the scan skip the rest
tickets as (
    select ticket_id, customer_id, created_at, is_resolved, is_fcr, reopens
    from ticket_facts
    where customer_id is not null
      and (date_from is null or created_at > date_from::date - to_days(lookback_days::integer))
      and (date_to is null or created_at < date_to::date + interval 1 day)
),

-- only tickets opened in the window before the answer can have shaped it
recent as (
    select
        answers.response_id,
        answers.customer_id,
        answers.responded_at,
        answers.nps,
        answers.nps_class,
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

-- the worst outcome wins when a customer had several tickets
worst as (
    select
        response_id,
        any_value(customer_id) as customer_id,
        any_value(responded_at) as responded_at,
        any_value(nps) as nps,
        any_value(nps_class) as nps_class,
        count(*) as tickets_before,
        max(severity) as severity,
    from recent
    group by response_id
),

final as (
    select
        response_id,
        customer_id,
        responded_at,
        nps,
        nps_class,
        tickets_before,
        case severity
            when 1 then 'first_contact'
            when 2 then 'unknown'
            when 3 then 'not_first_contact'
            when 4 then 'still_open'
            when 5 then 'reopened'
        end as experience,
    from worst
)

select * from final;
