"""ER, PR and HER2 readers hold at the edges of what they read: a range with one end, or with an end
in another unit; a comparator FHIR allows but igfrules does not read; a bare number or a text at
MAX_TEXT characters; two IHC scores; the words quoted in a note or warning. Each test names the
mutation of fhir/receptors.py it kills (issue 23); a reader that gets these wrong turns a result it
cannot read into a receptor status."""

from __future__ import annotations

from typing import Any

import pytest

from tests.fhir.builders import cc, mapped, observation, reading_warnings

ER_STAIN, HER2_IHC, HER2_ISH = "85337-4", "85319-2", "85318-4"


def pct(value: float, **extra: Any) -> dict[str, Any]:
    return {"value": value, "unit": "%", **extra}


@pytest.mark.parametrize(("ranged", "expected"), [
    ({"low": pct(5)}, "positive"),
    ({"high": pct(0.5)}, "negative"),
])
def test_a_percentage_range_with_one_end_is_read_from_that_end(ranged: dict[str, Any], expected: str) -> None:
    """5% and up is positive; up to 0.5% is negative (the open end is 100% or 0%). Mutations in
    _quantity: `ranged.low is not None or ranged.high is not None` turned into `and` (a one-ended
    range not read); a missing low end taken as 1.0 or -1.0 (up to 0.5% read as positive or as
    outside 0-100%), a missing high end as 101.0 (5% and up read as outside 0-100%)."""
    case = mapped(observation("er", ER_STAIN, valueRange=ranged))
    assert case.profile.er_status == expected
    assert reading_warnings(case) == ()


def test_a_range_with_an_end_in_another_unit_is_not_read() -> None:
    """5% to 50 ng/mL is no percentage range: ER stays unknown. Mutations in _quantity: `ranged.high
    is not None and high is None` turned into `ranged.high is None and ...`, and the `or` between
    the two ends' checks into `and` (the high end dropped: 5-100%, positive)."""
    ranged = {"low": pct(5), "high": {"value": 50, "unit": "ng/mL"}}
    assert mapped(observation("er", ER_STAIN, valueRange=ranged)).profile.er_status == "unknown"


def test_a_range_0_to_1_percent_straddles_the_cut_off() -> None:
    """A range includes its ends: 0-1% may be 1%, positive, so ER is unknown. Mutation in
    _quantity: the range's high end passed as open (`high_open` False turned into True: 0-1% read
    as negative)."""
    ranged = {"low": pct(0), "high": pct(1)}
    assert mapped(observation("er", ER_STAIN, valueRange=ranged)).profile.er_status == "unknown"


def test_a_range_below_0_percent_is_outside_0_to_100_with_a_warning() -> None:
    """-0.5% to 0.5% is no percentage of nuclei. Mutation in _by_percent: `0 <= low` turned into
    `-1 <= low` (read as negative)."""
    case = mapped(observation("er", ER_STAIN, valueRange={"low": pct(-0.5), "high": pct(0.5)}))
    assert case.profile.er_status == "unknown"
    assert reading_warnings(case) == ("Observation/er: -0.5-0.5% of nuclei stained is outside 0-100%; not read",)


@pytest.mark.parametrize("value", [-0.5, 100.5])
def test_an_unread_comparator_out_of_range_is_still_warned_of(value: float) -> None:
    """FHIR's comparator "ad" (sufficient to achieve) is not read, but a value outside 0-100% is an
    error of the record, warned of whatever its comparator. Mutations in _quantity: `0 <= value <=
    100` turned into `-1 <= value` or `value <= 101` (no warning)."""
    case = mapped(observation("er", ER_STAIN, valueQuantity=pct(value, comparator="ad")))
    assert case.profile.er_status == "unknown"
    assert reading_warnings(case) == (f"Observation/er: ad{value:g}% of nuclei stained is outside 0-100%; not read",)


def test_more_than_99_5_percent_is_positive() -> None:
    """Mutation in _quantity: `value <= 100` turned into `value <= 99` (>99.5% warned of as outside
    0-100%)."""
    case = mapped(observation("er", ER_STAIN, valueQuantity=pct(99.5, comparator=">")))
    assert (case.profile.er_status, reading_warnings(case)) == ("positive", ())


def test_a_bare_three_digit_number_is_no_her2_score_and_is_warned_of() -> None:
    """A HER2 IHC text "100" is read as a score of 100, which is not 0-3+: a warning says so.
    Mutations in _ihc: the bare number's `len(...) <= 3` turned into `< 3` or `<= 2` (ignored
    without a warning)."""
    case = mapped(observation("h", HER2_IHC, valueString="100"))
    assert case.profile.her2_status == "unknown"
    assert reading_warnings(case) == ("Observation/h: HER2 IHC text gives 100+, not one score of 0-3+; not read",)


