"""The KPI views against independent pandas computations written from docs/METRICS.md."""

from __future__ import annotations

import datetime as dt
import json
import math

import pandas as pd
import pytest

from cxdata import cli, metrics, overview
from cxdata.filters import Filters
from tests.conftest import build_store

FILTER_CASES = {
    "everything": Filters(),
    "one_quarter": Filters(dt.date(2025, 4, 1), dt.date(2025, 6, 30)),
    "one_segment": Filters(segments=("SMB",)),
    "channels_and_region": Filters(channels=("app", "web"), regions=("Österreich",)),
    "all_filters": Filters(dt.date(2025, 2, 1), dt.date(2025, 11, 30), ("Enterprise", "Consumer"), ("phone", "chat", "email"), ("Deutschland Süd", "Schweiz")),
}


# -- the independent computation ------------------------------------------------------
def effective_responses(tables: dict[str, pd.DataFrame], filters: Filters) -> pd.DataFrame:
    customers = tables["customers"][["customer_id", "segment", "region"]]
    merged = tables["responses"].merge(customers, on="customer_id", how="left", suffixes=("", "_customer"))
    merged["segment"] = merged["segment"].fillna(merged["segment_customer"])
    merged["region"] = merged["region"].fillna(merged["region_customer"])
    return restrict(merged, "responded_at", filters)


def restrict(frame: pd.DataFrame, time_column: str, filters: Filters, channel: bool = True) -> pd.DataFrame:
    keep = pd.Series(True, index=frame.index)
    day = frame[time_column].dt.date
    if filters.date_from:
        keep &= day >= filters.date_from
    if filters.date_to:
        keep &= day <= filters.date_to
    for column, chosen in (("segment", filters.segments), ("region", filters.regions), ("channel", filters.channels if channel else ())):
        if chosen:
            keep &= frame[column].isin(chosen)
    return frame[keep]


def expected_kpis(tables: dict[str, pd.DataFrame], filters: Filters) -> dict[str, dict]:
    responses = effective_responses(tables, filters)
    nps = responses["nps"].dropna()
    promoters, detractors, n = int((nps >= 9).sum()), int((nps <= 6).sum()), len(nps)
    out: dict[str, dict] = {}
    if n:
        p, d = promoters / n, detractors / n
        out["nps"] = {"n": n, "value": 100 * (p - d), "margin_of_error": 1.96 * 100 * math.sqrt(((p + d) - (p - d) ** 2) / n)}
    else:
        out["nps"] = {"n": 0, "value": None, "margin_of_error": None}
    for kpi, column, hit in (("csat", "csat", lambda s: s >= 4), ("ces", "ces", lambda s: s >= 5)):
        answers = responses[column].dropna()
        out[kpi] = share(int(hit(answers).sum()), len(answers))

    tickets = tables["tickets"].merge(tables["customers"][["customer_id", "segment", "region"]], on="customer_id", how="left")
    tickets = restrict(tickets, "created_at", filters)
    resolved = tickets[tickets["status"].isin(["solved", "closed"]) & tickets["resolved_at"].notna()]
    judged = resolved[resolved["replies"].notna() & resolved["reopens"].notna()]
    out["fcr"] = share(int(((judged["replies"] <= 1) & (judged["reopens"] == 0)).sum()), len(judged))

    customers = tables["customers"]
    if filters.segments:
        customers = customers[customers["segment"].isin(filters.segments)]
    if filters.regions:
        customers = customers[customers["region"].isin(filters.regions)]
    start = filters.date_from or tables["responses"]["responded_at"].min().date()
    end = filters.date_to or tables["responses"]["responded_at"].max().date()
    churned_on = pd.to_datetime(customers["churned_on"]).dt.date
    signup = pd.to_datetime(customers["signup_date"]).dt.date
    active = customers[(signup <= start) & (churned_on.isna() | (churned_on >= start))]
    active_churned = pd.to_datetime(active["churned_on"]).dt.date
    out["churn_rate"] = share(int((active_churned <= end).sum()), len(active))

    answered = responses[responses["nps"].notna() & responses["customer_id"].notna()]
    latest = answered.sort_values(["responded_at", "response_id"]).groupby("customer_id").tail(1)
    latest = latest.merge(tables["customers"][["customer_id", "annual_revenue", "churned_on"]], on="customer_id")
    still_active = latest[pd.to_datetime(latest["churned_on"]).isna() | (pd.to_datetime(latest["churned_on"]).dt.date > end)]
    detractors_latest = still_active[still_active["nps"] <= 6]
    out["revenue_at_risk"] = {"n": len(still_active), "value": float(detractors_latest["annual_revenue"].sum()), "margin_of_error": None}
    return out


