"""The only module that imports durable_rules: owns the ruleset and session, shapes facts, isolates cases.

How durable_rules is used here, and why (measured behaviour of 2.0.28, written up in docs/engine.md):
- The C extension (`durable_rules_engine`) is called directly. `durable.lang` and `Host` start timer
  threads that segfault with several sessions or threads, and `lang` silently keeps old rules.
- Conditions are compiled by compiler.py: per condition a rule for "true" and one that tells
  unknown from false. An unknown field is *absent* from the fact.
- One pattern per rule, anchored on a chain of group fields (`a00 == 1`, ...) that every case fact
  has and the engine's own state fact lacks; layout.py sizes the groups so that durable's 64-node
  matching stack (error 303) and 512-slot child tables (a hang) are never exceeded.
- Facts, not events: an event is consumed by the first rule it matches, a fact is seen by all.
- No list operators: `$iall` with an `$or` inside judges an item by its last branch only (measured,
  and pinned by a test). Each `includes` test becomes a scalar fact field, "yes" / "maybe" / "no",
  absent when the therapy list is unknown.
- One ruleset handle per Engine, one long-lived session, one case at a time under a lock:
  assert -> drain -> retract. The C extension never releases the GIL, so the lock costs no
  parallelism, and sessions never accumulate (the cap is 1,024 per ruleset). The finaliser frees
  the session and the ruleset, so a process can load knowledge bases again and again.
"""

from __future__ import annotations

import itertools
import json
import re
import threading
import weakref
from collections.abc import Mapping
from typing import Any, NamedTuple

import durable_rules_engine as _dre

from ..errors import EvaluationError, KnowledgeBaseError, Problem
from ..model.conditions import Condition, Includes, Truth
from ..model.fields import FIELDS, STAGE_RANGES, UNKNOWN, Kind
from ..model.patient import IMPLIED_FIELDS, PatientProfile, PriorTherapy
from .compiler import NOT_FALSE, OUTCOME, Json, Mode, branches, collect_includes, expr, second_rule
from .layout import Rule, lay_out
from .reference import includes_truth

_SESSION = "igfrules"
_ruleset_names = itertools.count(1)
# Fields read through profile.value(): derived facts and recorded fields a value may be implied for.
_COMPUTED = {n for n, f in FIELDS.items() if f.derived_from} | IMPLIED_FIELDS
_FIELD_ALIASES = {name: f"f{i}" for i, name in enumerate([*FIELDS, "stage_lo", "stage_hi", "pt_known", "sites_known"])}
_STAGE_LO, _STAGE_HI, _PT_KNOWN, _SITES_KNOWN = (
    _FIELD_ALIASES[k] for k in ("stage_lo", "stage_hi", "pt_known", "sites_known"))
_WORD_ALIASES = tuple((n, _FIELD_ALIASES[n]) for n, f in FIELDS.items()
                      if f.kind in (Kind.ENUM, Kind.NUMBER) and n not in _COMPUTED)
_FLAG_ALIASES = tuple((n, _FIELD_ALIASES[n]) for n, f in FIELDS.items() if f.kind is Kind.FLAG and n not in _COMPUTED)
_COMPUTED_ALIASES = tuple((n, _FIELD_ALIASES[n], FIELDS[n].kind is Kind.FLAG) for n in FIELDS if n in _COMPUTED)
MAX_FACT_FIELDS = 252  # durable's limit on the fields of one fact (error 302)


class CompiledRules(NamedTuple):
    """Conditions compiled for durable_rules: plain data, so that the per-user knowledge-base cache
    keeps it and a fast start skips compiling (the ruleset itself lives in durable's C memory and
    is created again by every process)."""

    names: tuple[str, ...]
    includes: dict[str, Includes]
    aliases: dict[str, str]  # readable fact name -> the fact's short key
    outcomes: dict[str, tuple[str, Truth | str]]  # durable rule name -> (condition, what its firing means)
    defaults: dict[str, Truth]  # a condition's value when none of its rules fires
    definition: dict[str, Json]  # the ruleset durable_rules is given
    anchors: dict[str, int]  # the group fields every case fact carries


def compile_rules(conditions: Mapping[str, Condition]) -> CompiledRules:
    names = tuple(sorted(conditions))
    includes = collect_includes(conditions.values())
    # Per condition: a rule for "true", and a second that tells unknown from false (see
    # compiler.second_rule). Firings are the main cost of a case, so the second rule is the
    # one that fires least, among those that fit one durable pattern.
    aliases = {**_FIELD_ALIASES, **{k: f"p{i}" for i, k in enumerate(includes)}}
    outcomes: dict[str, tuple[str, Truth | str]] = {}
    defaults: dict[str, Truth] = {}
    rules: list[Rule] = []
    for index, name in enumerate(names):
        condition = conditions[name]
        try:
            second_mode, second = second_rule(condition)
            compiled = [(mode, branches(expression))
                        for mode, expression in ((Mode.TRUE, expr(condition, Mode.TRUE)), (second_mode, second))]
        except KnowledgeBaseError as err:  # name the condition: the loader turns it into a file
            raise KnowledgeBaseError(Problem("<knowledge base>", name, err.problems[0].message)) from None
        defaults[name] = None if second_mode is Mode.FALSE else False
        for mode, patterns in compiled:
            for branch, pattern in enumerate(patterns):
                rule_name = f"c{index}{mode.value}{branch}"
                rules.append(Rule(rule_name, name, _rename(pattern, aliases)))
                outcomes[rule_name] = (name, OUTCOME[mode])
    definition, anchors = lay_out(rules)
    fields = len(anchors) + len(aliases) + 2  # + sid, id
    if fields > MAX_FACT_FIELDS:
        count = len(includes)
        raise KnowledgeBaseError(Problem("<knowledge base>", "", (
            f"a case fact would need {fields} fields ({count} distinct prior_therapies includes tests, "
            f"{len(_FIELD_ALIASES)} profile fields, {len(anchors)} group anchors); durable_rules allows "
            f"{MAX_FACT_FIELDS}: use at most {MAX_FACT_FIELDS - fields + count} distinct includes tests")))
    return CompiledRules(names, includes, aliases, outcomes, defaults, definition, anchors)


