"""Every example case in cases/ gives exactly its expected JSON (cases/expected/<name>.json).

After an intended change, refresh with IGFRULES_UPDATE_EXPECTED=1 (the run fails for each file it
rewrites: tests/golden.py), review the diff, and run again without it.
"""

from __future__ import annotations

import pytest

import igfrules
from tests.conftest import CASES, RULES
from tests.golden import check_golden

KB = igfrules.load_knowledge_base(RULES)
CASE_FILES = sorted(p for p in CASES.iterdir() if p.suffix in (".yaml", ".json"))


@pytest.mark.parametrize("path", CASE_FILES, ids=[p.stem for p in CASE_FILES])
def test_case_matches_expected_output(path) -> None:  # type: ignore[no-untyped-def]
    expected_path = CASES / "expected" / f"{path.stem}.json"
    check_golden(expected_path, igfrules.evaluate(path, KB).to_json())


def test_there_are_at_least_six_example_cases() -> None:
    assert len(CASE_FILES) >= 6


def test_every_rationale_fires_in_some_example_case() -> None:
    fired = {r.id for path in CASE_FILES for r in igfrules.evaluate(path, KB).rationales}
    rationales = {e.id for e in KB.active_entries if e.kind == "rationale"}
    assert rationales - fired == set()


def test_docs_are_current() -> None:
    from igfrules.rendering.kbdocs import render_knowledge_base

    current = (RULES.parent / "docs" / "knowledge-base.md").read_text(encoding="utf-8")
    assert current == render_knowledge_base(KB), "docs/knowledge-base.md is stale: run `igfrules docs`"