def share(hits: int, n: int) -> dict:
    if not n:
        return {"n": 0, "value": None, "margin_of_error": None}
    p = hits / n
    return {"n": n, "value": 100 * p, "margin_of_error": 1.96 * 100 * math.sqrt(p * (1 - p) / n)}


def assert_kpis_equal(actual: dict, expected: dict) -> None:
    assert set(actual) == set(expected)
    for kpi, want in expected.items():
        got = actual[kpi]
        assert got["n"] == want["n"], kpi
        for field in ("value", "margin_of_error"):
            if want[field] is None:
                assert got[field] is None, (kpi, field)
            else:
                assert got[field] == pytest.approx(want[field], rel=1e-9, abs=1e-9), (kpi, field)


# -- the tests --------------------------------------------------------------------------
@pytest.mark.parametrize("case", FILTER_CASES)
def test_kpis_equal_independent_computation(metric_store, synthetic, case):
    filters = FILTER_CASES[case]
    actual = metrics.kpis_as_json(metric_store, filters, min_n=1)["kpis"]
    assert_kpis_equal(actual, expected_kpis(synthetic, filters))


@pytest.mark.parametrize("case", ["everything", "all_filters"])
def test_kpis_command_prints_the_independent_figures(metric_store, synthetic, case, capsys):
    filters = FILTER_CASES[case]
    argv = ["kpis", "--json", "--min-n", "1"]
    if filters.date_from:
        argv += ["--from", filters.date_from.isoformat(), "--to", filters.date_to.isoformat()]
    for option, values in (("--segment", filters.segments), ("--channel", filters.channels), ("--region", filters.regions)):
        for value in values:
            argv += [option, value]
    assert cli.main(argv, store=metric_store) == 0
    printed = json.loads(capsys.readouterr().out)
    assert_kpis_equal(printed["kpis"], expected_kpis(synthetic, filters))
    assert printed["filters"]["segments"] == sorted(filters.segments)


def nps_store(scores: list[int | None], **extra) -> object:
    responses = pd.DataFrame(
        {
            "response_id": [f"R{i}" for i in range(len(scores))],
            "responded_at": [dt.datetime(2025, 3, 1, 12) + dt.timedelta(hours=i) for i in range(len(scores))],
            "nps": pd.array(scores, dtype="Int64"),
            **extra,
        }
    )
    return build_store({"responses": responses})


def nps_row(store, min_n: int = 1) -> dict:
    table = metrics.kpi_summary(store, Filters(), min_n)
    return table[table["kpi"] == "nps"].iloc[0].to_dict()


def test_nps_of_an_empty_store_is_suppressed_with_n_zero(empty_store):
    row = nps_row(empty_store, min_n=10)
    assert (row["n"], row["suppressed"], pd.isna(row["value"])) == (0, True, True)


def test_nps_counts_passives_only_in_denominator():
    row = nps_row(nps_store([10, 9, 8, 7, 7, 3]))
    # 2 promoters, 1 detractor among 6 answers
    assert (row["n"], row["promoters"], row["detractors"]) == (6, 2, 1)
    assert row["value"] == pytest.approx(100 * (2 - 1) / 6)


def test_nps_of_all_passives_is_zero_with_no_margin():
    row = nps_row(nps_store([7, 8, 7, 8, 7, 8, 7, 8, 7, 8]))
    assert (row["value"], row["margin_of_error"], row["suppressed"]) == (0.0, 0.0, False)


def test_nps_ignores_responses_without_an_nps_answer():
    row = nps_row(nps_store([None, 10, None, 0, None]))
    assert (row["n"], row["value"]) == (2, 0.0)


