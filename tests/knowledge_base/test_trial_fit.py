"""A trial is listed only for a patient it would have enrolled; an unknown that could change the
fit puts it in needs_information, never in the list and never nowhere. Measured on the profiles
that showed the defects in knowledge base 1.0."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

import igfrules
from igfrules.knowledge.check import check_knowledge_base
from igfrules.knowledge.trialstatus import status_words
from igfrules.knowledge.verify import claimed_citations
from tests.conftest import RULES

KB = igfrules.load_knowledge_base(RULES)
PHASE_I = {"NCT01062620", "NCT00730379", "NCT01061788", "NCT01122199"}
HR_POSITIVE_POSTMENOPAUSAL = {"er_status": "positive", "pr_status": "positive", "her2_status": "negative",
                              "menopausal_status": "postmenopausal", "stage": "IV", "visceral_disease": False,
                              "metastatic_sites": ["bone", "lymph_node"]}


def _fit(case: dict[str, Any]) -> tuple[set[str], set[str], set[str]]:
    report = igfrules.evaluate(case, KB)
    return ({t.nct_id for t in report.trials}, {n.rule_id for n in report.needs_information},
            {r.id for r in report.rationales})


def test_an_untreated_de_novo_her2_positive_patient_fits_no_phase_i_trial() -> None:
    trials, needs, rationales = _fit({"her2_status": "positive", "er_status": "negative", "stage": "IV",
                                      "prior_therapies": []})
    assert not trials & PHASE_I and not needs & PHASE_I
    assert not rationales & {"RAT-AXL1717", "RAT-GAN-EVE", "RAT-GAN-EVE-PANI"}


def test_an_untreated_stage_iiib_er_positive_patient_fits_no_trial() -> None:
    trials, _, rationales = _fit({"er_status": "positive", "her2_status": "negative", "stage": "IIIB",
                                  "menopausal_status": "postmenopausal", "visceral_disease": False,
                                  "prior_therapies": []})
    assert trials == set()
    assert "RAT-XEN-EVE-EXE" not in rationales


def test_a_pretreated_advanced_patient_fits_the_phase_i_trials() -> None:
    trials, _, _ = _fit({"er_status": "negative", "stage": "IV",
                         "prior_therapies": [{"agent": "paclitaxel", "setting": "metastatic", "progressed": True}]})
    assert trials >= PHASE_I


def test_unknown_prior_therapy_puts_phase_i_trials_in_needs_information() -> None:
    trials, needs, _ = _fit({"er_status": "negative", "stage": "IV"})
    assert not trials & PHASE_I and needs >= PHASE_I


@pytest.mark.parametrize("nct", ["NCT02123823", "NCT03659136"])
def test_endocrine_naive_patients_do_not_fit_the_xentuzumab_trials(nct: str) -> None:
    trials, needs, _ = _fit({**HR_POSITIVE_POSTMENOPAUSAL, "prior_therapies": []})
    assert nct not in trials and nct not in needs
    trials, _, _ = _fit({**HR_POSITIVE_POSTMENOPAUSAL,
                         "prior_therapies": [{"agent": "letrozole", "setting": "metastatic", "progressed": True}]})
    assert nct in trials


def test_xenera_1_counts_progression_on_adjuvant_endocrine_therapy_and_says_the_window_is_unchecked() -> None:
    trials, _, _ = _fit({**HR_POSITIVE_POSTMENOPAUSAL,
                         "prior_therapies": [{"agent": "tamoxifen", "setting": "adjuvant", "progressed": True}]})
    assert "NCT03659136" in trials and "NCT02123823" not in trials  # tamoxifen is no aromatase inhibitor
    population = KB.trials["NCT03659136"].population_text
    assert "12" in population and "checked by hand" in population and "measurable" in population


def test_nct01605396_needs_progression_on_a_nonsteroidal_aromatase_inhibitor() -> None:
    base = {**HR_POSITIVE_POSTMENOPAUSAL, "high_proliferation": True}
    trials, needs, _ = _fit({**base, "prior_therapies": [{"agent": "anastrozole", "setting": "adjuvant"}]})
    assert "NCT01605396" not in trials and "NCT01605396" in needs
    trials, _, _ = _fit({**base, "prior_therapies": [{"agent": "anastrozole", "setting": "adjuvant",
                                                      "progressed": True}]})
    assert "NCT01605396" in trials


@pytest.mark.parametrize("conjugate", ["T-DM1", "T-DXd"])
def test_an_anti_her2_conjugate_alone_leaves_nct00684983_undetermined(conjugate: str) -> None:
    her2 = {"sex": "female", "her2_status": "positive", "er_status": "negative", "stage": "IV"}
    taxane = {"agent": "paclitaxel", "setting": "metastatic"}  # the registered title also needs one
    report = igfrules.evaluate({**her2, "prior_therapies": [{"agent": conjugate, "setting": "metastatic",
                                                             "progressed": True}, taxane]}, KB)
    assert not {t.nct_id for t in report.trials} & {"NCT00684983"}
    assert "RAT-CIX-LAP-CAP" not in {r.id for r in report.rationales}
    needs = {n.rule_id: n.missing for n in report.needs_information}
    for rule_id in ("NCT00684983", "RAT-CIX-LAP-CAP"):  # neither listed nor silently dropped
        (question,) = needs[rule_id]
        assert "antibody-drug conjugate" in question and "check by hand" in question
    trials, needs_ids, rationales = _fit({**her2, "prior_therapies": [{"agent": "Herceptin", "setting": "metastatic"},
                                                                      {"agent": conjugate, "setting": "metastatic"},
                                                                      taxane]})
    assert "NCT00684983" in trials and "RAT-CIX-LAP-CAP" in rationales and "NCT00684983" not in needs_ids
    trials, needs_ids, _ = _fit({**her2, "prior_therapies": [{"agent": "paclitaxel", "setting": "metastatic"}]})
    assert "NCT00684983" not in trials | needs_ids  # no HER2-directed therapy: not previously treated with it


def test_nct00684983_prior_trastuzumab_and_anthracycline_or_taxane_are_the_registrys_criteria() -> None:
    trial = KB.trials["NCT00684983"]
    encoded = [c for c in trial.criteria.inclusion if c.encoded]
    assert any("trastuzumab" in c.text and "ctgov-nct00684983" in c.citations for c in encoded)
    assert any("anthracycline and/or a taxane" in c.text and "ctgov-nct00684983" in c.citations for c in encoded)
    assert "trial's title in Table 1 states" not in KB.entries["RAT-CIX-LAP-CAP"].notes


def test_nct01234857_is_registered_from_its_publication() -> None:
    trial = KB.trials["NCT01234857"]
    assert not trial.in_review_table and trial.since is not None and "baselga2017" in trial.since.citations
    assert "RAT-RIDA-DALO" in {e.id for e in KB.active_entries if "NCT01234857" in e.trials}


@pytest.mark.parametrize("chemo", ["paclitaxel", "docetaxel", "doxorubicin"])
def test_chemotherapy_statements_reach_taxane_and_anthracycline_patients(chemo: str) -> None:
    report = igfrules.evaluate({"er_status": "negative", "stage": "IV",
                                "prior_therapies": [{"agent": chemo, "setting": "metastatic"}]}, KB)
    statements = " ".join([*(f.statement for r in report.rationales for f in r.findings),
                           *(r.evidence.statement for r in report.rationales)])
    assert "paclitaxel" in statements
    assert "no results from clinical trials supporting the hypothesis that IGF-1R inhibition enhances" in statements


def test_status_words_give_the_review_status_with_its_date_and_the_outcome_since() -> None:
    review = KB.references[KB.meta.review]
    words = status_words(KB.trials["NCT03659136"], KB.references, review)
    assert words.startswith("recruiting per the review (2021-03-22); since reported negative")
    assert "(Schmid et al., 2023); today completed, results published (as of 2023 (year only); source: " in words
    assert "published outside the review" in status_words(KB.trials["NCT01605396"], KB.references, review)
    assert status_words(KB.trials["NCT01122199"], KB.references, review).startswith(
        "completed per the review (2021-03-22); today completed, results reported (as of 2013 (year only); source: ")


def test_claimed_citations_are_read_from_prose() -> None:
    assert claimed_citations("differ (Burtrum et al., 2003; Maloney et al., 2003) vs HER2+ (Wang and Xu, 2019); "
                             "Clemmons, 2007a") == ["Burtrum et al., 2003", "Maloney et al., 2003",
                                                    "Wang and Xu, 2019", "Clemmons, 2007a"]


def test_check_refuses_a_coverage_claim_for_an_entry_that_does_not_cite_the_reference(tmp_path: Path) -> None:
    rules = tmp_path / "rules"
    shutil.copytree(RULES, rules)
    coverage = rules / "coverage.yaml"
    text = coverage.read_text(encoding="utf-8")
    old = "encoded_by: [RAT-IGF1R-TKI, RAT-LIGAND-ANTIBODY-MEDI573]"
    assert old in text
    coverage.write_text(text.replace(old, "encoded_by: [RAT-IGF1R-TKI, RAT-RIDA-DALO]"), encoding="utf-8")
    _, problems = check_knowledge_base(rules)
    messages = [p.message for p in problems]
    assert any("RAT-RIDA-DALO" in m and "burtrum2003" in m for m in messages)
    assert all(p.source.endswith("coverage.yaml") for p in problems)


def test_xentuzumab_rationale_follows_the_two_trials_prior_therapy() -> None:
    def fires(therapy: dict[str, Any]) -> bool:
        return "RAT-XEN-EVE-EXE" in _fit({**HR_POSITIVE_POSTMENOPAUSAL, "prior_therapies": [therapy]})[2]

    assert fires({"agent": "letrozole", "setting": "neoadjuvant", "progressed": True})  # NCT02123823: any setting
    assert fires({"agent": "tamoxifen", "setting": "adjuvant", "progressed": True})  # XENERA-1
    assert fires({"agent": "fulvestrant", "setting": "metastatic", "progressed": True})  # XENERA-1
    assert not fires({"agent": "tamoxifen", "setting": "neoadjuvant", "progressed": True})  # neither trial
    assert not fires({"agent": "exemestane", "setting": "neoadjuvant", "progressed": True})


def test_xenera_1_reads_not_amenable_to_curative_treatment_from_the_intent_of_care() -> None:
    text = KB.trials["NCT03659136"].population_text
    assert "intent of care" in text
    stage_iiib = {**HR_POSITIVE_POSTMENOPAUSAL, "stage": "IIIB",
                  "prior_therapies": [{"agent": "tamoxifen", "setting": "adjuvant", "progressed": True}]}
    trials, needs, _ = _fit(stage_iiib)
    assert "NCT03659136" not in trials and "NCT03659136" in needs  # the intent is asked
    assert "NCT03659136" in _fit({**stage_iiib, "treatment_intent": "palliative"})[0]
    trials, needs, _ = _fit({**stage_iiib, "treatment_intent": "curative"})
    assert "NCT03659136" not in trials | needs


def test_xenera_1_result_cites_its_own_publication_wherever_nct02123823_names_it() -> None:
    trial = KB.trials["NCT02123823"]
    assert trial.since is not None and "schmid2023" in trial.since.citations
    about_xenera_1 = [r for r in trial.results if "XENERA-1 then tested" in r.statement
                      or "follow-up restricted to non-visceral disease" in r.statement]
    assert len(about_xenera_1) == 2
    assert all("schmid2023" in r.citations for r in about_xenera_1)


def test_chemotherapy_rationale_names_its_cell_line_population_and_no_regimen() -> None:
    entry = KB.entries["RAT-IGF1R-CHEMOTHERAPY"]
    assert not entry.agents and "MCF-7" in entry.evidence_population
    assert "ER-positive" in entry.evidence_population and "igfrules' curation" in entry.evidence_population
    report = igfrules.evaluate({"er_status": "negative", "pr_status": "negative", "her2_status": "negative",
                                "stage": "IV", "prior_therapies": [{"agent": "paclitaxel", "setting": "metastatic"}]},
                               KB)
    (rationale,) = [r for r in report.rationales if r.id == "RAT-IGF1R-CHEMOTHERAPY"]
    assert rationale.agents == () and "MCF-7" in rationale.evidence_population


def test_an_antibody_drug_conjugate_is_not_cytotoxic_chemotherapy() -> None:
    _, _, rationales = _fit({"er_status": "negative", "stage": "IV",
                             "prior_therapies": [{"agent": "sacituzumab govitecan", "setting": "metastatic"}]})
    assert "RAT-IGF1R-CHEMOTHERAPY" not in rationales


def test_liposomal_doxorubicin_is_an_anthracycline_but_not_doxorubicin() -> None:
    _, _, rationales = _fit({"er_status": "negative", "stage": "IV",
                             "prior_therapies": [{"agent": "Caelyx", "setting": "metastatic"}]})
    assert "RAT-IGF1R-CHEMOTHERAPY" in rationales and "RAT-DOX-THEN-IGF1R" not in rationales
    _, _, rationales = _fit({"er_status": "negative", "stage": "IV",
                             "prior_therapies": [{"agent": "Adriamycin", "setting": "metastatic"}]})
    assert "RAT-DOX-THEN-IGF1R" in rationales
