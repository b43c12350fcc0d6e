"""A design experiment, measured: the same page queries on the benchmark store as it is, and
on a copy whose fact tables are (1) stored in date order and (2) carry the segment and region
that apply to each row, so the staging views need no join with the customers table.

`python -m cxdata.bench.experiment --db STORE --variant COPY [--repeat K]` builds the copy (once),
checks that every page call gives the same answer on both, and prints warm medians side by
side. Nothing under sql/ is changed: the copy's staging views are replaced in the copy only.

Why these two: at 10M responses the profiles (python -m cxdata.bench.explain) show every
filtered view paying (a) a hash join that builds a 2M-row customers table on every query,
even when no segment or region is chosen, because the filter parameters are unknown when
the plan is made, and (b) a scan of every row group of the fact table for a 90-day window,
because rows are stored in generation (or import) order and DuckDB's min/max zone maps can
skip nothing.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import time
from pathlib import Path

from cxdata.bench import compare
from cxdata.bench.pages import by_name
from cxdata.bench.runner import close
from cxdata.bench.views import bench_views
from cxdata.store import Store

# (table, date column, the select that adds fact_segment / fact_region)
REWRITES = (
    (
        "responses", "responded_at",
        "select facts.*, coalesce(facts.segment, customers.segment) as fact_segment,"
        " coalesce(facts.region, customers.region) as fact_region",
    ),
    ("tickets", "created_at", "select facts.*, customers.segment as fact_segment, customers.region as fact_region"),
    ("journey_events", "occurred_at", "select facts.*, customers.segment as fact_segment, customers.region as fact_region"),
)

# the staging views of sql/staging with the customers join replaced by the stored columns
VIEWS = (
    """
create or replace view response_facts as
with
responses as (select * from main.responses),
touchpoints as (select touchpoint, stage, position, moment_of_truth from main.touchpoints),
final as (
    select
        responses.response_id, responses.customer_id, responses.responded_at, responses.survey,
        responses.channel, responses.touchpoint, touchpoints.stage, touchpoints.position as touchpoint_position,
        touchpoints.moment_of_truth, responses.fact_segment as segment, responses.fact_region as region,
        responses.nps, responses.csat, responses.ces,
        case when responses.nps >= 9 then 'promoter' when responses.nps >= 7 then 'passive'
             when responses.nps >= 0 then 'detractor' end as nps_class,
        responses.csat >= 4 as csat_satisfied, responses.ces >= 5 as ces_easy,
        responses.comment, responses.language, responses.import_id,
    from responses
    left join touchpoints on touchpoints.touchpoint = responses.touchpoint
)
select * from final
""",
    """
create or replace view ticket_facts as
with
tickets as (select * exclude (fact_segment, fact_region), fact_segment as segment, fact_region as region from main.tickets),
classified as (
    select
        tickets.*,
        tickets.status in ('solved', 'closed') and tickets.resolved_at is not null as is_resolved,
        date_diff('second', tickets.created_at, tickets.first_response_at) / 60.0 as first_response_minutes,
        date_diff('second', tickets.created_at, tickets.resolved_at) / 60.0 as resolution_minutes,
    from tickets
),
final as (
    select *,
        case when not is_resolved or replies is null or reopens is null then null
             else replies <= 1 and reopens = 0 end as is_fcr,
    from classified
)
select * from final
""",
    """
create or replace view journey_facts as
with
events as (select * exclude (fact_segment, fact_region), fact_segment as segment, fact_region as region from main.journey_events),
touchpoints as (select touchpoint, position, moment_of_truth from main.touchpoints),
final as (
    select events.*, touchpoints.position as touchpoint_position, touchpoints.moment_of_truth,
        events.outcome = 'abandoned' as is_abandoned,
    from events
    left join touchpoints on touchpoints.touchpoint = events.touchpoint
)
select * from final
""",
)


def build_variant(source: Path, variant: Path, log=print) -> None:
    if variant.exists():
        log(f"Reusing {variant}.")
        return
    partial = variant.with_name(variant.name + ".building")
    partial.unlink(missing_ok=True)
    shutil.copyfile(source, partial)
    import duckdb

    con = duckdb.connect(str(partial))
    for table, date_column, select in REWRITES:
        started = time.perf_counter()
        con.execute(
            f"create table {table}_sorted as {select} from main.{table} as facts"
            f" left join main.customers as customers on customers.customer_id = facts.customer_id"
            f" order by facts.{date_column}"
        )
        con.execute(f"drop table {table}")
        con.execute(f"alter table {table}_sorted rename to {table}")
        log(f"  {table}: sorted by {date_column}, segment and region stored ({time.perf_counter() - started:.0f} s)")
    con.execute("checkpoint")
    con.close()
    partial.rename(variant)


def open_variant(variant: Path) -> Store:
    store = Store(str(variant))
    for sql in VIEWS:
        store._con.execute(sql)
    return store


def timed_median(function, repeat: int) -> float:
    function()
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m cxdata.bench.experiment")
    parser.add_argument("--db", required=True, type=Path)
    parser.add_argument("--variant", required=True, type=Path)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--page", action="append")
    args = parser.parse_args(argv)
    build_variant(args.db, args.variant)
    # both opened for writing, so both install the views and macros of sql/ as they are now:
    # the comparison differs only in the stored layout and the three staging views
    before, after = Store(str(args.db)), open_variant(args.variant)
    views = bench_views(before)
    print(f"{'page':12} {'call':45} {'view':9} {'before ms':>10} {'after ms':>10} {'ratio':>6}")
    totals: dict[tuple[str, str], list[float]] = {}
    for page in by_name(args.page):
        for view in views:
            for call in page.calls:
                found = compare.difference(call.run(before, view.filters, 10), call.run(after, view.filters, 10), call.keys)
                if found:
                    raise AssertionError(f"{page.name}/{view.name}/{call.name} changed its answer: {found}")
                old = timed_median(lambda: call.run(before, view.filters, 10), args.repeat)
                new = timed_median(lambda: call.run(after, view.filters, 10), args.repeat)
                sums = totals.setdefault((page.name, view.name), [0.0, 0.0])
                sums[0] += old
                sums[1] += new
                print(f"{page.name:12} {call.name:45} {view.name:9} {old:10.1f} {new:10.1f} {old / new:6.1f}", flush=True)
    print()
    for (page, view), (old, new) in totals.items():
        print(f"{page:12} {'(whole query set)':45} {view:9} {old:10.1f} {new:10.1f} {old / new:6.1f}")
    close(before)
    close(after)
    return 0


if __name__ == "__main__":
    sys.exit(main())
