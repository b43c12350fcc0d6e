"""The NPS trend, mix, answers, what-moved and KPI trend marts against independent pandas computations."""

from __future__ import annotations

import datetime as dt
import math
import random

import pandas as pd
import pytest

from cxdata import metrics, overview
from cxdata.filters import Filters
from cxdata.queries import nps as queries
from tests.conftest import build_store, synthetic_tables

TOUCHPOINTS = ["Website", "Checkout", "Delivery", "Hotline", "Invoice"]
FILTER_CASES = {
    "everything": Filters(),
    "one_quarter": Filters(dt.date(2025, 4, 1), dt.date(2025, 6, 30)),
    # starts and ends mid-week and mid-month: the first and last periods are cut
    "cut_window_two_segments": Filters(dt.date(2025, 2, 12), dt.date(2025, 9, 17), segments=("SMB", "Enterprise")),
    "channels_and_region": Filters(channels=("app", "web"), regions=("Österreich", "Schweiz")),
}


@pytest.fixture(scope="module")
def tables() -> dict[str, pd.DataFrame]:
    """The shared synthetic tables, with touchpoints and comments on the answers (the shared ones have none)."""
    tables = synthetic_tables()
    rng = random.Random(7)
    responses = tables["responses"].copy()
    responses["touchpoint"] = [None if rng.random() < 0.2 else rng.choice(TOUCHPOINTS) for _ in range(len(responses))]
    responses["comment"] = [None if rng.random() < 0.5 else f"comment {i}" for i in range(len(responses))]
    return {**tables, "responses": responses}


@pytest.fixture(scope="module")
def store(tables):
    store = build_store(tables)
    yield store
    store.close()


# -- the independent computation ------------------------------------------------------
def answers(tables: dict[str, pd.DataFrame], filters: Filters) -> pd.DataFrame:
    """NPS answers inside the filters, with the segment and region that apply to them."""
    customers = tables["customers"][["customer_id", "segment", "region"]]
    frame = tables["responses"].merge(customers, on="customer_id", how="left", suffixes=("", "_customer"))
    frame["segment"] = frame["segment"].fillna(frame["segment_customer"])
    frame["region"] = frame["region"].fillna(frame["region_customer"])
    frame = frame[frame["nps"].notna()]
    day = frame["responded_at"].dt.date
    keep = pd.Series(True, index=frame.index)
    if filters.date_from:
        keep &= day >= filters.date_from
    if filters.date_to:
        keep &= day <= filters.date_to
    for column, chosen in (("segment", filters.segments), ("channel", filters.channels), ("region", filters.regions)):
        if chosen:
            keep &= frame[column].isin(chosen)
    frame = frame[keep].copy()
    frame["klass"] = pd.cut(frame["nps"], [-1, 6, 8, 10], labels=["detractor", "passive", "promoter"]).astype(str)
    return frame


def with_period(frame: pd.DataFrame, grain: str, split: str) -> pd.DataFrame:
    frame = frame.copy()
    day = frame["responded_at"].dt.normalize()
    if grain == "month":
        frame["period"] = day.dt.strftime("%Y-%m")
        frame["period_start"] = day.dt.to_period("M").dt.start_time
        frame["period_end"] = day.dt.to_period("M").dt.end_time.dt.normalize()
    else:
        iso = day.dt.isocalendar()
        frame["period"] = [f"{year}-W{week:02d}" for year, week in zip(iso["year"], iso["week"])]
        frame["period_start"] = day - pd.to_timedelta(day.dt.day_of_week, unit="D")
        frame["period_end"] = frame["period_start"] + pd.Timedelta(days=6)
    frame["split_value"] = "All answers" if split == "none" else frame[split].fillna("Not recorded")
    return frame


def nps_of(promoters: int, detractors: int, n: int) -> tuple[float, float]:
    p, d = promoters / n, detractors / n
    return 100 * (p - d), 1.96 * 100 * math.sqrt(((p + d) - (p - d) ** 2) / n)


