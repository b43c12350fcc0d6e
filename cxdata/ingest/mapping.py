"""Which file column feeds which canonical field: the Mapping, its TOML form, and a proposal by name."""

from __future__ import annotations

import dataclasses
import difflib
import functools
import json
import re
import tomllib
import unicodedata
from pathlib import Path
from typing import Any, Iterable, Sequence

from cxdata.ingest import fields as F
from cxdata.ingest.layouts import Column, Layout

OPTION_NAMES = {
    "date_format": "a strptime format for every date column, e.g. %d/%m/%Y (else detected per column)",
    "decimal": "the decimal separator, '.' or ',' (else detected per column)",
}
PROPOSE_THRESHOLD = 0.75
NAME_SIMILARITY = 0.85  # a resembling name (difflib ratio) counts from here


@dataclasses.dataclass
class RatingScale:
    min: float = 1
    max: float = 5
    not_applicable: tuple[float | str, ...] = ()


@dataclasses.dataclass
class Mapping:
    kind: str
    columns: dict[str, str] = dataclasses.field(default_factory=dict)  # field -> column name in the file
    constants: dict[str, str] = dataclasses.field(default_factory=dict)  # field -> value for every row
    ratings: dict[str, str] = dataclasses.field(default_factory=dict)  # column name -> attribute
    ratings_scale: RatingScale = dataclasses.field(default_factory=RatingScale)
    options: dict[str, str] = dataclasses.field(default_factory=dict)

    def __post_init__(self) -> None:
        check(self)

    def to_toml(self) -> str:
        return to_toml(self)

    def with_constants(self, constants: dict[str, str]) -> "Mapping":
        return dataclasses.replace(self, constants={**self.constants, **constants})

    def used_columns(self) -> list[str]:
        return list(dict.fromkeys([*self.columns.values(), *self.ratings]))


def check(mapping: Mapping) -> None:
    """Raise ValueError naming every field, option or scale that a mapping of its kind cannot have."""
    known = {field.name for field in F.fields_of(mapping.kind)}
    problems = []
    for section in ("columns", "constants"):
        for name in getattr(mapping, section):
            if name not in known:
                problems.append(f"[{section}] has '{name}', which is not a field of a {mapping.kind} import")
    if mapping.ratings and mapping.kind != "survey":
        problems.append("[ratings] only applies to survey imports")
    for column, attribute in mapping.ratings.items():
        if not str(attribute).strip():
            problems.append(f"[ratings] gives the column '{column}' no attribute name")
    scale = mapping.ratings_scale
    if not scale.min < scale.max:
        problems.append(f"[ratings_scale] min ({scale.min}) must be below max ({scale.max})")
    for name, value in mapping.options.items():
        if name not in OPTION_NAMES:
            problems.append(f"[options] has '{name}'; known options: {', '.join(OPTION_NAMES)}")
        elif name == "decimal" and value not in (".", ","):
            problems.append("[options] decimal must be '.' or ','")
    if problems:
        raise ValueError("The mapping is not valid: " + "; ".join(problems) + ".")


# -- TOML ------------------------------------------------------------------------------
def read_toml(text: str) -> Mapping:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ValueError(f"The mapping file is not valid TOML: {error}.") from None
    unknown = set(data) - {"kind", "columns", "constants", "ratings", "ratings_scale", "options"}
    if unknown:
        raise ValueError(f"The mapping file has unknown entries: {', '.join(sorted(unknown))}.")
    kind = data.get("kind")
    if kind not in F.KINDS:
        raise ValueError(f"The mapping file needs kind = one of {', '.join(F.KINDS)} (it has {kind!r}).")
    sections = {name: data.get(name, {}) for name in ("columns", "constants", "ratings", "ratings_scale", "options")}
    for name, value in sections.items():
        if not isinstance(value, dict):
            raise ValueError(f"[{name}] in the mapping file must be a table of key = value.")
    scale = sections["ratings_scale"]
    unknown_scale = set(scale) - {"min", "max", "not_applicable"}
    if unknown_scale:
        raise ValueError(f"[ratings_scale] has unknown entries: {', '.join(sorted(unknown_scale))}.")
    not_applicable = scale.get("not_applicable", [])
    if not isinstance(not_applicable, list):
        not_applicable = [not_applicable]
    try:
        rating_scale = RatingScale(float(scale.get("min", 1)), float(scale.get("max", 5)), tuple(not_applicable))
    except (TypeError, ValueError):
        raise ValueError("[ratings_scale] min and max must be numbers.") from None
    return Mapping(
        kind=kind,
        columns={str(k): str(v) for k, v in sections["columns"].items()},
        constants={str(k): str(v) for k, v in sections["constants"].items()},
        ratings={str(k): str(v) for k, v in sections["ratings"].items()},
        ratings_scale=rating_scale,
        options={str(k): str(v) for k, v in sections["options"].items()},
    )


def load_toml(path: str | Path) -> Mapping:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as error:
        raise ValueError(f"Cannot read the mapping file {path}: {error.strerror}.") from None
    return read_toml(text)


def to_toml(mapping: Mapping) -> str:
    lines = [f"kind = {_string(mapping.kind)}"]
    for section in ("columns", "constants", "ratings", "options"):
        values = getattr(mapping, section)
        if values or section == "columns":
            lines += ["", f"[{section}]"] + [f"{_key(k)} = {_string(v)}" for k, v in values.items()]
    if mapping.ratings:
        scale = mapping.ratings_scale
        not_applicable = ", ".join(
            _number(v) if isinstance(v, (int, float)) else _string(v) for v in scale.not_applicable
        )
        lines += [
            "", "[ratings_scale]", f"min = {_number(scale.min)}", f"max = {_number(scale.max)}",
            f"not_applicable = [{not_applicable}]",
        ]
    return "\n".join(lines) + "\n"


