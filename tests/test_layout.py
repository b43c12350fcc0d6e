"""The stored fact layout: fact_segment and fact_region (and on answers the customer's revenue
and churn date) stay in step with the customers through imports and undo, next_nps_at with
the other answers; the migrations derive them and store rows in date order, and a key stored
twice refuses the import."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from cxdata import layout
from cxdata.ingest import import_file, undo_import
from cxdata.store import Store, latest_schema_version
from tests.test_ingest_helpers import imported, migrated, module_store, store, store_fingerprint, write_csv  # noqa: F401


IN_STEP = {
    "responses": 0, "tickets": 0, "journey_events": 0, "response_ratings": 0, "next_nps_at": 0, "nps_moment_rank": 0,
    "previous_visit_at": 0, "next_abandoned_at": 0, "next_visit_at": 0, "customer_no": 0,
    "response_day_counts": 0, "answer_ticket_pairs": 0, "customer_date_counts": 0,
}


def facts(store: Store) -> dict[str, tuple]:
    """Every fact row's id -> (stored segment, stored region)."""
    rows = {}
    for table in layout.FACT_TABLES:
        for key, segment, region in store.query_rows(f"select {table.key}, fact_segment, fact_region from {table.name}"):
            rows[key] = (segment, region)
    return rows


def import_customers(store: Store, tmp_path, rows, name: str) -> int:
    path = write_csv(tmp_path / name, [["customer_id", "segment", "region"], *rows])
    return import_file(store, path, "customers").import_id


@pytest.fixture
def facts_of_c1(store, tmp_path):
    """R1 answers for customer C1, R2 for C1 with its own segment, R3 anonymously with its own
    segment and region; T1 and E1 belong to C1. C1 itself is not imported yet."""
    import_file(store, write_csv(tmp_path / "survey.csv", [
        ["response_id", "customer_id", "responded_at", "nps", "segment", "region"],
        ["R1", "C1", "2025-03-02 10:00", "9", "", ""],
        ["R2", "C1", "2025-03-01 10:00", "3", "Enterprise", ""],
        ["R3", "", "2025-03-03 10:00", "7", "SMB", "Schweiz"],
    ]), "survey")
    import_file(store, write_csv(tmp_path / "tickets.csv", [
        ["ticket_id", "customer_id", "created_at", "status"], ["T1", "C1", "2025-03-01 09:00", "open"],
    ]), "tickets")
    import_file(store, write_csv(tmp_path / "journey.csv", [
        ["event_id", "journey_id", "customer_id", "occurred_at", "stage", "touchpoint"],
        ["E1", "J1", "C1", "2025-03-01 08:00", "purchase", "Payment"],
    ]), "journey")
    return store


def test_facts_imported_before_their_customer_take_its_segment_when_it_arrives_and_lose_it_on_undo(facts_of_c1, tmp_path):
    store = facts_of_c1
    assert facts(store) == {
        "R1": (None, None), "R2": ("Enterprise", None), "R3": ("SMB", "Schweiz"), "T1": (None, None), "E1": (None, None),
    }

    first = import_customers(store, tmp_path, [["C1", "SMB", "Österreich"]], "customers.csv")
    assert facts(store) == {
        "R1": ("SMB", "Österreich"), "R2": ("Enterprise", "Österreich"), "R3": ("SMB", "Schweiz"),
        "T1": ("SMB", "Österreich"), "E1": ("SMB", "Österreich"),
    }
    second = import_customers(store, tmp_path, [["C1", "Consumer", "Österreich"]], "moved.csv")
    assert facts(store)["R1"] == ("Consumer", "Österreich") and facts(store)["R2"] == ("Enterprise", "Österreich")
    assert facts(store)["T1"] == facts(store)["E1"] == ("Consumer", "Österreich")
    # what the pages read follows: the filter finds R1 under its customer's new segment
    assert store.query_rows("select response_id from filtered_responses(segments := ['Consumer'])") == [("R1",)]

    undo_import(store, second)
    assert facts(store)["R1"] == facts(store)["T1"] == facts(store)["E1"] == ("SMB", "Österreich")
    undo_import(store, first)
    assert facts(store)["R1"] == facts(store)["T1"] == facts(store)["E1"] == (None, None)
    assert facts(store)["R2"] == ("Enterprise", None)
    assert layout.stale_rows(store.cursor()) == IN_STEP


def test_an_answer_put_back_by_undo_takes_what_its_customer_says_now(facts_of_c1, tmp_path):
    store = facts_of_c1
    import_customers(store, tmp_path, [["C1", "SMB", "Österreich"]], "customers.csv")
    changed = import_file(store, write_csv(tmp_path / "changed.csv", [
        ["response_id", "customer_id", "responded_at", "nps"], ["R1", "C1", "2025-03-02 10:00", "4"],
    ]), "survey").import_id
    # the version of R1 that import replaced was kept with the SMB it had then
    import_customers(store, tmp_path, [["C1", "Consumer", "Schweiz"]], "moved.csv")
    undo_import(store, changed)
    assert store.query_rows("select nps, fact_segment, fact_region from responses where response_id = 'R1'") == [
        (9, "Consumer", "Schweiz")
    ]
    # what the undo did not touch is left alone, and nothing anywhere is out of step
    assert facts(store)["T1"] == facts(store)["E1"] == ("Consumer", "Schweiz")
    assert layout.stale_rows(store.cursor()) == IN_STEP


