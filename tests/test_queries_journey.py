"""The journey marts against independent pandas computations written from docs/METRICS.md.

tests/conftest.py has no journey events: journey_tables() adds journeys to the touchpoint tables of
tests/test_queries_touchpoints.py, with a planted pain point (Invoice & billing: deep low, many
abandon there) and a planted wow moment (Unboxing & setup)."""

from __future__ import annotations

import dataclasses

import datetime as dt
import math
import random

import numpy as np
import pandas as pd
import pytest

from cxdata.filters import Filters
from cxdata.queries import journey as queries
from tests.conftest import CHANNELS, START, build_store
from tests.test_queries_touchpoints import FILTER_CASES, TOUCHPOINTS, effective_responses, touchpoint_tables

STAGES = ["awareness", "consideration", "purchase", "service", "loyalty"]
PAIN, WOW = "Invoice & billing", "Unboxing & setup"
# on the journey but not in the touchpoint list: placed at the end of its events' stage
UNLISTED_STEP = ("Hotline callback", "service")
# reached by so few journeys that it is always suppressed
RARE = "Referral"
EMOTION = {PAIN: -0.6, WOW: 0.7}
ABANDON = {PAIN: 0.25, "Checkout": 0.08}


def journey_tables(seed: int = 5, journeys: int = 1500) -> dict[str, pd.DataFrame]:
    rng = random.Random(seed)
    tables = touchpoint_tables()
    ordered = [(name, stage) for name, stage, position, _ in sorted(TOUCHPOINTS, key=lambda t: t[2]) if name != RARE]
    unboxing = [name for name, _ in ordered].index(WOW)
    ordered.insert(unboxing + 1, UNLISTED_STEP)
    rare_left = 4
    customers = tables["customers"]["customer_id"].tolist()
    rows = []
    for j in range(journeys):
        customer = None if rng.random() < 0.03 else rng.choice(customers)
        at = START + dt.timedelta(minutes=rng.randrange(0, 360 * 24 * 60))
        start = rng.randrange(0, 3)  # some journeys are first seen after awareness
        steps = list(ordered[start:])
        if rare_left and rng.random() < 0.01:
            rare_left -= 1
            steps.append((RARE, "loyalty"))
        # every export style: only the last event says 'abandoned', or every event of the journey does
        mark_all = rng.random() < 0.3
        ending = "open" if rng.random() < 0.1 else "completed"
        events = []
        for index, (touchpoint, stage) in enumerate(steps):
            repeats = 2 if rng.random() < 0.03 else 1  # a journey that comes back to a touchpoint
            for _ in range(repeats):
                at += dt.timedelta(hours=rng.randrange(1, 72))
                emotion = None if rng.random() < 0.05 else max(-1.0, min(1.0, EMOTION.get(touchpoint, 0.1) + rng.gauss(0, 0.35)))
                events.append({"touchpoint": touchpoint, "stage": stage, "occurred_at": at, "emotion": emotion})
            if rng.random() < ABANDON.get(touchpoint, 0.02):
                ending = "abandoned"
                break
        for number, event in enumerate(events):
            last = number == len(events) - 1
            outcome = None
            if ending == "abandoned" and (last or mark_all):
                outcome = "abandoned"
            elif ending == "completed" and last:
                outcome = "completed"
            rows.append(
                {
                    "event_id": f"E{j:05d}-{number:02d}",
                    "journey_id": f"J{j:05d}",
                    "customer_id": customer,
                    "channel": None if rng.random() < 0.02 else rng.choice(CHANNELS),
                    "outcome": outcome,
                    **event,
                }
            )
    tables["journey_events"] = pd.DataFrame(rows)
    return tables


@pytest.fixture(scope="module")
def jt_tables() -> dict[str, pd.DataFrame]:
    return journey_tables()


@pytest.fixture(scope="module")
def jt_store(jt_tables):
    store = build_store(jt_tables)
    yield store
    store.close()


# -- the independent computation ---------------------------------------------------------
def effective_events(tables: dict, filters: Filters) -> pd.DataFrame:
    events = tables["journey_events"].merge(tables["customers"][["customer_id", "segment", "region"]], on="customer_id", how="left")
    keep = pd.Series(True, index=events.index)
    day = events["occurred_at"].dt.date
    if filters.date_from:
        keep &= day >= filters.date_from
    if filters.date_to:
        keep &= day <= filters.date_to
    for column, chosen in (("segment", filters.segments), ("channel", filters.channels), ("region", filters.regions)):
        if chosen:
            keep &= events[column].isin(chosen)
    return events[keep]


