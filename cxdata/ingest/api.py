"""The import in one call: read, map, validate, load; used by the page, the CLI and the benchmark."""

from __future__ import annotations

import datetime as dt
import tempfile
import time
from pathlib import Path

import duckdb

from cxdata.ingest import fields as F
from cxdata.ingest import load as loader
from cxdata.ingest import mapping as M
from cxdata.ingest import profiles
from cxdata.ingest.mapping import Mapping
from cxdata.ingest.read import Preview, Progress, load_raw, read_preview
from cxdata.ingest.report import MAX_REJECTS_KEPT, ImportRefused, ImportReport
from cxdata.ingest.validate import make_plan, rows_to_load, validate
from cxdata import privacy
from cxdata.store import Store


def propose_mapping(preview: Preview, kind: str, profile: Mapping | None = None) -> Mapping:
    """A profile's mapping as it is, else the layout's own mapping plus the most similar column names."""
    if profile is not None:
        if profile.kind != kind:
            raise ImportRefused(f"The profile is for {profile.kind} imports, not {kind}.")
        return profile
    return M.propose(kind, preview.columns, preview.layout, preview.samples())


def suggested_kind(preview: Preview) -> str | None:
    """The kind the file looks like: its layout's, else the kind whose required fields all have a column."""
    if preview.layout.kind:
        return preview.layout.kind
    best, best_score = None, (0, 0)
    for kind in F.KINDS:
        proposal = M.propose(kind, preview.columns, preview.layout, preview.samples())
        required = [f.name for f in F.fields_of(kind) if f.required and f.name != F.ID_FIELD[kind]]
        if all(name in proposal.columns for name in required):
            score = (len(required), len(proposal.columns))
            if score > best_score:
                best, best_score = kind, score
    return best


def previous_load(store: Store, sha256: str, kind: str) -> tuple[int, dt.datetime] | None:
    """The still-loaded import of the identical file as the same kind, if any."""
    rows = store.query_rows(
        "select import_id, finished_at from imports where sha256 = ? and kind = ? and status = 'loaded' "
        "order by import_id desc limit 1",
        [sha256, kind],
    )
    return (rows[0][0], rows[0][1]) if rows else None


def _columns(con: duckdb.DuckDBPyConnection, table: str) -> set[str]:
    return {row[0] for row in con.execute(f"describe {table}").fetchall()}


