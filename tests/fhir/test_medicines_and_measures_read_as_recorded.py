"""A medicine counts as given only when the record says it was; BMI and serum IGF-1 are values only
when the record gives a value, not a bound or flags that disagree."""

from __future__ import annotations

from typing import Any

import pytest

from igfrules.fhir.profile import map_bundle
from tests.fhir.builders import RX, SCT, bundle, cc, medication, observation, reading_warnings


def therapies(*resources: dict[str, Any]) -> Any:
    return map_bundle(bundle(*resources)).profile.prior_therapies


@pytest.mark.parametrize(("kind", "extra", "kept"), [
    ("MedicationRequest", {"doNotPerform": True}, False),
    ("MedicationRequest", {"status": "revoked"}, False),
    ("MedicationRequest", {"status": "unknown"}, False),
    ("MedicationRequest", {"status": "on-hold"}, True),
    ("MedicationRequest", {"status": "stopped"}, True),
    ("MedicationAdministration", {"status": "unknown"}, False),
    ("MedicationAdministration", {"status": "on-hold"}, True),
    ("MedicationStatement", {"status": "unknown"}, False),
    ("MedicationStatement", {"status": "stopped"}, True),
])
def test_a_do_not_perform_or_unknown_status_medicine_is_not_a_therapy_given(kind: str, extra: dict[str, Any],
                                                                          kept: bool) -> None:
    resource = medication("m", cc(RX, "10324"), kind=kind)
    resource.update(extra)
    assert (therapies(resource) != "unknown") is kept


def bmi(**quantity: Any) -> Any:
    case = map_bundle(bundle(observation("bmi", "39156-5", valueQuantity={"unit": "kg/m2", **quantity})))
    return case.profile.bmi, reading_warnings(case)


def test_a_bmi_out_of_range_or_with_a_comparator_is_unknown_with_a_warning() -> None:
    assert bmi(value=24.2) == (24.2, ())
    for quantity in ({"value": 400}, {"value": 18.5, "comparator": "<"}):
        value, warnings = bmi(**quantity)
        assert value == "unknown" and warnings


def igf1(value: float, comparator: str = "", flags: tuple[str, ...] = ()) -> Any:
    quantity: dict[str, Any] = {"value": value, "unit": "ng/mL", **({"comparator": comparator} if comparator else {})}
    extra: dict[str, Any] = {"referenceRange": [{"low": {"value": 50, "unit": "ng/mL"},
                                                 "high": {"value": 300, "unit": "ng/mL"}}]}
    if flags:
        extra["interpretation"] = [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/"
                                                          "v3-ObservationInterpretation", "code": f}]} for f in flags]
    return map_bundle(bundle(observation("igf", "2484-4", valueQuantity=quantity, **extra))).profile.serum_igf1


@pytest.mark.parametrize(("args", "expected"), [
    ((400,), "high"), ((20,), "low"), ((100,), "normal"), ((25, "<"), "low"), ((500, "<"), "unknown"),
    ((1000, ">"), "high"), ((100, ">"), "unknown"), ((50, "<"), "low"), ((300, ">"), "high"),
    ((50, "<="), "unknown"), ((100, "", ("H", "L")), "unknown"), ((100, "", ("H",)), "high"),
])
def test_serum_igf1_with_a_comparator_or_flags_is_judged_only_when_certain(args: tuple[Any, ...],
                                                                           expected: str) -> None:
    assert igf1(*args) == expected


def test_codings_that_disagree_on_intent_or_progression_say_nothing() -> None:
    both = [{"url": "http://hl7.org/fhir/us/mcode/StructureDefinition/mcode-procedure-intent",
             "valueCodeableConcept": {"coding": [{"system": SCT, "code": "363676003"},
                                                 {"system": SCT, "code": "373808002"}]}}]
    [therapy] = therapies(medication("m", cc(RX, "10324"), intent_kind="", extension=both))
    assert therapy.setting == "unknown"
    status = observation("st", "97509-4", "2024-06-01", valueCodeableConcept={
        "coding": [{"system": SCT, "code": "271299001"}, {"system": SCT, "code": "359746009"}]})
    [therapy] = therapies(medication("m", cc(RX, "10324"), "2024-01-01"), status)
    assert therapy.progressed == "unknown"
