"""Validation of every row in SQL: text in `raw` -> typed rows in `clean`, problems in `rejects`.

All of it runs as a few set-based statements in the private staging database. Every row is
parsed and checked in one pass (`parsed`, with a flag for rows that fail any check); only the
flagged rows are looked at again to say what is wrong with them, so a clean million-row file
costs that pass, a group-by for repeated ids and the read of the rows that load. Identifiers
in the SQL are ours (c1…cN, the canonical field names); every value that comes from the user
(column names, constants, scale, not-applicable values) is a bound parameter.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from cxdata.ingest import fields as F
from cxdata.ingest.layouts import Column
from cxdata.ingest.mapping import Mapping
from cxdata.ingest.report import ImportRefused

# Tried in this order; per column the format that reads most values wins (ties: the earlier).
# Offsets (Z, +02:00) are dropped first: times are kept as the wall-clock time of the export.
TIMESTAMP_FORMATS = (
    "%Y-%m-%d %H:%M:%S.%f", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d",
    "%d.%m.%Y %H:%M:%S", "%d.%m.%Y %H:%M", "%d.%m.%Y", "%d.%m.%y %H:%M", "%d.%m.%y",
    "%m/%d/%Y %I:%M:%S %p", "%m/%d/%Y %I:%M %p", "%m/%d/%Y %H:%M:%S", "%m/%d/%Y %H:%M", "%m/%d/%Y",
    "%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%d/%m/%Y",
    "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y/%m/%d",
)
FORMAT_SAMPLE_ROWS = 5_000
FORMATS_AT_A_TIME = 4
# the years a date may have: others are typing errors (or a two-digit year read as four digits)
FIRST_YEAR, LAST_YEAR = 1900, 2100
ID_PREFIX = {"survey": "resp-", "tickets": "tkt-", "journey": "evt-"}
SQL_TYPES = {
    F.TEXT: "varchar", F.ID: "varchar", F.TIMESTAMP: "timestamp", F.DATE: "date", F.INTEGER: "integer",
    F.SCORE: "tinyint", F.DECIMAL: "decimal(14, 2)", F.NUMBER: "double", F.MINUTES: "double", F.CHOICE: "varchar",
}


@dataclasses.dataclass
class Plan:
    """A mapping resolved against one file's columns."""

    kind: str
    sources: dict[str, Column]  # field -> column
    constants: dict[str, str]
    ratings: list[tuple[Column, str]]  # column, attribute
    derive_id: bool
    mapping: Mapping


@dataclasses.dataclass
class Validated:
    rows_read: int
    rows_valid: int
    rows_rejected: int
    ratings_valid: int
    notes: list[str]
    parsed: pa.Table | None = None  # every row, parsed and checked (registered as `parsed`)
    # when `clean` only picks columns of `parsed`: (its column, the column of parsed)
    picked: list[tuple[str, str]] | None = None


class Params:
    """Collects bound values: `params(value)` returns the placeholder to put in the SQL."""

    def __init__(self, prefix: str = "p") -> None:
        self.prefix = prefix
        self.values: dict[str, Any] = {}

    def __call__(self, value: Any) -> str:
        name = f"{self.prefix}{len(self.values)}"
        self.values[name] = value
        return f"${name}"

    def used_in(self, sql: str) -> dict[str, Any]:
        """The values the SQL refers to (DuckDB refuses unused named parameters)."""
        used = set(re.findall(rf"\$({self.prefix}\d+)\b", sql))
        return {name: value for name, value in self.values.items() if name in used}


@dataclasses.dataclass(frozen=True)
class Inputs:
    """The CTE `inputs` (the text each field gets, constants applied) and its bound values."""

    sql: str
    params: dict[str, Any]


def _inputs_sql(inputs: str, source: str) -> str:
    return f"with inputs as (select __row, __extra, {inputs} from {source}) "


