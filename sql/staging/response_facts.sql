-- one row per survey response, with the segment and region that apply to it and its classes
-- (stored on the row: cxdata/layout.py keeps fact_segment and fact_region in step with customers)
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
        case
            when responses.nps >= 9 then 'promoter'
            when responses.nps >= 7 then 'passive'
            when responses.nps >= 0 then 'detractor'
        end as nps_class,
        responses.csat >= 4 as csat_satisfied,
        responses.ces >= 5 as ces_easy,
        responses.comment,
        responses.language,
        responses.import_id,
    from responses
    left join touchpoints on touchpoints.touchpoint = responses.touchpoint
)

select * from final;
