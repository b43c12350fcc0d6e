-- one row per ticket experience (no ticket, resolved at first contact, …): the NPS of the answers behind it
create or replace macro service_nps_by_experience(
    date_from := null, date_to := null, segments := null, channels := null, regions := null, min_n := 10,
    lookback_days := 90
) as table
with

-- anonymous answers are left out: whether they had a ticket cannot be known
answered as (
    select
        count(*) as n,
        count(*) filter (where nps_class = 'promoter') as promoters,
        count(*) filter (where nps_class = 'detractor') as detractors,
    from filtered_responses(
        date_from := date_from, date_to := date_to,
        segments := segments, channels := channels, regions := regions
    )
    where nps is not null and customer_id is not null
),

-- the answers that followed a ticket, as ticket_experience classifies them
after_tickets as (
    select
        experience,
        count(*) as n,
        count(*) filter (where nps_class = 'promoter') as promoters,
        count(*) filter (where nps_class = 'detractor') as detractors,
    from ticket_experience_worst(
        date_from := date_from, date_to := date_to,
        segments := segments, channels := channels, regions := regions,
        lookback_days := lookback_days
    )
    group by experience
),

-- every other answer followed no ticket: counted as the rest, without matching each answer again
no_ticket as (
    select
        'no_ticket' as experience,
        answered.n - coalesce(sum(after_tickets.n), 0) as n,
        answered.promoters - coalesce(sum(after_tickets.promoters), 0) as promoters,
        answered.detractors - coalesce(sum(after_tickets.detractors), 0) as detractors,
    from answered
    left join after_tickets on true
    group by answered.n, answered.promoters, answered.detractors
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
        coalesce(by_experience.n, 0)::bigint as n,
        coalesce(by_experience.promoters, 0)::bigint as promoters,
        coalesce(by_experience.detractors, 0)::bigint as detractors,
    from experiences
    left join (
        select * from after_tickets
        union all
        select * from no_ticket
    ) as by_experience on by_experience.experience = experiences.experience
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