def test_a_single_response_gives_plus_hundred_with_zero_margin_when_min_n_is_one():
    row = nps_row(nps_store([10]))
    assert (row["n"], row["value"], row["margin_of_error"]) == (1, 100.0, 0.0)


@pytest.mark.parametrize("answers, min_n, suppressed", [(9, 10, True), (10, 10, False), (3, 1, False), (3, 4, True)])
def test_groups_below_min_n_show_no_number(answers, min_n, suppressed):
    store = nps_store([9] * answers)
    for row in metrics.kpi_summary(store, Filters(), min_n).to_dict("records"):
        if row["kpi"] != "nps":
            continue
        assert row["suppressed"] is suppressed
        assert pd.isna(row["value"]) is suppressed
        assert pd.isna(row["margin_of_error"]) is suppressed


def test_a_responses_own_segment_overrides_its_customers():
    customers = pd.DataFrame({"customer_id": ["C1"], "segment": ["SMB"], "region": ["Schweiz"]})
    store = build_store(
        {
            "customers": customers,
            "responses": pd.DataFrame(
                {
                    "response_id": ["R1", "R2"],
                    "customer_id": ["C1", "C1"],
                    "responded_at": [dt.datetime(2025, 1, 1), dt.datetime(2025, 1, 2)],
                    "segment": [None, "Enterprise"],
                    "nps": [10, 0],
                }
            ),
        }
    )
    smb = nps_row_for(store, Filters(segments=("SMB",)))
    enterprise = nps_row_for(store, Filters(segments=("Enterprise",)))
    assert (smb["n"], smb["value"], enterprise["n"], enterprise["value"]) == (1, 100.0, 1, -100.0)


def nps_row_for(store, filters: Filters) -> dict:
    table = metrics.kpi_summary(store, filters, 1)
    return table[table["kpi"] == "nps"].iloc[0].to_dict()


def test_fcr_counts_resolved_tickets_with_one_reply_and_no_reopen_only():
    tickets = pd.DataFrame(
        {
            "ticket_id": ["fcr", "two_replies", "reopened", "open", "unknown_replies", "zero_replies"],
            "created_at": [dt.datetime(2025, 1, 1)] * 6,
            "resolved_at": [dt.datetime(2025, 1, 2)] * 3 + [None] + [dt.datetime(2025, 1, 2)] * 2,
            "status": ["solved", "closed", "solved", "open", "solved", "solved"],
            "replies": pd.array([1, 2, 1, 0, None, 0], dtype="Int64"),
            "reopens": pd.array([0, 0, 1, 0, 0, 0], dtype="Int64"),
        }
    )
    store = build_store({"tickets": tickets})
    fcr = metrics.kpi_summary(store, Filters(), 1).set_index("kpi").loc["fcr"]
    # judged: fcr, two_replies, reopened, zero_replies; first-contact: fcr, zero_replies
    assert (fcr["n"], fcr["hits"], fcr["value"]) == (4, 2, 50.0)


def expected_change_z(current: dict, previous: dict) -> float:
    def var(p, d, n):
        return 100**2 * ((p / n + d / n) - (p / n - d / n) ** 2) / n

    return (100 * (current["p"] - current["d"]) / current["n"] - 100 * (previous["p"] - previous["d"]) / previous["n"]) / math.sqrt(
        var(current["p"], current["d"], current["n"]) + var(previous["p"], previous["d"], previous["n"])
    )


@pytest.mark.parametrize(
    "previous_scores, current_scores",
    [
        ([10] * 40 + [8] * 30 + [3] * 30, [10] * 55 + [8] * 25 + [3] * 20),  # +35 pts: significant
        ([10] * 40 + [8] * 30 + [3] * 30, [10] * 42 + [8] * 30 + [3] * 28),  # +4 pts: noise
    ],
)
def test_nps_change_significance_uses_the_nps_variance(previous_scores, current_scores):
    scores = previous_scores + current_scores
    times = [dt.datetime(2025, 1, 15)] * len(previous_scores) + [dt.datetime(2025, 2, 15)] * len(current_scores)
    store = build_store(
        {"responses": pd.DataFrame({"response_id": [f"R{i}" for i in range(len(scores))], "responded_at": times, "nps": scores})}
    )
    filters = Filters(dt.date(2025, 2, 1), dt.date(2025, 2, 28))
    assert filters.previous_period() == Filters(dt.date(2025, 1, 4), dt.date(2025, 1, 31))
    row = metrics.kpi_change(store, filters, 10).set_index("kpi").loc["nps"]
    counts = lambda s: {"p": sum(x >= 9 for x in s), "d": sum(x <= 6 for x in s), "n": len(s)}
    z = expected_change_z(counts(current_scores), counts(previous_scores))
    assert row["z"] == pytest.approx(z)
    assert bool(row["significant"]) is (abs(z) > 1.96)


