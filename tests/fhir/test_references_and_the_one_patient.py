"""References resolve to the right resource or end in one clean error: a wrong-type reference,
another person's resource (by reference, identifier, display or focus), two different resources
with one id, a Bundle that is not one chart. Contained and versioned references resolve; reference
resolution is indexed (linear in the record's size)."""

from __future__ import annotations

from typing import Any

import pytest

import igfrules
from igfrules import CaseError
from igfrules.fhir.bundle import read_bundle
from igfrules.fhir.profile import map_bundle, map_resources
from tests.fhir.builders import RX, SCT, bundle, cc, mapped, medication, observation

PATIENT = {"resourceType": "Patient", "id": "p", "identifier": [{"system": "urn:mrn", "value": "123"}]}


def refused(*resources: dict[str, Any]) -> str:
    with pytest.raises(CaseError) as caught:
        mapped(*resources)
    return str(caught.value)


def by_reference(mid: str, reference: str, **extra: Any) -> dict[str, Any]:
    resource = medication(mid, {}, **extra)
    del resource["medicationCodeableConcept"]
    resource["medicationReference"] = {"reference": reference}
    return resource


LETROZOLE = {"resourceType": "Medication", "id": "m1", "code": cc(RX, "72965", "letrozole")}


def test_a_medication_reference_to_a_patient_is_one_clean_error() -> None:
    message = refused(PATIENT, by_reference("mr", "Patient/p"))
    assert "MedicationRequest/mr: MedicationRequest.medicationReference" in message
    assert "a Patient; a Medication is needed here" in message


def test_a_comorbidity_reference_to_a_medication_request_is_one_clean_error() -> None:
    related = [{"url": "http://hl7.org/fhir/us/mcode/StructureDefinition/mcode-related-condition",
                "valueReference": {"reference": "MedicationRequest/mr"}}]
    comorbidities = observation("co", "398192003", system=SCT, extension=related)
    message = refused(PATIENT, medication("mr", cc(RX, "72965")), comorbidities)
    assert "Observation/co" in message and "a MedicationRequest; a Condition is needed here" in message


def test_a_wrong_type_reference_is_a_case_error_from_the_library() -> None:
    with pytest.raises(igfrules.IgfrulesError):
        igfrules.evaluate(bundle(PATIENT, by_reference("mr", "Patient/p")))


def test_a_contained_medication_is_resolved() -> None:
    resource = by_reference("mr", "#m1", contained=[LETROZOLE])
    case = mapped(PATIENT, resource)
    assert case.profile.prior_therapies != "unknown"
    assert [t.agent for t in case.profile.prior_therapies] == ["letrozole"]


def test_a_versioned_reference_to_the_records_patient_is_the_patient() -> None:
    er = observation("er", "85337-4", subject={"reference": "Patient/p/_history/2"},
                     valueQuantity={"value": 50, "unit": "%"})
    assert mapped(PATIENT, er).profile.er_status == "positive"


def test_a_versioned_medication_reference_resolves() -> None:
    case = mapped(PATIENT, LETROZOLE, by_reference("mr", "Medication/m1/_history/3"))
    assert [t.agent for t in case.profile.prior_therapies] == ["letrozole"]


@pytest.mark.parametrize("subject", [
    {"identifier": {"system": "urn:mrn", "value": "999"}},
    {"display": "Someone Else"},
    {"reference": "Patient/q"},
    {"reference": "http://example.org/fhir/Patient/q/_history/1"},
    {"reference": "Group/g"},
])
def test_another_persons_resource_is_refused_however_it_names_them(subject: dict[str, Any]) -> None:
    er = observation("er", "85337-4", subject=subject, valueCodeableConcept={"text": "positive"})
    message = refused(PATIENT, er)
    assert "Observation/er: Observation.subject" in message
    assert "Someone Else" not in message  # a name is never repeated


def test_a_subject_named_by_the_patients_own_identifier_is_the_patient() -> None:
    er = observation("er", "85337-4", subject={"identifier": {"system": "urn:mrn", "value": "123"}},
                     valueCodeableConcept={"text": "positive"})
    assert mapped(PATIENT, er).profile.er_status == "positive"


