-- one row per group of the chosen ticket dimension: the NPS of answers from customers who had such a ticket before answering
create or replace macro service_nps_by_group(
    date_from := null, date_to := null, segments := null, channels := null, regions := null, min_n := 10,
    dimension := 'category', lookback_days := 90
) as table
with

answers as (
    select response_id, customer_id, responded_at, nps, nps_class
    from filtered_responses(
        date_from := date_from, date_to := date_to,
        segments := segments, channels := channels, regions := regions
    )
    where nps is not null and customer_id is not null
),

-- the same window as ticket_experience: tickets of any channel opened before the answer, bounded
-- by the lookback before the first day and the last day
tickets as (
    select
        customer_id,
        created_at,
        coalesce(
            case dimension
                when 'channel' then channel
                when 'category' then category
                when 'priority' then priority
            end,
            'Not recorded'
        ) as group_value,
    from ticket_facts
    where customer_id is not null
      and (date_from is null or created_at > date_from::date - to_days(lookback_days::integer))
      and (date_to is null or created_at < date_to::date + interval 1 day)
),

-- an answer counts once per group, however many tickets of that group came before it
answer_groups as (
    select distinct
        answers.response_id,
        answers.nps_class,
        tickets.group_value,
    from answers
    inner join tickets
        on tickets.customer_id = answers.customer_id
        and tickets.created_at <= answers.responded_at
        and tickets.created_at > answers.responded_at - to_days(lookback_days::integer)
),

counted as (
    select
        group_value,
        count(*) as n,
        count(*) filter (where nps_class = 'promoter') as promoters,
        count(*) filter (where nps_class = 'detractor') as detractors,
    from answer_groups
    group by group_value
),

final as (
    select
        group_value,
        n,
        promoters,
        detractors,
        suppressed_below(n, min_n) as suppressed,
        case when not suppressed_below(n, min_n) then nps_score(promoters, detractors, n) end as nps,
        case when not suppressed_below(n, min_n) then nps_margin(promoters, detractors, n) end as margin_of_error,
    from counted
)

select * from final;