@pytest.mark.parametrize("previous_hits, current_hits", [(50, 70), (50, 55)])
def test_share_change_uses_the_pooled_two_proportion_z_test(previous_hits, current_hits):
    n = 100
    csat = [5] * previous_hits + [2] * (n - previous_hits) + [5] * current_hits + [2] * (n - current_hits)
    times = [dt.datetime(2025, 1, 15)] * n + [dt.datetime(2025, 2, 15)] * n
    store = build_store(
        {"responses": pd.DataFrame({"response_id": [f"R{i}" for i in range(2 * n)], "responded_at": times, "csat": csat})}
    )
    row = metrics.kpi_change(store, Filters(dt.date(2025, 2, 1), dt.date(2025, 2, 28)), 10).set_index("kpi").loc["csat"]
    p1, p0 = current_hits / n, previous_hits / n
    pooled = (current_hits + previous_hits) / (2 * n)
    z = (p1 - p0) / math.sqrt(pooled * (1 - pooled) * (2 / n))
    assert (row["change"], row["z"]) == (pytest.approx(100 * (p1 - p0)), pytest.approx(z))
    assert bool(row["significant"]) is (abs(z) > 1.96)


def test_change_against_a_suppressed_period_has_no_significance():
    store = nps_store([10] * 20)
    row = metrics.kpi_change(store, Filters(dt.date(2025, 3, 1), dt.date(2025, 3, 31)), 10).set_index("kpi").loc["nps"]
    assert (row["n"], row["previous_n"], bool(row["previous_suppressed"])) == (20, 0, True)
    assert pd.isna(row["change"]) and pd.isna(row["significant"])


# -- what moved -------------------------------------------------------------------------
@pytest.fixture(scope="module")
def touchpoint_tables(synthetic) -> dict[str, pd.DataFrame]:
    """The synthetic tables with a touchpoint on most answers."""
    tables = dict(synthetic)
    responses = tables["responses"].copy()
    names = ["Checkout", "Support", "Billing", "Onboarding", None]
    responses["touchpoint"] = [names[i % len(names)] for i in range(len(responses))]
    tables["responses"] = responses
    return tables


def expected_moves(tables: dict[str, pd.DataFrame], now: Filters, before: Filters) -> dict[tuple, tuple]:
    """(dimension, value) -> (n, NPS, previous n, previous NPS), each answer counted once in each
    dimension it has a value for."""
    out = {}
    current, previous = effective_responses(tables, now), effective_responses(tables, before)
    for dimension in ("segment", "channel", "touchpoint"):
        values = set(current[dimension].dropna()) | set(previous[dimension].dropna())
        for value in values:
            stated = []
            for answers in (current, previous):
                scores = answers.loc[answers[dimension] == value, "nps"].dropna()
                n = len(scores)
                stated += [n, 100 * ((scores >= 9).sum() - (scores <= 6).sum()) / n if n else None]
            out[(dimension, value)] = tuple(stated)
    return out


