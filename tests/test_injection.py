"""Injection: hostile filter values, mapped column names and profile names reach SQL only as bound
parameters or allow-listed identifiers; downloads neutralise spreadsheet formulas."""

from __future__ import annotations

import datetime as dt
import importlib
import inspect
import io
import pkgutil
import re
import shutil
from pathlib import Path
from typing import Any, Callable

import hypothesis.strategies as st
import pandas as pd
import pytest
from hypothesis import given, settings

import cxdata.queries
from cxdata import demo
from cxdata.filters import DEFAULT_MIN_N, Filters
from cxdata.store import Store
from tests.conftest import table_fingerprint

# modules whose functions take (store, filters, ...) and feed pages
QUERY_MODULES = ["cxdata.metrics", "cxdata.overview"] + [
    f"cxdata.queries.{info.name}" for info in pkgutil.iter_modules(cxdata.queries.__path__)
]

HOSTILE = [
    "'",
    "''",
    '"',
    "'; drop table responses; --",
    "\"; drop table responses; --",
    "x' or '1'='1",
    "web') or true --",
    "$1",
    "?",
    "%",
    "_",
    "\\",
    "\x00",
    "ｗｅｂ",  # full-width look-alike of "web"
    "wеb",  # Cyrillic е
    "SMB\u200b",  # zero-width space
    "🙂" * 50,
    "a" * 100_000,
    "select * from customers",
    "); delete from customers; --",
    "\n;vacuum;\n",
]


def query_functions() -> list[tuple[str, Callable[..., Any]]]:
    """Every public function of the query modules whose first parameters are (store, filters)."""
    found = []
    for module_name in QUERY_MODULES:
        module = importlib.import_module(module_name)
        for name, function in inspect.getmembers(module, inspect.isfunction):
            if name.startswith("_") or function.__module__ != module_name:
                continue
            parameters = list(inspect.signature(function).parameters)
            if parameters[:2] == ["store", "filters"]:
                found.append((f"{module_name}.{name}", function))
    return found


def sample_arguments(store: Store) -> dict[str, Any]:
    """A sensible value for each extra parameter name the query functions take (taken from the data)."""
    first_month = store.query_value("select strftime(min(responded_at), '%Y-%m') from responses")
    return {
        "min_n": DEFAULT_MIN_N,
        "grain": "month",
        "period": first_month,
        "mix_by": "channel",
        "value": store.query_value("select min(channel) from responses"),
        "touchpoint": store.query_value("select min(touchpoint) from responses"),
        "dimension": "category",
        "group": store.query_value("select min(category) from tickets"),
        "split": "channel",
        "split_by": "channel",
        "metric": "nps",
    }


def call(function: Callable[..., Any], store: Store, filters: Filters, arguments: dict[str, Any]) -> Any:
    """Call with the arguments it names; a required parameter without a sample fails loudly."""
    signature = inspect.signature(function)
    kwargs = {}
    for name, parameter in list(signature.parameters.items())[2:]:
        if name in arguments:
            kwargs[name] = arguments[name]
        elif parameter.default is inspect.Parameter.empty:
            raise AssertionError(f"{function.__qualname__}: add a sample value for parameter '{name}' to sample_arguments")
    return function(store, filters, **kwargs)


@pytest.fixture(scope="module")
def demo_template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("injection") / "template.duckdb"
    with Store(str(path)) as store:
        demo.build_demo(store, responses=3000, seed=11)
    return path


@pytest.fixture(scope="module")
def demo_store(demo_template, tmp_path_factory) -> Store:
    path = tmp_path_factory.mktemp("injection-store") / "store.duckdb"
    shutil.copyfile(demo_template, path)
    store = Store(str(path))
    yield store
    store.close()


def test_query_functions_are_discovered():
    names = {name for name, _ in query_functions()}
    assert {"cxdata.metrics.kpi_summary", "cxdata.metrics.kpi_change"} <= names
    assert len(names) > 10


def test_hostile_filter_values_are_data_not_sql(demo_store):
    before = table_fingerprint(demo_store)
    arguments = sample_arguments(demo_store)
    # every hostile value at once: each list filter is one bound array
    filters = Filters(dt.date(2024, 1, 1), dt.date(2024, 12, 31), tuple(HOSTILE), (*HOSTILE, "web"), tuple(HOSTILE))
    for name, function in query_functions():
        result = call(function, demo_store, filters, arguments)
        assert isinstance(result, (pd.DataFrame, list, dict, str, tuple)), name
    assert table_fingerprint(demo_store) == before


DRILL_PARAMETERS = ("period", "value", "touchpoint", "group", "grain", "split", "split_by", "mix_by", "metric", "dimension")


