-- one row per NPS answer of a known customer inside the filters that followed at least one ticket: the tickets and
-- the worst outcome among them
create or replace macro ticket_experience_worst(
    date_from := null, date_to := null, segments := null, channels := null, regions := null,
    lookback_days := 90
) as table
with

-- each answer with the tickets that can have shaped it
recent as (
    select
        answer_key,
        response_id,
        customer_id,
        responded_at,
        nps,
        nps_class,
        -- the worst outcome among all the answer's tickets, found once where the pairs are
        -- (sql/staging/ticket_answer_matches.sql)
        answer_outcome_rank,
    from ticket_answer_pairs(
        date_from := date_from, date_to := date_to,
        segments := segments, channels := channels, regions := regions,
        lookback_days := lookback_days
    )
),

-- the worst outcome wins when a customer had several tickets
worst as (
    select
        any_value(response_id) as response_id,
        any_value(customer_id) as customer_id,
        any_value(responded_at) as responded_at,
        any_value(nps) as nps,
        any_value(nps_class) as nps_class,
        count(*) as tickets_before,
        any_value(answer_outcome_rank) as outcome_rank,
    from recent
    group by answer_key
),

final as (
    select
        response_id,
        customer_id,
        responded_at,
        nps,
        nps_class,
        tickets_before,
        ticket_experience_name(outcome_rank) as experience,
    from worst
)

select * from final;
