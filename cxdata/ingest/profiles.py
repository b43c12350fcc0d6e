"""Saved mappings ("profiles"): kept in the store, exchanged as TOML files."""

from __future__ import annotations

import re

import pandas as pd

from cxdata.ingest.layouts import Column
from cxdata.ingest.mapping import Mapping, read_toml
from cxdata.store import Store


def check_name(name: str) -> str:
    name = (name or "").strip()
    if not re.fullmatch(r"[\w .()-]{1,80}", name):
        raise ValueError(
            "A profile name has 1 to 80 letters, digits, spaces, dots, dashes, underscores or brackets."
        )
    return name


def save_profile(store: Store, name: str, mapping: Mapping) -> None:
    """Create or replace the profile `name`."""
    name = check_name(name)
    with store.transaction() as cur:
        cur.execute(
            "insert into import_profiles values ($name, $kind, $mapping, now()::timestamp, now()::timestamp) "
            "on conflict (name) do update set kind = excluded.kind, mapping = excluded.mapping, "
            "updated_at = excluded.updated_at",
            {"name": name, "kind": mapping.kind, "mapping": mapping.to_toml()},
        )


def load_profile(store: Store, name: str) -> Mapping:
    text = store.query_value("select mapping from import_profiles where name = ?", [name])
    if text is None:
        known = ", ".join(list_profiles(store)["name"]) or "none yet"
        raise ValueError(f"There is no profile '{name}' (saved profiles: {known}).")
    return read_toml(text)


def list_profiles(store: Store, kind: str | None = None) -> pd.DataFrame:
    return store.query(
        "select name, kind, created_at, updated_at from import_profiles "
        "where $kind is null or kind = $kind order by name",
        {"kind": kind},
    )


def delete_profile(store: Store, name: str) -> bool:
    with store.transaction() as cur:
        removed = cur.execute("delete from import_profiles where name = ?", [name]).fetchall()[0][0]
    return bool(removed)


def matching_profile(store: Store, columns: list[Column], kind: str) -> str | None:
    """The most recently saved profile of this kind whose every column is in the file."""
    names = {column.name for column in columns}
    for name, text in store.query_rows(
        "select name, mapping from import_profiles where kind = ? order by updated_at desc", [kind]
    ):
        mapping = read_toml(text)
        used = mapping.used_columns()
        if used and set(used) <= names:
            return name
    return None
