-- one row per NPS answer inside the global filters, with its week or month and the group it is split by
create or replace macro nps_answers(
    date_from := null, date_to := null, segments := null, channels := null, regions := null,
    grain := 'month', split_by := null
) as table
with

responses as (
    select *
    from filtered_responses(
        date_from := date_from, date_to := date_to,
        segments := segments, channels := channels, regions := regions
    )
    where nps is not null
),

-- weeks are ISO weeks (Monday to Sunday, keyed '2026-W28'), months calendar months ('2026-07');
-- the key is what a drill-down writes into the URL
dated as (
    select
        *,
        case
            when grain = 'week' then date_trunc('week', responded_at)
            else date_trunc('month', responded_at)
        end::date as period_start,
        case
            when grain = 'week' then strftime(responded_at, '%G-W%V')
            else strftime(responded_at, '%Y-%m')
        end as period,
    from responses
),

final as (
    select
        *,
        case
            when grain = 'week' then period_start + 6
            else last_day(period_start)
        end as period_end,
        -- the period is cut by the date filter when it starts before or ends after it
        (date_from is not null and period_start < date_from::date)
            or (date_to is not null and period_end > date_to::date) as is_partial,
        -- an answer without the split's value is still counted, as its own group
        coalesce(
            case
                when split_by = 'segment' then segment
                when split_by = 'channel' then channel
                else 'All answers'
            end,
            'Not recorded'
        ) as split_value,
    from dated
)

select * from final;
