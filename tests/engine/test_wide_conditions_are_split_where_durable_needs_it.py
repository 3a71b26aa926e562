"""Patterns stay whole up to durable's limits and are split into their branches just past them:
at most 15 `&`/`|` groups (error 113, counting the anchors' `$and`) and a width of 40 (layout.py).
(That a split condition answers as the reference evaluator does is the engine-agreement property's.)"""

from __future__ import annotations

from typing import Any

import pytest

from igfrules.engine.compiler import MAX_GROUPS, MAX_PATTERN_WIDTH, branches, pattern_width
from igfrules.engine.durable_engine import Engine
from igfrules.errors import KnowledgeBaseError
from igfrules.model.conditions import AllOf, AnyOf, Compare
from igfrules.model.validation import profile_from_mapping


def _or(width: int) -> dict[str, Any]:
    return {"$or": [{"$eq": {f"f{i}": 1}} for i in range(width)]}


def test_the_documented_limits() -> None:
    assert (MAX_GROUPS, MAX_PATTERN_WIDTH) == (15, 40)


def test_a_pattern_of_width_40_stays_whole_and_41_is_split() -> None:
    """Mutations: MAX_PATTERN_WIDTH moved (39, 41), or `width <= MAX` turned into `<`."""
    assert pattern_width(_or(40)) == 40 and branches(_or(40)) == [_or(40)]
    assert branches(_or(41)) == _or(41)["$or"]


def test_fourteen_groups_stay_whole_and_fifteen_are_split() -> None:
    """14 groups and the anchors' `$and` make durable's 15; one more splits. Mutation: `+ 1`
    turned into `+ 2` (a pattern of 14 groups needlessly split)."""
    def nested(groups: int) -> dict[str, Any]:
        expression: dict[str, Any] = {"$eq": {"leaf": 1}}
        for depth in range(groups):
            expression = {"$or" if depth % 2 else "$and": [expression, {"$eq": {f"g{depth}": 1}}]}
        return expression

    assert branches(nested(14)) == [nested(14)]
    assert len(branches(nested(15))) > 1


def test_a_wide_conjunction_is_split_into_one_branch_per_alternative() -> None:
    """Mutation: in the split (_dnf), the branch cap tested with `not` (every `$and` refused as too
    complex); no test split a pattern with an `$and` in it."""
    other = {"$eq": {"x": 1}}
    split = branches({"$and": [_or(41), other]})
    assert split == [{"$and": [leaf, other]} for leaf in _or(41)["$or"]]
    too_many = {"$and": [_or(41), {"$or": [{"$eq": {"y": 1}}, {"$eq": {"y": 2}}]}]}  # 82 branches
    with pytest.raises(KnowledgeBaseError, match="more than 64 alternatives"):
        branches(too_many)


def test_a_one_item_group_is_no_group_so_a_condition_that_fits_stays_loadable() -> None:
    """An `all` of eight two-way `any`s and six `one_of`s of a single value (a value list a
    curator may shorten to one) is nine groups once each one-item `one_of` is the comparison it
    holds: it stays whole, loads and answers. Counted as fifteen groups, it would be split, and its
    false side expands to 2**8 branches, past the 64 that are allowed: a knowledge-base error for a
    condition that fits. Mutation: `flat[0] if len(flat) == 1` turned into `len(flat) == 0` in
    _group (engine/compiler.py), which kept every one-item group as a group."""
    single = {"sex": "female", "menopausal_status": "premenopausal", "er_status": "positive",
              "pr_status": "positive", "her2_status": "positive", "treatment_intent": "curative"}
    wide = AllOf((*(AnyOf((Compare("bmi", "at_least", float(20 + i)), Compare("er_status", "equals", "positive")))
                    for i in range(8)),
                  *(Compare(name, "one_of", (value,)) for name, value in single.items())))
    engine = Engine({"wide": wide})
    assert engine.evaluate(profile_from_mapping(single))["wide"] is True
    assert engine.evaluate(profile_from_mapping({**single, "er_status": "negative", "bmi": 40}))["wide"] is False
    intent_unknown = {name: value for name, value in single.items() if name != "treatment_intent"}
    assert engine.evaluate(profile_from_mapping(intent_unknown))["wide"] is None


def _two_way_parts(parts: int) -> AllOf:
    """An `all` of `parts` two-way `any`s of `all`s: 3 groups each, too many for one pattern, so it is
    split, into 2**parts branches."""
    er, pr = Compare("er_status", "equals", "positive"), Compare("pr_status", "equals", "positive")
    return AllOf(tuple(AnyOf((AllOf((Compare("bmi", "at_least", float(20 + i)), er)),
                              AllOf((Compare("bmi", "at_most", float(12 + i)), pr)))) for i in range(parts)))


def test_a_condition_of_exactly_64_alternatives_loads_and_one_of_128_does_not() -> None:
    """64 branches are allowed (MAX_BRANCHES, the limit the error message names); 128 are refused.
    Mutation: `len(conjunctions) > MAX_BRANCHES` turned into `>=` in _dnf (engine/compiler.py),
    which refused a condition of exactly 64."""
    engine = Engine({"sixty_four": _two_way_parts(6)})
    assert engine.evaluate(profile_from_mapping({"bmi": 30, "er_status": "positive"}))["sixty_four"] is True
    assert engine.evaluate(profile_from_mapping({"bmi": 22, "er_status": "positive"}))["sixty_four"] is False
    assert engine.evaluate(profile_from_mapping({"er_status": "positive"}))["sixty_four"] is None
    with pytest.raises(KnowledgeBaseError, match="more than 64 alternatives"):
        Engine({"one_hundred_and_twenty_eight": _two_way_parts(7)})


def test_an_any_of_exactly_64_alternatives_is_split_and_one_of_65_is_refused() -> None:
    """An `any` wider than a pattern holds is split into its alternatives, 64 at most (the limit
    the error message names). Mutation: `len(branches) > MAX_BRANCHES` turned into `>=` in _dnf's
    `$or` (engine/compiler.py), which refused an `any` of exactly 64."""
    assert branches(_or(64)) == _or(64)["$or"]
    with pytest.raises(KnowledgeBaseError, match="more than 64 alternatives"):
        branches(_or(65))