def test_a_reimported_answer_with_its_own_segment_overrides_its_customers(facts_of_c1, tmp_path):
    store = facts_of_c1
    import_customers(store, tmp_path, [["C1", "SMB", "Österreich"]], "customers.csv")
    import_file(store, write_csv(tmp_path / "again.csv", [
        ["response_id", "customer_id", "responded_at", "nps", "segment", "region"],
        ["R1", "C1", "2025-03-02 10:00", "9", "Mid-Market", ""],
    ]), "survey")
    assert facts(store)["R1"] == ("Mid-Market", "Österreich")
    assert layout.stale_rows(store.cursor()) == IN_STEP


def customer_numbers(store: Store) -> dict[str, int]:
    return dict(store.query_rows("select customer_id, customer_no from customers"))


def answer_numbers(store: Store) -> dict[str, int | None]:
    return dict(store.query_rows("select response_id, fact_customer_no from responses"))


def test_a_customer_keeps_its_number_through_reimport_and_undo_and_its_answers_carry_it(facts_of_c1, tmp_path):
    store = facts_of_c1
    assert answer_numbers(store) == {"R1": None, "R2": None, "R3": None}
    first = import_customers(store, tmp_path, [["C1", "SMB", "Österreich"], ["C2", "SMB", "Schweiz"]], "customers.csv")
    numbers = customer_numbers(store)
    assert None not in numbers.values() and len(set(numbers.values())) == 2
    assert answer_numbers(store) == {"R1": numbers["C1"], "R2": numbers["C1"], "R3": None}

    # a re-sent customer is updated in place and keeps its number; a new one gets a new number
    second = import_customers(store, tmp_path, [["C1", "Consumer", "Österreich"], ["C3", "SMB", "Schweiz"]], "again.csv")
    assert customer_numbers(store)["C1"] == numbers["C1"] and customer_numbers(store)["C2"] == numbers["C2"]
    assert customer_numbers(store)["C3"] not in numbers.values()
    undo_import(store, second)
    assert customer_numbers(store) == numbers
    assert answer_numbers(store)["R1"] == numbers["C1"]
    undo_import(store, first)
    assert customer_numbers(store) == {} and answer_numbers(store) == {"R1": None, "R2": None, "R3": None}
    assert layout.stale_rows(store.cursor()) == IN_STEP


def test_undo_numbers_a_customer_version_kept_before_customers_had_numbers(facts_of_c1, tmp_path):
    store = facts_of_c1
    import_customers(store, tmp_path, [["C1", "SMB", "Österreich"]], "customers.csv")
    second = import_customers(store, tmp_path, [["C1", "Consumer", "Österreich"]], "again.csv")
    # as a store from before migration 015 kept it: the replaced version without a number
    store._con.execute(
        "update import_replaced_rows set previous_row = json_object('customer_id', 'C1', 'segment', 'SMB', "
        "'region', 'Österreich', 'import_id', previous_import_id) where import_id = ?", [second]
    )
    undo_import(store, second)
    assert store.query_rows("select segment, customer_no is not null from customers") == [("SMB", True)]
    assert answer_numbers(store)["R1"] == customer_numbers(store)["C1"]
    assert layout.stale_rows(store.cursor()) == IN_STEP


def test_an_import_appends_its_rows_in_the_files_order(facts_of_c1):
    # exports come sorted by date (one way or the other); optimize re-sorts after back-dated imports
    stored = [row[0] for row in facts_of_c1.query_rows("select response_id from responses order by rowid")]
    assert stored == ["R1", "R2", "R3"]


def test_an_import_smaller_than_the_customers_table_is_appended_in_the_files_order_too(store, tmp_path):
    # DuckDB builds a join on its smaller side: built on the file's rows, it wrote them in hash order
    import_customers(store, tmp_path, [[f"C{number}", "SMB", "Schweiz"] for number in range(200)], "customers.csv")
    answers = [[f"R{number:03}", f"C{number * 7 % 230}", f"2025-03-{number % 28 + 1:02} 10:00", str(number % 11)]
               for number in reversed(range(60))]
    import_answers(store, tmp_path, answers, "answers.csv")
    assert [row[0] for row in store.query_rows("select response_id from responses order by rowid")] == [
        answer[0] for answer in answers
    ]