def make_plan(kind: str, columns: list[Column], mapping: Mapping, suggested_kind: str | None = None) -> Plan:
    """Check a mapping against the file's columns; refuse with what is missing and what to do."""
    if mapping.kind != kind:
        raise ImportRefused(f"The mapping is for a {mapping.kind} import, but the import is of kind {kind}.")
    by_name = {column.name: column for column in columns}
    problems = []
    sources = {}
    for field_name, column_name in mapping.columns.items():
        if column_name in by_name:
            sources[field_name] = by_name[column_name]
        else:
            problems.append(f"the column '{column_name}' (for {field_name}) is not in the file")
    ratings = []
    attributes = set()
    for column_name, attribute in mapping.ratings.items():
        if column_name not in by_name:
            problems.append(f"the rating column '{column_name}' is not in the file")
            continue
        if attribute in attributes:
            problems.append(f"two rating columns are both called '{attribute}'")
        attributes.add(attribute)
        ratings.append((by_name[column_name], attribute))
    key = F.ID_FIELD[kind]
    derive_id = key not in sources and key not in mapping.constants and kind in ID_PREFIX
    missing = [
        field.name for field in F.fields_of(kind)
        if field.required and field.name not in sources and field.name not in mapping.constants
        and not (field.name == key and derive_id)
    ]
    hint = ""
    if missing:
        if suggested_kind and suggested_kind != kind:
            hint = f" It looks like a {suggested_kind} export: import it with kind {suggested_kind}."
        problems.append(
            f"nothing gives the required field{'s' if len(missing) > 1 else ''} {', '.join(missing)}: "
            f"choose {'their columns' if len(missing) > 1 else 'its column'} in the mapping or give a constant"
        )
    if kind == "survey" and not (
        {"nps", "csat", "ces", "comment"} & (set(sources) | set(mapping.constants)) or ratings
    ):
        problems.append("the mapping has no answer: map at least one of nps, csat, ces, comment or a rating column")
    if problems:
        columns_text = ", ".join(f"'{column.name}'" for column in columns[:15])
        more = f" and {len(columns) - 15} more" if len(columns) > 15 else ""
        raise ImportRefused(
            f"The file cannot be imported as {kind} with this mapping: " + "; ".join(problems)
            + f". The file's columns are: {columns_text}{more}.{hint}"
        )
    return Plan(kind, sources, dict(mapping.constants), ratings, derive_id, mapping)


