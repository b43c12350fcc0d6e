"""python -m cxdata COMMAND: one command line over one store."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from typing import Callable, Sequence

from cxdata.filters import DEFAULT_MIN_N, Filters
from cxdata import handoff, stopping
from cxdata.store import Store, StoreBusy, StoreError, is_local_file, resolve_database

# Each command module adds its subcommands here: register(subparsers) sets
# `handler(args, store) -> int` and, for commands that make their own store, `opens_store=False`.
COMMAND_MODULES: list[str] = [
    "cxdata.commands.core",
    "cxdata.commands.demo",
    "cxdata.commands.privacy",
    "cxdata.commands.bench",
    "cxdata.commands.ingest",
]


def iso_date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date in the form YYYY-MM-DD") from None


def add_filter_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--from", dest="date_from", type=iso_date, help="first day, YYYY-MM-DD")
    parser.add_argument("--to", dest="date_to", type=iso_date, help="last day, YYYY-MM-DD")
    parser.add_argument("--segment", action="append", default=[], help="repeat for several")
    parser.add_argument("--channel", action="append", default=[], help="repeat for several")
    parser.add_argument("--region", action="append", default=[], help="repeat for several")
    parser.add_argument("--min-n", type=int, default=DEFAULT_MIN_N, help="smallest group shown as a number")


def filters_from_args(args: argparse.Namespace) -> Filters:
    return Filters(args.date_from, args.date_to, tuple(args.segment), tuple(args.channel), tuple(args.region))


def build_parser() -> argparse.ArgumentParser:
    import importlib

    parser = argparse.ArgumentParser(prog="python -m cxdata", description="The CX store's command line.")
    parser.add_argument("--db", help="DuckDB database: a file, :memory: or md:… (default: $CX_DB, else data/cx.duckdb)")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    for command in set(sub.choices.values()):
        # --db also after the command name; SUPPRESS keeps one given before it
        if "--db" not in command._option_string_actions:
            command.add_argument("--db", default=argparse.SUPPRESS, help="the store (as --db before the command)")
    return parser


def main(argv: Sequence[str] | None = None, store: Store | None = None) -> int:
    """Run one command. `store` lets a process that already holds the store run it in-process."""
    parser = build_parser()
    argv = list(sys.argv[1:] if argv is None else argv)
    args = parser.parse_args(argv)
    handler: Callable[[argparse.Namespace, Store | None], int] = args.handler
    try:
        if not getattr(args, "opens_store", True) or store is not None:
            return handler(args, store)
        database = resolve_database(args.db)
        outcome = _run_on_store(handler, args, database)
        if not isinstance(outcome, StoreBusy):
            return outcome
        # handed to the dashboard, which runs it: stopping this process while it waits stops
        # neither the command nor the dashboard, so the signals keep their defaults here
        handed = handoff.submit(database, argv) if is_local_file(database) else None
        if handed is None:
            raise outcome
        code, out, err = handed
        sys.stdout.write(out)
        sys.stderr.write(err)
        return code
    except stopping.Stopped as stop:
        print(
            f"stopped by {stop}: a write that had not finished was rolled back, and what finished before "
            "stays (`python -m cxdata imports` lists it).",
            file=sys.stderr,
        )
        return stop.exit_code
    except StoreError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2


def _run_on_store(
    handler: Callable[[argparse.Namespace, Store | None], int], args: argparse.Namespace, database: str
) -> int | StoreBusy:
    """The command's exit code on the store it opens, or why it could not open it for writing
    (another process holds it). The store's whole life, its opening and closing (checkpoints)
    included, stops politely (cxdata/stopping.py)."""
    opened: list[Store] = []
    with stopping.PoliteStops(lambda: [store.interrupt() for store in opened]):
        try:
            opened.append(Store(database, read_only=getattr(args, "read_only", False)))
        except StoreBusy as busy:
            return busy
        with opened[0]:
            return handler(args, opened[0])


def print_json(value: object) -> None:
    print(json.dumps(value, indent=2, ensure_ascii=False, default=str))
