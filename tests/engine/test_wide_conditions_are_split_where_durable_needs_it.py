"""Patterns stay whole up to durable's limits and are split into their branches just past them:
at most 15 `&`/`|` groups (error 113, counting the anchors' `$and`) and a width of 40 (layout.py).
(That a split condition answers as the reference evaluator does is the engine-agreement property's.)"""

from __future__ import annotations

from typing import Any

import pytest

from igfrules.engine.compiler import MAX_GROUPS, MAX_PATTERN_WIDTH, branches, pattern_width
from igfrules.errors import KnowledgeBaseError


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