def validate(
    con: duckdb.DuckDBPyConnection, plan: Plan, default_decimal: str = ".", materialize: bool = False
) -> Validated:
    """Build `clean` (typed rows ready to load), `clean_ratings` and `rejects` from `raw`.

    Every row parsed and checked is `parsed`, an Arrow table registered in `con`. `clean` is a
    view that picks its columns (rows_to_load then hands them over without a copy) unless
    `materialize` (a table, for changes in place such as redaction) or ids are derived.
    """
    inputs_params = Params("i")
    specs = [field for field in F.fields_of(plan.kind) if field.name in plan.sources or field.name in plan.constants]
    notes: list[str] = []
    inputs = ",\n".join(f"{_input_sql(field, plan, inputs_params)} as in_{field.name}" for field in specs)
    # a CTE, not a table: each materialised copy of a million rows costs seconds (and a view
    # cannot hold bound values)
    inputs_cte = Inputs(_inputs_sql(inputs, "raw"), inputs_params.values)

    params = Params()
    numbers, values = [], []
    for field in specs:
        number, value = _parse_sql(con, inputs_cte, field, plan, params, default_decimal, notes)
        if number != "null":
            numbers.append(f"{number} as n_{field.name}")
        if value != f"in_{field.name}":
            values.append(f"{value} as v_{field.name}")
    outputs = _outputs(plan, specs)
    # what is not a column of its own yet becomes one, so that `clean` only picks columns
    computed = [f"{value} as o_{name}" for name, value in outputs if not _is_column(value)]
    outputs = [(name, value if _is_column(value) else f"o_{name}") for name, value in outputs]
    _build_ratings(con, plan)  # first: a row's ratings may be its only answer
    checks = _row_checks(plan, specs, params)
    # any problem at all, row by row: only these rows are examined again to name their problems
    suspect = " or ".join(f"({check.where})" for check in checks) or "false"
    # nested selects, so that each number is computed once and each value from it
    steps = (
        f"numbered as (select *{''.join(', ' + n for n in numbers)} from inputs), "
        f"valued as (select *{''.join(', ' + v for v in values)} from numbered), "
        f"checked as (select *{''.join(', ' + c for c in computed)}, coalesce({suspect}, false) as __suspect from valued) "
    )
    # only the columns that load (and the flag) come out: the texts and numbers the checks read
    # are parsed again for the flagged rows alone (_build_rejects); converting them all to Arrow
    # cost 0.12 s per million rows
    kept = ", ".join(dict.fromkeys(["__row", *(value for _name, value in outputs), "__suspect"]))
    sql = f"{inputs_cte.sql}, {steps} select {kept} from checked"
    # Arrow rather than a table: the rows that load are then picked from it without a copy
    parsed = con.sql(sql, params={**inputs_cte.params, **params.used_in(sql)}).to_arrow_table()
    con.register("parsed", parsed)
    every_column = f"{_inputs_sql(inputs, 'suspect_raw')}, {steps} select * from checked"
    every_column_params = {**inputs_cte.params, **params.used_in(every_column)}
    _build_rejects(con, plan, parsed, checks, every_column, every_column_params, params)
    picked = _build_clean(con, plan, outputs, materialize)
    rows_rejected, ratings_valid = con.execute(
        "select (select count(distinct row) from rejects), (select count(*) from clean_ratings)"
    ).fetchall()[0]
    # every reject names a row of `parsed` and `clean` is `parsed` less those rows: no need to count it
    rows_read = parsed.num_rows
    return Validated(rows_read, rows_read - rows_rejected, rows_rejected, ratings_valid, notes, parsed, picked)


def rows_to_load(con: duckdb.DuckDBPyConnection, validated: Validated) -> pa.Table:
    """`clean` as Arrow, without __row: picked from `parsed` (no copy unless rows were rejected).

    Takes `parsed` from `validated`, so that the columns not picked are freed as soon as the
    staging connection (which holds it registered) is closed, not kept while the rows load.
    """
    if validated.picked is None or validated.parsed is None:
        return con.sql("select * exclude (__row) from clean").to_arrow_table()
    rows, validated.parsed = validated.parsed, None
    if validated.rows_rejected:
        rejected = con.sql("select distinct row from rejects").to_arrow_table()["row"].combine_chunks()
        rows = rows.filter(pc.invert(pc.is_in(rows["__row"], value_set=rejected)))
    return rows.select([column for _name, column in validated.picked]).rename_columns(
        [name for name, _column in validated.picked]
    )


def _value(field: F.Field) -> str:
    """The column of `parsed` holding a field's final value: text is kept as it was read."""
    return f"in_{field.name}" if field.type in (F.TEXT, F.ID) else f"v_{field.name}"


# -- inputs: the text each field gets ---------------------------------------------------
def trimmed(column: str) -> str:
    """The column's text without surrounding spaces, NULL when nothing is left.

    trim() copies every string it is given; most values have nothing to trim, so only those
    that may (a space or any non-ASCII character, which could be a Unicode space such as
    U+00A0, or nothing at all) go through it. Same result as nullif(trim(x), ''); on the
    benchmark's ten columns of a million rows 0.75 instead of 1.2 CPU seconds.
    """
    return (
        f"case when starts_with({column}, ' ') or ends_with({column}, ' ') or {column} = '' "
        f"or strlen({column}) <> length({column}) then nullif(trim({column}), '') else {column} end"
    )