def test_a_key_stored_twice_by_another_writer_refuses_the_import_and_changes_nothing(facts_of_c1, tmp_path):
    store = facts_of_c1
    # a script writing around the importer (the large fact tables have no primary key)
    with store.transaction() as cursor:
        cursor.execute("insert into responses select * from responses where response_id = 'R1'")
    before = store_fingerprint(store)
    again = write_csv(tmp_path / "r1.csv", [
        ["response_id", "customer_id", "responded_at", "nps"], ["R1", "C1", "2025-03-02 10:00", "10"],
    ])
    report = import_file(store, again, "survey")
    assert report.outcome == "refused"
    assert "response_id R1 would be stored twice in responses" in report.message
    assert store_fingerprint(store) == before


def test_migrating_a_version_five_store_derives_segments_sorts_by_date_and_keeps_checks(tmp_path):
    with migrated(
        tmp_path, 5,
        "insert into customers (customer_id, segment, region) values ('C1', 'SMB', 'Schweiz')",
        "insert into responses (response_id, customer_id, responded_at, segment, nps) values "
        "('late', 'C1', '2025-05-01', null, 9), ('early', 'C1', '2025-01-01', 'Enterprise', 3), "
        "('anonymous', null, '2025-03-01', null, 7)",
        "insert into tickets (ticket_id, customer_id, created_at) values "
        "('T2', 'C1', '2025-02-01'), ('T1', null, '2025-01-01')",
        "insert into journey_events (event_id, journey_id, customer_id, occurred_at, stage, touchpoint) values "
        "('E2', 'J', 'C1', '2025-02-01', 'purchase', 'Payment'), ('E1', 'J', 'C1', '2025-01-01', 'purchase', 'Ad')",
        "insert into response_ratings values ('late', 'Speed', 4, 1, 5)",
        kept="select response_id, customer_id, responded_at, segment, nps from responses order by 1",
    ) as (store, kept):
        assert store.schema_version() == latest_schema_version()
        assert store.query_rows("select response_id, customer_id, responded_at, segment, nps from responses order by 1") == kept
        assert store.query_rows("select response_id, fact_segment, fact_region from responses order by rowid") == [
            ("early", "Enterprise", "Schweiz"), ("anonymous", None, None), ("late", "SMB", "Schweiz"),
        ]
        assert store.query_rows("select ticket_id, fact_segment from tickets order by rowid") == [("T1", None), ("T2", "SMB")]
        assert store.query_rows("select event_id from journey_events order by rowid") == [("E1",), ("E2",)]
        assert store.query_rows("select * from response_ratings") == [
            ("late", "Speed", 4.0, 1.0, 5.0, dt.datetime(2025, 5, 1)),
        ]
        keys = store.query_rows(
            "select table_name from duckdb_constraints() where constraint_type = 'PRIMARY KEY' "
            "and table_name in ('responses', 'response_ratings', 'tickets', 'journey_events')"
        )
        assert keys == []
        # the checks on the values stay
        with pytest.raises(Exception, match="CHECK constraint"):
            store._con.execute("insert into responses (response_id, responded_at, nps) values ('bad', '2025-01-01', 11)")


def test_optimize_repairs_rows_written_around_the_importer_and_restores_date_order(tmp_path, capsys):
    from cxdata import cli

    path = str(tmp_path / "cx.duckdb")
    with Store(path) as store:
        # another tool's own INSERTs: back-dated rows appended last, no stored segment
        store._con.execute("insert into customers (customer_id, segment, region) values ('C1', 'SMB', 'Schweiz')")
        store._con.execute("insert into customers (customer_id, customer_no) values ('C9', null)")
        store._con.execute(
            "insert into responses (response_id, customer_id, responded_at, nps) values "
            "('R2', 'C1', '2025-02-01', 9), ('R1', 'C1', '2025-01-01', 3)"
        )
        store._con.execute("insert into tickets (ticket_id, customer_id, created_at) values ('T1', 'C1', '2025-01-05')")
        assert layout.stale_rows(store.cursor()) == {
            **IN_STEP, "responses": 2, "tickets": 1, "next_nps_at": 1, "nps_moment_rank": 2, "customer_no": 1,
            "response_day_counts": 2, "answer_ticket_pairs": 1, "customer_date_counts": 2,
        }
        values = store.query_rows("select * exclude (fact_segment, fact_region, fact_customer_known, fact_annual_revenue, fact_churned_on, fact_customer_no, next_nps_at, nps_moment_rank) from responses order by response_id")

    assert cli.main(["--db", path, "optimize"]) == 0
    assert "corrected on 7 rows" in capsys.readouterr().out

    with Store(path) as store:
        assert layout.stale_rows(store.cursor()) == IN_STEP
        assert store.query_rows("select response_id, fact_segment from responses order by rowid") == [
            ("R1", "SMB"), ("R2", "SMB"),
        ]
        assert store.query_rows("select * exclude (fact_segment, fact_region, fact_customer_known, fact_annual_revenue, fact_churned_on, fact_customer_no, next_nps_at, nps_moment_rank) from responses order by response_id") == values


