"""Profile 2.0: the patient as a board describes her. Each situation the clinical audit met has
its expected answer here: sex, HER2-low, where the metastases are, the intent of care, the stage
as the current extent, ovarian suppression."""

from __future__ import annotations

from typing import Any

import pytest

import igfrules
from igfrules import CaseError, PatientProfile
from igfrules.model.report import Report

OFS_QUESTION = ("premenopausal on ovarian suppression: whether the trial or study admitted women made "
                "postmenopausal by ovarian suppression")


def report(case: dict[str, Any]) -> Report:
    return igfrules.evaluate(case)


def listed(r: Report) -> set[str]:
    return {t.nct_id for t in r.trials}


def fired(r: Report) -> set[str]:
    return {x.id for x in r.rationales} | {c.id for c in r.context}


def asked(r: Report) -> dict[str, tuple[str, ...]]:
    return {n.rule_id: n.missing for n in r.needs_information}


def test_a_man_is_never_asked_his_menopausal_status_nor_shown_trials_for_women() -> None:
    man = {"sex": "male", "er_status": "positive", "her2_status": "positive", "stage": "IV",
           "prior_therapies": [{"agent": "trastuzumab", "setting": "metastatic", "progressed": True},
                               {"agent": "letrozole", "setting": "metastatic", "progressed": True},
                               {"agent": "paclitaxel", "setting": "metastatic"}]}  # 1.2: NCT00684983 needs one
    r = report(man)
    assert not any("menopausal_status" in m for m in asked(r).values())
    # Knowledge base 1.2: NCT00684983's registry lists male breast cancer among its conditions, so a
    # man is listed (sex to check by hand); the women-only trials are tested in
    # tests/knowledge_base/test_trials_as_registered.py.
    assert "NCT00684983" in listed(r) and "NCT00684983" not in asked(r)
    unknown = report({k: v for k, v in man.items() if k != "sex"})
    assert "NCT00684983" in listed(unknown)


def test_a_menopausal_status_recorded_for_a_man_is_ignored_with_a_warning() -> None:
    r = report({"sex": "male", "menopausal_status": "postmenopausal", "er_status": "positive",
                "her2_status": "negative", "stage": "IV", "metastatic_sites": ["bone"],
                "prior_therapies": [{"agent": "anastrozole", "setting": "metastatic", "progressed": True}]})
    assert any("does not apply to a man" in w for w in r.warnings)
    assert not {"NCT01234857", "NCT02123823", "NCT03659136"} & (listed(r) | set(asked(r)))


def test_a_menopausal_status_implies_a_woman() -> None:
    profile = PatientProfile.model_validate({"menopausal_status": "pre"})
    assert profile.sex == "unknown" and profile.value("sex") == "female"
    assert "sex" not in profile.to_case()  # implied for the rules, never written into the record


def test_her2_low_disease_on_trastuzumab_deruxtecan_is_not_an_inconsistency() -> None:
    tdxd = [{"agent": "T-DXd", "setting": "metastatic", "progressed": True}]
    assert report({"her2_status": "HER2-low", "prior_therapies": tdxd}).warnings == ()
    assert report({"her2_status": "negative", "prior_therapies": tdxd}).warnings == ()  # low unknown
    known_not_low = report({"her2_status": "negative", "her2_low": False, "prior_therapies": tdxd})
    assert any("HER2-directed therapy (trastuzumab deruxtecan)" in w for w in known_not_low.warnings)
    trastuzumab = report({"her2_status": "low", "prior_therapies": ["trastuzumab"]})
    assert any("HER2-directed therapy (trastuzumab)" in w for w in trastuzumab.warnings)


def test_her2_low_is_a_kind_of_her2_negative_disease() -> None:
    low = PatientProfile.model_validate({"her2_status": "HER2-low"})
    assert (low.her2_status, low.her2_low) == ("negative", True)
    assert PatientProfile.model_validate({"her2_low": True}).value("her2_status") == "negative"
    assert PatientProfile.model_validate({"her2_status": "positive"}).value("her2_low") is False
    with pytest.raises(CaseError, match="her2_low is true but her2_status is positive"):
        igfrules.evaluate({"her2_status": "positive", "her2_low": True})
    with pytest.raises(CaseError, match="her2_status: low means HER2-low, but her2_low is false"):
        igfrules.evaluate({"her2_status": "low", "her2_low": False})


