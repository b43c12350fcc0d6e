"""Reading a file: its preview, and all of its rows as text into a staging table.

Every value is read as text first (so an id like 00042 keeps its zeros) into a table
`raw(__row, c1 … cN, __extra)` of a private in-memory DuckDB: __row is the record's number
in the file counting header rows (the row number a spreadsheet shows), cK the K-th field,
and __extra whether the record had more fields than the header. validate.py casts from there.
"""

from __future__ import annotations

import codecs
import concurrent.futures
import dataclasses
import datetime as dt
import io
import os
import tempfile
from pathlib import Path
from typing import Any, Callable, Iterator

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa

from cxdata.ingest import layouts, sniff
from cxdata.ingest.layouts import Column, Layout
from cxdata.ingest.report import ImportRefused

PREVIEW_ROWS = 20
XLSX_BATCH = 50_000
Progress = Callable[[float, str], None]


@dataclasses.dataclass
class Preview:
    file_name: str
    path: Path
    size_bytes: int
    sha256: str
    format: str
    encoding: str | None
    delimiter: str | None
    layout: Layout
    columns: list[Column]
    rows: pd.DataFrame  # the first data rows, as text, one column per Column (by name)
    sheet: str | None = None
    notes: list[str] = dataclasses.field(default_factory=list)

    def column(self, name: str) -> Column | None:
        return next((column for column in self.columns if column.name == name), None)

    def samples(self) -> dict[str, list[Any]]:
        return {column.name: self.rows[column.name].tolist() for column in self.columns}

    def describe(self) -> str:
        """'CSV, semicolon-separated, cp1252, Qualtrics CSV export (3 header rows)' for people."""
        parts = [self.format.upper() if self.format != "xlsx" else "Excel workbook"]
        if self.delimiter:
            parts.append(f"{sniff.DELIMITER_NAMES.get(self.delimiter, repr(self.delimiter))}-separated")
        if self.encoding:
            parts.append({"utf-8-sig": "UTF-8 with BOM"}.get(self.encoding, self.encoding.upper().replace("_", "-")))
        if self.sheet:
            parts.append(f"sheet '{self.sheet}'")
        parts.append(self.layout.title)
        return ", ".join(parts)


def read_preview(
    source: str | Path | bytes,
    file_name: str | None = None,
    max_bytes: int | None = None,
    workdir: str | Path | None = None,
) -> Preview:
    """Detect a file's format, encoding, delimiter and layout, and read its first rows.

    `source` is a path or the file's bytes (an upload); bytes are kept in a file under
    `workdir` (default: the system's temporary folder) that the Preview's path points to.
    Raises ImportRefused with a message for people when the file cannot be read.
    """
    if isinstance(source, (bytes, bytearray)):
        handle, name = tempfile.mkstemp(prefix="cx-upload-", suffix=Path(file_name or "upload").suffix,
                                        dir=workdir)
        with os.fdopen(handle, "wb") as out:
            out.write(source)
        path = Path(name)
    else:
        path = Path(source)
        if not path.is_file():
            raise ImportRefused(f"There is no file {path}.")
    name = file_name or path.name
    size = sniff.check_size(path, name, max_bytes)
    # hashing releases the GIL: the file is hashed while sniff reads it through for its encoding
    # (the benchmark's 83 MB CSV: preview 0.16 -> 0.13 s)
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as hashing:
        sha256 = hashing.submit(sniff.file_sha256, path)
        found = sniff.sniff(path, name)
        sha256 = sha256.result()
    notes = list(found.notes)
    if found.format == "csv":
        layout, columns = layouts.detect(found.records)
        data = [list(record) for record in found.records[layout.header_rows:]]
        sheet = None
    elif found.format == "xlsx":
        sheet, records, notes_xlsx = _xlsx_head(path, name)
        notes += notes_xlsx
        if not records:
            raise ImportRefused(f"{name}: the sheet '{sheet}' is empty.")
        layout, columns = layouts.detect(records)
        data = records[layout.header_rows:]
    else:
        sheet = None
        names, data = _parquet_head(path, name)
        layout, columns = layouts.detect([names])
        layout = dataclasses.replace(layout, header_rows=0) if layout.name != "plain" else layouts.TABLE
        columns = layouts.columns_from_names(names)
    data = [row for row in data if any((value or "").strip() for value in row)]
    if not data and not (found.format == "csv" and size > sniff.SAMPLE_BYTES):
        what = "header rows" if layout.header_rows > 1 else "a header row"
        raise ImportRefused(
            f"{name} has {what} ({', '.join(c.name for c in columns[:6])}{', …' if len(columns) > 6 else ''}) "
            "but no data rows."
        )
    width = len(columns)
    padded = [(list(row) + [None] * width)[:width] for row in data[:PREVIEW_ROWS]]
    rows = pd.DataFrame(padded, columns=[column.name for column in columns], dtype="object")
    return Preview(
        file_name=name, path=path, size_bytes=size, sha256=sha256, format=found.format,
        encoding=found.encoding, delimiter=found.delimiter, layout=layout, columns=columns, rows=rows,
        sheet=sheet, notes=notes,
    )


