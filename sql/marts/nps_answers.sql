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
        trend_period_start(responded_at, grain) as period_start,
        trend_period_label(responded_at, grain) as period,
    from responses
),

final as (
    select
        *,
        trend_period_end(period_start, grain) as period_end,
        trend_period_cut(period_start, grain, date_from, date_to) as is_partial,
        -- an answer without the split's value is still counted, as its own group
        trend_split_value(split_by, segment, channel) as split_value,
    from dated
)

select * from final;
