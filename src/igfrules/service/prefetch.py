"""A hook request's prefetch -> validated FHIR resources (each key a resource or a searchset Bundle).

CDS Hooks 2.0 gives each state of a prefetch key its own meaning, and igfrules reads them so:

- a key sent as `null`: the client has no data for it. It holds no resources, and the fields it
  would inform stay unknown by the readers' ordinary rules (nothing is decided from its absence);
- a key omitted: the client could not fetch it. fetch.py fetches it from fhirServer, or the
  request gets 412 naming it;
- a key whose value is an OperationOutcome, or a searchset Bundle with an entry of search.mode
  "outcome" carrying an error or fatal issue: the client's fetch failed. Read as omitted;
- a searchset Bundle with a `next` link: one page of a longer answer. fetch.py reads the rest,
  never a record silently cut; a `next` link without a URL is refused (422), never read as whole.

By the time resources_from_prefetch runs, fetch.py has made every key a resource, a whole Bundle or
null; a key still omitted here is a caller's mistake and raises MissingPrefetch.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from ..errors import CaseError, Problem
from ..fhir.bundle import Resources, read_resources
from .hooks import PREFETCH

SOURCE = "prefetch"
_FAILED = frozenset({"error", "fatal"})  # OperationOutcome.issue.severity of a failed fetch


class MissingPrefetch(Exception):
    """Keys whose data igfrules could not have: {key: why}, the why free of patient data."""

    def __init__(self, reasons: Mapping[str, str]) -> None:
        self.keys = [key for key in PREFETCH if key in reasons]
        self.reasons = {key: reasons[key] for key in self.keys}
        super().__init__(", ".join(self.keys))


class WrongPatient(Exception):
    """The prefetched Patient is someone other than context.patientId."""


def failed(value: Any) -> bool:
    """Whether a prefetch value reports a failed fetch: an OperationOutcome, or a Bundle whose
    outcome entry (search.mode "outcome", or an OperationOutcome entry) has an error or fatal issue."""
    if not isinstance(value, Mapping):
        return False
    if value.get("resourceType") == "OperationOutcome":
        return True
    if value.get("resourceType") != "Bundle" or not isinstance(value.get("entry"), list):
        return False
    return any(_failed_outcome(entry) for entry in value["entry"] if isinstance(entry, Mapping))


def _failed_outcome(entry: Mapping[str, Any]) -> bool:
    resource = entry.get("resource")
    if not isinstance(resource, Mapping) or resource.get("resourceType") != "OperationOutcome":
        return False
    issues = resource.get("issue")
    return isinstance(issues, list) and any(isinstance(i, Mapping) and i.get("severity") in _FAILED for i in issues)


def next_link(value: Any) -> str | None:
    """The `next` link of a searchset Bundle: the page after this one, or None."""
    for link in _next_links(value):
        if isinstance(link.get("url"), str) and link["url"]:
            return str(link["url"])
    return None


def cut_short(value: Any) -> bool:
    """Whether a Bundle says it continues (a `next` link) without saying where (no URL): the rest
    of the record cannot be fetched, and the page must not be read as if it were all of it."""
    return next_link(value) is None and any(True for _ in _next_links(value))


def _next_links(value: Any) -> Iterator[Mapping[str, Any]]:
    if isinstance(value, Mapping) and value.get("resourceType") == "Bundle" and isinstance(value.get("link"), list):
        yield from (link for link in value["link"] if isinstance(link, Mapping) and link.get("relation") == "next")


def resources_from_prefetch(prefetch: Mapping[str, Any] | None, patient_id: str) -> tuple[Resources, list[str]]:
    """The validated resources, and the keys the client sent as null (it has no data for them)."""
    prefetch = prefetch or {}
    missing = {key: "omitted from prefetch" for key in PREFETCH if key not in prefetch}
    missing.update({key: "the client's fetch failed (an OperationOutcome)" for key in PREFETCH
                    if key in prefetch and failed(prefetch[key])})
    if missing:
        raise MissingPrefetch(missing)
    no_data = sorted(key for key in PREFETCH if prefetch[key] is None)
    patient = prefetch["patient"]
    if isinstance(patient, Mapping) and patient.get("resourceType") == "Patient" and patient.get("id") != patient_id:
        raise WrongPatient(f"prefetch.patient is Patient/{patient.get('id')}, not the patient the hook is about "
                           f"(context.patientId {patient_id!r}); igfrules reads one patient's record")
    resources = read_resources(_items(prefetch), SOURCE)
    for found in resources.of("Patient"):
        if found.id != patient_id:
            raise CaseError(Problem(SOURCE, resources.label(found), f"is not the patient the hook is about "
                                                                    f"(context.patientId {patient_id!r})"))
    return resources, no_data


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
        if cut_short(value):
            raise CaseError(Problem(SOURCE, f"{key}.link", "has a next link without a URL: the searchset goes on, "
                                                         "and igfrules does not evaluate a record cut short"))
        entries = value.get("entry", [])
        if not isinstance(entries, list):
            raise CaseError(Problem(SOURCE, f"{key}.entry", "must be a list"))
        for index, entry in enumerate(entries):
            if not isinstance(entry, Mapping):
                raise CaseError(Problem(SOURCE, f"{key}.entry[{index}]", "must be an object"))
            resource = entry.get("resource")
            search = entry.get("search")
            outcome = (isinstance(search, Mapping) and search.get("mode") == "outcome") or (
                isinstance(resource, Mapping) and resource.get("resourceType") == "OperationOutcome")
            if "resource" in entry and not outcome:  # a warning or note about the search, not a record
                yield f"{key}.entry[{index}].resource", resource, entry.get("fullUrl")
