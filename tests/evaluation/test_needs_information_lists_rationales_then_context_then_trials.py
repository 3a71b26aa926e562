"""needs_information lists the rationales, then the context notes, then the trials, each group by
id, whatever the ids: a knowledge base may name a context note so that it sorts after "NCT"."""

from __future__ import annotations

import shutil
from pathlib import Path

import igfrules
from tests.conftest import RULES

RENAMED = {"CTX-IGF-PROGNOSIS-CONFLICTING": "ZZ-IGF-PROGNOSIS-CONFLICTING", "RAT-AXL1717": "ZZ-AXL1717"}


def test_a_context_note_whose_id_sorts_after_the_trials_is_still_listed_before_them(tmp_path: Path) -> None:
    """Mutation: the trials' rank 2 turned into 1 (the context notes' rank), so that a context
    note and the trials were ordered by id together."""
    rules = tmp_path / "rules"
    shutil.copytree(RULES, rules)
    for path in rules.rglob("*.yaml"):
        text = path.read_text(encoding="utf-8")
        for old, new in RENAMED.items():
            text = text.replace(old, new)
        path.write_text(text, encoding="utf-8")
    needs = igfrules.evaluate({}, igfrules.load_knowledge_base(rules)).needs_information
    kinds = [n.kind for n in needs]
    assert kinds == sorted(kinds, key=["rationale", "context", "trial"].index)
    assert {"ZZ-IGF-PROGNOSIS-CONFLICTING", "ZZ-AXL1717", "NCT01062620"} <= {n.rule_id for n in needs}
    for kind in ("rationale", "context", "trial"):
        ids = [n.rule_id for n in needs if n.kind == kind]
        assert ids == sorted(ids)
