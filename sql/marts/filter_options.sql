-- one row per filter dimension (segment, channel, region) and value found in the data
create or replace view filter_options as
with

-- A response's effective segment is its own or its customer's, so the values of both columns
-- are exactly the choices; reading them without the join keeps this cheap. Each column's
-- distinct values are found on the column alone: a constant dimension label in the same
-- distinct doubles the work over tens of millions of journey events.
segments as (
    select distinct segment as value from main.responses where segment is not null
    union
    select distinct segment from main.customers where segment is not null
),

channels as (
    select distinct channel as value from main.responses where channel is not null
    union
    select distinct channel from main.tickets where channel is not null
    union
    select distinct channel from main.journey_events where channel is not null
),

regions as (
    select distinct region as value from main.responses where region is not null
    union
    select distinct region from main.customers where region is not null
),

final as (
    select 'segment' as dimension, value from segments
    union all
    select 'channel', value from channels
    union all
    select 'region', value from regions
)

select * from final;
