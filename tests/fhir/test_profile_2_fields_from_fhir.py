"""Profile 2.0's fields read from a FHIR record, each with where it came from: sex from
Patient.gender, HER2-low from the IHC score and the ISH result, the sites from secondary-cancer
Conditions, the intent of care from mCODE's procedure-intent extension (or a primary cancer in
remission), and nothing read from what a record does not say."""

from __future__ import annotations

from typing import Any

import pytest

from tests.fhir.builders import (
    ICD10,
    LOINC,
    MC,
    NEGATIVE,
    POSITIVE,
    RX,
    SCT,
    cc,
    condition,
    mapped,
    medication,
    observation,
)


def source(case: Any, field: str) -> Any:
    return next(f for f in case.mapping.fields if f.field == field)


@pytest.mark.parametrize(("gender", "expected"), [("female", "female"), ("male", "male"), ("other", "unknown"),
                                                  ("unknown", "unknown"), (None, "unknown")])
def test_sex_is_read_from_patient_gender(gender: str | None, expected: str) -> None:
    patient = {"resourceType": "Patient", "id": "p", **({"gender": gender} if gender else {})}
    case = mapped(patient)
    assert case.profile.sex == expected
    assert source(case, "sex").resources == ("Patient/p",)


def ihc(score: int, when: str = "2024-01-01") -> dict[str, Any]:
    return observation(f"ihc-{score}-{when}", "85319-2", when, valueInteger=score)


def ish(answer: dict[str, Any], when: str = "2024-01-02") -> dict[str, Any]:
    return observation(f"ish-{when}", "85318-4", when, valueCodeableConcept=answer)


@pytest.mark.parametrize(("resources", "expected"), [
    ((ihc(1),), True),
    ((ihc(2), ish(NEGATIVE)), True),
    ((ihc(2), ish(POSITIVE)), False),
    ((ihc(2),), "unknown"),  # 2+ with no ISH: not settled
    ((ihc(0),), False),
    ((ihc(3),), False),
    ((ihc(1), ish(POSITIVE)), False),  # ISH-amplified: HER2-positive, whatever the IHC
    ((), "unknown"),
    ((ihc(0, "2023-01-01"), ihc(1, "2024-06-01")), True),  # the latest score stands
])
def test_her2_low_is_ihc_1_plus_or_2_plus_with_a_negative_ish(resources: tuple[dict[str, Any], ...],
                                                             expected: Any) -> None:
    assert mapped(*resources).profile.her2_low == expected


def test_a_her2_ihc_not_performed_is_not_her2_low() -> None:
    absent = observation("ihc", "85319-2", dataAbsentReason=cc("http://terminology.hl7.org/CodeSystem/"
                                                               "data-absent-reason", "not-performed"))
    assert mapped(absent).profile.her2_low == "unknown"


def metastasis(cid: str, system: str, code: str, display: str = "", **extra: Any) -> dict[str, Any]:
    return condition(cid, system, code, display, meta={"profile": [MC + "mcode-secondary-cancer-condition"]}, **extra)


def test_sites_come_from_every_secondary_cancer_condition() -> None:
    case = mapped(metastasis("liver", SCT, "94381002"), metastasis("bones", ICD10, "C79.51"),
                  metastasis("brain", SCT, "94225005"))
    assert case.profile.metastatic_sites == ("bone", "liver", "brain")
    assert case.profile.value("visceral_disease") is True and case.profile.value("cns_metastases") is True
    assert set(source(case, "metastatic_sites").resources) == {"Condition/liver", "Condition/bones", "Condition/brain"}


def test_brain_only_metastases_are_not_visceral_disease() -> None:
    case = mapped(metastasis("brain", SCT, "94225005"))
    assert case.profile.metastatic_sites == ("brain",)
    assert case.profile.visceral_disease == "unknown"  # not recorded: the profile derives it
    assert case.profile.value("visceral_disease") is False
    assert case.profile.value("non_visceral_metastases") is False


def test_axillary_nodes_are_regional_not_a_metastatic_site() -> None:
    assert mapped(metastasis("axilla", ICD10, "C77.3")).profile.metastatic_sites == "unknown"


def test_an_unclassified_site_leaves_the_sites_unknown_never_a_shorter_list() -> None:
    case = mapped(metastasis("liver", SCT, "94381002"), metastasis("somewhere", ICD10, "C79.9"))
    assert case.profile.metastatic_sites == "unknown"
    assert "sites classified: liver" in source(case, "metastatic_sites").note


def test_no_secondary_cancer_condition_is_not_no_metastases() -> None:
    assert mapped(condition("primary", SCT, "254837009", "Breast cancer")).profile.metastatic_sites == "unknown"


def test_a_refuted_metastasis_is_no_site() -> None:
    refuted = metastasis("liver", SCT, "94381002", verificationStatus=cc(
        "http://terminology.hl7.org/CodeSystem/condition-ver-status", "refuted"))
    assert mapped(refuted).profile.metastatic_sites == "unknown"


