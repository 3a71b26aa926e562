"""durable_rules and the reference evaluator agree on generated profiles and condition trees."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from igfrules import KnowledgeBaseError
from igfrules.engine.durable_engine import Engine
from igfrules.engine.reference import evaluate
from igfrules.model.conditions import Condition
from igfrules.model.validation import profile_from_mapping
from tests.strategies import cases, conditions


@given(st.lists(conditions(), min_size=1, max_size=6), st.lists(cases(), min_size=1, max_size=8))
def test_engine_agrees_with_reference_on_generated_condition_trees(
    trees: list[Condition], generated: list[dict[str, Any]]
) -> None:
    named = {f"c{i}": tree for i, tree in enumerate(trees)}
    try:
        engine = Engine(named)
    except KnowledgeBaseError:
        return  # a tree too large to compile is refused at load, never mis-evaluated
    for case in generated:
        profile = profile_from_mapping(case)
        assert engine.evaluate(profile) == {name: evaluate(c, profile) for name, c in named.items()}
