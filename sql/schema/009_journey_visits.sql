-- Each journey event carries when the same journey was last at the same touchpoint
-- (previous_visit_at; null at a journey's first visit). The table is rewritten in date order with it.
--
-- Why: the journey map counts a journey that comes back to a touchpoint once per window. Asked of
-- the rows as they were, every Journey query grouped the window's events by journey to find the
-- journeys that came back: 2.9M events into 655k groups at 10M answers, most of the page's time
-- (BENCHMARKS.md). An event is a comeback inside a window exactly when its previous visit falls
-- inside it too, so with previous_visit_at only the journeys that came back are grouped.
-- cxdata/layout.py keeps it in step through imports, undo and erasure.

create table journey_events_009 (
    event_id     varchar not null,
    journey_id   varchar not null,
    customer_id  varchar,
    occurred_at  timestamp not null,
    stage        varchar not null check (stage in ('awareness', 'consideration', 'purchase', 'service', 'loyalty')),
    touchpoint   varchar not null,
    channel      varchar,
    emotion      double check (emotion between -1 and 1),
    outcome      varchar check (outcome in ('completed', 'abandoned')),
    import_id    bigint,
    fact_segment varchar,
    fact_region  varchar,
    previous_visit_at timestamp
);

insert into journey_events_009
select
    journey_events.*,
    -- the same order as "latest" everywhere: occurred_at, then the greater event_id
    lag(journey_events.occurred_at) over (
        partition by journey_events.journey_id, journey_events.touchpoint
        order by journey_events.occurred_at, journey_events.event_id
    ),
from journey_events
order by journey_events.occurred_at;

drop table journey_events;
alter table journey_events_009 rename to journey_events;
