"""The only module that touches durable_rules: compiles conditions, owns the session, isolates cases.

How durable_rules is used here, and why (see ../shared/guides/DURABLE-RULES.md for the measurements):
- The C extension (`durable_rules_engine`) is called directly. `durable.lang` and `Host` start timer
  threads that segfault with several sessions or threads, and `lang` silently keeps old rules.
- Three-valued logic without negation at the engine: every condition C compiles to two durable
  rules, "C is true" and "C is false", each with negations pushed to the leaves. Neither firing
  means unknown. An unknown field is *absent* from the fact, and durable's `==`, `!=`, `<`, `>=`
  are all false on an absent field, which is exactly "a comparison on an unknown field is unknown".
- One pattern per rule (several `when_all` patterns would each need a different fact), anchored on
  a group field (`g0 == 1`, ...) that every case fact has and the engine's own state fact lacks.
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
import re
import threading
import weakref
from enum import Enum
from collections.abc import Mapping
from typing import Any

import durable_rules_engine as _dre

from .conditions import AllOf, AnyOf, Compare, Condition, Includes, Not, Truth
from .errors import EvaluationError, KnowledgeBaseError, Problem
from .fields import FIELDS, STAGE_RANGES, UNKNOWN, Kind
from .patient import PatientProfile, PriorTherapy
from .vocabulary import vocabulary

_SESSION = "igfrules"
_ruleset_names = itertools.count(1)
_DERIVED = {n for n, f in FIELDS.items() if f.derived_from}
_FIELD_ALIASES = {name: f"f{i}" for i, name in enumerate([*FIELDS, "stage_lo", "stage_hi", "pt_known"])}
_STAGE_LO, _STAGE_HI, _PT_KNOWN = (_FIELD_ALIASES[k] for k in ("stage_lo", "stage_hi", "pt_known"))
_WORD_ALIASES = tuple((n, _FIELD_ALIASES[n]) for n, f in FIELDS.items()
                      if f.kind in (Kind.ENUM, Kind.NUMBER) and n not in _DERIVED)
_FLAG_ALIASES = tuple((n, _FIELD_ALIASES[n]) for n, f in FIELDS.items() if f.kind is Kind.FLAG)
# durable_rules walks its alpha network with a stack of 64 nodes and fails an assert with error
# 303 when the tests matching under one node overflow it: with every rule hanging off one anchor,
# a few dozen rules whose first tests hold together are enough. Each group of this many rules
# hangs off its own anchor field instead, so one node never has more matching children than
# this (measured: 400 rules all matching at once, in groups of 24, assert fine).
RULES_PER_ANCHOR = 24
MAX_BRANCHES = 64
MAX_GROUPS = 15

Json = dict[str, Any]


class Engine:
    """Evaluates a fixed set of named conditions against one profile at a time."""

    def __init__(self, conditions: Mapping[str, Condition]) -> None:
        self.names = tuple(sorted(conditions))
        self._includes = _collect_includes(conditions.values())
        # Per condition: a rule for "true", and a second that tells unknown from false (see
        # _second_rule). Firings are the main cost of a case, so the second rule is the one that
        # fires least, among those that fit one durable pattern.
        self._aliases = {**_FIELD_ALIASES, **{k: f"p{i}" for i, k in enumerate(self._includes)}}
        self._outcomes: dict[str, tuple[str, Truth | str]] = {}
        self._defaults: dict[str, Truth] = {}
        definition: Json = {}
        for index, name in enumerate(self.names):
            condition = conditions[name]
            second_mode, second = _second_rule(condition)
            self._defaults[name] = None if second_mode is Mode.FALSE else False
            for mode, expression in ((Mode.TRUE, _expr(condition, Mode.TRUE)), (second_mode, second)):
                for branch, pattern in enumerate(_branches(expression)):
                    rule_name = f"c{index}{mode.value}{branch}"
                    anchor = {f"g{len(definition) // RULES_PER_ANCHOR}": 1}
                    definition[rule_name] = {"all": [{"m": _and([anchor, self._rename(pattern)])}]}
                    self._outcomes[rule_name] = (name, _OUTCOME[mode])
        self._anchors = {f"g{g}": 1 for g in range(len(definition) // RULES_PER_ANCHOR + 1)}
        self._handle = _create_ruleset(f"igfrules{next(_ruleset_names)}", definition)
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        weakref.finalize(self, _dre.delete_ruleset, self._handle)

    @property
    def rule_count(self) -> int:
        """How many durable rules the conditions compiled to (two per condition, more if split)."""
        return len(self._outcomes)

    def evaluate(self, profile: PatientProfile) -> dict[str, Truth]:
        """Every condition's value for this profile: True, False or None (unknown)."""
        return self.match(self.fact(profile))

    def match(self, fact: Json) -> dict[str, Truth]:
        """Every condition's value for a fact made by `fact()` (which this call consumes)."""
        results = dict(self._defaults)
        with self._lock:
            fact["id"] = next(self._ids)  # an identical fact asserted twice would be refused
            text = json.dumps(fact)
            try:
                for rule_name in self._fire(self._handle, text):
                    name, outcome = self._outcomes[rule_name]
                    if outcome is not _NOT_FALSE:
                        results[name] = outcome  # type: ignore[assignment]
                    elif results[name] is False:  # not false, and not (yet) seen true
                        results[name] = None
            finally:
                self._retract(self._handle, text)
        return results

    def fact(self, profile: PatientProfile) -> Json:
        """The flat fact durable_rules sees: known values only, typed, no lists, short keys.

        Every fired rule hands back the whole fact, so short keys make each firing cheaper.
        """
        fact: Json = {"sid": _SESSION, **self._anchors}
        values = profile.__dict__  # pydantic keeps validated fields here; direct access is the hot path
        for name, alias in _WORD_ALIASES:
            value = values[name]
            if value != UNKNOWN:
                fact[alias] = value
        for name, alias in _FLAG_ALIASES:
            value = values[name]
            if value is not UNKNOWN:
                fact[alias] = "true" if value is True else "false"
        hormone_receptor = profile.hormone_receptor_status
        if hormone_receptor != UNKNOWN:
            fact[_FIELD_ALIASES["hormone_receptor_status"]] = hormone_receptor
        stage = values["stage"]
        if stage != UNKNOWN:
            fact[_STAGE_LO], fact[_STAGE_HI] = STAGE_RANGES[stage]
        therapies = values["prior_therapies"]
        if therapies != UNKNOWN:
            fact[_PT_KNOWN] = 1
            for key, test in self._includes.items():
                fact[self._aliases[key]] = _includes_state(test, therapies)
        return fact

    def fact_key(self, name: str) -> str:
        """The key a readable fact name ("stage_lo", an includes key) has in `fact()`."""
        return self._aliases[name]

    def _rename(self, expression: Json) -> Json:
        """Readable field names in a compiled pattern -> the fact's short keys."""
        renamed: Json = {}
        for key, body in expression.items():
            if key in ("$and", "$or"):
                renamed[key] = [self._rename(part) for part in body]
            elif key.startswith("$"):
                renamed[key] = {self._aliases[field]: value for field, value in body.items()}
            else:
                renamed[self._aliases[key]] = body
        return renamed

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