@pytest.mark.parametrize("case", ["one_quarter", "all_filters"])
def test_what_moved_equals_independent_computation(touchpoint_tables, case):
    store = build_store(touchpoint_tables)
    now = FILTER_CASES[case]
    length = now.date_to - now.date_from
    before = Filters(now.date_from - length - dt.timedelta(days=1), now.date_from - dt.timedelta(days=1),
                     now.segments, now.channels, now.regions)
    table = store.query(
        "select * from what_moved(?::date, ?::date, ?::date, ?::date, segments := ?::varchar[], channels := ?::varchar[],"
        " regions := ?::varchar[], min_n := 1)",
        [now.date_from, now.date_to, before.date_from, before.date_to,
         list(now.segments) or None, list(now.channels) or None, list(now.regions) or None],
    )
    got = {
        (row["dimension"], row["value"]): (
            row["n"], None if pd.isna(row["nps"]) else row["nps"],
            row["previous_n"], None if pd.isna(row["previous_nps"]) else row["previous_nps"],
        )
        for row in table.to_dict("records")
    }
    expected = expected_moves(touchpoint_tables, now, before)
    assert got.keys() == expected.keys()
    for key, (n, nps, previous_n, previous_nps) in expected.items():
        assert got[key][0::2] == (n, previous_n), key
        assert got[key][1::2] == (pytest.approx(nps), pytest.approx(previous_nps)), key
    assert {dimension for dimension, _ in expected} == {"segment", "channel", "touchpoint"}


# -- periods: the latest answer, the previous window, churn per week ---------------------
def test_revenue_at_risk_takes_the_answer_given_last_to_the_microsecond_then_the_greatest_id():
    customers = pd.DataFrame(
        {"customer_id": ["fraction", "tie"], "annual_revenue": [1000.0, 500.0], "signup_date": [dt.date(2024, 1, 1)] * 2}
    )
    noon = dt.datetime(2025, 3, 1, 12)
    responses = pd.DataFrame(
        {
            "response_id": ["R1", "R2", "R9", "R10"],
            "customer_id": ["fraction", "fraction", "tie", "tie"],
            # .5 s is earlier than .51 s, though "…00.5R1" sorts after "…00.51R2" as text
            "responded_at": [noon + dt.timedelta(microseconds=500_000), noon + dt.timedelta(microseconds=510_000), noon, noon],
            # at the same moment "R9" is the greater id
            "nps": [0, 10, 0, 10],
        }
    )
    store = build_store({"customers": customers, "responses": responses})
    row = metrics.kpi_summary(store, Filters(dt.date(2025, 3, 1), dt.date(2025, 3, 31)), 1).set_index("kpi").loc["revenue_at_risk"]
    assert (row["n"], row["hits"], row["value"]) == (2, 1, 500.0)


def assert_window_revenue_at_risk(store, filters: Filters, grain: str, expected: tuple) -> None:
    """The window's revenue at risk is `expected` (customers, detractors, revenue) as the Overview
    states it at this grain and as kpi_summary states it alone."""
    table = overview.kpi_overview(store, filters, 1, grain)
    row = table[(table["kpi"] == "revenue_at_risk") & (table["period_kind"] == "window")].iloc[0]
    summary = metrics.kpi_summary(store, filters, 1).set_index("kpi").loc["revenue_at_risk"]
    n, detractors, revenue = expected
    assert (row["n"], row["value"]) == (summary["n"], summary["value"]) == (n, revenue)
    assert summary["hits"] == detractors


@pytest.mark.parametrize(
    "channels, expected",
    [
        # C1's latest answer of March is its app promoter on the 30th, C2's its web detractor on
        # the 30th, C3's its web detractor on the 20th (its next answer comes in April)
        ((), (3, 2, 800.0)),
        # under the web filter C1's app answer is left out: its web detractor of the 10th counts;
        # C2's earlier web promoter of the 5th is not its latest, though its next answer falls on
        # the window's last day
        (("web",), (3, 3, 1800.0)),
    ],
    ids=["all-channels", "web-only"],
)
@pytest.mark.parametrize("grain", ["window", "week", "month"])
def test_revenue_at_risk_under_a_channel_filter_takes_the_latest_answer_the_filter_lets_through(channels, expected, grain):
    customers = pd.DataFrame({
        "customer_id": ["C1", "C2", "C3"], "annual_revenue": [1000.0, 500.0, 300.0], "signup_date": [dt.date(2024, 1, 1)] * 3,
    })
    answers = [
        ("R1", "C1", "2025-03-10 09:00", "web", 2), ("R2", "C1", "2025-03-30 18:00", "app", 10),
        ("R3", "C2", "2025-03-05 09:00", "web", 10), ("R4", "C2", "2025-03-30 08:00", "web", 0),
        ("R5", "C3", "2025-03-20 09:00", "web", 5), ("R6", "C3", "2025-04-02 09:00", "web", 9),
    ]
    responses = pd.DataFrame(answers, columns=["response_id", "customer_id", "responded_at", "channel", "nps"])
    responses["responded_at"] = pd.to_datetime(responses["responded_at"])
    store = build_store({"customers": customers, "responses": responses})
    filters = Filters(dt.date(2025, 3, 1), dt.date(2025, 3, 30), channels=channels)
    assert_window_revenue_at_risk(store, filters, grain, expected)