def _input_sql(field: F.Field, plan: Plan, params: Params) -> str:
    column = plan.sources.get(field.name)
    text = trimmed(f"c{column.position}") if column else "null::varchar"
    if field.name in plan.constants:
        # a constant fills the rows whose column is empty, or every row when nothing is mapped
        text = f"coalesce({text}, nullif(trim({params(plan.constants[field.name])}::varchar), ''))"
    if field.type == F.CHOICE:
        text = f"{'upper' if field.name == 'moment_of_truth' else 'lower'}({text})"
    if field.spellings:
        cases = " ".join(
            f"when {params(spelling)} then {params(meaning or None)}::varchar" for spelling, meaning in field.spellings
        )
        text = f"(case lower({text}) {cases} else {text} end)"
    return text


# -- parsing: the typed value, and the number or time before its range check ------------
def _parse_sql(
    con: duckdb.DuckDBPyConnection, inputs: "Inputs", field: F.Field, plan: Plan, params: Params, default_decimal: str,
    notes: list[str],
) -> tuple[str, str]:
    x = f"in_{field.name}"
    if field.type in (F.TEXT, F.ID):
        return "null", x
    if field.type == F.CHOICE:
        return "null", f"case when {x} in ({', '.join(params(choice) for choice in field.choices)}) then {x} end"
    if field.type in (F.SCORE, F.INTEGER):
        # '9', '9,0', and answer labels like '10 - Äußerst wahrscheinlich'
        # the plain cast first: it reads most values without a copy, and no value with a comma
        number = (
            f"coalesce(try_cast({x} as double), try_cast(replace({x}, ',', '.') as double), "
            f"try_cast(replace(regexp_extract({x}, '^(-?[0-9]+(?:[.,][0-9]+)?)\\s*[-–:(=]', 1), ',', '.') as double))"
        )
        return number, f"case when n_{field.name} = round(n_{field.name}) {_range_sql(field, 'n_' + field.name)} then n_{field.name}::{SQL_TYPES[field.type]} end"
    if field.type in (F.DECIMAL, F.NUMBER, F.MINUTES):
        decimal = plan.mapping.options.get("decimal") or _detect_decimal(con, inputs, x, default_decimal)
        cleaned = f"regexp_replace({x}, '[€$£%\\s\u00a0]', '', 'g')"
        if decimal == ",":
            cleaned = f"replace(replace({cleaned}, '.', ''), ',', '.')"
        else:
            cleaned = f"replace({cleaned}, ',', '')"
        number = f"try_cast({cleaned} as double)"
        value = f"case when true {_range_sql(field, 'n_' + field.name)} then n_{field.name} end"
        if field.type == F.DECIMAL:
            value = f"case when true {_range_sql(field, 'n_' + field.name)} then round(n_{field.name}, 2)::decimal(14, 2) end"
        return number, value
    # timestamps and dates
    cleaned = (
        f"regexp_replace(replace({x}, 'T', ' '), "
        "'([0-9]{2}:[0-9]{2}(:[0-9]{2}(\\.[0-9]+)?)?)\\s*(Z|UTC|[+-][0-9]{2}:?[0-9]{2})$', '\\1')"
    )
    formats = _timestamp_formats(con, inputs, field, plan, cleaned, notes)
    serial = (
        # Excel's serial dates (days since 1899-12-30), as CSV exports of workbooks hold them
        # (a value with '-', '/' or ':' is none: contains() rules those out before the regex)
        f"case when not (contains({x}, '-') or contains({x}, '/') or contains({x}, ':')) "
        f"and regexp_full_match({x}, '[0-9]{{5}}(\\.[0-9]+)?') and try_cast({x} as double) between 20000 and 80000 "
        f"then timestamp '1899-12-30' + to_microseconds((try_cast({x} as double) * 86400000000)::bigint) end"
    )
    formats_sql = f"{params(formats)}::varchar[]"
    # cleaning is a regex replace on every value: most values read without it (one without
    # a 'T' or an offset is its own cleaned text)
    number = f"coalesce({serial}, try_strptime({x}, {formats_sql}), try_strptime({cleaned}, {formats_sql}))"
    value = f"case when year(n_{field.name}) between {FIRST_YEAR} and {LAST_YEAR} then n_{field.name} end"
    if field.type == F.DATE:
        value = f"({value})::date"
    return number, value


