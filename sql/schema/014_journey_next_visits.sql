-- Each journey event carries when its journey next came to the same touchpoint (next_visit_at;
-- null at a journey's last visit), in the order "latest" means everywhere: by time, then by the
-- greater event id. The other side of previous_visit_at (009).
--
-- Why: under a segment, channel or region filter (or a split of the map) the filtered events of a
-- journey at a touchpoint are not all of them, so previous_visit_at no longer tells a comeback
-- alone, and the journey map hashed every filtered event's journey id to find the journeys that
-- came back (all 944k filtered events of the window at 10M answers). Of a journey with two or more
-- counted events at a touchpoint, each has its previous or its next visit inside the window, so
-- with next_visit_at only those events are grouped (BENCHMARKS.md, seventh round).
-- cxdata/layout.py keeps it in step through imports, undo and erasure.

alter table journey_events add column next_visit_at timestamp;

update journey_events set next_visit_at = following.next_at
from (
    select
        event_id,
        lead(occurred_at) over (partition by journey_id, touchpoint order by occurred_at, event_id) as next_at,
    from journey_events
) as following
where journey_events.event_id = following.event_id and following.next_at is not null;
