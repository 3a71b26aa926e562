"""A record (Bundle, or prefetched resources) -> MappedCase: the profile and where each field came from."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from ..errors import CaseError, Problem
from ..model.fields import UNKNOWN
from ..model.mapping import FieldSource, MappedCase, SourceMapping
from ..model.patient import PatientProfile
from ..model.validation import problems_from_validation
from .bundle import Resources, read_bundle
from .codes import BRCA1, BRCA2, ER_CODES, HER2_CODES, PIK3CA, PR_CODES
from .concepts import codings, words
from .patient_facts import bmi, diabetes, menopausal_status, serum_igf1, sex
from .therapies import prior_therapies
from .tumour import gene_status, receptor, secondary_sites, stage, visceral

__all__ = ["map_bundle", "map_resources"]


def map_bundle(data: Mapping[str, Any], *, source: str = "<bundle>") -> MappedCase:
    """Validate a FHIR R4 Bundle (a parsed JSON object) and map it to a profile."""
    if data.get("resourceType") != "Bundle":
        raise CaseError(Problem(source, "resourceType", "a FHIR Bundle is needed here"))
    bundle_id, resources = read_bundle(data, source)
    return map_resources(resources, bundle_id=bundle_id, source=source)


def map_resources(resources: Resources, *, bundle_id: str | None = None, source: str = "<bundle>") -> MappedCase:
    warnings: list[str] = []
    patients = resources.of("Patient")
    if len({resources.label(p) for p in patients}) > 1:
        raise CaseError(Problem(source, "Patient", "the record holds more than one Patient; give one patient's "
                                                   "resources"))
    _one_subject(resources, patients[0] if patients else None, source)
    cancer = {resources.label(c) for c in resources.of("Condition") if _is_cancer(c)}
    fields: list[FieldSource] = [
        sex(patients, resources),
        receptor(resources, "er_status", ER_CODES, warnings),
        receptor(resources, "pr_status", PR_CODES, warnings),
        receptor(resources, "her2_status", HER2_CODES, warnings),
    ]
    stage_source = stage(resources, warnings)
    therapies, unrecognised = prior_therapies(resources, cancer)
    fields += [
        stage_source,
        visceral(resources, str(stage_source.value), warnings),
        gene_status(resources, "pik3ca_mutation", (PIK3CA,), germline=False, warnings=warnings),
        gene_status(resources, "brca_mutation", (BRCA1, BRCA2), germline=True, warnings=warnings),
        diabetes(resources, warnings),
        bmi(resources),
        serum_igf1(resources),
        menopausal_status(),
        therapies,
    ]
    for medicine in unrecognised:
        warnings.append(f"medicine not recognised: {medicine.text!r} ({medicine.resource}); "
                        "not counted as a prior therapy")
    case: dict[str, Any] = {"case_id": bundle_id}
    case.update({f.field: f.value for f in fields if f.value != UNKNOWN})
    try:
        profile = PatientProfile.model_validate(case)
    except ValidationError as err:  # a value the mapping produced that the profile refuses (a bug or an odd id)
        raise CaseError(problems_from_validation(err, source, case)) from None
    mapping = SourceMapping(bundle_id=bundle_id, resources=resources.count, fields=tuple(fields),
                            unrecognised_medicines=tuple(unrecognised), warnings=tuple(warnings))
    return MappedCase(profile=profile, mapping=mapping)


def _subject(resource: Any) -> str | None:
    """The reference naming whom a resource is about (`subject`, or `patient` on some types)."""
    for name in ("subject", "patient"):
        reference = getattr(resource, name, None)
        if reference is not None and getattr(reference, "reference", None):
            return str(reference.reference)
    return None


def _one_subject(resources: Resources, patient: Any, source: str) -> None:
    """Every resource about a patient must be about this one: another patient's Observation mixed
    into a record would silently become this patient's stage or receptor status."""
    first: str | None = None
    for items in resources.by_type.values():
        for resource in items:
            reference = _subject(resource)
            if reference is None:
                continue
            if patient is not None:
                label = resources.label(patient)
                same = (reference == label or reference.endswith("/" + label)
                        or resources.by_reference(reference) is patient)
            else:
                first = first or reference
                same = reference == first
            if not same:
                raise CaseError(Problem(source, resources.label(resource), (
                    f"is about {reference}, not the record's patient "
                    f"({resources.label(patient) if patient is not None else first}); give one patient's resources")))


def _is_cancer(condition: Any) -> bool:
    """A primary or secondary cancer Condition: what a cancer-related medicine's reason points to."""
    profiles = [str(p) for p in ((condition.meta.profile or []) if condition.meta else [])]
    if any("cancer-condition" in p for p in profiles) or secondary_sites(condition) is not None:
        return True
    text = words(condition.code)
    icd = any(s.endswith("icd-10-cm") and code.upper().startswith(("C50", "D05")) for s, code, _ in
              codings(condition.code))
    return icd or "malignant" in text or "carcinoma" in text or "cancer" in text