def expected_outcomes(events: pd.DataFrame) -> pd.DataFrame:
    by_journey = events.groupby("journey_id")
    latest_abandoned = events[events["outcome"] == "abandoned"].sort_values("occurred_at").groupby("journey_id")
    abandoned = latest_abandoned["touchpoint"].last()
    completed = (events["outcome"] == "completed").groupby(events["journey_id"]).any()
    frame = pd.DataFrame(
        {
            "started_at": by_journey["occurred_at"].min(),
            "last_event_at": by_journey["occurred_at"].max(),
            "events": by_journey.size(),
            "abandoned_at": abandoned,
            # the abandoning event's own channel, none when it has none (not an earlier event's)
            "abandoned_channel": latest_abandoned["channel"].last(skipna=False).reindex(by_journey.size().index),
            "segment": by_journey["segment"].first(),
        }
    )
    frame["outcome"] = np.where(frame["abandoned_at"].notna(), "abandoned", np.where(completed.reindex(frame.index), "completed", "open"))
    frame["abandoned_at"] = frame["abandoned_at"].astype(object).where(frame["abandoned_at"].notna(), None)
    return frame.reset_index()


def expected_map(tables: dict, filters: Filters, split_by: str, min_n: int) -> dict[tuple[str, str], dict]:
    events = effective_events(tables, filters)
    outcomes = expected_outcomes(events)
    events = events.merge(outcomes[["journey_id", "abandoned_at", "outcome"]], on="journey_id", suffixes=("_event", ""))
    # a journey's abandonment counts in the group of the event where it was abandoned
    abandonments = outcomes[outcomes["outcome"] == "abandoned"]
    if split_by == "none":
        abandoned_in = abandonments.assign(group="All customers")
    else:
        column = "abandoned_channel" if split_by == "channel" else "segment"
        abandoned_in = abandonments.assign(group=abandonments[column].fillna("unknown"))
    abandoned_counts = abandoned_in.groupby(["group", "abandoned_at"]).size().to_dict()
    listed = tables["touchpoints"].set_index("touchpoint")
    if split_by == "none":
        events = events.assign(group="All customers")
    else:
        events = events.assign(group=events[split_by].fillna("unknown"))
    # the journey order: stage, then listed position, then name
    steps = {}
    for touchpoint, group in events.groupby("touchpoint"):
        stage = listed.loc[touchpoint, "stage"] if touchpoint in listed.index else group["stage"].mode().iloc[0]
        position = listed.loc[touchpoint, "position"] if touchpoint in listed.index else math.inf
        steps[touchpoint] = (STAGES.index(stage), position, touchpoint, stage)
    rank = {key: number + 1 for number, key in enumerate(sorted(steps, key=lambda name: steps[name][:3]))}
    out = {}
    for (group_name, touchpoint), group in events.groupby(["group", "touchpoint"]):
        ends = group.drop_duplicates("journey_id")
        n = len(ends)
        emotions = group["emotion"].dropna()
        suppressed, emotion_suppressed = n < min_n, len(emotions) < min_n
        abandoned = abandoned_counts.get((group_name, touchpoint), 0)
        mean = None if emotion_suppressed else float(emotions.mean())
        margin = None if emotion_suppressed else 1.96 * float(emotions.std(ddof=1)) / math.sqrt(len(emotions))
        p = abandoned / n
        out[(group_name, touchpoint)] = {
            "journey_step": rank[touchpoint],
            "stage": steps[touchpoint][3],
            "n": n,
            "emotion_n": len(emotions),
            "mean_emotion": mean,
            "emotion_lower": None if mean is None else mean - margin,
            "emotion_upper": None if mean is None else mean + margin,
            "abandoned": None if suppressed else abandoned,
            "abandonment_rate": None if suppressed else 100 * p,
            "abandonment_margin": None if suppressed else 1.96 * 100 * math.sqrt(p * (1 - p) / n),
            "suppressed": suppressed,
            "emotion_suppressed": emotion_suppressed,
        }
    for group_name in {key[0] for key in out}:
        means = [row["mean_emotion"] for key, row in out.items() if key[0] == group_name and row["mean_emotion"] is not None]
        centre, spread = (float(np.mean(means)), float(np.std(means))) if means else (0.0, 0.0)
        for key, row in out.items():
            if key[0] != group_name:
                continue
            mean = row["mean_emotion"]
            row["moment"] = None
            if mean is not None and mean < 0 and mean < centre - 1.5 * spread:
                row["moment"] = "pain point"
            elif mean is not None and mean > 0 and mean > centre + 1.5 * spread:
                row["moment"] = "wow moment"
    return out