XENERA_PATIENT = {"er_status": "positive", "her2_status": "negative", "menopausal_status": "postmenopausal",
                  "stage": "IV", "prior_therapies": [{"agent": "letrozole", "setting": "metastatic",
                                                      "progressed": True}]}


def test_brain_only_disease_is_not_listed_for_xenera_1() -> None:
    brain_only = report({**XENERA_PATIENT, "metastatic_sites": ["brain"]})
    assert brain_only.profile.get("metastatic_sites") == ["brain"]
    assert "NCT03659136" not in listed(brain_only) and "NCT03659136" not in asked(brain_only)
    assert "NCT03659136" in listed(report({**XENERA_PATIENT, "metastatic_sites": ["bone", "brain"]}))
    assert "NCT03659136" not in listed(report({**XENERA_PATIENT, "metastatic_sites": ["liver", "bone"]}))
    assert asked(report(XENERA_PATIENT))["NCT03659136"] == ("metastatic_sites", "visceral_disease")


def test_stage_iiic_under_curative_neoadjuvant_treatment_is_not_advanced_disease() -> None:
    case = {"er_status": "positive", "her2_status": "negative", "stage": "IIIC", "treatment_intent": "curative",
            "prior_therapies": [{"agent": "doxorubicin", "setting": "neoadjuvant"}]}
    r = report(case)
    assert "RAT-RIDA-DALO" not in fired(r) and "RAT-RIDA-DALO" not in asked(r)
    assert not any("pik3ca_mutation" in m for m in asked(r).values())  # no advanced-disease trial asks
    palliative = report({**case, "treatment_intent": "palliative"})
    assert "RAT-RIDA-DALO" in fired(palliative)
    intent_unknown = report({k: v for k, v in case.items() if k != "treatment_intent"})
    assert asked(intent_unknown)["RAT-RIDA-DALO"] == ("treatment_intent",)


def test_a_relapse_on_adjuvant_therapy_recorded_with_the_stage_at_diagnosis_is_warned() -> None:
    r = report({"er_status": "positive", "stage": "IIA",
                "prior_therapies": [{"agent": "letrozole", "setting": "adjuvant", "progressed": True}]})
    assert any("progression on adjuvant therapy means recurrence: record the current stage (IV for a "
               "distant relapse)" in w for w in r.warnings)


def test_ovarian_suppression_makes_a_postmenopausal_criterion_a_question_never_a_no() -> None:
    case = {"er_status": "positive", "her2_status": "negative", "menopausal_status": "premenopausal",
            "stage": "IV", "metastatic_sites": ["bone"],
            "prior_therapies": [{"agent": "goserelin", "setting": "metastatic"},
                                {"agent": "letrozole", "setting": "metastatic", "progressed": True}]}
    r = report(case)
    assert OFS_QUESTION in asked(r)["NCT02123823"]  # XENERA-1 no longer filters on it (not verified)
    assert OFS_QUESTION in asked(r)["RAT-XEN-EVE-EXE"]
    without = report({**case, "prior_therapies": case["prior_therapies"][1:]})
    assert "NCT02123823" not in asked(without) and "NCT02123823" not in listed(without)  # premenopausal: no


@pytest.mark.parametrize(("stage", "intent", "therapies", "sites", "expected"), [
    ("IV", "curative", "unknown", "unknown", True),
    ("IIA", "unknown", [], "unknown", False),
    ("IIA", "unknown", [{"agent": "capecitabine", "setting": "metastatic"}], "unknown", "unknown"),
    ("IIIB", "palliative", "unknown", "unknown", True),
    ("IIIC", "curative", "unknown", "unknown", False),
    ("IIIB", "unknown", "unknown", "unknown", "unknown"),
    ("locally_advanced", "palliative", [], "unknown", True),
    ("early", "palliative", [], "unknown", False),
    ("III", "curative", [], "unknown", False),
    ("III", "unknown", [], "unknown", "unknown"),
    ("III", "palliative", [], "unknown", "unknown"),  # III covers IIIA, which is not advanced
    ("IIIB", "palliative", [{"agent": "letrozole", "setting": "adjuvant"}], "unknown", True),
    ("unknown", "palliative", "unknown", "unknown", "unknown"),
    ("unknown", "unknown", [{"agent": "capecitabine", "setting": "metastatic"}], ["bone"], "unknown"),
    ("IIB", "unknown", [], ["liver"], False),  # the sites contradict the stage: a warning, not a guess
])
def test_advanced_disease_follows_its_definition(stage: str, intent: str, therapies: Any, sites: Any,
                                                 expected: Any) -> None:
    profile = PatientProfile.model_validate({"stage": stage, "treatment_intent": intent,
                                             "prior_therapies": therapies, "metastatic_sites": sites})
    assert profile.value("advanced_disease") == expected