def test_ratings_carry_their_responses_date_through_reimport_and_undo(store, tmp_path):
    from cxdata.ingest import read_toml
    from tests.test_ingest_load import WIDE_HEADER, WIDE_ROWS, WIDE_TOML

    mapping = read_toml(WIDE_TOML)
    import_file(store, write_csv(tmp_path / "wide.csv", [WIDE_HEADER, *WIDE_ROWS], ";"), "survey", mapping=mapping)
    moved = [["R1", "15.04.2024", *WIDE_ROWS[0][2:]]]
    later = import_file(store, write_csv(tmp_path / "moved.csv", [WIDE_HEADER, *moved], ";"), "survey", mapping=mapping)

    def rating_dates() -> set[tuple]:
        return set(store.query_rows("select distinct response_id, responded_at from response_ratings"))

    assert rating_dates() == {("R1", dt.datetime(2024, 4, 15)), ("R2", dt.datetime(2024, 3, 2)), ("R3", dt.datetime(2024, 3, 3))}
    undo_import(store, later.import_id)
    assert ("R1", dt.datetime(2024, 3, 1)) in rating_dates()
    assert layout.stale_rows(store.cursor())["response_ratings"] == 0


def neighbours_in_python(rows: list[tuple], following: bool) -> dict[str, dt.datetime | None]:
    """Each row's neighbour in its sequence, computed here in Python, the reference for a
    layout.Neighbour column. rows are (key, sequence, at, counted): rows of one sequence are
    ordered by at, then key; a row that is not counted has no place in any and no neighbour."""
    sequences: dict[object, list[tuple]] = {}
    for key, sequence, at, counted in rows:
        if counted:
            sequences.setdefault(sequence, []).append((at, key))
    expected = {row[0]: None for row in rows}
    for members in sequences.values():
        members.sort()
        for (earlier_at, earlier), (later_at, later) in zip(members, members[1:]):
            if following:
                expected[earlier] = later_at
            else:
                expected[later] = earlier_at
    return expected


def expected_next_answers(store: Store) -> dict[str, dt.datetime | None]:
    """Each answer's next NPS answer by the same customer: only answers with an NPS and a
    customer count."""
    rows = store.query_rows(
        "select response_id, customer_id, responded_at, nps is not null and customer_id is not null from responses"
    )
    return neighbours_in_python(rows, following=True)


def stored_next_answers(store: Store) -> dict[str, dt.datetime | None]:
    return dict(store.query_rows("select response_id, next_nps_at from responses"))


def import_answers(store: Store, tmp_path, rows, name: str) -> int:
    return imported(store, tmp_path, "survey", ["response_id", "customer_id", "responded_at", "nps"], rows, name)


def test_each_answer_knows_its_customers_next_answer_through_imports_moves_and_undo(store, tmp_path):
    first = import_answers(store, tmp_path, [
        ["A1", "C1", "2025-03-01 10:00", "9"], ["A2", "C1", "2025-03-05 10:00", "3"],
        ["A3", "C2", "2025-03-02 10:00", "7"], ["A4", "", "2025-03-03 10:00", "5"],
        ["A5", "C1", "2025-03-04 10:00", ""],
    ], "first.csv")
    assert stored_next_answers(store) == expected_next_answers(store)
    assert stored_next_answers(store)["A1"] == dt.datetime(2025, 3, 5, 10)

    # a back-dated answer falls between two stored ones; two in the same moment go by id
    back_dated = import_answers(store, tmp_path, [
        ["B1", "C1", "2025-03-03 10:00", "10"], ["B0", "C1", "2025-03-03 10:00", "1"], ["B2", "C2", "2025-02-01 10:00", "8"],
    ], "back.csv")
    assert stored_next_answers(store) == expected_next_answers(store)
    assert stored_next_answers(store)["A1"] == stored_next_answers(store)["B0"] == dt.datetime(2025, 3, 3, 10)

    # re-sent rows move one answer to another customer and another past it
    moved = import_answers(store, tmp_path, [
        ["A2", "C2", "2025-03-06 10:00", "3"], ["A3", "C2", "2025-03-07 10:00", "7"],
    ], "moved.csv")
    assert stored_next_answers(store) == expected_next_answers(store)
    assert stored_next_answers(store)["B2"] == dt.datetime(2025, 3, 6, 10)
    assert stored_next_answers(store)["A2"] == dt.datetime(2025, 3, 7, 10)
    assert stored_next_answers(store)["B1"] is None

    for import_id in (moved, back_dated, first):
        undo_import(store, import_id)
        assert stored_next_answers(store) == expected_next_answers(store)
        assert layout.stale_rows(store.cursor()) == IN_STEP


