"""Conditions in words, and a condition tree annotated with one profile's values (for `explain`)."""

from __future__ import annotations

from collections.abc import Callable

from ..model.conditions import AllOf, AnyOf, Condition, Not, Truth, describe_test
from ..model.patient import PatientProfile
from .labels import value_words

_VALUE = {True: "true", False: "false", None: "unknown"}


def in_words(condition: Condition) -> str:
    """One sentence: 'er_status is positive and (stage at least IIIB or ...)'."""
    if isinstance(condition, AllOf | AnyOf):
        joiner = " and " if isinstance(condition, AllOf) else " or "
        parts = [in_words(p) for p in condition.parts]
        wrapped = [f"({p})" if (" and " in p or " or " in p) and len(parts) > 1 else p for p in parts]
        return joiner.join(wrapped)
    if isinstance(condition, Not):
        inner = in_words(condition.part)
        return f"not ({inner})" if " " in inner else f"not {inner}"
    return describe_test(condition)


def tree_lines(condition: Condition, profile: PatientProfile | None = None,
               truth: Callable[[Condition], Truth] | None = None, depth: int = 0) -> list[str]:
    """The condition as an indented tree; with a profile and `truth` (the engine's reference
    evaluation of a node for that profile), each node's value for it. A renderer never evaluates."""
    pad = "  " * depth

    def label(text: str, node: Condition) -> str:
        if profile is None or truth is None:
            return f"{pad}{text}"
        value = truth(node)
        return f"{pad}[{_VALUE[value]:>7}] {text}"

    if isinstance(condition, AllOf | AnyOf):
        head = "all of:" if isinstance(condition, AllOf) else "any of:"
        lines = [label(head, condition)]
        for part in condition.parts:
            lines.extend(tree_lines(part, profile, truth, depth + 1))
        return lines
    if isinstance(condition, Not):
        return [label("not:", condition), *tree_lines(condition.part, profile, truth, depth + 1)]
    text = describe_test(condition)
    if profile is not None:
        actual = profile.value(condition.field)
        # As a case file writes it: `false`, not Python's `False`.
        shown = value_words(actual)
        if condition.field == "prior_therapies" and actual != "unknown":
            shown = ", ".join(t.agent for t in actual) or "none"
        text += f"  (patient: {shown})"
    return [label(text, condition)]
