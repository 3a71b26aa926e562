"""Every entry's own examples behave as stated, under the engine and the reference evaluator."""

from __future__ import annotations

import pytest

import igfrules
from igfrules.engine.reference import evaluate
from igfrules.knowledge.check import check_knowledge_base
from igfrules.model.validation import profile_from_mapping
from tests.conftest import RULES

KB = igfrules.load_knowledge_base(RULES)
EXPECT = {"fires": True, "does_not_fire": False, "needs_information": None}
EXAMPLES = [
    pytest.param(entry.id, label, case, expect, id=f"{entry.id}-{label}")
    for entry in KB.active_entries
    for label, case, expect in (
        ("fires", entry.examples.fires, True),
        ("does_not_fire", entry.examples.does_not_fire, False),
        ("boundary", entry.examples.boundary.case, EXPECT[entry.examples.boundary.expect]),
    )
]


@pytest.mark.parametrize(("entry_id", "label", "case", "expect"), EXAMPLES)
def test_example(entry_id: str, label: str, case: dict, expect: bool | None) -> None:  # type: ignore[type-arg]
    profile = profile_from_mapping(case)
    condition = KB.conditions[f"entry:{entry_id}"]
    assert evaluate(condition, profile) is expect
    assert KB.engine.evaluate(profile)[f"entry:{entry_id}"] is expect
    report = igfrules.evaluate(profile, KB)
    fired = {r.id for r in report.rationales} | {c.id for c in report.context}
    needs = {n.rule_id for n in report.needs_information}
    assert (entry_id in fired, entry_id in needs) == (expect is True, expect is None)


def test_every_entry_has_a_distinct_fires_and_not_fires_example() -> None:
    for entry in KB.active_entries:
        assert entry.examples.fires != entry.examples.does_not_fire, entry.id


def test_check_reports_no_problem() -> None:
    kb, problems = check_knowledge_base(RULES)
    assert kb is not None
    assert [str(p) for p in problems] == []


def test_every_entry_fires_on_an_example_or_a_generated_profile() -> None:
    from igfrules.knowledge.check import coverage

    assert coverage(KB).never_fired == frozenset()
