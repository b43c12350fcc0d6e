"""init, kpis, imports and optimize: the store's own commands."""

from __future__ import annotations

import argparse

from cxdata import cli, layout, metrics, summaries
from cxdata.store import Store


def register(sub: argparse._SubParsersAction) -> None:
    init = sub.add_parser("init", help="create a store, or migrate an existing one in place")
    init.set_defaults(handler=run_init)

    kpis = sub.add_parser("kpis", help="the headline KPIs for some filters")
    kpis.add_argument("--json", action="store_true", help="print JSON (the only format for now)")
    cli.add_filter_options(kpis)
    kpis.set_defaults(handler=run_kpis)

    imports = sub.add_parser("imports", help="the lineage of every load")
    imports.add_argument("--json", action="store_true", help="print JSON instead of a table")
    imports.set_defaults(handler=run_imports)

    optimize = sub.add_parser(
        "optimize",
        help="re-derive the stored segment and region of every fact row and rewrite the facts in date order",
        description="Imports keep both right as they go. Run this after writing to the tables with other tools "
        "(a script's own INSERT), or when many back-dated imports have left the facts out of date order.",
    )
    optimize.set_defaults(handler=run_optimize)


def run_init(args: argparse.Namespace, store: Store) -> int:
    print(f"Store {store.database} is at schema version {store.schema_version()}.")
    return 0


def run_kpis(args: argparse.Namespace, store: Store) -> int:
    cli.print_json(metrics.kpis_as_json(store, cli.filters_from_args(args), args.min_n))
    return 0


def run_imports(args: argparse.Namespace, store: Store) -> int:
    table = store.query("select * from imports order by import_id")
    if args.json:
        cli.print_json(table.to_dict("records"))
    elif table.empty:
        print("No imports yet.")
    else:
        print(table.to_string(index=False))
    return 0


def run_optimize(args: argparse.Namespace, store: Store) -> int:
    with store.uncapped_memory(), store.transaction() as cursor:
        changed = layout.refresh(cursor)
        rewritten = layout.rewrite_in_date_order(cursor)
        # layout.refresh rebuilt the summaries (cxdata/summaries.py)
        day_rows, pairs = (cursor.execute(f"select count(*) from {table}").fetchall()[0][0] for table in (summaries.TABLE, summaries.PAIRS))
    store.checkpoint()
    tables = ", ".join(f"{table} {rows:,}" for table, rows in rewritten.items())
    print(f"Derived columns (segment, region, customer revenue and churn, next answer, previous and next visit, next abandonment) corrected on {changed:,} rows; survey counts recounted on {day_rows:,} day rows and {pairs:,} answers paired with tickets; rewritten in date order: {tables}.")
    return 0
