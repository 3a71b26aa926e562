"""Knowledge base 1.2: every trial as registered. A trial is listed only when every encoded inclusion
criterion holds and no encoded exclusion does; an unknown one puts it in needs_information; what
the case cannot express is listed in words to check by hand; each trial says where it stands today."""

from __future__ import annotations

from typing import Any

import pytest

import igfrules
from igfrules.rendering.text import render_text
from tests.conftest import RULES

KB = igfrules.load_knowledge_base(RULES)
WOMEN_ONLY = ("NCT01605396", "NCT03659136", "NCT02123823", "NCT01234857", "NCT00626106", "NCT01446159")
RIDA_PATIENT = {"er_status": "positive", "pr_status": "positive", "her2_status": "negative",
                "menopausal_status": "postmenopausal", "stage": "IV", "high_proliferation": True,
                "metastatic_sites": ["bone", "lymph_node"]}
LETROZOLE_PROGRESSED = {"agent": "letrozole", "setting": "metastatic", "progressed": True}


def _fit(case: dict[str, Any]) -> tuple[set[str], set[str]]:
    report = igfrules.evaluate(case, KB)
    return {t.nct_id for t in report.trials}, {n.rule_id for n in report.needs_information}


def test_a_patient_fitting_nct01605396_is_listed_for_it() -> None:
    trials, _ = _fit({**RIDA_PATIENT, "prior_therapies": [LETROZOLE_PROGRESSED]})
    assert "NCT01605396" in trials


def test_an_er_positive_her2_positive_patient_is_not_listed_for_nct01605396() -> None:
    trials, needs = _fit({**RIDA_PATIENT, "her2_status": "positive", "prior_therapies": [LETROZOLE_PROGRESSED]})
    assert "NCT01605396" not in trials | needs


@pytest.mark.parametrize("prior", [
    [{"agent": "exemestane", "setting": "metastatic", "progressed": True},
     {"agent": "everolimus", "setting": "metastatic", "progressed": True}],
    [{"agent": "ridaforolimus", "setting": "metastatic"}],
    [{"agent": "ganitumab", "setting": "metastatic"}],
    [{"agent": "alpelisib", "setting": "metastatic", "progressed": True}],
], ids=["exemestane+everolimus", "ridaforolimus", "ganitumab", "alpelisib"])
def test_a_prior_rapamycin_analogue_igf1r_or_pi3k_inhibitor_excludes_nct01605396(prior: list[Any]) -> None:
    report = igfrules.evaluate({**RIDA_PATIENT, "prior_therapies": [LETROZOLE_PROGRESSED, *prior]}, KB)
    assert "NCT01605396" not in {t.nct_id for t in report.trials} | {n.rule_id for n in report.needs_information}
    assert "RAT-RIDA-DALO" in {r.id for r in report.rationales}  # its negative evidence is still shown


def test_a_prior_ligand_antibody_leaves_nct01605396_to_check_by_hand() -> None:
    report = igfrules.evaluate({**RIDA_PATIENT, "prior_therapies": [
        LETROZOLE_PROGRESSED, {"agent": "xentuzumab", "setting": "metastatic"}]}, KB)
    (missing,) = [n.missing for n in report.needs_information if n.rule_id == "NCT01605396"]
    assert any("ligand-neutralising antibody" in m and "check by hand" in m for m in missing)


def test_brain_only_disease_is_not_listed_for_xenera_1() -> None:
    case = {**RIDA_PATIENT, "visceral_disease": False, "prior_therapies": [LETROZOLE_PROGRESSED]}
    trials, needs = _fit({**case, "metastatic_sites": ["brain"]})
    assert "NCT03659136" not in trials | needs
    assert "NCT03659136" in _fit({**case, "metastatic_sites": ["bone"]})[0]


@pytest.mark.parametrize(("intent", "listed"), [("palliative", True), ("curative", False)])
def test_stage_iiib_palliative_fits_nct02123823(intent: str, listed: bool) -> None:
    trials, needs = _fit({**RIDA_PATIENT, "stage": "IIIB", "treatment_intent": intent,
                          "metastatic_sites": [], "prior_therapies": [LETROZOLE_PROGRESSED]})
    assert ("NCT02123823" in trials) is listed and "NCT02123823" not in needs


def test_nct02123823_is_randomised_open_label_with_a_pfs_primary_endpoint() -> None:
    trial = KB.trials["NCT02123823"]
    assert "open-label, randomised 1:1" in trial.design and trial.primary_outcome.startswith("PFS")
    assert "not stated" not in trial.design + trial.primary_outcome


