"""What the Data page needs beyond the import itself: widgets' values to a Mapping, history, downloads.

Kept here, not in pages/data.py, so it is tested without a browser.
"""

from __future__ import annotations

import pandas as pd

from cxdata.export import safe_csv
from cxdata.ingest import fields as F
from cxdata.ingest.mapping import Mapping, RatingScale
from cxdata.ingest.read import Preview
from cxdata.ingest.report import ImportReport
from cxdata.store import Store

KIND_LABELS = {
    "survey": "Survey responses",
    "tickets": "Support tickets",
    "journey": "Journey events",
    "customers": "Customers",
    "touchpoints": "Touchpoints",
}
NOT_MAPPED = "— not in the file —"
HISTORY_COLUMNS = {
    "import_id": "Import", "finished_at": "Loaded at", "kind": "Kind", "file_name": "File", "status": "Status",
    "rows_read": "Read", "rows_loaded": "Held", "rows_rejected": "Rejected", "rows_inserted": "New",
    "rows_updated": "Updated", "rows_unchanged": "Unchanged", "rows_skipped": "Skipped", "profile": "Profile",
    "undone_at": "Undone at",
}


def human_size(size: int) -> str:
    """1234 -> '1.2 KB'; sizes as people read them."""
    for unit, factor in (("GB", 1024**3), ("MB", 1024**2), ("KB", 1024)):
        if size >= factor:
            return f"{size / factor:,.1f} {unit}"
    return f"{size} bytes"


def field_label(field: F.Field) -> str:
    """'responded_at *' for a required field; the help says the range or rule."""
    return f"{field.name}{' *' if field.required else ''}"


def column_label(preview: Preview, name: str) -> str:
    """A column as the mapping's selectbox shows it: its name, and its question label if it has one."""
    if name == NOT_MAPPED:
        return name
    column = preview.column(name)
    if column is not None and column.label:
        label = column.label if len(column.label) <= 60 else column.label[:57] + "…"
        return f"{name} — {label}"
    return name


def parse_not_applicable(text: str) -> tuple[float | str, ...]:
    """'0, k.A.' -> (0, 'k.A.'): numbers as numbers, anything else as text."""
    values: list[float | str] = []
    for part in (text or "").replace(";", ",").split(","):
        part = part.strip()
        if not part:
            continue
        try:
            number = float(part.replace(",", "."))
            values.append(int(number) if number.is_integer() else number)
        except ValueError:
            values.append(part)
    return tuple(values)


def mapping_from_form(
    kind: str,
    columns: dict[str, str],
    constants: dict[str, str] | None = None,
    ratings: dict[str, str] | None = None,
    scale: tuple[float, float] = (1, 5),
    not_applicable: str = "",
    options: dict[str, str] | None = None,
) -> Mapping:
    """The page's choices as a Mapping: unmapped fields and blank constants left out."""
    return Mapping(
        kind=kind,
        columns={field: column for field, column in columns.items() if column and column != NOT_MAPPED},
        constants={field: value.strip() for field, value in (constants or {}).items() if value and value.strip()},
        ratings={column: (attribute or column).strip() for column, attribute in (ratings or {}).items()} if kind == "survey" else {},
        ratings_scale=RatingScale(float(scale[0]), float(scale[1]), parse_not_applicable(not_applicable)),
        options={name: value for name, value in (options or {}).items() if value},
    )


def history(store: Store, limit: int = 500) -> pd.DataFrame:
    """The newest loads first, with the page's column names."""
    table = store.query(
        f"select {', '.join(HISTORY_COLUMNS)} from imports order by import_id desc limit ?", [limit]
    )
    return table.rename(columns=HISTORY_COLUMNS)


def undoable(store: Store, limit: int = 20) -> list[tuple[int, str]]:
    """(import id, description) of the newest loads that can still be undone."""
    rows = store.query_rows(
        "select import_id, kind, coalesce(file_name, '(no file)'), finished_at, rows_loaded from imports "
        "where status = 'loaded' order by import_id desc limit ?",
        [limit],
    )
    return [
        (import_id, f"#{import_id} · {kind} · {name} · {finished:%Y-%m-%d %H:%M} · {loaded:,} rows"
         if finished is not None else f"#{import_id} · {kind} · {name} · {loaded:,} rows")
        for import_id, kind, name, finished, loaded in rows
    ]


def report_counts(report: ImportReport) -> pd.DataFrame:
    """The counts a report gives, as a two-column table for people."""
    would = report.outcome == "dry_run"
    rows = [
        ("Rows read", report.rows_read),
        ("Rows that load" if not would else "Rows that would load", report.rows_valid),
        ("Rows rejected", report.rows_rejected),
        ("New", report.rows_inserted),
        ("Updated (stored with other values)", report.rows_updated),
        ("Unchanged (already stored as they are)", report.rows_unchanged),
        ("Skipped (stored version kept)", report.rows_skipped),
    ]
    if report.kind == "survey":
        rows.append(("Ratings", report.ratings_loaded))
    return pd.DataFrame(rows, columns=["", "Rows"])


def rejects_csv(report: ImportReport) -> bytes:
    return safe_csv(report.rejects)


def rejects_file_name(report: ImportReport) -> str:
    stem = report.file_name.rsplit(".", 1)[0] or "import"
    return f"{stem}-rejected-rows.csv"
