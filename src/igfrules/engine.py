"""The only module that touches durable_rules: compiles conditions, owns the session, isolates cases.

How durable_rules is used here, and why (see ../shared/guides/DURABLE-RULES.md for the measurements):
- The C extension (`durable_rules_engine`) is called directly. `durable.lang` and `Host` start timer
  threads that segfault with several sessions or threads, and `lang` silently keeps old rules.
- Three-valued logic without negation at the engine: every condition C compiles to two durable
  rules, "C is true" and "C is false", each with negations pushed to the leaves. Neither firing
  means unknown. An unknown field is *absent* from the fact, and durable's `==`, `!=`, `<`, `>=`
  are all false on an absent field, which is exactly "a comparison on an unknown field is unknown".
- One pattern per rule (several `when_all` patterns would each need a different fact), anchored on
  `igf == 1` so that no rule matches the engine's own state fact.
- Facts, not events: an event is consumed by the first rule it matches, a fact is seen by all.
- List operators are avoided: measured here, `$iall` with an `$or` inside judges an item by the
  last branch only, and list operators misbehave on `[]`. Each `includes` test the knowledge base
  uses becomes a scalar fact field ("yes" / "maybe" / absent) that the rules compare.
- One ruleset handle per Engine, one long-lived session, one case at a time under a lock:
  assert -> drain actions -> retract in `finally`. The C extension never releases the GIL, so a
  lock costs no parallelism, and sessions never accumulate (the cap is 1,024 per ruleset).
"""

from __future__ import annotations

import itertools
import json
import threading
import weakref
from collections.abc import Mapping
from typing import Any

import durable_rules_engine as _dre

from .conditions import AllOf, AnyOf, Compare, Condition, Includes, Not, Truth
from .errors import EvaluationError, KnowledgeBaseError, Problem
from .fields import FIELDS, STAGE_RANGES, UNKNOWN, Kind
from .patient import PatientProfile, PriorTherapy
from .vocabulary import vocabulary

_ANCHOR = {"igf": 1}
_SESSION = "igfrules"
_ruleset_names = itertools.count(1)
# durable_rules fails an assert with error 303 when more than 64 alpha nodes are pending at once,
# which a few dozen rules whose tests hold together can reach. Rules are spread over several
# rulesets of this size and a case is asserted into each (measured: no 303 with random rule sets).
RULES_PER_RULESET = 32
MAX_BRANCHES = 64
MAX_GROUPS = 15

Json = dict[str, Any]