@pytest.mark.parametrize(
    "name, function",
    [(name, function) for name, function in query_functions()
     if set(inspect.signature(function).parameters) & set(DRILL_PARAMETERS)],
    ids=lambda value: value if isinstance(value, str) else "",
)
def test_hostile_drill_down_values_from_the_url_are_data_not_sql(demo_store, name, function):
    before = table_fingerprint(demo_store)
    arguments = sample_arguments(demo_store)
    names = set(inspect.signature(function).parameters) & set(DRILL_PARAMETERS)
    for hostile in HOSTILE[:12] + HOSTILE[13:16]:
        for parameter in names:
            try:
                result = call(function, demo_store, Filters(), {**arguments, parameter: hostile})
            except ValueError as refused:
                # refusing an unknown choice is fine, with a message that says so
                assert str(refused), name
                continue
            assert isinstance(result, (pd.DataFrame, list, dict, str, tuple)), name
    assert table_fingerprint(demo_store) == before


def test_a_hostile_segment_matches_nothing_rather_than_everything(demo_store):
    from cxdata import metrics

    everything = metrics.kpi_summary(demo_store, Filters())
    hostile = metrics.kpi_summary(demo_store, Filters(segments=("x' or '1'='1",)))
    assert everything.loc[everything["kpi"] == "nps", "n"].item() > 0
    assert hostile.loc[hostile["kpi"] == "nps", "n"].item() == 0


@pytest.mark.parametrize(
    "name, function",
    [
        ("grain", "cxdata.queries.nps.checked_grain"),
        ("split", "cxdata.queries.nps.checked_split"),
    ],
)
def test_identifier_choices_from_the_url_fall_back_to_an_allowed_value(name, function):
    module_name, function_name = function.rsplit(".", 1)
    checked = getattr(importlib.import_module(module_name), function_name)
    for hostile in HOSTILE:
        assert checked(hostile) in {"month", "week", "none", "segment", "channel"}


# -- mapped column names and profile names ------------------------------------------------

def hostile_header_file(folder: Path) -> tuple[Path, dict[str, str]]:
    """A survey export whose headers are hostile; returns it and a mapping field -> header."""
    headers = {
        "response_id": "id'; drop table responses; --",
        "responded_at": 'Datum" or 1=1 --',
        "nps": "=cmd|' /C calc'!A0",
        "comment": "Kommentar\u200b",  # zero-width space: a look-alike of a plain name
        "channel": "ｃｈａｎｎｅｌ",  # full-width
    }
    import csv as csv_module

    path = folder / "hostile_headers.csv"
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv_module.writer(handle)
        writer.writerow(headers.values())
        writer.writerow(["H1", "2025-03-01", "9", "Sehr gut", "web"])
        writer.writerow(["H2", "2025-03-02", "3", "'; drop table customers; --", "app"])
    return path, headers


def test_hostile_mapped_column_names_are_read_as_names_not_sql(tmp_path):
    from cxdata.ingest import Mapping, import_file

    store = Store(":memory:")
    path, headers = hostile_header_file(tmp_path)
    before = table_fingerprint(store)
    report = import_file(store, path, "survey", mapping=Mapping("survey", columns=headers))
    assert report.outcome == "loaded", report.message
    assert store.query_rows("select response_id, nps, comment, channel from responses order by 1") == [
        ("H1", 9, "Sehr gut", "web"), ("H2", 3, "'; drop table customers; --", "app"),
    ]
    assert {table: value for table, value in table_fingerprint(store).items()
            if table not in ("responses", "imports")} == {
        table: value for table, value in before.items() if table not in ("responses", "imports")}


@pytest.mark.parametrize(
    "columns",
    [
        {"nps; drop table responses": "NPS"},
        {"response_id": "no such column'; --"},
        {"comment\u200b": "Kommentar"},
    ],
    ids=["hostile field", "missing column", "look-alike field"],
)
def test_a_mapping_naming_unknown_fields_or_columns_is_refused_with_a_message(tmp_path, columns):
    from cxdata.ingest import Mapping, import_file

    store = Store(":memory:")
    path, _ = hostile_header_file(tmp_path)
    before = table_fingerprint(store)
    try:
        report = import_file(store, path, "survey", mapping=Mapping("survey", columns=columns))
        outcome, message = report.outcome, report.message
    except ValueError as refused:  # the Mapping itself refuses unknown fields
        outcome, message = "refused", str(refused)
    assert outcome == "refused" and len(message) > 20
    assert table_fingerprint(store) == before


