"""A record is one patient's: two Patients, or a resource about another patient wherever it stands,
are refused naming both; A medicine counts as given
for the cancer when its reason is a cancer Condition, primary or secondary, and only then."""

from __future__ import annotations

from typing import Any

import pytest

from igfrules.errors import CaseError
from igfrules.fhir.profile import map_bundle
from tests.fhir.builders import SCT, bundle, condition, medication, observation

PATIENT = {"resourceType": "Patient", "id": "p", "gender": "female"}


def _about(oid: str, subject: dict[str, Any] | None) -> dict[str, Any]:
    resource = observation(oid, "85337-4", valueCodeableConcept={"text": "positive"})
    if subject is not None:
        resource["subject"] = subject
    return resource


def test_two_patients_are_refused() -> None:
    """Mutation: the count of Patients compared with 2 instead of 1."""
    with pytest.raises(CaseError, match="more than one Patient"):
        map_bundle(bundle(PATIENT, {**PATIENT, "id": "q"}))


def test_another_patients_resource_after_one_without_a_subject_is_refused_naming_both() -> None:
    """Mutations: `continue` after a resource without a subject turned into `break` (the check
    stopped there), and the message naming the wrong patient."""
    with pytest.raises(CaseError) as caught:
        map_bundle(bundle(PATIENT, _about("none", None), _about("other", {"reference": "Patient/q"})))
    message = str(caught.value.problems[0])
    assert "Observation/other" in message and "is about Patient/q, not the record's patient (Patient/p)" in message


def _unknown_medicine_for(reason: dict[str, Any]) -> list[str]:
    given = medication("x", {"text": "investigational drug XYZ-123"}, intent_kind="",
                       reasonReference=[{"reference": f"Condition/{reason['id']}"}])
    return [m.resource for m in map_bundle(bundle(reason, given)).mapping.unrecognised_medicines]


def test_a_medicine_given_for_a_secondary_cancer_is_cancer_related() -> None:
    """Mutations in _is_cancer: `profile or secondary site` turned into `and`, or the secondary-site
    test inverted."""
    metastasis = condition("liver", SCT, "94381002", body=("10200004", "Liver structure"))
    assert _unknown_medicine_for(metastasis) == ["MedicationRequest/x"]


def test_a_medicine_given_for_something_else_is_not() -> None:
    """Mutation: the cancer-profile test negated (every Condition read as a cancer)."""
    hypertension = condition("htn", SCT, "38341003", display="Hypertensive disorder")
    assert _unknown_medicine_for(hypertension) == []


@pytest.mark.parametrize("reason", [
    condition("icd", "http://hl7.org/fhir/sid/icd-10-cm", "C50.911"),  # a code, no words
    condition("words", "http://example.org/local", "T1", display="Malignant tumour of the left breast"),
    condition("ca", "http://example.org/local", "T2", display="Ductal carcinoma in situ"),
])
def test_a_primary_cancer_is_told_by_its_icd_code_or_its_words(reason: dict[str, Any]) -> None:
    """Mutations: the ICD-10 test or one of the words joined with `and` instead of `or`."""
    assert _unknown_medicine_for(reason) == ["MedicationRequest/x"]


def test_another_icd_10_code_is_not_a_cancer() -> None:
    """Mutation: `system is ICD-10-CM and code is C50/D05` turned into `or` (every ICD-10 code, or a
    C50 code of any system, read as a breast cancer)."""
    assert _unknown_medicine_for(condition("htn", "http://hl7.org/fhir/sid/icd-10-cm", "I10")) == []
    assert _unknown_medicine_for(condition("local", "http://example.org/local", "C50")) == []


def test_a_condition_with_an_mcode_cancer_profile_is_a_cancer() -> None:
    """Mutation: `(meta.profile or [])` turned into `and` in _is_cancer (the profile never read)."""
    primary = condition("p", "http://example.org/local", "T9", display="Tumour of the left breast",
                        meta={"profile": ["http://hl7.org/fhir/us/mcode/StructureDefinition/"
                                          "mcode-primary-cancer-condition"]})
    assert _unknown_medicine_for(primary) == ["MedicationRequest/x"]


def test_a_bundle_id_the_profile_refuses_is_a_clear_error_naming_the_file_and_case_id() -> None:
    """A Bundle.id with a bidirectional override is read leniently by the FHIR reader, then refused
    by the profile (it is written into every output): the refusal must be a CaseError naming the
    source and `case_id`, never a pydantic traceback. Mutation: `except ValidationError` in
    map_resources made to catch nothing."""
    er = observation("er", "85337-4", valueCodeableConcept={"text": "positive"})
    with pytest.raises(CaseError) as caught:
        map_bundle(bundle(PATIENT, er, bundle_id="case\u202eone"), source="case.json")
    assert str(caught.value).startswith("case.json: case_id: contains control characters")
