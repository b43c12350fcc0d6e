"""forget: erase customers everywhere (GDPR right to erasure)."""

from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path

from cxdata import cli, privacy
from cxdata.store import Store


def register(sub: argparse._SubParsersAction) -> None:
    forget = sub.add_parser(
        "forget",
        help="erase customers everywhere: their responses, ratings, tickets, journey events and customer rows",
        description="Erase every row of the given customers in one transaction. The import history keeps "
        "counts only (table erasures); no customer id is recorded.",
    )
    forget.add_argument("customer_ids", nargs="*", metavar="CUSTOMER_ID", help="the customer ids, exactly as stored")
    forget.add_argument(
        "--ids-file",
        type=Path,
        help="a text file with one customer id per line (keeps the ids out of your shell history)",
    )
    # also after the command name (`forget ID --db PATH`); SUPPRESS keeps a --db given before it
    forget.add_argument("--db", default=argparse.SUPPRESS, help="the store (as the global --db)")
    forget.add_argument("--dry-run", action="store_true", help="only count what would be erased")
    forget.add_argument("--json", action="store_true", help="print the report as JSON")
    forget.set_defaults(handler=run_forget)


def _requested_ids(args: argparse.Namespace) -> list[str]:
    ids = list(args.customer_ids)
    if args.ids_file:
        try:
            ids += args.ids_file.read_text(encoding="utf-8-sig").splitlines()
        except (OSError, UnicodeDecodeError) as error:
            raise ValueError(f"Cannot read the ids file {args.ids_file}: {error}") from None
    return ids


def run_forget(args: argparse.Namespace, store: Store) -> int:
    report = privacy.forget(store, _requested_ids(args), dry_run=args.dry_run)
    copies = [] if args.dry_run else privacy.copies_outside_the_store(store)
    if args.json:
        cli.print_json({**dataclasses.asdict(report), "total_rows": report.total_rows, "copies_to_check": [str(p) for p in copies]})
        return 0
    tables = ", ".join(f"{table} {count}" for table, count in report.rows_deleted.items())
    verb = "Would erase" if report.dry_run else "Erased"
    print(
        f"{verb} {report.total_rows} rows of {report.customers_found} of the "
        f"{report.customers_requested} customers named ({tables})."
    )
    if report.customers_found < report.customers_requested:
        print(f"{report.customers_requested - report.customers_found} of the ids were not found in the store.")
    if not report.dry_run:
        print(f"The import history keeps counts only (erasure {report.erasure_id}); no customer id was recorded.")
        print(
            "Not erased by this command: the files you imported, backups and copies of the store; "
            "re-importing a file that still holds these customers brings them back.",
        )
        for path in copies:
            print(f"  check: {path}", file=sys.stdout)
    return 0
