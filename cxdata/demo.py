"""Demo data, generated inside DuckDB: deterministic, set-based, with planted stories.

`build_demo(store, responses=200_000, seed=42)` fills an empty store in one transaction.
Every table is one `insert ... select` over `range()` (the SQL is in sql/demo/, one file
per table); every random number is a hash of (seed, row number, purpose), so the same seed
and size give the same rows on every run, whatever the thread order. Hidden customer traits
(mood, billing trouble, app use) are drawn once per customer and drive all tables, which is
how the stories show up consistently in surveys, tickets, journeys and churn.
Sizes follow --responses: customers ~ 1/5, tickets ~ 0.3 x, journey events ~ 3 x.

The planted stories are listed in STORIES (and in docs/DEMO_STORIES.md).
"""

from __future__ import annotations

import datetime as dt
import re
import time
from dataclasses import dataclass

import duckdb

from cxdata import summaries
from cxdata.store import SQL_DIR, Store, StoreError

DEMO_SQL_DIR = SQL_DIR / "demo"
DEMO_START = dt.date(2023, 11, 1)
DEMO_END = dt.date(2026, 10, 31)
APP_RELEASE = dt.date(2026, 6, 15)
# volume peaks here each year (Christmas shopping); the warp in sql/demo/macros.sql
VOLUME_PEAK = dt.date(2023, 12, 1)
CUSTOMERS_PER_RESPONSE = 0.2
TICKETS_PER_RESPONSE = 0.3
# journeys average about 4.9 events, so this gives about 3 events per response
JOURNEYS_PER_RESPONSE = 0.61
# tables the demo fills, in load order; `imports` gets one lineage row for each
# (responses come after tickets and journeys: billing experiences lower later answers)
DEMO_TABLES = ("touchpoints", "customers", "tickets", "journey_events", "responses", "response_ratings")
# what --replace clears: the data tables and the lineage that describes them
CLEARED_TABLES = ("response_ratings", "responses", "tickets", "journey_events", "customers", "touchpoints",
                  "import_replaced_rows", "imports")


@dataclass(frozen=True)
class Story:
    """A pattern planted in the demo data that the dashboard must reveal."""

    title: str
    where: str
    planted: str
    expect: str


