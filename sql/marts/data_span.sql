-- one row: the first and last day of any response, ticket or journey event, and the data's freshness
create or replace view data_span as
with

days as (
    select min(responded_at) as first_at, max(responded_at) as last_at from main.responses
    union all
    select min(created_at), max(created_at) from main.tickets
    union all
    select min(occurred_at), max(occurred_at) from main.journey_events
),

latest_import as (
    select max(finished_at) as last_import_at
    from main.imports
    where status = 'loaded'
),

final as (
    select
        min(days.first_at)::date as first_day,
        max(days.last_at)::date as last_day,
        (select max(responded_at) from main.responses) as last_response_at,
        (select last_import_at from latest_import) as last_import_at,
    from days
)

select * from final;
