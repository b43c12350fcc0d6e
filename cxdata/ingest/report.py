"""What an import did, or would do: counts, rejected rows with their reasons, and a message."""

from __future__ import annotations

import dataclasses

import pandas as pd

REJECT_COLUMNS = ["row", "column", "value", "problem"]
# rejected rows kept in a report (the counts always cover all of them)
MAX_REJECTS_KEPT = 100_000


class ImportRefused(ValueError):
    """The file cannot be imported as asked; the message says what is wrong, where, and what to do."""


def empty_rejects() -> pd.DataFrame:
    return pd.DataFrame({name: pd.Series(dtype="object") for name in REJECT_COLUMNS})


@dataclasses.dataclass
class ImportReport:
    file_name: str
    kind: str
    outcome: str = "refused"  # loaded, dry_run, already_loaded or refused
    message: str = ""
    sha256: str = ""
    size_bytes: int = 0
    format: str = ""
    encoding: str | None = None
    delimiter: str | None = None
    layout: str = ""
    profile: str | None = None
    on_conflict: str = "update"
    rows_read: int = 0
    rows_valid: int = 0  # rows that pass validation: would load
    rows_rejected: int = 0
    rows_inserted: int = 0
    rows_updated: int = 0
    rows_unchanged: int = 0  # already stored with the same values
    rows_skipped: int = 0  # stored with other values, kept because on_conflict = skip
    ratings_loaded: int = 0
    import_id: int | None = None
    previous_import_id: int | None = None  # the load of the identical file, when recognised
    rejects: pd.DataFrame = dataclasses.field(default_factory=empty_rejects)
    reject_summary: pd.DataFrame = dataclasses.field(default_factory=pd.DataFrame)
    rejects_truncated: bool = False
    warnings: list[str] = dataclasses.field(default_factory=list)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.outcome != "refused"

    def counts(self) -> dict[str, int]:
        return {
            "rows_read": self.rows_read,
            "rows_valid": self.rows_valid,
            "rows_rejected": self.rows_rejected,
            "rows_inserted": self.rows_inserted,
            "rows_updated": self.rows_updated,
            "rows_unchanged": self.rows_unchanged,
            "rows_skipped": self.rows_skipped,
            "ratings_loaded": self.ratings_loaded,
        }

    def as_dict(self) -> dict:
        """JSON-friendly: everything but the rejected rows' table, which is summarised."""
        fields = {
            field.name: getattr(self, field.name) for field in dataclasses.fields(self)
            if field.name not in ("rejects", "reject_summary")
        }
        fields["warnings"] = list(self.warnings)
        fields["reject_summary"] = self.reject_summary.to_dict("records")
        fields["rejects_first"] = self.rejects.head(20).to_dict("records")
        return fields

    def text(self) -> str:
        """The report as the command line prints it."""
        detected = ", ".join(
            part for part in (
                self.format,
                self.encoding and f"encoding {self.encoding}",
                self.delimiter and f"delimiter {self.delimiter!r}",
                self.layout and f"layout {self.layout}",
            ) if part
        )
        lines = [f"{self.file_name} ({self.kind}): {self.message}"]
        if detected:
            lines.append(f"  detected: {detected}")
        if self.rows_read:
            lines.append(
                f"  rows read: {self.rows_read}, would load: {self.rows_valid}, rejected: {self.rows_rejected}"
            )
        if self.outcome in ("loaded", "dry_run") and self.rows_valid:
            verb = "would be" if self.outcome == "dry_run" else "were"
            lines.append(
                f"  of the rows that load, {verb}: new {self.rows_inserted}, updated {self.rows_updated}, "
                f"unchanged {self.rows_unchanged}, skipped (kept the stored version) {self.rows_skipped}"
            )
            if self.ratings_loaded:
                lines.append(f"  ratings: {self.ratings_loaded}")
        if self.import_id is not None:
            lines.append(f"  import id: {self.import_id} (undo with: python -m cxdata undo {self.import_id})")
        for warning in self.warnings:
            lines.append(f"  note: {warning}")
        if self.rows_rejected:
            lines.append("  rejected rows by problem:")
            for item in self.reject_summary.itertuples(index=False):
                lines.append(f"    {item.rows:>8} × {item.column}: {item.problem}")
            lines.append("  first rejected rows:")
            for item in self.rejects.head(10).itertuples(index=False):
                lines.append(f"    row {item.row}, {item.column}: {item.problem} (value {item.value!r})")
        lines.append(f"  took {self.seconds:.2f} s")
        return "\n".join(lines)
