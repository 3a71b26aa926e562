"""Gene readers (fhir/genes.py) go on past an Observation that does not count for the gene, and
their warnings say what an assessment they could not read held, so that a tumour board can see why
PIK3CA or BRCA stayed unknown. Each test names the mutation of fhir/genes.py it kills (issue 23)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.fhir.builders import LOINC, cc, gene_component, mapped, observation, reading_warnings

PIK3CA, BRCA1 = ("HGNC:8975", "PIK3CA"), ("HGNC:1100", "BRCA1")
PRESENT = "LA9633-4"
GERMLINE = {"code": cc(LOINC, "48002-0"), "valueCodeableConcept": cc(LOINC, "LA6683-2")}
SOMATIC = {"code": cc(LOINC, "48002-0"), "valueCodeableConcept": cc(LOINC, "LA6684-0")}


def assessment(oid: str, *components: dict[str, Any], gene: tuple[str, str] | None = PIK3CA,
               status: str = "final", **value: Any) -> dict[str, Any]:
    genes = [gene_component(*gene)] if gene else []
    return observation(oid, "69548-6", status=status, component=[*genes, *components], **value)


def described(**value: Any) -> dict[str, Any]:
    """An amino-acid change (48005-3) component."""
    return {"code": cc(LOINC, "48005-3"), **value}


def panel(oid: str, gene: tuple[str, str], status: str = "final") -> dict[str, Any]:
    return observation(oid, "53041-0", status=status, component=[gene_component(*gene)])


@pytest.mark.parametrize(("before", "field"), [
    (assessment("unnamed", gene=None, valueCodeableConcept=cc(LOINC, PRESENT)), "pik3ca_mutation"),
    (panel("prelim", PIK3CA, status="preliminary"), "pik3ca_mutation"),
    (panel("panel", BRCA1), "brca_mutation"),
    (assessment("somatic", SOMATIC, gene=BRCA1, valueCodeableConcept=cc(LOINC, PRESENT)), "brca_mutation"),
], ids=["variant in an unnamed gene", "panel not final", "panel for a germline field", "somatic for germline"])
def test_an_observation_that_does_not_count_never_hides_a_present_variant_after_it(
        before: dict[str, Any], field: str) -> None:
    """Mutations in _one_gene: each `continue` past an Observation that does not settle the gene
    turned into `break` (after an assessment naming no gene, a panel not final, a panel for a
    germline field, a somatic finding for a germline field): the present variant after it unread."""
    gene = BRCA1 if field == "brca_mutation" else PIK3CA
    extra = [GERMLINE] if field == "brca_mutation" else []
    found = assessment("found", *extra, gene=gene, valueCodeableConcept=cc(LOINC, PRESENT))
    case = mapped(before, found)
    assert case.profile.value(field) is True
    assert "Observation/found" in (case.mapping.source(field).resources or ())


def test_a_described_variant_in_a_text_of_max_text_characters_is_read() -> None:
    """MAX_TEXT (1024) characters are read. Mutation in _names_a_variant: `len(t) > MAX_TEXT` turned
    into `>=` (a variant named in 1024 characters not read)."""
    text = "p.His1047Arg " + "a" * 1011
    assert len(text) == 1024
    assert mapped(assessment("v", described(valueString=text))).profile.pik3ca_mutation is True


def test_a_local_code_names_no_variant() -> None:
    """A variant id counts only from a variant database (ClinVar, dbSNP, COSMIC, HGVS): a lab's own
    code "12345" names none. Mutation in _names_a_variant: `code and any(...)` turned into `or`."""
    case = mapped(assessment("v", described(valueCodeableConcept=cc("http://example.org/lab-codes", "12345"))))
    assert case.profile.pik3ca_mutation == "unknown"


def warning_for(*value: dict[str, Any], **kwargs: Any) -> tuple[str, ...]:
    case = mapped(assessment("v", *value, **kwargs))
    assert case.profile.pik3ca_mutation == "unknown"
    return reading_warnings(case)


def test_an_assessment_with_no_answer_says_so() -> None:
    """Mutations in assessment: `if described` turned into `if not described` (the warning speaks of
    a described variant there is none of), and the flags' `if flags` into `if not flags`."""
    assert warning_for() == ("Observation/v: a PIK3CA variant assessment with no answer; not read as a result",)
    flagged = warning_for(interpretation=[cc("http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation",
                                             "POS")])
    assert flagged == ("Observation/v: a PIK3CA variant assessment with no answer (interpretation POS); not read "
                       "as a result",)


@pytest.mark.parametrize(("value", "named"), [
    ({"valueCodeableConcept": cc(LOINC, "LA4489-6", "Unknown")}, "another code"),
    ({"valueString": "Detected"}, "valueString"),
])
def test_an_answer_that_is_not_present_or_absent_is_not_read_beside_a_described_variant(
        value: dict[str, Any], named: str) -> None:
    """A coded answer other than LA9633-4 (present) or LA9634-2 (absent) is no result, even beside a
    described variant: the warning names it. Mutations in assessment: `concept is None and other is
    None` turned into `or` (the described variant read as present), and `other or 'another code'`
    into `and` ("None")."""
    p_his = described(valueCodeableConcept={"text": "p.His1047Arg"})
    assert warning_for(p_his, **value) == (
        f"Observation/v: a PIK3CA variant assessment with an answer that is not LA9633-4 or LA9634-2 ({named}); "
        "not read as a result",)


def test_a_data_absent_reason_given_in_words_is_named_in_the_warning() -> None:
    """A dataAbsentReason given only as text ("Sample lost in transit") is named in the warning.
    A real defect: `"dataAbsentReason " + ", ".join(codes) or reason.text` never reached the text
    (the join's sum is never empty), so the warning read "with dataAbsentReason ; not read".
    Found by the surviving mutant `reason.text or "dataAbsentReason"` turned into `and`."""
    warnings = warning_for(dataAbsentReason={"text": "Sample lost in transit"})
    assert warnings == ("Observation/v: a PIK3CA variant assessment with dataAbsentReason Sample lost in transit; "
                        "not read as a result",)
