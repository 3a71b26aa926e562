"""The receptor readers hold at their edges: 100% of nuclei is in range and 100.5% is not, a range
with one end is read, a 1024-character text is still read for what makes it no result, warnings
quote a text's first 80 characters, and HER2-low stands on the latest IHC score and a read ISH."""

from __future__ import annotations

from typing import Any

import pytest

from tests.fhir.builders import LOINC, NEGATIVE, cc, mapped, observation, reading_warnings

ER_STAIN, HER2_IHC, HER2_ISH = "85337-4", "85319-2", "85318-4"


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