def expected_moment_ranks(store: Store) -> dict[str, int | None]:
    """Each NPS answer's place among its customer's NPS answers at the same moment, by id (0 the
    smallest), computed here in Python; answers without an NPS or a customer have none."""
    moments: dict[tuple, list[str]] = {}
    expected = {}
    for key, customer, at, counted in store.query_rows(
        "select response_id, customer_id, responded_at, nps is not null and customer_id is not null from responses"
    ):
        expected[key] = None
        if counted:
            moments.setdefault((customer, at), []).append(key)
    for keys in moments.values():
        expected.update((key, place) for place, key in enumerate(sorted(keys)))
    return expected


def stored_moment_ranks(store: Store) -> dict[str, int | None]:
    return dict(store.query_rows("select response_id, nps_moment_rank from responses"))


def test_each_answer_knows_its_place_among_its_customers_answers_at_one_moment_through_imports_undo_and_erasure(
    store, tmp_path,
):
    from cxdata.privacy import forget

    first = import_answers(store, tmp_path, [
        ["A2", "C1", "2025-03-01 10:00", "9"], ["A1", "C1", "2025-03-01 10:00", "3"], ["A3", "C2", "2025-03-01 10:00", "7"],
        ["A4", "", "2025-03-01 10:00", "5"], ["A6", "C1", "2025-03-02 10:00", "8"],
    ], "first.csv")
    assert stored_moment_ranks(store) == expected_moment_ranks(store)
    assert stored_moment_ranks(store) == {"A1": 0, "A2": 1, "A3": 0, "A4": None, "A6": 0}

    # an answer with a smaller id joins the moment: the others move up one place
    joined = import_answers(store, tmp_path, [["A0", "C1", "2025-03-01 10:00", "1"]], "joined.csv")
    assert stored_moment_ranks(store) == expected_moment_ranks(store)
    assert [stored_moment_ranks(store)[key] for key in ("A0", "A1", "A2")] == [0, 1, 2]

    # re-sent rows move one answer to another moment and one to another customer
    moved = import_answers(store, tmp_path, [
        ["A1", "C1", "2025-03-02 10:00", "3"], ["A2", "C2", "2025-03-01 10:00", "9"],
    ], "moved.csv")
    assert stored_moment_ranks(store) == expected_moment_ranks(store)
    assert [stored_moment_ranks(store)[key] for key in ("A0", "A1", "A6", "A2", "A3")] == [0, 0, 1, 0, 1]

    for import_id in (moved, joined):
        undo_import(store, import_id)
        assert stored_moment_ranks(store) == expected_moment_ranks(store)
        assert layout.stale_rows(store.cursor()) == IN_STEP

    forget(store, ["C1"])
    assert stored_moment_ranks(store) == expected_moment_ranks(store) == {"A3": 0, "A4": None}
    assert layout.stale_rows(store.cursor()) == IN_STEP
    undo_import(store, first)
    assert stored_moment_ranks(store) == {}


def expected_visits(store: Store, following: bool) -> dict[str, dt.datetime | None]:
    """Each event's previous (or next) visit of its journey to its touchpoint."""
    rows = store.query_rows("select event_id, (journey_id, touchpoint), occurred_at, true from journey_events")
    return neighbours_in_python(rows, following=following)


def expected_previous_visits(store: Store) -> dict[str, dt.datetime | None]:
    return expected_visits(store, following=False)


def stored_previous_visits(store: Store) -> dict[str, dt.datetime | None]:
    return dict(store.query_rows("select event_id, previous_visit_at from journey_events"))


def next_visits_in_step(store: Store) -> bool:
    """Whether each event's stored next visit of its journey to its touchpoint (next_visit_at)
    is the one computed here."""
    return dict(store.query_rows("select event_id, next_visit_at from journey_events")) == expected_visits(
        store, following=True
    )


# a journey export's columns, the outcome last
JOURNEY_HEADER = ["event_id", "journey_id", "customer_id", "occurred_at", "stage", "touchpoint", "outcome"]


def import_events(store: Store, tmp_path, rows, name: str) -> int:
    return imported(store, tmp_path, "journey", JOURNEY_HEADER[:-1], rows, name)


