"""The service marts against independent pandas computations written from docs/METRICS.md, "## Service"."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest

from cxdata.filters import Filters
from cxdata.queries import service
from tests.conftest import build_store
from tests.test_metrics import effective_responses, restrict

FILTER_CASES = {
    "everything": Filters(),
    "one_quarter_one_segment": Filters(dt.date(2025, 4, 1), dt.date(2025, 6, 30), segments=("SMB",)),
    "channels_and_region": Filters(dt.date(2025, 2, 10), dt.date(2025, 9, 3), channels=("phone", "chat"), regions=("Österreich",)),
}
SEVERITY_NAMES = {0: "no_ticket", 1: "first_contact", 2: "unknown", 3: "not_first_contact", 4: "still_open", 5: "reopened"}


# -- the independent computation ------------------------------------------------------
def effective_tickets(tables: dict[str, pd.DataFrame], filters: Filters, dates: bool = True) -> pd.DataFrame:
    tickets = tables["tickets"].merge(tables["customers"][["customer_id", "segment", "region"]], on="customer_id", how="left")
    tickets = restrict(tickets, "created_at", filters if dates else Filters(None, None, filters.segments, filters.channels, filters.regions))
    tickets = tickets.copy()
    tickets["resolved"] = tickets["status"].isin(["solved", "closed"]) & tickets["resolved_at"].notna()
    known = tickets["replies"].notna() & tickets["reopens"].notna()
    tickets["fcr"] = np.where(tickets["resolved"] & known, (tickets["replies"] <= 1) & (tickets["reopens"] == 0), np.nan)
    return tickets


def period_of(times: pd.Series, grain: str) -> pd.Series:
    if grain == "total":
        return pd.Series(pd.NaT, index=times.index, dtype="datetime64[us]")
    # weeks start on Monday, as ISO weeks and DuckDB's date_trunc('week') do
    return times.dt.to_period("W-SUN" if grain == "week" else "M").dt.start_time


def group_of(frame: pd.DataFrame, dimension: str) -> pd.Series:
    if dimension == "all":
        return pd.Series("All tickets", index=frame.index)
    return frame[dimension].fillna("Not recorded")


def share_row(hits: int, n: int, min_n: int) -> dict:
    if n < min_n:
        return {"n": n, "hits": hits, "suppressed": True, "value": None, "margin_of_error": None}
    p = hits / n
    return {"n": n, "hits": hits, "suppressed": False, "value": 100 * p, "margin_of_error": 196 * math.sqrt(p * (1 - p) / n)}


def quantile_row(values: pd.Series, q: float, min_n: int) -> dict:
    n = int(values.notna().sum())
    suppressed = n < min_n
    return {"n": n, "hits": None, "suppressed": suppressed, "value": None if suppressed else float(values.dropna().quantile(q)), "margin_of_error": None}


def expected_service_metrics(tables, filters: Filters, min_n: int, dimension: str, grain: str) -> pd.DataFrame:
    tickets = effective_tickets(tables, filters)
    tickets["period_start"] = period_of(tickets["created_at"], grain)
    tickets["group_value"] = group_of(tickets, dimension)
    if grain == "total":
        tickets["period_end"] = pd.NaT
    else:
        tickets["period_end"] = tickets["created_at"].dt.to_period("W-SUN" if grain == "week" else "M").dt.end_time.dt.normalize()
    starts_before = (tickets["period_start"] < pd.Timestamp(filters.date_from)) if filters.date_from else False
    ends_after = (tickets["period_end"] > pd.Timestamp(filters.date_to)) if filters.date_to else False
    tickets["is_partial"] = (starts_before | ends_after) & (grain != "total")
    tickets["first_response_hours"] = (tickets["first_response_at"] - tickets["created_at"]).dt.total_seconds() / 3600
    tickets["resolution_hours"] = ((tickets["resolved_at"] - tickets["created_at"]).dt.total_seconds() / 3600).where(tickets["resolved"])
    rows = []
    for (period, group), part in tickets.groupby(["period_start", "group_value"], dropna=False):
        period_end, is_partial = part["period_end"].iloc[0], bool(part["is_partial"].iloc[0])
        fcr = part["fcr"].dropna()
        reopen_base = part[part["reopens"].notna() & (part["resolved"] | (part["reopens"] > 0))]
        csat = part["csat"].dropna()
        metrics = {
            "tickets": {"n": len(part), "hits": None, "suppressed": False, "value": float(len(part)), "margin_of_error": None},
            "fcr": share_row(int(fcr.sum()), len(fcr), min_n),
            "first_response_median": quantile_row(part["first_response_hours"], 0.5, min_n),
            "first_response_p90": quantile_row(part["first_response_hours"], 0.9, min_n),
            "resolution_median": quantile_row(part["resolution_hours"], 0.5, min_n),
            "resolution_p90": quantile_row(part["resolution_hours"], 0.9, min_n),
            "reopen_rate": share_row(int((reopen_base["reopens"] > 0).sum()), len(reopen_base), min_n),
            "csat": share_row(int((csat >= 4).sum()), len(csat), min_n),
        }
        for order, (metric, values) in enumerate(metrics.items(), start=1):
            rows.append(
                {"period_start": period, "period_end": period_end, "is_partial": is_partial, "group_value": group,
                 "metric_order": order, "metric": metric, **values}
            )
    return pd.DataFrame(rows)


def comparable(frame: pd.DataFrame, columns: list[str], keys: list[str]) -> pd.DataFrame:
    out = frame[columns].copy()
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_extension_array_dtype(out[column]):
            if column not in keys and column not in ("metric", "group_value", "experience", "age_band"):
                out[column] = pd.to_numeric(out[column], errors="coerce").astype(float)
    for column in ("period_start", "period_end"):
        if column in out:
            out[column] = pd.to_datetime(out[column])
    for column in out.columns:
        if pd.api.types.is_bool_dtype(out[column]):
            out[column] = out[column].astype(bool)
        elif pd.api.types.is_numeric_dtype(out[column]):
            out[column] = out[column].astype(float)
    return out.sort_values(keys).reset_index(drop=True)


def assert_same(actual: pd.DataFrame, expected: pd.DataFrame, keys: list[str]) -> None:
    columns = list(expected.columns)
    pd.testing.assert_frame_equal(
        comparable(actual, columns, keys), comparable(expected, columns, keys), check_dtype=False, check_exact=False, rtol=1e-9, atol=1e-9
    )


def customer_tickets_before(tables, filters: Filters) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(answers of known customers in the filters, answer × ticket pairs in the 90 days up to the answer)."""
    answers = effective_responses(tables, filters)
    answers = answers[answers["nps"].notna() & answers["customer_id"].notna()]
    tickets = effective_tickets(tables, Filters())
    tickets = tickets[tickets["customer_id"].notna()]
    pairs = answers[["response_id", "customer_id", "responded_at"]].merge(tickets, on="customer_id")
    window = (pairs["created_at"] <= pairs["responded_at"]) & (pairs["created_at"] > pairs["responded_at"] - pd.Timedelta(days=service.LOOKBACK_DAYS))
    return answers, pairs[window]


