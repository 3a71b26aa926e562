"""Small readers over fhir.resources models: codes of a concept, its words, a resource's date."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from typing import Any

from .codes import USABLE_OBSERVATION_STATUS


def codings(concept: Any) -> list[tuple[str, str, str]]:
    """(system, code, display) of every coding of a CodeableConcept; [] for None."""
    if concept is None:
        return []
    return [(c.system or "", c.code or "", c.display or "") for c in (concept.coding or [])]


def code_in(concept: Any, system: str, codes: Collection[str]) -> str | None:
    """The first code of `system` in `codes` that the concept carries."""
    if concept is None:
        return None
    for coding in concept.coding or ():  # a plain loop: the mapping asks this ~100 times a record
        code = coding.code
        if code and coding.system == system and code in codes:
            return str(code)
    return None


def has_pair(concept: Any, pairs: Collection[tuple[str, str]]) -> bool:
    return concept is not None and any((c.system or "", c.code or "") in pairs for c in concept.coding or ())


def words(concept: Any) -> str:
    """The concept's text and every display, lower-cased, for fallbacks on words."""
    if concept is None:
        return ""
    parts = [concept.text or ""] + [display for _, _, display in codings(concept)]
    return " ".join(p for p in parts if p).casefold()


def display_text(concept: Any) -> str:
    """What a person would call the concept, as written: its text, else its first display."""
    if concept is None:
        return ""
    return concept.text or next((display for _, _, display in codings(concept) if display), "")


def day(value: Any) -> str:
    """A FHIR date or dateTime as a sortable text ("2021", "2021-03", "2021-03-04"); "" for none."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)[:10]


def instant(value: Any) -> str:
    """A FHIR date or dateTime as a key that sorts by when it happened: a time of day is put in
    UTC ("2024-01-01T23:00:00-05:00" -> "2024-01-02T04:00:00Z"), so results from sites in other
    time zones, or two on one day, are ordered by the instant, not by a local calendar date. A
    date alone sorts as the start of its day; "" for none."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(dt.UTC).replace(tzinfo=None)
        return str(value.isoformat(timespec="microseconds")) + "Z"
    return day(value)


def _observation_time(obs: Any) -> Any:
    period = getattr(obs, "effectivePeriod", None)
    for value in (obs.effectiveDateTime, period.start if period else None, obs.effectiveInstant, obs.issued):
        if value is not None:
            return value
    return None


def observation_day(obs: Any) -> str:
    """The date an Observation was made, as written (for notes and warnings)."""
    return day(_observation_time(obs))


def observation_instant(obs: Any) -> str:
    """When an Observation was made, as a key that sorts across time zones (`instant`)."""
    return instant(_observation_time(obs))


def usable(obs: Any) -> bool:
    """A result that stands: final, amended or corrected (not preliminary, cancelled, in error)."""
    return (obs.status or "") in USABLE_OBSERVATION_STATUS


def components(obs: Any, system: str, code: str) -> list[Any]:
    return [c for c in (obs.component or []) if code_in(c.code, system, [code])]


def extensions(resource: Any, url: str) -> list[Any]:
    return [e for e in (resource.extension or []) if e.url == url]
