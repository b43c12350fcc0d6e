-- one row per NPS answer of a known customer (answered from first_day to last_day; open ends: all) and ticket of that customer opened in the lookback up to it
-- The one place that says which tickets can have shaped an answer: a ticket of the same customer
-- opened at most lookback_days before the answer and not after it. Anonymous answers are left
-- out: whether they had a ticket cannot be known. cxdata/summaries.py stores these pairs for
-- paired_lookback_days() (answer_ticket_pairs); ticket_answer_pairs reads them.
-- customers: a list of customer ids, to pair only theirs (null: all). cxdata/summaries.py re-pairs
-- the customers a write touched with it: a filter on the result is not pushed below the windows
-- (they count per answer), so pairing 1,000 customers of the 10M store took 16 s, all pairs made
-- and dropped; filtered at the scans, 1 s. The list is read once, in `noted` and in a scalar
-- subquery: named in each row's condition, it was carried along with every answer and ticket
-- row into the join (4,000 customers of the 10M store: 2.5 GB, out of memory; now 190 MB).
create or replace macro ticket_answer_matches(
    lookback_days := 90, first_day := null, last_day := null, customers := null
) as table
with

noted as (select unnest(customers) as customer_id),

answers as (
    select response_id, customer_id, responded_at, nps, segment, region, channel,
    from response_facts
    where nps is not null and customer_id is not null
      and ((select customers is null) or customer_id in (select customer_id from noted))
      and (first_day is null or responded_at >= first_day::date)
      and (last_day is null or responded_at < last_day::date + interval 1 day)
),

-- (the date conditions follow from the join's and let the scan skip row groups)
tickets as (
    select ticket_id, customer_id, created_at, channel, category, priority, is_resolved, is_fcr, reopens,
    from ticket_facts
    where customer_id is not null
      and ((select customers is null) or customer_id in (select customer_id from noted))
      and (first_day is null or created_at > first_day::date - to_days(lookback_days::integer))
      and (last_day is null or created_at < last_day::date + interval 1 day)
),

pairs as (
    select
        answers.customer_id,
        answers.response_id,
        answers.responded_at,
        answers.nps,
        answers.segment as answer_segment,
        answers.region as answer_region,
        answers.channel as answer_channel,
        tickets.ticket_id,
        tickets.created_at,
        tickets.channel as ticket_channel,
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
),

-- An answer is counted once, with the worst outcome of all its tickets, and once in each channel,
-- category and priority its tickets have: the pair that counts it is marked (the first by ticket
-- id), so that counting answers is a test of the pair, not a grouping by response id. "Not
-- recorded" is a group of its own, as the page shows it
final as (
    select
        *,
        max(ticket_outcome_rank(reopens, is_resolved, is_fcr)) over (partition by response_id) as answer_outcome_rank,
        row_number() over (partition by response_id order by ticket_id) = 1 as answer_first,
        row_number() over (
            partition by response_id, coalesce(ticket_channel, 'Not recorded') order by ticket_id
        ) = 1 as first_of_channel,
        row_number() over (
            partition by response_id, coalesce(category, 'Not recorded') order by ticket_id
        ) = 1 as first_of_category,
        row_number() over (
            partition by response_id, coalesce(priority, 'Not recorded') order by ticket_id
        ) = 1 as first_of_priority,
    from pairs
)

select * from final;
