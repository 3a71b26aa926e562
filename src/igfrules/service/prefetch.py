"""A hook request's prefetch -> validated FHIR resources (each key a resource or a searchset Bundle)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from ..errors import CaseError, Problem
from ..fhir.bundle import Resources, read_resources
from .hooks import PREFETCH

SOURCE = "prefetch"


class MissingPrefetch(Exception):
    """Keys the client did not prefetch: igfrules would have to fetch them from fhirServer."""

    def __init__(self, keys: list[str]) -> None:
        self.keys = keys
        super().__init__(", ".join(keys))


def resources_from_prefetch(prefetch: Mapping[str, Any] | None, patient_id: str) -> tuple[Resources, list[str]]:
    """The validated resources, and the keys the client sent as null (it could not fetch them)."""
    prefetch = prefetch or {}
    missing = [key for key in PREFETCH if key not in prefetch]
    if missing:
        raise MissingPrefetch(missing)
    unavailable = sorted(key for key in PREFETCH if prefetch[key] is None)
    resources = read_resources(_items(prefetch), SOURCE)
    for patient in resources.of("Patient"):
        if patient.id != patient_id:
            raise CaseError(Problem(SOURCE, "patient", "the prefetched Patient is not context.patientId"))
    return resources, unavailable


def _items(prefetch: Mapping[str, Any]) -> Iterator[tuple[str, Any, str | None]]:
    for key in PREFETCH:
        value = prefetch[key]
        if value is None:
            continue
        if not isinstance(value, Mapping):
            raise CaseError(Problem(SOURCE, key, "must be a FHIR resource or a Bundle, or null"))
        if value.get("resourceType") != "Bundle":
            yield key, value, None
            continue
        entries = value.get("entry", [])
        if not isinstance(entries, list):
            raise CaseError(Problem(SOURCE, f"{key}.entry", "must be a list"))
        for index, entry in enumerate(entries):
            if not isinstance(entry, Mapping):
                raise CaseError(Problem(SOURCE, f"{key}.entry[{index}]", "must be an object"))
            if "resource" in entry:
                yield f"{key}.entry[{index}].resource", entry["resource"], entry.get("fullUrl")
