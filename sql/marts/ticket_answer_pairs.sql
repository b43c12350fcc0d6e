-- one row per NPS answer of a known customer inside the filters and ticket of that customer opened in the lookback up to it
-- ticket_experience_worst and service_nps_after_tickets read their pairs here. Which tickets can
-- have shaped an answer is sql/staging/ticket_answer_matches.sql; for the page's lookback the
-- pairs are stored (answer_ticket_pairs, sql/schema/011_answer_ticket_pairs.sql) and only the
-- window's are read; another lookback is paired on the fly (the lookback is a constant: only
-- one of the two branches runs). answer_key tells the answers apart.
create or replace macro ticket_answer_pairs(
    date_from := null, date_to := null, segments := null, channels := null, regions := null,
    lookback_days := 90
) as table
with

matches as (
    select *
    from main.answer_ticket_pairs
    where lookback_days = paired_lookback_days()
      and (date_from is null or responded_at >= date_from::date)
      and (date_to is null or responded_at < date_to::date + interval 1 day)
    union all
    select *
    from ticket_answer_matches(lookback_days := lookback_days, first_day := date_from, last_day := date_to)
    where lookback_days <> paired_lookback_days()
),

final as (
    select
        response_id as answer_key,
        response_id,
        customer_id,
        responded_at,
        nps,
        nps_class(nps) as nps_class,
        ticket_id,
        created_at,
        ticket_channel as channel,
        category,
        priority,
        is_resolved,
        is_fcr,
        reopens,
        answer_outcome_rank,
        answer_first,
        first_of_channel,
        first_of_category,
        first_of_priority,
    from matches
    where (segments is null or list_contains(segments, answer_segment))
      and (channels is null or list_contains(channels, answer_channel))
      and (regions is null or list_contains(regions, answer_region))
)

select * from final;