# -- the whole file into the staging table --------------------------------------------
def load_raw(con: duckdb.DuckDBPyConnection, preview: Preview, workdir: Path, progress: Progress | None = None) -> bool:
    """Every record of the file as text into `raw`; returns whether it holds a data row.
    (Validation counts the rows: a count here read every field of every row once more.)"""
    width = len(preview.columns)
    if preview.format == "csv":
        _load_csv(con, preview, workdir, width)
    elif preview.format == "xlsx":
        _load_xlsx(con, preview, width, progress)
    else:
        _load_parquet(con, preview, width)
    fields = ", ".join(f"c{i}" for i in range(1, width + 1))
    # a view, not a copy: blank lines (every field empty) are not rows, spreadsheets append them freely
    con.execute(
        f"create view raw as select * from raw_all "
        f"where __row > {int(preview.layout.header_rows)} and coalesce({fields}) is not null"
    )
    return con.execute("select exists (select 1 from raw)").fetchall()[0][0]


def _load_csv(con: duckdb.DuckDBPyConnection, preview: Preview, workdir: Path, width: int) -> None:
    path = preview.path
    if preview.encoding not in ("utf-8", "utf-8-sig"):
        # DuckDB reads UTF-8 (and UTF-16/Latin-1, not cp1252): write one UTF-8 copy
        path = workdir / "utf8.csv"
        _transcode(preview.path, path, preview.encoding or "utf-8", preview.file_name)
    columns = {f"c{i}": "varchar" for i in range(1, width + 2)}  # one more: fields past the header
    text = _read_csv_text(con, path, preview.delimiter or ",", columns, preview.file_name)
    # the reader keeps the file's order, so the position + 1 is the record's number in the file
    con.register("raw_text", text.append_column("__row", pa.array(np.arange(1, text.num_rows + 1, dtype=np.int64))))
    fields = ", ".join(f"c{i}" for i in range(1, width + 1))
    con.execute(f"create view raw_all as select __row, {fields}, c{width + 1} is not null as __extra from raw_text")


# A record (a long comment, quoted line breaks and all) may take up to 16 MB. The reader's buffer
# must hold one; left to itself it sizes the buffer from this at 16 times as much, so that a file
# under 256 MB was one buffer, read by one thread (the benchmark's 83 MB: 0.51 -> 0.35 s).
MAX_RECORD_BYTES = 16 * 1024 * 1024


def _read_csv_text(
    con: duckdb.DuckDBPyConnection, path: Path, delimiter: str, columns: dict[str, str], name: str
) -> pa.Table:
    """Every record as text, in the file's order, as Arrow (a table in the staging database
    took 0.68 s for the benchmark's million rows, Arrow read in parallel 0.45 s)."""
    columns_sql = "{" + ", ".join(f"'{column}': '{type_}'" for column, type_ in columns.items()) + "}"
    sql = (
        "select * from read_csv($path, auto_detect = false, header = false, delim = $delim, quote = '\"', "
        "escape = '\"', null_padding = true, strict_mode = false, parallel = PARALLEL, "
        f"max_line_size = {MAX_RECORD_BYTES}, buffer_size = {MAX_RECORD_BYTES}, columns = {columns_sql})"
    )
    params = {"path": str(path), "delim": delimiter}
    try:
        return con.sql(sql.replace("PARALLEL", "true"), params=params).to_arrow_table()
    except duckdb.Error:
        # DuckDB's parallel reader refuses short rows (null_padding) together with line breaks
        # inside quotes: the serial reader takes both, and names any real fault of the file
        pass
    try:
        return con.sql(sql.replace("PARALLEL", "false"), params=params).to_arrow_table()
    except duckdb.Error as error:
        raise ImportRefused(f"{name} cannot be read as CSV: {str(error).splitlines()[0]}") from None


def _transcode(source: Path, target: Path, encoding: str, name: str) -> None:
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    with open(source, "rb") as read, open(target, "w", encoding="utf-8", newline="") as write:
        offset = 0
        for chunk in iter(lambda: read.read(1 << 22), b""):
            try:
                text = decoder.decode(chunk)
            except UnicodeDecodeError as error:
                raise ImportRefused(
                    f"{name} is not valid {encoding} at byte {offset + error.start}: the encoding was "
                    "guessed from its beginning. Save it again as UTF-8 (in Excel: 'CSV UTF-8')."
                ) from None
            write.write(text.lstrip("\ufeff") if offset == 0 else text)
            offset += len(chunk)
        write.write(decoder.decode(b"", final=True))


def _load_parquet(con: duckdb.DuckDBPyConnection, preview: Preview, width: int) -> None:
    try:
        names = [row[0] for row in con.execute("describe select * from read_parquet($p)", {"p": str(preview.path)}).fetchall()]
        fields = ", ".join(f'cast("{name.replace(chr(34), chr(34) * 2)}" as varchar) as c{i}' for i, name in enumerate(names[:width], 1))
        con.execute(
            f"create table raw_all as select (file_row_number + 1)::bigint as __row, {fields}, false as __extra "
            "from read_parquet($p, file_row_number = true)",
            {"p": str(preview.path)},
        )
    except duckdb.Error as error:
        raise ImportRefused(f"{preview.file_name} cannot be read as Parquet: {str(error).splitlines()[0]}") from None