def _range_sql(field: F.Field, number: str) -> str:
    text = ""
    if field.minimum is not None:
        text += f" and {number} >= {float(field.minimum)!r}"
    if field.maximum is not None:
        text += f" and {number} <= {float(field.maximum)!r}"
    return text


def _timestamp_formats(
    con: duckdb.DuckDBPyConnection, inputs: "Inputs", field: F.Field, plan: Plan, cleaned: str, notes: list[str]
) -> list[str]:
    """The formats to try, best first: the one that reads most of the column's first values."""
    chosen = plan.mapping.options.get("date_format")
    if chosen:
        return [chosen]
    read = _values_read_by_format(con, inputs, field, cleaned)
    best = max(read, key=lambda i: (read[i], -i))
    if read[best] == 0:
        return list(TIMESTAMP_FORMATS)
    first = TIMESTAMP_FORMATS[best]
    if first.startswith("%m/%d") and any(read[i] == read[best] for i, fmt in enumerate(TIMESTAMP_FORMATS) if fmt.startswith("%d/%m")):
        notes.append(
            f"{field.name}: dates like 01/02/2024 read as month/day (US); "
            "set the option date_format = \"%d/%m/%Y\" for day/month."
        )
    return [first] + [fmt for fmt in TIMESTAMP_FORMATS if fmt != first]


def _values_read_by_format(con: duckdb.DuckDBPyConnection, inputs: "Inputs", field: F.Field, cleaned: str) -> dict[int, int]:
    """Per format (by its place in TIMESTAMP_FORMATS), how many of the column's first values it
    reads to a year that is kept ('01.03.24' is read by %d.%m.%Y too, as the year 24).

    Asked a few formats at a time, in order, until one reads every value: no later format can
    then win (ties go to the earlier), except over a US month/day format, whose day/month rivals
    decide a note. A failed parse is slow (all 20 formats on 5,000 values: 80-150 ms; an ISO
    column is decided by the first 4 in 20 ms)."""
    read: dict[int, int] = {}
    for start in range(0, len(TIMESTAMP_FORMATS), FORMATS_AT_A_TIME):
        batch = range(start, min(start + FORMATS_AT_A_TIME, len(TIMESTAMP_FORMATS)))
        counts = ", ".join(
            f"count(*) filter (where year(try_strptime({cleaned}, $f{i})) between {FIRST_YEAR} and {LAST_YEAR})"
            for i in batch
        )
        values, *found = con.execute(
            f"{inputs.sql} select count(*), {counts} from (select in_{field.name} from inputs "
            f"where in_{field.name} is not null limit {FORMAT_SAMPLE_ROWS})",
            {**inputs.params, **{f"f{i}": TIMESTAMP_FORMATS[i] for i in batch}},
        ).fetchone()
        read.update(zip(batch, found))
        if any(n == values and not TIMESTAMP_FORMATS[i].startswith("%m/%d") for i, n in read.items()):
            break
    return read


def _detect_decimal(con: duckdb.DuckDBPyConnection, inputs: "Inputs", x: str, default: str) -> str:
    """',' when more values look like 1.234,56 or 12,5 than like 1,234.56 or 12.5."""
    comma, dot = con.execute(
        f"{inputs.sql} select count(*) filter (where regexp_full_match({x}, '-?[0-9]{{1,3}}(\\.[0-9]{{3}})*,[0-9]+|-?[0-9]+,[0-9]+')), "
        f"count(*) filter (where regexp_full_match({x}, '-?[0-9]{{1,3}}(,[0-9]{{3}})*\\.[0-9]+|-?[0-9]+\\.[0-9]+')) "
        f"from (select {x} from inputs where {x} is not null limit {FORMAT_SAMPLE_ROWS})",
        inputs.params,
    ).fetchone()
    if comma != dot:
        return "," if comma > dot else "."
    return default


