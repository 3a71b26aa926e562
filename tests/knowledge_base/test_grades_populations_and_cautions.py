"""Knowledge base 1.2: every grade from all the sources an entry cites, every entry for the patients
its evidence concerns, hyperglycaemia as a class caution, and what happened since the review."""

from __future__ import annotations

from typing import Any

import pytest

import igfrules
from igfrules.model.report import Report
from tests.conftest import RULES

KB = igfrules.load_knowledge_base(RULES)
ER_POSITIVE_ADVANCED = {"er_status": "positive", "pr_status": "positive", "her2_status": "negative",
                        "menopausal_status": "postmenopausal", "stage": "IV", "visceral_disease": False,
                        "metastatic_sites": ["bone"]}
LETROZOLE_PROGRESSED = {"agent": "letrozole", "setting": "metastatic", "progressed": True}
INCIDENCE_NOTES = {"CTX-IGF1-RISK-ER-POSITIVE", "CTX-IGF1-RISK-PREMENOPAUSAL", "CTX-BRCA-HIGH-IGF1"}


def _report(case: dict[str, Any]) -> Report:
    return igfrules.evaluate(case, KB)


def _ids(report: Report) -> tuple[set[str], set[str], set[str]]:
    return ({r.id for r in report.rationales}, {c.id for c in report.context},
            {n.rule_id for n in report.needs_information})


def test_the_anti_igf1r_endocrine_entry_is_graded_as_the_randomised_negative_it_cites() -> None:
    entry = KB.entries["RAT-IGF1R-ENDOCRINE-RESISTANT"]
    assert (entry.evidence.level, entry.evidence.kind, entry.evidence.direction) == (
        "A", "randomised_clinical", "does_not_support")
    assert {"robertson2013", "gradishar2016"} <= set(entry.citations) and "NCT00626106" in entry.trials
    assert "double-blind" in entry.evidence.statement and "IGF-1R expression was not associated" in \
        entry.evidence.statement


def test_the_akt_igf1r_ir_entry_is_xenograft_evidence_after_oestrogen_deprivation() -> None:
    entry = KB.entries["RAT-AKT-IGF1R-IR-ER-POSITIVE"]
    assert (entry.evidence.level, entry.evidence.kind) == ("D", "preclinical") and "xenografts" in \
        entry.evidence.statement
    assert any("turner2023" in f.citations and "HR 0.60" in f.statement and "altered tumours" in f.statement
               for f in entry.findings)
    rationales, _, _ = _ids(_report({**ER_POSITIVE_ADVANCED, "prior_therapies": [LETROZOLE_PROGRESSED]}))
    assert "RAT-AKT-IGF1R-IR-ER-POSITIVE" in rationales
    rationales, _, _ = _ids(_report({**ER_POSITIVE_ADVANCED, "prior_therapies": [
        {"agent": "tamoxifen", "setting": "metastatic", "progressed": True}]}))
    assert "RAT-AKT-IGF1R-IR-ER-POSITIVE" not in rationales  # tamoxifen is no oestrogen deprivation


def test_the_xenera_1_note_says_the_publication_calls_it_randomised() -> None:
    notes = KB.entries["RAT-XEN-EVE-EXE"].notes
    assert "a randomised\n  double-blind Phase II trial" in notes or "a randomised double-blind Phase II trial" in \
        " ".join(notes.split())
    assert 'the sources do not use the word "randomised", and' not in " ".join(notes.split())


@pytest.mark.parametrize(("case", "fires"), [
    ({**ER_POSITIVE_ADVANCED, "prior_therapies": [{"agent": "letrozole", "setting": "adjuvant"}]}, True),
    ({**ER_POSITIVE_ADVANCED, "prior_therapies": [LETROZOLE_PROGRESSED]}, False),
    ({**ER_POSITIVE_ADVANCED, "her2_status": "positive", "prior_therapies": []}, False),
    ({"er_status": "negative", "pr_status": "negative", "her2_status": "negative", "stage": "IV",
      "menopausal_status": "postmenopausal", "prior_therapies": []}, False),
    ({**ER_POSITIVE_ADVANCED, "menopausal_status": "premenopausal", "prior_therapies": []}, False),
], ids=["first-line", "after-metastatic-therapy", "her2-positive", "triple-negative", "premenopausal"])
def test_medi573_fires_only_for_the_population_of_its_trial(case: dict[str, Any], fires: bool) -> None:
    rationales, _, _ = _ids(_report(case))
    assert ("RAT-LIGAND-ANTIBODY-MEDI573" in rationales) is fires
    entry = KB.entries["RAT-LIGAND-ANTIBODY-MEDI573"]
    assert entry.trials == ("NCT01446159",) and "sparing glucose" not in entry.title


@pytest.mark.parametrize("case", [
    {"er_status": "positive", "serum_igf1": "high", "menopausal_status": "premenopausal", "stage": "IIA"},
    {"er_status": "positive", "serum_igf1": "high", "menopausal_status": "postmenopausal", "stage": "IV"},
    {"brca_mutation": True, "serum_igf1": "high", "er_status": "negative", "stage": "I"},
    {"er_status": "positive"},
], ids=["premenopausal-high-igf1", "postmenopausal-high-igf1", "brca-high-igf1", "nothing-known"])
def test_incidence_notes_do_not_fire_for_a_patient_with_breast_cancer(case: dict[str, Any]) -> None:
    _, context, needs = _ids(_report(case))
    assert not (context | needs) & INCIDENCE_NOTES  # never shown, never asked for