def _parquet_head(path: Path, name: str) -> tuple[list[str], list[list[str | None]]]:
    con = duckdb.connect()
    try:
        relation = con.execute("select * from read_parquet($p) limit 60", {"p": str(path)})
        names = [column[0] for column in relation.description]
        rows = [[None if value is None else cell_text(value) for value in row] for row in relation.fetchall()]
    except duckdb.Error as error:
        raise ImportRefused(f"{name} is not a readable Parquet file: {str(error).splitlines()[0]}") from None
    finally:
        con.close()
    return names, rows


# -- Excel workbooks --------------------------------------------------------------------
def cell_text(value: Any) -> str | None:
    """A cell as the text a CSV export would hold: 12 not 12.0, dates as ISO."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return str(value)


def _open_workbook(path: Path, name: str):
    import openpyxl

    if not openpyxl.DEFUSEDXML:
        # without defusedxml openpyxl would expand XML entities: refuse rather than risk it
        raise ImportRefused("Excel files cannot be read safely here: the defusedxml package is missing.")
    sniff.check_workbook_archive(path, name)
    try:
        # from bytes: openpyxl judges a path by its extension, and a workbook may be named .csv
        return openpyxl.load_workbook(io.BytesIO(path.read_bytes()), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds on damaged or hostile files
        raise ImportRefused(_workbook_error(name, error)) from None


def _workbook_error(name: str, error: Exception) -> str:
    kind = type(error).__name__
    causes = set()
    cause: BaseException | None = error
    while cause is not None and len(causes) < 10:  # openpyxl wraps defusedxml's refusal
        causes.add(type(cause).__name__)
        cause = cause.__cause__ or cause.__context__
    if causes & {"EntitiesForbidden", "DTDForbidden", "ExternalReferenceForbidden"}:
        return (f"{name} is refused: it contains XML entity or DTD declarations, which a normal Excel file "
                "never has (a known attack). Save it again from Excel, or export a CSV.")
    return f"{name} is not a readable Excel workbook ({kind}: {str(error)[:200]}). Save it again as .xlsx or CSV."


def _sheet_rows(workbook, name: str) -> tuple[str, Iterator[tuple]]:
    sheet = workbook.worksheets[0] if workbook.worksheets else None
    if sheet is None:
        raise ImportRefused(f"{name} has no worksheet.")
    return sheet.title, sheet.iter_rows(values_only=True)


def _xlsx_head(path: Path, name: str) -> tuple[str, list[list[str | None]], list[str]]:
    workbook = _open_workbook(path, name)
    notes = []
    try:
        if len(workbook.worksheets) > 1:
            notes.append(f"The workbook has {len(workbook.worksheets)} sheets; the first, "
                         f"'{workbook.worksheets[0].title}', is read.")
        title, rows = _sheet_rows(workbook, name)
        records = []
        for row in rows:
            records.append([cell_text(value) for value in row])
            if len(records) >= sniff.SAMPLE_RECORDS:
                break
    except ImportRefused:
        raise
    except Exception as error:
        raise ImportRefused(_workbook_error(name, error)) from None
    finally:
        workbook.close()
    return title, records, notes


def _load_xlsx(con: duckdb.DuckDBPyConnection, preview: Preview, width: int, progress: Progress | None) -> None:
    names = ["__row", *(f"c{i}" for i in range(1, width + 1)), "__extra"]
    con.execute(
        "create table raw_all (__row bigint, "
        + ", ".join(f"c{i} varchar" for i in range(1, width + 1))
        + ", __extra boolean)"
    )
    workbook = _open_workbook(preview.path, preview.file_name)
    try:
        _title, rows = _sheet_rows(workbook, preview.file_name)
        batch: list[list] = []
        for number, row in enumerate(rows, start=1):
            values = [cell_text(value) for value in row]
            extra = any(value not in (None, "") for value in values[width:])
            batch.append([number, *(values + [None] * width)[:width], extra])
            if len(batch) >= XLSX_BATCH:
                _insert_batch(con, names, batch)
                batch = []
                if progress:
                    progress(0.1, f"read {number:,} rows of the workbook")
        _insert_batch(con, names, batch)
    except ImportRefused:
        raise
    except Exception as error:
        raise ImportRefused(_workbook_error(preview.file_name, error)) from None
    finally:
        workbook.close()


def _insert_batch(con: duckdb.DuckDBPyConnection, names: list[str], batch: list[list]) -> None:
    if not batch:
        return
    table = pa.table({name: [row[i] for row in batch] for i, name in enumerate(names)})
    con.register("xlsx_batch", table)
    con.execute("insert into raw_all select * from xlsx_batch")
    con.unregister("xlsx_batch")
