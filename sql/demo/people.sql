-- one row per demo customer: the customer's columns, the hidden traits that drive the other
-- demo tables (mood, billing trouble, app use, language), the days they are active, and the
-- slice of the response, ticket and journey numbers that belongs to them
create temp table demo_people as
with

customers as (
    select c from range($customers) as customers(c)
),

drawn as (
    select
        c,
        demo_u($seed, c, 'segment') as u_segment,
        demo_u($seed, c, 'region') as u_region,
        demo_u($seed, c, 'plan') as u_plan,
        demo_u($seed, c, 'signed up before') as u_tenure,
        demo_u($seed, c, 'signup') as u_signup,
        demo_normal($seed, c, 'revenue') as revenue_noise,
        demo_normal($seed, c, 'mood') as mood,
        demo_u($seed, c, 'billing trouble') as u_billing,
        demo_u($seed, c, 'app') as u_app,
        demo_u($seed, c, 'language') as u_language,
        demo_normal($seed, c, 'activity') as activity_noise,
        demo_u($seed, c, 'lifetime') as u_lifetime,
    from customers
),

traits as (
    select
        c,
        demo_pick(['Consumer', 'SMB', 'Mid-Market', 'Enterprise'], [0.55, 0.80, 0.93], u_segment) as segment,
        demo_pick(
            ['Deutschland Nord', 'Deutschland Süd', 'Deutschland West', 'Deutschland Ost', 'Österreich', 'Schweiz'],
            [0.18, 0.42, 0.68, 0.80, 0.92],
            u_region
        ) as region,
        -- some customers signed up before the demo window (since 2015), the rest during it
        case
            when u_tenure < 0.55 then -1 - u_signup * 3200
            else u_signup * ($span_days - 14)
        end as signup_day,
        mood,
        u_plan,
        revenue_noise,
        activity_noise,
        u_lifetime,
        u_app,
        u_language,
        u_billing,
    from drawn
),

described as (
    select
        *,
        case segment
            when 'Consumer' then demo_pick(['Basic', 'Plus', 'Premium'], [0.50, 0.85], u_plan)
            when 'SMB' then demo_pick(['Business', 'Business Pro'], [0.70], u_plan)
            when 'Mid-Market' then demo_pick(['Business Pro', 'Enterprise'], [0.60], u_plan)
            else 'Enterprise'
        end as plan,
        -- stories 2 and 3: customers whose billing goes wrong
        u_billing < case segment when 'SMB' then 0.24 else 0.18 end as billing_trouble,
        u_app < case segment when 'Consumer' then 0.35 when 'SMB' then 0.22 else 0.12 end as app_affine,
        case
            when u_language < case region when 'Schweiz' then 0.35 when 'Österreich' then 0.15 else 0.18 end then 'en'
            else 'de'
        end as language,
        greatest(signup_day, 0) as active_from_day,
        -- yearly churn hazard: higher for unhappy customers and for those with billing trouble
        case segment when 'Consumer' then 0.12 when 'SMB' then 0.10 when 'Mid-Market' then 0.07 else 0.045 end
            * exp(-0.5 * mood + 1.1 * (u_billing < case segment when 'SMB' then 0.24 else 0.18 end)::integer)
            as churn_hazard,
        case segment when 'Consumer' then 1.0 when 'SMB' then 1.6 when 'Mid-Market' then 2.8 else 4.5 end
            * exp(0.6 * activity_noise) as activity,
    from traits
),

lifetimes as (
    select
        *,
        active_from_day - ln(1 - u_lifetime) / churn_hazard * 365.25 as churn_day,
        round(
            case segment when 'Consumer' then 380 when 'SMB' then 5400 when 'Mid-Market' then 46000 else 310000 end
            * case plan when 'Premium' then 1.6 when 'Plus' then 1.2 when 'Business Pro' then 1.5 else 1.0 end
            * exp(0.55 * revenue_noise),
            2
        ) as annual_revenue,
    from described
),

active as (
    select
        *,
        churn_day < $span_days as churned,
        least(churn_day, $span_days) as active_to_day,
    from lifetimes
),

-- integer weights, so the running sums below are exact (as doubles too: they stay far
-- below 2^53) and every run allocates the same rows
weighted as (
    select
        *,
        round((active_to_day - active_from_day) * activity * 100)::bigint as response_weight,
        round((active_to_day - active_from_day) * activity * 100 * (1 + 1.5 * billing_trouble::integer))::bigint
            as ticket_weight,
    from active
),

running as (
    select
        *,
        sum(response_weight) over (order by c rows between unbounded preceding and current row)::double as response_upto,
        sum(ticket_weight) over (order by c rows between unbounded preceding and current row)::double as ticket_upto,
        greatest(sum(response_weight) over (), 1)::double as response_total,
        greatest(sum(ticket_weight) over (), 1)::double as ticket_total,
    from weighted
),

final as (
    select
        c,
        'C' || lpad(c::varchar, 8, '0') as customer_id,
        segment,
        region,
        plan,
        ($start::date + floor(signup_day)::integer) as signup_date,
        annual_revenue,
        case when churned then $start::date + floor(churn_day)::integer end as churned_on,
        mood,
        billing_trouble,
        app_affine,
        language,
        active_from_day,
        active_to_day,
        -- each customer owns the numbers [lo, hi) of every generated table; the bounds are
        -- shares of the running weight, so the totals come out exactly as asked (the last
        -- share is exactly 1.0) and, being plain IEEE arithmetic, the same on every run
        floor((response_upto - response_weight) / response_total * $responses)::bigint as response_lo,
        floor(response_upto / response_total * $responses)::bigint as response_hi,
        floor((response_upto - response_weight) / response_total * $journeys)::bigint as journey_lo,
        floor(response_upto / response_total * $journeys)::bigint as journey_hi,
        floor((ticket_upto - ticket_weight) / ticket_total * $tickets)::bigint as ticket_lo,
        floor(ticket_upto / ticket_total * $tickets)::bigint as ticket_hi,
    from running
)

select * from final;