@pytest.mark.parametrize(
    "channels, expected",
    [
        # all three answers share a moment; "R99" is the greatest id of them: a promoter
        ((), (1, 0, 0.0)),
        # the web filter leaves "R99" out; of "R10" and "R9", "R9" is the greater id (as text,
        # though written first and smaller as a number): a detractor
        (("web",), (1, 1, 700.0)),
    ],
    ids=["all-channels", "web-only"],
)
@pytest.mark.parametrize("grain", ["window", "week", "month"])
def test_revenue_at_risk_under_a_filter_breaks_a_tie_at_one_moment_by_the_greatest_id(channels, expected, grain):
    customers = pd.DataFrame({"customer_id": ["T"], "annual_revenue": [700.0], "signup_date": [dt.date(2024, 1, 1)]})
    noon = dt.datetime(2025, 3, 15, 12)
    responses = pd.DataFrame({
        "response_id": ["R9", "R10", "R99"],
        "customer_id": ["T"] * 3,
        "responded_at": [noon] * 3,
        "channel": ["web", "web", "app"],
        "nps": [0, 10, 10],
    })
    store = build_store({"customers": customers, "responses": responses})
    filters = Filters(dt.date(2025, 3, 1), dt.date(2025, 3, 31), channels=channels)
    assert_window_revenue_at_risk(store, filters, grain, expected)


def periods_store() -> object:
    """Customers who sign up and churn on period boundaries, inside one week, without a signup
    date; answers and tickets across a few weeks, some before the first answer."""
    customers = pd.DataFrame(
        {
            "customer_id": [f"C{i}" for i in range(9)],
            "segment": ["SMB", "SMB", "SMB", "Enterprise", "SMB", "SMB", "Enterprise", "SMB", "SMB"],
            "region": ["Schweiz"] * 9,
            "signup_date": pd.to_datetime(
                ["2024-01-01", "2025-03-03", "2025-03-04", None, "2025-03-10", "2024-06-01", "2025-03-20", None, "2025-03-31"]
            ).date,
            "churned_on": pd.to_datetime(
                [None, "2025-03-09", "2025-03-06", "2025-03-17", None, "2025-03-03", "2025-03-24", None, None]
            ).date,
            "annual_revenue": [100.0 * (i + 1) for i in range(9)],
        }
    )
    customers["signup_date"] = customers["signup_date"].astype(object).where(customers["signup_date"].notna(), None)
    customers["churned_on"] = customers["churned_on"].astype(object).where(customers["churned_on"].notna(), None)
    start = dt.datetime(2025, 3, 2, 9)
    responses = pd.DataFrame(
        {
            "response_id": [f"R{i:03d}" for i in range(60)],
            "customer_id": [f"C{i % 9}" if i % 7 else None for i in range(60)],
            "responded_at": [start + dt.timedelta(hours=11 * i) for i in range(60)],
            "channel": ["app" if i % 3 else "web" for i in range(60)],
            "nps": [i % 11 for i in range(60)],
            "csat": [None if i % 4 == 0 else 1 + i % 5 for i in range(60)],
        }
    )
    tickets = pd.DataFrame(
        {
            "ticket_id": [f"T{i}" for i in range(12)],
            "customer_id": [f"C{i % 9}" for i in range(12)],
            "created_at": [dt.datetime(2025, 2, 20) + dt.timedelta(days=3 * i) for i in range(12)],
            "resolved_at": [dt.datetime(2025, 2, 21) + dt.timedelta(days=3 * i) for i in range(12)],
            "status": ["solved"] * 12,
            "replies": [i % 3 for i in range(12)],
            "reopens": [0] * 12,
        }
    )
    return build_store({"customers": customers, "responses": responses, "tickets": tickets})