def test_each_event_knows_its_journeys_previous_visit_through_imports_moves_undo_and_erasure(store, tmp_path):
    from cxdata.privacy import forget

    first = import_events(store, tmp_path, [
        ["E1", "J1", "C1", "2025-03-01 10:00", "service", "Support"],
        ["E2", "J1", "C1", "2025-03-02 10:00", "service", "Billing"],
        ["E3", "J1", "C1", "2025-03-05 10:00", "service", "Support"],
        ["E4", "J2", "C2", "2025-03-01 11:00", "service", "Support"],
    ], "first.csv")
    assert stored_previous_visits(store) == expected_previous_visits(store)
    assert stored_previous_visits(store)["E3"] == dt.datetime(2025, 3, 1, 10)
    assert next_visits_in_step(store)
    assert store.query_rows("select next_visit_at from journey_events where event_id = 'E1'") == [(dt.datetime(2025, 3, 5, 10),)]

    # a later file brings visits between and before the stored ones; two in one moment go by id
    back_dated = import_events(store, tmp_path, [
        ["F1", "J1", "C1", "2025-03-03 10:00", "service", "Support"],
        ["F0", "J1", "C1", "2025-03-03 10:00", "service", "Support"],
        ["F2", "J2", "C2", "2025-02-01 10:00", "service", "Support"],
    ], "back.csv")
    assert stored_previous_visits(store) == expected_previous_visits(store)
    assert stored_previous_visits(store)["F1"] == dt.datetime(2025, 3, 3, 10)
    assert stored_previous_visits(store)["E3"] == dt.datetime(2025, 3, 3, 10)
    assert stored_previous_visits(store)["E4"] == dt.datetime(2025, 2, 1, 10)
    assert next_visits_in_step(store)
    # E1 is now followed by F0, and F0 by F1 at the same moment (by id)
    assert dict(store.query_rows("select event_id, next_visit_at from journey_events where event_id in ('E1', 'F0')")) == {
        "E1": dt.datetime(2025, 3, 3, 10), "F0": dt.datetime(2025, 3, 3, 10),
    }

    # re-sent rows move a visit to another journey, and another to another touchpoint
    moved = import_events(store, tmp_path, [
        ["E1", "J2", "C1", "2025-03-01 10:00", "service", "Support"],
        ["E3", "J1", "C1", "2025-03-05 10:00", "service", "Billing"],
    ], "moved.csv")
    assert stored_previous_visits(store) == expected_previous_visits(store)
    assert stored_previous_visits(store)["E4"] == dt.datetime(2025, 3, 1, 10)
    assert stored_previous_visits(store)["E3"] == dt.datetime(2025, 3, 2, 10)
    assert stored_previous_visits(store)["F0"] is None
    assert next_visits_in_step(store)

    # erasing C1 removes a visit from J2, which C2's events share
    forget(store, ["C1"])
    assert stored_previous_visits(store) == expected_previous_visits(store)
    assert stored_previous_visits(store)["E4"] == dt.datetime(2025, 2, 1, 10)
    assert next_visits_in_step(store)
    assert layout.stale_rows(store.cursor()) == IN_STEP

    for import_id in (moved, back_dated, first):
        undo_import(store, import_id)
        assert stored_previous_visits(store) == expected_previous_visits(store)
        assert next_visits_in_step(store)
        assert layout.stale_rows(store.cursor()) == IN_STEP


def expected_next_abandonments(store: Store) -> dict[str, dt.datetime | None]:
    """Each abandoned event's next abandoned event of its journey; every other event has none."""
    rows = store.query_rows(
        "select event_id, journey_id, occurred_at, coalesce(outcome = 'abandoned', false) from journey_events"
    )
    return neighbours_in_python(rows, following=True)


def stored_next_abandonments(store: Store) -> dict[str, dt.datetime | None]:
    return dict(store.query_rows("select event_id, next_abandoned_at from journey_events"))


def import_outcomes(store: Store, tmp_path, rows, name: str) -> int:
    return imported(store, tmp_path, "journey", JOURNEY_HEADER, rows, name)


def test_each_abandoned_event_knows_its_journeys_next_abandonment_through_imports_undo_and_erasure(store, tmp_path):
    from cxdata.privacy import forget

    first = import_outcomes(store, tmp_path, [
        ["E1", "J1", "C1", "2025-03-01 10:00", "purchase", "Checkout", "abandoned"],
        ["E2", "J1", "C1", "2025-03-02 10:00", "purchase", "Checkout", "completed"],
        ["E3", "J1", "C2", "2025-03-05 10:00", "service", "Support", "abandoned"],
        ["E4", "J2", "C2", "2025-03-01 11:00", "purchase", "Checkout", "abandoned"],
    ], "first.csv")
    assert stored_next_abandonments(store) == expected_next_abandonments(store)
    assert stored_next_abandonments(store)["E1"] == dt.datetime(2025, 3, 5, 10)

    # a later file abandons between the stored ones, and turns a completed step into an abandoned one
    back_dated = import_outcomes(store, tmp_path, [
        ["F1", "J1", "C1", "2025-03-03 10:00", "service", "Billing", "abandoned"],
        ["E2", "J1", "C1", "2025-03-02 10:00", "purchase", "Checkout", "abandoned"],
        ["F2", "J2", "C2", "2025-02-01 10:00", "purchase", "Checkout", "abandoned"],
    ], "back.csv")
    assert stored_next_abandonments(store) == expected_next_abandonments(store)
    assert stored_next_abandonments(store)["E1"] == dt.datetime(2025, 3, 2, 10)
    assert stored_next_abandonments(store)["E2"] == dt.datetime(2025, 3, 3, 10)
    assert stored_next_abandonments(store)["F2"] == dt.datetime(2025, 3, 1, 11)

    # re-sent: an abandonment is completed after all, and one moves to another journey
    moved = import_outcomes(store, tmp_path, [
        ["F1", "J1", "C1", "2025-03-03 10:00", "service", "Billing", "completed"],
        ["E3", "J2", "C2", "2025-03-05 10:00", "service", "Support", "abandoned"],
    ], "moved.csv")
    assert stored_next_abandonments(store) == expected_next_abandonments(store)
    assert stored_next_abandonments(store)["F1"] is None and stored_next_abandonments(store)["E2"] is None
    assert stored_next_abandonments(store)["E4"] == dt.datetime(2025, 3, 5, 10)

    # erasing C1 removes J1's abandonments; C2's in J2 stay in step
    forget(store, ["C1"])
    assert stored_next_abandonments(store) == expected_next_abandonments(store)
    assert layout.stale_rows(store.cursor()) == IN_STEP

    for import_id in (moved, back_dated, first):
        undo_import(store, import_id)
        assert stored_next_abandonments(store) == expected_next_abandonments(store)
        assert layout.stale_rows(store.cursor()) == IN_STEP


