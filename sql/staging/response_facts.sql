-- one row per survey response, with the segment and region that apply to it and its classes
create or replace view response_facts as
with

responses as (
    select * from main.responses
),

customers as (
    select customer_id, segment, region from main.customers
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
        coalesce(responses.segment, customers.segment) as segment,
        coalesce(responses.region, customers.region) as region,
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
    left join customers on customers.customer_id = responses.customer_id
    left join touchpoints on touchpoints.touchpoint = responses.touchpoint
)

select * from final;
