"""The negation-aware reader of words (fhir/findings.py) reads each term in its own clause, whole,
case-folded, in texts of up to MAX_TEXT (1024) characters, and says in the note why a term it found
was not taken: the reader where a negated or hedged text would otherwise become a finding. Each
test names the mutation of fhir/findings.py it kills (issue 23)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.fhir.builders import cc, mapped, observation, reading_warnings

ER_STAIN, HER2_IHC, STAGE = "85337-4", "85319-2", "21908-9"
NOT_READ = "no final result with a readable value for LOINC 85337-4, 16112-5, 40556-3, 85329-1, 14228-1"


def er(text: str) -> Any:
    return mapped(observation("er", ER_STAIN, valueString=text))


def condition_text(text: str) -> dict[str, Any]:
    return {"resourceType": "Condition", "id": "c", "code": {"text": text}, "subject": {"reference": "Patient/p"}}


def test_a_negation_spelt_with_a_ligature_is_still_a_negation() -> None:
    """Text pasted from a PDF keeps its ligatures: "not con\ufb01rmed" (U+FB01) is "not confirmed",
    so ER "Positive (not con\ufb01rmed)" is negated, not positive. Casefolding ("\ufb01" -> "fi")
    changes the text's length, and mentions() then fell back to lower(), which keeps the ligature
    and missed the cue (a real defect; found by the survivors of `len(folded) != len(text)` in
    mentions turned into `==` and into `not ... !=`, which read it right)."""
    case = er("Positive (not con\ufb01rmed)")
    assert case.profile.er_status == "unknown"
    assert case.mapping.source("er_status").note == NOT_READ + " (Observation/er: 'positive' negated)"


@pytest.mark.parametrize(("text", "how"), [
    ("Not positive", "negated"), ("Possibly positive", "uncertain"), ("Positive in mother", "someone else's"),
])
def test_the_note_says_why_a_term_was_not_taken(text: str, how: str) -> None:
    """Mutations in findings.py: not_asserted()'s `not m.asserted` turned into `m.asserted`; why_not's
    loop over it made empty; its `"negated" if mention.negated` and `"someone else's" if
    mention.someone_else` each turned into `if not ...`; read_all's `too_long = False` into True."""
    note = er(text).mapping.source("er_status").note
    assert note == NOT_READ + f" (Observation/er: 'positive' {how})"


@pytest.mark.parametrize(("length", "expected"), [(1024, "positive"), (1025, "unknown")])
def test_a_text_of_max_text_characters_is_read_and_a_longer_one_is_not(length: int, expected: str) -> None:
    """MAX_TEXT is 1024. Mutations: MAX_TEXT 1023 or 1025; mentions()'s `len(text) > MAX_TEXT` turned
    into `>=`."""
    text = "Positive " + "a" * (length - 9)
    assert len(text) == length and er(text).profile.er_status == expected


def test_the_note_says_a_text_over_max_text_was_not_read() -> None:
    """Mutations: why_not's `if reading.too_long` turned into `if not`; mentions()' `too_long=True`
    into False; read_all's `too_long or reading.too_long` into `and`."""
    note = er("Positive " + "a" * 1016).mapping.source("er_status").note
    assert note == NOT_READ + " (Observation/er: text over 1024 characters not read)"


@pytest.mark.parametrize(("text", "expected"), [
    ("Borderline?; positive on excision", "positive"),  # the "?" is the clause before's
    ("Stained,no positive nuclei", "unknown"),  # "no" starts its clause: the clause is read from it
])
def test_a_clause_starts_right_after_its_break(text: str, expected: str) -> None:
    """Mutations in _said_of: `start = breaks[left - 1] + 1` turned into `- 1` (the "?" of the
    clause before hedges positive) and into `+ 2` (the "n" of "no" cut off: positive read)."""
    assert er(text).profile.er_status == expected


def test_a_clause_starts_at_the_break_just_before_it() -> None:
    """A negated bone metastasis between a liver and a lung one: liver and lung. Mutation in
    _said_of: `breaks[left - 1]` turned into `breaks[left - 2]`, which for the second clause is the
    last break, after the bone: the bone's "no" is lost and bone read as a site."""
    case = mapped(condition_text("Liver metastasis, no bone metastasis, lung"))
    assert case.profile.metastatic_sites == ("liver", "lung")


def test_a_break_right_after_a_bracket_still_ends_the_clause() -> None:
    """Mutation in _within: `at < spans[i][1]` turned into `<=` (the comma right after "(biopsy)"
    read as inside it, so "ruled out" reached back to the liver)."""
    case = mapped(condition_text("Liver metastasis (biopsy), lung metastasis ruled out"))
    assert case.profile.metastatic_sites == ("liver",)


def test_the_longest_term_is_read_first() -> None:
    """"Bone marrow" is not "bone": a bone marrow metastasis is a site igfrules does not classify,
    so the sites are unknown. Mutation in _pattern: `reverse=True` turned into False (the shorter
    "bone" found first: read as a bone metastasis)."""
    assert mapped(condition_text("Bone marrow metastasis")).profile.metastatic_sites == "unknown"


def test_a_score_in_a_text_whose_case_folding_changes_its_length_is_hedged() -> None:
    """said_of does not read a text whose case folding changes its length (its offsets are the
    caller's): the HER2 score there is in doubt, with a warning that says so. Mutations in said_of:
    `len(text) > MAX_TEXT or len(folded) != len(text)` turned into `and`; its Mention's
    `uncertain=True` into False; Mention's default `negated: bool = False` into True ("a negated
    score")."""
    case = mapped(observation("h", HER2_IHC, valueString="HER2 IHC 3+, \ufb01rst block"))
    assert case.profile.her2_status == "unknown"
    assert reading_warnings(case) == ("Observation/h: HER2 IHC text 'HER2 IHC 3+, \ufb01rst block' gives a hedged "
                                      "score, not one score; not read",)


def test_a_her2_score_in_a_text_of_max_text_characters_is_asserted() -> None:
    """Mutation in said_of: `len(text) > MAX_TEXT` turned into `>=` (a score in 1024 characters
    taken as hedged)."""
    text = "HER2 IHC 3+ " + "a" * 1012
    assert mapped(observation("h", HER2_IHC, valueString=text)).profile.her2_status == "positive"


def stage(text: str) -> Any:
    concept = {"text": text, **cc("http://cancerstaging.org", "IIB")}
    return mapped(observation("s", STAGE, valueCodeableConcept=concept)).profile.stage


@pytest.mark.parametrize(("text", "expected"), [
    ("Stage IIB " + "a" * 1014, "IIB"),  # 1024 characters: read, no doubt in it
    ("Stage IIB " + "a" * 1015, "unknown"),  # 1025: not read, so in doubt; the code beside it is not taken
    ("Not stage IIB", "unknown"),  # a negation before, none after
])
def test_a_stage_code_beside_a_long_or_negated_text_is_no_stage(text: str, expected: str) -> None:
    """Mutations in negated_or_hedged: `len(text) > MAX_TEXT` turned into `>=`; its `return True`
    for a long text into False; `_BEFORE.search(...) or _AFTER.search(...)` into `and`."""
    assert stage(text) == expected