# -- ratings of wide survey exports -----------------------------------------------------
def _build_ratings(con: duckdb.DuckDBPyConnection, plan: Plan) -> None:
    params = Params()
    parts = [
        f"select __row, {params(column.name)}::varchar as column_name, {params(attribute)}::varchar as attribute, "
        f"{trimmed(f'c{column.position}')} as value from raw where {trimmed(f'c{column.position}')} is not null"
        for column, attribute in plan.ratings
    ]
    if not parts:
        parts = ["select null::bigint as __row, null::varchar as column_name, null::varchar as attribute, "
                 "null::varchar as value where false"]
    con.execute("create table ratings_in as " + "\nunion all\n".join(parts), params.values)
    scale = plan.mapping.ratings_scale
    na_numbers = [float(v) for v in scale.not_applicable if _is_number(v)]
    na_texts = [str(v).strip().lower() for v in scale.not_applicable if not _is_number(v)]
    con.execute(
        "create table ratings_parsed as "
        "with numbered as ("
        "  select *, coalesce(try_cast(replace(value, ',', '.') as double),"
        "    try_cast(replace(regexp_extract(value, '^(-?[0-9]+(?:[.,][0-9]+)?)\\s*[-–:(=]', 1), ',', '.') as double)) as number"
        "  from ratings_in"
        ") "
        "select *, list_contains($na_texts::varchar[], lower(value)) or list_contains($na_numbers::double[], number) as not_applicable,"
        " $min::double as scale_min, $max::double as scale_max from numbered",
        {"na_texts": na_texts, "na_numbers": na_numbers, "min": scale.min, "max": scale.max},
    )
    con.execute("drop table ratings_in")


def _is_number(value: Any) -> bool:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return True
    try:
        float(str(value).replace(",", "."))
        return True
    except ValueError:
        return False


# -- rejects ----------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class Check:
    """One problem a row can have: the reject it makes (column, value, problem: SQL) and when."""

    column: str
    value: str
    problem: str
    where: str  # SQL over the columns of `parsed`

    def select(self, table: str) -> str:
        return (
            f"select __row as row, {self.column}::varchar as \"column\", {self.value}::varchar as value, "
            f"{self.problem}::varchar as problem from {table} where {self.where}"
        )


def _row_checks(plan: Plan, specs: list[F.Field], params: Params) -> list[Check]:
    """The checks of one row on its own (repeated ids and ratings are checked apart)."""
    checks: list[Check] = []

    def reject(column: str, value: str, problem: str, where: str) -> None:
        checks.append(Check(column, value, problem, where))

    key = F.ID_FIELD[plan.kind]
    for field in specs:
        source = plan.sources.get(field.name)
        column = params(source.name if source else f"constant {field.name}")
        x, n, v = f"in_{field.name}", f"n_{field.name}", f"v_{field.name}"
        if field.type in (F.SCORE, F.INTEGER):
            reject(column, x, params(f"not a number ({field.name})"), f"{x} is not null and {n} is null")
            reject(column, x, params(f"not a whole number ({field.name})"), f"{n} <> round({n})")
        elif field.type in (F.DECIMAL, F.NUMBER, F.MINUTES):
            reject(column, x, params(f"not a number ({field.name})"), f"{x} is not null and {n} is null")
        elif field.type in (F.TIMESTAMP, F.DATE):
            reject(column, x, params(f"not a date or time ({field.name})"), f"{x} is not null and {n} is null")
            reject(column, x, params(f"year outside {FIRST_YEAR} to {LAST_YEAR} ({field.name})"), f"{n} is not null and {v} is null")
        elif field.type == F.CHOICE:
            reject(column, x, params(f"not one of {', '.join(field.choices)} ({field.name})"),
                   f"{x} is not null and {v} is null")
        if field.type in (F.SCORE, F.INTEGER, F.DECIMAL, F.NUMBER, F.MINUTES) and (
            field.minimum is not None or field.maximum is not None
        ):
            reject(column, x, params(f"outside {_range_text(field)} ({field.name})"),
                   f"{n} is not null and {n} = round({n}) and {v} is null" if field.type in (F.SCORE, F.INTEGER)
                   else f"{n} is not null and {v} is null")
        if field.required and not (field.name == key and plan.derive_id):
            reject(column, "null", params(f"empty, but {field.name} is required"), f"{x} is null")
    reject(params("(row)"), "null", params("more fields than the header has columns"), "__extra")
    for earlier, later in (("created_at", "first_response_at"), ("created_at", "resolved_at"),
                           ("signup_date", "churned_on")):
        if any(f.name == earlier for f in specs) and any(f.name == later for f in specs):
            source = plan.sources.get(later)
            reject(params(source.name if source else f"constant {later}"), f"in_{later}",
                   params(f"{later} is before {earlier}"), f"v_{later} < v_{earlier}")
    if plan.kind == "survey":
        # empty answers, not invalid ones (those are reported by their own column)
        answers = [f"in_{name} is null" for name in ("nps", "csat", "ces", "comment") if any(f.name == name for f in specs)]
        if plan.ratings:
            answers.append("__row not in (select __row from ratings_parsed where not not_applicable)")
        reject(params("(row)"), "null", params("no answer: no nps, csat, ces, comment or rating"),
               " and ".join(answers) or "true")
    return checks


