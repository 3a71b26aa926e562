"""Compiling conditions into durable_rules patterns (plain JSON; this module never imports durable).

Each condition C becomes a rule that matches when C is true, and a second that tells unknown from
false. Negations are pushed to the leaves: `not` swaps "true" and "false". Unknown fields are
absent from the fact, and durable's comparisons are false on an absent field, which is exactly
"a comparison on an unknown field is unknown". Patterns over durable's cap of 15 and/or groups
are split into disjunctive normal form. See docs/engine.md.
"""

from __future__ import annotations

from enum import Enum
from typing import Any

from ..errors import KnowledgeBaseError, Problem
from ..model.conditions import AllOf, AnyOf, Compare, Condition, Includes, Not, Truth
from ..model.fields import FIELDS, STAGE_RANGES, Kind

Json = dict[str, Any]
MAX_BRANCHES = 64
MAX_GROUPS = 15
MAX_PATTERN_WIDTH = 40  # layout.GROUP_WIDTH: past it, a pattern is split into its branches


# Compiling conditions


class Mode(str, Enum):
    """What a compiled expression matches: the condition is true, false, not true, or not false."""

    TRUE = "t"
    FALSE = "f"
    NOT_TRUE = "nt"
    NOT_FALSE = "nf"
    UNKNOWN = "u"  # neither true nor false: "not true" and "not false" together


NOT_FALSE = "not false"
OUTCOME: dict[Mode, Truth | str] = {Mode.TRUE: True, Mode.FALSE: False, Mode.UNKNOWN: None,
                                     Mode.NOT_FALSE: NOT_FALSE}


def second_rule(condition: Condition) -> tuple[Mode, Json]:
    """Unknown-only fires least; "not false" (true or unknown) next; "false" always fits by DNF."""
    for mode in (Mode.UNKNOWN, Mode.NOT_FALSE):
        expression = expr(condition, mode)
        if _groups(expression) + 1 <= MAX_GROUPS:
            return mode, expression
    return Mode.FALSE, expr(condition, Mode.FALSE)


_SWAP = {Mode.TRUE: Mode.FALSE, Mode.FALSE: Mode.TRUE, Mode.NOT_TRUE: Mode.NOT_FALSE, Mode.NOT_FALSE: Mode.NOT_TRUE,
         Mode.UNKNOWN: Mode.UNKNOWN}
_CONJUNCTIVE_IN_ALL = {Mode.TRUE, Mode.NOT_FALSE}  # `all` is an AND in these modes, an OR in the others
_NEGATED_OP = {"$neq": "$eq", "$lt": "$gte", "$gte": "$lt", "$gt": "$lte", "$lte": "$gt", "$ex": "$nex",
               "$nex": "$ex"}


def expr(c: Condition, mode: Mode) -> Json:
    """A durable expression that holds exactly when `c` is in `mode` for the fact."""
    if mode is Mode.UNKNOWN:
        return and_([expr(c, Mode.NOT_TRUE), expr(c, Mode.NOT_FALSE)])
    if isinstance(c, Not):
        return expr(c.part, _SWAP[mode])
    if isinstance(c, AllOf | AnyOf):
        parts = [expr(p, mode) for p in c.parts]
        conjunctive = (mode in _CONJUNCTIVE_IN_ALL) == isinstance(c, AllOf)
        return and_(parts) if conjunctive else _or(parts)
    if mode is Mode.TRUE:
        return _leaf(c, positive=True)
    if mode is Mode.FALSE:
        return _leaf(c, positive=False)
    # "not false" is "true or unknown": the negation of the false test, or the field absent.
    opposite = _leaf(c, positive=mode is Mode.NOT_TRUE)
    if isinstance(c, Compare) and c.op in ("is_known", "is_unknown"):
        return _negate(opposite)  # presence tests are never unknown
    return _or([_negate(opposite), {"$nex": {_presence_key(c): 1}}])


def _negate(expression: Json) -> Json:
    for key in ("$and", "$or"):
        if key in expression:
            parts = [_negate(p) for p in expression[key]]
            return _or(parts) if key == "$and" else and_(parts)
    (op, body), = expression.items()
    if not op.startswith("$"):  # {field: value} is equality
        return {"$neq": {op: body}}
    negated = _NEGATED_OP[op]
    if negated == "$eq":
        return dict(body)
    return {negated: body}