def close(actual, expected) -> bool:
    if expected is None or (isinstance(expected, float) and math.isnan(expected)):
        return actual is None or pd.isna(actual)
    if isinstance(expected, float):
        return actual == pytest.approx(expected, rel=1e-9, abs=1e-9)
    return actual == expected


def assert_same(frame: pd.DataFrame, key: list[str], expected: dict) -> None:
    fields = sorted({field for row in expected.values() for field in row})
    actual = {tuple(row[k] for k in key) if len(key) > 1 else row[key[0]]: row for row in frame.to_dict("records")}
    assert set(actual) == set(expected)
    for item, want in expected.items():
        for field in fields:
            assert close(actual[item][field], want.get(field)), (item, field, actual[item][field], want.get(field))


# -- the journey map ---------------------------------------------------------------------
@pytest.mark.parametrize("split_by", ["none", "segment", "channel"])
@pytest.mark.parametrize("case", FILTER_CASES)
def test_journey_map_equals_independent_computation(jt_store, jt_tables, case, split_by):
    filters = FILTER_CASES[case]
    frame = queries.journey_map(jt_store, filters, split_by, min_n=10)
    assert_same(frame, ["compared_group", "touchpoint"], expected_map(jt_tables, filters, split_by, min_n=10))


def test_journey_map_marks_the_planted_low_and_high(jt_store):
    frame = queries.journey_map(jt_store, Filters(), "none", min_n=10).set_index("touchpoint")
    moments = frame["moment"].dropna().to_dict()
    assert moments == {PAIN: "pain point", WOW: "wow moment"}
    assert frame["abandonment_rate"].idxmax() == PAIN


def test_journey_map_runs_along_the_journey(jt_store):
    frame = queries.journey_map(jt_store, Filters(), "none", min_n=1)
    listed = [name for name, _, _, _ in sorted(TOUCHPOINTS, key=lambda t: t[2])]
    # the unlisted touchpoint has no position: it closes its stage (service), before loyalty begins
    loyalty = listed.index("Renewal")
    expected = listed[:loyalty] + [UNLISTED_STEP[0]] + listed[loyalty:]
    assert list(frame["touchpoint"]) == expected
    assert list(frame["journey_step"]) == list(range(1, len(expected) + 1))
    assert list(frame["stage"]) == sorted(frame["stage"], key=STAGES.index)


def test_a_touchpoint_few_journeys_reach_shows_no_figures(jt_store):
    row = queries.journey_map(jt_store, Filters(), "none", min_n=10).set_index("touchpoint").loc[RARE]
    assert row["suppressed"] and row["n"] < 10
    assert all(pd.isna(row[field]) for field in ("mean_emotion", "emotion_lower", "abandonment_rate", "abandoned"))


def test_an_unknown_comparison_is_refused_before_it_reaches_sql(jt_store):
    with pytest.raises(ValueError, match="Unknown comparison"):
        queries.journey_map(jt_store, Filters(), "region", min_n=10)


def small_journey_store(events: list[tuple[str, str, str, str | None]], hours_apart: int = 1):
    """A store of a few journeys: (journey, touchpoint, channel, outcome) in the order they happened,
    hours_apart from one another. 'Chat' is not in the touchpoint list."""
    touchpoints = pd.DataFrame(
        [("Account", "service", 1, None), ("Billing", "service", 65, None), ("Delivery", "service", 2, None)],
        columns=["touchpoint", "stage", "position", "moment_of_truth"],
    )
    rows = [
        {
            "event_id": f"E{number:03d}", "journey_id": journey, "customer_id": None,
            "occurred_at": START + dt.timedelta(hours=number * hours_apart), "stage": "service", "touchpoint": touchpoint,
            "channel": channel, "emotion": 0.5, "outcome": outcome,
        }
        for number, (journey, touchpoint, channel, outcome) in enumerate(events)
    ]
    return build_store({"touchpoints": touchpoints, "journey_events": pd.DataFrame(rows)})


