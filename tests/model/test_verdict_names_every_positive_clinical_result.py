"""The verdict counts as a positive clinical result in breast cancer every clinical kind of study
whose direction is `supports`, and nothing else, and names every such rationale.

The oracle below is written out by hand from docs/evidence-grades.md; it shares no code with
model/verdict.py."""

from __future__ import annotations

from dataclasses import dataclass
from typing import get_args

import pytest

from igfrules.model.evidence import Direction, EvidenceKind
from igfrules.model.verdict import verdict

CLINICAL_IN_BREAST_CANCER = {"randomised_clinical", "nonrandomised_clinical", "clinical_subgroup",
                             "clinical_design_unstated"}
NOT_A_CLINICAL_RESULT = {"observational", "clinical_other_tumours", "preclinical", "inferential"}
CLAUSE = "Every IGF-axis agent is investigational."


@dataclass(frozen=True)
class Evidence:
    kind: str
    direction: str


@dataclass(frozen=True)
class Rationale:
    id: str
    evidence: Evidence


def test_the_oracle_covers_every_kind_of_evidence() -> None:
    assert set(get_args(EvidenceKind)) == CLINICAL_IN_BREAST_CANCER | NOT_A_CLINICAL_RESULT
    assert not CLINICAL_IN_BREAST_CANCER & NOT_A_CLINICAL_RESULT


@pytest.mark.parametrize("kind", sorted(CLINICAL_IN_BREAST_CANCER))
def test_each_clinical_kind_that_supports_is_a_positive_clinical_result(kind: str) -> None:
    """Mutation: "clinical_design_unstated" (or any clinical kind) dropped from
    BREAST_CANCER_CLINICAL in model/verdict.py; only randomised_clinical was ever tested."""
    line = verdict([Rationale("RAT-ONE", Evidence(kind, "supports"))])
    assert "1 rests on a positive clinical result in breast cancer (RAT-ONE)" in line
    assert line.endswith(CLAUSE)


@pytest.mark.parametrize("kind", sorted(NOT_A_CLINICAL_RESULT))
def test_other_kinds_that_support_are_not(kind: str) -> None:
    """Mutation: a non-clinical kind added to BREAST_CANCER_CLINICAL."""
    line = verdict([Rationale("RAT-ONE", Evidence(kind, "supports"))])
    assert line.startswith("No IGF-axis strategy has shown benefit for this profile")
    assert "positive clinical result" not in line and "RAT-ONE" not in line


@pytest.mark.parametrize("direction", sorted(set(get_args(Direction)) - {"supports"}))
@pytest.mark.parametrize("kind", sorted(CLINICAL_IN_BREAST_CANCER))
def test_a_clinical_result_that_does_not_support_is_not_positive(kind: str, direction: str) -> None:
    """Mutation: the `direction == "supports"` check dropped or inverted."""
    line = verdict([Rationale("RAT-ONE", Evidence(kind, direction))])
    assert line.startswith("No IGF-axis strategy has shown benefit") and "positive clinical result" not in line


def test_every_positive_rationale_is_named_in_order() -> None:
    """Mutation: only the first positive rationale named (`positive[:1]`, or `next(...)`); no
    test had two."""
    rationales = [Rationale("RAT-A", Evidence("clinical_design_unstated", "supports")),
                  Rationale("RAT-B", Evidence("preclinical", "supports")),
                  Rationale("RAT-C", Evidence("randomised_clinical", "supports")),
                  Rationale("RAT-D", Evidence("clinical_subgroup", "caution"))]
    line = verdict(rationales)
    assert line.startswith("4 IGF-axis research rationales match this profile: ")
    assert "2 rest on a positive clinical result in breast cancer (RAT-A, RAT-C)" in line


def test_three_positive_rationales_are_all_named() -> None:
    """Mutation: as above, and the plural verb."""
    rationales = [Rationale(f"RAT-{n}", Evidence("nonrandomised_clinical", "supports")) for n in (1, 2, 3)]
    assert "3 rest on a positive clinical result in breast cancer (RAT-1, RAT-2, RAT-3)" in verdict(rationales)


def test_the_memo_of_verdict_lines_never_holds_more_than_4096(monkeypatch: pytest.MonkeyPatch) -> None:
    """Memory stays flat over any number of distinct lists of rationales. Mutations: the bound
    tested with `>` instead of `>=`, or moved to 4097."""
    from igfrules.model import verdict as module

    monkeypatch.setattr(module, "_lines", {})
    for n in range(4200):
        line = verdict([Rationale(f"RAT-{n}", Evidence("preclinical", "supports"))])
        assert len(module._lines) <= 4096
    assert "positive clinical result" not in line
