"""A bug while a report is built is an EvaluationError saying what failed, never a bare traceback;
and the memo of explanations stays bounded."""

from __future__ import annotations

import pytest

import igfrules
from igfrules.evaluation import evaluate as module
from igfrules.evaluation.evaluate import ReportBuilder, _Memo


def test_an_unexpected_exception_while_building_a_report_is_an_evaluation_error(
        kb: igfrules.KnowledgeBase, monkeypatch: pytest.MonkeyPatch) -> None:
    """Mutation: `except Exception` in evaluate() no longer catching (a RuntimeError reached the
    caller as it was: the command line's and the batch's error paths expect an IgfrulesError)."""
    def broken(self: ReportBuilder, profile: object) -> object:
        raise RuntimeError("a bug in the report builder")

    monkeypatch.setattr(module.ReportBuilder, "report", broken)
    with pytest.raises(igfrules.EvaluationError, match="evaluation failed: RuntimeError: a bug in the report"):
        igfrules.evaluate({"er_status": "positive"}, kb)


def test_the_memo_of_explanations_never_holds_more_than_its_limit() -> None:
    """Mutations: the bound tested with `>` instead of `>=`, or moved (20001)."""
    memo = _Memo()
    for n in range(20_050):
        assert memo.put(n, str(n)) == str(n)
        assert len(memo) <= 20_000
    assert _Memo.LIMIT == 20_000
