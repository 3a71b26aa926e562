"""Gene fields never turn what a record does not say into a value: a described variant that names
none, an assessment that is not final, a panel that failed, and one BRCA gene answering for both
all leave the field unknown."""

from __future__ import annotations

from typing import Any

import pytest

from tests.fhir.builders import LOINC, cc, gene_component, mapped, observation

PIK3CA = ("HGNC:8975", "PIK3CA")
BRCA1 = ("HGNC:1100", "BRCA1")
BRCA2 = ("HGNC:1101", "BRCA2")
NOT_PERFORMED = {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/data-absent-reason",
                             "code": "not-performed"}]}
PRESENT, ABSENT = "LA9633-4", "LA9634-2"
GERMLINE = {"code": cc(LOINC, "48002-0"), "valueCodeableConcept": cc(LOINC, "LA6683-2")}


def described(**value: Any) -> dict[str, Any]:
    """An amino-acid change (48005-3) component."""
    return {"code": cc(LOINC, "48005-3"), **value}


def assessment(oid: str, gene: tuple[str, str], *extra: dict[str, Any], answer: str | None = None,
               status: str = "final", **value: Any) -> dict[str, Any]:
    if answer:
        value["valueCodeableConcept"] = cc(LOINC, answer)
    return observation(oid, "69548-6", status=status, component=[gene_component(*gene), *extra], **value)


def panel(oid: str = "panel", *genes: tuple[str, str], status: str = "final", **value: Any) -> dict[str, Any]:
    return observation(oid, "53041-0", status=status,
                       component=[gene_component(*g) for g in genes or (PIK3CA,)], **value)


# 1. A described variant counts only when its value names one.

@pytest.mark.parametrize("component", [
    described(),
    described(dataAbsentReason=NOT_PERFORMED),
    described(valueCodeableConcept={"text": "No variant detected"}),
    described(valueCodeableConcept={"text": "wild type"}),
    described(valueString="No mutation detected"),
    described(valueCodeableConcept={"text": "Not detected: p.His1047Arg"}),
    described(valueCodeableConcept={"text": "possible p.His1047Arg?"}),
    described(valueCodeableConcept=cc(LOINC, ABSENT, "Absent")),
    described(valueString="see report p.3"),  # a page, not a protein change
])
def test_a_described_variant_that_names_none_is_unknown(component: dict[str, Any]) -> None:
    case = mapped(assessment("v", PIK3CA, component))
    assert case.profile.pik3ca_mutation == "unknown"
    assert any("PIK3CA variant assessment" in w and "not read" in w for w in case.mapping.warnings)


@pytest.mark.parametrize("component", [
    described(valueCodeableConcept=cc("http://varnomen.hgvs.org", "NP_006209.2:p.His1047Arg")),
    described(valueCodeableConcept={"text": "p.His1047Arg"}),
    described(valueCodeableConcept={"text": "H1047R"}),
    described(valueString="p.E545K"),
    {"code": cc(LOINC, "48004-6"), "valueCodeableConcept": {"text": "NM_006218.4:c.3140A>G"}},
    {"code": cc(LOINC, "81252-9"), "valueCodeableConcept": cc("http://www.ncbi.nlm.nih.gov/clinvar", "13652")},
])
def test_a_described_variant_that_names_one_is_present(component: dict[str, Any]) -> None:
    assert mapped(assessment("v", PIK3CA, component)).profile.pik3ca_mutation is True


def test_a_described_variant_that_names_none_does_not_hide_behind_a_panel() -> None:
    empty = assessment("v", PIK3CA, described(dataAbsentReason=NOT_PERFORMED))
    assert mapped(panel(), empty).profile.pik3ca_mutation == "unknown"


# 2. A panel answers False only over what it could use.

@pytest.mark.parametrize("status", ["preliminary", "registered", "cancelled", "entered-in-error"])
def test_an_assessment_that_is_not_final_leaves_a_studied_gene_unknown(status: str) -> None:
    pending = assessment("v", PIK3CA, answer=PRESENT, status=status)
    case = mapped(panel(), pending)
    assert case.profile.pik3ca_mutation == "unknown"
    assert "Observation/v" in case.mapping.source("pik3ca_mutation").resources
    assert any("Observation/v" in w and status in w for w in case.mapping.warnings)
    assert mapped(pending).profile.pik3ca_mutation == "unknown"


@pytest.mark.parametrize("status", ["preliminary", "registered", "cancelled", "entered-in-error"])
def test_an_assessment_that_is_not_final_never_hides_a_final_present_one(status: str) -> None:
    case = mapped(assessment("p", PIK3CA, answer=ABSENT, status=status), assessment("v", PIK3CA, answer=PRESENT))
    assert case.profile.pik3ca_mutation is True
    assert case.mapping.source("pik3ca_mutation").resources == ("Observation/v",)


