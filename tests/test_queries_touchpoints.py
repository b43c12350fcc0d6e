"""The touchpoint marts against independent pandas computations written from docs/METRICS.md.

tests/conftest.py has no touchpoints, touchpoint answers or attribute ratings: touchpoint_tables()
adds them to its synthetic tables (the journey and page tests reuse it)."""

from __future__ import annotations

import datetime as dt
import math
import random

import numpy as np
import pandas as pd
import pytest

from cxdata.filters import Filters
from cxdata.queries import touchpoints as queries
from tests.conftest import build_store, synthetic_tables

# (touchpoint, stage, position, moment of truth); positions deliberately not listed in order
TOUCHPOINTS = [
    ("Online search", "awareness", 10, "ZMOT"),
    ("Reviews & comparison", "awareness", 20, "ZMOT"),
    ("Sales advice", "consideration", 40, "FMOT"),
    ("Website visit", "consideration", 30, "ZMOT"),
    ("Checkout", "purchase", 50, "FMOT"),
    ("Invoice & billing", "purchase", 60, "SMOT"),
    ("Delivery", "service", 70, "SMOT"),
    ("Unboxing & setup", "service", 80, "SMOT"),
    ("Support contact", "service", 90, "SMOT"),
    ("Renewal", "loyalty", 100, "UMOT"),
    ("Referral", "loyalty", 110, "UMOT"),
]
# answered about, but missing from the touchpoint list: shown after the listed ones
UNLISTED = "Pop-up store"
# so few answers that it is always suppressed
RARE = "Referral"
# how strongly each attribute's rating follows the NPS answer (0 = not at all)
ATTRIBUTE_LINKS = {"Price": 0.2, "Product quality": 0.8, "Delivery": 0.6, "Invoice & billing": 0.9, "Checkout": 0.1}
CONSTANT_ATTRIBUTE = "Packaging"  # everyone rates it the same: no correlation can be measured
RARE_ATTRIBUTE = "Gift wrapping"
COMMENTS = ["Schnell und freundlich.", "Die Rechnung war falsch!", "ok", "Zu teuer.", "  ", "Setup was a joy"]

FILTER_CASES = {
    "everything": Filters(),
    "one_quarter": Filters(dt.date(2025, 4, 1), dt.date(2025, 6, 30)),
    "one_segment": Filters(segments=("SMB",)),
    "channels_and_region": Filters(channels=("app", "web", "phone"), regions=("Österreich", "Schweiz")),
    "all_filters": Filters(dt.date(2025, 2, 1), dt.date(2025, 11, 30), ("Enterprise", "Consumer"), ("phone", "chat", "email"), ("Deutschland Süd", "Schweiz")),
}


# -- the synthetic tables --------------------------------------------------------------
def touchpoint_tables(seed: int = 11, customers: int = 300, responses: int = 4000) -> dict[str, pd.DataFrame]:
    """conftest's synthetic tables plus a touchpoint list, touchpoint answers with comments and attribute ratings."""
    rng = random.Random(seed)
    tables = synthetic_tables(seed=seed, customers=customers, responses=responses, tickets=50)
    tables["touchpoints"] = pd.DataFrame(
        [
            {"touchpoint": name, "stage": stage, "position": position, "moment_of_truth": mot, "description": None}
            for name, stage, position, mot in TOUCHPOINTS
        ]
    )
    answers = tables["responses"].copy()
    common = [name for name, *_ in TOUCHPOINTS if name != RARE] + [UNLISTED]
    rare_left = 6
    touchpoint, comment = [], []
    for _ in range(len(answers)):
        if rare_left and rng.random() < 0.01:
            rare_left -= 1
            touchpoint.append(RARE)
        else:
            touchpoint.append(None if rng.random() < 0.15 else rng.choice(common))
        comment.append(rng.choice(COMMENTS) if rng.random() < 0.3 else None)
    answers["touchpoint"] = touchpoint
    answers["comment"] = comment
    tables["responses"] = answers

    ratings = []
    for row in answers.itertuples():
        nps = row.nps if not pd.isna(row.nps) else rng.randrange(0, 11)
        for attribute, link in ATTRIBUTE_LINKS.items():
            if rng.random() < 0.5:
                continue
            # on a 1–5 scale, except Price on 0–10: both must come out comparable
            low, high = (0.0, 10.0) if attribute == "Price" else (1.0, 5.0)
            signal = low + (high - low) * nps / 10
            noise = rng.uniform(low, high)
            rating = round(link * signal + (1 - link) * noise)
            ratings.append({"response_id": row.response_id, "attribute": attribute, "rating": float(min(max(rating, low), high)), "scale_min": low, "scale_max": high})
        if rng.random() < 0.3:
            ratings.append({"response_id": row.response_id, "attribute": CONSTANT_ATTRIBUTE, "rating": 4.0, "scale_min": 1.0, "scale_max": 5.0})
        if rng.random() < 0.002:
            ratings.append({"response_id": row.response_id, "attribute": RARE_ATTRIBUTE, "rating": float(rng.randrange(1, 6)), "scale_min": 1.0, "scale_max": 5.0})
    tables["response_ratings"] = pd.DataFrame(ratings)
    return tables


