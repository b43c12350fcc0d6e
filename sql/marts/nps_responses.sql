-- one row per NPS answer behind one bar of the mix (a week or month and a split group); none when that group is below min_n
create or replace macro nps_responses(
    date_from := null, date_to := null, segments := null, channels := null, regions := null, min_n := 10,
    grain := 'month', split_by := null, chosen_period := null, chosen_value := null
) as table
with

answers as (
    select *
    from nps_answers(
        date_from := date_from, date_to := date_to,
        segments := segments, channels := channels, regions := regions,
        grain := grain, split_by := split_by
    )
    where period = chosen_period
      and split_value = chosen_value
),

-- the individual answers of a group too small to show as a number are never shown either
shown as (
    select *
    from answers
    qualify count(*) over () >= min_n
),

final as (
    select
        response_id,
        responded_at,
        nps,
        nps_class,
        channel,
        touchpoint,
        segment,
        comment,
    from shown
)

-- detractors first: they are why someone drills this far
select * from final order by nps, responded_at desc, response_id;
