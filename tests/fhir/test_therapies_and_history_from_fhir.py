"""Prior therapies, setting, progression, diabetes, BMI, IGF-1 and menopausal status from FHIR."""

from __future__ import annotations

from typing import Any

import pytest

from igfrules.fhir.profile import map_bundle
from igfrules.fhir.therapies import agents_in_text
from igfrules.model.vocabulary import vocabulary
from tests.fhir.builders import (
    ICD10,
    LOINC,
    MC,
    RX,
    SCT,
    bundle,
    cc,
    condition,
    medication,
    observation,
    status,
)


def therapies(*resources: dict[str, Any]) -> Any:
    return map_bundle(bundle(*resources)).profile.prior_therapies


def test_matched_by_rxnorm_ingredient() -> None:
    result = therapies(medication("m", cc(RX, "224905", "trastuzumab")))
    assert [(t.agent, t.setting) for t in result] == [("trastuzumab", "metastatic")]


def test_every_rxcui_in_the_vocabulary_is_unique_and_numeric() -> None:
    codes = [a.rxcui for a in vocabulary().agents.values() if a.rxcui]
    assert len(codes) == len(set(codes)) >= 20
    assert all(code.isdigit() for code in codes)


@pytest.mark.parametrize(("text", "agents"), [
    ("doxorubicin hydrochloride 20 MG per 10 ML Injection", ["doxorubicin"]),
    ("ado-trastuzumab emtansine 100 MG Injection", ["trastuzumab emtansine"]),
    ("pertuzumab / trastuzumab / hyaluronidase-zzxf", ["pertuzumab", "trastuzumab"]),
    ("Herceptin 150 MG Injection", ["trastuzumab"]),
    ("metformin 500 MG Oral Tablet", []),
    ("PPPx", []),
])
def test_text_fallback(text: str, agents: list[str]) -> None:
    assert agents_in_text(text) == agents


def test_product_code_falls_back_on_display() -> None:
    concept = cc(RX, "1790099", "doxorubicin hydrochloride 20 MG per 10 ML Injection")  # an SCD, not an ingredient
    assert [t.agent for t in therapies(medication("m", concept))] == ["doxorubicin"]


@pytest.mark.parametrize(("concept", "agent"), [
    (cc(RX, "3639", "doxorubicin hydrochloride 2 MG/ML Injectable Liposomal Suspension"), "liposomal doxorubicin"),
    (cc(RX, "1790099", "doxorubicin hydrochloride 2 MG/ML Injectable Liposomal Suspension"), "liposomal doxorubicin"),
    ({"text": "Doxil 20 MG"}, "liposomal doxorubicin"),
    (cc(RX, "3639", "doxorubicin hydrochloride liposome injection"), "liposomal doxorubicin"),
    (cc(RX, "3639", "pegylated liposomal doxorubicin hydrochloride"), "liposomal doxorubicin"),
    (cc(RX, "3639", "doxorubicin"), "doxorubicin"),
    (cc(RX, "3639"), "doxorubicin"),
    # the words say conventional doxorubicin, or the form belongs to another drug
    (cc(RX, "3639", "doxorubicin (non-liposomal)"), "doxorubicin"),
    (cc(RX, "3639", "conventional doxorubicin, not pegylated"), "doxorubicin"),
    (cc(RX, "3639", "doxorubicin + liposomal irinotecan"), "doxorubicin"),
    ({"text": "doxorubicin + liposomal irinotecan"}, "doxorubicin"),
])
def test_liposomal_doxorubicin_shares_the_ingredient_code_and_is_told_apart_by_its_words(
        concept: dict[str, Any], agent: str) -> None:
    assert [t.agent for t in therapies(medication("m", concept))] == [agent]


def test_unrecognised_cancer_medicine_is_listed_never_fatal() -> None:
    case = map_bundle(bundle(medication("x", {"text": "investigational drug XYZ-123"}),
                             medication("t", cc(RX, "10324", "tamoxifen"), intent_kind="curative")))
    assert [t.agent for t in case.profile.prior_therapies] == ["tamoxifen"]
    assert [m.model_dump() for m in case.mapping.unrecognised_medicines] == [
        {"resource": "MedicationRequest/x", "text": "investigational drug XYZ-123"}]
    assert any("not recognised" in w for w in case.mapping.warnings)


def test_medicines_not_marked_cancer_related_are_ignored_quietly() -> None:
    case = map_bundle(bundle(medication("metformin", cc(RX, "6809", "metformin"), intent_kind="")))
    assert case.profile.prior_therapies == "unknown"
    assert case.mapping.unrecognised_medicines == ()


@pytest.mark.parametrize(("extra", "kept"), [
    ({"status": "entered-in-error"}, False), ({"status": "cancelled"}, False), ({"intent": "proposal"}, False),
    ({"status": "stopped"}, True), ({"status": "active"}, True),
])
def test_requests_that_were_never_given_do_not_count(extra: dict[str, Any], kept: bool) -> None:
    resource = medication("m", cc(RX, "10324"))
    resource.update(extra)
    assert (therapies(resource) != "unknown") is kept


