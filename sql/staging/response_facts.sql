-- one row per survey response, with the segment and region that apply to it and its classes
-- (stored on the row: cxdata/layout.py keeps the fact_ columns, next_nps_at and nps_moment_rank in step).
-- No join to the touchpoint list: no mart reads a touchpoint's stage per answer (those that show
-- it join the list after counting), and the join cost every scan of the answers. response_row
-- tells the answers of one query apart (their place in the table): cheaper to group by than the
-- text id, and unlike a row_number() it leaves the scan parallel
create or replace view response_facts as
with

responses as (
    select *, rowid as response_row from main.responses
),

final as (
    select
        responses.response_id,
        responses.response_row,
        responses.customer_id,
        responses.responded_at,
        responses.survey,
        responses.channel,
        responses.touchpoint,
        -- a response's own segment and region override the customer's
        responses.fact_segment as segment,
        responses.fact_region as region,
        responses.nps,
        responses.csat,
        responses.ces,
        nps_class(responses.nps) as nps_class,
        responses.csat >= 4 as csat_satisfied,
        responses.ces >= 5 as ces_easy,
        -- what the customer record says, when the customer answered next, and the answer's place
        -- among the customer's answers at the same moment (cxdata/layout.py)
        responses.fact_customer_known as customer_known,
        responses.fact_customer_no as customer_no,
        responses.fact_annual_revenue as customer_annual_revenue,
        responses.fact_churned_on as customer_churned_on,
        responses.next_nps_at,
        responses.nps_moment_rank,
        responses.comment,
        responses.language,
        responses.import_id,
    from responses
)

select * from final;