def kpi_rows(table: pd.DataFrame, n: str = "n", value: str = "value") -> list[tuple]:
    """(kpi, n, value) per row, a missing value as None."""
    return [(row["kpi"], row[n], None if pd.isna(row[value]) else row[value]) for row in table.to_dict("records")]


def summary_alone(store, filters: Filters) -> list[tuple]:
    """(kpi, n, value) of kpi_summary asked for the filters alone."""
    return kpi_rows(metrics.kpi_summary(store, filters, 1))


def assert_same_kpis(actual: list[tuple], expected: list[tuple]) -> None:
    assert [(kpi, n) for kpi, n, _ in actual] == [(kpi, n) for kpi, n, _ in expected]
    for (kpi, _, got), (_, _, want) in zip(actual, expected):
        if want is None:
            assert got is None, kpi
        else:
            assert got == pytest.approx(want), kpi


@pytest.mark.parametrize(
    "current, previous",
    [
        ((dt.date(2025, 3, 17), dt.date(2025, 3, 30)), (dt.date(2025, 3, 3), dt.date(2025, 3, 16))),
        # windows that overlap, or are one and the same, each still count every row of their own
        ((dt.date(2025, 3, 10), dt.date(2025, 3, 30)), (dt.date(2025, 3, 3), dt.date(2025, 3, 20))),
        ((dt.date(2025, 3, 3), dt.date(2025, 3, 30)), (dt.date(2025, 3, 3), dt.date(2025, 3, 30))),
        # a gap between them
        ((dt.date(2025, 3, 24), dt.date(2025, 3, 30)), (dt.date(2025, 2, 1), dt.date(2025, 3, 5))),
    ],
)
@pytest.mark.parametrize("segments", [None, ["SMB"]])
def test_kpi_change_states_each_period_as_kpi_summary_states_it_alone(current, previous, segments):
    store = periods_store()
    table = store.query(
        "select * from kpi_change(?::date, ?::date, ?::date, ?::date, segments := ?::varchar[], min_n := 1)",
        [*current, *previous, segments],
    )
    now = summary_alone(store, Filters(*current, segments=tuple(segments or ())))
    before = summary_alone(store, Filters(*previous, segments=tuple(segments or ())))
    assert_same_kpis(kpi_rows(table), now)
    assert_same_kpis(kpi_rows(table, "previous_n", "previous_value"), before)


def expected_churn(customers: pd.DataFrame, start: dt.date, end: dt.date) -> tuple[int, int]:
    """(active at the start, of those churned by the end), from docs/METRICS.md."""
    active = customers[
        (customers["signup_date"].isna() | (customers["signup_date"] <= start))
        & (customers["churned_on"].isna() | (customers["churned_on"] >= start))
    ]
    return len(active), int((active["churned_on"].notna() & (active["churned_on"] <= end)).sum())


@pytest.mark.parametrize("segments", [(), ("SMB",)])
def test_kpi_trend_churn_per_week_equals_independent_computation(segments):
    store = periods_store()
    customers = store.query("select segment, signup_date, churned_on from main.customers")
    if segments:
        customers = customers[customers["segment"].isin(segments)]
    customers = customers.astype(object).where(customers.notna(), None)
    customers["signup_date"] = pd.to_datetime(customers["signup_date"]).dt.date
    customers["churned_on"] = pd.to_datetime(customers["churned_on"]).dt.date
    filters = Filters(dt.date(2025, 3, 4), dt.date(2025, 3, 27), segments=segments)
    trend = overview.kpi_trend(store, filters, 1, "week")
    churn = trend[trend["kpi"] == "churn_rate"]
    expected = [expected_churn(customers, start.date(), end.date()) for start, end in churn[["stretch_from", "stretch_to"]].itertuples(index=False)]
    got = store.query(
        "select n, hits from kpi_periods(date_from := ?::date, date_to := ?::date, segments := ?::varchar[], min_n := 1, grain := 'week')"
        " where kpi = 'churn_rate' order by period_start",
        [filters.date_from, filters.date_to, list(segments) or None],
    )
    assert [tuple(r) for r in got.itertuples(index=False)] == expected
    assert churn["n"].tolist() == [n for n, _ in expected]
    assert any(hits for _, hits in expected) and any(n > hits > 0 for n, hits in expected), "the case must churn someone"


