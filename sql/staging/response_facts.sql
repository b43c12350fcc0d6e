-- one row per survey response, with the segment and region that apply to it and its classes
-- (stored on the row: cxdata/layout.py keeps the fact_ columns and next_nps_at in step)
create or replace view response_facts as
with

responses as (
    select * from main.responses
),

touchpoints as (
    select touchpoint, stage, position, moment_of_truth from main.touchpoints
),

final as (
    select
        responses.response_id,
        responses.customer_id,
        responses.responded_at,
        responses.survey,
        responses.channel,
        responses.touchpoint,
        touchpoints.stage,
        touchpoints.position as touchpoint_position,
        touchpoints.moment_of_truth,
        -- a response's own segment and region override the customer's
        responses.fact_segment as segment,
        responses.fact_region as region,
        responses.nps,
        responses.csat,
        responses.ces,
        nps_class(responses.nps) as nps_class,
        responses.csat >= 4 as csat_satisfied,
        responses.ces >= 5 as ces_easy,
        -- what the customer record says, and when the customer answered next (cxdata/layout.py)
        responses.fact_customer_known as customer_known,
        responses.fact_annual_revenue as customer_annual_revenue,
        responses.fact_churned_on as customer_churned_on,
        responses.next_nps_at,
        responses.comment,
        responses.language,
        responses.import_id,
    from responses
    left join touchpoints on touchpoints.touchpoint = responses.touchpoint
)

select * from final;