STORIES: tuple[Story, ...] = (
    Story(
        title="App release breaks the app channel",
        where=f"responses with channel 'app' from {APP_RELEASE.isoformat()} on (also app journey events, tickets)",
        planted="the latent experience behind app answers drops by 0.75 points on the 0-10 scale; CES of app "
        "answers and the 'App usability' rating drop; app users open more Technical tickets; app journey "
        "events lose 0.35 emotion",
        expect="app NPS falls by about 25 points (about +35 to about +10) from that date while the other "
        "channels stay flat, and overall NPS dips by about 5 points; detractor "
        "comments mention the update and crashes ('Seit dem App-Update stürzt die App ständig ab', "
        "'App keeps crashing since the update')",
    ),
    Story(
        title="Invoice & billing is the emotional low of the journey",
        where="journey touchpoint 'Invoice & billing' (stage service); customers with billing trouble "
        "(18 %, SMB 24 %) pass it far more often",
        planted="mean emotion about -0.58 (the lowest of all touchpoints), 33 % of the journeys that reach it "
        "are abandoned there; answers about it score 1.2 points lower (latent 0-10 scale), every answer a "
        "customer gives after first passing it 0.6 points lower; billing complaints in the comments",
        expect="deepest point of the emotion curve, highest abandonment, lowest touchpoint NPS (about -10 "
        "against about +30 overall); customers who went through it give a clearly lower NPS than those who "
        "did not (about +27 against about +40)",
    ),
    Story(
        title="Billing tickets fail at first contact",
        where="tickets with category 'Billing'",
        planted="35 % of resolved Billing tickets are solved at first contact (at most one reply, no reopen) "
        "against 66-86 % in the other categories; more replies and reopens, longer resolution, lower "
        "ticket CSAT; every answer a customer gives after their first Billing ticket scores 0.8 points "
        "lower; customers with billing trouble open most of them (half their tickets, others 6 %)",
        expect="FCR of Billing about 35 % vs. about 75 % elsewhere; customers with a Billing ticket give a "
        "clearly lower NPS (about +19 against about +38) and churn more often",
    ),
    Story(
        title="Unboxing & setup is the wow moment",
        where="touchpoint 'Unboxing & setup' (stage service, SMOT)",
        planted="mean journey emotion about +0.7, the highest of all; survey answers about it score 1.2 "
        "points higher; enthusiastic comments",
        expect="peak of the emotion curve and the touchpoint with the best NPS (about +65)",
    ),
    Story(
        title="Christmas: more volume, delivery dip",
        where="every December",
        planted="answers, tickets and journeys peak around 1 December (x1.5 the early-summer trough); in "
        "December Delivery answers lose 1.2 points, other purchase answers 0.4; Delivery tickets and "
        "Christmas delivery complaints rise; Delivery emotion drops by 0.3",
        expect="a yearly volume peak and a December NPS dip at Delivery",
    ),
    Story(
        title="Importance vs. performance of attributes",
        where="response_ratings (1-5) of about 45 % of post-purchase, service and in-app answers",
        planted="each attribute has a typical rating (performance) and a pull towards the answer's NPS "
        "(importance): 'Invoice clarity' and 'Value for money' matter much and score low, 'Product quality' "
        "matters much and scores high, 'Staff friendliness' and 'Packaging' score high but hardly move NPS",
        expect="Invoice clarity and Value for money in the fix-first quadrant of an importance-vs-performance chart",
    ),
    Story(
        title="Unhappy customers churn",
        where="customers.churned_on",
        planted="churn hazard per year by segment (Consumer 12 %, SMB 10 %, Mid-Market 7 %, Enterprise 4.5 %) "
        "times exp(-0.5 x mood + 1.1 x billing trouble); mood also drives the scores; no activity after churn",
        expect="detractors and customers with Billing tickets churn more often: of the customers active "
        "through the first year, that year's detractors churn later about twice as often as its promoters "
        "(about 40 % vs. 19 %), customers with a Billing ticket that year about 36 % vs. 22 %",
    ),
)


class StoreHoldsData(StoreError):
    """The demo would mix with data already in the store."""


def stories_markdown() -> str:
    """The story list as Markdown: docs/DEMO_STORIES.md is this text."""
    lines = [
        "# Stories planted in the demo data",
        "",
        "`python -m cxdata demo` generates about three years of data "
        f"({DEMO_START.isoformat()} to {DEMO_END.isoformat()}, the same for every seed) and plants the "
        "patterns below, so that every page of the dashboard has something real to reveal. "
        "Generated from `cxdata.demo.STORIES`; a test keeps this file in step with it.",
        "",
    ]
    for number, story in enumerate(STORIES, start=1):
        lines += [
            f"## {number}. {story.title}",
            "",
            f"- **Where:** {story.where}",
            f"- **Planted:** {story.planted}",
            f"- **The dashboard should show:** {story.expect}",
            "",
        ]
    return "\n".join(lines)


def holds_data(store: Store) -> bool:
    """True when any data table or the lineage has a row."""
    checks = " or ".join(f"exists (select 1 from {table})" for table in (*DEMO_TABLES, "imports"))
    return bool(store.query_value(f"select {checks}"))


def sizes(responses: int) -> dict[str, int]:
    """How many rows of each generated kind a demo of this size asks for."""
    return {
        "customers": max(10, round(responses * CUSTOMERS_PER_RESPONSE)),
        "responses": responses,
        "tickets": round(responses * TICKETS_PER_RESPONSE),
        "journeys": round(responses * JOURNEYS_PER_RESPONSE),
    }


