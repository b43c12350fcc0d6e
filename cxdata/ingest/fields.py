"""The canonical fields of each kind of import: types, ranges, required fields, names to recognise.

This is the one place that says what a survey, ticket, journey, customer or touchpoint
file must provide; docs/IMPORTING.md describes the same rules for people.
"""

from __future__ import annotations

import dataclasses

KINDS = ("survey", "tickets", "journey", "customers", "touchpoints")

# the canonical table each kind loads, and its key
TARGETS = {
    "survey": ("responses", "response_id"),
    "tickets": ("tickets", "ticket_id"),
    "journey": ("journey_events", "event_id"),
    "customers": ("customers", "customer_id"),
    "touchpoints": ("touchpoints", "touchpoint"),
}

# types a raw text value is parsed into (validate.py holds the SQL of each)
TEXT, ID, TIMESTAMP, DATE, INTEGER, SCORE, DECIMAL, NUMBER, CHOICE, MINUTES = (
    "text", "id", "timestamp", "date", "integer", "score", "decimal", "number", "choice", "minutes",
)


@dataclasses.dataclass(frozen=True)
class Field:
    name: str
    type: str
    required: bool = False
    minimum: float | None = None
    maximum: float | None = None
    # allowed values of a choice, and other spellings (lowercased) that mean one of them
    choices: tuple[str, ...] = ()
    spellings: tuple[tuple[str, str], ...] = ()
    # header names (English and German) that propose this field, already normalised
    names: tuple[str, ...] = ()
    # a field no table has: it feeds another (e.g. minutes to a first reply -> first_response_at)
    derived: bool = False
    help: str = ""

    @property
    def label(self) -> str:
        return self.name.replace("_", " ")


STAGES = ("awareness", "consideration", "purchase", "service", "loyalty")
STAGE_SPELLINGS = (
    ("aufmerksamkeit", "awareness"), ("wahrnehmung", "awareness"), ("bewusstsein", "awareness"),
    ("abwägung", "consideration"), ("erwägung", "consideration"), ("überlegung", "consideration"),
    ("kauf", "purchase"), ("loyalität", "loyalty"), ("bindung", "loyalty"), ("kundenbindung", "loyalty"),
)

COMMON_CUSTOMER = Field("customer_id", ID, names=(
    "customer id", "customer", "customer number", "client id", "account id", "user id", "external reference",
    "externalreference", "external data reference", "kundennummer", "kunden nr", "kundennr", "kunden id",
    "kunde", "kundenid", "requester external id",
))
CHANNEL = Field("channel", TEXT, names=("channel", "source", "via", "kanal", "quelle", "distribution channel", "medium"))
SEGMENT = Field("segment", TEXT, names=("segment", "kundensegment", "customer segment", "tier"))
REGION = Field("region", TEXT, names=("region", "country", "land", "gebiet", "market", "markt"))
TOUCHPOINT = Field("touchpoint", TEXT, names=("touchpoint", "touch point", "kontaktpunkt", "berührungspunkt"))

