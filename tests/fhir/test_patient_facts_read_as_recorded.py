"""Diabetes and serum IGF-1 read as the record states them: an entry in error or a preliminary
result never counts and never hides the next one, a related condition counts only when it is
diabetes, and IGF-1 is judged by each interpretation flag and by whichever end of the laboratory's
first reference range is given."""

from __future__ import annotations

from typing import Any

import pytest

from igfrules.fhir.profile import map_bundle
from tests.fhir.builders import MC, SCT, bundle, cc, condition, observation

VERIFICATION = "http://terminology.hl7.org/CodeSystem/condition-ver-status"
CLINICAL = "http://terminology.hl7.org/CodeSystem/condition-clinical"
DIABETES, HYPERTENSION = "73211009", "38341003"


def _profile(*resources: dict[str, Any]) -> Any:
    return map_bundle(bundle(*resources)).profile


def _comorbidities(*, related: dict[str, Any], status: str = "final") -> dict[str, Any]:
    return observation("c", "398192003", system=SCT, status=status,
                       extension=[{"url": MC + "mcode-related-condition", **related}])


def test_a_diabetes_entered_in_error_never_hides_the_one_after_it() -> None:
    """Mutation: `continue` after an entry in error turned into `break` in diabetes()."""
    in_error = condition("wrong", SCT, DIABETES, verificationStatus=cc(VERIFICATION, "entered-in-error"))
    assert _profile(in_error).diabetes == "unknown"
    assert _profile(in_error, condition("right", SCT, DIABETES)).diabetes is True


def test_a_preliminary_comorbidities_observation_does_not_count() -> None:
    """Mutation: `code is comorbidities and usable` turned into `or` (a preliminary one counted)."""
    related = {"valueCodeableConcept": cc(SCT, DIABETES)}
    assert _profile(_comorbidities(related=related, status="preliminary")).diabetes == "unknown"
    assert _profile(_comorbidities(related=related)).diabetes is True


def test_a_related_condition_by_reference_counts_only_when_it_is_diabetes() -> None:
    """Mutations: `referenced is not None and is_diabetes(...)` turned into `is None`, or `or`."""
    resolved = condition("dm", SCT, DIABETES, clinicalStatus=cc(CLINICAL, "resolved"))  # not counted by itself
    by_reference = {"valueReference": {"reference": "Condition/dm"}}
    assert _profile(resolved).diabetes == "unknown"
    assert _profile(resolved, _comorbidities(related=by_reference)).diabetes is True
    other = condition("htn", SCT, HYPERTENSION)
    assert _profile(other, _comorbidities(related={"valueReference": {"reference": "Condition/htn"}})
                    ).diabetes == "unknown"


def _igf1(**value: Any) -> dict[str, Any]:
    return observation("igf", "2484-4", valueQuantity={"value": 120, "unit": "ng/mL"}, **value)


@pytest.mark.parametrize(("flag", "level"), [("H", "high"), ("HH", "high"), ("L", "low"), ("LU", "low"),
                                             ("N", "normal")])
def test_serum_igf1_by_interpretation_flag(flag: str, level: str) -> None:
    """Mutation: the high-flag test negated (every flag but H read as high)."""
    interpretation = [cc("http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation", flag)]
    assert _profile(_igf1(interpretation=interpretation)).serum_igf1 == level


@pytest.mark.parametrize(("ranges", "level"), [
    ([{"low": {"value": 150}}], "low"),  # only a low end, and the value is under it
    ([{"low": {"value": 60}}], "unknown"),  # only a low end, and the value is over it: not judged
    ([{"high": {"value": 100}}], "high"),
    ([{"high": {"value": 250}}], "unknown"),
    ([{"low": {"value": 60}, "high": {"value": 250}}], "normal"),
    ([{"low": {"value": 60}, "high": {"value": 100}}, {"low": {"value": 60}, "high": {"value": 250}}], "high"),
])
def test_serum_igf1_by_the_first_reference_range(ranges: list[dict[str, Any]], level: str) -> None:
    """Mutations: the low end's `is not None` checks inverted or joined with `or`, a range with
    one end read as normal, or the last range used instead of the first."""
    assert _profile(_igf1(referenceRange=ranges)).serum_igf1 == level


@pytest.mark.parametrize(("value", "read"), [(10, 10.0), (90, 90.0), (9.9, "unknown"), (90.1, "unknown")])
def test_a_bmi_at_either_end_of_the_plausible_range_is_used_and_one_past_it_is_not(value: float, read: Any) -> None:
    """The profile's BMI bounds (10-90 kg/m2) are inclusive. Mutations: `low <= value <= high`
    turned into `low < value` or `value < high` (a recorded BMI of 10 or 90 dropped as implausible)."""
    case = map_bundle(bundle(observation("bmi", "39156-5", valueQuantity={"value": value, "unit": "kg/m2"})))
    assert case.profile.bmi == read


@pytest.mark.parametrize(("comparator", "level"), [("", "normal"), (">=", "unknown"), (">", "high")])
def test_an_igf1_at_the_top_of_its_reference_range_is_normal_and_one_that_may_be_above_it_is_not_judged(
        comparator: str, level: str) -> None:
    """The laboratory's range includes its ends: 250 ng/mL against 60-250 is normal; ">=250" may be
    250 or more (not judged), ">250" is above it. Mutation: `value > high` turned into
    `value >= high` in fhir/patient_facts.py's serum_igf1 (the top of the range read as high)."""
    quantity = {"value": 250, "unit": "ng/mL", **({"comparator": comparator} if comparator else {})}
    igf1 = observation("igf", "2484-4", valueQuantity=quantity,
                       referenceRange=[{"low": {"value": 60}, "high": {"value": 250}}])
    assert _profile(igf1).serum_igf1 == level


@pytest.mark.parametrize(("gender", "note"), [("other", "Patient.gender is other: sex left unknown"),
                                              (None, "Patient.gender is absent: sex left unknown")])
def test_the_mapping_says_which_gender_left_sex_unknown(gender: str | None, note: str) -> None:
    """The mapping shown to the board says why sex is unknown: the gender the record gives, or
    that it gives none. Mutation: `gender or 'absent'` turned into `and` in fhir/patient_facts.py's
    sex ("is absent" for `other`, "is None" for no gender)."""
    patient = {"resourceType": "Patient", "id": "p", **({"gender": gender} if gender else {})}
    assert map_bundle(bundle(patient)).mapping.source("sex").note == note
