-- one row per touchpoint answered about in the filters: its answers and comments, suppressed below min_n answers
create or replace macro touchpoint_answers(
    date_from := null, date_to := null, segments := null, channels := null, regions := null, min_n := 10
) as table
with

responses as (
    select *
    from filtered_responses(
        date_from := date_from, date_to := date_to,
        segments := segments, channels := channels, regions := regions
    )
    where touchpoint is not null
),

touchpoints as (
    select touchpoint, stage, position, moment_of_truth from main.touchpoints
),

counted as (
    select
        touchpoint,
        count(*) as n,
        count(*) filter (where nullif(trim(comment), '') is not null) as comments,
    from responses
    group by touchpoint
),

final as (
    select
        counted.touchpoint,
        touchpoints.stage,
        touchpoints.position,
        touchpoints.moment_of_truth,
        counted.n,
        -- how many wrote something is itself shown only for a group large enough
        case when not suppressed_below(counted.n, min_n) then counted.comments end as comments,
        suppressed_below(counted.n, min_n) as suppressed,
    from counted
    left join touchpoints on touchpoints.touchpoint = counted.touchpoint
)

select * from final;
