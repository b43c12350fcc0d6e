-- one row per segment, region, signup date and churn date of the customers, with how many have them: what customer_date_counts must hold
-- The one derivation of the stored customer counts (cxdata/summaries.py writes them and checks them with it).
create or replace macro customer_date_summary() as table
select
    segment,
    region,
    signup_date,
    churned_on,
    count(*) as customers,
from main.customers
group by all;