def test_answers_carry_their_customers_revenue_and_churn_date_as_the_customers_table_says(facts_of_c1, tmp_path):
    store = facts_of_c1

    def answers() -> dict[str, tuple]:
        return {row[0]: row[1:] for row in store.query_rows(
            "select response_id, fact_customer_known, fact_annual_revenue, fact_churned_on from responses")}

    assert answers() == {"R1": (False, None, None), "R2": (False, None, None), "R3": (False, None, None)}
    path = write_csv(tmp_path / "c.csv", [
        ["customer_id", "segment", "annual_revenue", "churned_on"], ["C1", "SMB", "1200.50", "2025-06-30"],
    ])
    first = import_file(store, path, "customers").import_id
    known = (True, Decimal("1200.50"), dt.date(2025, 6, 30))
    assert answers() == {"R1": known, "R2": known, "R3": (False, None, None)}
    path = write_csv(tmp_path / "c2.csv", [["customer_id", "segment", "annual_revenue", "churned_on"], ["C1", "SMB", "900", ""]])
    second = import_file(store, path, "customers").import_id
    assert answers()["R1"] == (True, Decimal("900.00"), None)
    undo_import(store, second)
    assert answers()["R2"] == known
    undo_import(store, first)
    assert answers()["R1"] == (False, None, None)
    assert layout.stale_rows(store.cursor()) == IN_STEP


def test_migrating_a_version_seven_store_gives_answers_their_next_answer_and_customer(tmp_path):
    with migrated(
        tmp_path, 7,
        "insert into customers (customer_id, annual_revenue) values ('C1', 500)",
        "insert into responses (response_id, customer_id, responded_at, nps) values "
        "('late', 'C1', '2025-05-01', 9), ('early', 'C1', '2025-01-01', 3), "
        "('no-nps', 'C1', '2025-02-01', null), ('anonymous', null, '2025-03-01', 7)",
        kept="select * from responses order by response_id",
    ) as (store, kept):
        assert store.query_rows(
            "select * exclude (fact_customer_known, fact_annual_revenue, fact_churned_on, fact_customer_no, next_nps_at, "
            "nps_moment_rank) from responses order by response_id"
        ) == kept
        assert store.query_rows(
            "select response_id, fact_customer_known, fact_annual_revenue, next_nps_at from responses order by rowid"
        ) == [
            ("early", True, Decimal("500.00"), dt.datetime(2025, 5, 1)),
            ("no-nps", True, Decimal("500.00"), None),
            ("anonymous", False, None, None),
            ("late", True, Decimal("500.00"), None),
        ]
        assert layout.stale_rows(store.cursor()) == IN_STEP


def test_migrating_a_version_twelve_store_gives_abandoned_events_their_next_abandonment(tmp_path):
    with migrated(
        tmp_path, 12,
        "insert into journey_events (event_id, journey_id, occurred_at, stage, touchpoint, outcome) values "
        "('left', 'J1', '2025-01-01', 'purchase', 'Checkout', 'abandoned'), "
        "('back', 'J1', '2025-01-05', 'purchase', 'Payment', 'completed'), "
        "('left again', 'J1', '2025-02-01', 'service', 'Support', 'abandoned'), "
        "('same moment', 'J1', '2025-02-01', 'service', 'Billing', 'abandoned'), "
        "('other', 'J2', '2025-01-03', 'purchase', 'Checkout', 'abandoned')",
        kept="select * from journey_events order by event_id",
    ) as (store, kept):
        assert store.query_rows(
            "select * exclude (next_abandoned_at, next_visit_at) from journey_events order by event_id"
        ) == kept
        # the next abandonment of the same journey, in the order "latest" means (time, then event id)
        assert dict(store.query_rows("select event_id, next_abandoned_at from journey_events")) == {
            "left": dt.datetime(2025, 2, 1), "back": None, "left again": dt.datetime(2025, 2, 1),
            "same moment": None, "other": None,
        }
        assert layout.stale_rows(store.cursor()) == IN_STEP


