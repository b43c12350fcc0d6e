"""Personal data: erasing a customer everywhere (GDPR art. 17) and redacting contact details in free text.

`forget` removes every row of the given customers in one transaction and records only
counts (table `erasures`, `erased_rows`): lineage stays explainable without saying whom.
`redact_contacts` replaces e-mail addresses and phone numbers inside comments;
`redact_column` does it over a whole column in place, for an import that is asked to.
"""

from __future__ import annotations

import contextlib
import dataclasses
import re
from pathlib import Path
from typing import Iterable, Sequence

import duckdb
import pandas as pd

from cxdata import layout, summaries
from cxdata.store import Store, is_local_file

EMAIL_MARK = "[email]"
PHONE_MARK = "[phone]"
# numbers without a country code are read as German ones: most users are in Germany
DEFAULT_PHONE_REGION = "DE"

# Tables holding a customer's rows, in the order they are erased (children first).
ERASED_TABLES = ("response_ratings", "responses", "tickets", "journey_events", "customers")

# local part, then "@" or a spelled-out (at)/[at], then a domain with at least one dot;
# \w keeps umlauts and other letters of internationalised addresses
EMAIL_PATTERN = re.compile(
    r"[\w.!#$%&'*+/=?^`{|}~-]+"
    r"(?:@|\s?[\[(]\s?(?:at|ät)\s?[\])]\s?)"
    r"[\w-]+(?:\.[\w-]+)*\.[^\W\d_]{2,}",
    re.IGNORECASE,
)
# text worth handing to the phone-number matcher: a run of 6 or more digits with separators
PHONE_CANDIDATE = re.compile(r"\d[\d\s()./-]{4,}\d")


@dataclasses.dataclass(frozen=True)
class ForgetReport:
    """What one forget did; it names no customer."""

    customers_requested: int
    customers_found: int
    rows_deleted: dict[str, int]
    erasure_id: int | None
    dry_run: bool = False

    @property
    def total_rows(self) -> int:
        return sum(self.rows_deleted.values())


def _clean_ids(customer_ids: Iterable[str]) -> list[str]:
    cleaned = {str(value).strip() for value in customer_ids}
    cleaned.discard("")
    return sorted(cleaned)


# The rows each erased table loses, per source import: (table_name, import_id) for every row.
# Bound parameter $ids is the list of customer ids.
ERASED_ROWS_SQL = """
with

requested as (
    select unnest($ids::varchar[]) as customer_id
),

their_responses as (
    select response_id, import_id from responses where customer_id in (select customer_id from requested)
),

per_row as (
    select 'response_ratings' as table_name, their_responses.import_id
    from response_ratings
    inner join their_responses on their_responses.response_id = response_ratings.response_id
    union all
    select 'responses', import_id from their_responses
    union all
    select 'tickets', import_id from tickets where customer_id in (select customer_id from requested)
    union all
    select 'journey_events', import_id from journey_events where customer_id in (select customer_id from requested)
    union all
    select 'customers', import_id from customers where customer_id in (select customer_id from requested)
),

final as (
    select table_name, import_id, count(*) as rows_deleted,
    from per_row
    group by all
)

select * from final order by table_name, import_id
"""

FOUND_SQL = """
select count(distinct customer_id)
from (
    select customer_id from customers
    union all select customer_id from responses
    union all select customer_id from tickets
    union all select customer_id from journey_events
)
where list_contains($ids::varchar[], customer_id)
"""

# children first: a rating is found through its response
ERASE_STATEMENTS = (
    """
    delete from response_ratings
    where response_id in (select response_id from responses where list_contains($ids::varchar[], customer_id))
    """,
    # undo keeps earlier versions of replaced rows as JSON: drop every one that belonged to
    # these customers or their responses, so that no undo can bring them back
    """
    delete from import_replaced_rows
    where list_contains($ids::varchar[], json_extract_string(previous_row, '$.customer_id'))
       or json_extract_string(previous_row, '$.response_id') in (
           select response_id from responses where list_contains($ids::varchar[], customer_id))
       or (table_name = 'customers' and list_contains($ids::varchar[], row_key))
       or (table_name in ('responses', 'response_ratings') and row_key in (
           select response_id from responses where list_contains($ids::varchar[], customer_id)))
       -- the markers of rows taken over unchanged hold no values, only the row's id
       or (table_name = 'tickets' and row_key in (
           select ticket_id from tickets where list_contains($ids::varchar[], customer_id)))
       or (table_name = 'journey_events' and row_key in (
           select event_id from journey_events where list_contains($ids::varchar[], customer_id)))
    """,
    "delete from responses where list_contains($ids::varchar[], customer_id)",
    "delete from tickets where list_contains($ids::varchar[], customer_id)",
    "delete from journey_events where list_contains($ids::varchar[], customer_id)",
    "delete from customers where list_contains($ids::varchar[], customer_id)",
)


