-- one row per journey touchpoint: the NPS of customers whose journeys passed through it against customers
-- whose journeys did not
create or replace macro journey_touchpoint_nps(
    date_from := null, date_to := null, segments := null, channels := null, regions := null, min_n := 10
) as table
with

events as (
    select customer_id
    from filtered_journey_events(
        date_from := date_from, date_to := date_to,
        segments := segments, channels := channels, regions := regions
    )
    where customer_id is not null
),

responses as (
    select *
    from filtered_responses(
        date_from := date_from, date_to := date_to,
        segments := segments, channels := channels, regions := regions
    )
    -- an anonymous answer cannot be linked to a journey: it belongs to neither group
    where nps is not null
      and customer_id is not null
),

per_customer as (
    select
        customer_id,
        count(*) as answers,
        count(*) filter (where nps_class = 'promoter') as promoters,
        count(*) filter (where nps_class = 'detractor') as detractors,
    from responses
    group by customer_id
),

passed as (
    select touchpoint, customer_id
    from journey_touchpoint_customers(
        date_from := date_from, date_to := date_to,
        segments := segments, channels := channels, regions := regions
    )
),

-- the comparison group is customers on a journey in the filters: a customer without journey
-- data says nothing about a touchpoint (and answers differently for reasons of their own).
-- Read from the events, not from every touchpoint's customers, so that the customers of the one
-- touchpoint asked about are all that is paired up
travellers as (
    select distinct customer_id from events
),

everyone as (
    select
        count(*) as customers,
        coalesce(sum(per_customer.answers), 0) as answers,
        coalesce(sum(per_customer.promoters), 0) as promoters,
        coalesce(sum(per_customer.detractors), 0) as detractors,
    from travellers
    inner join per_customer on per_customer.customer_id = travellers.customer_id
),

through as (
    select
        passed.touchpoint,
        count(per_customer.customer_id) as customers,
        coalesce(sum(per_customer.answers), 0) as answers,
        coalesce(sum(per_customer.promoters), 0) as promoters,
        coalesce(sum(per_customer.detractors), 0) as detractors,
    from passed
    left join per_customer on per_customer.customer_id = passed.customer_id
    group by passed.touchpoint
),

compared as (
    select
        through.touchpoint,
        through.customers as through_customers,
        through.answers as through_n,
        through.promoters as through_promoters,
        through.detractors as through_detractors,
        everyone.customers - through.customers as other_customers,
        everyone.answers - through.answers as other_n,
        everyone.promoters - through.promoters as other_promoters,
        everyone.detractors - through.detractors as other_detractors,
    from through
    cross join everyone
),

flagged as (
    select
        *,
        suppressed_below(through_n, min_n) as through_suppressed,
        suppressed_below(other_n, min_n) as other_suppressed,
    from compared
),

final as (
    select
        touchpoint,
        through_customers,
        through_n,
        case when not through_suppressed then nps_score(through_promoters, through_detractors, through_n) end as through_nps,
        case when not through_suppressed then nps_margin(through_promoters, through_detractors, through_n) end as through_margin,
        through_suppressed,
        other_customers,
        other_n,
        case when not other_suppressed then nps_score(other_promoters, other_detractors, other_n) end as other_nps,
        case when not other_suppressed then nps_margin(other_promoters, other_detractors, other_n) end as other_margin,
        other_suppressed,
        case when not through_suppressed and not other_suppressed then
            nps_score(through_promoters, through_detractors, through_n)
            - nps_score(other_promoters, other_detractors, other_n)
        end as difference,
        case when not through_suppressed and not other_suppressed then nps_change_z(
            through_promoters, through_detractors, through_n,
            other_promoters, other_detractors, other_n
        ) end as z,
        case when not through_suppressed and not other_suppressed then abs(nps_change_z(
            through_promoters, through_detractors, through_n,
            other_promoters, other_detractors, other_n
        )) > 1.96 end as significant,
    from flagged
)

select * from final;