def nps_row(scores: pd.Series, min_n: int) -> dict:
    n = len(scores)
    promoters, detractors = int((scores >= 9).sum()), int((scores <= 6).sum())
    row = {"n": n, "promoters": promoters, "detractors": detractors, "suppressed": n < min_n, "nps": None, "margin_of_error": None}
    if n >= min_n:
        p, d = promoters / n, detractors / n
        row["nps"] = 100 * (p - d)
        row["margin_of_error"] = 196 * math.sqrt(((p + d) - (p - d) ** 2) / n)
    return row


def expected_nps_by_experience(tables, filters: Filters, min_n: int) -> pd.DataFrame:
    answers, pairs = customer_tickets_before(tables, filters)
    severity = pd.Series(1, index=pairs.index)
    severity[pairs["fcr"].isna()] = 2
    severity[pairs["fcr"] == 0] = 3
    severity[~pairs["resolved"]] = 4
    severity[pairs["reopens"] > 0] = 5
    worst = severity.groupby(pairs["response_id"]).max()
    answers = answers.assign(experience=answers["response_id"].map(worst).fillna(0).astype(int).map(SEVERITY_NAMES))
    order = ["no_ticket", "first_contact", "not_first_contact", "reopened", "still_open", "unknown"]
    rows = []
    for position, experience in enumerate(order, start=1):
        scores = answers.loc[answers["experience"] == experience, "nps"]
        if experience == "unknown" and scores.empty:
            continue
        rows.append({"experience_order": position, "experience": experience, **nps_row(scores, min_n)})
    return pd.DataFrame(rows)