def test_journey_map_counts_a_journey_once_per_touchpoint_and_group_it_passed():
    store = small_journey_store(
        [
            # two touchpoints, each passed once
            ("J1", "Account", "web", None), ("J1", "Billing", "web", None),
            # comes back to Account, then Delivery, where it is abandoned
            ("J2", "Account", "web", None), ("J2", "Account", "web", None), ("J2", "Delivery", "web", "abandoned"),
            # Delivery in two channels; Chat twice
            ("J3", "Delivery", "web", None), ("J3", "Delivery", "app", None), ("J3", "Chat", "app", None),
            ("J3", "Chat", "app", None),
        ]
    )
    try:
        unsplit = queries.journey_map(store, Filters(), "none", min_n=1).set_index("touchpoint")
        assert unsplit[["n", "emotion_n", "abandoned"]].to_dict("index") == {
            "Account": {"n": 2, "emotion_n": 3, "abandoned": 0},
            "Delivery": {"n": 2, "emotion_n": 3, "abandoned": 1},
            "Billing": {"n": 1, "emotion_n": 1, "abandoned": 0},
            "Chat": {"n": 1, "emotion_n": 2, "abandoned": 0},
        }
        by_channel = queries.journey_map(store, Filters(), "channel", min_n=1).set_index(["compared_group", "touchpoint"])
        assert by_channel["n"].to_dict() == {
            ("web", "Account"): 2, ("web", "Delivery"): 2, ("app", "Delivery"): 1, ("web", "Billing"): 1, ("app", "Chat"): 1,
        }
    finally:
        store.close()


def test_a_journey_is_abandoned_where_its_latest_abandonment_inside_the_window_is():
    # twelve hours apart from 1 January: J1 abandons three times, J2 twice; a later abandonment
    # outside the window (from midnight after its last day) does not move the one inside it
    store = small_journey_store(
        [
            ("J1", "Account", "web", "abandoned"), ("J1", "Delivery", "app", "abandoned"),
            ("J1", "Billing", "web", "abandoned"), ("J2", "Account", "web", "abandoned"),
            ("J2", "Billing", "web", "abandoned"),
        ],
        hours_apart=12,
    )
    day = START.date()

    def abandoned(filters: Filters, split_by: str = "none") -> dict:
        rows = queries.journey_map(store, filters, split_by, min_n=1)
        return {key: value for key, value in rows.set_index(["compared_group", "touchpoint"])["abandoned"].items() if value}

    try:
        first_day = Filters(day, day)
        assert abandoned(first_day) == {("All customers", "Delivery"): 1}
        assert abandoned(first_day, "channel") == {("app", "Delivery"): 1}
        # a filter that leaves the latest out: the latest it lets through
        assert abandoned(dataclasses.replace(first_day, channels=("web",))) == {("All customers", "Account"): 1}
        two_days = Filters(day, day + dt.timedelta(days=1))
        assert abandoned(two_days) == {("All customers", "Billing"): 1, ("All customers", "Account"): 1}
        assert abandoned(Filters()) == {("All customers", "Billing"): 2}
    finally:
        store.close()