@pytest.mark.parametrize("value", [
    {"valueString": "Test failed: insufficient DNA"},
    {"valueCodeableConcept": {"text": "Test failed"}},
    {"dataAbsentReason": NOT_PERFORMED},
    {"note": [{"text": "Sequencing failed: insufficient DNA"}]},
])
def test_a_failed_panel_studied_nothing(value: dict[str, Any]) -> None:
    case = mapped(panel(**value))
    assert case.profile.pik3ca_mutation == "unknown"


@pytest.mark.parametrize("status", ["preliminary", "registered", "cancelled", "entered-in-error"])
def test_a_panel_that_is_not_final_studied_nothing(status: str) -> None:
    assert mapped(panel(status=status)).profile.pik3ca_mutation == "unknown"


def test_a_failed_panel_does_not_undo_a_good_one() -> None:
    case = mapped(panel("failed", valueString="Test failed: insufficient DNA"), panel("good"))
    assert case.profile.pik3ca_mutation is False
    assert case.mapping.source("pik3ca_mutation").resources == ("Observation/good",)


# 3. Each BRCA gene answers for itself.

def germline(oid: str, gene: tuple[str, str], answer: str) -> dict[str, Any]:
    return assessment(oid, gene, GERMLINE, answer=answer)


@pytest.mark.parametrize(("resources", "expected"), [
    ([germline("b1", BRCA1, ABSENT)], "unknown"),  # BRCA2 never studied
    ([germline("b2", BRCA2, ABSENT)], "unknown"),  # BRCA1 never studied
    ([germline("b1", BRCA1, ABSENT), germline("b2", BRCA2, ABSENT)], False),
    ([germline("b1", BRCA1, PRESENT)], True),
    ([germline("b1", BRCA1, ABSENT), germline("b2", BRCA2, PRESENT)], True),
    ([germline("b1", BRCA1, ABSENT), assessment("b2", BRCA2, GERMLINE, dataAbsentReason=NOT_PERFORMED)],
     "unknown"),
    ([germline("b1", BRCA1, ABSENT), assessment("b2", BRCA2, GERMLINE, answer=ABSENT, status="preliminary")],
     "unknown"),
    ([germline("b1", BRCA1, ABSENT), panel("p", BRCA1, BRCA2)], "unknown"),  # a panel does not say germline
    ([], "unknown"),
])
def test_brca_needs_both_genes_for_false(resources: list[dict[str, Any]], expected: Any) -> None:
    assert mapped(*resources).profile.brca_mutation == expected


def test_brca_false_names_both_genes_and_both_resources() -> None:
    source = mapped(germline("b1", BRCA1, ABSENT), germline("b2", BRCA2, ABSENT)).mapping.source("brca_mutation")
    assert source.value is False
    assert source.resources == ("Observation/b1", "Observation/b2")
    assert "BRCA1" in source.note and "BRCA2" in source.note


def test_brca1_absent_alone_says_brca2_was_not_studied() -> None:
    source = mapped(germline("b1", BRCA1, ABSENT)).mapping.source("brca_mutation")
    assert source.value == "unknown"
    assert source.resources == ("Observation/b1",)
    assert "BRCA2 not among the genes studied" in source.note


def test_a_variant_in_a_gene_not_named_readably_keeps_a_panel_from_making_pik3ca_absent() -> None:
    """A PIK3CA 'present' assessment whose gene is coded in a system igfrules does not read (and has
    no symbol) was skipped, and a panel that studied PIK3CA then made the gene absent."""
    unnamed = {"code": cc(LOINC, "48018-6"), "valueCodeableConcept": cc("https://www.ncbi.nlm.nih.gov/gene", "5290")}
    panel = observation("panel", "53041-0", component=[gene_component("HGNC:8975", "PIK3CA")])
    present = observation("v", "69548-6", component=[unnamed], valueCodeableConcept=cc(LOINC, "LA9633-4"))
    assert mapped(panel).profile.pik3ca_mutation is False
    case = mapped(panel, present)
    assert case.profile.pik3ca_mutation == "unknown"
    source = case.mapping.source("pik3ca_mutation")
    assert source is not None and "names no gene" in source.note


def test_a_gene_coding_whose_hgnc_id_and_symbol_name_different_genes_names_neither() -> None:
    panel = observation("p", "53041-0", component=[gene_component("HGNC:8975", "BRCA1")])  # 8975 is PIK3CA
    absent = observation("a", "69548-6", valueCodeableConcept=cc(LOINC, ABSENT),
                         component=[gene_component("HGNC:1100", "PIK3CA")])  # 1100 is BRCA1
    case = mapped(panel, absent)
    assert case.profile.pik3ca_mutation == "unknown"


def test_hgnc_ids_with_or_without_the_prefix_name_their_genes() -> None:
    for code in ("HGNC:8975", "8975"):
        panel = observation("p", "53041-0", component=[gene_component(code, "PIK3CA")])
        assert mapped(panel).profile.pik3ca_mutation is False
