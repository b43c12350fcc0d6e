"""Imports and undos in any order leave the store as a plain model of the rule says.

The rule (docs/IMPORTING.md): every row is held by the newest import still loaded that
delivered it, with that import's values; an import delivers a row it adds, one it finds
unchanged, and one it changes unless it was told to skip changed rows. Undo takes an import
out of the loaded ones. The model applies this to the imports' own rows, without the store."""

from __future__ import annotations

import dataclasses
import datetime as dt

import hypothesis.strategies as st
from hypothesis import HealthCheck, example, given, settings

from cxdata.ingest import import_file, read_toml, undo_import
from tests.test_ingest_helpers import empty_written_tables, module_store, write_csv  # noqa: F401

HEADER = ["ReviewID", "Kunde", "Datum", "NPS", "Kommentar", "Seat comfort", "Legroom"]
MAPPING = read_toml('''
kind = "survey"
[columns]
response_id = "ReviewID"
customer_id = "Kunde"
responded_at = "Datum"
nps = "NPS"
comment = "Kommentar"
[ratings]
"Seat comfort" = "Seat comfort"
"Legroom" = "Legroom"
[ratings_scale]
min = 1
max = 5
''')
KEYS = ("R1", "R2", "R3")
# what a file may say about a row: few enough that files often repeat a stored version
VERSIONS = (
    ("C1", "01.03.2024", "9", "Gut", "5", "4"),
    ("C1", "02.03.2024", "3", "", "2", ""),
    ("C2", "01.03.2024", "7", "Geht so", "", "3"),
)


@dataclasses.dataclass
class Model:
    loaded: list[tuple[int, dict[str, int]]] = dataclasses.field(default_factory=list)  # (import id, key -> version)
    files: dict[int, bytes] = dataclasses.field(default_factory=dict)

    def holders(self) -> dict[str, tuple[int, int]]:
        """key -> (import id, version) of the newest loaded import delivering it."""
        held: dict[str, tuple[int, int]] = {}
        for import_id, delivered in sorted(self.loaded):
            for key, version in delivered.items():
                held[key] = (import_id, version)
        return held

    def delivered(self, rows: dict[str, int], on_conflict: str) -> dict[str, int]:
        held = self.holders()
        return {key: version for key, version in rows.items()
                if key not in held or held[key][1] == version or on_conflict == "update"}


def expected_rows(model: Model) -> tuple[list[tuple], list[tuple]]:
    responses, ratings = [], []
    for key, (import_id, version) in sorted(model.holders().items()):
        customer, date, nps, comment, seat, legroom = VERSIONS[version]
        day = dt.datetime.strptime(date, "%d.%m.%Y")
        responses.append((key, customer, day, int(nps), comment or None, import_id))
        for attribute, value in (("Legroom", legroom), ("Seat comfort", seat)):
            if value:
                ratings.append((key, attribute, float(value), day))
    return responses, ratings


def stored_rows(store) -> tuple[list[tuple], list[tuple]]:
    return (
        store.query_rows("select response_id, customer_id, responded_at, nps, comment, import_id from responses order by 1"),
        store.query_rows("select response_id, attribute, rating, responded_at from response_ratings order by 1, 2"),
    )


imports = st.tuples(
    st.just("import"),
    st.dictionaries(st.sampled_from(KEYS), st.integers(0, len(VERSIONS) - 1), min_size=1),
    st.sampled_from(("update", "update", "skip")),
)
undos = st.tuples(st.just("undo"), st.integers(0, 5), st.none())


# sequences a random search finds rarely, written out: undo picks among saved versions whose
# import is still loaded, across chains of versions and imports undone out of order
I, U = "import", "undo"


@example(steps=[(I, {"R1": 0}, "update"), (I, {"R1": 1}, "update"), (U, 0, None), (U, 0, None)])
@example(steps=[(I, {"R1": 0}, "update"), (I, {"R1": 0, "R2": 1}, "update"), (U, 0, None), (I, {"R1": 2}, "update"),
                (U, 0, None), (U, 0, None)])
@example(steps=[(I, {"R1": 0}, "update"), (I, {"R1": 1}, "update"), (U, 1, None), (I, {"R1": 2}, "update"),
                (U, 0, None), (U, 0, None)])
@example(steps=[(I, {"R1": 0, "R2": 1}, "update"), (I, {"R1": 1, "R2": 2}, "skip"), (U, 0, None)])
@example(steps=[(I, {"R1": 0, "R2": 1}, "update"), (I, {"R1": 1}, "update"), (I, {"R1": 1, "R2": 1}, "update"),
                (U, 1, None), (U, 1, None)])
@example(steps=[(I, {"R1": 0}, "update"), (I, {"R1": 1}, "update"), (I, {"R1": 2}, "update"), (U, 2, None),
                (U, 1, None), (I, {"R1": 1}, "update"), (U, 0, None), (U, 0, None)])
# rows taken over unchanged are saved as markers without values: found through a later import's
# saved version, or kept when the undone import wrote the same values
@example(steps=[(I, {"R1": 0}, "update"), (I, {"R1": 0, "R2": 1}, "update"), (I, {"R1": 1}, "update"), (U, 1, None),
                (U, 1, None)])
@example(steps=[(I, {"R1": 0}, "update"), (I, {"R1": 0, "R2": 1}, "update"), (I, {"R1": 0, "R3": 2}, "update"),
                (U, 1, None), (U, 1, None)])
@example(steps=[(I, {"R1": 0, "R2": 1}, "update"), (I, {"R1": 0, "R2": 1}, "skip"), (I, {"R1": 0}, "update"),
                (I, {"R1": 2, "R2": 1}, "update"), (U, 1, None), (U, 1, None), (U, 1, None)])
# a row changed and put back, then taken over unchanged: undo prefers its own marker to the saved version
@example(steps=[(I, {"R1": 0}, "update"), (I, {"R1": 1}, "update"), (U, 1, None), (I, {"R1": 0, "R2": 1}, "update"),
                (U, 1, None)])
@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(st.one_of(imports, undos), min_size=2, max_size=8))
def test_any_sequence_of_imports_and_undos_leaves_each_row_with_the_newest_loaded_import_that_delivered_it(
    module_store, tmp_path, steps,
):
    store = module_store
    empty_written_tables(store)
    model = Model()
    for number, (action, argument, on_conflict) in enumerate(steps):
        if action == "undo":
            if not model.loaded:
                continue
            import_id, _ = model.loaded.pop(argument % len(model.loaded))
            undo_import(store, import_id)
            del model.files[import_id]
        else:
            rows = [[key, *VERSIONS[version]] for key, version in sorted(argument.items())]
            path = write_csv(tmp_path / f"step{number}.csv", [HEADER, *rows], ";")
            report = import_file(store, path, "survey", mapping=MAPPING, on_conflict=on_conflict)
            if path.read_bytes() in model.files.values():
                # the same file while its import is loaded: refused, nothing changes
                assert report.outcome == "already_loaded", report.message
            else:
                assert report.outcome == "loaded", report.message
                model.loaded.append((report.import_id, model.delivered(argument, on_conflict)))
                model.files[report.import_id] = path.read_bytes()
        assert stored_rows(store) == expected_rows(model), f"after step {number + 1} of {steps}"
