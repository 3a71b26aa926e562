"""The condition language accepts exactly what docs/rule-format.md describes, names the exact
problem when it refuses something, and its trees are immutable values (they key caches)."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from igfrules.model.conditions import AllOf, AnyOf, Compare, ConditionSyntaxError, Includes, Not, parse_condition
from igfrules.model.fields import FIELDS


def _refused(raw: Any) -> ConditionSyntaxError:
    with pytest.raises(ConditionSyntaxError) as caught:
        parse_condition(raw)
    return caught.value


def test_one_of_needs_a_non_empty_list() -> None:
    """Mutation: `not isinstance(values, list) or not values` turned into `and`: an empty list was
    accepted (a test that can never be true), and a bare word was read letter by letter."""
    empty = _refused({"field": "er_status", "op": "one_of", "value": []})
    assert (empty.location, empty.message) == ("when.value", "one_of needs a non-empty list")
    word = _refused({"field": "er_status", "op": "one_of", "value": "positive"})
    assert (word.location, word.message) == ("when.value", "one_of needs a non-empty list")
    assert parse_condition({"field": "er_status", "op": "one_of", "value": ["positive"]}) == Compare(
        "er_status", "one_of", ("positive",))


def test_a_number_at_either_end_of_its_range_is_accepted_and_beyond_it_refused() -> None:
    """Mutation: `low <= value <= high` turned into `< high` (the upper bound itself refused)."""
    low, high = FIELDS["bmi"].bounds or (0.0, 0.0)
    for value in (low, high):
        assert parse_condition({"field": "bmi", "op": "at_most", "value": value}) == Compare("bmi", "at_most", value)
    for value in (low - 0.5, high + 0.5, float("nan"), float("inf")):
        refused = _refused({"field": "bmi", "op": "at_least", "value": value})
        assert refused.location == "when.value" and "is outside 10-90" in refused.message


def test_the_first_key_that_does_not_belong_is_named() -> None:
    """Mutation: the message names the last extra key (extra[-1]) instead of the first, sorted."""
    refused = _refused({"field": "er_status", "op": "is_known", "value": "positive", "agent": "tamoxifen"})
    assert (refused.location, refused.message) == ("when", "'agent' does not belong with op 'is_known'")


@pytest.mark.parametrize("tree", [
    Compare("er_status", "equals", "positive"),
    Includes(agent="tamoxifen", progressed=True),
    AllOf((Compare("bmi", "at_least", 25.0), Not(Compare("er_status", "is_unknown")))),
    AnyOf((Compare("stage", "at_least", "IV"),)),
    Not(Includes(drug_class="endocrine_therapy")),
])
def test_condition_trees_are_immutable_hashable_values(tree: Any) -> None:
    """Mutation: frozen=False on a condition class: it is then unhashable (a dataclass with eq and
    no frozen drops __hash__), and conditions key the engine's and the explanations' caches."""
    copy = dataclasses.replace(tree)
    assert copy == tree and hash(copy) == hash(tree) and {tree: 1}[copy] == 1
    field = dataclasses.fields(tree)[0].name
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(tree, field, None)


def test_a_combinator_with_company_and_an_unknown_key_are_named() -> None:
    """Mutations: the messages name a second combinator or a second unknown key that is not there
    (an IndexError instead of the syntax error)."""
    alone = _refused({"all": [{"field": "er_status", "op": "is_known"}], "field": "er_status"})
    assert alone.message == "'all' must stand alone in its mapping"
    unknown = _refused({"field": "er_status", "op": "equals", "value": "positive", "colour": "red"})
    assert unknown.message == "unknown key 'colour'; a comparison has field, op, value"


def test_includes_tests_that_differ_only_in_setting_have_different_keys() -> None:
    """Mutation: `self.setting or '*'` turned into `and` in Includes.key (every setting shared one
    key, so the engine's facts for 'adjuvant' and 'metastatic' were the same fact)."""
    keys = {Includes(agent="tamoxifen", setting=s).key() for s in (None, "adjuvant", "metastatic")}
    assert len(keys) == 3


def test_two_combinators_in_one_mapping_are_refused_naming_the_first_as_written() -> None:
    """A curator who wrote `all` and `any` side by side is told about the first one, where the
    mapping begins. Mutation: `combinators[0]` turned into `combinators[-1]` in the message."""
    leaf = {"field": "er_status", "op": "equals", "value": "positive"}
    refused = _refused({"all": [leaf], "any": [leaf]})
    assert refused.message == "'all' must stand alone in its mapping"
    refused = _refused({"any": [leaf], "not": leaf})
    assert refused.message == "'any' must stand alone in its mapping"


def test_two_unknown_keys_are_refused_naming_the_first_in_order() -> None:
    """The message names one unknown key, the same one on every run (sorted). Mutation:
    `unknown_keys[0]` turned into `unknown_keys[-1]`."""
    refused = _refused({"field": "er_status", "op": "equals", "value": "positive", "zeta": 1, "alpha": 2})
    assert refused.message == "unknown key 'alpha'; a comparison has field, op, value"
