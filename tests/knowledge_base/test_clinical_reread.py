"""Knowledge base 1.2: the independent clinical re-read. Each test pins one finding: a trial's
population as registered, an unverified criterion that must not silently exclude, a population a
note's evidence concerns, and what a source does and does not report."""

from __future__ import annotations

from typing import Any

import igfrules
from igfrules.model.report import Report
from tests.conftest import RULES

KB = igfrules.load_knowledge_base(RULES)
HR_POSITIVE = {"er_status": "positive", "pr_status": "positive", "her2_status": "negative"}
EXEMESTANE_PROGRESSED = {"agent": "exemestane", "setting": "metastatic", "progressed": True}
LETROZOLE_PROGRESSED = {"agent": "letrozole", "setting": "metastatic", "progressed": True}


def _report(case: dict[str, Any]) -> Report:
    return igfrules.evaluate(case, KB)


def _trials(case: dict[str, Any]) -> tuple[set[str], set[str]]:
    report = _report(case)
    return {t.nct_id for t in report.trials}, {n.rule_id for n in report.needs_information}


def _words(text: str) -> str:
    return " ".join(text.split())


# 1. NCT03099174 is a solid-tumour trial with breast cohorts; its status today is not verified
def test_nct03099174_is_a_solid_tumour_trial_whose_status_today_is_not_verified() -> None:
    trial = KB.trials["NCT03099174"]
    assert not trial.breast_cancer_only
    assert "solid tumors, including hormone receptor-positive, HER2-negative breast cancer" in _words(trial.title)
    assert "no results found" not in trial.status
    assert not trial.status_today.verified and trial.status_today.status.startswith("not verified")
    assert "11 December 2019" in trial.status_today.source
    texts = _words(" ".join(c.text for c in trial.criteria.inclusion))
    assert "cohorts B-D CDK4/6-inhibitor-naive" in texts and "cohort F" in texts
    (general,) = [c for c in trial.criteria.inclusion if "ECOG" in c.text]
    assert general.check_by_hand and "measurable or evaluable" in general.text.lower()
    assert KB.references["sabcs2017ot30602"].year == 2018
    assert "Cancer Res 2018" in KB.references["sabcs2017ot30602"].full


# 2. XENERA-1: locally advanced disease with no distant site meets the non-visceral lesion rule
def test_xenera_1_lists_a_stage_iiic_palliative_patient_with_no_distant_site() -> None:
    case = {**HR_POSITIVE, "sex": "female", "stage": "IIIC", "treatment_intent": "palliative",
            "metastatic_sites": [], "prior_therapies": [LETROZOLE_PROGRESSED]}
    trials, _ = _trials(case)
    assert "NCT03659136" in trials
    curative, needs = _trials({**case, "treatment_intent": "curative"})
    assert "NCT03659136" not in curative | needs  # not advanced: not "not amenable to curative treatment"
    brain_only, needs = _trials({**case, "stage": "IV", "metastatic_sites": ["brain"]})
    assert "NCT03659136" not in brain_only | needs


def test_xenera_1_no_longer_excludes_by_the_unverified_postmenopausal_criterion() -> None:
    base = {**HR_POSITIVE, "stage": "IV", "metastatic_sites": ["bone"], "prior_therapies": [
        {"agent": "tamoxifen", "setting": "metastatic", "progressed": True}]}
    trials, _ = _trials({**base, "menopausal_status": "premenopausal"})
    assert "NCT03659136" in trials  # a premenopausal woman after tamoxifen is not silently dropped
    man, needs = _trials({**base, "sex": "male"})
    assert "NCT03659136" not in man | needs  # the registry's sex is female
    trial = KB.trials["NCT03659136"]
    (menopause,) = [c for c in trial.criteria.inclusion if c.text.startswith("Menopausal status")]
    assert menopause.check_by_hand and not menopause.verified and "to check by hand" in menopause.text
    assert all(not (c.encoded and not c.verified) or "never" in c.text
               for c in (*trial.criteria.inclusion, *trial.criteria.exclusion))


def test_xenera_1_asks_about_prior_everolimus_and_lists_brain_metastases_to_check_by_hand() -> None:
    case = {**HR_POSITIVE, "sex": "female", "stage": "IV", "metastatic_sites": ["bone"],
            "prior_therapies": [EXEMESTANE_PROGRESSED, {"agent": "everolimus", "setting": "metastatic",
                                                         "progressed": True}]}
    report = _report(case)
    assert "NCT03659136" not in {t.nct_id for t in report.trials}
    (missing,) = [n.missing for n in report.needs_information if n.rule_id == "NCT03659136"]
    assert any("everolimus" in m and "check by hand" in m for m in missing)
    trials, _ = _trials({**case, "prior_therapies": [EXEMESTANE_PROGRESSED]})
    assert "NCT03659136" in trials  # without everolimus the question does not arise
    exclusions = KB.trials["NCT03659136"].criteria.exclusion
    (brain,) = [c for c in exclusions if c.text.startswith("Brain metastases")]
    assert brain.check_by_hand and not brain.verified


