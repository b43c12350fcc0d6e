"""The demo generator: deterministic, within the schema, plausible, and its planted stories are
visible in the raw tables (checked with pandas here, independently of the views)."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cxdata import cli, demo, layout
from cxdata.store import Store

ROOT = Path(__file__).resolve().parent.parent
STORY_SIZE = 20_000
DATA_TABLES = {
    "touchpoints": "touchpoint",
    "customers": "customer_id",
    "responses": "response_id",
    "response_ratings": "response_id, attribute",
    "tickets": "ticket_id",
    "journey_events": "event_id",
}


def content_digest(store: Store) -> dict[str, tuple[int, str]]:
    """Row count and a hash over every row, in key order, of each demo table."""
    digest = {}
    for table, key in DATA_TABLES.items():
        digest[table] = store.query_rows(
            f"select count(*), md5(string_agg(md5(t::varchar), '' order by {key})) from {table} as t"
        )[0]
    return digest


def nps(scores: pd.Series) -> tuple[float, float]:
    """NPS and its standard error, computed here from the scores."""
    scores = scores.dropna()
    n = len(scores)
    promoters = (scores >= 9).mean()
    detractors = (scores <= 6).mean()
    variance = promoters + detractors - (promoters - detractors) ** 2
    return 100 * (promoters - detractors), 100 * math.sqrt(variance / n)


def assert_nps_gap(higher: pd.Series, lower: pd.Series, at_least: float) -> float:
    """The first group's NPS exceeds the second's by at_least points, at far beyond 95 %."""
    high, high_se = nps(higher)
    low, low_se = nps(lower)
    gap = high - low
    z = gap / math.hypot(high_se, low_se)
    assert gap >= at_least and z > 4, (high, low, z)
    return gap


@pytest.fixture(scope="module")
def demo_store() -> Store:
    store = Store(":memory:")
    demo.build_demo(store, responses=STORY_SIZE, seed=42)
    yield store
    store.close()


@pytest.fixture(scope="module")
def tables(demo_store: Store) -> dict[str, pd.DataFrame]:
    return {table: demo_store.query(f"select * from {table}") for table in (*DATA_TABLES, "imports")}


# -- determinism and size -------------------------------------------------------------------

def test_same_seed_and_size_give_identical_tables_and_another_seed_does_not():
    digests = []
    for seed in (7, 7, 8):
        with Store(":memory:") as store:
            demo.build_demo(store, responses=5_000, seed=seed)
            digests.append(content_digest(store))
    assert digests[0] == digests[1]
    changed = {table for table in DATA_TABLES if digests[0][table] != digests[2][table]}
    # the touchpoint catalogue is fixed; everything drawn changes with the seed
    assert changed == set(DATA_TABLES) - {"touchpoints"}


def test_row_counts_follow_the_requested_size(tables):
    counts = {table: len(frame) for table, frame in tables.items()}
    assert counts["responses"] == STORY_SIZE
    assert counts["tickets"] == round(STORY_SIZE * demo.TICKETS_PER_RESPONSE)
    assert counts["customers"] == round(STORY_SIZE * demo.CUSTOMERS_PER_RESPONSE)
    assert counts["touchpoints"] == 20
    assert 2.7 <= counts["journey_events"] / STORY_SIZE <= 3.3
    assert counts["response_ratings"] > 0.1 * STORY_SIZE


def test_every_demo_load_has_a_lineage_row_matching_its_rows(tables):
    imports = tables["imports"].sort_values("import_id")
    assert list(imports["kind"].unique()) == ["demo"]
    assert list(imports["status"].unique()) == ["loaded"]
    assert list(imports["file_name"].str.extract(r"^demo/(\w+)")[0]) == list(demo.DEMO_TABLES)
    assert (imports["rows_rejected"] == 0).all()
    assert (imports["rows_read"] == imports["rows_loaded"]).all()
    assert (imports["rows_inserted"] == imports["rows_loaded"]).all()
    assert (imports[["rows_updated", "rows_unchanged", "rows_skipped"]] == 0).all().all()
    assert (imports["finished_at"] >= imports["started_at"]).all()
    loaded = dict(zip(imports["file_name"].str.extract(r"^demo/(\w+)")[0], zip(imports["import_id"], imports["rows_loaded"])))
    for table, (import_id, rows_loaded) in loaded.items():
        frame = tables[table]
        assert rows_loaded == len(frame), table
        if "import_id" in frame.columns:  # response_ratings has no import_id column
            assert (frame["import_id"] == import_id).all(), table


# -- refusing, replacing, all or nothing ------------------------------------------------------

def test_refuses_a_store_that_holds_data_unless_replace(tmp_path, capsys):
    database = str(tmp_path / "cx.duckdb")
    assert cli.main(["--db", database, "demo", "--responses", "2000", "--seed", "3"]) == 0
    with Store(database) as store:
        before = content_digest(store)

    assert cli.main(["demo", "--db", database, "--responses", "3000"]) == 2
    assert "already holds data" in capsys.readouterr().err
    with Store(database) as store:
        assert content_digest(store) == before

    assert cli.main(["demo", "--db", database, "--responses", "3000", "--replace"]) == 0
    with Store(database) as store:
        assert store.query_value("select count(*) from responses") == 3000
        imports = store.query("select kind, rows_loaded from imports")
        assert len(imports) == len(demo.DEMO_TABLES)
        assert 3000 in set(imports["rows_loaded"])


def test_a_failure_midway_leaves_the_store_as_it_was(tmp_path, monkeypatch):
    database = str(tmp_path / "cx.duckdb")
    with Store(database) as store:
        demo.build_demo(store, responses=2_000, seed=1)
        before = content_digest(store)
        imports_before = store.query("select import_id, file_name from imports")
        real_run = demo._run

        def failing_run(cursor, name, params):
            if name == "tickets":
                raise RuntimeError("disk full")
            return real_run(cursor, name, params)

        monkeypatch.setattr(demo, "_run", failing_run)
        with pytest.raises(RuntimeError, match="disk full"):
            demo.build_demo(store, responses=3_000, seed=2, replace=True)
        assert content_digest(store) == before
        pd.testing.assert_frame_equal(store.query("select import_id, file_name from imports"), imports_before)


def test_ensure_demo_builds_only_a_new_or_empty_store(tmp_path):
    database = str(tmp_path / "new" / "cx.duckdb")
    demo.ensure_demo(database, responses=1_000)
    with Store(database) as store:
        version = store.data_version()
        assert store.query_value("select count(*) from responses") == 1_000
    demo.ensure_demo(database, responses=2_000)
    with Store(database) as store:
        assert store.data_version() == version
        assert store.query_value("select count(*) from responses") == 1_000


def test_the_stored_derived_columns_are_what_the_layout_derives(demo_store):
    # the demo writes them in its own SQL; cxdata/layout.py is what imports and undo keep them to
    assert layout.stale_rows(demo_store.cursor()) == dict.fromkeys(
        ["responses", "tickets", "journey_events", "response_ratings", "next_nps_at", "nps_moment_rank", "previous_visit_at", "next_abandoned_at", "next_visit_at", "customer_no", "response_day_counts", "answer_ticket_pairs", "customer_date_counts"], 0
    )


def test_stories_doc_is_the_story_list():
    assert (ROOT / "docs" / "DEMO_STORIES.md").read_text(encoding="utf-8") == demo.stories_markdown()


# -- plausibility -------------------------------------------------------------------------------

def test_tables_cover_every_category_with_plausible_spread(tables):
    responses, tickets, customers = tables["responses"], tables["tickets"], tables["customers"]
    events, touchpoints = tables["journey_events"], tables["touchpoints"]
    assert set(customers["segment"]) == {"Consumer", "SMB", "Mid-Market", "Enterprise"}
    assert set(customers["region"]) == {
        "Deutschland Nord", "Deutschland Süd", "Deutschland West", "Deutschland Ost", "Österreich", "Schweiz",
    }
    assert set(responses["channel"]) == {"web", "app", "phone", "email", "chat", "store"}
    assert set(tickets["category"]) == {"Billing", "Delivery", "Technical", "Account", "Returns", "Product question"}
    assert set(tickets["priority"]) == {"low", "normal", "high", "urgent"}
    assert {"closed", "solved", "open", "pending"} <= set(tickets["status"])
    assert set(responses["language"]) == {"de", "en"}
    assert set(touchpoints["stage"]) == {"awareness", "consideration", "purchase", "service", "loyalty"}
    assert set(touchpoints["moment_of_truth"].dropna()) == {"ZMOT", "FMOT", "SMOT", "UMOT"}
    assert touchpoints["description"].notna().all()
    stage_order = ["awareness", "consideration", "purchase", "service", "loyalty"]
    by_position = touchpoints.sort_values("position")
    assert list(by_position["stage"].map(stage_order.index)) == sorted(by_position["stage"].map(stage_order.index))
    assert set(events["touchpoint"]) == set(touchpoints["touchpoint"])
    assert set(responses["touchpoint"].dropna()) == set(touchpoints["touchpoint"])

    assert set(responses["nps"].dropna().astype(int)) == set(range(11))
    assert set(responses["csat"].dropna().astype(int)) == set(range(1, 6))
    assert set(responses["ces"].dropna().astype(int)) == set(range(1, 8))
    answered = responses[["nps", "csat", "ces"]].notna()
    assert 0.02 < 1 - answered["nps"].mean() < 0.2
    assert 0.2 < 1 - answered["csat"].mean() < 0.7
    assert answered.any(axis=1).all()
    assert 0.35 <= responses["comment"].notna().mean() <= 0.45
    assert responses["comment"].str.contains("[äöüß]", regex=True).sum() > 100
    assert 0.1 < (responses["language"] == "en").mean() < 0.35
    # overall NPS of a healthy but imperfect business
    assert 15 < nps(responses["nps"])[0] < 45
    # a few answers carry their own segment or region, and anonymous ones always do
    assert 0.02 < responses["segment"].notna().mean() < 0.1
    anonymous = responses[responses["customer_id"].isna()]
    assert 0.01 < len(anonymous) / len(responses) < 0.06
    assert anonymous["segment"].notna().all() and anonymous["region"].notna().all()
    assert set(responses["customer_id"].dropna()) <= set(customers["customer_id"])
    assert set(tickets["customer_id"]) <= set(customers["customer_id"])


def test_dates_lie_in_the_demo_window_and_nothing_happens_after_churn(tables):
    start, end = pd.Timestamp(demo.DEMO_START), pd.Timestamp(demo.DEMO_END) + pd.Timedelta(days=1)
    for table, column in (("responses", "responded_at"), ("tickets", "created_at"), ("journey_events", "occurred_at")):
        moments = tables[table][column]
        assert moments.min() >= start and moments.max() < end, table
        # three years, every month present
        assert moments.dt.to_period("M").nunique() == 36, table
    customers = tables["customers"]
    churned = customers.dropna(subset=["churned_on"]).set_index("customer_id")["churned_on"]
    assert 0.15 < len(churned) / len(customers) < 0.5
    assert (customers["signup_date"] < pd.Timestamp(demo.DEMO_START)).mean() > 0.3
    for table, column in (("responses", "responded_at"), ("tickets", "created_at"), ("journey_events", "occurred_at")):
        frame = tables[table].dropna(subset=["customer_id"])
        frame = frame[frame["customer_id"].isin(churned.index)]
        last_day = pd.to_datetime(frame["customer_id"].map(churned)) + pd.Timedelta(days=1)
        assert (frame[column] < last_day).all(), table


def test_tickets_are_timed_in_order_and_recent_ones_form_the_backlog(tables):
    tickets = tables["tickets"]
    resolved = tickets["status"].isin(["solved", "closed"])
    assert tickets.loc[resolved, "resolved_at"].notna().all()
    assert tickets.loc[~resolved, "resolved_at"].isna().all()
    assert (tickets.loc[resolved, "resolved_at"] >= tickets.loc[resolved, "first_response_at"]).all()
    assert tickets.loc[tickets["status"] == "new", "first_response_at"].isna().all()
    backlog = tickets[~resolved]
    assert 0.001 < len(backlog) / len(tickets) < 0.05
    assert (backlog["created_at"] > pd.Timestamp(demo.DEMO_END) - pd.Timedelta(days=150)).mean() > 0.9
    assert 0.2 < tickets.loc[resolved, "csat"].notna().mean() < 0.5
    assert tickets.loc[~resolved, "csat"].isna().all()


def test_journeys_walk_forward_and_stop_where_they_are_abandoned(tables):
    visits = tables["journey_events"].merge(tables["touchpoints"][["touchpoint", "position"]], on="touchpoint")
    again = visits[visits["previous_visit_at"].notna()]
    events = visits[visits["previous_visit_at"].isna()].sort_values(["journey_id", "position"])
    same_journey = events["journey_id"].eq(events["journey_id"].shift())
    assert (events["occurred_at"].diff()[same_journey] > pd.Timedelta(0)).all()
    assert events["emotion"].between(-1, 1).all()
    last = ~events["journey_id"].eq(events["journey_id"].shift(-1))
    abandoned = events["outcome"] == "abandoned"
    # an abandoned step is always the journey's last
    assert not (abandoned & ~last).any()
    assert 2 < len(events) / events["journey_id"].nunique() < 8
    assert 0.15 < abandoned.sum() / events["journey_id"].nunique() < 0.5
    # now and then a journey comes back to a touchpoint it completed, one to two days later
    comebacks = again.merge(events, on=["journey_id", "touchpoint"], suffixes=("", "_first"))
    assert len(comebacks) == len(again) and (comebacks["previous_visit_at"] == comebacks["occurred_at_first"]).all()
    waited = comebacks["occurred_at"] - comebacks["occurred_at_first"]
    assert waited.between(pd.Timedelta(days=1), pd.Timedelta(days=2)).all()
    assert (comebacks["outcome_first"] == "completed").all() and (again["outcome"] == "completed").all()
    assert 0.01 < len(again) / len(events) < 0.08


# -- the planted stories ----------------------------------------------------------------------

def test_story_app_nps_drops_after_the_release_and_comments_blame_the_update(tables):
    responses = tables["responses"]
    release = pd.Timestamp(demo.APP_RELEASE)
    # the same length of time before and after the release
    before_window = responses["responded_at"].between(release - (pd.Timestamp(demo.DEMO_END) - release), release, inclusive="left")
    after = responses["responded_at"] >= release
    app = responses["channel"] == "app"
    gap = assert_nps_gap(responses.loc[app & before_window, "nps"], responses.loc[app & after, "nps"], at_least=15)
    assert gap < 35
    for channel in ("web", "email", "phone", "chat", "store"):
        mine = responses["channel"] == channel
        change = nps(responses.loc[mine & after, "nps"])[0] - nps(responses.loc[mine & before_window, "nps"])[0]
        assert abs(change) < 12, channel
    app_detractor_comments = responses.loc[app & after & (responses["nps"] <= 6), "comment"].dropna()
    mentions_update = app_detractor_comments.str.contains("update", case=False)
    assert mentions_update.mean() > 0.6
    assert not responses.loc[~after, "comment"].dropna().str.contains("App-Update|since the update").any()


def test_story_invoice_and_billing_is_the_emotional_low_with_high_abandonment(tables):
    events = tables["journey_events"]
    by_touchpoint = events.groupby("touchpoint").agg(
        emotion=("emotion", "mean"), abandonment=("outcome", lambda outcome: (outcome == "abandoned").mean())
    )
    assert by_touchpoint["emotion"].idxmin() == "Invoice & billing"
    assert by_touchpoint["abandonment"].idxmax() == "Invoice & billing"
    assert -0.7 < by_touchpoint.loc["Invoice & billing", "emotion"] < -0.45
    assert by_touchpoint.loc["Invoice & billing", "abandonment"] > 0.28
    # the next-lowest touchpoint is clearly above it
    assert by_touchpoint["emotion"].nsmallest(2).diff().iloc[-1] > 0.2
    went_through = set(events.loc[events["touchpoint"] == "Invoice & billing", "customer_id"])
    responses = tables["responses"].dropna(subset=["customer_id"])
    invoiced = responses["customer_id"].isin(went_through)
    assert_nps_gap(responses.loc[~invoiced, "nps"], responses.loc[invoiced, "nps"], at_least=8)


def test_story_billing_tickets_have_poor_fcr_and_their_customers_lower_nps(tables):
    tickets = tables["tickets"]
    resolved = tickets[tickets["status"].isin(["solved", "closed"]) & tickets["resolved_at"].notna()]
    first_contact = (resolved["replies"] <= 1) & (resolved["reopens"] == 0)
    fcr = first_contact.groupby(resolved["category"]).mean()
    assert 0.28 < fcr["Billing"] < 0.42
    others = first_contact[resolved["category"] != "Billing"].mean()
    assert 0.68 < others < 0.82
    assert (fcr.drop("Billing") > 0.6).all()
    replies = resolved.groupby("category")[["replies", "reopens"]].mean()
    assert (replies.loc["Billing"] > replies.drop("Billing").max()).all()
    with_billing = set(tickets.loc[tickets["category"] == "Billing", "customer_id"])
    responses = tables["responses"].dropna(subset=["customer_id"])
    billed = responses["customer_id"].isin(with_billing)
    assert_nps_gap(responses.loc[~billed, "nps"], responses.loc[billed, "nps"], at_least=8)


def test_story_unboxing_is_the_wow_moment(tables):
    events, responses = tables["journey_events"], tables["responses"]
    emotion = events.groupby("touchpoint")["emotion"].mean()
    assert emotion.idxmax() == "Unboxing & setup"
    assert emotion["Unboxing & setup"] > 0.6
    touchpoint_nps = responses.dropna(subset=["touchpoint"]).groupby("touchpoint")["nps"].apply(lambda s: nps(s)[0])
    assert touchpoint_nps.idxmax() == "Unboxing & setup"
    assert touchpoint_nps.idxmin() == "Invoice & billing"


def test_story_december_brings_volume_and_a_delivery_dip(tables):
    responses = tables["responses"]
    month = responses["responded_at"].dt.month
    per_day = responses.groupby(month).size() / pd.Series({m: pd.Period(f"2024-{m:02d}").days_in_month for m in range(1, 13)})
    assert per_day[[11, 12]].mean() > 1.25 * per_day[[5, 6]].mean()
    delivery = responses["touchpoint"] == "Delivery"
    assert_nps_gap(responses.loc[delivery & (month != 12), "nps"], responses.loc[delivery & (month == 12), "nps"], at_least=15)


def test_story_attribute_ratings_separate_importance_from_performance(tables):
    ratings = tables["response_ratings"].merge(tables["responses"][["response_id", "nps"]], on="response_id")
    assert (ratings["scale_min"] == 1).all() and (ratings["scale_max"] == 5).all()
    assert ratings["rating"].between(1, 5).all()
    summary = ratings.groupby("attribute").apply(
        lambda group: pd.Series({"importance": np.corrcoef(group["rating"], group["nps"])[0, 1], "performance": group["rating"].mean()}),
        include_groups=False,
    )
    assert len(summary) == 8
    important = summary["importance"] > summary["importance"].median()
    weak = summary["performance"] < summary["performance"].median()
    assert set(summary.index[important & weak]) == {"Invoice clarity", "Value for money"}
    assert summary.loc["Staff friendliness", "performance"] == summary["performance"].max()
    assert summary.loc["Staff friendliness", "importance"] < 0.2
    assert summary.loc["Invoice clarity", "importance"] - summary.loc["Staff friendliness", "importance"] > 0.3


def two_share_z(hits: pd.Series, others: pd.Series) -> float:
    """z of the difference of two shares (two-proportion test with pooled variance)."""
    pooled = (hits.sum() + others.sum()) / (len(hits) + len(others))
    return (hits.mean() - others.mean()) / math.sqrt(pooled * (1 - pooled) * (1 / len(hits) + 1 / len(others)))


def test_story_unhappy_customers_churn_more(tables):
    # a cohort: customers from before the demo window still active after its first year;
    # what happened to them in that year against whether they churned later (the same
    # exposure for everybody, unlike comparing customers over their whole lifetimes)
    customers = tables["customers"].set_index("customer_id")
    start = pd.Timestamp(demo.DEMO_START)
    year_later = start + pd.Timedelta(days=365)
    churned_on = pd.to_datetime(customers["churned_on"])
    cohort = customers[(customers["signup_date"] < start) & (churned_on.isna() | (churned_on >= year_later))]
    churned = cohort["churned_on"].notna()

    responses = tables["responses"]
    first_year = responses[(responses["responded_at"] < year_later) & responses["nps"].notna()]
    mean_nps = first_year.groupby("customer_id")["nps"].mean()
    detractors = cohort.index.isin(mean_nps[mean_nps <= 6].index)
    promoters = cohort.index.isin(mean_nps[mean_nps >= 9].index)
    assert churned[detractors].mean() - churned[promoters].mean() > 0.1
    assert two_share_z(churned[detractors], churned[promoters]) > 4

    tickets = tables["tickets"]
    billing = tickets[(tickets["created_at"] < year_later) & (tickets["category"] == "Billing")]
    with_billing = cohort.index.isin(set(billing["customer_id"]))
    assert churned[with_billing].mean() - churned[~with_billing].mean() > 0.07
    assert two_share_z(churned[with_billing], churned[~with_billing]) > 3
