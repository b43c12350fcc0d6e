"""Deterministic stores for the tests: a seeded synthetic store, independent of the demo generator."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import pandas as pd
import pytest

from cxdata import layout
from cxdata.store import Store

ROOT = Path(__file__).resolve().parent.parent
SEGMENTS = ["Consumer", "SMB", "Mid-Market", "Enterprise"]
REGIONS = ["Deutschland Nord", "Deutschland Süd", "Österreich", "Schweiz"]
CHANNELS = ["web", "app", "phone", "email", "chat", "store"]
START = dt.datetime(2025, 1, 1)
TABLE_KEYS = {
    "customers": ["customer_id"],
    "touchpoints": ["touchpoint"],
    "responses": ["response_id"],
    "response_ratings": ["response_id", "attribute"],
    "tickets": ["ticket_id"],
    "journey_events": ["event_id"],
    "imports": ["import_id"],
}


def insert_frame(store: Store, table: str, frame: pd.DataFrame) -> None:
    """Insert a DataFrame by column name, leaving unnamed columns null; the stored segment and
    region of the facts are derived as the import derives them (cxdata/layout.py)."""
    columns = ", ".join(frame.columns)
    with store.transaction() as cursor:
        cursor.register("incoming", frame)
        cursor.execute(f"insert into {table} ({columns}) select {columns} from incoming")
        cursor.unregister("incoming")
        layout.refresh(cursor)


def synthetic_tables(seed: int = 42, customers: int = 300, responses: int = 4000, tickets: int = 1200) -> dict[str, pd.DataFrame]:
    """Random but reproducible raw tables with nulls, overrides and every edge the metrics must handle."""
    rng = random.Random(seed)
    customer_rows = []
    for i in range(customers):
        signup = dt.date(2024, 1, 1) + dt.timedelta(days=rng.randrange(0, 500))
        churned = signup + dt.timedelta(days=rng.randrange(30, 400)) if rng.random() < 0.25 else None
        customer_rows.append(
            {
                "customer_id": f"C{i:04d}",
                "segment": rng.choice(SEGMENTS),
                "region": rng.choice(REGIONS),
                "plan": rng.choice(["Basic", "Plus", "Pro"]),
                "signup_date": signup,
                "annual_revenue": round(rng.uniform(100, 50_000), 2),
                "churned_on": churned,
            }
        )
    response_rows = []
    for i in range(responses):
        response_rows.append(
            {
                "response_id": f"R{i:05d}",
                # a few anonymous answers: they count for NPS but not for revenue at risk
                "customer_id": None if rng.random() < 0.03 else f"C{rng.randrange(customers):04d}",
                "responded_at": START + dt.timedelta(minutes=rng.randrange(0, 365 * 24 * 60)),
                "survey": "relationship",
                "channel": rng.choice(CHANNELS),
                "touchpoint": None,
                "segment": rng.choice(SEGMENTS) if rng.random() < 0.1 else None,
                "region": rng.choice(REGIONS) if rng.random() < 0.1 else None,
                "nps": None if rng.random() < 0.1 else rng.randrange(0, 11),
                "csat": None if rng.random() < 0.4 else rng.randrange(1, 6),
                "ces": None if rng.random() < 0.5 else rng.randrange(1, 8),
                "comment": None,
                "language": "de",
            }
        )
    ticket_rows = []
    for i in range(tickets):
        created = START + dt.timedelta(minutes=rng.randrange(0, 365 * 24 * 60))
        status = rng.choice(["solved", "solved", "closed", "open", "pending", "new"])
        resolved = created + dt.timedelta(minutes=rng.randrange(5, 20_000)) if status in ("solved", "closed") else None
        ticket_rows.append(
            {
                "ticket_id": f"T{i:05d}",
                "customer_id": f"C{rng.randrange(customers):04d}",
                "created_at": created,
                "first_response_at": created + dt.timedelta(minutes=rng.randrange(1, 600)) if rng.random() < 0.9 else None,
                "resolved_at": resolved,
                "channel": rng.choice(CHANNELS),
                "category": rng.choice(["Billing", "Delivery", "Technical"]),
                "priority": rng.choice(["low", "normal", "high", "urgent"]),
                "status": status,
                "replies": None if rng.random() < 0.05 else rng.randrange(0, 5),
                "reopens": None if rng.random() < 0.05 else rng.choice([0, 0, 0, 1, 2]),
                "csat": None if rng.random() < 0.5 else rng.randrange(1, 6),
            }
        )
    return {
        "customers": pd.DataFrame(customer_rows),
        "responses": pd.DataFrame(response_rows),
        "tickets": pd.DataFrame(ticket_rows),
    }


def build_store(tables: dict[str, pd.DataFrame], database: str = ":memory:") -> Store:
    store = Store(database)
    for table in ("customers", "touchpoints", "responses", "response_ratings", "tickets", "journey_events"):
        if table in tables and not tables[table].empty:
            insert_frame(store, table, tables[table])
    return store


@pytest.fixture(scope="session")
def synthetic() -> dict[str, pd.DataFrame]:
    return synthetic_tables()


@pytest.fixture(scope="session")
def metric_store(synthetic: dict[str, pd.DataFrame]) -> Store:
    return build_store(synthetic)


@pytest.fixture
def empty_store() -> Store:
    store = Store(":memory:")
    yield store
    store.close()


def table_fingerprint(store: Store) -> dict[str, tuple]:
    """Row count and an order-independent content hash of every canonical table."""
    result = {}
    for table in TABLE_KEYS:
        count, digest = store.query_rows(f"select count(*), coalesce(sum(hash(t)), 0) from {table} as t")[0]
        result[table] = (count, digest)
    return result
