"""Hostile FHIR Bundles for the properties: negated and someone else's text, comparators, ranges,
out-of-range numbers, absent reasons, contained and wrong-type references, other people named in
every way, duplicate ids, every Bundle.type and time zones.

`hostile_bundle(rnd)` draws one Bundle from a random.Random, so that hypothesis can drive it
(`st.randoms()`) and a plain seed can reproduce it in another process (the seed-independence
check). With `ambiguous=True` every resource is one that must never become a value."""

from __future__ import annotations

import random
from typing import Any

LOINC, SCT, ICD10 = "http://loinc.org", "http://snomed.info/sct", "http://hl7.org/fhir/sid/icd-10-cm"
HGNC, RX, AJCC = "http://www.genenames.org/geneId", "http://www.nlm.nih.gov/research/umls/rxnorm", \
    "http://cancerstaging.org"
ABSENT = {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/data-absent-reason", "code": "not-performed"}]}
POS, NEG = {"system": LOINC, "code": "LA6576-8"}, {"system": LOINC, "code": "LA6577-6"}
RECEPTORS = ["85337-4", "16112-5", "85339-0", "16113-3", "48676-1", "85319-2", "18474-7", "85318-4"]

AMBIGUOUS_TEXT = ["not positive", "not negative", "positive and negative", "no evidence of positive staining",
                  "possible positive", "equivocal", "?"]
CLEAR_TEXT = ["Positive", "Negative", "not amplified", "Amplified", "3+", "0", "1+"]
AMBIGUOUS_STAGE = ["Stage I-II", "IIIA/IIIB", "(" * 5000 + "IV", "stage ?", "II-III", "Stage 5", ""]
CLEAR_STAGE = ["Stage IIB", "IV", "pIIIA", "Stage 0is", "2B", "Stage III-A"]
AMBIGUOUS_CONDITIONS = ["Breast cancer, no liver metastasis", "denies diabetes mellitus", "Diabetes mellitus in mother",
                        "possible lung metastasis", "brain metastases ruled out", "Family history: type 2 diabetes",
                        "No diabetes mellitus", "suspected metastatic disease of the liver?", "Gestational diabetes"]
CLEAR_CONDITIONS = ["Metastases to liver and lymph nodes", "Type 2 diabetes mellitus", "Metastasis to bone",
                    "Secondary malignant neoplasm of lung"]
ZONES = ["Z", "+00:00", "-05:00", "+14:00", "-12:00", "+05:30"]


def _when(rnd: random.Random) -> str:
    day = f"2024-0{rnd.randint(1, 9)}-{rnd.randint(10, 28)}"
    if rnd.random() < 0.3:
        return day
    return f"{day}T{rnd.randint(0, 23):02d}:{rnd.choice(['00', '30'])}:00{rnd.choice(ZONES)}"


def _subject(rnd: random.Random) -> dict[str, Any]:
    if rnd.random() < 0.03:  # someone else, named in one of the ways a record can
        return rnd.choice([{"reference": "Patient/q"}, {"identifier": {"system": "urn:mrn", "value": "2"}},
                           {"display": "Someone"}, {"reference": "Group/g"}, {"reference": "RelatedPerson/mother"},
                           {"reference": "http://example.org/fhir/Patient/q/_history/1"}])
    return rnd.choice([{"reference": "Patient/p"}] * 4 + [
        {"reference": "Patient/p/_history/2"}, {"reference": "urn:uuid:patient-p"},
        {"reference": "http://example.org/fhir/Patient/p"}, {"identifier": {"system": "urn:mrn", "value": "1"}}])


def _obs(rnd: random.Random, oid: str, code: str, system: str = LOINC, **value: Any) -> dict[str, Any]:
    resource = {"resourceType": "Observation", "id": oid, "status": rnd.choice(["final"] * 5 + ["preliminary"]),
                "code": {"coding": [{"system": system, "code": code}]}, "subject": _subject(rnd),
                "effectiveDateTime": _when(rnd), **value}
    if rnd.random() < 0.05:
        resource["focus"] = [rnd.choice([{"reference": "Patient/q"}, {"reference": "BodyStructure/t"},
                                         {"reference": "BodyStructure/t"}, {"reference": "RelatedPerson/r"}])]
    return resource


def _receptor_value(rnd: random.Random, ambiguous: bool) -> dict[str, Any]:
    if ambiguous:
        return rnd.choice([
            {"dataAbsentReason": ABSENT}, {"valueString": rnd.choice(AMBIGUOUS_TEXT)},
            {"valueQuantity": {"value": rnd.choice([150, -5, 101, 1000]), "unit": "%"}},
            {"valueQuantity": {"value": rnd.choice([5, 2, 50]), "comparator": "<", "unit": "%"}},
            {"valueQuantity": {"value": rnd.choice([0.5, 0.1]), "comparator": ">", "unit": "%"}},
            {"valueRange": {"low": {"value": 0, "unit": "%"}, "high": {"value": rnd.choice([5, 50]), "unit": "%"}}},
            {"valueInteger": rnd.choice([-1, 4, 10])}, {"valueBoolean": rnd.random() < 0.5},
            {"valueCodeableConcept": {"coding": [POS, NEG]}},
            {"valueCodeableConcept": {"text": rnd.choice(AMBIGUOUS_TEXT)}}])
    return rnd.choice([{"valueCodeableConcept": {"coding": [rnd.choice([POS, NEG])]}},
                       {"valueString": rnd.choice(CLEAR_TEXT)},
                       {"valueQuantity": {"value": rnd.choice([0, 0.5, 1, 40, 95]), "unit": "%"}},
                       {"valueQuantity": {"value": 1, "comparator": "<", "unit": "%"}},
                       {"valueInteger": rnd.randint(0, 3)}, _receptor_value(rnd, True)])


def _condition(rnd: random.Random, cid: str, ambiguous: bool) -> dict[str, Any]:
    text = rnd.choice(AMBIGUOUS_CONDITIONS if ambiguous else AMBIGUOUS_CONDITIONS + CLEAR_CONDITIONS)
    code: dict[str, Any] = {"text": text}
    if not ambiguous and rnd.random() < 0.4:
        code["coding"] = [{"system": ICD10, "code": c} for c in rnd.sample(["C77.3", "C78.7", "C79.51", "E11.9"], 2)]
    resource: dict[str, Any] = {"resourceType": "Condition", "id": cid, "code": code, "subject": _subject(rnd),
                                "recordedDate": _when(rnd)}
    if rnd.random() < 0.3:
        summary = rnd.choice(AMBIGUOUS_STAGE if ambiguous else CLEAR_STAGE + AMBIGUOUS_STAGE)
        resource["stage"] = [{"summary": {"text": summary} if summary else {"coding": [{"system": AJCC, "code": "2B",
                                                                                       "display": "Stage IIIA"}]}}]
    return resource


def _gene(rnd: random.Random, oid: str, ambiguous: bool) -> dict[str, Any]:
    gene = {"code": {"coding": [{"system": LOINC, "code": "48018-6"}]},
            "valueCodeableConcept": {"coding": [{"system": HGNC, "code": "HGNC:8975", "display": "PIK3CA"}]}}
    answers: list[dict[str, Any]] = [{}, {"dataAbsentReason": ABSENT}, {"valueString": "No mutation detected"},
                                     {"valueBoolean": rnd.random() < 0.5},
                                     {"interpretation": [{"coding": [{"code": "NEG"}]}]}]
    if not ambiguous:
        answers += [{"valueCodeableConcept": {"coding": [{"system": LOINC, "code": rnd.choice(["LA9633-4",
                                                                                               "LA9634-2"])}]}}]
    return _obs(rnd, oid, "69548-6", component=[gene], **rnd.choice(answers))


def _medicine(rnd: random.Random, mid: str, ambiguous: bool) -> list[dict[str, Any]]:
    kind = rnd.choice(["MedicationRequest", "MedicationAdministration", "MedicationStatement"])
    resource: dict[str, Any] = {"resourceType": kind, "id": mid, "subject": _subject(rnd)}
    if ambiguous:
        resource["status"] = rnd.choice(["unknown", "entered-in-error", "not-done"]
                                        if kind == "MedicationAdministration" else ["unknown", "entered-in-error"])
    else:
        resource["status"] = "completed" if kind != "MedicationRequest" else rnd.choice(["completed", "revoked"])
    if kind == "MedicationRequest":
        resource["intent"] = "order"
        resource["authoredOn"] = _when(rnd)
        if ambiguous:
            resource.update({"doNotPerform": True, "status": rnd.choice(["active", "completed", "unknown"])})
    else:
        resource["effectiveDateTime"] = _when(rnd)
    extra: list[dict[str, Any]] = []
    how = rnd.choice(["concept", "contained", "reference", "wrong-type", "missing", "versioned"])
    if how == "concept":
        resource["medicationCodeableConcept"] = {"coding": [{"system": RX, "code": "10324"}]}
    elif how == "contained":
        resource["contained"] = [{"resourceType": "Medication", "id": "m", "code": {"text": "letrozole 2.5 MG"}}]
        resource["medicationReference"] = {"reference": "#m"}
    else:
        target = {"reference": "Medication/med-1", "wrong-type": "Patient/p", "missing": "Medication/nowhere",
                  "versioned": "Medication/med-1/_history/4"}[how]
        resource["medicationReference"] = {"reference": target}
        extra.append({"resourceType": "Medication", "id": "med-1",
                      "code": {"coding": [{"system": RX, "code": "72965"}]}})
    return [resource, *extra]


def hostile_bundle(rnd: random.Random, *, ambiguous: bool = False) -> dict[str, Any]:
    resources: list[dict[str, Any]] = []
    if rnd.random() < 0.95:
        resources.append({"resourceType": "Patient", "id": "p", "identifier": [{"system": "urn:mrn", "value": "1"}]})
    for index in range(rnd.randint(0, 6)):
        resources.append(_obs(rnd, f"r{index}", rnd.choice(RECEPTORS), **_receptor_value(rnd, ambiguous)))
    for index in range(rnd.randint(0, 2)):
        text = rnd.choice(AMBIGUOUS_STAGE if ambiguous else CLEAR_STAGE + AMBIGUOUS_STAGE) or "x"
        code = rnd.choice(["21908-9", "21902-2"])
        resources.append(_obs(rnd, f"s{index}", code, valueCodeableConcept={"text": text}))
    resources += [_condition(rnd, f"c{index}", ambiguous) for index in range(rnd.randint(0, 3))]
    resources += [_gene(rnd, f"g{index}", ambiguous) for index in range(rnd.randint(0, 2))]
    for index in range(rnd.randint(0, 2)):
        resources += _medicine(rnd, f"m{index}", ambiguous)
    if resources and rnd.random() < 0.05:  # the same id twice, changed or not
        twin = dict(rnd.choice(resources))
        if rnd.random() < 0.5:
            twin["meta"] = {"versionId": "2"}
        resources.append(twin)
    entries = [{"resource": r} for r in resources]
    for entry in entries:
        if entry["resource"]["resourceType"] == "Patient":
            entry["fullUrl"] = "urn:uuid:patient-p"
    kind = rnd.choice(["collection"] * 30 + ["searchset", "transaction", "document", "batch"] * 2
                      + ["history", "message"])
    if kind in ("transaction", "batch"):
        for entry in entries:
            entry["request"] = {"method": "POST", "url": entry["resource"]["resourceType"]}
    bundle: dict[str, Any] = {"resourceType": "Bundle", "id": f"hostile-{rnd.randint(0, 10**6)}", "type": kind,
                              "entry": entries}
    if kind == "message":
        bundle["timestamp"] = "2024-01-01T00:00:00Z"
    return bundle
