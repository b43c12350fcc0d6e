"""The stored day counts (response_day_counts) hold what the answers say, counted here in
Python from the stored rows, after every kind of write: imports, re-imports that move an
answer to another day or change its scores, customer imports that move answers to another
segment, undo, erasure; a migrated store is filled when it is opened."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from cxdata import privacy, summaries
from cxdata.ingest import undo_import
from cxdata.store import Store
from tests.conftest import build_store, synthetic_tables
from tests.test_ingest_helpers import imported, migrated, module_store, store  # noqa: F401

COUNTS = (
    "answers", "nps_n", "promoters", "passives", "detractors", "csat_n", "csat_hits", "ces_n", "ces_hits",
    "identified_nps_n", "identified_promoters", "identified_detractors",
)


def counted_in_python(store: Store) -> dict[tuple, tuple]:
    """(day, segment, region, channel, touchpoint) -> the counts, from the stored answers."""
    counts: dict[tuple, Counter] = {}
    rows = store.query_rows(
        "select responded_at, fact_segment, fact_region, channel, touchpoint, nps, csat, ces, customer_id from responses"
    )
    for responded_at, segment, region, channel, touchpoint, nps, csat, ces, customer_id in rows:
        found = counts.setdefault((responded_at.date(), segment, region, channel, touchpoint), Counter())
        found["answers"] += 1
        if nps is not None:
            found["nps_n"] += 1
            nps_class = "promoters" if nps >= 9 else "passives" if nps >= 7 else "detractors"
            found[nps_class] += 1
            # an answer with a customer id (it can follow that customer's tickets)
            if customer_id is not None:
                found["identified_nps_n"] += 1
                if nps_class != "passives":
                    found[f"identified_{nps_class}"] += 1
        if csat is not None:
            found["csat_n"] += 1
            found["csat_hits"] += csat >= 4
        if ces is not None:
            found["ces_n"] += 1
            found["ces_hits"] += ces >= 5
    return {key: tuple(found[name] for name in COUNTS) for key, found in counts.items()}


def stored(store: Store) -> dict[tuple, tuple]:
    rows = store.query_rows(f"select day, segment, region, channel, touchpoint, {', '.join(COUNTS)} from response_day_counts")
    keys = [row[:5] for row in rows]
    assert len(keys) == len(set(keys)), "a day, segment, region, channel and touchpoint is stored twice"
    return {row[:5]: row[5:] for row in rows}


DATA_VERSION = "select data_version from store_state"
# a store last opened by the version of cxdata that stopped at its schema: its summaries filled
FILLED = "delete from store_pending_fills"

ANSWERS = ["response_id", "customer_id", "responded_at", "channel", "touchpoint", "nps", "csat", "ces"]
TICKETS = ["ticket_id", "customer_id", "created_at", "status", "category"]
CUSTOMERS = ["customer_id", "segment", "region"]


def import_answers(store: Store, tmp_path, rows, name: str) -> int:
    return imported(store, tmp_path, "survey", ANSWERS, rows, name)


def import_customers(store: Store, tmp_path, rows, name: str) -> int:
    return imported(store, tmp_path, "customers", CUSTOMERS, rows, name)


def import_tickets(store: Store, tmp_path, rows, name: str) -> int:
    return imported(store, tmp_path, "tickets", TICKETS, rows, name)


def test_the_day_counts_follow_every_write_to_the_answers(store, tmp_path):
    first = import_answers(store, tmp_path, [
        ["A1", "C1", "2025-03-01 10:00", "web", "Checkout", "9", "5", ""],
        ["A2", "C1", "2025-03-01 11:00", "web", "Checkout", "3", "", "6"],
        ["A3", "C2", "2025-03-02 10:00", "app", "Support", "7", "2", "2"],
        ["A4", "", "2025-03-02 12:00", "", "", "", "4", ""],
    ], "first.csv")
    assert stored(store) == counted_in_python(store)
    assert stored(store)[(dt.date(2025, 3, 1), None, None, "web", "Checkout")] == (2, 2, 1, 0, 1, 1, 1, 1, 1, 2, 1, 1)

    customers = import_customers(store, tmp_path, [["C1", "SMB", "Schweiz"], ["C2", "Enterprise", "Österreich"]], "c.csv")
    assert stored(store) == counted_in_python(store)
    assert (dt.date(2025, 3, 1), "SMB", "Schweiz", "web", "Checkout") in stored(store)

    # a re-sent answer moves to another day and changes its scores; a new one joins a day
    moved = import_answers(store, tmp_path, [
        ["A1", "C1", "2025-03-05 10:00", "web", "Checkout", "2", "1", ""],
        ["A5", "C2", "2025-03-02 18:00", "app", "Billing", "10", "", "7"],
    ], "moved.csv")
    assert stored(store) == counted_in_python(store)
    assert stored(store)[(dt.date(2025, 3, 1), "SMB", "Schweiz", "web", "Checkout")] == (1, 1, 0, 0, 1, 0, 0, 1, 1, 1, 0, 1)

    # C2 moves to another segment: its answers move between day rows
    moved_customer = import_customers(store, tmp_path, [["C2", "SMB", "Österreich"]], "c2.csv")
    assert stored(store) == counted_in_python(store)
    assert not any(key[1] == "Enterprise" for key in stored(store))

    undo_import(store, moved_customer)
    assert stored(store) == counted_in_python(store)
    undo_import(store, moved)
    assert stored(store) == counted_in_python(store)
    assert (dt.date(2025, 3, 5), "SMB", "Schweiz", "web", "Checkout") not in stored(store)

    privacy.forget(store, ["C1"])
    assert stored(store) == counted_in_python(store)
    assert not any(key[1] == "SMB" for key in stored(store))

    for import_id in (customers, first):
        undo_import(store, import_id)
        assert stored(store) == counted_in_python(store)
    assert stored(store) == {}


def test_a_write_to_days_far_apart_counts_those_days_and_leaves_the_days_between(store, tmp_path):
    import_answers(store, tmp_path, [
        ["A1", "C1", "2025-03-01 10:00", "web", "Checkout", "9", "", ""],
        ["A2", "C2", "2025-03-02 10:00", "web", "Checkout", "3", "", ""],
        ["A3", "C3", "2025-03-03 10:00", "app", "Support", "7", "", ""],
    ], "first.csv")
    between = stored(store)[(dt.date(2025, 3, 2), None, None, "web", "Checkout")]

    # the first and the last day change; the day between them is neither counted again nor twice
    import_answers(store, tmp_path, [
        ["A1", "C1", "2025-03-01 10:00", "web", "Checkout", "0", "", ""],
        ["A4", "C4", "2025-03-03 12:00", "app", "Support", "10", "", ""],
    ], "second.csv")

    assert stored(store) == counted_in_python(store)
    assert stored(store)[(dt.date(2025, 3, 2), None, None, "web", "Checkout")] == between
    assert summaries.stale(store.cursor())[summaries.TABLE] == 0


def test_a_version_nine_store_gets_its_day_counts_when_opened_without_a_new_data_version(tmp_path):
    with migrated(
        tmp_path, 9,
        "insert into responses (response_id, responded_at, channel, touchpoint, nps, csat, fact_segment) values "
        "('R1', '2025-01-01 10:00', 'web', 'Checkout', 9, 5, 'SMB'), ('R2', '2025-01-01 12:00', 'web', 'Checkout', 0, null, 'SMB'), "
        "('R3', '2025-01-02 10:00', null, null, null, 3, null)",
        kept=DATA_VERSION,
    ) as (store, version):
        assert stored(store) == counted_in_python(store) == {
            (dt.date(2025, 1, 1), "SMB", None, "web", "Checkout"): (2, 2, 1, 0, 1, 1, 1, 0, 0, 0, 0, 0),
            (dt.date(2025, 1, 2), None, None, None, None): (1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0),
        }
        assert store.query_value("select count(*) from store_pending_fills") == 0
        assert version == [(store.data_version(),)]


def test_a_version_sixteen_store_counts_its_identified_answers_when_opened(tmp_path):
    with migrated(
        tmp_path, 16,
        "insert into responses (response_id, customer_id, responded_at, channel, nps, fact_segment) values "
        "('R1', 'C1', '2025-01-01 10:00', 'web', 10, 'SMB'), ('R2', null, '2025-01-01 11:00', 'web', 0, 'SMB'), "
        "('R3', 'C2', '2025-01-01 12:00', 'web', 3, 'SMB'), ('R4', 'C3', '2025-01-01 13:00', 'web', 8, 'SMB'), "
        "('R5', 'C4', '2025-01-01 14:00', 'web', null, 'SMB')",
        FILLED,
        kept=f"select ({DATA_VERSION}), (select count(*) from response_day_counts)",
    ) as (store, before):
        # R2 is anonymous, R5 has no NPS: three of the five are identified NPS answers
        assert stored(store) == counted_in_python(store) == {
            (dt.date(2025, 1, 1), "SMB", None, "web", None): (5, 4, 1, 1, 2, 0, 0, 0, 0, 3, 1, 1),
        }
        # the rows were written around cxdata, uncounted, and the version and day counts are unchanged
        assert before == [(store.data_version(), 0)]
        assert store.query_value("select count(*) from store_pending_fills") == 0


def paired_in_python(store: Store, lookback: dt.timedelta = dt.timedelta(days=90)) -> set[tuple]:
    """(response, ticket, answer's segment) of every NPS answer of a known customer and ticket of
    that customer opened in the 90 days up to it, from the stored rows."""
    answers = store.query_rows(
        "select response_id, customer_id, responded_at, fact_segment from responses where nps is not null and customer_id is not null"
    )
    tickets = store.query_rows("select ticket_id, customer_id, created_at from tickets where customer_id is not null")
    return {
        (response_id, ticket_id, segment)
        for response_id, customer, answered, segment in answers
        for ticket_id, owner, created in tickets
        if owner == customer and answered - lookback < created <= answered
    }


def stored_pairs(store: Store) -> set[tuple]:
    rows = store.query_rows("select response_id, ticket_id, answer_segment from answer_ticket_pairs")
    assert len(rows) == len(set(rows)), "a pair is stored twice"
    return set(rows)


def test_a_write_that_notes_no_customer_leaves_the_pairs_as_they_are(store, tmp_path):
    # anonymous answers note their days but no customer: the pairs of everyone else stay, once
    import_answers(store, tmp_path, [["A1", "C1", "2025-03-01 10:00", "web", "Checkout", "9", "", ""]], "a.csv")
    import_tickets(store, tmp_path, [["T1", "C1", "2025-02-20 09:00", "solved", "Billing"]], "t.csv")
    assert stored_pairs(store) == {("A1", "T1", None)}

    import_answers(store, tmp_path, [["A2", "", "2025-03-02 10:00", "web", "Checkout", "3", "", ""]], "anon.csv")

    assert stored_pairs(store) == paired_in_python(store) == {("A1", "T1", None)}


def test_a_version_eleven_store_pairs_its_answers_with_their_outcomes_when_opened(tmp_path):
    # a version 11 store holds pairs without their outcome columns (migration 012): opened, the
    # pairs are derived again with them
    with migrated(
        tmp_path, 11,
        "insert into responses (response_id, customer_id, responded_at, nps) values "
        "('A1', 'C1', '2025-03-01 10:00', 9), ('A2', 'C2', '2025-03-02 10:00', 2)",
        "insert into tickets (ticket_id, customer_id, created_at, status, category) values "
        "('T1', 'C1', '2025-02-20 09:00', 'solved', 'Billing'), ('T2', 'C1', '2025-03-01 09:00', 'open', 'Technical')",
        FILLED,
        kept="select count(*) from answer_ticket_pairs",
    ) as (store, before):
        assert before == [(0,)]
        assert stored_pairs(store) == paired_in_python(store) == {("A1", "T1", None), ("A1", "T2", None)}
        # both pairs are of one answer: one of them counts it, with its worst outcome
        assert store.query_rows(
            "select count(*) filter (where answer_first), count(distinct answer_outcome_rank), "
            "count(answer_outcome_rank) from answer_ticket_pairs"
        ) == [(1, 1, 2)]
        assert store.query_value("select count(*) from store_pending_fills") == 0


def test_the_stored_answer_ticket_pairs_follow_every_write(store, tmp_path):
    answers = import_answers(store, tmp_path, [
        ["A1", "C1", "2025-03-01 10:00", "web", "Checkout", "9", "", ""],
        ["A2", "C1", "2025-06-15 10:00", "web", "Checkout", "3", "", ""],
        ["A3", "C2", "2025-03-02 10:00", "app", "Support", "7", "", ""],
        ["A4", "", "2025-03-02 12:00", "app", "Support", "0", "", ""],
    ], "answers.csv")
    tickets = import_tickets(store, tmp_path, [
        ["T1", "C1", "2025-02-20 09:00", "solved", "Billing"],
        ["T2", "C1", "2025-03-01 10:00", "open", "Technical"],
        ["T3", "C2", "2025-03-01 09:00", "solved", "Billing"],
        ["T4", "", "2025-03-01 09:00", "solved", "Billing"],
    ], "tickets.csv")
    assert stored_pairs(store) == paired_in_python(store) == {("A1", "T1", None), ("A1", "T2", None), ("A3", "T3", None)}

    # a ticket moves to another customer and back in time; a new one pairs with a later answer
    moved = import_tickets(store, tmp_path, [["T3", "C1", "2025-06-01 09:00", "solved", "Billing"]], "moved.csv")
    assert stored_pairs(store) == paired_in_python(store)
    assert ("A2", "T3", None) in stored_pairs(store)
    earlier = import_tickets(store, tmp_path, [["T5", "C2", "2025-01-10 09:00", "open", "Billing"]], "earlier.csv")
    assert stored_pairs(store) == paired_in_python(store)
    assert ("A3", "T5", None) in stored_pairs(store)

    customers = import_customers(store, tmp_path, [["C1", "SMB", "Schweiz"]], "c.csv")
    assert stored_pairs(store) == paired_in_python(store)
    assert ("A1", "T1", "SMB") in stored_pairs(store)

    # an answer moves past its tickets' lookback
    later = import_answers(store, tmp_path, [["A1", "C1", "2025-09-01 10:00", "web", "Checkout", "9", "", ""]], "later.csv")
    assert stored_pairs(store) == paired_in_python(store)
    assert not any(pair[0] == "A1" for pair in stored_pairs(store))

    for import_id in (later, customers, earlier, moved):
        undo_import(store, import_id)
        assert stored_pairs(store) == paired_in_python(store)
    # T3 is C2's again, opened the day before C2's answer
    assert ("A1", "T1", None) in stored_pairs(store) and ("A3", "T3", None) in stored_pairs(store)

    privacy.forget(store, ["C1"])
    assert stored_pairs(store) == paired_in_python(store) == {("A3", "T3", None)}
    for import_id in (tickets, answers):
        undo_import(store, import_id)
        assert stored_pairs(store) == paired_in_python(store) == set()


def customers_counted_in_python(store: Store) -> Counter:
    """(segment, region, signup date, churn date) -> how many customers, from the stored customers."""
    return Counter(store.query_rows("select segment, region, signup_date, churned_on from customers"))


def stored_customer_dates(store: Store) -> Counter:
    rows = store.query_rows("select segment, region, signup_date, churned_on, customers from customer_date_counts")
    assert len(rows) == len({row[:4] for row in rows}), "a segment, region and pair of dates is stored twice"
    return Counter({row[:4]: row[4] for row in rows})


def test_the_customer_date_counts_follow_every_write_to_the_customers(store, tmp_path):
    columns = ["customer_id", "segment", "region", "signup_date", "churned_on"]
    first = imported(store, tmp_path, "customers", columns, [
        ["C1", "SMB", "Schweiz", "2024-01-01", ""], ["C2", "SMB", "Schweiz", "2024-01-01", ""],
        ["C3", "Enterprise", "", "2024-02-01", "2025-03-01"], ["C4", "", "", "", ""],
    ], "first.csv")
    assert stored_customer_dates(store) == customers_counted_in_python(store)
    assert stored_customer_dates(store)[("SMB", "Schweiz", dt.date(2024, 1, 1), None)] == 2

    # a re-sent customer churns and moves to another segment
    churned = imported(store, tmp_path, "customers", columns, [
        ["C2", "Consumer", "Schweiz", "2024-01-01", "2025-06-30"],
    ], "churned.csv")
    assert stored_customer_dates(store) == customers_counted_in_python(store)
    assert stored_customer_dates(store)[("SMB", "Schweiz", dt.date(2024, 1, 1), None)] == 1
    assert stored_customer_dates(store)[("Consumer", "Schweiz", dt.date(2024, 1, 1), dt.date(2025, 6, 30))] == 1

    # answers and tickets leave the customer counts alone; undo and erasure do not
    import_answers(store, tmp_path, [["A1", "C1", "2025-03-01 10:00", "web", "Checkout", "9", "", ""]], "a.csv")
    assert stored_customer_dates(store) == customers_counted_in_python(store)
    undo_import(store, churned)
    assert stored_customer_dates(store) == customers_counted_in_python(store)
    assert stored_customer_dates(store)[("SMB", "Schweiz", dt.date(2024, 1, 1), None)] == 2
    privacy.forget(store, ["C3"])
    assert stored_customer_dates(store) == customers_counted_in_python(store)
    assert ("Enterprise", None, dt.date(2024, 2, 1), dt.date(2025, 3, 1)) not in stored_customer_dates(store)
    undo_import(store, first)
    assert stored_customer_dates(store) == customers_counted_in_python(store) == Counter()


def test_undo_counts_the_customers_again_only_when_it_removes_or_puts_back_customers(store, tmp_path, monkeypatch):
    customers = import_customers(store, tmp_path, [["C1", "SMB", "Schweiz"]], "c.csv")
    answers = import_answers(store, tmp_path, [["A1", "C1", "2025-03-01 10:00", "web", "Checkout", "9", "", ""]], "a.csv")
    recounts = []
    recount = summaries._rebuild_customer_dates
    monkeypatch.setattr(summaries, "_rebuild_customer_dates", lambda cursor: recounts.append(1) or recount(cursor))

    undo_import(store, answers)
    assert recounts == []
    undo_import(store, customers)
    assert recounts == [1]
    assert stored_customer_dates(store) == customers_counted_in_python(store) == Counter()


def test_a_version_seventeen_store_counts_its_customers_dates_when_opened(tmp_path):
    with migrated(
        tmp_path, 17,
        "insert into customers (customer_id, segment, signup_date, churned_on) values "
        "('C1', 'SMB', '2024-01-01', null), ('C2', 'SMB', '2024-01-01', null), ('C3', null, null, '2025-01-01')",
        FILLED,
        kept=DATA_VERSION,
    ) as (store, version):
        assert stored_customer_dates(store) == customers_counted_in_python(store) == Counter({
            ("SMB", None, dt.date(2024, 1, 1), None): 2, (None, None, None, dt.date(2025, 1, 1)): 1,
        })
        assert store.query_value("select count(*) from store_pending_fills") == 0
        assert version == [(store.data_version(),)]


def test_the_pairs_of_thousands_of_noted_customers_are_refreshed_within_a_small_memory_limit(monkeypatch, tmp_path):
    # the noted customers were handed to the pairing as a subquery, which DuckDB joined to every
    # answer and ticket row before filtering: 4,000 customers of the 10M store needed 2.5 GB
    monkeypatch.setenv("CX_MEMORY_LIMIT", "100MB")
    store = build_store(synthetic_tables(customers=5000, responses=20000, tickets=8000), str(tmp_path / "s.duckdb"))
    try:
        with store.transaction() as cursor:
            cursor.execute(f"delete from {summaries.PAIRS}")
            summaries.note_rows(cursor, "responses", "select * from main.responses")
            summaries.refresh(cursor, changed_only=True)
        assert store.query_value(f"select count(distinct customer_id) from {summaries.PAIRS}") > 1000
        assert summaries.stale(store.cursor())[summaries.PAIRS] == 0
    finally:
        store.close()