KIND_FIELDS: dict[str, tuple[Field, ...]] = {
    "survey": (
        Field("response_id", ID, required=True, names=(
            "response id", "responseid", "respondent id", "id", "antwort id", "antwortid", "record id", "review id",
            "reviewid", "survey response id", "umfrage id",
        ), help="derived from the row when the file has none"),
        COMMON_CUSTOMER,
        Field("responded_at", TIMESTAMP, required=True, names=(
            "responded at", "recordeddate", "recorded date", "date", "datum", "end date", "enddate", "submitted at",
            "submitted", "timestamp", "zeitstempel", "antwortdatum", "erfassungsdatum", "created at", "completed",
        )),
        Field("survey", TEXT, names=("survey", "survey name", "umfrage", "befragung", "welle", "wave")),
        CHANNEL,
        TOUCHPOINT,
        SEGMENT,
        REGION,
        Field("nps", SCORE, minimum=0, maximum=10, names=(
            "nps", "net promoter score", "recommend", "likely to recommend", "likelihood to recommend",
            "weiterempfehlung", "weiterempfehlen", "empfehlung", "empfehlen", "weiterempfehlungsbereitschaft",
        ), help="0 to 10"),
        Field("csat", SCORE, minimum=1, maximum=5, names=(
            "csat", "satisfaction", "customer satisfaction", "zufriedenheit", "kundenzufriedenheit", "rating",
            "bewertung", "score", "sterne", "stars",
        ), help="1 to 5"),
        Field("ces", SCORE, minimum=1, maximum=7, names=(
            "ces", "customer effort", "effort", "customer effort score", "ease", "aufwand", "kundenaufwand",
        ), help="1 to 7"),
        Field("comment", TEXT, names=(
            "comment", "comments", "kommentar", "kommentare", "feedback", "verbatim", "text", "free text",
            "anmerkung", "anmerkungen", "bemerkung", "freitext", "review", "why", "warum", "begründung",
        )),
        Field("language", TEXT, names=("language", "userlanguage", "user language", "sprache", "lang", "locale")),
    ),
    "tickets": (
        Field("ticket_id", ID, required=True, names=(
            "ticket id", "id", "ticket", "ticketnummer", "ticket nr", "ticketnr", "case id", "case number",
            "vorgangsnummer", "fallnummer",
        ), help="derived from the row when the file has none"),
        dataclasses.replace(COMMON_CUSTOMER, names=COMMON_CUSTOMER.names + ("requester id", "requester")),
        Field("created_at", TIMESTAMP, required=True, names=(
            "created at", "created", "opened", "opened at", "erstellt", "erstellt am", "datum", "date",
            "eröffnet", "angelegt am",
        )),
        Field("first_response_at", TIMESTAMP, names=(
            "first response at", "first reply at", "first replied at", "erste antwort", "erste antwort am",
        )),
        Field("resolved_at", TIMESTAMP, names=(
            "resolved at", "solved at", "closed at", "gelöst am", "gelöst", "geschlossen am", "erledigt am",
        )),
        Field("first_response_minutes", MINUTES, minimum=0, derived=True, names=(
            "first reply time in minutes", "first response time in minutes", "first response minutes",
            "minuten bis zur ersten antwort", "erste antwort minuten",
        ), help="sets first_response_at = created_at + minutes when that has no column"),
        Field("resolution_minutes", MINUTES, minimum=0, derived=True, names=(
            "full resolution time in minutes", "resolution time in minutes", "resolution minutes",
            "lösungszeit in minuten", "bearbeitungszeit in minuten",
        ), help="sets resolved_at = created_at + minutes when that has no column"),
        dataclasses.replace(CHANNEL, names=CHANNEL.names),
        Field("category", TEXT, names=(
            "category", "kategorie", "topic", "thema", "type", "ticket type", "typ", "reason", "grund", "anliegen",
        )),
        Field("priority", CHOICE, choices=("low", "normal", "high", "urgent"), spellings=(
            ("niedrig", "low"), ("mittel", "normal"), ("medium", "normal"), ("hoch", "high"), ("dringend", "urgent"),
            ("kritisch", "urgent"), ("critical", "urgent"), ("-", ""),
        ), names=("priority", "priorität", "prio", "dringlichkeit")),
        Field("status", CHOICE, choices=("new", "open", "pending", "hold", "solved", "closed"), spellings=(
            ("on-hold", "hold"), ("on hold", "hold"), ("neu", "new"), ("offen", "open"), ("wartend", "pending"),
            ("in bearbeitung", "open"), ("angehalten", "hold"), ("gelöst", "solved"), ("resolved", "solved"),
            ("geschlossen", "closed"), ("erledigt", "solved"),
        ), names=("status", "state", "zustand", "ticket status")),
        Field("replies", INTEGER, minimum=0, names=("replies", "agent replies", "antworten", "anzahl antworten")),
        Field("reopens", INTEGER, minimum=0, names=("reopens", "reopened", "wiedereröffnungen", "wieder geöffnet")),
        Field("csat", SCORE, minimum=1, maximum=5, spellings=(
            # Zendesk's binary satisfaction: good counts as satisfied (5), bad as not (1)
            ("good", "5"), ("good, i'm satisfied", "5"), ("bad", "1"), ("bad, i'm unsatisfied", "1"),
            ("offered", ""), ("unoffered", ""), ("not offered", ""), ("gut", "5"), ("schlecht", "1"),
        ), names=(
            "csat", "satisfaction score", "satisfaction", "zufriedenheit", "rating", "bewertung",
        ), help="1 to 5; Zendesk's Good/Bad become 5/1"),
    ),
    "journey": (
        Field("event_id", ID, required=True, names=("event id", "eventid", "id", "ereignis id"),
              help="derived from the row when the file has none"),
        Field("journey_id", ID, required=True, names=(
            "journey id", "journeyid", "journey", "session id", "session", "visit id", "reise id",
        )),
        COMMON_CUSTOMER,
        Field("occurred_at", TIMESTAMP, required=True, names=(
            "occurred at", "timestamp", "time", "date", "datum", "zeitpunkt", "zeitstempel", "event time",
        )),
        Field("stage", CHOICE, required=True, choices=STAGES, spellings=STAGE_SPELLINGS,
              names=("stage", "phase", "journey stage", "stufe")),
        dataclasses.replace(TOUCHPOINT, required=True),
        CHANNEL,
        Field("emotion", NUMBER, minimum=-1, maximum=1, names=("emotion", "sentiment", "stimmung", "gefühl"),
              help="-1 to 1"),
        Field("outcome", CHOICE, choices=("completed", "abandoned"), spellings=(
            ("abgeschlossen", "completed"), ("abgebrochen", "abandoned"), ("complete", "completed"),
            ("abandon", "abandoned"), ("success", "completed"), ("erfolgreich", "completed"),
        ), names=("outcome", "result", "ergebnis", "ausgang")),
    ),
    "customers": (
        dataclasses.replace(COMMON_CUSTOMER, required=True, names=COMMON_CUSTOMER.names + ("id",)),
        SEGMENT,
        REGION,
        Field("plan", TEXT, names=("plan", "tarif", "product", "produkt", "subscription", "abo")),
        Field("signup_date", DATE, names=(
            "signup date", "signed up", "customer since", "created at", "kunde seit", "registriert am",
            "anmeldedatum", "start date", "vertragsbeginn",
        )),
        Field("annual_revenue", DECIMAL, minimum=0, names=(
            "annual revenue", "revenue", "arr", "umsatz", "jahresumsatz", "annual value", "wert",
        )),
        Field("churned_on", DATE, names=(
            "churned on", "churn date", "cancelled at", "canceled at", "gekündigt am", "kündigungsdatum",
            "end date", "vertragsende",
        )),
    ),
    "touchpoints": (
        Field("touchpoint", ID, required=True, names=("touchpoint", "touch point", "name", "kontaktpunkt")),
        Field("stage", CHOICE, required=True, choices=STAGES, spellings=STAGE_SPELLINGS,
              names=("stage", "phase", "stufe")),
        Field("position", INTEGER, required=True, names=("position", "order", "reihenfolge", "rank", "nr")),
        Field("moment_of_truth", CHOICE, choices=("ZMOT", "FMOT", "SMOT", "UMOT"),
              names=("moment of truth", "mot", "moment")),
        Field("description", TEXT, names=("description", "beschreibung", "notes", "notiz")),
    ),
}

ID_FIELD = {kind: key for kind, (_table, key) in TARGETS.items()}


def fields_of(kind: str) -> tuple[Field, ...]:
    if kind not in KIND_FIELDS:
        raise ValueError(f"Unknown kind '{kind}': choose one of {', '.join(KINDS)}.")
    return KIND_FIELDS[kind]


def field(kind: str, name: str) -> Field:
    for candidate in fields_of(kind):
        if candidate.name == name:
            return candidate
    known = ", ".join(f.name for f in fields_of(kind))
    raise ValueError(f"'{name}' is not a field of a {kind} import; the fields are: {known}.")


def stored_columns(kind: str) -> list[str]:
    """The target table's columns this import writes, in a fixed order (import_id comes last)."""
    return [f.name for f in fields_of(kind) if not f.derived] + ["import_id"]
