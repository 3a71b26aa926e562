"""The receptor readers hold at their edges: 100% of nuclei is in range and 100.5% is not, a range
with one end is read, a 1024-character text is still read for what makes it no result, warnings
quote a text's first 80 characters, and HER2-low stands on the latest IHC score and a read ISH."""

from __future__ import annotations

from typing import Any

import pytest

from tests.fhir.builders import NEGATIVE, mapped, observation, reading_warnings

ER_STAIN, HER2_IHC, HER2_ISH = "85337-4", "85319-2", "85318-4"
LOCAL = "http://example.org/ihc-scores"


def _pct(value: float, comparator: str = "") -> dict[str, Any]:
    return {"value": value, "unit": "%", **({"comparator": comparator} if comparator else {})}


@pytest.mark.parametrize(("quantity", "expected"), [
    (_pct(100), "positive"),
    (_pct(100, ">="), "positive"),
    (_pct(0, "<="), "negative"),
    (_pct(0.5, "<"), "negative"),
])
def test_er_at_the_ends_of_0_to_100_percent_is_read(quantity: dict[str, Any], expected: str) -> None:
    """Mutations: _by_percent `0 <= low < 100` and `low <= 99` (ER 100% refused); _quantity
    `not 0 < value <= 100`, `not 1 <= value <= 100` and `not 0 <= value < 100` (ER "<=0%",
    "<0.5%" or ">=100%" refused as outside 0-100%)."""
    case = mapped(observation("er", ER_STAIN, valueQuantity=quantity))
    assert case.profile.er_status == expected
    assert reading_warnings(case) == ()


@pytest.mark.parametrize(("value", "written"), [
    ({"valueQuantity": _pct(100.5)}, "100.5%"),
    ({"valueRange": {"low": _pct(50), "high": _pct(100.5)}}, "50-100.5%"),
    ({"valueRange": {"low": _pct(100.5), "high": _pct(100)}}, "100.5-100%"),
    ({"valueRange": {"low": _pct(50), "high": _pct(150)}}, "50-150%"),
    ({"valueRange": {"low": _pct(0), "high": _pct(-0.5)}}, "0--0.5%"),
])
def test_er_outside_0_to_100_percent_is_unknown_with_a_warning(value: dict[str, Any], written: str) -> None:
    """Mutations: _by_percent `low <= 101` (100.5 to 100% read positive), `high <= 101` (50-100.5%
    positive), `and` -> `or` (50-150% positive: one end in range was enough), `-1 <= high`
    (0 to -0.5% read negative)."""
    case = mapped(observation("er", ER_STAIN, **value))
    assert case.profile.er_status == "unknown"
    assert reading_warnings(case) == (
        f"Observation/er: {written} of nuclei stained is outside 0-100%; not read",)


@pytest.mark.parametrize(("ranged", "expected", "note"), [
    ({"low": _pct(50)}, "positive", "latest final result: LOINC 85337-4: 50-100% of nuclei stained (2024-01-01)"),
    ({"high": _pct(0.5)}, "negative", "latest final result: LOINC 85337-4: 0-0.5% of nuclei stained (2024-01-01)"),
])
def test_an_er_range_with_one_end_is_read_to_0_or_100_percent(ranged: dict[str, Any], expected: str,
                                                            note: str) -> None:
    """Mutations: _quantity `ranged.low is None or ...` (a range with only a low end not read),
    `... or ranged.high is None` and `(ranged.low is None and low is None)` (a range with only a
    high end not read), and `99.0 if high is None` (the note says 50-99%)."""
    case = mapped(observation("er", ER_STAIN, valueRange=ranged))
    assert case.profile.er_status == expected
    assert case.mapping.source("er_status").note == note


def _ihc(oid: str, score: int, when: str = "2024-01-01") -> dict[str, Any]:
    return observation(oid, HER2_IHC, when, valueInteger=score)


@pytest.mark.parametrize("ish", [
    {"valueQuantity": _pct(0.5)},
    {"valueString": "1+"},
])
def test_an_ish_her2_does_not_read_is_no_ish_for_her2_low(ish: dict[str, Any]) -> None:
    """Mutations: _latest `her2=False` (an ISH of 0.5% read as a negative ISH: IHC 2+ called
    HER2-low) and her2_low `_latest(resources, HER2_ISH, ihc=True)` (an ISH text "1+" read as an
    IHC score, negative)."""
    case = mapped(_ihc("ihc", 2), observation("ish", HER2_ISH, **ish))
    assert case.profile.her2_status == "unknown"
    assert case.profile.her2_low == "unknown"
    assert case.mapping.source("her2_low").note == (
        "IHC 2+ with no final ISH result: HER2-low or HER2-positive is not settled")


def test_an_ihc_result_that_is_no_score_leaves_her2_low_unknown_whatever_the_ish() -> None:
    """Mutation: her2_low `ihc is None and score is None` (an IHC coded negative, no score, with a
    negative ISH called HER2-low)."""
    case = mapped(observation("ihc", HER2_IHC, valueCodeableConcept=NEGATIVE),
                  observation("ish", HER2_ISH, valueCodeableConcept=NEGATIVE))
    assert case.profile.her2_status == "negative"
    assert case.profile.her2_low == "unknown"
    assert case.mapping.source("her2_low").note == "no final HER2 IHC score (LOINC 85319-2, 18474-7)"


