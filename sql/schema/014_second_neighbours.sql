-- Each journey event carries when its journey next came to the same touchpoint (next_visit_at;
-- null at a journey's last visit), and each NPS answer when its customer gave the NPS answer
-- before it (previous_nps_at; null at a customer's first, and on answers without an NPS or a
-- customer). Both in the order "latest" means everywhere: by time, then by the greater id.
--
-- Why: under a segment, channel or region filter the filtered rows of one sequence are not all
-- its rows, so the row tests of previous_visit_at and next_nps_at no longer decide alone; the
-- rows left in doubt were found by hashing every filtered row's journey or customer id (the
-- Journey map's comebacks probed all 944k filtered events of the window at 10M answers; revenue
-- at risk joined each period's answers to the customers grouped). With the other neighbour too,
-- a row whose sequence has no other row in the period is known from the row itself, and only
-- sequences with two or more rows in the period are grouped (BENCHMARKS.md, seventh round).
-- cxdata/layout.py keeps both in step through imports, undo and erasure.

alter table journey_events add column next_visit_at timestamp;

update journey_events set next_visit_at = following.next_at
from (
    select
        event_id,
        lead(occurred_at) over (partition by journey_id, touchpoint order by occurred_at, event_id) as next_at,
    from journey_events
) as following
where journey_events.event_id = following.event_id and following.next_at is not null;

alter table responses add column previous_nps_at timestamp;

update responses set previous_nps_at = earlier.previous_at
from (
    select
        response_id,
        lag(responded_at) over (partition by customer_id order by responded_at, response_id) as previous_at,
    from responses
    where nps is not null and customer_id is not null
) as earlier
where responses.response_id = earlier.response_id and earlier.previous_at is not null;
