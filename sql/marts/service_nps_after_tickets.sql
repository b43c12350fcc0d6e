-- one row per ticket experience (no ticket, resolved at first contact, …) and per group of the chosen ticket dimension: the NPS of the answers behind it
-- The Service page's two "NPS after a ticket" charts from one pairing of answers with tickets (ticket_answer_pairs):
-- pairing is most of the work, so it is done once for both. breakdown 'experience' rows classify every answer by
-- the worst outcome of its tickets (no ticket when it had none); breakdown 'group' rows count an answer once in each
-- channel, category or priority (dimension) of its tickets, so an answer can count in several groups.
create or replace macro service_nps_after_tickets(
    date_from := null, date_to := null, segments := null, channels := null, regions := null, min_n := 10,
    dimension := 'category', lookback_days := 90
) as table
with

-- anonymous answers are left out: whether they had a ticket cannot be known. The answers that
-- carry a customer id are counted per day, segment, region, channel and touchpoint in the stored
-- day counts (sql/schema/017_identified_day_counts.sql): summed, not counted row by row
answered as (
    select
        coalesce(sum(identified_nps_n), 0)::bigint as n,
        coalesce(sum(identified_promoters), 0)::bigint as promoters,
        coalesce(sum(identified_detractors), 0)::bigint as detractors,
    from filtered_response_days(
        date_from := date_from, date_to := date_to,
        segments := segments, channels := channels, regions := regions
    )
),

-- the window's pairs; each answer's worst outcome and the pairs that count it once are stored with
-- them (sql/staging/ticket_answer_matches.sql), so nothing below groups by answer
pairs as not materialized (
    select *
    from ticket_answer_pairs(
        date_from := date_from, date_to := date_to,
        segments := segments, channels := channels, regions := regions,
        lookback_days := lookback_days
    )
),

-- the worst outcome wins when a customer had several tickets. The answer's score is carried and
-- classed only when counted (nps_class): cheaper than its class as text
answers_after_tickets as (
    select
        nps,
        ticket_experience_name(answer_outcome_rank) as experience,
    from pairs
    where answer_first
),

after_tickets as (
    select
        experience,
        count(*) as n,
        count(*) filter (where nps_class(nps) = 'promoter') as promoters,
        count(*) filter (where nps_class(nps) = 'detractor') as detractors,
    from answers_after_tickets
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

by_experience as (
    select
        'experience' as breakdown,
        experiences.experience_order,
        experiences.experience as value,
        coalesce(counted.n, 0)::bigint as n,
        coalesce(counted.promoters, 0)::bigint as promoters,
        coalesce(counted.detractors, 0)::bigint as detractors,
    from experiences
    left join (
        select * from after_tickets
        union all
        select * from no_ticket
    ) as counted on counted.experience = experiences.experience
    -- "outcome unknown" only appears when some tickets lack replies or reopens
    where experiences.experience <> 'unknown' or counted.n > 0
),

-- an answer counts once in each group of its tickets: at the pair marked first in that group
by_group as (
    select
        'group' as breakdown,
        null::integer as experience_order,
        coalesce(
            case dimension
                when 'channel' then channel
                when 'category' then category
                when 'priority' then priority
            end,
            'Not recorded'
        ) as value,
        count(*) as n,
        count(*) filter (where nps_class(nps) = 'promoter') as promoters,
        count(*) filter (where nps_class(nps) = 'detractor') as detractors,
    from pairs
    where case dimension
        when 'channel' then first_of_channel
        when 'category' then first_of_category
        when 'priority' then first_of_priority
    end
    group by all
),

counted as (
    select * from by_experience
    union all
    select * from by_group
),

-- customers without a ticket are the baseline every experience is compared with
baseline as (
    select promoters, detractors, n from by_experience where value = 'no_ticket'
),

final as (
    select
        counted.breakdown,
        counted.experience_order,
        counted.value,
        counted.n,
        counted.promoters,
        counted.detractors,
        suppressed_below(counted.n, min_n) as suppressed,
        case when not suppressed_below(counted.n, min_n)
            then nps_score(counted.promoters, counted.detractors, counted.n) end as nps,
        case when not suppressed_below(counted.n, min_n)
            then nps_margin(counted.promoters, counted.detractors, counted.n) end as margin_of_error,
        case when counted.breakdown = 'experience' and counted.value <> 'no_ticket'
            and not suppressed_below(counted.n, min_n) and not suppressed_below(baseline.n, min_n)
            then nps_change_z(
                counted.promoters, counted.detractors, counted.n,
                baseline.promoters, baseline.detractors, baseline.n
            )
        end as z_vs_no_ticket,
    from counted
    cross join baseline
)

select * from final;
