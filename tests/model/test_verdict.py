"""The verdict is computed from the report and true for it: a knowledge base or a vocabulary that
says otherwise changes it (never fixed text)."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

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


def test_shipped_knowledge_base_verdict(kb: igfrules.KnowledgeBase) -> None:
    report = igfrules.evaluate(CASE, kb)
    assert report.verdict == (f"{len(report.rationales)} research rationales apply; none rests on a positive "
                              "clinical result in breast cancer; every IGF-axis agent is investigational.")


def test_positive_breast_cancer_evidence_changes_the_verdict(tmp_path: Path) -> None:
    kb = igfrules.load_knowledge_base(_kb_with_positive_breast_cancer_evidence(tmp_path))
    report = igfrules.evaluate(CASE, kb)
    assert "RAT-XEN-EVE-EXE" in {r.id for r in report.rationales}
    assert report.verdict == (f"{len(report.rationales)} research rationales apply; 1 rests on a positive "
                              "clinical result in breast cancer (RAT-XEN-EVE-EXE); every IGF-axis agent is "
                              "investigational.")
    xen = next(r for r in report.rationales if r.id == "RAT-XEN-EVE-EXE")
    assert direction_words(xen.evidence) == "positive clinical result (breast cancer)"
    assert report.verdict in " ".join(render_text(report).split())


def test_an_approval_recorded_in_the_vocabulary_changes_the_clause() -> None:
    shipped = vocabulary()
    agents = dict(shipped.agents)
    agents["xentuzumab"] = replace(agents["xentuzumab"], investigational=False)
    changed = Vocabulary(shipped.classes, agents)
    assert investigational_clause(shipped) == "every IGF-axis agent is investigational"
    assert investigational_clause(changed) == ("xentuzumab has a recorded approval; every other IGF-axis agent "
                                               "is investigational")
    assert verdict([], changed).endswith("every other IGF-axis agent is investigational.")


@pytest.mark.parametrize(("count", "head"), [(0, "No IGF-axis research rationale applies with what is known;"),
                                             (1, "1 research rationale applies; none rests"),
                                             (2, "2 research rationales apply; none rests")])
def test_count_clause(kb: igfrules.KnowledgeBase, count: int, head: str) -> None:
    rationales = igfrules.evaluate(CASE, kb).rationales[-count:] if count else ()
    assert verdict(rationales).startswith(head)


def test_a_hand_built_report_cannot_carry_a_false_verdict(kb: igfrules.KnowledgeBase) -> None:
    data = igfrules.evaluate(CASE, kb).model_dump()
    with pytest.raises(ValueError, match="verdict is computed"):
        igfrules.Report.model_validate({**data, "verdict": "Every rationale is proven."})
