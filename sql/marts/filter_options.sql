-- one row per filter dimension (segment, channel, region) and value found in the data
create or replace view filter_options as
with

-- a response's effective segment is its own or its customer's, so the values of both
-- columns are exactly the choices; reading them without the join keeps this cheap
segments as (
    select distinct 'segment' as dimension, segment as value from main.responses where segment is not null
    union
    select distinct 'segment', segment from main.customers where segment is not null
),

channels as (
    select distinct 'channel' as dimension, channel as value from main.responses where channel is not null
    union
    select distinct 'channel', channel from main.tickets where channel is not null
    union
    select distinct 'channel', channel from main.journey_events where channel is not null
),

regions as (
    select distinct 'region' as dimension, region as value from main.responses where region is not null
    union
    select distinct 'region', region from main.customers where region is not null
),

final as (
    select * from segments
    union all
    select * from channels
    union all
    select * from regions
)

select * from final;