@pytest.mark.parametrize("name", HOSTILE, ids=lambda value: repr(value[:30]))
def test_hostile_profile_names_are_refused_or_kept_verbatim(name):
    from cxdata.ingest import Mapping
    from cxdata.ingest import profiles

    store = Store(":memory:")
    mapping = Mapping("survey", columns={"nps": "NPS"})
    try:
        profiles.save_profile(store, name, mapping)
    except ValueError as refused:
        assert "profile name" in str(refused)
        assert profiles.list_profiles(store).empty
    else:
        assert profiles.list_profiles(store)["name"].tolist() == [name.strip()]
        assert profiles.load_profile(store, name.strip()) == mapping
    with pytest.raises(ValueError, match="There is no profile"):
        profiles.load_profile(store, name + "x")
    assert store.query_value("select count(*) from information_schema.tables where table_name = 'responses'") == 1


@settings(max_examples=150, deadline=None)
@given(st.dictionaries(st.sampled_from(["response_id", "responded_at", "nps", "comment"]),
                       st.text(alphabet=st.characters(codec="utf-8"), min_size=1, max_size=30),
                       min_size=1))
def test_a_mapping_with_any_column_names_survives_its_toml_form(columns):
    """Column names come from files: the TOML a mapping is saved as (profiles, lineage) must
    read back as the same mapping, whatever quotes, brackets or newlines the names hold."""
    from cxdata.ingest import Mapping, read_toml

    mapping = Mapping("survey", columns=columns, constants={"channel": columns.get("comment", "web")})
    assert read_toml(mapping.to_toml()) == mapping


def test_a_column_name_with_a_delete_character_survives_the_toml_form():
    from cxdata.ingest import Mapping, read_toml

    mapping = Mapping("survey", columns={"comment": "Kommentar\x7f"})
    assert read_toml(mapping.to_toml()) == mapping


# -- downloads: CSV (formula) injection ----------------------------------------------------

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# what a spreadsheet reads as a plain number: sign, digits, one decimal point or comma, exponent
NUMBER = re.compile(r"[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?")

cell_text = st.one_of(
    st.text(alphabet=st.characters(codec="utf-8", exclude_characters="\x00"), max_size=20),
    st.builds(lambda start, rest: start + rest, st.sampled_from(FORMULA_START), st.text(max_size=12)),
    st.sampled_from(["=HYPERLINK(\"http://evil.example\")", "@SUM(A1)", "+49 30 1234567", "-5", "-1.5", "+3",
                     "-1e5", "-.5", "-", "--1", "-1-1", "=1+1", "\t=1", "\r\n=1", "-inf", "-nan"]),
)


@st.composite
def frames(draw) -> pd.DataFrame:
    rows = draw(st.integers(min_value=1, max_value=8))
    texts = lambda: draw(st.lists(st.one_of(st.none(), cell_text), min_size=rows, max_size=rows))  # noqa: E731
    return pd.DataFrame({
        draw(cell_text.filter(lambda name: name not in ("n", "x", "c"))) or "t": pd.Series(texts(), dtype="object"),
        "n": draw(st.lists(st.integers(min_value=-10**12, max_value=10**12), min_size=rows, max_size=rows)),
        "x": draw(st.lists(st.floats(min_value=-1e9, max_value=1e9, allow_nan=False), min_size=rows, max_size=rows)),
        "c": pd.Categorical(draw(st.lists(cell_text, min_size=rows, max_size=rows))),
    })


def read_back(data: bytes) -> list[list[str]]:
    import csv as csv_module

    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv_module.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


@settings(max_examples=300, deadline=None)
@given(frames())
def test_downloads_neutralise_formulas_and_keep_numbers_numbers(frame):
    from cxdata.export import safe_csv

    header, *rows = read_back(safe_csv(frame))
    assert len(rows) == len(frame)
    originals = [list(frame.columns)] + [
        ["" if value is None or (isinstance(value, float) and pd.isna(value)) else value for value in row]
        for row in frame.astype(object).itertuples(index=False)
    ]
    for written, original in zip([header, *rows], originals):
        for cell, value in zip(written, original):
            if isinstance(value, str):
                # nothing a spreadsheet would run: a formula start only on a plain number
                assert not cell.startswith(FORMULA_START) or NUMBER.fullmatch(cell), (value, cell)
                # and the text is all there, at most behind one quote
                assert cell in (value, "'" + value), (value, cell)
            elif isinstance(value, int):
                assert int(cell) == value  # negative numbers stay numbers, unquoted
            elif isinstance(value, float):
                assert float(cell) == pytest.approx(value)


def test_downloads_neutralise_formulas_in_categorical_columns():
    from cxdata.export import safe_csv

    frame = pd.DataFrame({"segment": pd.Categorical(["=HYPERLINK(\"http://evil.example\")", "SMB", "-5"])})
    assert read_back(safe_csv(frame)) == [["segment"], ["'=HYPERLINK(\"http://evil.example\")"], ["SMB"], ["-5"]]
