-- one row per rated attribute (a touchpoint or any other rated aspect): how much it matters and how well it does
create or replace macro importance_performance(
    date_from := null, date_to := null, segments := null, channels := null, regions := null, min_n := 10
) as table
with

responses as (
    select response_id, nps
    from filtered_responses(
        date_from := date_from, date_to := date_to,
        segments := segments, channels := channels, regions := regions
    )
),

-- a rating carries its response's date: the window is read without probing every rating
ratings as (
    select *
    from main.response_ratings
    where (date_from is null or responded_at >= date_from::date)
      and (date_to is null or responded_at < date_to::date + interval 1 day)
),

touchpoints as (
    select touchpoint, stage, position, moment_of_truth from main.touchpoints
),

rated as (
    select
        ratings.attribute,
        ratings.rating,
        ratings.scale_min,
        ratings.scale_max,
        -- ratings come on different scales: 0–100 % of its own scale makes them comparable
        100.0 * (ratings.rating - ratings.scale_min) / (ratings.scale_max - ratings.scale_min) as rating_pct,
        responses.nps,
    from ratings
    inner join responses on responses.response_id = ratings.response_id
),

scored as (
    select
        attribute,
        count(*) as rating_n,
        avg(rating_pct) as raw_performance,
        avg(rating) as raw_mean_rating,
        min(scale_min) as scale_min,
        max(scale_max) as scale_max,
        -- pairs with both a rating and an NPS answer: the base of the correlation
        regr_count(rating, nps) as n,
        -- corr() is NaN when either side does not vary: no relation can be measured then
        nullif(corr(rating, nps), 'nan'::double) as raw_importance,
    from rated
    group by attribute
),

flagged as (
    select
        *,
        suppressed_below(n, min_n) or raw_importance is null as suppressed,
    from scored
),

with_interval as (
    select
        *,
        -- 95 % interval of a Pearson correlation through Fisher's z: tanh(atanh(r) ± 1.96 / sqrt(n − 3))
        case when not suppressed and n > 3 and abs(raw_importance) < 1
            then tanh(atanh(raw_importance) - 1.96 / sqrt(n - 3)) end as raw_importance_lower,
        case when not suppressed and n > 3 and abs(raw_importance) < 1
            then tanh(atanh(raw_importance) + 1.96 / sqrt(n - 3)) end as raw_importance_upper,
    from flagged
),

-- the quadrant lines: medians over the attributes that are shown
medians as (
    select
        median(raw_importance) as median_importance,
        median(raw_performance) as median_performance,
    from flagged
    where not suppressed
),

final as (
    select
        with_interval.attribute,
        touchpoints.touchpoint is not null as is_touchpoint,
        touchpoints.stage,
        touchpoints.position,
        touchpoints.moment_of_truth,
        with_interval.n,
        with_interval.rating_n,
        case when not with_interval.suppressed then with_interval.raw_importance end as importance,
        with_interval.raw_importance_lower as importance_lower,
        with_interval.raw_importance_upper as importance_upper,
        case when not with_interval.suppressed then with_interval.raw_performance end as performance,
        case when not with_interval.suppressed then with_interval.raw_mean_rating end as mean_rating,
        with_interval.scale_min,
        with_interval.scale_max,
        medians.median_importance,
        medians.median_performance,
        case
            when with_interval.suppressed then null
            when with_interval.raw_importance >= medians.median_importance
                and with_interval.raw_performance < medians.median_performance then 'Fix first'
            when with_interval.raw_importance >= medians.median_importance then 'Keep up'
            when with_interval.raw_performance < medians.median_performance then 'Low priority'
            else 'Possible overkill'
        end as quadrant,
        with_interval.suppressed,
    from with_interval
    cross join medians
    left join touchpoints on touchpoints.touchpoint = with_interval.attribute
)

select * from final;