def _statement(name: str) -> tuple[str, set[str]]:
    sql = (DEMO_SQL_DIR / f"{name}.sql").read_text(encoding="utf-8")
    return sql, set(re.findall(r"\$([a-z_]+)", sql))


def _run(cursor: duckdb.DuckDBPyConnection, name: str, params: dict[str, object]) -> int:
    """Run sql/demo/<name>.sql with the named parameters it uses; returns its row count."""
    sql, used = _statement(name)
    missing = used - params.keys()
    if missing:
        raise ValueError(f"sql/demo/{name}.sql needs parameters {sorted(missing)}")
    cursor.execute(sql, {key: params[key] for key in used} if used else None)
    row = cursor.fetchone()
    return int(row[0]) if row else 0


def _load(cursor: duckdb.DuckDBPyConnection, table: str, params: dict[str, object]) -> int:
    """Insert one demo table and write its lineage row."""
    import_id = cursor.execute("select nextval('import_id_seq')").fetchone()[0]
    # wall-clock times: DuckDB's current_timestamp is the transaction's start for every row
    started = dt.datetime.now()
    count = _run(cursor, table, {**params, "import_id": import_id})
    cursor.execute(
        # every row is new (the demo fills an empty store): the Data page's history shows 0, not blanks
        "insert into imports (import_id, kind, file_name, rows_read, rows_loaded, rows_rejected,"
        " rows_inserted, rows_updated, rows_unchanged, rows_skipped, started_at, finished_at, status)"
        " values (?, 'demo', ?, ?, ?, 0, ?, 0, 0, 0, ?, ?, 'loaded')",
        [import_id, f"demo/{table} (seed {params['seed']}, {params['responses']} responses)",
         count, count, count, started, dt.datetime.now()],
    )
    return count


def build_demo(store: Store, responses: int = 200_000, seed: int = 42, replace: bool = False) -> dict[str, int]:
    """Fill the store with demo data in one transaction; returns the row count of each table.

    Refuses (StoreHoldsData) when the store already holds data, unless `replace`, which
    clears the data tables and the lineage in the same transaction.
    """
    if responses < 1:
        raise ValueError("--responses must be at least 1")
    if not replace and holds_data(store):
        raise StoreHoldsData(
            f"The store {store.database} already holds data; the demo would mix with it. "
            "Use another --db, or add --replace to delete everything in it and generate the demo."
        )
    params: dict[str, object] = {
        "seed": seed,
        **sizes(responses),
        "start": DEMO_START,
        "span_days": (DEMO_END - DEMO_START).days + 1,
        "peak_day": (VOLUME_PEAK - DEMO_START).days,
        "app_release": APP_RELEASE,
    }
    counts: dict[str, int] = {}
    # the build sorts and joins tens of millions of rows at full size: let it use the machine
    with store.uncapped_memory(), store.transaction() as cursor:
        if replace:
            for table in CLEARED_TABLES:
                cursor.execute(f"delete from {table}")
        for helper in ("macros", "catalogue", "comments", "people"):
            _run(cursor, helper, params)
        for table in DEMO_TABLES:
            counts[table] = _load(cursor, table, params)
        cursor.execute("drop table demo_people; drop table demo_comments; drop table demo_touchpoint_catalogue")
        summaries.refresh(cursor)
    return counts


def ensure_demo(database: str, responses: int = 200_000) -> None:
    """Create the store with demo data when the file does not exist yet or the store holds no data."""
    with Store(database) as store:
        if not holds_data(store):
            build_demo(store, responses=responses)


def timed_build(store: Store, responses: int, seed: int, replace: bool) -> tuple[dict[str, int], float]:
    """build_demo and the seconds it took, for the command line."""
    began = time.perf_counter()
    counts = build_demo(store, responses=responses, seed=seed, replace=replace)
    return counts, time.perf_counter() - began
