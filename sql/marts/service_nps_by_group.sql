-- one row per group of the chosen ticket dimension: the NPS of answers from customers who had such a ticket before answering
create or replace macro service_nps_by_group(
    date_from := null, date_to := null, segments := null, channels := null, regions := null, min_n := 10,
    dimension := 'category', lookback_days := 90
) as table
with

-- an answer counts once per group, however many tickets of that group came before it
answer_groups as (
    select distinct
        response_id,
        nps_class,
        coalesce(
            case dimension
                when 'channel' then channel
                when 'category' then category
                when 'priority' then priority
            end,
            'Not recorded'
        ) as group_value,
    from ticket_answer_pairs(
        date_from := date_from, date_to := date_to,
        segments := segments, channels := channels, regions := regions,
        lookback_days := lookback_days
    )
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
