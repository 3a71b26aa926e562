"""The CDS Hooks cards say what the brief says: the same direction words and the same groups of
evidence, and a rationale's card (shared between reports) carries nothing of another report."""

from __future__ import annotations

import igfrules
from igfrules.model.verdict import EVIDENCE_GROUPS, evidence_group
from igfrules.rendering.labels import direction_words
from igfrules.service.cards import cards
from tests.conftest import CASES

GROUPS = dict(EVIDENCE_GROUPS)


def test_each_rationale_card_carries_the_briefs_direction_and_group_after_its_title(
        kb: igfrules.KnowledgeBase) -> None:
    report = igfrules.evaluate(CASES / "hr-positive-her2-negative-nonvisceral.yaml", kb)
    made = cards(report, [], "instance")
    for r, card in zip(report.rationales, made, strict=False):
        group = evidence_group(r.evidence.kind)
        words = direction_words(r.evidence)
        if group != "preclinical":
            words += " (breast cancer)" if group == "breast_cancer" else " (other tumours only)"
        assert card["summary"].endswith(f" — {words} (research only)")
        assert f"**{GROUPS[group]}.**" in card["detail"]
        assert len(card["summary"]) < 140


def test_a_shared_rationale_card_carries_nothing_of_another_report(kb: igfrules.KnowledgeBase) -> None:
    one = igfrules.evaluate({"er_status": "positive", "stage": "IV", "diabetes": True}, kb)
    two = igfrules.evaluate({"er_status": "positive", "stage": "IV", "prior_therapies": [
        {"agent": "letrozole", "setting": "metastatic", "progressed": True}]}, kb)
    assert one.verdict != two.verdict  # so a card that carried a verdict would carry the wrong one
    shared = {r.id for r in one.rationales} & {r.id for r in two.rationales}
    assert shared
    for report in (one, two):
        for card in cards(report, [], "instance")[: len(report.rationales)]:
            assert one.verdict not in card["detail"] and two.verdict not in card["detail"]