def import_file(
    store: Store,
    path: str | Path | bytes,
    kind: str,
    mapping: Mapping | None = None,
    constants: dict[str, str] | None = None,
    dry_run: bool = False,
    progress: Progress | None = None,
    *,
    on_conflict: str = "update",
    file_name: str | None = None,
    profile: str | None = None,
    max_bytes: int | None = None,
    preview: Preview | None = None,
    redact: bool = False,
) -> ImportReport:
    """Import one file; never raises for bad input: a refused import is a report with outcome 'refused'.

    mapping: the columns to use; else the saved `profile` (a name); else a proposal.
    constants: field = value for every row, added to the mapping's own.
    dry_run: validate and count what would happen, write nothing.
    redact: replace e-mail addresses and phone numbers inside survey comments before loading.
    """
    started = time.perf_counter()
    started_at = dt.datetime.now()
    name = file_name or (Path(path).name if not isinstance(path, (bytes, bytearray)) else "upload")
    report = ImportReport(file_name=name, kind=kind, on_conflict=on_conflict, profile=profile)
    step = progress or (lambda fraction, text: None)
    # bytes are kept in a temporary file by read_preview: remove it when done
    owned_copy = isinstance(path, (bytes, bytearray)) and preview is None
    try:
        if kind not in F.KINDS:
            raise ImportRefused(f"Unknown kind '{kind}': choose one of {', '.join(F.KINDS)}.")
        if on_conflict not in loader.ON_CONFLICT:
            raise ImportRefused(f"on_conflict must be one of {', '.join(loader.ON_CONFLICT)}.")
        step(0.02, "detecting the format")
        preview = preview or read_preview(path, file_name=file_name, max_bytes=max_bytes)
        report.file_name = preview.file_name
        report.sha256, report.size_bytes, report.format = preview.sha256, preview.size_bytes, preview.format
        report.encoding, report.delimiter, report.layout = preview.encoding, preview.delimiter, preview.layout.name
        report.warnings += preview.notes
        earlier = previous_load(store, preview.sha256, kind)
        if earlier is not None:
            report.outcome, report.previous_import_id = "already_loaded", earlier[0]
            report.message = (
                f"this identical file (same SHA-256) was already imported as import {earlier[0]} "
                f"on {earlier[1]:%Y-%m-%d %H:%M}; nothing was changed. To load it again with another "
                f"mapping, undo import {earlier[0]} first."
            )
            return report
        if mapping is None:
            if preview.layout.kind and preview.layout.kind != kind and profile is None:
                raise ImportRefused(
                    f"{preview.file_name} is a {preview.layout.title}, which holds {preview.layout.kind}, not {kind}. "
                    f"Import it with kind {preview.layout.kind}, or give a mapping to read it as {kind} anyway."
                )
            chosen_profile = profiles.load_profile(store, profile) if profile else None
            mapping = propose_mapping(preview, kind, chosen_profile)
        if constants:
            mapping = mapping.with_constants(constants)
        M.check(mapping)
        plan = make_plan(kind, preview.columns, mapping, suggested_kind(preview))
        with tempfile.TemporaryDirectory(prefix="cx-import-") as workdir:
            staging = duckdb.connect(config={"temp_directory": str(Path(workdir) / "spill")})
            try:
                step(0.05, "reading every row")
                if not load_raw(staging, preview, Path(workdir), progress):
                    raise ImportRefused(f"{preview.file_name} has a header but no data rows.")
                step(0.35, "checking every row")
                validated = validate(
                    staging, plan, default_decimal="," if preview.delimiter == ";" else ".", materialize=redact
                )
                report.rows_read = validated.rows_read
                report.warnings += validated.notes
                report.rows_valid, report.rows_rejected = validated.rows_valid, validated.rows_rejected
                _collect_rejects(staging, report)
                if validated.rows_valid == 0:
                    raise ImportRefused(_nothing_loads(report))
                constant_problems = report.reject_summary[report.reject_summary["column"].str.startswith("constant ")]
                if not constant_problems.empty:
                    first = constant_problems.iloc[0]
                    raise ImportRefused(f"The {first['column']} is not valid: {first['problem']}.")
                if redact and "comment" in _columns(staging, "clean"):
                    changed = privacy.redact_column(staging, "clean", "comment")
                    report.warnings.append(f"Contact details removed from {changed:,} distinct comment texts.")
                step(0.6, "comparing with the store")
                incoming = rows_to_load(staging, validated)
                ratings = staging.sql("select * from clean_ratings").to_arrow_table()
            finally:
                staging.close()
        if dry_run:
            counts = loader.preview_counts(store, kind, incoming, ratings, on_conflict)
            report.outcome = "dry_run"
        else:
            step(0.7, "loading")
            lineage = {
                "file_name": preview.file_name, "sha256": preview.sha256, "rows_read": report.rows_read,
                "rows_rejected": report.rows_rejected, "started_at": started_at,
                "size_bytes": preview.size_bytes, "profile": profile, "mapping": mapping.to_toml(),
            }
            report.import_id, counts = loader.load(store, kind, incoming, ratings, lineage, on_conflict)
            report.outcome = "loaded"
        report.rows_inserted, report.rows_updated = counts.inserted, counts.updated
        report.rows_unchanged, report.rows_skipped = counts.unchanged, counts.skipped
        report.ratings_loaded = counts.ratings
        report.message = _success_message(report)
        step(1.0, "done")
    except ImportRefused as error:
        report.outcome, report.message = "refused", str(error)
    except ValueError as error:  # a mapping or profile that cannot be used
        report.outcome, report.message = "refused", str(error)
    finally:
        report.seconds = time.perf_counter() - started
        if owned_copy and preview is not None:
            preview.path.unlink(missing_ok=True)
    return report


def _collect_rejects(staging: duckdb.DuckDBPyConnection, report: ImportReport) -> None:
    rejects = staging.execute(
        'select row, "column", value, problem from rejects order by row, "column" limit $n', {"n": MAX_REJECTS_KEPT}
    ).df().astype(object)
    report.rejects = rejects.where(rejects.notna(), None)
    report.rejects_truncated = report.rows_rejected > 0 and len(report.rejects) >= MAX_REJECTS_KEPT
    report.reject_summary = staging.execute(
        "select \"column\", problem, count(distinct row) as rows, min(row) as first_row from rejects "
        "group by \"column\", problem order by rows desc, first_row"
    ).df()


def _nothing_loads(report: ImportReport) -> str:
    problems = "; ".join(
        f"{item.column}: {item.problem} ({item.rows} rows, first on row {item.first_row})"
        for item in report.reject_summary.head(3).itertuples(index=False)
    )
    return f"none of the {report.rows_read:,} rows can be loaded. The problems: {problems}."


def _success_message(report: ImportReport) -> str:
    verb = "would load" if report.outcome == "dry_run" else "loaded"
    text = f"{verb} {report.rows_valid:,} of {report.rows_read:,} rows"
    if report.rows_rejected:
        text += f"; {report.rows_rejected:,} rejected"
    if report.outcome == "dry_run":
        text += " (dry run: nothing was written)"
    return text


__all__ = ["import_file", "propose_mapping", "read_preview", "suggested_kind", "previous_load"]