@pytest.fixture(scope="module")
def tp_tables() -> dict[str, pd.DataFrame]:
    return touchpoint_tables()


@pytest.fixture(scope="module")
def tp_store(tp_tables):
    store = build_store(tp_tables)
    yield store
    store.close()


# -- the independent computation ---------------------------------------------------------
def effective_responses(tables: dict[str, pd.DataFrame], filters: Filters) -> pd.DataFrame:
    customers = tables["customers"][["customer_id", "segment", "region"]]
    merged = tables["responses"].merge(customers, on="customer_id", how="left", suffixes=("", "_customer"))
    merged["segment"] = merged["segment"].fillna(merged["segment_customer"])
    merged["region"] = merged["region"].fillna(merged["region_customer"])
    keep = pd.Series(True, index=merged.index)
    day = merged["responded_at"].dt.date
    if filters.date_from:
        keep &= day >= filters.date_from
    if filters.date_to:
        keep &= day <= filters.date_to
    for column, chosen in (("segment", filters.segments), ("channel", filters.channels), ("region", filters.regions)):
        if chosen:
            keep &= merged[column].isin(chosen)
    return merged[keep]


def nps_of(scores: pd.Series) -> tuple[int, float | None, float | None]:
    scores = scores.dropna()
    n = len(scores)
    if not n:
        return 0, None, None
    p, d = (scores >= 9).sum() / n, (scores <= 6).sum() / n
    return n, 100 * (p - d), 1.96 * 100 * math.sqrt(((p + d) - (p - d) ** 2) / n)


def share_of(hits: pd.Series) -> tuple[int, float | None, float | None]:
    hits = hits.dropna()
    n = len(hits)
    if not n:
        return 0, None, None
    p = hits.mean()
    return n, 100 * p, 1.96 * 100 * math.sqrt(p * (1 - p) / n)


def measure(answers: pd.DataFrame, metric: str) -> tuple[int, float | None, float | None]:
    if metric == "nps":
        return nps_of(answers["nps"])
    column, cut = {"csat": ("csat", 4), "ces": ("ces", 5)}[metric]
    return share_of(answers[column].dropna() >= cut)


def expected_performance(tables: dict, filters: Filters, metric: str, min_n: int) -> dict[tuple[str, str], dict]:
    answers = effective_responses(tables, filters)
    answers = answers[answers["touchpoint"].notna()].copy()
    answers["channel"] = answers["channel"].fillna("unknown")
    out = {}
    groups = [((tp, ch), group) for (tp, ch), group in answers.groupby(["touchpoint", "channel"])]
    groups += [((tp, "All channels"), group) for tp, group in answers.groupby("touchpoint")]
    for key, group in groups:
        n, value, margin = measure(group, metric)
        if n == 0:
            continue
        suppressed = n < min_n
        out[key] = {"n": n, "value": None if suppressed else value, "margin_of_error": None if suppressed else margin, "suppressed": suppressed}
    return out


def close(actual, expected) -> bool:
    if expected is None:
        return actual is None or pd.isna(actual)
    return actual == pytest.approx(expected, rel=1e-9, abs=1e-9)


def records(frame: pd.DataFrame, key: list[str], fields: list[str]) -> dict:
    return {tuple(row[k] for k in key) if len(key) > 1 else row[key[0]]: {f: row[f] for f in fields} for row in frame.to_dict("records")}


def assert_same(actual: dict, expected: dict) -> None:
    assert set(actual) == set(expected)
    for key, want in expected.items():
        for field, value in want.items():
            got = actual[key][field]
            if isinstance(value, float) or value is None:
                assert close(got, value), (key, field, got, value)
            else:
                assert got == value, (key, field, got, value)


# -- the heatmap -------------------------------------------------------------------------
@pytest.mark.parametrize("metric", ["nps", "csat", "ces"])
@pytest.mark.parametrize("case", FILTER_CASES)
def test_touchpoint_performance_equals_independent_computation(tp_store, tp_tables, case, metric):
    filters = FILTER_CASES[case]
    frame = queries.touchpoint_performance(tp_store, filters, metric, min_n=10)
    actual = records(frame, ["touchpoint", "channel"], ["n", "value", "margin_of_error", "suppressed"])
    assert_same(actual, expected_performance(tp_tables, filters, metric, min_n=10))
    assert set(frame["metric"]) <= {metric}


