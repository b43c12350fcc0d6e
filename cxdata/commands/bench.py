"""bench: page latency, import throughput and memory, against the pandas peer and DuckDB's floor."""

from __future__ import annotations

import argparse
import functools
from pathlib import Path

from cxdata.store import Store


def register(sub: argparse._SubParsersAction) -> None:
    bench = sub.add_parser(
        "bench",
        help="measure every page, an import and memory on a demo store of a given size",
        description=(
            "Builds (or reuses) a demo store in bench/stores/ and measures, interleaved: each page's "
            "queries (ours), the same answers in pandas (the peer, checked equal) and the cheapest "
            "DuckDB query over the same rows (the floor); whole page scripts and cache hits via AppTest; "
            "a CSV import three ways; peak memory. --db is ignored: the benchmark makes its own store."
        ),
    )
    bench.add_argument("--responses", type=int, default=10_000_000, help="size of the demo store (default 10,000,000)")
    bench.add_argument("--repeat", type=int, default=5, help="repetitions of every warm measurement (default 5)")
    bench.add_argument("--json", type=Path, help="write every measured item to this file")
    bench.add_argument("--import-rows", type=int, default=1_000_000, help="rows of the generated CSV (default 1,000,000)")
    bench.add_argument("--pages", help="only these pages, comma-separated (default: all)")
    bench.add_argument("--stores-dir", type=Path, help="where benchmark stores and CSVs live (default bench/stores)")
    bench.add_argument("--no-scripts", action="store_true", help="skip the AppTest page scripts")
    bench.add_argument("--no-memory", action="store_true", help="skip the peak-memory child process")
    bench.set_defaults(handler=run_bench, opens_store=False)


def run_bench(args: argparse.Namespace, store: Store | None) -> int:
    from cxdata.bench import report, runner, stores

    if args.responses <= 0 or args.repeat <= 0 or args.import_rows <= 0:
        raise ValueError("--responses, --repeat and --import-rows must be positive.")
    options = runner.Options(
        responses=args.responses,
        repeat=args.repeat,
        import_rows=args.import_rows,
        pages=[name for name in (args.pages or "").split(",") if name] or None,
        stores_dir=args.stores_dir or stores.STORES_DIR,
        scripts=not args.no_scripts,
        memory=not args.no_memory,
    )
    items = runner.main(options, args.json, log=functools.partial(print, flush=True))
    print(report.table(items))
    return 0