def test_her2_low_stands_on_the_latest_ihc_score_not_the_last_label() -> None:
    """Mutation: _latest sorting on the label (`r[1]`) not the instant: the older 1+ of
    "Observation/b" would stand over the newer IHC 0 of "Observation/a" (HER2-low)."""
    case = mapped(_ihc("b", 1, "2023-01-01"), _ihc("a", 0, "2024-01-01"))
    assert case.profile.her2_low is False
    assert case.mapping.source("her2_low").note == "IHC 0: not HER2-low"


def test_not_her2_low_names_the_ish_it_stands_on() -> None:
    """Mutation: her2_low `if not ish_value` (the note says "IHC 0" without the negative ISH, or
    ", ISH " with none)."""
    with_ish = mapped(_ihc("ihc", 0), observation("ish", HER2_ISH, valueCodeableConcept=NEGATIVE))
    assert with_ish.profile.her2_low is False
    assert with_ish.mapping.source("her2_low").note == "IHC 0, ISH negative: not HER2-low"
    assert with_ish.mapping.source("her2_low").resources == ("Observation/ihc", "Observation/ish")


def test_an_equivocal_only_her2_names_its_observations() -> None:
    """Mutations: receptor `resources=tuple(r[3] ...)` and `r[1]` when every result is equivocal
    (the resources would be the note or the value "equivocal", not "Observation/ihc")."""
    case = mapped(_ihc("ihc", 2))
    source = case.mapping.source("her2_status")
    assert source.value == "unknown"
    assert source.resources == ("Observation/ihc",)
    assert source.note == "equivocal only (LOINC 85319-2: IHC 2+ (needs ISH))"


def test_an_ihc_score_in_a_later_text_is_read() -> None:
    """Mutation: _ihc `break` for `continue` after a text with no score (the coding's display "3+"
    after the concept text "HER2 immunohistochemistry" not read)."""
    concept = {"text": "HER2 immunohistochemistry", "coding": [{"system": LOCAL, "code": "s", "display": "3+"}]}
    case = mapped(observation("ihc", HER2_IHC, valueCodeableConcept=concept))
    assert case.profile.her2_status == "positive"


def test_a_four_digit_text_is_no_ihc_score() -> None:
    """Mutation: _ihc `len(text.strip()) <= 4` (the display "0001" read as a second score, 1+: the
    3+ of the concept's text refused)."""
    concept = {"text": "3+", "coding": [{"system": LOCAL, "code": "s", "display": "0001"}]}
    case = mapped(observation("ihc", HER2_IHC, valueCodeableConcept=concept))
    assert case.profile.her2_status == "positive"
    assert reading_warnings(case) == ()


# 85 and 84 characters: a warning or note quotes the first 80.
SAYS_POSITIVE = "ER positive in the invasive carcinoma; the sampled areas were all examined by the lab"
ZERO_PERCENT = "0% positive; tumour cells in all the sampled invasive areas were examined by the lab"
NOT_3_PLUS = "HER2 not 3+ in the invasive carcinoma; the sampled areas were all examined by the lab"
MAX_TEXT = 1024


def test_a_1024_character_text_about_a_control_is_no_result() -> None:
    """Mutations: answer `len(text) < MAX_TEXT` before _NOT_A_RESULT (a text of exactly MAX_TEXT
    characters that speaks of a control read by its words: positive), and `text[: 81]` in its
    warning."""
    text = SAYS_POSITIVE + " " * (MAX_TEXT - len(SAYS_POSITIVE) - len(" control")) + " control"
    assert len(text) == 1024
    case = mapped(observation("er", ER_STAIN, valueString=text))
    assert case.profile.er_status == "unknown"
    assert reading_warnings(case) == (
        "Observation/er: text 'ER positive in the invasive carcinoma; the sampled areas were all examined by th' "
        "says 'control', not a result; not read",)


def test_a_1024_character_text_with_a_percentage_is_not_read_by_its_words() -> None:
    """Mutations: answer `len(text) < MAX_TEXT` before _PERCENT_OR_COMPARED (a text of exactly
    MAX_TEXT characters saying "0% positive" read as positive), and `text[: 81]` and `text[: 79]` in
    its warning."""
    text = ZERO_PERCENT + " " * (MAX_TEXT - len(ZERO_PERCENT))
    assert len(text) == 1024
    case = mapped(observation("er", ER_STAIN, valueString=text))
    assert case.profile.er_status == "unknown"
    assert reading_warnings(case) == (
        "Observation/er: text '0% positive; tumour cells in all the sampled invasive areas were examined by the' "
        "gives a percentage or a comparator; its words are not read as a status; not read",)


def test_a_negated_ihc_score_is_warned_of_quoting_80_characters() -> None:
    """Mutations: _ihc `text[: 81]` and `text[: 79]` in the warning of a score it does not read."""
    case = mapped(observation("ihc", HER2_IHC, valueString=NOT_3_PLUS))
    assert case.profile.her2_status == "unknown"
    assert reading_warnings(case) == (
        "Observation/ihc: HER2 IHC text 'HER2 not 3+ in the invasive carcinoma; the sampled areas were all examined "
        "by th' gives a negated score, not one score; not read",)


def test_a_status_read_from_words_quotes_80_characters_of_the_text() -> None:
    """Mutation: answer `" ".join(texts)[: 79]` in the note of a status read from words."""
    case = mapped(observation("er", ER_STAIN, valueString=SAYS_POSITIVE))
    assert case.profile.er_status == "positive"
    assert case.mapping.source("er_status").note == (
        "latest final result: LOINC 85337-4: text 'ER positive in the invasive carcinoma; the sampled areas were all "
        "examined by th' (2024-01-01)")
