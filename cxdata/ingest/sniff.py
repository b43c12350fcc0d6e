"""What a file is: its format, text encoding and delimiter, and its first records.

Detection looks at the bytes, never at the file name: a workbook named .csv is read
as a workbook, and a binary file named .csv is refused with a message saying what it is.
"""

from __future__ import annotations

import codecs
import csv
import dataclasses
import hashlib
import io
import os
import zipfile
from pathlib import Path

from charset_normalizer import from_bytes

from cxdata.ingest.report import ImportRefused

DELIMITERS = (",", ";", "\t", "|")
DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}
SAMPLE_BYTES = 256 * 1024
SAMPLE_RECORDS = 60
DEFAULT_MAX_MB = 500
LEGACY_ENCODINGS = ("cp1252", "latin_1", "iso8859_15", "cp850", "mac_roman", "cp1250")

# first bytes of binary formats people rename or pick by mistake
MAGIC = (
    (b"%PDF", "a PDF document"),
    (b"\x89PNG", "a PNG image"),
    (b"GIF8", "a GIF image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"Rar!", "a RAR archive"),
    (b"7z\xbc\xaf", "a 7-Zip archive"),
    (b"SQLite format 3", "an SQLite database"),
    (b"\xd0\xcf\x11\xe0", "an old Excel 97-2003 (.xls) or other Office file: save it as .xlsx or CSV"),
    (b"MZ", "a Windows program"),
    (b"\x7fELF", "a program"),
)


@dataclasses.dataclass(frozen=True)
class Sniffed:
    format: str  # csv, xlsx or parquet
    encoding: str | None = None  # a Python codec name, for csv
    delimiter: str | None = None
    records: tuple[tuple[str, ...], ...] = ()  # the first records, header rows included
    sheet: str | None = None
    notes: tuple[str, ...] = ()


def max_bytes_allowed() -> int:
    """The configured size limit: $CX_IMPORT_MAX_MB megabytes, else 500."""
    return int(float(os.environ.get("CX_IMPORT_MAX_MB", DEFAULT_MAX_MB)) * 1024 * 1024)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def check_size(path: Path, name: str, max_bytes: int | None = None) -> int:
    size = path.stat().st_size
    limit = max_bytes if max_bytes is not None else max_bytes_allowed()
    if size > limit:
        raise ImportRefused(
            f"{name} is {size / 1024 / 1024:.1f} MB, more than the limit of {limit / 1024 / 1024:.0f} MB. "
            "Split the export into smaller files (e.g. by month), or raise the limit with $CX_IMPORT_MAX_MB."
        )
    if size == 0:
        raise ImportRefused(f"{name} is empty (0 bytes): export it again from the source tool.")
    return size


def sniff(path: Path, name: str) -> Sniffed:
    with open(path, "rb") as handle:
        head = handle.read(SAMPLE_BYTES)
    if head.startswith(b"PK\x03\x04"):
        return _sniff_zip(path, name)
    if head.startswith(b"PAR1"):
        return Sniffed(format="parquet")
    for magic, what in MAGIC:
        if head.startswith(magic):
            raise ImportRefused(f"{name} is {what}, not a CSV, Excel (.xlsx) or Parquet file.")
    encoding = detect_encoding(path, head, name)
    text = _decode_sample(head, encoding, complete=len(head) < SAMPLE_BYTES)
    if not text.strip():
        raise ImportRefused(f"{name} contains no data: only blank lines or spaces.")
    _refuse_binary_text(text, name)
    _refuse_broken_round_trip(text, name)
    delimiter = detect_delimiter(text)
    records = tuple(_parse_records(text, delimiter, complete=len(head) < SAMPLE_BYTES))
    return Sniffed(format="csv", encoding=encoding, delimiter=delimiter, records=records)


def detect_encoding(path: Path, head: bytes, name: str) -> str:
    """utf-8-sig / utf-16 by their BOM; utf-16 by its zero bytes; utf-8 if the whole file decodes; else guessed."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    sample = head[:4096]
    if len(sample) >= 4:
        even_zeros = sample[0::2].count(0) / len(sample[0::2])
        odd_zeros = sample[1::2].count(0) / len(sample[1::2])
        if odd_zeros > 0.4 and even_zeros < 0.05:
            return "utf-16-le"
        if even_zeros > 0.4 and odd_zeros < 0.05:
            return "utf-16-be"
    if b"\x00" in head:
        raise ImportRefused(f"{name} is a binary file (it contains zero bytes), not a CSV or text export.")
    failed_at = _first_utf8_error(path)
    if failed_at is None:
        return "utf-8"
    with open(path, "rb") as handle:
        handle.seek(max(0, failed_at - 32 * 1024))
        window = head + handle.read(64 * 1024)
    # Not UTF-8: German and Western European Excel writes cp1252. On a few lines of German
    # text charset-normalizer cannot tell cp1252 from cp1250 or mac_roman, so cp1252 wins
    # whenever it decodes the bytes; the guess decides only among the rest.
    try:
        window.decode("cp1252")
        return "cp1252"
    except UnicodeDecodeError:
        pass
    guess = from_bytes(window, cp_isolation=list(LEGACY_ENCODINGS)).best()
    encoding = guess.encoding if guess is not None else "latin_1"
    return encoding


def _first_utf8_error(path: Path) -> int | None:
    decoder = codecs.getincrementaldecoder("utf-8")()
    offset = 0
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as error:
                return offset + error.start
            offset += len(chunk)
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return offset
    return None


def _decode_sample(head: bytes, encoding: str, complete: bool) -> str:
    decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
    return decoder.decode(head, final=complete)


def _refuse_binary_text(text: str, name: str) -> None:
    sample = text[:20000]
    controls = sum(1 for char in sample if ord(char) < 32 and char not in "\t\r\n\f")
    replaced = sample.count("\ufffd")
    if controls + replaced > max(5, len(sample) // 100):
        raise ImportRefused(
            f"{name} does not look like text: it has {controls + replaced} unreadable characters in its "
            "first part. It is probably a binary file renamed to .csv; export a CSV or .xlsx file instead."
        )


def _refuse_broken_round_trip(text: str, name: str) -> None:
    """Every line one field and then only empty ';' fields: a CSV a spreadsheet opened as one column."""
    lines = [line for line in text.splitlines()[:SAMPLE_RECORDS] if line.strip()]
    if len(lines) < 2 or not all(line.rstrip().endswith(";;") for line in lines):
        return
    records = list(csv.reader(io.StringIO("\n".join(lines)), delimiter=";"))
    if all(len(record) >= 3 and not any(value.strip() for value in record[1:]) for record in records):
        raise ImportRefused(
            f"{name} has one column only: every line is one field followed by empty ';' fields "
            f"(line 1 is: {lines[0][:80]!r}). A spreadsheet program opened a CSV as a single column and "
            "saved it again. Export the file again from the source tool, or open it in the spreadsheet with "
            "Data > From Text/CSV and the right delimiter before saving."
        )


def detect_delimiter(text: str) -> str:
    """The delimiter that splits the first records into the most equal, widest rows."""
    best, best_score = ",", (0.0, 0)
    for delimiter in DELIMITERS:
        records = _parse_records(text, delimiter, complete=False)
        widths = [len(record) for record in records if any(value.strip() for value in record)]
        if not widths:
            continue
        modal = max(set(widths), key=widths.count)
        if modal < 2:
            continue
        score = (round(widths.count(modal) / len(widths), 2), modal)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _parse_records(text: str, delimiter: str, complete: bool) -> list[tuple[str, ...]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, quotechar='"', doublequote=True)
    records = []
    try:
        for record in reader:
            records.append(tuple(record))
            if len(records) > SAMPLE_RECORDS:
                break
    except csv.Error:
        pass
    if not complete and len(records) > 1:
        records = records[:-1]  # the sample may end inside the last record
    return records[:SAMPLE_RECORDS]


# -- Excel workbooks -------------------------------------------------------------------
XLSX_MAX_UNCOMPRESSED = 1 << 30
XLSX_MAX_RATIO = 200


def _sniff_zip(path: Path, name: str) -> Sniffed:
    check_workbook_archive(path, name)
    return Sniffed(format="xlsx")


def check_workbook_archive(path: Path, name: str) -> None:
    """Refuse what is not an .xlsx, and archives that would expand to far more than they hold."""
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError) as error:
        raise ImportRefused(f"{name} is a damaged ZIP/Excel file and cannot be opened ({error}).") from None
    names = {member.filename for member in members}
    if "xl/workbook.xml" not in names:
        raise ImportRefused(f"{name} is a ZIP archive but not an Excel workbook (.xlsx); unpack it first.")
    _refuse_xml_declarations(path, name, members)
    total = sum(member.file_size for member in members)
    for member in members:
        ratio = member.file_size / max(member.compress_size, 1)
        if ratio > XLSX_MAX_RATIO and member.file_size > 10 * 1024 * 1024:
            raise ImportRefused(
                f"{name} is refused: its part {member.filename} would expand {ratio:.0f} times "
                "(a 'zip bomb'). Save the workbook again from Excel, or export a CSV."
            )
    if total > XLSX_MAX_UNCOMPRESSED:
        raise ImportRefused(f"{name} would expand to {total / 1024**3:.1f} GB; export a CSV instead.")


def _refuse_xml_declarations(path: Path, name: str, members: list[zipfile.ZipInfo]) -> None:
    """A DTD or entity declaration in a workbook part: Excel never writes one; entity bombs need one."""
    with zipfile.ZipFile(path) as archive:
        for member in members:
            if not member.filename.endswith((".xml", ".rels", ".vml")):
                continue
            with archive.open(member) as part:
                prolog = part.read(4096)
            if b"<!DOCTYPE" in prolog or b"<!ENTITY" in prolog:
                raise ImportRefused(
                    f"{name} is refused: it contains XML entity or DTD declarations (in {member.filename}), "
                    "which a normal Excel file never has (a known attack). Save it again from Excel, or export a CSV."
                )