def _build_rejects(
    con: duckdb.DuckDBPyConnection, plan: Plan, parsed: pa.Table, checks: list[Check], every_column: str,
    every_column_params: dict[str, Any], params: Params,
) -> None:
    """`rejects`: one row per problem of a row, from the rows `parsed` flagged and those with a repeated id.

    `every_column` (SQL, with its bound values) parses the rows of `suspect_raw` again with every
    text and number the checks read (`parsed` keeps only the columns that load)."""
    key = F.ID_FIELD[plan.kind]
    checks_ids = not plan.derive_id and key in plan.sources
    suspect = parsed["__suspect"]
    if checks_ids:
        repeated = con.sql(
            f"select in_{key} as id from parsed where in_{key} is not null group by in_{key} having count(*) > 1"
        ).to_arrow_table()
        con.register("repeated_ids", repeated)
        if repeated.num_rows:
            suspect = pc.or_(suspect, pc.is_in(parsed[f"in_{key}"], value_set=repeated["id"].combine_chunks()))
    # usually a handful of rows, which every check below reads; picked in Arrow, where a scan of
    # the flag alone costs nothing (DuckDB would convert every column of `parsed` to read it)
    con.register("suspect_rows", parsed.filter(suspect).select(["__row"]))
    con.execute("create view suspect_raw as select * from raw where __row in (select __row from suspect_rows)")
    con.execute(f"create table suspects as {every_column}", every_column_params)
    selects = [check.select("suspects") for check in checks]
    if checks_ids:
        source = plan.sources[key]
        # every row of a repeated id is a suspect, so the first of them is among them
        selects.append(
            f"select __row as row, {params(source.name)}::varchar as \"column\", in_{key} as value, "
            f"{params(f'the same {key} as row ')} || first_row as problem from ("
            f"  select __row, in_{key}, first_value(__row) over (partition by in_{key} order by __row) as first_row"
            f"  from suspects where in_{key} in (select id from repeated_ids)"
            f") where __row <> first_row"
        )
    if plan.ratings:
        scale = plan.mapping.ratings_scale
        selects.append(
            f"select __row as row, column_name as \"column\", value, {params('not a number (rating)')} as problem "
            "from ratings_parsed where number is null and not not_applicable"
        )
        selects.append(
            f"select __row as row, column_name as \"column\", value, "
            f"{params(f'outside the rating scale {_number(scale.min)} to {_number(scale.max)}')} as problem "
            "from ratings_parsed where not not_applicable and number not between scale_min and scale_max"
        )
    sql = "create table rejects as " + "\nunion all\n".join(selects)
    con.execute(sql, params.used_in(sql))