def test_touchpoint_performance_has_one_row_per_touchpoint_channel_and_metric(tp_store):
    frame = tp_store.query("select * from touchpoint_performance()")
    assert not frame.duplicated(["touchpoint", "channel", "metric"]).any()
    assert frame[["touchpoint", "channel", "metric", "n", "suppressed"]].notna().all().all()
    assert (frame["n"] > 0).all()


def test_touchpoints_come_in_journey_order_with_unlisted_ones_last(tp_store):
    frame = queries.touchpoint_performance(tp_store, Filters(), "nps", min_n=10)
    order = list(dict.fromkeys(frame["touchpoint"]))
    listed = [name for name, _, position, _ in sorted(TOUCHPOINTS, key=lambda t: t[2])]
    assert order == listed + [UNLISTED]
    stages = frame.drop_duplicates("touchpoint").set_index("touchpoint")["stage"]
    assert stages[UNLISTED] is None or pd.isna(stages[UNLISTED])
    assert stages["Invoice & billing"] == "purchase"


def test_a_rare_touchpoint_is_suppressed_in_every_cell(tp_store):
    frame = queries.touchpoint_performance(tp_store, Filters(), "nps", min_n=10)
    rare = frame[frame["touchpoint"] == RARE]
    assert len(rare) > 0
    assert rare["suppressed"].all() and rare["value"].isna().all() and rare["margin_of_error"].isna().all()
    assert (rare["n"] < 10).all()


def test_an_unknown_metric_is_refused_before_it_reaches_sql(tp_store):
    with pytest.raises(ValueError, match="Unknown metric"):
        queries.touchpoint_performance(tp_store, Filters(), "nps; drop table responses", min_n=10)


# -- importance versus performance -------------------------------------------------------
def expected_importance(tables: dict, filters: Filters, min_n: int) -> dict[str, dict]:
    answers = effective_responses(tables, filters)[["response_id", "nps"]]
    rated = tables["response_ratings"].merge(answers, on="response_id", how="inner")
    rated["pct"] = 100 * (rated["rating"] - rated["scale_min"]) / (rated["scale_max"] - rated["scale_min"])
    rows = {}
    for attribute, group in rated.groupby("attribute"):
        pairs = group.dropna(subset=["nps"])
        n = len(pairs)
        r = None
        if n > 1 and pairs["rating"].std() > 0 and pairs["nps"].std() > 0:
            r = float(np.corrcoef(pairs["rating"], pairs["nps"].astype(float))[0, 1])
        suppressed = n < min_n or r is None
        interval = (None, None)
        if not suppressed and n > 3:
            interval = tuple(math.tanh(math.atanh(r) + sign * 1.96 / math.sqrt(n - 3)) for sign in (-1, 1))
        rows[attribute] = {
            "n": n,
            "rating_n": len(group),
            "importance": None if suppressed else r,
            "importance_lower": interval[0],
            "importance_upper": interval[1],
            "performance": None if suppressed else float(group["pct"].mean()),
            "mean_rating": None if suppressed else float(group["rating"].mean()),
            "suppressed": suppressed,
        }
    shown = [row for row in rows.values() if not row["suppressed"]]
    median_importance = float(np.median([row["importance"] for row in shown]))
    median_performance = float(np.median([row["performance"] for row in shown]))
    for row in rows.values():
        if row["suppressed"]:
            row["quadrant"] = None
            continue
        high = row["importance"] >= median_importance
        low = row["performance"] < median_performance
        row["quadrant"] = {(True, True): "Fix first", (True, False): "Keep up", (False, True): "Low priority", (False, False): "Possible overkill"}[(high, low)]
        row["median_importance"] = median_importance
        row["median_performance"] = median_performance
    return rows


@pytest.mark.parametrize("case", FILTER_CASES)
def test_importance_performance_equals_independent_computation(tp_store, tp_tables, case):
    filters = FILTER_CASES[case]
    frame = queries.importance_performance(tp_store, filters, min_n=10)
    expected = expected_importance(tp_tables, filters, min_n=10)
    fields = sorted({field for row in expected.values() for field in row})
    actual = records(frame, ["attribute"], fields)
    assert_same(actual, expected)


def test_importance_performance_names_what_to_fix_first(tp_store):
    frame = queries.importance_performance(tp_store, Filters(), min_n=10)
    assert not frame["attribute"].duplicated().any()
    fix_first = frame[frame["quadrant"] == "Fix first"]
    assert len(fix_first) >= 1
    assert (fix_first["importance"] >= fix_first["median_importance"]).all()
    assert (fix_first["performance"] < fix_first["median_performance"]).all()
    assert frame.set_index("attribute")["is_touchpoint"].to_dict() == {
        attribute: attribute in {name for name, *_ in TOUCHPOINTS} for attribute in frame["attribute"]
    }


