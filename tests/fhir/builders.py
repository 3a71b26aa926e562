"""Small FHIR resources for tests: each builder gives one resource as JSON, with real codes."""

from __future__ import annotations

from typing import Any

LOINC, SCT, RX = "http://loinc.org", "http://snomed.info/sct", "http://www.nlm.nih.gov/research/umls/rxnorm"
ICD10 = "http://hl7.org/fhir/sid/icd-10-cm"
HGNC = "http://www.genenames.org/geneId"
MC = "http://hl7.org/fhir/us/mcode/StructureDefinition/"
POSITIVE = {"coding": [{"system": LOINC, "code": "LA6576-8", "display": "Positive"}]}
NEGATIVE = {"coding": [{"system": LOINC, "code": "LA6577-6", "display": "Negative"}]}


def cc(system: str, code: str, display: str = "") -> dict[str, Any]:
    return {"coding": [{"system": system, "code": code, **({"display": display} if display else {})}]}


def mapped(*resources: dict[str, Any]) -> Any:
    """The MappedCase of a Bundle holding these resources (fhir.resources is imported here, on use)."""
    from igfrules.fhir.profile import map_bundle

    return map_bundle(bundle(*resources))


NO_PRIMARY = "no primary cancer Condition"


def reading_warnings(case: Any) -> tuple[str, ...]:
    """A mapping's warnings but the one every Bundle without a primary cancer Condition gets (most
    builder-made Bundles hold only the resources a test is about)."""
    return tuple(w for w in case.mapping.warnings if not w.startswith(NO_PRIMARY))


def bundle(*resources: dict[str, Any], bundle_id: str = "test-bundle") -> dict[str, Any]:
    return {"resourceType": "Bundle", "id": bundle_id, "type": "collection",
            "entry": [{"resource": r} for r in resources]}


def observation(oid: str, code: str, when: str = "2024-01-01", status: str = "final", system: str = LOINC,
                **value: Any) -> dict[str, Any]:
    return {"resourceType": "Observation", "id": oid, "status": status, "code": cc(system, code),
            "effectiveDateTime": when, **value}


def condition(cid: str, system: str, code: str, display: str = "", body: tuple[str, str] | None = None,
              when: str = "2024-01-01", **extra: Any) -> dict[str, Any]:
    resource: dict[str, Any] = {"resourceType": "Condition", "id": cid, "code": cc(system, code, display),
                                "subject": {"reference": "Patient/p"}, "recordedDate": when, **extra}
    if body:
        resource["bodySite"] = [cc(SCT, *body)]
    return resource


def gene_component(hgnc: str, symbol: str) -> dict[str, Any]:
    return {"code": cc(LOINC, "48018-6"), "valueCodeableConcept": cc(HGNC, hgnc, symbol)}


def intent(kind: str) -> list[dict[str, Any]]:
    code = "363676003" if kind == "palliative" else "373808002"
    return [{"url": MC + "mcode-procedure-intent", "valueCodeableConcept": cc(SCT, code)}]


def medication(mid: str, concept: dict[str, Any], when: str = "2024-01-01", kind: str = "MedicationRequest",
               intent_kind: str = "palliative", **extra: Any) -> dict[str, Any]:
    resource: dict[str, Any] = {"resourceType": kind, "id": mid, "status": "completed",
                                "medicationCodeableConcept": concept, "subject": {"reference": "Patient/p"}, **extra}
    if intent_kind:
        resource["extension"] = intent(intent_kind)
    if kind == "MedicationRequest":
        resource.setdefault("intent", "order")
        resource["authoredOn"] = when
    else:
        resource["effectiveDateTime"] = when
    return resource


def status(oid: str, when: str, code: str) -> dict[str, Any]:
    return observation(oid, "97509-4", when, valueCodeableConcept=cc(SCT, code))
