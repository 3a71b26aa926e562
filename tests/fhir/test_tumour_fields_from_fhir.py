"""Receptors, stage, visceral disease and PIK3CA read from mCODE resources, code by code."""

from __future__ import annotations

from typing import Any

import pytest

from tests.fhir.builders import (
    HGNC,
    ICD10,
    LOINC,
    NEGATIVE,
    POSITIVE,
    SCT,
    cc,
    condition,
    gene_component,
    mapped,
    observation,
    reading_warnings,
)


@pytest.mark.parametrize(("code", "value", "expected"), [
    ("85337-4", {"valueCodeableConcept": POSITIVE}, "positive"),
    ("16112-5", {"valueCodeableConcept": NEGATIVE}, "negative"),
    ("16112-5", {"valueCodeableConcept": cc(SCT, "10828004")}, "positive"),
    ("16112-5", {"valueCodeableConcept": cc(SCT, "260385009")}, "negative"),
    ("85337-4", {"valueQuantity": {"value": 1, "unit": "%"}}, "positive"),
    ("85337-4", {"valueQuantity": {"value": 0.5, "unit": "%"}}, "negative"),
    ("85337-4", {"valueCodeableConcept": {"text": "no idea"}}, "unknown"),
])
def test_er_values(code: str, value: dict[str, Any], expected: str) -> None:
    case = mapped(observation("er", code, **value))
    assert case.profile.er_status == expected
    if expected != "unknown":
        assert case.mapping.source("er_status").resources == ("Observation/er",)


@pytest.mark.parametrize(("score", "expected"), [("3+", "positive"), ("2+", "unknown"), ("1+", "negative"),
                                                 ("0", "negative")])
def test_her2_ihc_scores(score: str, expected: str) -> None:
    case = mapped(observation("ihc", "85319-2", valueCodeableConcept={"text": score}))
    assert case.profile.her2_status == expected


def test_her2_ihc_2_plus_is_settled_by_ish() -> None:
    case = mapped(observation("ihc", "85319-2", "2024-01-01", valueCodeableConcept={"text": "2+"}),
                  observation("ish", "85318-4", "2024-01-05", valueCodeableConcept=NEGATIVE))
    assert case.profile.her2_status == "negative"
    assert reading_warnings(case) == ()


def test_the_latest_final_result_wins_and_disagreement_is_a_warning() -> None:
    case = mapped(observation("old", "48676-1", "2020-01-01", valueCodeableConcept=NEGATIVE),
                  observation("new", "85319-2", "2023-01-01", valueCodeableConcept={"text": "3+"}),
                  observation("prelim", "48676-1", "2024-01-01", status="preliminary", valueCodeableConcept=NEGATIVE))
    assert case.profile.her2_status == "positive"
    assert len(reading_warnings(case)) == 1
    assert "HER2 results disagree" in reading_warnings(case)[0]
    assert "Observation/old" in reading_warnings(case)[0]


@pytest.mark.parametrize(("value", "expected"), [("2B", "IIB"), ("3C", "IIIC"), ("4", "IV"), ("1A", "IA"),
                                                 ("0", "0"), ("IIIA", "IIIA"), ("Stage IIB", "IIB"), ("9Z", "unknown")])
def test_ajcc_stage_groups(value: str, expected: str) -> None:
    case = mapped(observation("s", "21908-9", valueCodeableConcept=cc("http://cancerstaging.org", value)))
    assert case.profile.stage == expected


def test_stage_policy_latest_observation_then_pathological_and_a_warning() -> None:
    case = mapped(observation("clin", "21908-9", "2024-02-01", valueCodeableConcept={"text": "Stage IIA"}),
                  observation("path", "21902-2", "2024-02-01", valueCodeableConcept={"text": "Stage IIB"}),
                  condition("primary", SCT, "254837009", stage=[{"summary": {"text": "IIA"}}]))
    assert case.profile.stage == "IIB"
    assert any("stage sources disagree" in w for w in case.mapping.warnings)