def _report(rows: list[tuple], requested: int, found: int, erasure_id: int | None, dry_run: bool) -> ForgetReport:
    rows_deleted = {table: 0 for table in ERASED_TABLES}
    for table, _import_id, count in rows:
        rows_deleted[table] += count
    return ForgetReport(requested, found, rows_deleted, erasure_id, dry_run)


def forget(store: Store, customer_ids: Iterable[str], dry_run: bool = False) -> ForgetReport:
    """Erase every row of these customers: their responses and those responses' ratings,
    tickets, journey events, the customer rows, and the earlier versions of those rows that
    undo keeps. One transaction: all of it or nothing. Lineage keeps counts only.
    With dry_run, only count what would go."""
    ids = _clean_ids(customer_ids)
    if not ids:
        raise ValueError("Name at least one customer id to forget.")
    params = {"ids": ids}
    if dry_run:
        counted = store.query_rows(ERASED_ROWS_SQL, params)
        return _report(counted, len(ids), store.query_value(FOUND_SQL, params), None, dry_run=True)
    with store.transaction() as cursor:
        counted = cursor.execute(ERASED_ROWS_SQL, params).fetchall()
        found = cursor.execute(FOUND_SQL, params).fetchone()[0]
        for table in layout.NEIGHBOURS_OF:
            # the erased rows' places: another customer's rows may share their sequence
            layout.note_changed(
                cursor, table, f"select * from main.{table} where list_contains($ids::varchar[], customer_id)", params,
            )
        # the days of the erased answers are recounted without them, and their pairs go
        summaries.note_answers(cursor, "select * from main.responses where list_contains($ids::varchar[], customer_id)", params)
        # and the customers' own rows go from the churn counts
        summaries.note_customer_records(cursor)
        for statement in ERASE_STATEMENTS:
            cursor.execute(statement, params)
        layout.refresh_neighbours(cursor, changed_only=True)
        summaries.refresh(cursor, changed_only=True)
        erasure_id = cursor.execute("select nextval('erasure_id_seq')").fetchone()[0]
        cursor.execute(
            "insert into erasures values (?, current_timestamp::timestamp, ?, ?)",
            [erasure_id, len(ids), sum(count for _table, _import, count in counted)],
        )
        if counted:
            cursor.executemany(
                "insert into erased_rows values (?, ?, ?, ?)",
                [[erasure_id, table, import_id, count] for table, import_id, count in counted],
            )
    # the erased rows must not linger in the write-ahead log either; when a reader holds
    # a transaction open DuckDB refuses, and checkpoints by itself later
    with contextlib.suppress(duckdb.TransactionException):
        store.checkpoint()
    return _report(counted, len(ids), found, erasure_id, dry_run=False)


def copies_outside_the_store(store: Store) -> list[Path]:
    """Files beside the store that may still hold erased data: kept write-ahead logs and backups."""
    if not is_local_file(store.database):
        return []
    database = Path(store.database)
    return sorted(path for path in database.parent.glob(database.name + ".*") if path.suffix not in (".wal", ".inbox"))


# -- redaction ---------------------------------------------------------------------


# a run of digits with the separators phone numbers are written with
DIGIT_RUN = re.compile(r"\+?\d[\d \t()./-]*\d")
# dates are digit runs too: never part of a phone number found group by group
DATE_LIKE = re.compile(r"\b\d{1,2}\.\d{1,2}\.\d{2,4}\b|\b\d{4}-\d{2}-\d{2}\b")
# how many space-separated groups of a digit run are tried as the start or end of a number
MAX_GROUPS = 8


