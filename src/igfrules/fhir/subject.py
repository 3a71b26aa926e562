"""One patient per record: every resource that says whom it is about must be about this patient.

Another patient's Observation mixed into a record would silently become this patient's stage or
receptor status, so a resource is refused (a CaseError naming it and the element) when its
`subject` (or `patient`), or a `focus` that is a person, names:

- anyone but the record's Patient, by reference in any of its forms (`Patient/p`, an absolute
  URL ending in it, its fullUrl, any of them with `/_history/N`);
- a person by `identifier` that is not one of the record's Patient's identifiers (or with no
  Patient in the record to compare with);
- a person by `display` only: a name cannot say which patient it is;
- someone other than a Patient (a Group, a RelatedPerson).

The patient is the record's one Patient; in the service, the hook's `context.patientId` too, so a
prefetch whose Patient key was null still cannot answer with another patient's resources. With
neither, every reference must name the same patient.
"""

from __future__ import annotations

from typing import Any

from ..errors import CaseError, Problem
from .bundle import Resources, reference_key, reference_type
from .deadline import check_deadline

_PEOPLE = frozenset({"Patient", "RelatedPerson", "Group", "Person", "Practitioner"})


def check_one_patient(resources: Resources, source: str, patient_id: str | None = None) -> None:
    patients = resources.of("Patient")
    if len(patients) > 1:
        raise CaseError(Problem(source, "Patient", "the record holds more than one Patient; give one patient's "
                                                   "resources"))
    patient = patients[0] if patients else None
    if patient is not None and patient_id is not None and patient.id != patient_id:
        raise CaseError(Problem(source, resources.label(patient), f"is not the patient the request is about "
                                                                  f"(Patient/{patient_id})"))
    target = resources.label(patient) if patient is not None else (f"Patient/{patient_id}" if patient_id else None)
    identifiers = {(i.system or "", i.value) for i in (patient.identifier or []) if i.value} if patient else set()
    first: str | None = None
    for resource in resources.all():
        check_deadline()
        for element, reference in _about(resource):
            who = _whom(reference, resources, patient, identifiers, focus=element.startswith("focus"))
            if who is None:
                continue  # a focus that is not a person (a tumour, a specimen)
            if target is None:
                first = first or who
                same = who == first
            else:
                same = who == target
            if not same:
                what = resource.get_resource_type()
                raise CaseError(Problem(source, f"{resources.label(resource)}: {what}.{element}", (
                    f"is about {who}, not the record's patient ({target or first}); give one patient's "
                    "resources")))


def _about(resource: Any) -> list[tuple[str, Any]]:
    found = [(name, getattr(resource, name, None)) for name in ("subject", "patient")]
    found += [(f"focus[{i}]", ref) for i, ref in enumerate(getattr(resource, "focus", None) or [])]
    return [(name, ref) for name, ref in found if ref is not None]


def _whom(reference: Any, resources: Resources, patient: Any, identifiers: set[tuple[str, str]], *,
          focus: bool) -> str | None:
    """Whom a Reference names, as `Patient/id` when it is the record's Patient; None for a focus
    that names no person (a subject always names someone)."""
    text = getattr(reference, "reference", None)
    if focus and not _may_be_a_person(reference, resources):
        return None
    if text:
        found = resources.by_reference(text)
        if found is not None and found is patient:
            return resources.label(patient)
        if found is not None:
            return resources.label(found)
        key = reference_key(text)
        if reference_type(text) is not None:  # "http://x/fhir/Patient/q/_history/1" -> "Patient/q"
            kind, ident = key.rsplit("/", 2)[-2:]
            return f"{kind}/{ident}"
        return key
    identifier = getattr(reference, "identifier", None)
    if identifier is not None and identifier.value:
        pair = (identifier.system or "", identifier.value)
        if patient is not None and pair in identifiers:
            return resources.label(patient)
        return f"the person with identifier {pair[0] + '|' if pair[0] else ''}{pair[1]}"
    # A name says nothing of which patient it is (and is not repeated in a message).
    return "a person named only by display" if getattr(reference, "display", None) else "nobody the reference names"


def _may_be_a_person(reference: Any, resources: Resources) -> bool:
    """A focus names a person when its type, its literal reference or what it resolves to is one."""
    text = getattr(reference, "reference", None)
    declared = getattr(reference, "type", None)
    if text:
        found = resources.by_reference(text)
        kind = found.get_resource_type() if found is not None else reference_type(text) or declared
        return kind in _PEOPLE
    return declared in _PEOPLE
