"""Where a page's time goes: DuckDB's profile of every query a page makes.

`python -m cxdata.bench.explain --db STORE [--page NAME] [--view default|filtered] [--top N]`
runs each call of the page table twice (the second is profiled, warm) and prints, per
call: wall time, DuckDB's own total, binding/planning, optimizer, and the operators that
took longest with their row counts. This is the EXPLAIN ANALYZE of BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Iterator

from cxdata.bench.pages import by_name
from cxdata.bench.views import bench_views
from cxdata.store import Store


def operators(node: dict[str, Any], depth: int = 0) -> Iterator[tuple[int, dict[str, Any]]]:
    for child in node.get("children", []) or node.get("operator", []):
        yield depth, child
        yield from operators(child, depth + 1)


def profiled(store: Store, function, path: Path) -> tuple[float, list[dict[str, Any]]]:
    """Wall milliseconds of one call, and DuckDB's profile of every statement it ran."""
    cursor = store.cursor()
    cursor.execute("pragma enable_profiling = 'json'")
    cursor.execute(f"pragma profiling_output = '{path}'")
    started = time.perf_counter()
    function()
    ms = (time.perf_counter() - started) * 1000
    cursor.execute("pragma disable_profiling")
    # the output holds the last statement only: calls here run one statement each
    return ms, [json.loads(path.read_text())] if path.exists() else []


def describe(profile: dict[str, Any], top: int) -> list[str]:
    query = profile.get("query", {})
    lines = [
        f"    duckdb total {query.get('total_time', 0) * 1000:8.1f} ms · binding {profile.get('planner', {}).get('total_time', 0) * 1000:.1f} ms"
        f" · optimizer {profile.get('optimizer', {}).get('total_time', 0) * 1000:.1f} ms"
        f" · rows scanned {query.get('total_rows_scanned', 0):,} · peak buffer {profile.get('system', {}).get('peak_buffer_memory', 0) / 2**20:.0f} MB"
    ]
    ranked = sorted(operators(profile), key=lambda item: item[1].get("timing", 0), reverse=True)[:top]
    for _depth, node in ranked:
        info = node.get("extra_info", {})
        detail = info.get("Table") or info.get("Function") or info.get("Join Type") or info.get("Aggregates") or ""
        lines.append(
            f"      {node.get('timing', 0) * 1000:8.1f} ms  {node.get('type', '?'):<22} rows {node.get('intermediate_rows', 0):>12,}  {str(detail)[:70]}"
        )
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m cxdata.bench.explain")
    parser.add_argument("--db", required=True)
    parser.add_argument("--page", action="append", help="a page of cxdata/bench/pages.py (repeat; default all)")
    parser.add_argument("--view", choices=("default", "filtered"), default="default")
    parser.add_argument("--top", type=int, default=6)
    parser.add_argument("--min-n", type=int, default=10)
    args = parser.parse_args(argv)
    store = Store(args.db, read_only=True)
    view = {view.name: view for view in bench_views(store)}[args.view]
    print(f"{args.db}, view {view.name}: {view.filters}")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "profile.json"
        for page in by_name(args.page):
            for call in page.calls:
                call.run(store, view.filters, args.min_n)  # warm the buffer pool
                ms, profiles = profiled(store, lambda: call.run(store, view.filters, args.min_n), path)
                print(f"{page.name:12} {call.name:48} {ms:8.1f} ms wall")
                for profile in profiles:
                    print("\n".join(describe(profile, args.top)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