def test_a_her2_score_in_a_text_of_max_text_characters_is_read() -> None:
    """MAX_TEXT (1024) characters are read; only longer texts are not. Mutation in _ihc: `len(text)
    > MAX_TEXT` turned into `>=` (a text of exactly 1024 characters left unread)."""
    text = "HER2 IHC 3+ " + "a" * (1024 - 12)
    assert len(text) == 1024
    assert mapped(observation("h", HER2_IHC, valueString=text)).profile.her2_status == "positive"


def test_a_text_too_long_to_read_does_not_hide_the_short_score_after_it() -> None:
    """A concept text over MAX_TEXT is passed over, and the coding's display after it still read.
    Mutation in _ihc: the long text's `continue` turned into `break`."""
    concept = {"text": "a " * 600, **cc("http://example.org/local", "ihc", "3+")}
    obs = observation("h", HER2_IHC, valueCodeableConcept=concept)
    assert mapped(obs).profile.her2_status == "positive"


@pytest.mark.parametrize("value", [
    {"valueString": "IHC 1+ and 3+"},
    {"valueCodeableConcept": {"text": "IHC 1+", **cc("http://example.org/local", "ihc", "IHC 3+")}},
], ids=["one text", "two texts"])
def test_two_her2_scores_are_no_score(value: dict[str, Any]) -> None:
    """Mutations in _ihc: `len(found) > 1` (scores in one text) and `len(scores) > 1` (scores across
    texts) turned into `> 2` (1+ or 3+ read)."""
    case = mapped(observation("h", HER2_IHC, **value))
    assert case.profile.her2_status == "unknown"
    assert len(reading_warnings(case)) == 1 and "not read" in reading_warnings(case)[0]


def test_a_text_naming_two_statuses_is_not_read() -> None:
    """"Positive, borderline" asserts positive and equivocal: ER is unknown. Mutation in answer:
    `len(said) > 1` turned into `> 2` (read as positive)."""
    assert mapped(observation("er", ER_STAIN, valueString="Positive, borderline")).profile.er_status == "unknown"


LONG = "Estrogen receptor strongly positive in the invasive carcinoma, most tumour cell nuclei stained"


def test_a_note_quotes_the_first_80_characters_of_the_text() -> None:
    """Mutations in answer: the quoted `text[:80]` turned into `[: 81]` (the note) and `[: 79]`
    (the not-a-result warning)."""
    read = mapped(observation("er", ER_STAIN, valueString=LONG)).mapping.source("er_status")
    assert read is not None
    assert read.note == ("latest final result: LOINC 85337-4: text 'Estrogen receptor strongly positive in the "
                         "invasive carcinoma, most tumour cell ' (2024-01-01)")
    case = mapped(observation("er", ER_STAIN, valueString=LONG + ": not performed"))
    assert reading_warnings(case) == ("Observation/er: text 'Estrogen receptor strongly positive in the invasive "
                                      "carcinoma, most tumour cell ' says 'not performed', not a result; not read",)


def test_her2_low_stands_on_the_latest_ihc_score() -> None:
    """IHC 0, then IHC 1+: HER2-low, from the later. Mutation in _latest: `read[-1][1]` (its label)
    turned into `read[0][1]` (the earlier one named as the source)."""
    case = mapped(observation("i0", HER2_IHC, "2023-01-01", valueInteger=0),
                  observation("i1", HER2_IHC, "2024-01-01", valueInteger=1))
    read = case.mapping.source("her2_low")
    assert read is not None and (read.value, read.resources) == (True, ("Observation/i1",))


def test_ihc_3_plus_is_not_her2_low_even_with_a_later_negative_ish() -> None:
    """Mutations in her2_low: `score in (0, 3)` turned into `(0, 4)` (IHC 3+ with a negative ISH
    read as HER2-low), and the note's `'+' if score` into `if not score` ("IHC 3, ..." and
    "IHC 0+")."""
    ish_negative = observation("ish", HER2_ISH, "2024-01-01", valueCodeableConcept={"text": "not amplified"})
    case = mapped(observation("i3", HER2_IHC, "2023-01-01", valueInteger=3), ish_negative)
    read = case.mapping.source("her2_low")
    assert read is not None and (read.value, read.note) == (False, "IHC 3+, ISH negative: not HER2-low")
    zero = mapped(observation("i0", HER2_IHC, valueInteger=0)).mapping.source("her2_low")
    assert zero is not None and (zero.value, zero.note) == (False, "IHC 0: not HER2-low")

