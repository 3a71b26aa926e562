"""A PIK3CA or BRCA variant assessment that is not read as a result leaves the field unknown with
a warning that says why, in words a tumour board can check against the record: no answer (and the
interpretation flags it carries, if any), a described variant that names none, or an answer that is
not the present/absent code. A described variant's text is read up to 1024 characters (the limit
findings.py sets on any text igfrules reads) and no further."""

from __future__ import annotations

from typing import Any

import pytest

from tests.fhir.builders import LOINC, cc, gene_component, mapped, observation, reading_warnings

PIK3CA = ("HGNC:8975", "PIK3CA")
INTERPRETATION = "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation"


def assessment(*components: dict[str, Any], **value: Any) -> dict[str, Any]:
    return observation("v", "69548-6", component=[gene_component(*PIK3CA), *components], **value)


def amino_acid_change(**value: Any) -> dict[str, Any]:
    return {"code": cc(LOINC, "48005-3"), **value}


def not_read(why: str) -> tuple[str, ...]:
    return (f"Observation/v: a PIK3CA variant assessment with {why}; not read as a result",)


@pytest.mark.parametrize(("resource", "why"), [
    (assessment(), "no answer"),
    (assessment(interpretation=[cc(INTERPRETATION, "POS"), cc(INTERPRETATION, "A")]),
     "no answer (interpretation POS, A)"),
    (assessment(amino_acid_change(valueString="No variant detected")),
     "a described variant whose value names none (no value, an absent reason, or words)"),
    (assessment(amino_acid_change(valueCodeableConcept=cc("http://example.org/lab-tests", "4471"))),
     "a described variant whose value names none (no value, an absent reason, or words)"),
], ids=["nothing", "interpretation", "described-none", "described-by-a-local-code"])
def test_an_assessment_with_no_answer_says_what_it_held_instead(resource: dict[str, Any], why: str) -> None:
    """Mutations in fhir/genes.py assessment(): `if flags` turned into `if not flags` (the flags
    then named only when there are none), and `if described` into `if not described` (a
    described variant that names none reported as no answer, and no answer as such a variant); and
    in _names_a_variant(), `code and any(...)` turned into `or` (any code of any system then taken
    for a variant database id, so a lab's own test code made the variant present)."""
    case = mapped(resource)
    assert case.profile.pik3ca_mutation == "unknown"
    assert reading_warnings(case) == not_read(why)


@pytest.mark.parametrize(("value", "why"), [
    ({"valueCodeableConcept": cc(LOINC, "LA4489-6", "Unknown")}, "another code"),
    ({"valueString": "p.His1047Arg"}, "valueString"),
], ids=["other-code", "string"])
def test_an_answer_that_is_not_the_present_or_absent_code_is_not_read_beside_a_described_variant(
        value: dict[str, Any], why: str) -> None:
    """An assessment answered by another code (or in words) is not read, even when a component
    describes a variant: the answer stands over the description, and it is not "present".
    Mutations in fhir/genes.py assessment(): `concept is None and other is None` turned into `or`
    (the described variant then read as present past an answer that says otherwise), and
    `other or 'another code'` into `and` (the warning then naming None, or not the value's kind)."""
    case = mapped(assessment(amino_acid_change(valueString="p.His1047Arg"), **value))
    assert case.profile.pik3ca_mutation == "unknown"
    assert reading_warnings(case) == not_read(f"an answer that is not LA9633-4 or LA9634-2 ({why})")


@pytest.mark.parametrize(("length", "expected"), [(1024, True), (1025, "unknown")])
def test_a_described_variants_text_is_read_up_to_1024_characters(length: int, expected: Any) -> None:
    """Mutation: `len(t) > MAX_TEXT` turned into `>=` in fhir/genes.py _names_a_variant() (a
    text of exactly the limit then left unread)."""
    text = "p.His1047Arg " + "x" * (length - 13)
    assert len(text) == length
    case = mapped(assessment(amino_acid_change(valueString=text)))
    assert case.profile.pik3ca_mutation == expected


DATA_ABSENT = "http://terminology.hl7.org/CodeSystem/data-absent-reason"


@pytest.mark.parametrize(("reason", "said"), [
    ({"coding": [{"system": DATA_ABSENT, "code": "not-performed"}]}, "dataAbsentReason not-performed"),
    ({"coding": [{"system": "http://example.org/lab", "display": "Lost in transit"}]},
     "dataAbsentReason Lost in transit"),
    ({"text": "Sample haemolysed"}, "dataAbsentReason Sample haemolysed"),
    ({"coding": [{"system": "http://example.org/lab"}]}, "dataAbsentReason"),
], ids=["code", "display", "text-only", "nothing-said"])
def test_a_data_absent_reason_is_named_by_its_code_display_or_text(reason: dict[str, Any], said: str) -> None:
    """The reason a result is absent is what a tumour board checks first, whether the record codes
    it or only words it. Fixed defect: a reason given only as text was warned as "dataAbsentReason "
    (nothing after it): `"dataAbsentReason " + codes or reason.text` is never falsy, so the text
    was never reached, which is why the mutation of `or reason.text or "dataAbsentReason"` into
    `and` in fhir/genes.py _absent_reason() survived. In the fixed code, `or reason.text` turned
    into `and`, and `if said` into `if not said`, fail here."""
    variant = mapped(assessment(dataAbsentReason=reason))
    assert variant.profile.pik3ca_mutation == "unknown"
    assert reading_warnings(variant) == not_read(said)
    panel = mapped(observation("p", "53041-0", component=[gene_component(*PIK3CA)], dataAbsentReason=reason))
    assert panel.profile.pik3ca_mutation == "unknown"
    assert reading_warnings(panel) == (f"Observation/p: a panel studying PIK3CA with {said}; it studied nothing",)