def expected_trend(tables, filters: Filters, grain: str, split: str, min_n: int) -> pd.DataFrame:
    frame = with_period(answers(tables, filters), grain, split)
    for klass in ("promoter", "passive", "detractor"):
        frame[klass + "s"] = (frame["klass"] == klass).astype(int)
    out = (
        frame.groupby(["period", "split_value"])
        .agg(
            period_start=("period_start", "first"),
            period_end=("period_end", "first"),
            n=("nps", "size"),
            promoters=("promoters", "sum"),
            passives=("passives", "sum"),
            detractors=("detractors", "sum"),
        )
        .reset_index()
    )
    out["period_start"] = out["period_start"].dt.date
    out["period_end"] = out["period_end"].dt.date
    out["is_partial"] = [
        bool((filters.date_from and start < filters.date_from) or (filters.date_to and end > filters.date_to))
        for start, end in zip(out["period_start"], out["period_end"])
    ]
    out["suppressed"] = out["n"] < min_n
    p, d, n = out["promoters"] / out["n"], out["detractors"] / out["n"], out["n"]
    out["promoter_share"], out["detractor_share"] = 100 * p, 100 * d
    out["nps"] = 100 * (p - d)
    out["margin_of_error"] = 1.96 * 100 * (((p + d) - (p - d) ** 2) / n) ** 0.5
    out["nps_low"] = (out["nps"] - out["margin_of_error"]).clip(lower=-100)
    out["nps_high"] = (out["nps"] + out["margin_of_error"]).clip(upper=100)
    figures = ["promoters", "passives", "detractors", "promoter_share", "detractor_share", "nps", "margin_of_error", "nps_low", "nps_high"]
    out[figures] = out[figures].astype(float).where(~out["suppressed"], float("nan"))
    return out


def comparable(frame: pd.DataFrame, like: pd.DataFrame) -> pd.DataFrame:
    """`frame`'s columns as plain values of the kind `like` holds: floats (NaN for null), dates, bools, text."""
    out = {}
    for column in like.columns:
        values, kind = frame[column], like[column].dropna()
        sample = kind.iloc[0] if len(kind) else None
        if isinstance(sample, dt.date):
            out[column] = [None if pd.isna(v) else pd.Timestamp(v).date() for v in values]
        elif isinstance(sample, (bool, str)) or sample is None:
            out[column] = [None if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)) else v for v in values]
        else:
            out[column] = pd.to_numeric(values.astype(object).where(values.notna(), None), errors="raise").astype(float).tolist()
    return pd.DataFrame(out, index=frame.index)


def assert_rows_equal(actual: pd.DataFrame, expected: pd.DataFrame, key: list[str]) -> None:
    """Same keys, same values (floats to 1e-9, null where expected null)."""
    actual = actual.set_index(key).sort_index()
    expected = expected.set_index(key).sort_index()
    assert actual.index.tolist() == expected.index.tolist()
    pd.testing.assert_frame_equal(
        comparable(actual, expected), comparable(expected, expected), check_dtype=False, rtol=1e-9, atol=1e-9
    )


# -- NPS by period --------------------------------------------------------------------
@pytest.mark.parametrize("case", FILTER_CASES)
@pytest.mark.parametrize("grain, split", [("month", "none"), ("week", "channel"), ("month", "segment")])
def test_nps_by_period_equals_independent_computation(store, tables, case, grain, split):
    filters = FILTER_CASES[case]
    actual = queries.nps_by_period(store, filters, 10, grain, split)
    expected = expected_trend(tables, filters, grain, split, 10)
    assert_rows_equal(actual, expected, ["period", "split_value"])


def test_nps_by_period_is_ordered_by_period_and_each_key_is_the_period_parse_period_reads(store):
    trend = queries.nps_by_period(store, Filters(), 10, "week", "segment")
    assert trend["period_start"].is_monotonic_increasing
    periods = trend.drop_duplicates("period")
    parsed = [queries.parse_period("week", key) for key in periods["period"]]
    assert [(p.start, p.end) for p in parsed] == [
        (start.date(), end.date()) for start, end in zip(periods["period_start"], periods["period_end"])
    ]


def test_a_suppressed_period_shows_n_but_no_figures(store, tables):
    # every weekly channel group of the synthetic store has fewer than 40 answers
    trend = queries.nps_by_period(store, Filters(), 40, "week", "channel")
    assert trend["suppressed"].all()
    figures = ["promoters", "passives", "detractors", "promoter_share", "detractor_share", "nps", "margin_of_error", "nps_low", "nps_high"]
    assert trend[figures].isna().all().all()
    assert trend["n"].sum() == len(answers(tables, Filters()))


def test_an_unknown_split_or_grain_falls_back_to_the_unsplit_monthly_trend(store):
    odd = queries.nps_by_period(store, Filters(), 10, "year; drop table responses", "region")
    plain = queries.nps_by_period(store, Filters(), 10, "month", "none")
    pd.testing.assert_frame_equal(odd, plain)


