-- one row per demo customer
insert into customers (customer_id, segment, region, plan, signup_date, annual_revenue, churned_on, import_id)
select
    customer_id,
    segment,
    region,
    plan,
    signup_date,
    annual_revenue,
    churned_on,
    $import_id,
from demo_people;
