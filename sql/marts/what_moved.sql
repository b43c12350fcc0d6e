-- one row per segment, channel and touchpoint answered in either period: its NPS now and before, the change and its 95 % significance
create or replace macro what_moved(
    date_from, date_to, previous_from, previous_to,
    segments := null, channels := null, regions := null, min_n := 10
) as table
with

-- NPS counts add up over days: summed from the stored day counts
-- (sql/schema/010_response_day_counts.sql)
days as (
    select true as is_current, segment, channel, touchpoint, nps_n, promoters, detractors
    from filtered_response_days(
        date_from := date_from, date_to := date_to,
        segments := segments, channels := channels, regions := regions
    )
    where nps_n > 0
    union all
    select false, segment, channel, touchpoint, nps_n, promoters, detractors
    from filtered_response_days(
        date_from := previous_from, date_to := previous_to,
        segments := segments, channels := channels, regions := regions
    )
    where nps_n > 0
),

-- the few combinations of the dimensions first, so that each dimension's groups add up a small table
mix as (
    select
        is_current,
        segment,
        channel,
        touchpoint,
        sum(nps_n) as nps_n,
        sum(promoters) as promoters,
        sum(detractors) as detractors,
    from days
    group by is_current, segment, channel, touchpoint
),

-- each answer counts once in each dimension it has a value for
by_group as (
    select 1 as dimension_order, 'segment' as dimension, segment as value, is_current, nps_n, promoters, detractors from mix where segment is not null
    union all
    select 2, 'channel', channel, is_current, nps_n, promoters, detractors from mix where channel is not null
    union all
    select 3, 'touchpoint', touchpoint, is_current, nps_n, promoters, detractors from mix where touchpoint is not null
),

counted as (
    select
        dimension_order,
        dimension,
        value,
        coalesce(sum(nps_n) filter (where is_current), 0)::bigint as n,
        coalesce(sum(promoters) filter (where is_current), 0)::bigint as promoters,
        coalesce(sum(detractors) filter (where is_current), 0)::bigint as detractors,
        coalesce(sum(nps_n) filter (where not is_current), 0)::bigint as previous_n,
        coalesce(sum(promoters) filter (where not is_current), 0)::bigint as previous_promoters,
        coalesce(sum(detractors) filter (where not is_current), 0)::bigint as previous_detractors,
    from by_group
    group by dimension_order, dimension, value
),

compared as (
    select
        *,
        suppressed_below(n, min_n) as suppressed,
        suppressed_below(previous_n, min_n) as previous_suppressed,
        nps_score(promoters, detractors, n) as raw_nps,
        nps_score(previous_promoters, previous_detractors, previous_n) as raw_previous_nps,
        nps_change_z(promoters, detractors, n, previous_promoters, previous_detractors, previous_n) as raw_z,
    from counted
),

final as (
    select
        dimension_order,
        dimension,
        value,
        n,
        suppressed,
        case when not suppressed then raw_nps end as nps,
        previous_n,
        previous_suppressed,
        case when not previous_suppressed then raw_previous_nps end as previous_nps,
        -- a change is only stated when both periods are large enough to show
        case when not suppressed and not previous_suppressed then raw_nps - raw_previous_nps end as change,
        case when not suppressed and not previous_suppressed then raw_z end as z,
        case when not suppressed and not previous_suppressed and raw_z is not null then abs(raw_z) > 1.96 end as significant,
    from compared
)

select * from final order by significant desc nulls last, abs(change) desc nulls last, dimension_order, value;