def test_an_observation_whose_focus_is_another_person_is_refused() -> None:
    er = observation("er", "85337-4", subject={"reference": "Patient/p"}, focus=[{"reference": "Patient/q"}],
                     valueCodeableConcept={"text": "positive"})
    assert "Observation.focus[0]" in refused(PATIENT, er)
    mother = observation("dm", "85337-4", subject={"reference": "Patient/p"},
                         focus=[{"reference": "RelatedPerson/mother"}])
    assert "RelatedPerson/mother" in refused(PATIENT, mother)


def test_a_focus_on_a_tumour_is_not_a_person() -> None:
    er = observation("er", "85337-4", subject={"reference": "Patient/p"}, focus=[{"reference": "BodyStructure/t"}],
                     valueCodeableConcept={"text": "positive"})
    assert mapped(PATIENT, er).profile.er_status == "positive"


def test_with_no_patient_the_expected_patient_still_decides() -> None:
    resources = read_bundle(bundle(observation("er", "85337-4", subject={"reference": "Patient/b"},
                                               valueCodeableConcept={"text": "positive"})), "prefetch")[1]
    with pytest.raises(CaseError, match="Patient/b"):
        map_resources(resources, source="prefetch", patient_id="a")
    assert map_resources(resources, source="prefetch", patient_id="b").profile.er_status == "positive"


def test_two_different_patients_with_one_id_are_refused() -> None:
    other = {**PATIENT, "gender": "male"}
    message = refused(PATIENT, other)
    assert "Patient/p" in message and "same id" in message


def test_two_different_medications_with_one_id_are_refused() -> None:
    other = {**LETROZOLE, "code": cc(RX, "10324", "tamoxifen")}
    assert "Medication/m1" in refused(PATIENT, LETROZOLE, other)


def test_the_same_resource_twice_is_read_once() -> None:
    case = mapped(PATIENT, LETROZOLE, LETROZOLE, by_reference("mr", "Medication/m1"))
    assert case.mapping.resources == 3


@pytest.mark.parametrize("kind", ["history", "message", "transaction-response", "batch-response"])
def test_a_bundle_that_is_not_one_chart_is_refused(kind: str) -> None:
    data = {**bundle(PATIENT), "type": kind}
    if kind == "message":
        data["timestamp"] = "2024-01-01T00:00:00Z"
    with pytest.raises(CaseError, match=r"Bundle\.type"):
        map_bundle(data)


@pytest.mark.parametrize("kind", ["collection", "searchset", "transaction", "batch"])
def test_a_chart_bundle_of_any_chart_type_is_read(kind: str) -> None:
    data = {**bundle(PATIENT, observation("er", "85337-4", valueCodeableConcept={"text": "positive"})), "type": kind}
    if kind in ("transaction", "batch"):
        for entry in data["entry"]:
            entry["request"] = {"method": "POST", "url": entry["resource"]["resourceType"]}
    assert map_bundle(data).profile.er_status == "positive"


def test_reference_resolution_is_one_lookup_per_reference() -> None:
    """Linear: resolving N references costs N dictionary lookups, whatever N (up to 100,000)."""
    counts = {}
    for size in (1_000, 100_000):
        data = bundle(PATIENT, *[{"resourceType": "Condition", "id": f"c{i}", "code": {"text": "x"},
                                  "subject": {"reference": "urn:uuid:patient"}} for i in range(size)])
        data["entry"][0]["fullUrl"] = "urn:uuid:patient"
        _, resources = read_bundle(data, "b")
        map_resources(resources)
        counts[size] = resources.lookups
    assert counts[100_000] <= 100 * counts[1_000] + 100  # grows with N, not N squared




def test_a_resource_without_an_id_is_found_by_the_type_and_id_of_its_full_url() -> None:
    data = bundle({"resourceType": "Patient"}, by_reference("mr", "Medication/m1"),
                  {"resourceType": "Medication", "code": cc(RX, "72965", "letrozole")})
    data["entry"][0]["fullUrl"] = "http://example.org/fhir/Patient/p"
    data["entry"][2]["fullUrl"] = "http://example.org/fhir/Medication/m1"
    case = map_bundle(data)
    assert [t.agent for t in case.profile.prior_therapies] == ["letrozole"]
