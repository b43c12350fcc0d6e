-- one row per ticket experience (no ticket, resolved at first contact, …): the NPS of the answers behind it
create or replace macro service_nps_by_experience(
    date_from := null, date_to := null, segments := null, channels := null, regions := null, min_n := 10,
    lookback_days := 90
) as table
with

answers as (
    select *
    from ticket_experience(
        date_from := date_from, date_to := date_to,
        segments := segments, channels := channels, regions := regions,
        lookback_days := lookback_days
    )
),

experiences as (
    select * from (values
        (1, 'no_ticket'),
        (2, 'first_contact'),
        (3, 'not_first_contact'),
        (4, 'reopened'),
        (5, 'still_open'),
        (6, 'unknown')
    ) as experiences(experience_order, experience)
),

counted as (
    select
        experiences.experience_order,
        experiences.experience,
        count(answers.nps) as n,
        count(*) filter (where answers.nps_class = 'promoter') as promoters,
        count(*) filter (where answers.nps_class = 'detractor') as detractors,
    from experiences
    left join answers on answers.experience = experiences.experience
    group by experiences.experience_order, experiences.experience
),

-- customers without a ticket are the baseline every other experience is compared with
baseline as (
    select promoters, detractors, n from counted where experience = 'no_ticket'
),

final as (
    select
        counted.experience_order,
        counted.experience,
        counted.n,
        counted.promoters,
        counted.detractors,
        suppressed_below(counted.n, min_n) as suppressed,
        case when not suppressed_below(counted.n, min_n)
            then nps_score(counted.promoters, counted.detractors, counted.n) end as nps,
        case when not suppressed_below(counted.n, min_n)
            then nps_margin(counted.promoters, counted.detractors, counted.n) end as margin_of_error,
        case when counted.experience <> 'no_ticket'
            and not suppressed_below(counted.n, min_n) and not suppressed_below(baseline.n, min_n)
            then nps_change_z(
                counted.promoters, counted.detractors, counted.n,
                baseline.promoters, baseline.detractors, baseline.n
            )
        end as z_vs_no_ticket,
    from counted
    cross join baseline
    -- "outcome unknown" only appears when some tickets lack replies or reopens
    where counted.experience <> 'unknown' or counted.n > 0
)

select * from final order by experience_order;