def test_stage_from_condition_summary_alone() -> None:
    case = mapped(condition("primary", SCT, "254837009", stage=[{"summary": cc("http://cancerstaging.org", "3A")}]))
    assert case.profile.stage == "IIIA"
    assert case.mapping.source("stage").resources == ("Condition/primary",)
    assert case.mapping.warnings == ()


@pytest.mark.parametrize(("resources", "expected"), [
    ([condition("m", SCT, "94381002", body=("10200004", "Liver structure"))], True),
    ([condition("m", SCT, "128462008", body=("3120008", "Pleural membrane structure"))], True),
    ([condition("m", SCT, "128462008", body=("23451007", "Adrenal gland"))], True),
    ([condition("m", ICD10, "C79.31")], False),  # the brain is not visceral: cns_metastases
    ([condition("m", ICD10, "C78.6")], True),
    ([condition("b", SCT, "94222008", body=("272673000", "Bone structure")),
      condition("n", SCT, "128462008", body=("59441001", "Lymph node structure"))], False),
    ([condition("m", ICD10, "C79.51"), condition("s", ICD10, "C79.2")], False),
    ([condition("m", SCT, "128462008")], "unknown"),
    ([observation("s", "21908-9", valueCodeableConcept={"text": "IV"})], "unknown"),
    ([condition("m", SCT, "94381002", verificationStatus=cc(
        "http://terminology.hl7.org/CodeSystem/condition-ver-status", "refuted"))], "unknown"),
])
def test_visceral_disease_from_secondary_cancer_conditions(resources: list[dict[str, Any]], expected: Any) -> None:
    case = mapped(*resources)
    assert case.profile.value("visceral_disease") == expected  # as conditions read it: from the sites


def test_stage_iv_without_sites_says_so() -> None:
    case = mapped(observation("s", "21908-9", valueCodeableConcept={"text": "IV"}))
    assert case.mapping.source("visceral_disease").note == "stage IV with no metastatic site recorded"


def _variant(oid: str, value: str | None, significance: str | None = None, hgnc: str = "HGNC:8975",
             symbol: str = "PIK3CA") -> dict[str, Any]:
    components = [gene_component(hgnc, symbol)]
    if significance:
        components.append({"code": cc(LOINC, "53037-8"), "valueCodeableConcept": cc(LOINC, significance)})
    extra = {"valueCodeableConcept": cc(LOINC, value)} if value else {}
    return observation(oid, "69548-6", component=components, **extra)


def _studied(*genes: tuple[str, str]) -> dict[str, Any]:
    return observation("region", "53041-0", component=[gene_component(h, s) for h, s in genes])


@pytest.mark.parametrize(("resources", "expected"), [
    ([_variant("v", "LA9633-4")], True),
    ([_variant("v", "LA9633-4", "LA6668-3"), _studied(("HGNC:8975", "PIK3CA"))], True),
    ([_studied(("HGNC:8975", "PIK3CA"), ("HGNC:11998", "TP53"))], False),
    ([_variant("v", "LA9634-2")], False),
    ([_variant("v", "LA9633-4", "LA6675-8")], False),  # benign: not a mutation in the rules' sense
    ([_variant("v", "LA9633-4", "LA26333-7")], "unknown"),  # uncertain significance
    ([_studied(("HGNC:11998", "TP53"))], "unknown"),  # a panel without PIK3CA says nothing about it
    ([_variant("v", "LA9633-4", hgnc="HGNC:11998", symbol="TP53")], "unknown"),
    ([], "unknown"),
])
def test_pik3ca(resources: list[dict[str, Any]], expected: Any) -> None:
    assert mapped(*resources).profile.pik3ca_mutation == expected


def test_hgnc_code_without_prefix_and_symbol_only() -> None:
    plain = observation("region", "53041-0", component=[
        {"code": cc(LOINC, "48018-6"), "valueCodeableConcept": cc(HGNC, "8975")}])
    symbol = observation("region2", "53041-0", component=[
        {"code": cc(LOINC, "48018-6"), "valueCodeableConcept": {"text": "PIK3CA"}}])
    assert mapped(plain).profile.pik3ca_mutation is False
    assert mapped(symbol).profile.pik3ca_mutation is False