def test_nct01234857_names_its_monotherapy_arms_and_its_pfs_endpoint() -> None:
    trial = KB.trials["NCT01234857"]
    assert "ridaforolimus or dalotuzumab alone" in trial.design and trial.primary_outcome == "PFS"


def test_nct00684983_needs_an_anthracycline_or_a_taxane_as_registered() -> None:
    her2 = {"her2_status": "positive", "er_status": "negative", "stage": "IV"}
    trastuzumab = {"agent": "trastuzumab", "setting": "metastatic", "progressed": True}
    assert "NCT00684983" not in _fit({**her2, "prior_therapies": [trastuzumab]})[0]
    assert "NCT00684983" in _fit({**her2, "prior_therapies": [trastuzumab, {"agent": "docetaxel"}]})[0]
    assert "NCT00684983" in _fit({**her2, "prior_therapies": [trastuzumab, {"agent": "epirubicin"}]})[0]


def test_a_man_is_not_dropped_from_nct00684983_whose_sex_criterion_is_not_verified() -> None:
    trials, _ = _fit({"sex": "male", "her2_status": "positive", "stage": "IV",
                      "prior_therapies": [{"agent": "trastuzumab", "setting": "metastatic"}, "paclitaxel"]})
    assert "NCT00684983" in trials
    trial = KB.trials["NCT00684983"]
    (sex,) = [c for c in trial.criteria.inclusion if c.text.startswith("Sex:")]
    assert sex.check_by_hand and not sex.verified and "not verified" in sex.text
    assert "HER2/Neu Positive; Stage IIIB/IIIC/IV Breast Cancer" in " ".join(sex.text.split())
    # the 2015 registry version lists no male breast cancer: nothing may say it does
    assert "lists male breast cancer among" not in " ".join((trial.population_text + sex.text).split())


@pytest.mark.parametrize("nct", WOMEN_ONLY)
def test_a_man_is_not_listed_for_a_trial_that_enrolled_women_only(nct: str) -> None:
    man = {**RIDA_PATIENT, "sex": "male", "menopausal_status": "unknown",
           "prior_therapies": [LETROZOLE_PROGRESSED]}
    trials, needs = _fit(man)
    assert nct not in trials | needs


def test_the_new_trials_are_listed_for_the_patients_they_enrolled() -> None:
    trials, _ = _fit({**RIDA_PATIENT, "prior_therapies": [{"agent": "tamoxifen", "setting": "adjuvant",
                                                           "progressed": True}]})
    assert {"NCT00626106", "NCT03099174"} <= trials and "NCT01446159" in trials  # adjuvant only: first line
    first_line, _ = _fit({**RIDA_PATIENT, "prior_therapies": [{"agent": "letrozole", "setting": "adjuvant"}]})
    assert "NCT01446159" in first_line
    second_line, _ = _fit({**RIDA_PATIENT, "prior_therapies": [LETROZOLE_PROGRESSED]})
    assert "NCT01446159" not in second_line


def test_unknown_prior_therapy_puts_the_first_line_medi573_trial_in_needs_information() -> None:
    trials, needs = _fit(RIDA_PATIENT)
    assert "NCT01446159" not in trials and "NCT01446159" in needs


def test_every_trial_has_cited_criteria_and_a_dated_status_today() -> None:
    for nct, trial in KB.trials.items():
        assert trial.criteria.inclusion and any(c.encoded for c in trial.criteria.inclusion), nct
        for criterion in (*trial.criteria.inclusion, *trial.criteria.exclusion):
            assert criterion.citations and criterion.encoded != criterion.check_by_hand, nct
        assert (trial.exclude is not None) == any(c.encoded for c in trial.criteria.exclusion), nct
        today = trial.status_today
        assert today.citations and (today.as_of != "not verified" or not today.verified), nct
        if today.verified:  # a verified status today is closed; an unverified one says it is not verified
            assert "recruiting" not in today.status.replace("not recruiting", ""), nct
        else:
            assert today.status.startswith("not verified") or today.as_of == "not verified", nct


def test_a_report_shows_status_today_and_what_to_check_by_hand() -> None:
    report = igfrules.evaluate({**RIDA_PATIENT, "prior_therapies": [LETROZOLE_PROGRESSED]}, KB)
    (trial,) = [t for t in report.trials if t.nct_id == "NCT01605396"]
    assert trial.status_today is not None and trial.status_today.as_of == "2017 (year only)"
    assert trial.criteria is not None and any(c.check_by_hand and "measurable" in c.text
                                              for c in trial.criteria.inclusion)
    assert "today completed" in trial.status_words
    full = render_text(report, "full")
    assert "To check by hand: inclusion: At least one confirmed measurable metastatic lesion" in " ".join(full.split())
