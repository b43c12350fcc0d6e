-- Each abandoned journey event carries when the same journey was next abandoned
-- (next_abandoned_at; null at its latest abandoned event and on every other event).
--
-- Why: a journey is abandoned where its latest abandoned event of the window is (the journey
-- map's and journey_outcomes' rule). Found by grouping the window's abandoned events by journey,
-- that fetched the journey id, a text column, of every event in the window's row groups: about
-- 35 ms of the Journey page's 110 at 10M answers, however few events were abandoned
-- (BENCHMARKS.md, sixth round). An abandoned event is its journey's latest of a window exactly
-- when the journey's next abandonment falls after the window, so with next_abandoned_at that is
-- a test of the row. cxdata/layout.py keeps it in step through imports, undo and erasure.

alter table journey_events add column next_abandoned_at timestamp;

update journey_events set next_abandoned_at = following.next_at
from (
    select
        event_id,
        -- the same order as "latest" everywhere: occurred_at, then the greater event_id
        lead(occurred_at) over (partition by journey_id order by occurred_at, event_id) as next_at,
    from journey_events
    where outcome = 'abandoned'
) as following
where journey_events.event_id = following.event_id and following.next_at is not null;