def test_the_prognosis_note_says_whom_the_incidence_studies_concern_and_corrects_the_review() -> None:
    report = _report({"er_status": "positive", "serum_igf1": "high", "stage": "IIA"})
    (note,) = [c for c in report.context if c.id == "CTX-IGF-PROGNOSIS-CONFLICTING"]
    (finding,) = [f for f in note.findings if "women who did not have it" in f.statement]
    assert "Correction to the review (Key et al., 2010)" in finding.statement and "recurrence" in finding.statement


def test_the_her2_overweight_note_needs_a_measured_high_igf1_and_reads_as_exploratory() -> None:
    her2_overweight = {"her2_status": "positive", "bmi": 28.5, "stage": "IIA"}
    _, context, needs = _ids(_report(her2_overweight))
    assert "CTX-HER2-OVERWEIGHT-IGF1" not in context and "CTX-HER2-OVERWEIGHT-IGF1" in needs
    _, context, _ = _ids(_report({**her2_overweight, "serum_igf1": "high"}))
    assert "CTX-HER2-OVERWEIGHT-IGF1" in context
    entry = KB.entries["CTX-HER2-OVERWEIGHT-IGF1"]
    assert "risk factor" not in entry.title and entry.title.startswith("Exploratory")
    assert "HR 3.20, 95% CI 1.00-10.21" in entry.evidence.statement and "Chinese definition" in \
        entry.evidence.statement and entry.evidence.direction == "caution"


def test_the_trastuzumab_resistance_note_concerns_metastatic_responders_and_is_dated() -> None:
    adjuvant = {"her2_status": "positive", "stage": "IIA",
                "prior_therapies": [{"agent": "trastuzumab", "setting": "adjuvant", "progressed": False}]}
    _, context, needs = _ids(_report(adjuvant))
    assert "CTX-TRASTUZUMAB-RESISTANCE" not in context | needs
    _, context, _ = _ids(_report({"her2_status": "positive", "stage": "IV",
                                  "prior_therapies": [{"agent": "trastuzumab", "setting": "metastatic"}]}))
    assert "CTX-TRASTUZUMAB-RESISTANCE" in context
    assert any("saura2024" in f.citations for f in KB.entries["CTX-TRASTUZUMAB-RESISTANCE"].findings)


def test_the_igf1r_dfs_note_shows_the_meta_analysis_on_the_other_side() -> None:
    entry = KB.entries["CTX-IGF1R-HIGH-DFS"]
    assert entry.evidence.direction == "caution" and "5,406" in entry.evidence.statement
    sides = {f.direction for f in entry.findings if {"yan2015", "browne2012"} & set(f.citations)}
    assert sides == {"does_not_support"}


def test_browne_2012_is_cited_on_both_sides() -> None:
    for ident in ("RAT-HER2-IGF1R-TRASTUZUMAB-RESISTANT", "RAT-CIX-LAP-CAP"):
        entry = KB.entries[ident]
        cited = [f.direction for f in entry.findings if "browne2012" in f.citations]
        supports = "browne2012" in entry.citations and (
            "supports" in cited or "Browne et al., 2012" in entry.evidence.statement)
        assert supports and "does_not_support" in cited, ident


ANTIBODY_OR_MTOR = {"RAT-RIDA-DALO", "RAT-IGF1R-ENDOCRINE-RESISTANT", "RAT-GAN-EVE", "RAT-GAN-EVE-PANI",
                    "RAT-XEN-EVE-EXE"}


@pytest.mark.parametrize("diabetes", [True, False])
def test_a_diabetic_patient_sees_the_heightened_hyperglycaemia_caution_on_the_antibody_and_mtor_entries(
        diabetes: bool) -> None:
    report = _report({**ER_POSITIVE_ADVANCED, "diabetes": diabetes, "prior_therapies": [LETROZOLE_PROGRESSED]})
    fired = {r.id: r for r in report.rationales}
    assert set(fired) >= ANTIBODY_OR_MTOR
    for ident in ANTIBODY_OR_MTOR:
        (caution,) = [c for c in fired[ident].cautions if c.id == "CAU-HYPERGLYCAEMIA-CLASS"]
        assert caution.heightened is diabetes, ident


def test_every_entry_with_an_anti_igf1r_antibody_or_mtor_inhibitor_carries_the_class_caution() -> None:
    for entry in KB.active_entries:
        if entry.kind != "rationale" or entry.strategy is None:
            continue
        classes = {entry.strategy.igf_axis, *entry.strategy.partners}
        agents = set(entry.agents)
        if classes & {"igf1r_antibody", "mtor_inhibitor"} or agents & {"ganitumab", "dalotuzumab", "cixutumumab",
                                                                       "everolimus", "ridaforolimus"}:
            assert "CAU-HYPERGLYCAEMIA-CLASS" in KB.cautions_for(entry), entry.id


def test_ispy2_ganitumab_with_chemotherapy_is_encoded_as_the_one_randomised_test() -> None:
    entry = KB.entries["RAT-IGF1R-CHEMOTHERAPY"]
    assert (entry.evidence.level, entry.evidence.direction) == ("A", "does_not_support")
    assert "yee2021" in entry.citations and "did not graduate" in entry.evidence.statement
    assert "neoadjuvant" in entry.evidence_population


def test_cdk46_inhibitors_where_the_evidence_speaks_and_where_it_is_silent() -> None:
    xen = " ".join(f.statement for f in KB.entries["RAT-XEN-EVE-EXE"].findings)
    assert "XENERA-1 allowed a prior CDK4/6 inhibitor" in " ".join(xen.split()) and "NCT03099174" in xen
    for ident in ("RAT-IGF1R-ENDOCRINE-RESISTANT", "RAT-RIDA-DALO"):
        text = " ".join(" ".join(f.statement for f in KB.entries[ident].findings).split())
        assert "silent on patients who have had one" in text, ident
