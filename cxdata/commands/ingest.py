"""import, undo and profiles: loading real exports from the command line."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from cxdata import cli
from cxdata.export import safe_csv
from cxdata.ingest import KINDS, ImportRefused, import_file, load_toml, undo_import
from cxdata.ingest import mapping as M
from cxdata.ingest import profiles
from cxdata.ingest.load import ON_CONFLICT
from cxdata.store import Store


def register(sub: argparse._SubParsersAction) -> None:
    command = sub.add_parser(
        "import", help="import a CSV/TSV, .xlsx or Parquet export",
        description="Import one file. Prints a report; exits 1 when the file is refused.",
    )
    command.add_argument("file", metavar="FILE")
    command.add_argument("--kind", required=True, choices=KINDS)
    chosen = command.add_mutually_exclusive_group()
    chosen.add_argument("--profile", metavar="NAME", help="a mapping saved in the store")
    chosen.add_argument("--mapping", metavar="MAPPING.toml", help="a mapping file")
    command.add_argument("--constant", action="append", default=[], metavar="FIELD=VALUE",
                         help="a value for every row, e.g. channel=web (repeat for several)")
    command.add_argument("--dry-run", action="store_true", help="validate and report, write nothing")
    command.add_argument("--on-conflict", choices=ON_CONFLICT, default="update",
                         help="rows already stored with other values: update them (default) or keep the stored ones")
    command.add_argument("--save-profile", metavar="NAME", help="save the mapping used as a profile")
    command.add_argument("--rejects", metavar="FILE.csv", help="write the rejected rows to this CSV file")
    command.add_argument("--max-mb", type=float, help="refuse files larger than this (default $CX_IMPORT_MAX_MB or 500)")
    command.add_argument("--json", action="store_true", help="print the report as JSON")
    command.add_argument("--redact", action="store_true",
                         help="remove e-mail addresses and phone numbers from survey comments before loading")
    command.set_defaults(handler=run_import)

    undo = sub.add_parser("undo", help="undo an import: remove its rows, put back what it replaced")
    undo.add_argument("import_id", type=int, metavar="IMPORT_ID")
    undo.set_defaults(handler=run_undo)

    saved = sub.add_parser("profiles", help="saved import mappings")
    actions = saved.add_subparsers(dest="action", required=True, metavar="ACTION")
    actions.add_parser("list", help="list the saved profiles").set_defaults(handler=run_profiles_list)
    show = actions.add_parser("show", help="print a profile as a TOML mapping file")
    show.add_argument("name")
    show.set_defaults(handler=run_profiles_show)
    save = actions.add_parser("save", help="save a TOML mapping file as a profile")
    save.add_argument("name")
    save.add_argument("mapping_file", metavar="MAPPING.toml")
    save.set_defaults(handler=run_profiles_save)
    delete = actions.add_parser("delete", help="delete a profile")
    delete.add_argument("name")
    delete.set_defaults(handler=run_profiles_delete)


def run_import(args: argparse.Namespace, store: Store) -> int:
    mapping = load_toml(args.mapping) if args.mapping else None
    constants = M.parse_constants(args.constant)
    max_bytes = int(args.max_mb * 1024 * 1024) if args.max_mb is not None else None
    report = import_file(
        store, Path(args.file), args.kind, mapping=mapping, constants=constants, dry_run=args.dry_run,
        on_conflict=args.on_conflict, profile=args.profile, max_bytes=max_bytes, redact=args.redact,
    )
    if args.json:
        cli.print_json(report.as_dict())
    else:
        print(report.text())
    if args.rejects and report.rows_rejected:
        Path(args.rejects).write_bytes(safe_csv(report.rejects))
        print(f"  rejected rows written to {args.rejects}")
    if args.save_profile and report.ok:
        saved = _mapping_used(store, report, mapping, args)
        if saved is not None:
            profiles.save_profile(store, args.save_profile, saved)
            print(f"  mapping saved as profile '{args.save_profile}'")
    return 0 if report.ok else 1


def _mapping_used(store: Store, report, mapping, args: argparse.Namespace):
    """The mapping this import ran with (recorded on its lineage row), for --save-profile."""
    if report.import_id is not None:
        text = store.query_value("select mapping from imports where import_id = ?", [report.import_id])
        return M.read_toml(text) if text else None
    if mapping is not None:
        return mapping.with_constants(M.parse_constants(args.constant))
    from cxdata.ingest import propose_mapping, read_preview

    preview = read_preview(Path(args.file))
    chosen = profiles.load_profile(store, args.profile) if args.profile else None
    return propose_mapping(preview, args.kind, chosen).with_constants(M.parse_constants(args.constant))


def run_undo(args: argparse.Namespace, store: Store) -> int:
    try:
        result = undo_import(store, args.import_id)
    except ImportRefused as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(result.message)
    for table, count in result.deleted.items():
        restored, kept = result.restored.get(table, 0), result.kept.get(table, 0)
        if count or restored or kept:
            print(f"  {table}: {count:,} removed, {restored:,} put back, {kept:,} unchanged handed back")
    return 0


def run_profiles_list(args: argparse.Namespace, store: Store) -> int:
    table = profiles.list_profiles(store)
    print(table.to_string(index=False) if not table.empty else "No saved profiles.")
    return 0


def run_profiles_show(args: argparse.Namespace, store: Store) -> int:
    print(profiles.load_profile(store, args.name).to_toml(), end="")
    return 0


def run_profiles_save(args: argparse.Namespace, store: Store) -> int:
    profiles.save_profile(store, args.name, load_toml(args.mapping_file))
    print(f"Saved profile '{args.name}'.")
    return 0


def run_profiles_delete(args: argparse.Namespace, store: Store) -> int:
    if not profiles.delete_profile(store, args.name):
        print(f"error: there is no profile '{args.name}'", file=sys.stderr)
        return 1
    print(f"Deleted profile '{args.name}'.")
    return 0