def _leaf(c: Compare | Includes, *, positive: bool) -> Json:
    if isinstance(c, Includes):
        return {includes_key(c): "yes" if positive else "no"}
    field = FIELDS[c.field]
    if c.op in ("is_known", "is_unknown"):
        present = (c.op == "is_known") == positive
        return {"$ex" if present else "$nex": {_presence_key(c): 1}}
    if c.op == "equals":
        value = _fact_value(field.kind, c.value)
        return {c.field: value} if positive else {"$neq": {c.field: value}}
    if c.op == "one_of":
        if positive:
            return _or([{c.field: v} for v in c.value])
        return and_([{"$neq": {c.field: v}} for v in c.value])
    if field.kind is Kind.STAGE:
        low = STAGE_RANGES[c.value][0]
        high = STAGE_RANGES[c.value][1]
        if c.op == "at_least":
            return {"$gte": {"stage_lo": low}} if positive else {"$lt": {"stage_hi": low}}
        return {"$lte": {"stage_hi": high}} if positive else {"$gt": {"stage_lo": high}}
    if c.op == "at_least":
        return {"$gte": {c.field: c.value}} if positive else {"$lt": {c.field: c.value}}
    return {"$lte": {c.field: c.value}} if positive else {"$gt": {c.field: c.value}}


def _presence_key(c: Compare | Includes) -> str:
    """The fact key that is absent exactly when the leaf's field is unknown."""
    if isinstance(c, Includes):
        return includes_key(c)
    kind = FIELDS[c.field].kind
    if kind is Kind.STAGE:
        return "stage_lo"
    return "pt_known" if kind is Kind.THERAPIES else "sites_known" if kind is Kind.SITES else c.field


def _fact_value(kind: Kind, value: Any) -> Any:
    if kind is Kind.FLAG:
        return "true" if value else "false"
    return value


def and_(parts: list[Json]) -> Json:
    return _group("$and", parts)


def _or(parts: list[Json]) -> Json:
    return _group("$or", parts)


def _group(key: str, parts: list[Json]) -> Json:
    flat: list[Json] = []
    for part in parts:  # (a & (b & c)) is (a & b & c): fewer groups against durable's cap
        for item in part.get(key, [part]):
            if item not in flat:
                flat.append(item)
    return flat[0] if len(flat) == 1 else {key: flat}


def branches(expression: Json) -> list[Json]:
    """One pattern, or, past durable's cap of 15 `&`/`|` groups a pattern (error 113) or past the
    width one group of rules may hold (layout.py), the expression in disjunctive normal form:
    flat conjunctions that fire as separate rules and are collected as a set. Small patterns stay
    whole: every extra rule costs matching time.
    """
    if _groups(expression) + 1 <= MAX_GROUPS and pattern_width(expression) <= MAX_PATTERN_WIDTH:
        return [expression]  # +1: the anchors' $and
    return _dnf(expression)


def pattern_width(expression: Json) -> int:
    """The most nodes a pattern can leave pending on durable's matching stack at once.

    durable expands each `$or` into separate paths and shares their common prefixes, then walks
    them depth-first: the parts of an `$or` can all be pending together, while in an `$and` only
    one node of each earlier part is ever open. Measured: `$and` of two `$or`s of 30 matching
    comparisons asserts (59 pending), of 40 fails with error 303 (79). See layout.py.
    """
    if "$and" in expression:
        return sum(pattern_width(part) - 1 for part in expression["$and"]) + 1
    if "$or" in expression:
        return sum(pattern_width(part) for part in expression["$or"])
    return 1


def _groups(expression: Json) -> int:
    for key in ("$and", "$or"):
        if key in expression:
            return 1 + sum(_groups(part) for part in expression[key])
    return 0


def _dnf(expression: Json) -> list[Json]:
    if "$and" in expression:
        conjunctions: list[list[Json]] = [[]]
        for part in expression["$and"]:
            conjunctions = [b + c for b in conjunctions for c in _conjuncts(_dnf(part))]
            if len(conjunctions) > MAX_BRANCHES:
                raise _too_complex()
        return [and_(b) for b in conjunctions]
    branches = [b for part in expression["$or"] for b in _dnf(part)] if "$or" in expression else [expression]
    if len(branches) > MAX_BRANCHES:
        raise _too_complex()
    return branches


def _conjuncts(branches: list[Json]) -> list[list[Json]]:
    return [list(b["$and"]) if "$and" in b else [b] for b in branches]


def _too_complex() -> KnowledgeBaseError:
    return KnowledgeBaseError(
        Problem("<knowledge base>", "", f"a condition expands to more than {MAX_BRANCHES} alternatives (an `any` "
                "of that many comparisons, or an `all`, whose false side is such an `any`): durable_rules cannot "
                "match it in one piece; split it")
    )


# ---------------------------------------------------------------------------------------------
# Shaping the prior-therapy list into scalar facts


def includes_key(test: Includes) -> str:
    return "pt:" + test.key()


def collect_includes(conditions: Any) -> dict[str, Includes]:
    found: dict[str, Includes] = {}

    def walk(c: Condition) -> None:
        if isinstance(c, AllOf | AnyOf):
            for p in c.parts:
                walk(p)
        elif isinstance(c, Not):
            walk(c.part)
        elif isinstance(c, Includes):
            found[includes_key(c)] = c

    for condition in conditions:
        walk(condition)
    return dict(sorted(found.items()))
