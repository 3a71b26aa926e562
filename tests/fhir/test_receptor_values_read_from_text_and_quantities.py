"""Receptor results given as text or as a quantity are read for what they say: "not amplified" is
negative, a quantity is a percentage only in "%", and PR is read from PR's codes, never ER's."""

from __future__ import annotations

from typing import Any

import pytest

from igfrules.fhir.profile import map_bundle
from tests.fhir.builders import LOINC, NEGATIVE, POSITIVE, bundle, cc, observation

HER2_ISH, HER2_INTERPRETATION = "85318-4", "48676-1"
ER_STAIN, ER_INTERPRETATION, PR_STAIN, PR_INTERPRETATION = "85337-4", "16112-5", "85339-0", "16113-3"


def _profile(*resources: dict[str, Any]) -> Any:
    return map_bundle(bundle(*resources)).profile


@pytest.mark.parametrize("code", [HER2_ISH, HER2_INTERPRETATION])
@pytest.mark.parametrize(("text", "expected"), [
    ("not amplified", "negative"),
    ("HER2 not amplified by FISH", "negative"),
    ("non-amplified", "negative"),
    ("nonamplified", "negative"),
    ("Negative", "negative"),
    ("amplified", "positive"),
    ("HER2 gene amplified (ratio 3.1)", "positive"),
    ("Positive", "positive"),
    ("equivocal", "unknown"),
])
def test_her2_ish_given_as_text(code: str, text: str, expected: str) -> None:
    """Mutation: in fhir/tumour.py _answer, the "positive" text check placed before the "negative"
    one ("amplified" is found inside "not amplified": a negative ISH read as positive)."""
    as_concept = _profile(observation("ish", code, valueCodeableConcept={"text": text}))
    as_string = _profile(observation("ish", code, valueString=text))
    assert as_concept.her2_status == expected and as_string.her2_status == expected


@pytest.mark.parametrize(("code", "text", "expected"), [
    (ER_INTERPRETATION, "negative", "negative"), (ER_INTERPRETATION, "positive", "positive"),
    (PR_INTERPRETATION, "negative", "negative"), (PR_INTERPRETATION, "positive", "positive"),
])
def test_hormone_receptor_given_as_text(code: str, text: str, expected: str) -> None:
    """Mutation: as above, for ER and PR words."""
    profile = _profile(observation("r", code, valueString=text))
    field = "er_status" if code == ER_INTERPRETATION else "pr_status"
    assert getattr(profile, field) == expected


@pytest.mark.parametrize("quantity", [
    {"value": 5, "unit": "ng/mL"},
    {"value": 5, "unit": "fmol/mg", "system": "http://unitsofmeasure.org", "code": "fmol/mg"},
    {"value": 80, "unit": "Allred score"},
    {"value": 5},
])
def test_a_quantity_that_is_not_a_percentage_is_not_read(quantity: dict[str, Any]) -> None:
    """Mutation: the `== "%"` unit check dropped from _answer (ER 5 ng/mL read as 5% of nuclei:
    positive)."""
    profile = _profile(observation("er", ER_STAIN, valueQuantity=quantity))
    assert profile.er_status == "unknown"


@pytest.mark.parametrize(("quantity", "expected"), [
    ({"value": 5, "unit": "%"}, "positive"),
    ({"value": 5, "system": "http://unitsofmeasure.org", "code": "%"}, "positive"),
    ({"value": 0, "unit": "%"}, "negative"),
    ({"value": 0.99, "unit": "%"}, "negative"),
    ({"value": 1, "unit": "%"}, "positive"),
])
def test_a_percentage_of_stained_nuclei_is_read_at_the_one_percent_cut_off(
        quantity: dict[str, Any], expected: str) -> None:
    """Mutation: the cut-off moved (>= 1 to > 1 or >= 10), or the unit check inverted."""
    assert _profile(observation("pr", PR_STAIN, valueQuantity=quantity)).pr_status == expected


@pytest.mark.parametrize(("er_code", "pr_code"), [(ER_STAIN, PR_STAIN), (ER_INTERPRETATION, PR_INTERPRETATION),
                                                  (ER_STAIN, PR_INTERPRETATION)])
@pytest.mark.parametrize(("er", "pr"), [(POSITIVE, NEGATIVE), (NEGATIVE, POSITIVE)])
def test_pr_differs_from_er_and_each_is_read_from_its_own_codes(
        er_code: str, pr_code: str, er: dict[str, Any], pr: dict[str, Any]) -> None:
    """Mutation: PR read with ER's codes (or ER with PR's) in fhir/profile.py;
    every example Bundle has PR equal to ER, so only a Bundle where they differ tells."""
    profile = _profile(observation("er", er_code, valueCodeableConcept=er),
                       observation("pr", pr_code, valueCodeableConcept=pr))
    words = {id(POSITIVE): "positive", id(NEGATIVE): "negative"}
    assert (profile.er_status, profile.pr_status) == (words[id(er)], words[id(pr)])


def test_pr_alone_leaves_er_unknown_and_er_alone_leaves_pr_unknown() -> None:
    """Mutation: as above."""
    only_pr = _profile(observation("pr", PR_STAIN, valueCodeableConcept=POSITIVE))
    only_er = _profile(observation("er", ER_STAIN, valueCodeableConcept=cc(LOINC, "LA6577-6")))
    assert (only_pr.er_status, only_pr.pr_status) == ("unknown", "positive")
    assert (only_er.er_status, only_er.pr_status) == ("negative", "unknown")