def test_setting_from_dates_and_surgery() -> None:
    surgery = {"resourceType": "Procedure", "id": "surgery", "status": "completed",
               "category": cc(SCT, "387713003"), "code": cc(SCT, "64368001", "Partial mastectomy"),
               "subject": {"reference": "Patient/p"}, "performedDateTime": "2020-06-01"}
    metastasis = condition("liver", SCT, "94381002", when="2022-01-01", onsetDateTime="2022-01-01")
    result = therapies(
        surgery, metastasis,
        medication("neo", cc(RX, "56946"), "2020-01-01", intent_kind="curative"),
        medication("adj", cc(RX, "10324"), "2020-08-01", intent_kind="curative"),
        medication("met", cc(RX, "282357"), "2022-02-01", intent_kind=""),
        medication("none", cc(RX, "3639"), "2019-01-01", intent_kind=""),
    )
    assert {(t.agent, t.setting) for t in result} == {
        ("paclitaxel", "neoadjuvant"), ("tamoxifen", "adjuvant"), ("fulvestrant", "metastatic"),
        ("doxorubicin", "unknown")}


def test_progression_from_disease_status_in_the_therapy_window() -> None:
    result = therapies(
        medication("first", cc(RX, "84857"), "2021-01-01"),
        status("better", "2021-06-01", "268910001"),
        status("worse", "2022-01-01", "271299001"),  # the day the next line began: ends the first
        medication("second", cc(RX, "282357"), "2022-01-01"),
        status("stable", "2022-06-01", "359746009"),
        medication("third", cc(RX, "194000"), "2023-01-01"),
    )
    assert {t.agent: t.progressed for t in result} == {"anastrozole": True, "fulvestrant": False,
                                                        "capecitabine": "unknown"}


@pytest.mark.parametrize(("code", "progressed"), [
    ("260415000", False),  # not detected: no evidence of disease, so no progression
    ("709137006", "unknown"),  # undetermined: says nothing
])
def test_no_evidence_of_disease_is_no_progression_and_undetermined_is_nothing(code: str, progressed: Any) -> None:
    result = therapies(medication("first", cc(RX, "84857"), "2021-01-01"), status("status", "2021-06-01", code))
    assert result[0].progressed == progressed


def test_progression_needs_a_start_date() -> None:
    resource = medication("m", cc(RX, "84857"))
    del resource["authoredOn"]
    result = therapies(resource, status("worse", "2022-01-01", "271299001"))
    assert result[0].progressed == "unknown"


@pytest.mark.parametrize(("resources", "expected"), [
    ([condition("d", SCT, "44054006")], True),
    ([condition("d", ICD10, "E11.9")], True),
    ([condition("d", SCT, "73211009", verificationStatus=cc(
        "http://terminology.hl7.org/CodeSystem/condition-ver-status", "refuted"))], False),
    ([condition("d", "http://example.org", "x", "Diabetes insipidus")], "unknown"),
    ([condition("d", "http://example.org", "x", "Type 2 diabetes mellitus without complication")], True),
    ([observation("c", "398192003", system=SCT, extension=[
        {"url": MC + "mcode-related-condition", "valueCodeableConcept": cc(SCT, "73211009")}])], True),
    ([observation("c", "398192003", system=SCT, extension=[
        {"url": MC + "mcode-related-condition-absent", "valueCodeableConcept": cc(SCT, "73211009")}])], False),
    ([], "unknown"),
])
def test_diabetes(resources: list[dict[str, Any]], expected: Any) -> None:
    assert map_bundle(bundle(*resources)).profile.diabetes == expected


def test_bmi_and_serum_igf1() -> None:
    case = map_bundle(bundle(
        observation("bmi", "39156-5", valueQuantity={"value": 27.44, "unit": "kg/m2"}),
        observation("igf", "2484-4", valueQuantity={"value": 310, "unit": "ng/mL"},
                    referenceRange=[{"low": {"value": 60}, "high": {"value": 250}}]),
    ))
    assert case.profile.bmi == 27.4
    assert case.profile.serum_igf1 == "high"


def test_menopausal_status_stays_unknown_and_says_why() -> None:
    case = map_bundle(bundle(observation("x", "85337-4", valueCodeableConcept=cc(LOINC, "LA6576-8"))))
    assert case.profile.menopausal_status == "unknown"
    assert "no element" in case.mapping.source("menopausal_status").note


def test_an_empty_bundle_is_all_unknown() -> None:
    case = map_bundle({"resourceType": "Bundle", "type": "collection"})
    assert case.profile.to_case() == {}


def test_axillary_node_disease_does_not_make_later_therapy_metastatic() -> None:
    nodes = condition("nodes", ICD10, "C77.3", "Secondary malignant neoplasm of axillary lymph nodes",
                      when="2020-01-01", onsetDateTime="2020-01-01")
    result = therapies(nodes, medication("tam", cc(RX, "10324"), "2020-06-01", intent_kind=""))
    assert [(t.agent, t.setting) for t in result] == [("tamoxifen", "unknown")]


def test_cycles_of_one_regimen_are_one_therapy_and_do_not_cut_its_window() -> None:
    cycles = [medication(f"c{n}", cc(RX, "224905"), f"2021-0{n}-01", kind="MedicationAdministration")
              for n in range(1, 5)]
    result = therapies(medication("doce", cc(RX, "72962"), "2021-01-01", kind="MedicationAdministration"),
                       *cycles, status("worse", "2021-06-01", "271299001"))
    assert {(t.agent, t.setting, t.progressed) for t in result} == {
        ("docetaxel", "metastatic", True), ("trastuzumab", "metastatic", True)}


def test_medication_reference_to_a_medication_resource() -> None:
    drug = {"resourceType": "Medication", "id": "fulv", "code": cc(RX, "282357", "fulvestrant")}
    request = medication("m", cc(RX, "0"))
    del request["medicationCodeableConcept"]
    request["medicationReference"] = {"reference": "Medication/fulv"}
    assert [t.agent for t in therapies(drug, request)] == ["fulvestrant"]