# -- the mix of one period and the answers behind one bar ------------------------------
@pytest.mark.parametrize("case", ["everything", "cut_window_two_segments"])
@pytest.mark.parametrize("grain, period, mix_by", [("month", "2025-05", "channel"), ("week", "2025-W24", "segment")])
def test_nps_mix_equals_independent_computation(store, tables, case, grain, period, mix_by):
    filters = FILTER_CASES[case]
    frame = with_period(answers(tables, filters), grain, mix_by)
    frame = frame[frame["period"] == period]
    # a min n between the group sizes, so that some groups are shown and some suppressed
    min_n = int(frame.groupby("split_value").size().median()) + 1
    rows = []
    for value, group in frame.groupby("split_value"):
        n = len(group)
        promoters, detractors = int((group["klass"] == "promoter").sum()), int((group["klass"] == "detractor").sum())
        for order, klass in enumerate(["detractor", "passive", "promoter"], start=1):
            hits = int((group["klass"] == klass).sum())
            rows.append(
                {
                    "split_value": value,
                    "nps_class": klass,
                    "class_order": order,
                    "n": n,
                    "suppressed": n < min_n,
                    "answers": hits if n >= min_n else None,
                    "share": 100 * hits / n if n >= min_n else None,
                    "nps": nps_of(promoters, detractors, n)[0] if n >= min_n else None,
                }
            )
    expected = pd.DataFrame(rows)
    assert expected["suppressed"].any() and not expected["suppressed"].all(), "the case must hold both kinds of group"
    actual = queries.nps_mix(store, filters, min_n, grain, period, mix_by)
    assert_rows_equal(actual, expected, ["split_value", "nps_class"])


def test_nps_responses_are_the_answers_of_the_bar_detractors_first(store, tables):
    filters = FILTER_CASES["one_quarter"]
    frame = with_period(answers(tables, filters), "month", "channel")
    behind = frame[(frame["period"] == "2025-05") & (frame["split_value"] == "app")]
    expected = behind.sort_values(["nps", "responded_at", "response_id"], ascending=[True, False, True])
    actual = queries.nps_responses(store, filters, 10, "month", "2025-05", "channel", "app")
    assert actual["response_id"].tolist() == expected["response_id"].tolist()
    assert actual.columns.tolist() == ["response_id", "responded_at", "nps", "nps_class", "channel", "touchpoint", "segment", "comment"]
    assert actual[["nps", "channel", "touchpoint", "comment"]].astype(object).where(actual.notna(), None).values.tolist() == (
        expected[["nps", "channel", "touchpoint", "comment"]].astype(object).where(expected.notna(), None).values.tolist()
    )


def test_nps_responses_reveal_nothing_of_a_group_below_min_n(store, tables):
    frame = with_period(answers(tables, Filters()), "week", "segment")
    sizes = frame[frame["period"] == "2025-W24"].groupby("split_value").size()
    value, n = sizes.idxmin(), int(sizes.min())
    assert n > 0
    assert len(queries.nps_responses(store, Filters(), n, "week", "2025-W24", "segment", value)) == n
    assert queries.nps_responses(store, Filters(), n + 1, "week", "2025-W24", "segment", value).empty


@pytest.mark.parametrize(
    "grain, key, expected",
    [
        ("month", "2026-07", (dt.date(2026, 7, 1), dt.date(2026, 7, 31))),
        ("month", "2024-02", (dt.date(2024, 2, 1), dt.date(2024, 2, 29))),
        ("month", "2026-12", (dt.date(2026, 12, 1), dt.date(2026, 12, 31))),
        ("week", "2026-W28", (dt.date(2026, 7, 6), dt.date(2026, 7, 12))),
        ("week", "2026-W53", (dt.date(2026, 12, 28), dt.date(2027, 1, 3))),
        ("week", "2025-W53", None),
        ("month", "2026-13", None),
        ("month", "2026-W28", None),
        ("week", "2026-07", None),
        ("month", "'; drop table responses", None),
        ("month", None, None),
    ],
)
def test_parse_period_reads_only_keys_of_its_grain(grain, key, expected):
    period = queries.parse_period(grain, key)
    assert (None if period is None else (period.start, period.end)) == expected
    if period is not None:
        assert queries.period_key(grain, period.start) == key == queries.period_key(grain, period.end)