LETROZOLE = cc(RX, "72965", "letrozole")


def test_the_intent_is_the_latest_records_procedure_intent() -> None:
    earlier = medication("adjuvant", LETROZOLE, "2020-01-01", intent_kind="curative")
    later = medication("advanced", LETROZOLE, "2024-01-01", intent_kind="palliative")
    case = mapped(earlier, later)
    assert case.profile.treatment_intent == "palliative"
    assert source(case, "treatment_intent").resources == ("MedicationRequest/advanced",)


def test_latest_records_that_disagree_leave_the_intent_unknown_with_a_warning() -> None:
    case = mapped(medication("a", LETROZOLE, "2024-01-01", intent_kind="curative"),
                  medication("b", LETROZOLE, "2024-01-01", intent_kind="palliative"))
    assert case.profile.treatment_intent == "unknown"
    assert any("say curative and palliative" in w for w in case.mapping.warnings)


def primary(status: str) -> dict[str, Any]:
    return condition("primary", SCT, "254837009", "Breast cancer",
                     meta={"profile": [MC + "mcode-primary-cancer-condition"]},
                     clinicalStatus=cc("http://terminology.hl7.org/CodeSystem/condition-clinical", status))


def test_remission_alone_never_says_the_intent_of_care() -> None:
    """Remission follows palliative care too: read as curative, it made advanced disease false by
    assumption for a stage IIIB-IIIC record. Only a recorded intent is the intent."""
    case = mapped(primary("remission"))
    assert case.profile.treatment_intent == "unknown"
    assert "remission" in source(case, "treatment_intent").note
    assert mapped(primary("active")).profile.treatment_intent == "unknown"
    recorded = mapped(primary("remission"), medication("m", LETROZOLE, intent_kind="palliative"))
    assert recorded.profile.treatment_intent == "palliative"  # a recorded intent stands
    curative = mapped(primary("remission"), medication("m", LETROZOLE, intent_kind="curative"))
    assert curative.profile.treatment_intent == "curative"


@pytest.mark.parametrize("status", ["recurrence", "relapse"])
def test_a_recurrence_makes_a_recorded_curative_intent_unknown(status: str) -> None:
    case = mapped(primary(status), medication("m", LETROZOLE, intent_kind="curative"))
    assert case.profile.treatment_intent == "unknown"
    assert status in source(case, "treatment_intent").note
    palliative = mapped(primary(status), medication("m", LETROZOLE, intent_kind="palliative"))
    assert palliative.profile.treatment_intent == "palliative"


def test_stage_iiic_in_remission_after_curative_care_is_not_advanced_disease() -> None:
    stage = observation("stage", "21908-9", valueCodeableConcept=cc(LOINC, "LA3581-7", "Stage IIIC"))
    case = mapped(primary("remission"), stage, medication("m", LETROZOLE, intent_kind="curative"))
    assert case.profile.stage == "IIIC" and case.profile.value("advanced_disease") is False
    assumed = mapped(primary("remission"), stage)  # remission without a recorded intent: not decided
    assert assumed.profile.value("advanced_disease") == "unknown"


def test_her2_results_that_disagree_never_refuse_the_record() -> None:
    """An older IHC 1+ and a later positive interpretation: the latest result stands (with the
    disagreement warned), so the disease is not HER2-low; the record is read, not refused."""
    case = mapped(ihc(1, "2024-01-01"), observation("interp", "48676-1", "2024-03-01", valueCodeableConcept=POSITIVE))
    assert (case.profile.her2_status, case.profile.her2_low) == ("positive", False)
    assert any("HER2 results disagree" in w for w in case.mapping.warnings)


@pytest.mark.parametrize("status", ["provisional", "differential", "unconfirmed"])
def test_an_unconfirmed_metastasis_is_neither_a_site_nor_no_site(status: str) -> None:
    suspected = metastasis("liver", SCT, "94381002", verificationStatus=cc(
        "http://terminology.hl7.org/CodeSystem/condition-ver-status", status))
    case = mapped(suspected, metastasis("bone", SCT, "94222008"))
    assert case.profile.metastatic_sites == "unknown"
    assert case.profile.value("visceral_disease") == "unknown"  # the bone alone must not read as "not visceral"


@pytest.mark.parametrize("status", ["resolved", "remission", "inactive"])
def test_a_resolved_metastasis_is_neither_a_site_now_nor_the_absence_of_one(status: str) -> None:
    for site, code, flag in (("liver", "94381002", "effective_visceral_disease"),
                             ("brain", "94225005", "cns_metastases")):
        resolved = metastasis(site, SCT, code, clinicalStatus=cc(
            "http://terminology.hl7.org/CodeSystem/condition-clinical", status))
        case = mapped(resolved, metastasis("bone", SCT, "94222008"))
        assert case.profile.metastatic_sites == "unknown"
        assert getattr(case.profile, flag) == "unknown"  # not False: a brain metastasis treated is no "none"
