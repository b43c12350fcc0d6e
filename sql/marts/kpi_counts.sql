-- one row per headline KPI (nps, csat, ces, fcr, churn_rate, revenue_at_risk): the counts its formula needs
create or replace macro kpi_counts(
    date_from := null, date_to := null, segments := null, channels := null, regions := null
) as table
with

responses as (
    select *
    from filtered_responses(
        date_from := date_from, date_to := date_to,
        segments := segments, channels := channels, regions := regions
    )
),

tickets as (
    select *
    from filtered_tickets(
        date_from := date_from, date_to := date_to,
        segments := segments, channels := channels, regions := regions
    )
),

-- churn has no channel: it is filtered by the customer's segment and region only
customers as (
    select *
    from main.customers
    where (segments is null or list_contains(segments, segment))
      and (regions is null or list_contains(regions, region))
),

-- an open-ended filter means the whole span of the data
period as (
    select
        coalesce(date_from::date, (select min(responded_at)::date from main.responses)) as period_start,
        coalesce(date_to::date, (select max(responded_at)::date from main.responses)) as period_end,
),

survey_counts as (
    select
        count(nps) as nps_n,
        count(*) filter (where nps_class = 'promoter') as promoters,
        count(*) filter (where nps_class = 'detractor') as detractors,
        count(csat) as csat_n,
        count(*) filter (where csat_satisfied) as csat_hits,
        count(ces) as ces_n,
        count(*) filter (where ces_easy) as ces_hits,
    from responses
),

fcr_counts as (
    select
        count(is_fcr) as fcr_n,
        count(*) filter (where is_fcr) as fcr_hits,
    from tickets
),

active_at_start as (
    select customers.*
    from customers, period
    where (customers.signup_date is null or customers.signup_date <= period.period_start)
      and (customers.churned_on is null or customers.churned_on >= period.period_start)
),

churn_counts as (
    select
        count(*) as churn_n,
        count(*) filter (where active_at_start.churned_on <= period.period_end) as churn_hits,
    from active_at_start, period
),

latest_nps as (
    select
        customer_id,
        arg_max(nps_class, responded_at::varchar || response_id) as latest_class,
    from responses
    where nps is not null and customer_id is not null
    group by customer_id
),

-- the filters apply through the answers (whose segment may override the customer's);
-- revenue already lost to churn is not at risk any more
at_risk_counts as (
    select
        count(*) as risk_n,
        count(*) filter (where latest_nps.latest_class = 'detractor') as risk_hits,
        coalesce(sum(customers.annual_revenue) filter (where latest_nps.latest_class = 'detractor'), 0) as risk_amount,
    from latest_nps
    inner join main.customers as customers on customers.customer_id = latest_nps.customer_id
    cross join period
    where customers.churned_on is null or customers.churned_on > period.period_end
),

final as (
    select 1 as kpi_order, 'nps' as kpi, nps_n as n, null::bigint as hits, promoters, detractors, null::double as amount
    from survey_counts
    union all
    select 2, 'csat', csat_n, csat_hits, null, null, null from survey_counts
    union all
    select 3, 'ces', ces_n, ces_hits, null, null, null from survey_counts
    union all
    select 4, 'fcr', fcr_n, fcr_hits, null, null, null from fcr_counts
    union all
    select 5, 'churn_rate', churn_n, churn_hits, null, null, null from churn_counts
    union all
    select 6, 'revenue_at_risk', risk_n, risk_hits, null, null, risk_amount::double from at_risk_counts
)

select * from final;