# -- what moved -----------------------------------------------------------------------
def expected_what_moved(tables, filters: Filters, min_n: int) -> pd.DataFrame:
    now, before = answers(tables, filters), answers(tables, filters.previous_period())
    rows = []
    for order, dimension in enumerate(["segment", "channel", "touchpoint"], start=1):
        values = sorted(set(now[dimension].dropna()) | set(before[dimension].dropna()))
        for value in values:
            a, b = now[now[dimension] == value], before[before[dimension] == value]
            count = lambda frame, klass: int((frame["klass"] == klass).sum())
            p1, d1, n1 = count(a, "promoter"), count(a, "detractor"), len(a)
            p0, d0, n0 = count(b, "promoter"), count(b, "detractor"), len(b)
            row = {"dimension_order": order, "dimension": dimension, "value": value, "n": n1, "previous_n": n0,
                   "suppressed": n1 < min_n, "previous_suppressed": n0 < min_n,
                   "nps": None, "previous_nps": None, "change": None, "z": None, "significant": None}
            if n1 >= min_n:
                row["nps"] = nps_of(p1, d1, n1)[0]
            if n0 >= min_n:
                row["previous_nps"] = nps_of(p0, d0, n0)[0]
            if n1 >= min_n and n0 >= min_n:
                row["change"] = row["nps"] - row["previous_nps"]
                var = lambda p, d, n: 100**2 * ((p + d) / n - ((p - d) / n) ** 2) / n
                spread = math.sqrt(var(p1, d1, n1) + var(p0, d0, n0))
                if spread > 0:
                    row["z"] = row["change"] / spread
                    row["significant"] = abs(row["z"]) > 1.96
            rows.append(row)
    return pd.DataFrame(rows)


@pytest.mark.parametrize(
    "filters",
    [
        Filters(dt.date(2025, 7, 1), dt.date(2025, 9, 28)),
        Filters(dt.date(2025, 10, 1), dt.date(2025, 12, 31), channels=("app", "chat", "email")),
        Filters(dt.date(2025, 3, 1), dt.date(2025, 3, 31), segments=("Consumer",)),
    ],
)
def test_what_moved_equals_independent_computation_significant_and_biggest_first(store, tables, filters):
    expected = expected_what_moved(tables, filters, 20)
    actual = overview.what_moved(store, filters, 20)
    assert_rows_equal(actual, expected, ["dimension", "value"])
    flags = actual["significant"].map(lambda flag: 2 if flag is True else (1 if flag is False else 0))
    assert flags.is_monotonic_decreasing
    for flag in (2, 1):
        assert actual.loc[flags == flag, "change"].abs().is_monotonic_decreasing


def test_what_moved_finds_a_planted_drop_and_nothing_in_steady_groups():
    rng = random.Random(3)
    rows = []
    for month, app_scores in ((1, [10, 9, 8]), (2, [0, 3, 8])):
        for i in range(600):
            channel = "app" if i % 2 else "web"
            score = rng.choice(app_scores) if channel == "app" else rng.choice([10, 8, 2])
            rows.append({"response_id": f"R{month}-{i}", "responded_at": dt.datetime(2025, month, 1 + i % 28, 12),
                         "channel": channel, "nps": score})
    store = build_store({"responses": pd.DataFrame(rows)})
    moved = overview.what_moved(store, Filters(dt.date(2025, 2, 1), dt.date(2025, 2, 28)), 10)
    significant = moved[moved["significant"].fillna(False).astype(bool)]
    assert significant[["dimension", "value"]].values.tolist() == [["channel", "app"]]
    assert significant["change"].iloc[0] < -50


# -- KPI trend ------------------------------------------------------------------------
@pytest.mark.parametrize("case, grain", [("one_quarter", "week"), ("cut_window_two_segments", "month")])
def test_kpi_trend_periods_cover_the_window_once_and_each_equals_the_headline_kpis(store, case, grain):
    filters = FILTER_CASES[case]
    trend = overview.kpi_trend(store, filters, 10, grain)
    stretches = trend.drop_duplicates("period_start")[["stretch_from", "stretch_to"]]
    days = [d for start, end in stretches.itertuples(index=False) for d in pd.date_range(start, end).date]
    assert days == list(pd.date_range(filters.date_from, filters.date_to).date)
    for (start, end), rows in trend.groupby(["stretch_from", "stretch_to"]):
        alone = metrics.kpis_as_json(store, Filters(start.date(), end.date(), filters.segments, filters.channels, filters.regions), 10)
        assert rows["kpi"].tolist() == list(alone["kpis"])
        assert rows["n"].tolist() == [entry["n"] for entry in alone["kpis"].values()]
        assert [None if pd.isna(v) else v for v in rows["value"]] == pytest.approx([entry["value"] for entry in alone["kpis"].values()])