@pytest.mark.parametrize("grain", ["week", "month"])
def test_kpi_trend_of_an_open_ended_filter_covers_the_answers_span_and_each_period_equals_kpi_summary(grain):
    store = periods_store()
    trend = overview.kpi_trend(store, Filters(), 1, grain)
    first, last = store.query_rows("select min(responded_at)::date, max(responded_at)::date from main.responses")[0]
    stretches = trend.drop_duplicates("period_start")[["stretch_from", "stretch_to"]]
    assert (stretches["stretch_from"].min().date(), stretches["stretch_to"].max().date()) == (first, last)
    for (start, end), rows in trend.groupby(["stretch_from", "stretch_to"]):
        assert_same_kpis(kpi_rows(rows.sort_values("kpi_order")), summary_alone(store, Filters(start.date(), end.date())))
    # the whole open-ended window also counts the tickets before the first answer
    whole = metrics.kpi_summary(store, Filters(), 1).set_index("kpi").loc["fcr", "n"]
    assert whole > trend[trend["kpi"] == "fcr"]["n"].sum()


@pytest.mark.parametrize("grain", ["window", "week", "month"])
def test_kpi_periods_have_one_row_per_period_and_kpi(metric_store, grain):
    table = metric_store.query(
        "select * from kpi_periods(date_from := ?::date, date_to := ?::date, grain := ?,"
        " with_previous := true, previous_from := ?::date, previous_to := ?::date)",
        [dt.date(2025, 4, 9), dt.date(2025, 7, 20), grain, dt.date(2025, 1, 1), dt.date(2025, 4, 8)],
    )
    key = ["is_previous", "period_start", "kpi"]
    assert not table.duplicated(subset=key).any()
    assert table[key + ["stretch_from", "stretch_to", "n", "suppressed"]].notna().all().all()
    periods = table.drop_duplicates(["is_previous", "period_start"])
    assert len(table) == 6 * len(periods)
    assert periods["is_previous"].tolist().count(True) == 1


@pytest.mark.parametrize("grain", ["week", "month"])
@pytest.mark.parametrize(
    "filters",
    [
        Filters(dt.date(2025, 3, 4), dt.date(2025, 5, 27)),
        Filters(dt.date(2025, 1, 1), dt.date(2025, 6, 30), segments=("SMB", "Enterprise")),
        Filters(dt.date(2025, 2, 10), dt.date(2025, 4, 20), channels=("email",), regions=("Schweiz", "Österreich")),
    ],
    ids=["dates", "segments", "channel-and-regions"],
)
def test_kpi_overview_states_the_window_as_kpi_change_and_each_period_as_kpi_trend(metric_store, filters, grain):
    # the Overview's one query counts the whole window beside its weeks or months; each must be
    # what the comparison and the trend say when asked on their own
    table = overview.kpi_overview(metric_store, filters, 10, grain)
    change = metrics.kpi_change(metric_store, filters, 10)
    trend = overview.kpi_trend(metric_store, filters, 10, grain)
    window = table[table["period_kind"] == "window"]
    assert (window["stretch_from"].dt.date == filters.date_from).all() and (window["stretch_to"].dt.date == filters.date_to).all()
    # (beside the weeks the comparison's columns may hold nulls: nullable integers there)
    pd.testing.assert_frame_equal(window[list(change.columns)].reset_index(drop=True), change, check_dtype=False)
    periods = table[table["period_kind"] == grain]
    assert len(periods) + len(window) == len(table)
    expected = trend.sort_values(["kpi_order", "period_start"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(periods[list(trend.columns)].reset_index(drop=True), expected)
    # the case must be one with numbers to compare, not only suppressed ones
    assert not window["suppressed"].any() and not periods["suppressed"].all()