def test_a_journey_that_came_back_counts_once_inside_the_window_where_it_passed_before():
    # a day apart: J1 visits Account on days 0, 2 and 3, Delivery on day 1 and 4; J2 Account on day 5 and 6
    store = small_journey_store(
        [
            ("J1", "Account", "web", None), ("J1", "Delivery", "web", None), ("J1", "Account", "app", None),
            ("J1", "Account", "web", None), ("J1", "Delivery", "web", None),
            ("J2", "Account", "app", None), ("J2", "Account", "web", None),
        ],
        hours_apart=24,
    )
    day = START.date()
    try:
        def passes(filters: Filters, split_by: str = "none") -> dict:
            found = queries.journey_map(store, filters, split_by, min_n=1)
            return found.set_index(["compared_group", "touchpoint"])["n"].to_dict()

        # from day 2, J1's earlier visits to both touchpoints fall before the window
        assert passes(Filters(day + dt.timedelta(days=2))) == {("All customers", "Account"): 2, ("All customers", "Delivery"): 1}
        # from day 3 J1 passed Account once (on day 3), its visit of day 2 lies outside
        assert passes(Filters(day + dt.timedelta(days=3), day + dt.timedelta(days=5))) == {
            ("All customers", "Account"): 2, ("All customers", "Delivery"): 1,
        }
        # in the web channel J1's comeback to Account skips its app visit of day 2
        assert passes(Filters(day + dt.timedelta(days=2), channels=("web",))) == {
            ("All customers", "Account"): 2, ("All customers", "Delivery"): 1,
        }
        # over all days, J1's two web visits to Account (days 0 and 3) are one pass although its
        # app visit lies between them: the first's next visit and the last's previous are the app one
        assert passes(Filters(channels=("web",))) == {("All customers", "Account"): 2, ("All customers", "Delivery"): 1}
        assert passes(Filters(day + dt.timedelta(days=2)), "channel") == {
            ("app", "Account"): 2, ("web", "Account"): 2, ("web", "Delivery"): 1,
        }
        assert passes(Filters()) == {("All customers", "Account"): 2, ("All customers", "Delivery"): 1}
    finally:
        store.close()


# -- one touchpoint: how its journeys ended ---------------------------------------------------
@pytest.mark.parametrize("case", FILTER_CASES)
def test_touchpoint_outcomes_equal_independent_computation(jt_store, jt_tables, case):
    filters = FILTER_CASES[case]
    events = effective_events(jt_tables, filters)
    ends = expected_outcomes(events).set_index("journey_id")
    expected = {}
    for touchpoint, group in events.groupby("touchpoint"):
        passed = ends.loc[group["journey_id"].unique()]
        n = len(passed)
        suppressed = n < 10
        counts = {
            "abandoned_here": int((passed["abandoned_at"] == touchpoint).sum()),
            "abandoned_elsewhere": int(((passed["outcome"] == "abandoned") & (passed["abandoned_at"] != touchpoint)).sum()),
            "completed": int((passed["outcome"] == "completed").sum()),
            "still_open": int((passed["outcome"] == "open").sum()),
        }
        row = {"n": n, "suppressed": suppressed}
        for name, count in counts.items():
            row[name] = None if suppressed else count
            row[f"{name}_pct"] = None if suppressed else 100.0 * count / n
        expected[touchpoint] = row
    assert_same(queries.touchpoint_outcomes_all(jt_store, filters, min_n=10), ["touchpoint"], expected)


def test_the_ends_of_a_touchpoints_journeys_add_up(jt_store):
    row = queries.touchpoint_outcomes(jt_store, Filters(), PAIN, min_n=10).iloc[0]
    assert row["abandoned_here"] + row["abandoned_elsewhere"] + row["completed"] + row["still_open"] == row["n"]
    assert queries.touchpoint_outcomes(jt_store, Filters(), RARE, min_n=10).iloc[0]["suppressed"]


# -- one touchpoint: NPS through it against the rest -----------------------------------------
def expected_nps(tables: dict, filters: Filters, min_n: int) -> dict[str, dict]:
    answers = effective_responses(tables, filters)
    answers = answers[answers["nps"].notna() & answers["customer_id"].notna()]
    events = effective_events(tables, filters)
    events = events[events["customer_id"].notna()]
    # the others: customers on a journey in the filters that did not pass the touchpoint
    answers = answers[answers["customer_id"].isin(set(events["customer_id"]))]
    out = {}
    for touchpoint, group in events.groupby("touchpoint"):
        passed = set(group["customer_id"])
        inside = answers[answers["customer_id"].isin(passed)]
        outside = answers[~answers["customer_id"].isin(passed)]
        row = {"other_customers": outside["customer_id"].nunique()}
        figures = {}
        for name, chosen in (("through", inside), ("other", outside)):
            scores = chosen["nps"]
            n = len(scores)
            p, d = ((scores >= 9).sum() / n, (scores <= 6).sum() / n) if n else (0, 0)
            figures[name] = (n, p, d)
            suppressed = n < min_n
            row[f"{name}_n"] = n
            row[f"{name}_suppressed"] = suppressed
            row[f"{name}_nps"] = None if suppressed else 100 * (p - d)
            row[f"{name}_margin"] = None if suppressed else 1.96 * 100 * math.sqrt(((p + d) - (p - d) ** 2) / n)
        if row["through_suppressed"] or row["other_suppressed"]:
            row.update(difference=None, z=None, significant=None)
        else:
            (n1, p1, d1), (n0, p0, d0) = figures["through"], figures["other"]
            difference = 100 * (p1 - d1) - 100 * (p0 - d0)
            variance = 10000 * ((p1 + d1) - (p1 - d1) ** 2) / n1 + 10000 * ((p0 + d0) - (p0 - d0) ** 2) / n0
            z = difference / math.sqrt(variance)
            row.update(difference=difference, z=z, significant=abs(z) > 1.96)
        # customers who passed but never answered count as customers, not as answers
        row["through_customers"] = inside["customer_id"].nunique()
        out[touchpoint] = row
    return out


