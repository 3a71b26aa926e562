"""The verdict is computed from the report and true for it: a knowledge base or a vocabulary that
says otherwise changes it (never fixed text)."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path
from typing import NamedTuple

import pytest
import yaml

import igfrules
from igfrules.model.verdict import investigational_clause, verdict
from igfrules.model.vocabulary import Vocabulary, vocabulary
from igfrules.rendering.labels import direction_words
from igfrules.rendering.text import render_text
from tests.conftest import CASES, RULES

CASE = CASES / "hr-positive-her2-negative-nonvisceral.yaml"


def _kb_with_positive_breast_cancer_evidence(tmp_path: Path) -> Path:
    """rules/ copied, with RAT-XEN-EVE-EXE's randomised headline evidence turned positive."""
    rules = tmp_path / "rules"
    shutil.copytree(RULES, rules)
    path = rules / "rationales" / "rat-xen-eve-exe.yaml"
    entry = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert entry["evidence"]["kind"] == "randomised_clinical"
    entry["evidence"]["direction"] = "supports"
    entry["evidence"]["statement"] = "A hypothetical randomised trial that improved PFS (test data only)."
    path.write_text(yaml.safe_dump(entry, sort_keys=False), encoding="utf-8")
    return rules


def test_shipped_knowledge_base_verdict_says_what_was_shown_negative_first(kb: igfrules.KnowledgeBase) -> None:
    report = igfrules.evaluate(CASE, kb)
    assert report.verdict == (
        "No IGF-axis strategy has shown benefit for this profile: 3 were tested in breast cancer with no benefit "
        "shown, 3 have data only from other tumours, 1 is a hypothesis. Every IGF-axis agent is investigational.")


def test_positive_breast_cancer_evidence_changes_the_verdict(tmp_path: Path) -> None:
    kb = igfrules.load_knowledge_base(_kb_with_positive_breast_cancer_evidence(tmp_path))
    report = igfrules.evaluate(CASE, kb)
    assert "RAT-XEN-EVE-EXE" in {r.id for r in report.rationales}
    assert report.verdict == (
        f"{len(report.rationales)} IGF-axis research rationales match this profile: 1 rests on a positive clinical "
        "result in breast cancer (RAT-XEN-EVE-EXE), 2 were tested in breast cancer with no benefit shown, 3 have "
        "data only from other tumours, 1 is a hypothesis. Every IGF-axis agent is investigational.")
    xen = next(r for r in report.rationales if r.id == "RAT-XEN-EVE-EXE")
    assert direction_words(xen.evidence) == "positive clinical result (breast cancer)"
    assert report.verdict in " ".join(render_text(report).split())


class _Evidence(NamedTuple):
    kind: str
    direction: str


class _R(NamedTuple):
    id: str
    evidence: _Evidence


@pytest.mark.parametrize("kind", ["randomised_clinical", "nonrandomised_clinical", "clinical_subgroup",
                                  "clinical_design_unstated"])
def test_every_clinical_kind_in_breast_cancer_counts_as_a_positive_result(kind: str) -> None:
    """Mutation: "clinical, design not stated" dropped from the clinical kinds (it passed every test)."""
    line = verdict([_R("RAT-A", _Evidence(kind, "supports"))])
    assert line.startswith("1 IGF-axis research rationale matches this profile: 1 rests on a positive clinical "
                           "result in breast cancer (RAT-A).")


def test_every_positive_rationale_is_named_not_only_the_first() -> None:
    """Mutation: only the first positive rationale named in the verdict."""
    line = verdict([_R("RAT-A", _Evidence("randomised_clinical", "supports")),
                    _R("RAT-B", _Evidence("preclinical", "supports")),
                    _R("RAT-C", _Evidence("clinical_subgroup", "supports"))])
    assert "2 rest on a positive clinical result in breast cancer (RAT-A, RAT-C), 1 is a hypothesis." in line


@pytest.mark.parametrize(("kinds", "clauses"), [
    ((), "No IGF-axis research rationale matches this profile with what is known."),
    (("randomised_clinical",), "1 was tested in breast cancer with no benefit shown."),
    (("clinical_other_tumours", "clinical_other_tumours"), "2 have data only from other tumours."),
    (("preclinical", "inferential", "clinical_other_tumours"), "1 has data only from other tumours, 2 are hypotheses."),
])
def test_the_verdict_counts_each_group(kinds: tuple[str, ...], clauses: str) -> None:
    rationales = [_R(f"RAT-{i}", _Evidence(k, "does_not_support" if k == "randomised_clinical" else "supports"))
                  for i, k in enumerate(kinds)]
    assert clauses in verdict(rationales)
    assert verdict(rationales).endswith("Every IGF-axis agent is investigational.")


def test_an_approval_recorded_in_the_vocabulary_changes_the_clause() -> None:
    shipped = vocabulary()
    agents = dict(shipped.agents)
    agents["xentuzumab"] = replace(agents["xentuzumab"], investigational=False)
    changed = Vocabulary(shipped.classes, agents)
    assert investigational_clause(shipped) == "every IGF-axis agent is investigational"
    assert investigational_clause(changed) == ("xentuzumab has a recorded approval; every other IGF-axis agent "
                                               "is investigational")
    assert verdict([], changed).endswith("Xentuzumab has a recorded approval; every other IGF-axis agent is "
                                         "investigational.")


def test_a_hand_built_report_cannot_carry_a_false_verdict(kb: igfrules.KnowledgeBase) -> None:
    data = igfrules.evaluate(CASE, kb).model_dump()
    with pytest.raises(ValueError, match="verdict is computed"):
        igfrules.Report.model_validate({**data, "verdict": "Every rationale is proven."})
