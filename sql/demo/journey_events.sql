-- one row per demo journey event: a journey walks the touchpoints from the stage it enters
-- at, in position order, skipping some, ends early at its first abandoned step, and now and
-- then comes back to a touchpoint
insert into journey_events (
    event_id, journey_id, customer_id, occurred_at, stage, touchpoint, channel, emotion, outcome, import_id,
    fact_segment, fact_region, previous_visit_at, next_visit_at
)
with

people as (
    select * from demo_people where journey_hi > journey_lo
),

catalogue as (
    select * from demo_touchpoint_catalogue
),

stage_starts as (
    select stage_rank, min(position) as first_position from catalogue group by stage_rank
),

numbered as (
    select
        people.*,
        unnest(generate_series(people.journey_lo, people.journey_hi - 1)) as j,
    from people
),

journeys as (
    select
        numbered.*,
        'J' || lpad(j::varchar, 9, '0') as journey_id,
        -- awareness, consideration, purchase or service: where the journey starts
        demo_pick([1, 2, 3, 4], [0.35, 0.50, 0.65], demo_u($seed, j, 'entry')) as entry_rank,
        demo_u($seed, j, 'day') as u_day,
        demo_u($seed, j, 'hour') as u_hour,
        -- hours between two steps
        least(96, 18 * exp(0.8 * demo_normal($seed, j, 'pace'))) as step_hours,
    from numbered
),

started as (
    select
        journeys.*,
        stage_starts.first_position,
        $start::timestamp + to_seconds(
            floor(demo_seasonal_day(active_from_day, active_to_day, u_day, $peak_day)) * 86400 + 25200 + 46800 * u_hour
        ) as started_at,
    from journeys
    inner join stage_starts on stage_starts.stage_rank = journeys.entry_rank
),

-- every step a journey takes, before the cut at abandonment; used twice, and cheaper to
-- compute twice than to hold in memory
steps as not materialized (
    select
        started.*,
        catalogue.touchpoint,
        catalogue.stage,
        catalogue.position,
        catalogue.emotion_mean,
        catalogue.channel_count,
        catalogue.channel_1,
        catalogue.channel_2,
        catalogue.channel_3,
        catalogue.has_app,
        j * 32 + catalogue.position as step_key,
        demo_u($seed, j * 32 + catalogue.position, 'abandon') < catalogue.abandon_p as abandons,
    from started
    inner join catalogue on catalogue.stage_rank >= started.entry_rank
    where demo_u($seed, j * 32 + catalogue.position, 'visit') < case
        -- story 2: customers with billing trouble go through invoicing far more often
        when catalogue.touchpoint = 'Invoice & billing' then case when billing_trouble then 0.75 else 0.14 end
        when catalogue.touchpoint = 'App onboarding' then case when app_affine then 0.70 else 0.12 end
        else catalogue.visit_p
    end
),

-- a journey ends at its first abandoned step
ends as (
    select j, min(position) as abandoned_position
    from steps
    where abandons
    group by j
),

walked as (
    select
        steps.*,
        ends.abandoned_position,
        coalesce(steps.position = ends.abandoned_position, false) as is_abandoned,
    from steps
    left join ends on ends.j = steps.j
    where ends.abandoned_position is null or steps.position <= ends.abandoned_position
),

timed as (
    select
        *,
        started_at + to_seconds(
            (position - first_position + 0.8 * demo_u($seed, step_key, 'delay')) * step_hours * 3600
        ) as occurred_at,
        case
            when app_affine and has_app and demo_u($seed, step_key, 'app') < 0.65 then 'app'
            else case floor(demo_u($seed, step_key, 'channel') * channel_count)
                when 0 then channel_1
                when 1 then channel_2
                else channel_3
            end
        end as channel,
    from walked
),

-- a few steps need a second visit to the same touchpoint, one to two days later (a call back to
-- support, a second try at the checkout): the journey map counts such a journey once
visits as (
    select *, false as is_repeat, null::timestamp as previous_visit_at,
    from timed
    union all
    select
        * replace (occurred_at + to_seconds((24 + 24 * demo_u($seed, step_key, 'again-delay')) * 3600) as occurred_at),
        true,
        occurred_at,
    from timed
    where not is_abandoned and demo_u($seed, step_key, 'again') < 0.04
),

final as (
    select
        journey_id || '-' || lpad(position::varchar, 2, '0') || case when is_repeat then 'r' else '' end as event_id,
        journey_id,
        customer_id,
        occurred_at,
        stage,
        touchpoint,
        channel,
        round(
            greatest(-1, least(1,
                emotion_mean
                + 0.15 * mood
                + 0.22 * demo_normal($seed, step_key, case when is_repeat then 'emotion-again' else 'emotion' end)
                - 0.25 * is_abandoned::integer
                -- having to come back is worse than being done the first time
                - 0.15 * is_repeat::integer
                - 0.10 * (billing_trouble and touchpoint = 'Invoice & billing')::integer
                -- story 1: the app release
                - 0.35 * (channel = 'app' and occurred_at >= $app_release::timestamp)::integer
                -- the December delivery dip
                - 0.30 * (month(occurred_at) = 12 and touchpoint = 'Delivery')::integer
            )),
            3
        ) as emotion,
        case when is_abandoned then 'abandoned' else 'completed' end as outcome,
        $import_id as import_id,
        previous_visit_at,
    from visits
    -- steps after the end of the data have not happened yet, and none come after a churn
    where occurred_at < $start::timestamp + to_seconds(active_to_day * 86400)
)

-- stored with the segment and region that apply (cxdata/layout.py), in date order, each second
-- visit with its first (previous_visit_at) and each first with its second (next_visit_at)
select
    facts.* exclude (previous_visit_at),
    customers.segment as fact_segment,
    customers.region as fact_region,
    facts.previous_visit_at,
    lead(facts.occurred_at) over (
        partition by facts.journey_id, facts.touchpoint order by facts.occurred_at, facts.event_id
    ) as next_visit_at,
from final as facts
left join main.customers as customers on customers.customer_id = facts.customer_id
order by facts.occurred_at;