def _range_text(field: F.Field) -> str:
    if field.minimum is not None and field.maximum is not None:
        return f"{_number(field.minimum)} to {_number(field.maximum)}"
    if field.minimum is not None:
        return f"at least {_number(field.minimum)}"
    return f"at most {_number(field.maximum)}"


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


# -- the rows that load -----------------------------------------------------------------
def _outputs(plan: Plan, specs: list[F.Field]) -> list[tuple[str, str]]:
    """Each stored column of the kind, and its SQL over the columns of `parsed`."""
    present = {field.name for field in specs}
    outputs = []
    for field in F.fields_of(plan.kind):
        if field.derived:
            continue
        value = _value(field) if field.name in present else f"null::{SQL_TYPES[field.type]}"
        if plan.kind == "tickets" and field.name in ("first_response_at", "resolved_at"):
            minutes = {"first_response_at": "first_response_minutes", "resolved_at": "resolution_minutes"}[field.name]
            if minutes in present and "created_at" in present:
                value = (f"coalesce({value}, v_created_at + "
                         f"to_microseconds((v_{minutes} * 60000000)::bigint))")
        outputs.append((field.name, value))
    return outputs


def _is_column(sql: str) -> bool:
    return re.fullmatch(r"[a-z_]+", sql) is not None


def _build_clean(
    con: duckdb.DuckDBPyConnection, plan: Plan, outputs: list[tuple[str, str]], materialize: bool
) -> list[tuple[str, str]] | None:
    """`clean` and `clean_ratings`; returns what `clean` picks from `parsed` when it is a view that only picks."""
    key = F.ID_FIELD[plan.kind]
    picked = None
    con.execute(
        "create view valid_rows as select * from parsed where __row not in (select row from rejects)"
    )
    con.execute(
        "create table clean_ratings_raw as select __row, attribute, number as rating, scale_min, scale_max "
        "from ratings_parsed where not not_applicable and number between scale_min and scale_max "
        "and __row not in (select row from rejects)"
    )
    if plan.derive_id:
        # the row's own values (and ratings) make its id, numbered when the same row repeats
        hashed = [f"coalesce(cast({value} as varchar), chr(0))" for name, value in outputs if name != key]
        hashed.append("coalesce(ratings_text, chr(0))")
        digest = f"md5(concat_ws(chr(31), {', '.join(hashed)}))"
        prefix = ID_PREFIX[plan.kind]
        con.execute(
            "create table clean as "
            "with rated as ("
            "  select __row, string_agg(attribute || '=' || rating::varchar, chr(30) order by attribute) as ratings_text"
            "  from clean_ratings_raw group by __row"
            "), hashed as ("
            f"  select valid_rows.*, ratings_text, {digest} as digest"
            "  from valid_rows left join rated using (__row)"
            "), numbered as ("
            "  select *, row_number() over (partition by digest order by __row) as occurrence from hashed"
            ") "
            f"select __row, '{prefix}' || substr(digest, 1, 20) || case when occurrence > 1 then '-' || occurrence else '' end as {key}, "
            + ", ".join(f"{value} as {name}" for name, value in outputs if name != key)
            + " from numbered"
        )
    else:
        con.execute(
            f"create {'table' if materialize else 'view'} clean as select __row, "
            + ", ".join(f"{value} as {name}" for name, value in outputs)
            + " from valid_rows"
        )
        picked = None if materialize else outputs
    con.execute(
        f"create table clean_ratings as select clean.{key} as response_id, attribute, rating, scale_min, scale_max "
        "from clean_ratings_raw join clean using (__row)"
        if plan.kind == "survey" and plan.ratings else
        "create table clean_ratings as select null::varchar as response_id, null::varchar as attribute, "
        "null::double as rating, null::double as scale_min, null::double as scale_max where false"
    )
    return picked
