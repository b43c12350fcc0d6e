"""Peak memory of what the dashboard does, measured in a process of its own.

`python -m cxdata.bench.memory --db STORE --csv FILE --scratch PATH` opens the store as
the dashboard does, answers every page's queries in both benchmark views, runs every
page's script through AppTest, then imports the CSV into a scratch store, and prints one
JSON line with the process's peak resident set size after each step. The harness runs it
as a child process because the harness itself holds the pandas peer's DataFrames.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from cxdata.bench import importing
from cxdata.bench.pages import by_name
from cxdata.bench.runner import close, peak_rss_mb, run_calls
from cxdata.bench.views import bench_views
from cxdata.store import Store


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m cxdata.bench.memory")
    parser.add_argument("--db", required=True)
    parser.add_argument("--csv", required=True)
    parser.add_argument("--scratch", required=True)
    parser.add_argument("--min-n", type=int, default=10)
    parser.add_argument("--pages", default="")
    parser.add_argument("--scripts", action=argparse.BooleanOptionalAction, default=True)
    parser.add_argument(
        "--memory-limit",
        help="DuckDB's memory_limit for the store (e.g. 2GB) instead of the one the dashboard sets "
        "(CX_MEMORY_LIMIT, else 1GB): to see what another cap costs or saves",
    )
    args = parser.parse_args(argv)
    pages = by_name([name for name in args.pages.split(",") if name] or None)

    measured = {"start_mb": peak_rss_mb(), "memory_limit": args.memory_limit}
    store = Store(args.db)
    if args.memory_limit:
        # the setting belongs to the database instance, which the dashboard's own store
        # (opened by the AppTest runs below) shares while this one stays open
        store._con.execute("set memory_limit = ?", [args.memory_limit])
    measured["after_open_mb"] = peak_rss_mb()
    views = bench_views(store)
    started = time.perf_counter()
    for page in pages:
        for view in views:
            run_calls(page, store, view, args.min_n)
    measured["after_pages_mb"] = peak_rss_mb()
    measured["pages_seconds"] = round(time.perf_counter() - started, 1)

    if args.scripts:
        from cxdata.bench import script

        for page in pages:
            if page.file is None:
                continue
            session = script.PageSession(args.db, page.file, views[0].filters)
            for view in views[1:]:
                session.set_filters(view.filters)
                session.run()
        measured["after_scripts_mb"] = peak_rss_mb()
    close(store)

    scratch = Path(args.scratch)
    store = importing.fresh_store(scratch)
    try:
        importing.ours(store, Path(args.csv))
    finally:
        close(store)
        for leftover in (scratch, Path(f"{scratch}.wal")):
            leftover.unlink(missing_ok=True)
    measured["after_import_mb"] = peak_rss_mb()
    measured["peak_rss_mb"] = peak_rss_mb()
    print(json.dumps(measured))
    return 0


if __name__ == "__main__":
    sys.exit(main())