def expected_nps_by_group(tables, filters: Filters, min_n: int, dimension: str) -> pd.DataFrame:
    answers, pairs = customer_tickets_before(tables, filters)
    pairs = pairs.assign(group_value=pairs[dimension].fillna("Not recorded"))
    distinct = pairs.drop_duplicates(["response_id", "group_value"]).merge(answers[["response_id", "nps"]], on="response_id")
    return pd.DataFrame(
        [{"group_value": group, **nps_row(part["nps"], min_n)} for group, part in distinct.groupby("group_value")]
    )


# -- the tests ------------------------------------------------------------------------
@pytest.mark.parametrize("case", FILTER_CASES)
@pytest.mark.parametrize("dimension, grain", [("all", "total"), ("category", "total"), ("channel", "week"), ("priority", "month")])
def test_service_metrics_match_an_independent_computation(metric_store, synthetic, case, dimension, grain):
    filters = FILTER_CASES[case]
    actual = service.service_metrics(metric_store, filters, 10, dimension, grain)
    expected = expected_service_metrics(synthetic, filters, 10, dimension, grain)
    assert len(actual) == len(expected) > 0
    assert_same(actual, expected, ["period_start", "group_value", "metric_order"])


@pytest.mark.parametrize("case", FILTER_CASES)
@pytest.mark.parametrize("dimension, grain", [("category", "week"), ("channel", "month")])
def test_the_service_views_are_the_whole_window_each_group_and_each_period_as_independently_computed(
    metric_store, synthetic, case, dimension, grain,
):
    filters = FILTER_CASES[case]
    views = service.service_metric_views(metric_store, filters, 10, dimension, grain)
    assert set(views["view"]) == {"overall", "by_group", "by_period"}
    for view, (view_dimension, view_grain) in {
        "overall": ("all", "total"), "by_group": (dimension, "total"), "by_period": (dimension, grain),
    }.items():
        actual = service.view_of(views, view)
        expected = expected_service_metrics(synthetic, filters, 10, view_dimension, view_grain)
        assert len(actual) == len(expected) > 0, view
        assert_same(actual, expected, ["period_start", "group_value", "metric_order"])


def test_service_metrics_suppress_small_groups_but_keep_their_n(metric_store):
    weekly = service.service_metrics(metric_store, Filters(channels=("chat",)), 40, "priority", "week")
    small = weekly[weekly["metric"].eq("fcr") & (weekly["n"] < 40)]
    assert len(small) > 0
    assert small["suppressed"].all() and small["value"].isna().all() and small["margin_of_error"].isna().all()
    volume = weekly[weekly["metric"].eq("tickets")]
    assert not volume["suppressed"].any() and (volume["value"] == volume["n"]).all()


@pytest.mark.parametrize("case", FILTER_CASES)
def test_nps_by_ticket_experience_matches_an_independent_computation(metric_store, synthetic, case):
    filters = FILTER_CASES[case]
    actual = service.experiences(service.nps_after_tickets(metric_store, filters, 10))
    expected = expected_nps_by_experience(synthetic, filters, 10)
    assert_same(actual.drop(columns=["z_vs_no_ticket"]), expected, ["experience_order"])
    assert actual["experience_order"].tolist() == sorted(actual["experience_order"])


