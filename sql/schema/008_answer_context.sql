-- Each answer carries what its customer record says about revenue and churn
-- (fact_customer_known, fact_annual_revenue, fact_churned_on) and the moment its customer gave
-- their next NPS answer (next_nps_at; null for the latest, and for answers without an NPS or a
-- customer). The table is rewritten in date order with them.
--
-- Why: revenue at risk sums the revenue of customers whose latest answer of a period is a
-- detractor and who had not churned by its end. Asked of the rows as they were, every Overview
-- query grouped the period's answers by customer and joined the result to all customers: two
-- thirds of its time at 10M answers (BENCHMARKS.md). An answer is its customer's latest of a
-- period exactly when the next one falls after the period, so with next_nps_at it is a filter
-- on the rows, and the revenue and churn date are on the row. cxdata/layout.py keeps all four
-- in step with the customers table and with the other answers.

create table responses_008 (
    response_id  varchar not null,
    customer_id  varchar,
    responded_at timestamp not null,
    survey       varchar,
    channel      varchar,
    touchpoint   varchar,
    segment      varchar,
    region       varchar,
    nps          tinyint check (nps between 0 and 10),
    csat         tinyint check (csat between 1 and 5),
    ces          tinyint check (ces between 1 and 7),
    comment      varchar,
    language     varchar,
    import_id    bigint,
    -- a response's own segment and region override its customer's
    fact_segment varchar,
    fact_region  varchar,
    fact_customer_known boolean,
    fact_annual_revenue decimal(14, 2),
    fact_churned_on     date,
    next_nps_at  timestamp
);

insert into responses_008
select
    responses.*,
    customers.customer_id is not null,
    customers.annual_revenue,
    customers.churned_on,
    -- the same order as "latest" everywhere: responded_at, then the greater response_id
    case when responses.nps is not null and responses.customer_id is not null then
        lead(responses.responded_at) over (
            partition by responses.customer_id, responses.nps is not null
            order by responses.responded_at, responses.response_id
        )
    end,
from responses
left join customers on customers.customer_id = responses.customer_id
order by responses.responded_at;

drop table responses;
alter table responses_008 rename to responses;