@pytest.mark.parametrize("case", FILTER_CASES)
def test_touchpoint_nps_equals_independent_computation(jt_store, jt_tables, case):
    filters = FILTER_CASES[case]
    frame = queries.touchpoint_nps_all(jt_store, filters, min_n=10)
    assert_same(frame, ["touchpoint"], expected_nps(jt_tables, filters, min_n=10))


def test_touchpoint_nps_reads_one_touchpoint(jt_store):
    one = queries.touchpoint_nps(jt_store, Filters(), PAIN, min_n=10)
    every = queries.touchpoint_nps_all(jt_store, Filters(), min_n=10)
    assert one.to_dict("records") == every[every["touchpoint"] == PAIN].reset_index(drop=True).to_dict("records")
    assert queries.touchpoint_nps(jt_store, Filters(), "No such touchpoint", min_n=10).empty


# -- one touchpoint: its journeys and their comments ------------------------------------------
@pytest.mark.parametrize("case", ["everything", "one_segment", "all_filters"])
def test_touchpoint_journeys_are_those_that_passed_it(jt_store, jt_tables, case):
    filters = FILTER_CASES[case]
    events = effective_events(jt_tables, filters)
    outcomes = expected_outcomes(events).set_index("journey_id")
    passes = events[events["touchpoint"] == PAIN].groupby("journey_id").agg(reached_at=("occurred_at", "min"), emotion=("emotion", "mean"))
    expected = {}
    for journey, row in passes.iterrows():
        end = outcomes.loc[journey]
        expected[journey] = {
            "reached_at": row["reached_at"],
            "emotion": None if pd.isna(row["emotion"]) else float(row["emotion"]),
            "outcome": end["outcome"],
            "abandoned_at": end["abandoned_at"],
            "abandoned_here": end["abandoned_at"] == PAIN,
            "started_at": end["started_at"],
            "events": end["events"],
            "touchpoint_journeys": len(passes),
        }
    frame = queries.touchpoint_journeys(jt_store, filters, PAIN, min_n=10, limit=100_000)
    assert_same(frame, ["journey_id"], expected)
    assert list(frame["reached_at"]) == sorted(frame["reached_at"], reverse=True)


def test_journeys_and_comments_of_a_rare_touchpoint_stay_hidden(jt_store):
    assert queries.touchpoint_journeys(jt_store, Filters(), RARE, min_n=10).empty
    assert queries.touchpoint_comments(jt_store, Filters(), RARE, min_n=10).empty
    assert not queries.touchpoint_journeys(jt_store, Filters(), RARE, min_n=1).empty


@pytest.mark.parametrize("case", ["everything", "channels_and_region", "all_filters"])
def test_touchpoint_comments_are_those_of_customers_who_passed_it(jt_store, jt_tables, case):
    filters = FILTER_CASES[case]
    events = effective_events(jt_tables, filters)
    passed = set(events.loc[(events["touchpoint"] == PAIN) & events["customer_id"].notna(), "customer_id"])
    answers = effective_responses(jt_tables, filters)
    said = answers[answers["customer_id"].isin(passed) & (answers["comment"].fillna("").str.strip() != "")]
    said = said.assign(about=said["touchpoint"] == PAIN).sort_values(["about", "responded_at", "response_id"], ascending=[False, False, True])
    frame = queries.touchpoint_comments(jt_store, filters, PAIN, min_n=10, limit=100_000)
    assert list(frame["response_id"]) == list(said["response_id"])
    assert list(frame["about_this_touchpoint"]) == list(said["about"])
    assert set(frame["touchpoint_customers"]) == {len(passed)}