def test_sites_imply_visceral_and_cns_disease_and_a_given_visceral_flag_stands() -> None:
    assert PatientProfile.model_validate({"metastatic_sites": ["pleura"]}).value("visceral_disease") is True
    brain = PatientProfile.model_validate({"metastatic_sites": ["brain"]})
    assert (brain.value("visceral_disease"), brain.value("cns_metastases")) == (False, True)
    given = report({"visceral_disease": True, "metastatic_sites": ["bone"], "stage": "IV"})
    assert given.profile["visceral_disease"] is True
    assert any("visceral_disease is true but metastatic_sites are bone" in w for w in given.warnings)


def test_sites_and_stage_that_disagree_ask_which_holds() -> None:
    early = report({"stage": "IIA", "metastatic_sites": ["liver"]})
    assert any("metastatic_sites (liver) are recorded but stage is IIA: which holds?" in w for w in early.warnings)
    none = report({"stage": "IV", "metastatic_sites": []})
    assert any("stage is IV but metastatic_sites is empty" in w for w in none.warnings)


@pytest.mark.parametrize(("given", "field", "expected"), [
    ({"her2_status": "HER2-low"}, "her2_status", "negative"),
    ({"metastatic_sites": "bone only"}, "metastatic_sites", ("bone",)),
    ({"metastatic_sites": "Bone-only"}, "metastatic_sites", ("bone",)),
    ({"stage": "de novo stage IV"}, "stage", "IV"),
    ({"treatment_intent": "curative"}, "treatment_intent", "curative"),
    ({"treatment_intent": "Palliative intent"}, "treatment_intent", "palliative"),
    ({"sex": "F"}, "sex", "female"),
    ({"metastatic_sites": ["lymph nodes", "Liver", "liver"]}, "metastatic_sites", ("liver", "lymph_node")),
])
def test_unambiguous_shorthand_is_accepted(given: dict[str, Any], field: str, expected: Any) -> None:
    assert getattr(PatientProfile.model_validate(given), field) == expected


@pytest.mark.parametrize(("given", "message"), [
    ({"metastatic_sites": "liver"}, "must be a list of sites"),
    ({"metastatic_sites": ["spleen"]}, "'spleen' is not one of bone, liver"),
    ({"metastatic_sites": [{"site": "bone"}]}, "is not one of bone"),
    ({"sex": "other"}, "'other' is not one of female, male, unknown"),
    ({"treatment_intent": "adjuvant"}, "'adjuvant' is not one of curative, palliative, unknown"),
])
def test_a_wrong_new_field_is_a_clear_error(given: dict[str, Any], message: str) -> None:
    with pytest.raises(CaseError, match=message):
        igfrules.evaluate(given)


def test_old_case_files_stay_valid_with_every_new_field_unknown() -> None:
    profile = PatientProfile.model_validate({"er_status": "positive", "stage": "IV"})
    assert (profile.sex, profile.her2_low, profile.treatment_intent, profile.metastatic_sites) == ("unknown",) * 4
    assert profile.value("cns_metastases") == "unknown" and profile.value("advanced_disease") is True


def test_the_readme_sample_case_file_reads_as_documented() -> None:
    import re
    from pathlib import Path

    import yaml

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    sample = readme.split("A case file with the fields of profile 2.0", 1)[1]
    block = re.search(r"```yaml\n(.*?)```", sample, re.DOTALL)
    assert block is not None
    profile = PatientProfile.model_validate(yaml.safe_load(block.group(1)))
    assert (profile.her2_status, profile.her2_low, profile.metastatic_sites) == ("negative", True, ("bone", "liver"))
    assert profile.value("advanced_disease") is True and profile.value("visceral_disease") is True
    assert igfrules.evaluate(profile).warnings == ()  # T-DXd in HER2-low disease is consistent