class Mode(str, Enum):
    """What a compiled expression matches: the condition is true, false, not true, or not false."""

    TRUE = "t"
    FALSE = "f"
    NOT_TRUE = "nt"
    NOT_FALSE = "nf"
    UNKNOWN = "u"  # neither true nor false: "not true" and "not false" together


_NOT_FALSE = "not false"
_OUTCOME: dict[Mode, Truth | str] = {Mode.TRUE: True, Mode.FALSE: False, Mode.UNKNOWN: None,
                                     Mode.NOT_FALSE: _NOT_FALSE}


def _second_rule(condition: Condition) -> tuple[Mode, Json]:
    """Unknown-only fires least; "not false" (true or unknown) next; "false" always fits by DNF."""
    for mode in (Mode.UNKNOWN, Mode.NOT_FALSE):
        expression = _expr(condition, mode)
        if _groups(expression) + 1 <= MAX_GROUPS:
            return mode, expression
    return Mode.FALSE, _expr(condition, Mode.FALSE)


_SWAP = {Mode.TRUE: Mode.FALSE, Mode.FALSE: Mode.TRUE, Mode.NOT_TRUE: Mode.NOT_FALSE, Mode.NOT_FALSE: Mode.NOT_TRUE,
         Mode.UNKNOWN: Mode.UNKNOWN}
_CONJUNCTIVE_IN_ALL = {Mode.TRUE, Mode.NOT_FALSE}  # `all` is an AND in these modes, an OR in the others
_NEGATED_OP = {"$neq": "$eq", "$lt": "$gte", "$gte": "$lt", "$gt": "$lte", "$lte": "$gt", "$ex": "$nex",
               "$nex": "$ex"}


def _expr(c: Condition, mode: Mode) -> Json:
    """A durable expression that holds exactly when `c` is in `mode` for the fact."""
    if mode is Mode.UNKNOWN:
        return _and([_expr(c, Mode.NOT_TRUE), _expr(c, Mode.NOT_FALSE)])
    if isinstance(c, Not):
        return _expr(c.part, _SWAP[mode])
    if isinstance(c, AllOf | AnyOf):
        parts = [_expr(p, mode) for p in c.parts]
        conjunctive = (mode in _CONJUNCTIVE_IN_ALL) == isinstance(c, AllOf)
        return _and(parts) if conjunctive else _or(parts)
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
            return _or(parts) if key == "$and" else _and(parts)
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


def _presence_key(c: Compare | Includes) -> str:
    """The fact key that is absent exactly when the leaf's field is unknown."""
    if isinstance(c, Includes):
        return includes_key(c)
    kind = FIELDS[c.field].kind
    return "stage_lo" if kind is Kind.STAGE else "pt_known" if kind is Kind.THERAPIES else c.field


def _fact_value(kind: Kind, value: Any) -> Any:
    if kind is Kind.FLAG:
        return "true" if value else "false"
    return value


def _and(parts: list[Json]) -> Json:
    return _group("$and", parts)


def _or(parts: list[Json]) -> Json:
    return _group("$or", parts)


def _group(key: str, parts: list[Json]) -> Json:
    flat: list[Json] = []
    for part in parts:  # (a & (b & c)) is (a & b & c): fewer groups against durable's cap
        for item in part[key] if key in part else [part]:
            if item not in flat:
                flat.append(item)
    return flat[0] if len(flat) == 1 else {key: flat}


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


def includes_key(test: Includes) -> str:
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
            found[includes_key(c)] = c

    for condition in conditions:
        walk(condition)
    return dict(sorted(found.items()))


def _includes_state(test: Includes, therapies: tuple[PriorTherapy, ...]) -> str:
    """'yes' if an item surely matches, 'maybe' if one could once its unknowns are known, else 'no'."""
    classes = vocabulary().classes
    state = "no"
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
    code = re.search(r"code:?\s*(\d+)", text)
    if code and int(code.group(1)) in _ERROR_CODES:
        return f"{_ERROR_CODES[int(code.group(1))]} (durable_rules error {code.group(1)})"
    return text or type(err).__name__