@pytest.mark.parametrize("attribute", [CONSTANT_ATTRIBUTE, RARE_ATTRIBUTE])
def test_an_attribute_without_a_measurable_relation_is_suppressed(tp_store, attribute):
    row = queries.importance_performance(tp_store, Filters(), min_n=10).set_index("attribute").loc[attribute]
    assert row["suppressed"] and pd.isna(row["importance"]) and pd.isna(row["performance"]) and pd.isna(row["quadrant"])


# -- one touchpoint: trend and verbatims --------------------------------------------------
@pytest.mark.parametrize("touchpoint", ["Invoice & billing", "Delivery", UNLISTED, RARE])
@pytest.mark.parametrize("case", ["everything", "all_filters"])
def test_touchpoint_trend_equals_independent_computation(tp_store, tp_tables, case, touchpoint):
    filters = FILTER_CASES[case]
    frame = queries.touchpoint_trend(tp_store, filters, touchpoint, min_n=10)
    answers = effective_responses(tp_tables, filters)
    answers = answers[(answers["touchpoint"] == touchpoint) & answers["nps"].notna()]
    expected = {}
    for month, group in answers.groupby(answers["responded_at"].dt.to_period("M")):
        n, value, margin = nps_of(group["nps"])
        suppressed = n < 10
        expected[month.start_time.date()] = {
            "n": n,
            "nps": None if suppressed else value,
            "nps_lower": None if suppressed else value - margin,
            "nps_upper": None if suppressed else value + margin,
            "suppressed": suppressed,
        }
    frame["month"] = pd.to_datetime(frame["month"]).dt.date
    assert_same(records(frame, ["month"], ["n", "nps", "nps_lower", "nps_upper", "suppressed"]), expected)
    assert list(frame["month"]) == sorted(frame["month"])


@pytest.mark.parametrize("case", ["everything", "one_segment", "all_filters"])
def test_verbatims_are_the_touchpoints_comments_newest_first(tp_store, tp_tables, case):
    filters = FILTER_CASES[case]
    answers = effective_responses(tp_tables, filters)
    answers = answers[answers["touchpoint"] == "Invoice & billing"]
    assert len(answers) >= 10
    said = answers[answers["comment"].fillna("").str.strip() != ""]
    expected = said.sort_values(["responded_at", "response_id"], ascending=[False, True])
    frame = queries.touchpoint_verbatims(tp_store, filters, "Invoice & billing", min_n=10)
    assert list(frame["response_id"]) == list(expected["response_id"])
    assert list(frame["comment"]) == [text.strip() for text in expected["comment"]]
    assert list(frame.columns) == ["responded_at", "channel", "segment", "nps", "nps_class", "csat", "ces", "comment", "response_id"]


def test_verbatims_of_a_group_below_min_n_never_leave_the_store(tp_store, tp_tables):
    answers = tp_tables["responses"]
    rare = answers[answers["touchpoint"] == RARE]
    assert 0 < len(rare) < 10
    assert queries.touchpoint_verbatims(tp_store, Filters(), RARE, min_n=10).empty
    # the same touchpoint shows its comments once the threshold allows it
    shown = queries.touchpoint_verbatims(tp_store, Filters(), RARE, min_n=1)
    assert len(shown) == (rare["comment"].fillna("").str.strip() != "").sum()


def test_verbatims_are_limited_to_the_most_recent(tp_store):
    everything = queries.touchpoint_verbatims(tp_store, Filters(), "Delivery", min_n=10)
    limited = queries.touchpoint_verbatims(tp_store, Filters(), "Delivery", min_n=10, limit=5)
    assert list(limited["response_id"]) == list(everything["response_id"][:5])


@pytest.mark.parametrize("case", FILTER_CASES)
def test_touchpoint_answers_count_answers_and_comments(tp_store, tp_tables, case):
    filters = FILTER_CASES[case]
    answers = effective_responses(tp_tables, filters)
    answers = answers[answers["touchpoint"].notna()]
    expected = {}
    for touchpoint, group in answers.groupby("touchpoint"):
        n = len(group)
        commented = int((group["comment"].fillna("").str.strip() != "").sum())
        expected[touchpoint] = {"n": n, "comments": None if n < 10 else commented, "suppressed": n < 10}
    frame = queries.touchpoint_answers(tp_store, filters, min_n=10)
    assert_same(records(frame, ["touchpoint"], ["n", "comments", "suppressed"]), expected)
    listed = [name for name, _, position, _ in sorted(TOUCHPOINTS, key=lambda t: t[2])]
    assert list(frame["touchpoint"]) == [name for name in listed + [UNLISTED] if name in expected]