def _rename(expression: Json, aliases: dict[str, str]) -> Json:
    """Readable field names in a compiled pattern -> the fact's short keys."""
    renamed: Json = {}
    for key, body in expression.items():
        if key in ("$and", "$or"):
            renamed[key] = [_rename(part, aliases) for part in body]
        elif key.startswith("$"):
            renamed[key] = {aliases[field]: value for field, value in body.items()}
        else:
            renamed[aliases[key]] = body
    return renamed


class Engine:
    """Evaluates a fixed set of named conditions against one profile at a time."""

    def __init__(self, conditions: Mapping[str, Condition], compiled: CompiledRules | None = None) -> None:
        """`compiled`, when given, is `compile_rules(conditions)` kept from an earlier process."""
        rules = compiled if compiled is not None else compile_rules(conditions)
        self.compiled = rules
        self.names = rules.names
        self._includes = rules.includes
        self._aliases = rules.aliases
        self._outcomes = rules.outcomes
        self._defaults = rules.defaults
        self._anchors = rules.anchors
        self._handle = _create_ruleset(f"igfrules{next(_ruleset_names)}", rules.definition)
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self._session_started = [False]  # shared with the finaliser, which must know
        weakref.finalize(self, _release, self._handle, self._session_started)

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
                state = _dre.assert_fact(self._handle, text)[1]
            except Exception as err:
                raise EvaluationError(f"durable_rules refused a case: {_describe(err)}") from err
            # The fact is retracted whatever happens: left behind, it would leak into the next case.
            try:
                fired = self._drain(self._handle, state, self._session_started)
            except BaseException:
                self._retract(self._handle, text, quiet=True)  # keep the error that got us here
                raise
            self._retract(self._handle, text)
        for rule_name in fired:
            name, outcome = self._outcomes[rule_name]
            # Compared by value: rules read from the knowledge-base cache hold an equal string,
            # not this module's object (an identity test failed for every "not false" rule read
            # back from the cache, which only conditions too large for an "unknown" rule get).
            if outcome != NOT_FALSE:
                results[name] = outcome  # type: ignore[assignment]
            elif results[name] is False:  # not false, and not (yet) seen true
                results[name] = None
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
            if value != UNKNOWN:
                fact[alias] = "true" if value is True else "false"
        for name, alias, is_flag in _COMPUTED_ALIASES:
            value = profile.value(name)
            if value != UNKNOWN:
                fact[alias] = ("true" if value is True else "false") if is_flag else value
        if values["metastatic_sites"] != UNKNOWN:
            fact[_SITES_KNOWN] = 1
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

    @staticmethod
    def _drain(handle: Any, state: Any, session_started: list[bool]) -> set[str]:
        fired: set[str] = set()  # a rule with OR branches may fire once per true branch
        try:
            started = _dre.start_action_for_state(handle, state)
            if started:
                session_started[0] = True  # from now on delete_state is safe (see _release)
            message = started[1] if started else None
            while message:
                # The message is '{"<rule name>": {...the fact...}}'; parsing the fact back is
                # most of the cost of a case, and only the name is needed.
                fired.add(message[2 : message.index('"', 2)])
                message = _dre.complete_and_start_action(handle, state)
        except Exception as err:
            raise EvaluationError(f"durable_rules failed while matching: {_describe(err)}") from err
        return fired

    @staticmethod
    def _retract(handle: Any, text: str, *, quiet: bool = False) -> None:
        try:
            _dre.retract_fact(handle, text)
        except Exception as err:
            if not quiet:
                raise EvaluationError(f"durable_rules failed to retract a case: {_describe(err)}") from err


_STATE = {True: "yes", None: "maybe", False: "no"}


def _includes_state(test: Includes, therapies: tuple[PriorTherapy, ...]) -> str:
    """'yes' if an item surely matches, 'maybe' if one could once its unknowns are known, else 'no'.

    List membership is decided in Python, by the same function the reference evaluator uses
    (durable's list operators are unreliable); durable decides everything built on top of it.
    """
    return _STATE[includes_truth(test, therapies)]


# ---------------------------------------------------------------------------------------------
# durable_rules errors, in words

_ERROR_CODES = {
    106: "a node of the compiled network has too many children, or there are too many rules",
    113: "a rule has more than 15 and/or groups in one pattern",
    302: "a case has more than 252 fields",
    303: "too many rules matched their first test at once",
}


def _release(handle: Any, session_started: list[bool]) -> None:
    """Free a ruleset and its session. delete_state frees the session's memory, but only once an
    action has started: on a fresh session it frees an uninitialised pointer (measured when this
    module was written; see docs/engine.md)."""
    if session_started[0]:
        _dre.delete_state(handle, _SESSION)
    _dre.delete_ruleset(handle)


def _create_ruleset(name: str, definition: dict[str, Json]) -> Any:
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
