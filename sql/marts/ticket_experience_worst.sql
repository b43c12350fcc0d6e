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
        response_id,
        customer_id,
        responded_at,
        nps,
        nps_class,
        case
            when reopens > 0 then 5
            when not is_resolved then 4
            when is_fcr = false then 3
            when is_fcr is null then 2
            else 1
        end as severity,
    from ticket_answer_pairs(
        date_from := date_from, date_to := date_to,
        segments := segments, channels := channels, regions := regions,
        lookback_days := lookback_days
    )
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
