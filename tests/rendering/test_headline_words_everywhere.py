"""A headline's direction reads the same in every place a person meets it: the brief, the full
cards, `igfrules rules`, `igfrules explain` and the knowledge-base docs. A preclinical "supports"
is a hypothesis, never a bare "supports" (issue 9)."""

from __future__ import annotations

from click.testing import CliRunner

from igfrules.cli import main
from igfrules.knowledge.loader import load_knowledge_base
from igfrules.rendering.kbdocs import render_knowledge_base


def test_rules_explain_and_docs_use_the_brief_words_for_a_preclinical_headline() -> None:
    runner = CliRunner()
    listing = runner.invoke(main, ["rules"]).output
    (row,) = [line for line in listing.splitlines() if line.startswith("RAT-IGF1R-TKI ")]
    assert "hypothesis (preclinical)" in row and " supports " not in row
    explained = runner.invoke(main, ["explain", "RAT-IGF1R-TKI"]).output
    (evidence,) = [line for line in explained.splitlines() if line.startswith("Evidence: ")]
    assert "hypothesis (preclinical)." in evidence and "supports" not in evidence
    docs = render_knowledge_base(load_knowledge_base())
    assert "| supports |" not in docs