# 4. NCT02123823: early termination and the favourable subgroups XENERA-1 left out
def test_nct02123823_says_it_was_stopped_early_and_names_the_subgroups_xenera_1_left_out() -> None:
    trial = KB.trials["NCT02123823"]
    assert trial.since is not None and "non-measurable disease" in _words(trial.since.outcome)
    assert "Data Monitoring Committee" in _words(trial.since.outcome) and "139" in trial.since.outcome
    assert any("bone-only metastases" in _words(r.statement) and "schmid2021" in r.citations
               and r.post_review for r in trial.results)
    assert KB.references["ctgov-nct02123823"].year == 2014


# 5. RAT-AKT-IGF1R-IR-ER-POSITIVE: no "AKT inhibition is standard care"; what the abstract reports
def test_the_akt_entry_states_capitello_291_as_published_and_what_fox_2013_does_not_report() -> None:
    entry = KB.entries["RAT-AKT-IGF1R-IR-ER-POSITIVE"]
    said = _words(" ".join([entry.title, entry.summary, *(f.statement for f in entry.findings)]))
    assert "now standard care" not in said
    assert "HR 0.60" in said and "0.50 in PIK3CA/AKT1/PTEN-altered tumours" in said
    assert "does not report what adding AZD9362 achieved" in _words(entry.evidence.statement)


# 6. the class hyperglycaemia caution reaches AKT inhibitors, cites Turner 2023 and Iguchi 2015
def test_the_class_hyperglycaemia_caution_reaches_akt_inhibitors_and_cites_its_sources() -> None:
    caution = KB.cautions["CAU-HYPERGLYCAEMIA-CLASS"]
    assert "akt_inhibitor" in caution.applies_to.classes
    assert {"turner2023", "iguchi2015"} <= set(caution.citations)
    assert "no source cited here reports it, so they are not named" not in _words(caution.notes)
    assert "Iguchi et al., 2015" in caution.notes and "Gao et al., 2011" not in caution.notes
    assert KB.references["iguchi2015"].doi == "10.1007/s10637-014-0170-x"
    report = _report({**HR_POSITIVE, "stage": "IV", "diabetes": True, "prior_therapies": [LETROZOLE_PROGRESSED]})
    (akt,) = [r for r in report.rationales if r.id == "RAT-AKT-IGF1R-IR-ER-POSITIVE"]
    assert "CAU-HYPERGLYCAEMIA-CLASS" in {c.id for c in akt.cautions}


# 7-8. the prognosis notes concern operated early disease
def test_the_her2_overweight_note_is_for_early_disease_above_the_cohorts_median() -> None:
    entry = KB.entries["CTX-HER2-OVERWEIGHT-IGF1"]
    assert "above the cohort's median" in _words(entry.summary + entry.evidence.statement)
    case = {"her2_status": "positive", "serum_igf1": "high", "bmi": 27.0}
    assert "CTX-HER2-OVERWEIGHT-IGF1" in {r.id for r in _report({**case, "stage": "IIA"}).context}
    assert "CTX-HER2-OVERWEIGHT-IGF1" not in {r.id for r in _report({**case, "stage": "IV"}).context}


def test_the_prognosis_note_fires_only_for_early_disease_and_says_whom_it_concerns() -> None:
    entry = KB.entries["CTX-IGF-PROGNOSIS-CONFLICTING"]
    assert "received surgery" in _words(" ".join(f.statement for f in entry.findings))
    assert KB.references["zhu2020"].doi == "10.3389/fonc.2020.01384"
    case = {**HR_POSITIVE, "serum_igf1": "high"}
    assert "CTX-IGF-PROGNOSIS-CONFLICTING" in {r.id for r in _report({**case, "stage": "I"}).context}
    advanced = _report({**case, "stage": "IV"})
    assert "CTX-IGF-PROGNOSIS-CONFLICTING" not in {r.id for r in advanced.context} | {
        n.rule_id for n in advanced.needs_information}


# 9. an incidence finding does not support a statement about tumour IGF-1R
def test_the_er_negative_igf1r_note_no_longer_rests_on_an_incidence_study() -> None:
    entry = KB.entries["CTX-ER-NEGATIVE-LOW-IGF1R"]
    assert all("key2010" not in f.citations for f in entry.findings)


# 10. I-SPY2's ganitumab arm was HER2-negative
def test_the_chemotherapy_entry_says_its_randomised_evidence_is_her2_negative() -> None:
    entry = KB.entries["RAT-IGF1R-CHEMOTHERAPY"]
    assert "HER2-negative patients only (106)" in _words(entry.evidence_population)


# 11. the endocrine-resistance trials enrolled HR-positive disease (ER and/or PR)
def test_the_endocrine_resistance_entry_fires_for_er_negative_pr_positive_disease() -> None:
    case = {"er_status": "negative", "pr_status": "positive", "her2_status": "negative", "stage": "IV",
            "prior_therapies": [LETROZOLE_PROGRESSED]}
    assert "RAT-IGF1R-ENDOCRINE-RESISTANT" in {r.id for r in _report(case).rationales}