def _string(value: str) -> str:
    # a JSON string is a valid TOML basic string (same escapes), except that TOML also
    # forbids a raw DEL, which JSON leaves as it is
    return json.dumps(str(value), ensure_ascii=False).replace("\x7f", "\\u007f")


def _key(name: str) -> str:
    return name if re.fullmatch(r"[A-Za-z0-9_-]+", name) else _string(name)


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


# -- proposal by name --------------------------------------------------------------------
@functools.lru_cache(maxsize=4096)
def normalise(name: str) -> str:
    """'RecordedDate' -> 'recorded date'; 'Gelöst am' -> 'gelost am'; punctuation to spaces."""
    name = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", name)
    name = unicodedata.normalize("NFKD", name.replace("ß", "ss"))
    name = "".join(char for char in name if not unicodedata.combining(char)).lower()
    return " ".join(re.sub(r"[^a-z0-9]+", " ", name).split())


def name_score(column: Column, field: F.Field) -> float:
    """How much a column's name (or label) sounds like the field, 0 to 1."""
    # a proposal for every kind scores each header against every field: the same pairs each time
    return _name_score(column.name, column.label, field)


@functools.lru_cache(maxsize=1024)
def _candidates(field: F.Field) -> tuple[str, ...]:
    return tuple(dict.fromkeys([normalise(field.name), *(normalise(name) for name in field.names)]))


@functools.lru_cache(maxsize=16384)
def _name_score(name: str, label: str, field: F.Field) -> float:
    best = 0.0
    candidates = _candidates(field)
    for text in filter(None, (normalise(name), normalise(label))):
        words = f" {text} "
        for candidate in candidates:
            if text == candidate:
                return 1.0
            if len(candidate) >= 4 and f" {candidate} " in words:
                # a question that contains the word: "wie wahrscheinlich ... weiterempfehlen"
                best = max(best, 0.8 + min(len(candidate) / len(text), 1) * 0.15)
            elif len(candidate) >= 5 and candidate in text:
                best = max(best, 0.76)
            else:
                best = max(best, _similarity(text, candidate) * 0.95)
    return best


def _similarity(text: str, candidate: str) -> float:
    """difflib's ratio when it reaches NAME_SIMILARITY, else 0.

    Its quick upper bounds rule out most pairs without the full (slow) match; the first of
    them, real_quick_ratio(), needs only the lengths, so it is taken before building a matcher.
    """
    if 2.0 * min(len(text), len(candidate)) / (len(text) + len(candidate)) < NAME_SIMILARITY:
        return 0.0
    matcher = difflib.SequenceMatcher(None, text, candidate)
    if matcher.quick_ratio() < NAME_SIMILARITY:
        return 0.0
    ratio = matcher.ratio()
    return ratio if ratio >= NAME_SIMILARITY else 0.0


def fits_values(field: F.Field, values: Iterable[Any], share: float = 0.75) -> bool:
    """Scores and numbers: most of the sample's numbers lie in the field's range.

    "Bewertung" with answers up to 10 is no csat (1-5); a few bad values (an 11, an 'x') do not
    stop a fitting column from being proposed: validation reports them row by row.
    """
    if field.type not in (F.SCORE, F.NUMBER):
        return True
    spellings = dict(field.spellings)
    numbers, texts = [], 0
    for value in values:
        text = str(value).strip().lower() if value is not None else ""
        if not text or text in spellings:
            continue
        match = re.match(r"^(-?\d+(?:[.,]\d+)?)", text)
        if not match:
            texts += 1
            continue
        numbers.append(float(match.group(1).replace(",", ".")))
    if not numbers:
        return texts == 0
    fitting = [
        number for number in numbers
        if (field.minimum is None or number >= field.minimum) and (field.maximum is None or number <= field.maximum)
    ]
    return len(fitting) / len(numbers) >= share


def propose(
    kind: str,
    columns: Sequence[Column],
    layout: Layout | None = None,
    samples: dict[str, list[Any]] | None = None,
) -> Mapping:
    """The layout's own mapping where it applies, then each field's most similar column name."""
    samples = samples or {}
    names = {column.name for column in columns}
    chosen: dict[str, str] = {}
    if layout is not None and layout.kind == kind:
        for field_name, column_name in layout.defaults:
            if column_name in names and column_name not in chosen.values():
                chosen[field_name] = column_name
    candidates = []
    for field in F.fields_of(kind):
        if field.name in chosen:
            continue
        for column in columns:
            score = name_score(column, field)
            # an exact name needs half its sample in range, a resembling one three quarters
            share = 0.5 if score == 1.0 else 0.75
            if score >= PROPOSE_THRESHOLD and fits_values(field, samples.get(column.name, []), share):
                candidates.append((score, -column.position, field.name, column.name))
    for _score, _position, field_name, column_name in sorted(candidates, reverse=True):
        if field_name not in chosen and column_name not in chosen.values():
            chosen[field_name] = column_name
    order = [field.name for field in F.fields_of(kind)]
    return Mapping(kind=kind, columns={name: chosen[name] for name in order if name in chosen})


def parse_constants(items: Sequence[str]) -> dict[str, str]:
    """FIELD=VALUE pairs from the command line."""
    constants = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise ValueError(f"--constant needs FIELD=VALUE (got {item!r}).")
        constants[name.strip()] = value.strip()
    return constants
