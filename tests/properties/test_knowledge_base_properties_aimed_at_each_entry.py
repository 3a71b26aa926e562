"""The knowledge-base properties again, with cases aimed at each entry's own conditions
(tests/aimed_strategies.py): rules with many conditions are reached, not only the shallow ones."""

from __future__ import annotations

from typing import Any

from hypothesis import assume, given

import igfrules
from igfrules.engine.reference import evaluate as reference
from igfrules.model.fields import FIELDS, STAGE_RANGES, UNKNOWN, Kind
from igfrules.model.validation import profile_from_mapping
from tests.aimed_strategies import aimed_cases, derived_inputs, domain
from tests.conftest import RULES
from tests.properties.test_knowledge_base_properties import SELF_CONTRADICTIONS
from tests.strategies import INPUT_FIELD_NAMES

KB = igfrules.load_knowledge_base(RULES)


def _profile(case: dict[str, Any]) -> igfrules.PatientProfile | None:
    """The profile, or None for a record igfrules refuses as contradicting itself (her2_low with a
    positive HER2, say): aimed values are drawn test by test and may clash."""
    try:
        return profile_from_mapping(case)
    except igfrules.CaseError:
        return None


def _contradicts_itself(profile: igfrules.PatientProfile) -> bool:
    """A record whose values imply the opposite of one another (warned about, not refused)."""
    return any(w.startswith(SELF_CONTRADICTIONS) for w in igfrules.evaluate(profile, KB).warnings)


@given(aimed_cases(KB))
def test_engine_and_reference_agree_on_cases_aimed_at_each_entry(case: dict[str, Any]) -> None:
    profile = _profile(case)
    assume(profile is not None)
    assert profile is not None
    assert KB.engine.evaluate(profile) == {n: reference(c, profile) for n, c in KB.conditions.items()}


@given(aimed_cases(KB))
def test_forgetting_any_value_never_adds_a_fired_entry_on_aimed_cases(case: dict[str, Any]) -> None:
    """Unknown is never read as negative: forgetting a field can move an entry from fired to
    needs_information, never from not listed to fired."""
    profile = _profile(case)
    assume(profile is not None and not _contradicts_itself(profile))
    fired = {n for n, v in KB.engine.evaluate(profile).items() if v is True}
    for name in list(case):
        forgotten = _profile({**case, name: UNKNOWN})
        assert forgotten is not None  # forgetting never makes a record contradict itself
        after = {n for n, v in KB.engine.evaluate(forgotten).items() if v is True}
        assert after <= fired, (name, after - fired)


def test_aimed_cases_reach_every_entry() -> None:
    """The generator is aimed: for every entry, it makes a case where the entry's condition is true
    and one where it is unknown (a generator that reaches only shallow rules fails here).

    Each entry is searched for on its own (hypothesis.find, derandomised): one shared sample of a
    few thousand cases reached every entry or not depending on what hypothesis had run before it."""
    from hypothesis import HealthCheck, find, settings
    from hypothesis.errors import NoSuchExample

    search = settings(max_examples=3000, derandomize=True, database=None, deadline=None,
                      suppress_health_check=list(HealthCheck))

    def values(case: dict[str, Any]) -> dict[str, bool | None]:
        profile = _profile(case)
        return KB.engine.evaluate(profile) if profile is not None else {}

    missed = []
    for name in sorted(KB.conditions):
        for wanted, label in ((True, "true"), (None, "unknown")):
            def reaches(case: dict[str, Any], name: str = name, wanted: bool | None = wanted) -> bool:
                found = values(case)
                return name in found and found[name] is wanted
            try:
                find(aimed_cases(KB), reaches, settings=search)
            except NoSuchExample:
                missed.append(f"{name} never {label}")
    assert missed == []


def _possible_values(name: str) -> list[Any]:
    field = FIELDS[name]
    if field.kind is Kind.ENUM:
        return list(field.values)
    if field.kind is Kind.FLAG:
        return [True, False]
    if field.kind is Kind.STAGE:
        return list(STAGE_RANGES)
    if field.kind is Kind.NUMBER:
        low, high = field.bounds or (0.0, 0.0)
        return sorted({low, high, 18.5, 24.9, 25.0, 29.9, 30.0, 40.0} & {v for v in (low, high, 18.5, 24.9, 25.0,
                      29.9, 30.0, 40.0) if low <= v <= high})
    return []  # prior therapies: too many lists to enumerate


@given(aimed_cases(KB))
def test_an_answer_given_with_a_field_unknown_holds_for_every_value_it_could_take(case: dict[str, Any]) -> None:
    """Three-valued soundness: true or false with a field unknown means true or false whatever its
    value. Mutation: an unknown PR read as negative in the hormone-receptor status (model/patient.py)
    made "ER negative, PR unknown" hormone-receptor negative; it passed every other property."""
    unknown = [n for n in INPUT_FIELD_NAMES if case.get(n, UNKNOWN) == UNKNOWN and _possible_values(n)]
    if not unknown:
        return
    profile = _profile(case)
    assume(profile is not None)
    assert profile is not None
    before = KB.engine.evaluate(profile)
    for name in unknown:
        for value in _possible_values(name):
            known = _profile({**case, name: value})
            if known is None:  # a value the record rules out (refused as contradicting it)
                continue
            after = KB.engine.evaluate(known)
            changed = {n for n, v in before.items() if v is not None and after[n] != v}
            if changed and _contradicts_itself(known):  # a value the record rules out (warned about)
                continue
            assert changed == set(), (name, value, changed)


def test_a_derived_value_known_with_an_input_unknown_holds_for_every_value_of_that_input() -> None:
    """The same soundness for each derived field (hormone-receptor status, advanced disease, the
    site flags), over every combination of its inputs' values, exhaustively. Mutation: an unknown
    PR read as negative in the hormone-receptor status: "ER negative, PR unknown" then said
    negative, which "PR positive" contradicts."""
    derived = [name for name, field in FIELDS.items() if field.derived_from]
    assert "hormone_receptor_status" in derived
    for name in derived:
        for inputs in derived_inputs(name):
            value = profile_from_mapping(inputs).value(name)
            if value == UNKNOWN:
                continue
            for source in [s for s, v in inputs.items() if v == UNKNOWN]:
                for filled in domain(source):
                    known = _profile({**inputs, source: filled})
                    if filled == UNKNOWN or known is None:
                        continue
                    assert known.value(name) == value, (name, inputs, source, filled)
