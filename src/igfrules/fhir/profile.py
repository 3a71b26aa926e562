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
from .breast import check_breast, unstaged
from .bundle import Resources, read_bundle
from .codes import BRCA1, BRCA2, ER_CODES, HER2_CODES, PIK3CA, PR_CODES
from .concepts import codings, words
from .extent import metastatic_sites, treatment_intent
from .genes import gene_status
from .lenient import leave_unknown
from .patient_facts import bmi, diabetes, menopausal_status, serum_igf1, sex
from .receptors import her2_low, receptor
from .staging import stage
from .subject import check_one_patient
from .therapies import prior_therapies
from .tumour import secondary_sites, visceral

__all__ = ["map_bundle", "map_resources"]


def map_bundle(data: Mapping[str, Any], *, source: str = "<bundle>", strict: bool = False) -> MappedCase:
    """Validate a FHIR R4 Bundle (a parsed JSON object) and map it to a profile. Lenient: an invalid
    resource is skipped with a warning and the fields it could inform are unknown (lenient.py);
    `strict=True` refuses the record instead."""
    if data.get("resourceType") != "Bundle":
        raise CaseError(Problem(source, "resourceType", "a FHIR Bundle is needed here"))
    bundle_id, resources = read_bundle(data, source, strict=strict)
    return map_resources(resources, bundle_id=bundle_id, source=source, strict=strict)


def map_resources(resources: Resources, *, bundle_id: str | None = None, source: str = "<bundle>",
                  patient_id: str | None = None, strict: bool = False) -> MappedCase:
    """The profile of validated resources. `patient_id`: whom they must be about (the service's
    `context.patientId`), whether or not a Patient resource came with them. `strict`: resources
    skipped as invalid (`resources.skipped`) are an error naming each one and every element."""
    if strict and resources.skipped:
        raise CaseError([p for item in resources.skipped for p in item.problems])
    warnings: list[str] = list(resources.notes)
    check_one_patient(resources, source, patient_id)
    found = check_breast(resources, warnings)
    patients = resources.of("Patient")
    cancer = {resources.label(c) for c in resources.of("Condition") if _is_cancer(c)}
    fields: list[FieldSource] = [
        sex(patients, resources),
        receptor(resources, "er_status", ER_CODES, warnings),
        receptor(resources, "pr_status", PR_CODES, warnings),
        her2 := receptor(resources, "her2_status", HER2_CODES, warnings),
        her2_low(resources, her2),
    ]
    this_cancer = found.of_this_cancer(resources)
    stage_source = stage(resources, warnings, primaries=this_cancer, skip=unstaged(resources, found))
    therapies, unrecognised = prior_therapies(resources, cancer)
    fields += [
        stage_source,
        treatment_intent(resources, warnings, this_cancer),
        sites := metastatic_sites(resources, warnings),
        visceral(resources, str(stage_source.value), warnings, sites),
        gene_status(resources, "pik3ca_mutation", (PIK3CA,), germline=False, warnings=warnings),
        gene_status(resources, "brca_mutation", (BRCA1, BRCA2), germline=True, warnings=warnings),
        diabetes(resources, warnings),
        bmi(resources, warnings),
        serum_igf1(resources, warnings),
        menopausal_status(),
        therapies,
    ]
    fields = leave_unknown(fields, resources.skipped, warnings)
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
                            unrecognised_medicines=tuple(unrecognised), warnings=tuple(dict.fromkeys(warnings)))
    return MappedCase(profile=profile, mapping=mapping)


def _is_cancer(condition: Any) -> bool:
    """A primary or secondary cancer Condition: what a cancer-related medicine's reason points to."""
    profiles = [str(p) for p in ((condition.meta.profile or []) if condition.meta else [])]
    if any("cancer-condition" in p for p in profiles) or secondary_sites(condition) is not None:
        return True
    text = words(condition.code)
    icd = any(s.endswith("icd-10-cm") and code.upper().startswith(("C50", "D05")) for s, code, _ in
              codings(condition.code))
    return icd or "malignant" in text or "carcinoma" in text or "cancer" in text
