"""The one CDS Hooks service igfrules offers: what discovery says, and the request it accepts."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, field_validator

from ..fhir.codes import (
    BMI,
    COMORBIDITIES,
    DISEASE_STATUS_CODES,
    ER_CODES,
    GENE_STUDIED,
    HER2_CODES,
    LOINC,
    M_CATEGORY_OBSERVATIONS,
    PR_CODES,
    REGION_STUDIED,
    SERUM_IGF1,
    SNOMED,
    STAGE_CODES,
    STAGE_GROUP_OBSERVATIONS,
    VARIANT_ASSESSMENT,
)

SERVICE_ID = "igfrules-igf-axis"
HOOK = "patient-view"

_OBSERVATION_CODES = [f"{LOINC}|{code}" for code in (*ER_CODES, *PR_CODES, *HER2_CODES, *STAGE_CODES,
                                                      VARIANT_ASSESSMENT, REGION_STUDIED, *DISEASE_STATUS_CODES,
                                                      BMI, SERUM_IGF1)]
_OBSERVATION_CODES.append(f"{SNOMED}|{COMORBIDITIES}")
# Stage groups and M categories as mCODE STU4 codes them (SNOMED CT), beside the LOINC ones.
_OBSERVATION_CODES += [f"{system}|{code}" for system, code in (*STAGE_GROUP_OBSERVATIONS, *M_CATEGORY_OBSERVATIONS)
                       if f"{system}|{code}" not in _OBSERVATION_CODES]
_ = GENE_STUDIED  # a component code, found inside the variant and region Observations

# Searches name the patient in the typed form `Patient/{id}`, which every FHIR server reads (a bare
# id is allowed only where the target type is unambiguous, and some servers' matchers, Medplum's
# in-memory one among them, read only the typed form). Procedures are asked for without a
# category: the mCODE IG's own surgical procedure carries none, and the readers decide what
# counts as surgery (fhir/therapies.py). A key the client omits, igfrules fetches from fhirServer
# (fetch.py); a key sent as null holds no data (prefetch.py).
PREFETCH: dict[str, str] = {
    "patient": "Patient/{{context.patientId}}",
    "conditions": "Condition?patient=Patient/{{context.patientId}}",
    "observations": "Observation?patient=Patient/{{context.patientId}}&code=" + ",".join(_OBSERVATION_CODES),
    "procedures": "Procedure?patient=Patient/{{context.patientId}}",
    "medicationRequests": ("MedicationRequest?patient=Patient/{{context.patientId}}"
                           "&_include=MedicationRequest:medication"),
    "medicationAdministrations": ("MedicationAdministration?patient=Patient/{{context.patientId}}"
                                  "&_include=MedicationAdministration:medication"),
    "medicationStatements": ("MedicationStatement?patient=Patient/{{context.patientId}}"
                             "&_include=MedicationStatement:medication"),
}


def discovery() -> dict[str, Any]:
    return {"services": [{
        "hook": HOOK,
        "id": SERVICE_ID,
        "title": "igfrules: IGF-axis research rationales in breast cancer (research use only)",
        "description": (
            "RESEARCH USE ONLY. Explains which IGF-axis combination rationales from one review "
            "(Ianza et al., Front Cell Dev Biol 2021) apply to the patient's breast cancer, with the "
            "evidence, the trials whose population the patient fits and what is missing. It never "
            "recommends a treatment: no IGF-axis trial has shown a benefit in breast cancer."
        ),
        "prefetch": PREFETCH,
        "usageRequirements": "Reads US Core and mCODE STU3 resources; research use only.",
    }]}


class HookRequest(BaseModel):
    """A CDS Hooks 2.0 request, as much of it as igfrules reads (other keys are allowed)."""

    model_config = ConfigDict(extra="allow")

    hook: str
    hookInstance: str
    context: dict[str, Any]
    prefetch: dict[str, Any] | None = None
    fhirServer: str | None = None
    fhirAuthorization: Any = None  # checked by fetch.py only when used; never logged or echoed

    @field_validator("context")
    @classmethod
    def _patient(cls, value: dict[str, Any]) -> dict[str, Any]:
        if not isinstance(value.get("patientId"), str) or not value["patientId"]:
            raise ValueError("context.patientId is required (text) for patient-view")
        return value
