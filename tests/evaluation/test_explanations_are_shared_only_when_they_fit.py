"""evaluate() shares one explanation between cases whose explanation is the same, never between
cases whose missing details differ (the order cases arrive in changes nothing)."""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml

import igfrules
from igfrules.model.validation import profile_from_mapping
from tests.conftest import CASES, RULES
from tests.oracle.report_oracle import oracle_report

# The phase I trials ask for progression on systemic therapy given for advanced disease: one case
# leaves the setting unknown, the other the setting and the progression. Neither records a therapy
# for advanced disease, so everything else an explanation reads is the same.
SETTING_UNKNOWN = {"er_status": "positive", "stage": "IV", "prior_therapies": [{"agent": "paclitaxel",
                                                                                 "progressed": True}]}
BOTH_UNKNOWN = {"er_status": "positive", "stage": "IV", "prior_therapies": [{"agent": "paclitaxel"}]}


def missing(report: igfrules.Report, rule_id: str) -> tuple[str, ...]:
    return next(n.missing for n in report.needs_information if n.rule_id == rule_id)


def test_two_cases_that_miss_different_details_are_explained_apart_in_either_order() -> None:
    for first, second in ((SETTING_UNKNOWN, BOTH_UNKNOWN), (BOTH_UNKNOWN, SETTING_UNKNOWN)):
        kb = igfrules.load_knowledge_base(RULES)  # a fresh memo
        for case in (first, second):
            report = igfrules.evaluate(case, kb)
            assert report == oracle_report(profile_from_mapping(case), kb)
    kb = igfrules.load_knowledge_base(RULES)
    assert missing(igfrules.evaluate(SETTING_UNKNOWN, kb), "NCT01062620") == ("prior_therapies.setting",)
    assert missing(igfrules.evaluate(BOTH_UNKNOWN, kb), "NCT01062620") == ("prior_therapies.progressed",
                                                                         "prior_therapies.setting")


def test_an_entry_whose_condition_reads_two_fields_is_explained_by_both(tmp_path: Path) -> None:
    """A context note shown when ER is negative or BMI is at least 25: an ER-positive case with BMI
    30 is explained by its BMI, never by the "ER status is negative" of the case before it with the
    same BMI. Mutation: a memo key of two values built from the first alone (`len(indices) == 1`
    turned into `== 2`)."""
    rules = tmp_path / "rules"
    shutil.copytree(RULES, rules)
    note = rules / "context" / "ctx-er-negative-low-igf1r.yaml"
    one_field = "  all:\n    - {field: er_status, op: equals, value: negative}\n"
    assert one_field in note.read_text(encoding="utf-8")
    note.write_text(note.read_text(encoding="utf-8").replace(one_field, (
        "  any:\n    - {field: er_status, op: equals, value: negative}\n"
        "    - {field: bmi, op: at_least, value: 25}\n")), encoding="utf-8")
    kb = igfrules.load_knowledge_base(rules)

    def because(case: dict[str, object]) -> tuple[str, ...]:
        return next(c.because for c in igfrules.evaluate(case, kb).context if c.id == "CTX-ER-NEGATIVE-LOW-IGF1R")

    assert because({"er_status": "negative", "bmi": 30}) == ("ER status is negative",)
    assert because({"er_status": "positive", "bmi": 30}) == ("BMI is 30 (at least 25)",)


def test_a_heightened_caution_names_this_case_s_values_not_the_last_case_s(tmp_path: Path) -> None:
    """A caution heightened when BMI is at least 30 (a knowledge base may heighten a caution on a
    field its rationale never reads): a case with BMI 35 after one with BMI 32 is told "BMI is 35",
    never the other patient's 32. Mutation: the memo key of a positive rationale built from its
    cautions that are not heightened (`truth[c.truth_name] is True` turned into `is not True` in
    evaluation/evaluate.py), so two heightened cases shared one explanation."""
    rules = tmp_path / "rules"
    shutil.copytree(RULES, rules)
    cautions = rules / "cautions.yaml"
    diabetes = "  applies_to: {agents: [], classes: [igf1r_antibody, mtor_inhibitor, akt_inhibitor]}\n" \
               "  heightened_when: {field: diabetes, op: equals, value: true}\n"
    assert diabetes in cautions.read_text(encoding="utf-8")
    cautions.write_text(cautions.read_text(encoding="utf-8").replace(diabetes, diabetes.replace(
        "{field: diabetes, op: equals, value: true}", "{field: bmi, op: at_least, value: 30}")), encoding="utf-8")
    kb = igfrules.load_knowledge_base(rules)
    case = yaml.safe_load((CASES / "hr-positive-her2-negative-nonvisceral.yaml").read_text(encoding="utf-8"))

    def heightened(bmi: int) -> set[tuple[str, tuple[str, ...]]]:
        report = igfrules.evaluate({**case, "bmi": bmi}, kb)
        return {(r.id, c.heightened_because) for r in report.rationales for c in r.cautions
                if c.id == "CAU-HYPERGLYCAEMIA-CLASS" and c.heightened}

    first = heightened(32)
    assert first and {because for _, because in first} == {("BMI is 32 (at least 30)",)}
    assert {because for _, because in heightened(35)} == {("BMI is 35 (at least 30)",)}