def test_nps_by_ticket_experience_tests_each_experience_against_customers_without_tickets(metric_store, synthetic):
    actual = service.experiences(service.nps_after_tickets(metric_store, Filters(), 10)).set_index("experience")
    base = actual.loc["no_ticket"]
    for experience, row in actual.drop(index="no_ticket").iterrows():
        p1, d1, p0, d0 = row.promoters / row.n, row.detractors / row.n, base.promoters / base.n, base.detractors / base.n
        variance = ((p1 + d1) - (p1 - d1) ** 2) / row.n + ((p0 + d0) - (p0 - d0) ** 2) / base.n
        assert row.z_vs_no_ticket == pytest.approx(100 * ((p1 - d1) - (p0 - d0)) / (100 * math.sqrt(variance))), experience
    assert pd.isna(base.z_vs_no_ticket)


@pytest.mark.parametrize("case", FILTER_CASES)
@pytest.mark.parametrize("dimension", ["category", "channel", "priority"])
def test_nps_by_ticket_group_matches_an_independent_computation(metric_store, synthetic, case, dimension):
    filters = FILTER_CASES[case]
    expected = expected_nps_by_group(synthetic, filters, 10, dimension)
    actual = service.groups(service.nps_after_tickets(metric_store, filters, 10, dimension))
    assert_same(actual, expected, ["group_value"])
    assert actual["group_value"].tolist() == sorted(expected["group_value"])


@pytest.mark.parametrize("case", FILTER_CASES)
def test_nps_after_tickets_holds_both_breakdowns_one_row_per_experience_and_group(metric_store, synthetic, case):
    """The mart's grain: (breakdown, value) unique; an order and a test against "no ticket" only
    for experiences; and every row as the independent computations of both charts give it."""
    filters = FILTER_CASES[case]
    after = service.nps_after_tickets(metric_store, filters, 25, "channel")
    assert not after.duplicated(["breakdown", "value"]).any()
    assert after[["breakdown", "value", "n", "promoters", "detractors", "suppressed"]].notna().all().all()
    experience, group = after[after["breakdown"] == "experience"], after[after["breakdown"] == "group"]
    assert len(experience) + len(group) == len(after)
    assert experience["experience_order"].notna().all() and group["experience_order"].isna().all()
    assert group["z_vs_no_ticket"].isna().all()
    expected = pd.concat(
        [
            expected_nps_by_experience(synthetic, filters, 25).rename(columns={"experience": "value"}).assign(breakdown="experience"),
            expected_nps_by_group(synthetic, filters, 25, "channel").rename(columns={"group_value": "value"}).assign(breakdown="group"),
        ]
    )
    columns = ["breakdown", "value", "n", "promoters", "detractors", "suppressed", "nps", "margin_of_error"]
    assert_same(after, expected[columns], ["breakdown", "value"])


def lookback_edge_store():
    """Answers on the window's first and last day, with tickets just inside and just outside the
    90 days before them, and one ticket opened after its customer answered."""
    customers = pd.DataFrame({"customer_id": ["C1", "C2", "C3", "C4"], "segment": "SMB", "region": "Schweiz"})
    first, last = dt.datetime(2025, 5, 1, 0, 30), dt.datetime(2025, 5, 31, 23, 0)
    responses = pd.DataFrame(
        {
            "response_id": ["R1", "R2", "R3", "R4"],
            "customer_id": ["C1", "C2", "C3", "C4"],
            "responded_at": [first, first, last, last],
            "nps": [10, 0, 5, 9],
        }
    )
    tickets = pd.DataFrame(
        {
            "ticket_id": ["T1", "T2", "T3", "T4"],
            "customer_id": ["C1", "C2", "C3", "C4"],
            "created_at": [
                first - dt.timedelta(days=89, hours=12),  # inside the lookback
                first - dt.timedelta(days=90),  # on its edge: outside
                last - dt.timedelta(hours=1),  # the same day, before the answer
                last + dt.timedelta(minutes=30),  # after the answer
            ],
            "resolved_at": [first - dt.timedelta(days=89), first - dt.timedelta(days=89), None, None],
            "category": ["Billing", "Billing", "Delivery", "Delivery"],
            "status": ["solved", "solved", "open", "open"],
            "replies": [1, 1, 0, 0],
            "reopens": [0, 0, 0, 0],
        }
    )
    return build_store({"customers": customers, "responses": responses, "tickets": tickets})


