"""demo: fill a store with generated demo data."""

from __future__ import annotations

import argparse

from cxdata import demo
from cxdata.store import Store


def positive_int(text: str) -> int:
    try:
        value = int(text.replace("_", ""))
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "demo",
        help="fill the store with deterministic demo data (about three years, with planted stories)",
        description="Generate demo data inside DuckDB. The same --seed and --responses always give the same "
        "data. Customers, tickets and journey events scale with --responses (about 1/5, 0.3x and 3x). "
        "The planted stories are listed in docs/DEMO_STORIES.md.",
    )
    # also after the command name (`demo --db PATH`); SUPPRESS keeps a --db given before it
    parser.add_argument("--db", default=argparse.SUPPRESS, help="the store to fill (as the global --db)")
    parser.add_argument("--responses", type=positive_int, default=200_000, help="survey responses (default 200000)")
    parser.add_argument("--seed", type=int, default=42, help="seed of the pseudo-random numbers (default 42)")
    parser.add_argument(
        "--replace", action="store_true", help="delete all data and lineage in the store first (same transaction)"
    )
    parser.set_defaults(handler=run_demo)


def run_demo(args: argparse.Namespace, store: Store) -> int:
    counts, seconds = demo.timed_build(store, args.responses, args.seed, args.replace)
    print(f"Demo data (seed {args.seed}) written to {store.database} in {seconds:.1f} s:")
    for table, count in counts.items():
        print(f"  {table:<17} {count:>12,}")
    return 0