def test_kpi_trend_nps_per_week_equals_independent_computation(store, tables):
    filters = FILTER_CASES["cut_window_two_segments"]
    trend = overview.kpi_trend(store, filters, 10, "week")
    frame = with_period(answers(tables, filters), "week", "none")
    expected = {}
    for start, group in frame.groupby("period_start"):
        counts = [int((group["klass"] == k).sum()) for k in ("promoter", "detractor")]
        expected[start.date()] = (len(group), nps_of(*counts, len(group))[0])
    nps = trend[trend["kpi"] == "nps"].sort_values("period_start")
    assert [start.date() for start in nps["period_start"]] == sorted(expected)
    assert nps["n"].tolist() == [expected[start][0] for start in sorted(expected)]
    assert nps["value"].tolist() == pytest.approx([expected[start][1] for start in sorted(expected)])
    assert overview.trend_values(trend, "nps") == pytest.approx(tuple(expected[start][1] for start in sorted(expected)))


def test_trend_values_leave_suppressed_periods_out(store):
    filters = Filters(dt.date(2025, 3, 3), dt.date(2025, 4, 27), channels=("app",))
    trend = overview.kpi_trend(store, filters, 12, "week")
    nps = trend[trend["kpi"] == "nps"].sort_values("period_start")
    assert nps["suppressed"].any() and not nps["suppressed"].all(), "the case must hold both kinds of week"
    assert overview.trend_values(trend, "nps") == tuple(nps.loc[~nps["suppressed"], "value"])


def test_an_empty_store_gives_empty_trends_and_nothing_moved(empty_store):
    filters = Filters(dt.date(2025, 1, 1), dt.date(2025, 3, 31))
    assert queries.nps_by_period(empty_store, filters, 10, "week", "channel").empty
    assert queries.nps_mix(empty_store, filters, 10, "month", "2025-01", "channel").empty
    assert overview.what_moved(empty_store, filters, 10).empty
    # the periods exist, every KPI in them is suppressed
    trend = overview.kpi_trend(empty_store, filters, 10, "month")
    assert (len(trend), bool(trend["suppressed"].all()), overview.trend_values(trend, "nps")) == (18, True, ())


@pytest.mark.parametrize(
    "date_from, date_to, expected",
    [
        (dt.date(2026, 4, 1), dt.date(2026, 6, 30), "2026-06"),
        (dt.date(2026, 4, 5), dt.date(2026, 7, 3), "2026-06"),  # 3 days of July are too few
        (dt.date(2026, 6, 28), dt.date(2026, 7, 3), "2026-07"),  # … but June is mostly outside the window
        (dt.date(2026, 7, 1), dt.date(2026, 7, 3), "2026-07"),
    ],
)
def test_links_from_overview_drill_into_the_last_month_the_window_mostly_covers(date_from, date_to, expected):
    params = overview.nps_trends_params(Filters(date_from, date_to, channels=("app",)), "segment", "SMB")
    assert params == {
        "from": date_from.isoformat(),
        "to": date_to.isoformat(),
        "channel": ["app"],
        "grain": "month",
        "split": "segment",
        "period": expected,
        "split_value": "SMB",
    }


def test_weekly_trend_names_iso_weeks_across_the_new_year_as_the_drill_down_does():
    moments = [dt.datetime(2025, 12, 28, 9), dt.datetime(2025, 12, 29, 9), dt.datetime(2026, 1, 4, 20), dt.datetime(2026, 1, 5, 9)]
    store = build_store({"responses": pd.DataFrame({
        "response_id": [f"R{i}" for i in range(len(moments))], "responded_at": moments, "nps": [10, 0, 9, 8],
    })})
    trend = queries.nps_by_period(store, Filters(dt.date(2025, 12, 24), dt.date(2026, 1, 5)), 1, "week", "none")
    iso = [f"{moment.isocalendar().year}-W{moment.isocalendar().week:02d}" for moment in moments]
    expected = pd.Series(iso).value_counts().sort_index()
    assert list(zip(trend["period"], trend["n"])) == list(expected.items())
    assert list(trend["period"]) == ["2025-W52", "2026-W01", "2026-W02"]
    assert trend["is_partial"].tolist() == [True, False, True]
    # the drill-down into a week lists the answers the trend counted in it
    assert len(queries.nps_responses(store, Filters(dt.date(2025, 12, 24), dt.date(2026, 1, 5)), 1, "week", "2026-W01", "segment", "Not recorded")) == 2