def test_tickets_count_for_an_answer_from_the_full_lookback_before_the_window_up_to_the_answer():
    store = lookback_edge_store()
    try:
        window = Filters(dt.date(2025, 5, 1), dt.date(2025, 5, 31))
        after = service.nps_after_tickets(store, window, min_n=1, dimension="category")
        experience = service.experiences(after).set_index("experience")
        assert experience["n"].to_dict() == {"no_ticket": 2, "first_contact": 1, "not_first_contact": 0, "reopened": 0, "still_open": 1}
        assert experience.loc["no_ticket", ["promoters", "detractors"]].tolist() == [1, 1]
        groups = service.groups(after).set_index("group_value")
        assert groups[["n", "promoters", "detractors"]].to_dict("index") == {
            "Billing": {"n": 1, "promoters": 1, "detractors": 0},
            "Delivery": {"n": 1, "promoters": 0, "detractors": 1},
        }
    finally:
        store.close()


BANDS = ["Under 1 day", "1–3 days", "3–7 days", "1–4 weeks", "Over 4 weeks"]


def banded(age_days: pd.Series) -> pd.Series:
    return pd.cut(age_days, [0, 1, 3, 7, 28, math.inf], right=False, labels=BANDS)


# open-ended ranges run from the first to the last ticket in the other filters
OPEN_ENDED_CASES = {
    "no_dates": Filters(channels=("phone", "chat")),
    "until": Filters(date_to=dt.date(2025, 3, 20), segments=("SMB",)),
    "from": Filters(date_from=dt.date(2025, 10, 15), regions=("Österreich",)),
}


@pytest.mark.parametrize("grain", ["week", "month"])
@pytest.mark.parametrize("case", ["one_quarter_one_segment", "channels_and_region", *OPEN_ENDED_CASES])
def test_backlog_counts_tickets_open_at_each_period_end_by_age(metric_store, synthetic, case, grain):
    filters = FILTER_CASES.get(case) or OPEN_ENDED_CASES[case]
    tickets = effective_tickets(synthetic, filters, dates=False)
    if filters.date_to:
        tickets = tickets[tickets["created_at"] < pd.Timestamp(filters.date_to) + pd.Timedelta(days=1)]
    first_day = pd.Timestamp(filters.date_from) if filters.date_from else tickets["created_at"].min().normalize()
    last_day = pd.Timestamp(filters.date_to) if filters.date_to else tickets["created_at"].max().normalize()
    step = pd.DateOffset(weeks=1) if grain == "week" else pd.DateOffset(months=1)
    start = first_day.to_period("W-SUN" if grain == "week" else "M").start_time
    end = last_day + pd.Timedelta(days=1)
    rows = []
    while start < end:
        snapshot = min(start + step, end)
        open_then = tickets[
            (tickets["created_at"] < snapshot)
            & ((tickets["resolved_at"] >= snapshot) | (tickets["resolved_at"].isna() & ~tickets["status"].isin(["solved", "closed"])))
        ]
        counts = banded((snapshot - open_then["created_at"]).dt.total_seconds() / 86400).value_counts()
        for order, band in enumerate(BANDS, start=1):
            rows.append({"period_start": start, "period_end": snapshot - pd.Timedelta(days=1), "band_order": order, "age_band": band, "open_tickets": int(counts[band])})
        start = start + step
    assert_same(service.backlog(metric_store, filters, grain), pd.DataFrame(rows), ["period_start", "band_order"])