class Engine:
    """Evaluates a fixed set of named conditions against one profile at a time."""

    def __init__(self, conditions: Mapping[str, Condition]) -> None:
        self.names = tuple(sorted(conditions))
        self._includes = _collect_includes(conditions.values())
        self._outcomes: dict[str, tuple[str, bool]] = {}
        shards: list[Json] = [{}]
        for index, name in enumerate(self.names):
            for truth, expression in ((True, _true(conditions[name])), (False, _false(conditions[name]))):
                for branch, pattern in enumerate(_branches(expression)):
                    if len(shards[-1]) == RULES_PER_RULESET:
                        shards.append({})
                    rule_name = f"c{index}{'t' if truth else 'f'}{branch}"
                    shards[-1][rule_name] = {"all": [{"m": _and([_ANCHOR, pattern])}]}
                    self._outcomes[rule_name] = (name, truth)
        self._handles = tuple(
            _create_ruleset(f"igfrules{next(_ruleset_names)}", shard) for shard in shards if shard
        )
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        for handle in self._handles:
            weakref.finalize(self, _dre.delete_ruleset, handle)

    def evaluate(self, profile: PatientProfile) -> dict[str, Truth]:
        """Every condition's value for this profile: True, False or None (unknown)."""
        fact = self.fact(profile)
        results: dict[str, Truth] = dict.fromkeys(self.names)
        with self._lock:
            fact["id"] = next(self._ids)  # an identical fact asserted twice would be refused
            text = json.dumps(fact)
            for handle in self._handles:
                try:
                    for rule_name in self._fire(handle, text):
                        name, truth = self._outcomes[rule_name]
                        results[name] = truth
                finally:
                    self._retract(handle, text)
        return results

    def fact(self, profile: PatientProfile) -> Json:
        """The flat fact durable_rules sees: known values only, typed, no lists."""
        fact: Json = {"igf": 1, "sid": _SESSION}
        for name, field in FIELDS.items():
            value = profile.value(name)
            if value == UNKNOWN:
                continue
            if field.kind is Kind.STAGE:
                fact["stage_lo"], fact["stage_hi"] = STAGE_RANGES[value]
            elif field.kind is Kind.THERAPIES:
                fact["pt_known"] = 1
                for key, test in self._includes.items():
                    state = _includes_state(test, value)
                    if state:
                        fact[key] = state
            elif field.kind is Kind.FLAG:
                fact[name] = "true" if value else "false"
            else:
                fact[name] = value
        return fact

    @staticmethod
    def _fire(handle: Any, text: str) -> set[str]:
        fired: set[str] = set()  # a rule with OR branches may fire once per true branch
        try:
            result = _dre.assert_fact(handle, text)
            started = _dre.start_action_for_state(handle, result[1])
            message = started[1] if started else None
            while message:
                # The message is '{"<rule name>": {...the fact...}}'; parsing the fact back is
                # most of the cost of a case, and only the name is needed.
                fired.add(message[2 : message.index('"', 2)])
                message = _dre.complete_and_start_action(handle, result[1])
        except Exception as err:
            raise EvaluationError(f"durable_rules failed while matching: {_describe(err)}") from err
        return fired

    @staticmethod
    def _retract(handle: Any, text: str) -> None:
        try:
            _dre.retract_fact(handle, text)
        except Exception as err:  # a fact left behind would leak into the next case
            raise EvaluationError(f"durable_rules failed to retract a case: {_describe(err)}") from err


# ---------------------------------------------------------------------------------------------
# Compiling conditions


def _true(c: Condition) -> Json:
    return _expr(c, positive=True)


def _false(c: Condition) -> Json:
    return _expr(c, positive=False)


def _expr(c: Condition, *, positive: bool) -> Json:
    """A durable expression that holds when `c` is true (positive) or false (not positive)."""
    if isinstance(c, Not):
        return _expr(c.part, positive=not positive)
    if isinstance(c, AllOf | AnyOf):
        parts = [_expr(p, positive=positive) for p in c.parts]
        conjunctive = isinstance(c, AllOf) == positive
        return _and(parts) if conjunctive else _or(parts)
    if isinstance(c, Includes):
        key = _includes_key(c)
        return {key: "yes"} if positive else _and([{"pt_known": 1}, {"$nex": {key: 1}}])
    return _compare(c, positive)


def _compare(c: Compare, positive: bool) -> Json:
    field = FIELDS[c.field]
    if c.op in ("is_known", "is_unknown"):
        present = {"$ex": {_presence_key(c.field): 1}}
        absent = {"$nex": {_presence_key(c.field): 1}}
        return present if (c.op == "is_known") == positive else absent
    if c.op == "equals":
        value = _fact_value(field.kind, c.value)
        return {c.field: value} if positive else {"$neq": {c.field: value}}
    if c.op == "one_of":
        if positive:
            return _or([{c.field: v} for v in c.value])
        return _and([{"$neq": {c.field: v}} for v in c.value])
    if field.kind is Kind.STAGE:
        low = STAGE_RANGES[c.value][0]
        high = STAGE_RANGES[c.value][1]
        if c.op == "at_least":
            return {"$gte": {"stage_lo": low}} if positive else {"$lt": {"stage_hi": low}}
        return {"$lte": {"stage_hi": high}} if positive else {"$gt": {"stage_lo": high}}
    if c.op == "at_least":
        return {"$gte": {c.field: c.value}} if positive else {"$lt": {c.field: c.value}}
    return {"$lte": {c.field: c.value}} if positive else {"$gt": {c.field: c.value}}


def _presence_key(field: str) -> str:
    kind = FIELDS[field].kind
    return "stage_lo" if kind is Kind.STAGE else "pt_known" if kind is Kind.THERAPIES else field


