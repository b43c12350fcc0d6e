"""Injection: hostile filter values, mapped column names and profile names reach SQL only as bound
parameters or allow-listed identifiers; downloads neutralise spreadsheet formulas."""

from __future__ import annotations

import datetime as dt
import importlib
import inspect
import pkgutil
import shutil
from pathlib import Path
from typing import Any, Callable

import pandas as pd
import pytest

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
