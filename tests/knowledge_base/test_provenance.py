"""Nothing igfrules prints, ships or documents names the curators' working note or a path outside
the repository: a reader of a report can open neither. Sources are cited by publication."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import igfrules
from igfrules.evaluation.explain import explain_text
from igfrules.rendering.kbdocs import render_knowledge_base
from igfrules.rendering.registry import RENDERERS
from tests.conftest import CASES, ROOT, RULES

# The working notes outside the repository, by name, and the folder that holds them.
FORBIDDEN = re.compile(r"REVIEW-NOTES|DURABLE-RULES|shared/", re.IGNORECASE)
KB = igfrules.load_knowledge_base(RULES)
CASE_FILES = sorted(p for p in CASES.iterdir() if p.suffix in (".yaml", ".json"))
SHIPPED = [*sorted(
    p for folder in ("rules", "docs", "cases", "src/igfrules") for p in (ROOT / folder).rglob("*")
    if p.is_file() and p.suffix in (".yaml", ".yml", ".json", ".md", ".py")
), ROOT / "README.md"]


def _hits(text: str) -> list[str]:
    return [text[max(0, m.start() - 40):m.end() + 40] for m in FORBIDDEN.finditer(text)]


def test_the_pattern_catches_the_note_and_the_folder() -> None:
    assert _hits("as REVIEW-NOTES.md says") and _hits("see ../shared/source/review.txt")
    assert not _hits("Correction to the review (Schmid et al., 2023)")


@pytest.mark.parametrize("path", SHIPPED, ids=[str(p.relative_to(ROOT)) for p in SHIPPED])
def test_no_rule_file_docs_page_or_source_names_the_note(path: Path) -> None:
    assert _hits(path.read_text(encoding="utf-8")) == []


@pytest.mark.parametrize("fmt", sorted(RENDERERS))
@pytest.mark.parametrize("path", CASE_FILES, ids=[p.stem for p in CASE_FILES])
def test_no_rendering_of_an_example_case_names_the_note(path: Path, fmt: str) -> None:
    assert _hits(RENDERERS[fmt](igfrules.evaluate(path, KB))) == []


def test_explain_and_docs_name_no_note() -> None:
    texts = [explain_text(KB, rule_id, None) for rule_id in [*(e.id for e in KB.active_entries), *KB.trials]]
    assert [h for t in [*texts, render_knowledge_base(KB)] for h in _hits(t)] == []