def test_backlog_now_counts_unsolved_tickets_by_age_at_the_last_activity(metric_store, synthetic):
    filters = FILTER_CASES["channels_and_region"]
    everything = synthetic["tickets"]
    as_of = max(everything["created_at"].max(), everything["first_response_at"].max(), everything["resolved_at"].max())
    tickets = effective_tickets(synthetic, filters, dates=False)
    open_now = tickets[~tickets["status"].isin(["solved", "closed"])]
    counts = banded(((as_of - open_now["created_at"]).dt.total_seconds() / 86400).clip(lower=0)).value_counts()
    expected = pd.DataFrame(
        [{"band_order": order, "age_band": band, "open_tickets": int(counts[band])} for order, band in enumerate(BANDS, start=1)]
    )
    actual = service.backlog_now(metric_store, filters)
    assert_same(actual, expected, ["band_order"])
    assert (actual["as_of_at"] == as_of).all()


def test_ticket_list_holds_exactly_the_tickets_behind_a_bar_newest_first(metric_store, synthetic):
    filters = FILTER_CASES["channels_and_region"]
    listed = service.ticket_list(metric_store, filters, "category", "Billing", "month", dt.date(2025, 5, 1), min_n=1)
    tickets = effective_tickets(synthetic, filters)
    chosen = tickets[(tickets["category"] == "Billing") & (tickets["created_at"].dt.to_period("M") == pd.Period("2025-05", "M"))]
    chosen = chosen.sort_values(["created_at", "ticket_id"], ascending=[False, True])
    assert listed["ticket_id"].tolist() == chosen["ticket_id"].tolist() and len(chosen) > 0
    assert (listed["tickets_in_list"] == len(chosen)).all()
    metrics = service.service_metrics(metric_store, filters, 10, "category", "month")
    bar = metrics[(metrics["metric"] == "tickets") & (metrics["group_value"] == "Billing") & (metrics["period_start"] == pd.Timestamp("2025-05-01"))]
    assert bar["n"].tolist() == [len(chosen)]


def test_ticket_list_of_a_group_below_min_n_is_empty(metric_store, synthetic):
    filters = FILTER_CASES["channels_and_region"]
    tickets = effective_tickets(synthetic, filters)
    size = int(((tickets["category"] == "Billing") & (tickets["created_at"].dt.to_period("M") == pd.Period("2025-05", "M"))).sum())
    assert 0 < size < 10
    for min_n, listed in ((size, size), (size + 1, 0)):
        result = service.ticket_list(metric_store, filters, "category", "Billing", "month", dt.date(2025, 5, 1), min_n=min_n)
        assert len(result) == listed


def test_ticket_list_is_capped_but_counts_every_ticket(metric_store):
    listed = service.ticket_list(metric_store, Filters(), "all", "All tickets", limit=25)
    assert len(listed) == 25 and (listed["tickets_in_list"] == 1200).all()
    assert listed["created_at"].is_monotonic_decreasing
    assert not {"comment", "email", "name"} & set(listed.columns)


@pytest.mark.parametrize("call", [
    lambda store: service.service_metrics(store, Filters(), 10, "customer_id; drop table tickets", "week"),
    lambda store: service.service_metrics(store, Filters(), 10, "channel", "day"),
    lambda store: service.nps_after_tickets(store, Filters(), 10, "all"),
    lambda store: service.backlog(store, Filters(), "total"),
    lambda store: service.ticket_list(store, Filters(), "channel", "web", None, dt.date(2025, 1, 1)),
])
def test_identifiers_outside_the_allow_lists_are_refused(metric_store, call):
    with pytest.raises(ValueError):
        call(metric_store)


def test_an_empty_store_gives_empty_or_zero_results(empty_store):
    assert service.service_metrics(empty_store, Filters(), 10, "category", "week").empty
    assert service.service_metric_views(empty_store, Filters(), 10, "category", "week").empty
    after = service.nps_after_tickets(empty_store, Filters(), 10, "category")
    assert service.groups(after).empty
    experience = service.experiences(after)
    assert experience["experience"].tolist() == ["no_ticket", "first_contact", "not_first_contact", "reopened", "still_open"]
    assert (experience["n"] == 0).all() and experience["suppressed"].all()
    assert service.backlog(empty_store, Filters(), "week").empty
    assert service.backlog_now(empty_store, Filters())["open_tickets"].tolist() == [0, 0, 0, 0, 0]