def test_migrating_a_version_thirteen_store_gives_events_their_next_visit(tmp_path):
    with migrated(
        tmp_path, 13,
        "insert into journey_events (event_id, journey_id, occurred_at, stage, touchpoint) values "
        "('first', 'J1', '2025-01-01', 'service', 'Support'), ('again', 'J1', '2025-05-01', 'service', 'Support'), "
        "('same moment', 'J1', '2025-05-01', 'service', 'Support'), ('other', 'J1', '2025-02-01', 'service', 'Billing'), "
        "('elsewhere', 'J2', '2025-03-01', 'service', 'Support')",
        kept="select * from journey_events order by event_id",
    ) as (store, kept):
        assert store.query_rows("select * exclude (next_visit_at) from journey_events order by event_id") == kept
        # in the order "latest" means: time, then the greater event id
        assert dict(store.query_rows("select event_id, next_visit_at from journey_events")) == {
            "first": dt.datetime(2025, 5, 1), "again": dt.datetime(2025, 5, 1), "same moment": None,
            "other": None, "elsewhere": None,
        }
        # (the rows were written around cxdata: only next_visit_at is the migration's to set)
        assert layout.stale_rows(store.cursor())["next_visit_at"] == 0


def test_migrating_a_version_fourteen_store_numbers_customers_and_gives_answers_their_customers_number(tmp_path):
    with migrated(
        tmp_path, 14,
        "insert into customers (customer_id, segment) values ('C1', 'SMB'), ('C2', 'Consumer')",
        "insert into responses (response_id, customer_id, responded_at, nps) values "
        "('R1', 'C1', '2025-01-01', 9), ('R2', 'C2', '2025-01-02', 3), ('R3', 'C1', '2025-01-03', 5), "
        "('unknown', 'C9', '2025-01-04', 7), ('anonymous', null, '2025-01-05', 8)",
        kept="select * from responses order by response_id",
    ) as (store, kept):
        numbers = dict(store.query_rows("select customer_id, customer_no from customers"))
        assert None not in numbers.values() and len(set(numbers.values())) == 2
        assert store.query_rows(
            "select * exclude (fact_customer_no, nps_moment_rank) from responses order by response_id"
        ) == kept
        assert dict(store.query_rows("select response_id, fact_customer_no from responses")) == {
            "R1": numbers["C1"], "R2": numbers["C2"], "R3": numbers["C1"], "unknown": None, "anonymous": None,
        }
        # a customer written after the migration takes the next number
        store._con.execute("insert into customers (customer_id) values ('C3')")
        assert store.query_value("select customer_no from customers where customer_id = 'C3'") not in numbers.values()
        assert layout.stale_rows(store.cursor())["customer_no"] == 0


def test_migrating_a_version_fifteen_store_ranks_answers_at_one_moment_by_id(tmp_path):
    with migrated(
        tmp_path, 15,
        "insert into responses (response_id, customer_id, responded_at, nps) values "
        "('R9', 'C1', '2025-01-01', 9), ('R10', 'C1', '2025-01-01', 3), ('R8', 'C1', '2025-01-02', 5), "
        "('no-nps', 'C1', '2025-01-01', null), ('R7', 'C2', '2025-01-01', 8), ('anonymous', null, '2025-01-01', 8)",
        kept="select * from responses order by response_id",
    ) as (store, kept):
        assert store.query_rows("select * exclude (nps_moment_rank) from responses order by response_id") == kept
        # by id as text: 'R10' before 'R9'
        assert stored_moment_ranks(store) == {
            "R10": 0, "R9": 1, "R8": 0, "no-nps": None, "R7": 0, "anonymous": None,
        }
        assert layout.stale_rows(store.cursor())["nps_moment_rank"] == 0


def test_migrating_a_version_eight_store_gives_events_their_previous_visit(tmp_path):
    with migrated(
        tmp_path, 8,
        "insert into journey_events (event_id, journey_id, occurred_at, stage, touchpoint) values "
        "('again', 'J1', '2025-05-01', 'service', 'Support'), ('first', 'J1', '2025-01-01', 'service', 'Support'), "
        "('other', 'J1', '2025-02-01', 'service', 'Billing'), ('elsewhere', 'J2', '2025-03-01', 'service', 'Support')",
        kept="select * from journey_events order by event_id",
    ) as (store, kept):
        assert store.query_rows(
            "select * exclude (previous_visit_at, next_abandoned_at, next_visit_at) from journey_events order by event_id"
        ) == kept
        assert store.query_rows("select event_id, previous_visit_at from journey_events order by rowid") == [
            ("first", None), ("other", None), ("elsewhere", None), ("again", dt.datetime(2025, 1, 1)),
        ]
        assert layout.stale_rows(store.cursor()) == IN_STEP