def _fact_value(kind: Kind, value: Any) -> Any:
    if kind is Kind.FLAG:
        return "true" if value else "false"
    return value


def _and(parts: list[Json]) -> Json:
    return parts[0] if len(parts) == 1 else {"$and": parts}


def _or(parts: list[Json]) -> Json:
    return parts[0] if len(parts) == 1 else {"$or": parts}


def _branches(expression: Json) -> list[Json]:
    """One pattern, or, past durable's cap of 15 `&`/`|` groups a pattern (error 113), the
    expression in disjunctive normal form: flat conjunctions that fire as separate rules and are
    collected as a set. Small patterns stay whole: every extra rule costs matching time.
    """
    if _groups(expression) + 1 <= MAX_GROUPS:  # +1: the anchor's $and
        return [expression]
    return _dnf(expression)


def _groups(expression: Json) -> int:
    for key in ("$and", "$or"):
        if key in expression:
            return 1 + sum(_groups(part) for part in expression[key])
    return 0


def _dnf(expression: Json) -> list[Json]:
    if "$or" in expression:
        branches = [b for part in expression["$or"] for b in _dnf(part)]
    elif "$and" in expression:
        branches = [[]]
        for part in expression["$and"]:
            branches = [b + c for b in branches for c in _conjuncts(_dnf(part))]
            if len(branches) > MAX_BRANCHES:
                raise _too_complex()
        return [_and(b) for b in branches]
    else:
        branches = [expression]
    if len(branches) > MAX_BRANCHES:
        raise _too_complex()
    return branches


def _conjuncts(branches: list[Json]) -> list[list[Json]]:
    return [list(b["$and"]) if "$and" in b else [b] for b in branches]


def _too_complex() -> KnowledgeBaseError:
    return KnowledgeBaseError(
        Problem("<knowledge base>", "", f"a condition expands to more than {MAX_BRANCHES} alternatives; split it")
    )


# ---------------------------------------------------------------------------------------------
# Shaping the prior-therapy list into scalar facts


def _includes_key(test: Includes) -> str:
    return "pt:" + test.key()


def _collect_includes(conditions: Any) -> dict[str, Includes]:
    found: dict[str, Includes] = {}

    def walk(c: Condition) -> None:
        if isinstance(c, AllOf | AnyOf):
            for p in c.parts:
                walk(p)
        elif isinstance(c, Not):
            walk(c.part)
        elif isinstance(c, Includes):
            found[_includes_key(c)] = c

    for condition in conditions:
        walk(condition)
    return dict(sorted(found.items()))


def _includes_state(test: Includes, therapies: tuple[PriorTherapy, ...]) -> str | None:
    """'yes' if an item surely matches, 'maybe' if one could once its unknowns are known, else None."""
    classes = vocabulary().classes
    state = None
    for item in therapies:
        if test.agent is not None and item.agent != test.agent:
            continue
        if test.drug_class is not None and test.drug_class not in classes[item.drug_class].ancestors:
            continue
        attributes = ((test.setting, item.setting), (test.progressed, item.progressed))
        if any(w is not None and a != UNKNOWN and a != w for w, a in attributes):
            continue
        if any(w is not None and a == UNKNOWN for w, a in attributes):
            state = "maybe"
        else:
            return "yes"
    return state


# ---------------------------------------------------------------------------------------------
# durable_rules errors, in words

_ERROR_CODES = {
    113: "a rule has more than 15 and/or groups in one pattern",
    302: "a case has more than 252 fields",
    303: "too many rules matched their first test at once",
}


def _create_ruleset(name: str, definition: Json) -> Any:
    try:
        return _dre.create_ruleset(name, json.dumps(definition))
    except Exception as err:
        raise KnowledgeBaseError(
            Problem("<knowledge base>", "", f"durable_rules refused the compiled rules: {_describe(err)}")
        ) from err


def _describe(err: Exception) -> str:
    text = str(err)
    for code, meaning in _ERROR_CODES.items():
        if text.rstrip().endswith(f"code {code}") or f"error code {code}" in text:
            return f"{meaning} (durable_rules error {code})"
    return text or type(err).__name__
