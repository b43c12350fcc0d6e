"""Known export layouts: how many header rows they have, what their columns are called, what they map to."""

from __future__ import annotations

import dataclasses
import re
from typing import Sequence


@dataclasses.dataclass(frozen=True)
class Column:
    position: int  # 1-based place in the file
    name: str  # unique within the file: what a mapping refers to
    label: str = ""  # a second header row's text, e.g. the question as the respondent saw it


@dataclasses.dataclass(frozen=True)
class Layout:
    name: str
    title: str
    header_rows: int
    kind: str | None = None  # the kind this tool's exports are
    # canonical field -> column name, for the layout's kind; used when the column exists
    defaults: tuple[tuple[str, str], ...] = ()


PLAIN = Layout("plain", "CSV with one header row", 1)
TABLE = Layout("table", "table with named columns", 0)  # Parquet: names come from the schema
QUALTRICS = Layout(
    "qualtrics", "Qualtrics CSV export (3 header rows)", 3, "survey",
    (("response_id", "ResponseId"), ("responded_at", "RecordedDate"), ("customer_id", "ExternalReference"),
     ("channel", "DistributionChannel"), ("language", "UserLanguage")),
)
QUALTRICS_LEGACY = Layout(
    "qualtrics_legacy", "Qualtrics legacy CSV export (2 header rows)", 2, "survey",
    (("response_id", "ResponseID"), ("responded_at", "EndDate"), ("customer_id", "ExternalDataReference")),
)
SURVEYMONKEY = Layout(
    "surveymonkey", "SurveyMonkey export (2 header rows)", 2, "survey",
    (("response_id", "Respondent ID"), ("responded_at", "End Date"), ("channel", "Collector ID")),
)
ZENDESK = Layout(
    "zendesk", "Zendesk Support ticket export", 1, "tickets",
    (("ticket_id", "Id"), ("created_at", "Created at"), ("resolved_at", "Solved at"), ("status", "Status"),
     ("priority", "Priority"), ("channel", "Via"), ("category", "Ticket type"), ("csat", "Satisfaction Score"),
     ("reopens", "Reopens"), ("replies", "Replies"), ("first_response_minutes", "First reply time in minutes"),
     ("resolution_minutes", "Full resolution time in minutes"), ("customer_id", "Requester id")),
)
LAYOUTS = (QUALTRICS, QUALTRICS_LEGACY, SURVEYMONKEY, ZENDESK, PLAIN, TABLE)

ZENDESK_HEADERS = {
    "Id", "Status", "Priority", "Via", "Created at", "Solved at", "Satisfaction Score", "Reopens", "Replies",
    "Requester", "Requester id", "Assignee", "Group", "Ticket type", "Subject", "Updated at", "Tags",
    "First reply time in minutes", "Full resolution time in minutes",
}
SURVEYMONKEY_PLAIN = {"", "Response", "Open-Ended Response"}


def by_name(name: str) -> Layout:
    for layout in LAYOUTS:
        if layout.name == name:
            return layout
    raise ValueError(f"Unknown layout '{name}'.")


def detect(records: Sequence[Sequence[str]]) -> tuple[Layout, list[Column]]:
    """The layout of a text file from its first records, and its columns' names."""
    first = [(value or "").strip() for value in records[0]] if records else []
    second = [(value or "").strip() for value in records[1]] if len(records) > 1 else []
    third = [(value or "").strip() for value in records[2]] if len(records) > 2 else []
    if third and any(value.startswith('{"ImportId"') for value in third):
        return QUALTRICS, _columns(first, second)
    if first[:2] == ["V1", "V2"] and "ResponseID" in second:
        names = [label if re.fullmatch(r"V\d+", name) else name for name, label in _zip(first, second)]
        return QUALTRICS_LEGACY, _columns(names, second)
    if "Respondent ID" in first and second and set(second) & {"Response", "Open-Ended Response"}:
        return SURVEYMONKEY, _columns(_surveymonkey_names(first, second), second)
    if {"Id", "Created at"} <= set(first) and len(set(first) & ZENDESK_HEADERS) >= 4:
        return ZENDESK, _columns(first, [])
    return PLAIN, _columns(first, [])


def columns_from_names(names: Sequence[str]) -> list[Column]:
    return _columns(list(names), [])


def _surveymonkey_names(first: list[str], second: list[str]) -> list[str]:
    """A question spans several columns (one per option): its text is only above the first of them."""
    names, question = [], ""
    for name, option in _zip(first, second):
        question = name or question
        names.append(question if option in SURVEYMONKEY_PLAIN else f"{question} - {option}")
    return names


def _zip(first: list[str], second: list[str]) -> list[tuple[str, str]]:
    width = max(len(first), len(second))
    return [
        (first[i] if i < len(first) else "", second[i] if i < len(second) else "") for i in range(width)
    ]


def _columns(names: list[str], labels: list[str]) -> list[Column]:
    """Unique, non-empty names: blanks become 'column N', repeats get ' (2)', ' (3)'."""
    columns, seen = [], {}
    for position, (name, label) in enumerate(_zip(names, labels), start=1):
        name = name.strip().lstrip("\ufeff") or f"column {position}"
        if name in seen:
            seen[name] += 1
            name = f"{name} ({seen[name]})"
        else:
            seen[name] = 1
        columns.append(Column(position, name, label if label != name else ""))
    return columns