def _phone_spans(text: str, region: str) -> list[tuple[int, int]]:
    """(start, end) of every phone number in the text.

    libphonenumber's matcher finds numbers written as such; it gives up on a run where a
    number follows other digits ("Note 10 030 1234567"), so such runs are tried group by group."""
    import phonenumbers  # imported here: only redaction needs it

    spans = [
        (match.start, match.end)
        for match in phonenumbers.PhoneNumberMatcher(text, region, leniency=phonenumbers.Leniency.VALID)
    ]
    for run in DIGIT_RUN.finditer(text):
        if any(start < run.end() and run.start() < end for start, end in spans):
            continue
        groups = [(group.start() + run.start(), group.end() + run.start())
                  for group in re.finditer(r"\S+", run.group())][:MAX_GROUPS]
        position = 0
        while position < len(groups):
            found = None
            # a number written on its own starts with its trunk prefix 0, or with + or 00
            starts = text[groups[position][0]] in "0+("
            for last in range(len(groups) - 1, position - 1, -1) if starts else ():
                candidate = text[groups[position][0]:groups[last][1]]
                if DATE_LIKE.search(candidate):
                    continue
                if 6 <= sum(char.isdigit() for char in candidate) <= 17 and _is_phone_number(candidate, region):
                    found = last
                    break
            if found is None:
                position += 1
            else:
                spans.append((groups[position][0], groups[found][1]))
                position = found + 1
    return sorted(spans)


def _is_phone_number(candidate: str, region: str) -> bool:
    import phonenumbers

    try:
        return phonenumbers.is_valid_number(phonenumbers.parse(candidate, region))
    except phonenumbers.NumberParseException:
        return False


def redact_contacts(text: str | None, region: str = DEFAULT_PHONE_REGION) -> str | None:
    """The text with e-mail addresses replaced by [email] and phone numbers by [phone].

    Phone numbers are recognised by Google's libphonenumber (package phonenumbers): German
    domestic forms (030 1234567, 0171-2345678, (030) 123 45 67) and international ones
    (+49 …, 0049 …, +1 (415) …), but not dates, prices, postcodes or order numbers,
    because a match must be a valid number for its country."""
    if text is None or (isinstance(text, float) and pd.isna(text)):
        return text
    redacted = EMAIL_PATTERN.sub(EMAIL_MARK, text)
    if not PHONE_CANDIDATE.search(redacted):
        return redacted
    pieces, position = [], 0
    for start, end in _phone_spans(redacted, region):
        pieces.append(redacted[position:start])
        pieces.append(PHONE_MARK)
        position = end
    pieces.append(redacted[position:])
    return "".join(pieces)


def redact_column(cursor: duckdb.DuckDBPyConnection, table: str, column: str, region: str = DEFAULT_PHONE_REGION) -> int:
    """Redact contact details in one text column of a (staging) table in place; returns
    how many distinct values changed. Only values that could hold an address or a number
    go through Python, so a large import stays fast."""
    for identifier in (table, column):
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", identifier):
            raise ValueError(f"'{identifier}' is not a plain table or column name.")
    candidates = cursor.execute(
        f"select distinct {column} as original from {table} "
        rf"where regexp_matches({column}, '@|[\[(]\s?(at|ät)\s?[\])]|\d[\d\s()./-]{{4,}}\d', 'i')"
    ).fetchall()
    changes = [
        (original, redacted)
        for (original,) in candidates
        if (redacted := redact_contacts(original, region)) != original
    ]
    if changes:
        frame = pd.DataFrame(changes, columns=["original", "redacted"])
        cursor.register("redactions", frame)
        try:
            cursor.execute(
                f"update {table} set {column} = redactions.redacted "
                f"from redactions where {table}.{column} = redactions.original"
            )
        finally:
            cursor.unregister("redactions")
    return len(changes)


def redact_series(values: Sequence[str | None] | pd.Series, region: str = DEFAULT_PHONE_REGION) -> pd.Series:
    """redact_contacts over a column held in pandas."""
    series = values if isinstance(values, pd.Series) else pd.Series(values, dtype="object")
    return pd.Series([redact_contacts(value, region) for value in series], index=series.index, dtype="object")
