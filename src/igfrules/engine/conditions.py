"""The condition language: `all` / `any` / `not` over field comparisons, and its reference evaluator.

Conditions are parsed and type-checked when the knowledge base loads, never when a case reaches
them. Evaluation is three-valued (True, False, None for unknown): a comparison on an unknown field
is unknown, `not unknown` is unknown, `all` is false if any part is false and else unknown if any
part is unknown; `any` mirrors it. This evaluator is the plain-Python reference that the
durable_rules engine is checked against, and it produces the explanations ("because", "missing").
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, TypeAlias

from ..fields import FIELD_WORDS, FIELDS, OPERATORS_BY_KIND, SETTINGS, STAGE_RANGES, STAGE_THRESHOLDS, UNKNOWN, Kind
from ..patient import PatientProfile, PriorTherapy
from ..vocabulary import UnknownAgent, vocabulary

Truth: TypeAlias = bool | None  # None is "unknown"


@dataclass(frozen=True, slots=True)
class Compare:
    field: str
    op: str  # equals, one_of, at_least, at_most, is_known, is_unknown
    value: Any = None  # str | bool | float | tuple[str, ...]; None for is_known / is_unknown


@dataclass(frozen=True, slots=True)
class Includes:
    """prior_therapies includes an item matching every attribute given.

    With `undetermined` (the question a reader must settle by hand), a matching item leaves the
    test unknown rather than true: for a therapy whose standing against a criterion no field of
    the case can decide, such as trastuzumab emtansine against "previously treated with
    trastuzumab". It never makes anything true, so it can only move an entry to needs_information.
    """

    agent: str | None = None
    drug_class: str | None = None
    setting: str | None = None
    progressed: bool | None = None
    undetermined: str | None = None

    @property
    def field(self) -> str:
        return "prior_therapies"

    def key(self) -> str:
        """A stable name for this test, used to shape engine facts."""
        target = f"agent={self.agent}" if self.agent else f"class={self.drug_class}"
        key = f"{target};setting={self.setting or '*'};progressed={_word(self.progressed)}"
        return key + (";undetermined" if self.undetermined else "")


@dataclass(frozen=True, slots=True)
class AllOf:
    parts: tuple[Condition, ...]


@dataclass(frozen=True, slots=True)
class AnyOf:
    parts: tuple[Condition, ...]


@dataclass(frozen=True, slots=True)
class Not:
    part: Condition


Condition: TypeAlias = Compare | Includes | AllOf | AnyOf | Not


class ConditionSyntaxError(ValueError):
    def __init__(self, location: str, message: str) -> None:
        self.location = location
        self.message = message
        super().__init__(f"{location}: {message}")


# ---------------------------------------------------------------------------------------------
# Parsing

_COMBINATORS = ("all", "any", "not")
_LEAF_KEYS = {"field", "op", "value", "agent", "class", "setting", "progressed", "undetermined"}


def parse_condition(raw: Any, location: str = "when") -> Condition:
    """Parse one YAML condition; raise ConditionSyntaxError naming the exact location."""
    if not isinstance(raw, dict) or not raw:
        raise ConditionSyntaxError(location, "a condition must be a mapping: all / any / not, or field + op")
    combinators = [k for k in raw if k in _COMBINATORS]
    if combinators:
        if len(raw) != 1:
            raise ConditionSyntaxError(location, f"'{combinators[0]}' must stand alone in its mapping")
        key = combinators[0]
        body = raw[key]
        if key == "not":
            return Not(parse_condition(body, f"{location}.not"))
        if not isinstance(body, list) or not body:
            raise ConditionSyntaxError(f"{location}.{key}", "must be a non-empty list of conditions")
        parts = tuple(parse_condition(p, f"{location}.{key}[{i}]") for i, p in enumerate(body))
        return AllOf(parts) if key == "all" else AnyOf(parts)
    return _parse_leaf(raw, location)


def _parse_leaf(raw: dict[str, Any], location: str) -> Condition:
    unknown_keys = sorted(set(raw) - _LEAF_KEYS)
    if unknown_keys:
        raise ConditionSyntaxError(
            location, f"unknown key {unknown_keys[0]!r}; a comparison has field, op, value"
        )
    name, op = raw.get("field"), raw.get("op")
    if not isinstance(name, str) or name not in FIELDS:
        raise ConditionSyntaxError(
            f"{location}.field", f"{name!r} is not a profile field; allowed: {', '.join(FIELDS)}"
        )
    field = FIELDS[name]
    allowed_ops = OPERATORS_BY_KIND[field.kind]
    if not isinstance(op, str) or op not in allowed_ops:
        raise ConditionSyntaxError(
            f"{location}.op", f"{op!r} does not apply to {name}; allowed: {', '.join(allowed_ops)}"
        )
    if op in ("is_known", "is_unknown"):
        _no_extra(raw, {"field", "op"}, location)
        return Compare(name, op)
    if op == "includes":
        return _parse_includes(raw, location)
    _no_extra(raw, {"field", "op", "value"}, location)
    if "value" not in raw:
        raise ConditionSyntaxError(location, f"'{op}' needs a value")
    return Compare(name, op, _parse_value(field.kind, name, op, raw["value"], f"{location}.value"))


def _no_extra(raw: dict[str, Any], allowed: set[str], location: str) -> None:
    extra = sorted(set(raw) - allowed)
    if extra:
        raise ConditionSyntaxError(location, f"{extra[0]!r} does not belong with op {raw['op']!r}")


def _parse_value(kind: Kind, name: str, op: str, value: Any, location: str) -> Any:
    field = FIELDS[name]
    if kind is Kind.ENUM:
        values = value if op == "one_of" else [value]
        if not isinstance(values, list) or not values:
            raise ConditionSyntaxError(location, "one_of needs a non-empty list")
        for v in values:
            if not isinstance(v, str) or v not in field.values:
                raise ConditionSyntaxError(
                    location, f"{v!r} is not a value of {name}; allowed: {', '.join(field.values)}"
                )
        return tuple(values) if op == "one_of" else value
    if kind is Kind.FLAG:
        if not isinstance(value, bool):
            raise ConditionSyntaxError(location, f"{value!r} is not true or false")
        return value
    if kind is Kind.NUMBER:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ConditionSyntaxError(location, f"{value!r} is not a number")
        low, high = field.bounds or (0.0, 0.0)
        if not low <= value <= high:  # also refuses NaN and infinities
            raise ConditionSyntaxError(location, f"{value!r} is outside {low:g}-{high:g}, the values {name} takes")
        return float(value)
    if kind is Kind.STAGE:
        if not isinstance(value, str) or value not in STAGE_THRESHOLDS:
            raise ConditionSyntaxError(
                location, f"{value!r} is not a stage threshold; allowed: {', '.join(STAGE_THRESHOLDS)}"
            )
        return value
    raise ConditionSyntaxError(location, f"{op!r} takes no value")  # pragma: no cover - guarded above


def _parse_includes(raw: dict[str, Any], location: str) -> Includes:
    _no_extra(raw, {"field", "op", "agent", "class", "setting", "progressed", "undetermined"}, location)
    agent, drug_class = raw.get("agent"), raw.get("class")
    if (agent is None) == (drug_class is None):
        raise ConditionSyntaxError(location, "includes needs exactly one of agent or class")
    vocab = vocabulary()
    for key, given in (("agent", agent), ("class", drug_class), ("setting", raw.get("setting"))):
        if given is not None and not isinstance(given, str):
            raise ConditionSyntaxError(f"{location}.{key}", f"{given!r} is not a name")
    if agent is not None:
        try:
            resolved = vocab.resolve(str(agent)).name
        except UnknownAgent as err:
            hint = f"; did you mean {', '.join(err.suggestions)}?" if err.suggestions else ""
            raise ConditionSyntaxError(f"{location}.agent", f"{agent!r} is not a known agent{hint}") from None
        if resolved != agent:
            raise ConditionSyntaxError(f"{location}.agent", f"write the canonical name {resolved!r}")
    if drug_class is not None and drug_class not in vocab.classes:
        raise ConditionSyntaxError(
            f"{location}.class", f"{drug_class!r} is not a drug class; allowed: {', '.join(vocab.classes)}"
        )
    setting = raw.get("setting")
    if setting is not None and setting not in SETTINGS:
        raise ConditionSyntaxError(f"{location}.setting", f"{setting!r} is not one of {', '.join(SETTINGS)}")
    progressed = raw.get("progressed")
    if progressed is not None and not isinstance(progressed, bool):
        raise ConditionSyntaxError(f"{location}.progressed", f"{progressed!r} is not true or false")
    undetermined = raw.get("undetermined")
    if undetermined is not None and (not isinstance(undetermined, str) or not undetermined.strip()):
        raise ConditionSyntaxError(f"{location}.undetermined",
                                   "must be the question a reader settles by hand, in words")
    return Includes(agent, drug_class, setting, progressed, undetermined.strip() if undetermined else None)


# ---------------------------------------------------------------------------------------------
# Reference evaluation


def evaluate(condition: Condition, profile: PatientProfile) -> Truth:
    if isinstance(condition, AllOf):
        results = [evaluate(p, profile) for p in condition.parts]
        return False if False in results else (None if None in results else True)
    if isinstance(condition, AnyOf):
        results = [evaluate(p, profile) for p in condition.parts]
        return True if True in results else (None if None in results else False)
    if isinstance(condition, Not):
        inner = evaluate(condition.part, profile)
        return None if inner is None else not inner
    if isinstance(condition, Includes):
        return includes_truth(condition, profile.prior_therapies)
    return _compare(condition, profile.value(condition.field))


def _compare(leaf: Compare, actual: Any) -> Truth:
    if leaf.op == "is_known":
        return bool(actual != UNKNOWN)
    if leaf.op == "is_unknown":
        return bool(actual == UNKNOWN)
    if actual == UNKNOWN:
        return None
    if leaf.op == "equals":
        return bool(actual == leaf.value)
    if leaf.op == "one_of":
        return actual in leaf.value
    if FIELDS[leaf.field].kind is Kind.STAGE:
        low, high = STAGE_RANGES[actual]
        if leaf.op == "at_least":
            threshold = STAGE_RANGES[leaf.value][0]
            return True if low >= threshold else (False if high < threshold else None)
        threshold = STAGE_RANGES[leaf.value][1]
        return True if high <= threshold else (False if low > threshold else None)
    if leaf.op == "at_least":
        return bool(actual >= leaf.value)
    return bool(actual <= leaf.value)


def includes_truth(leaf: Includes, therapies: Any) -> Truth:
    if therapies == UNKNOWN:
        return None
    results = [_item_matches(leaf, item) for item in therapies]
    return True if True in results else (None if None in results else False)


def _item_matches(leaf: Includes, item: PriorTherapy) -> Truth:
    if leaf.agent is not None and item.agent != leaf.agent:
        return False
    if leaf.drug_class is not None and leaf.drug_class not in vocabulary().classes[item.drug_class].ancestors:
        return False
    verdict: Truth = True
    for wanted, actual in ((leaf.setting, item.setting), (leaf.progressed, item.progressed)):
        if wanted is None:
            continue
        if actual == UNKNOWN:
            verdict = None
        elif actual != wanted:
            return False
    return None if leaf.undetermined else verdict  # a match leaves the question to a reader


# ---------------------------------------------------------------------------------------------
# Walking and explaining


def leaves(condition: Condition) -> Iterator[Compare | Includes]:
    if isinstance(condition, AllOf | AnyOf):
        for part in condition.parts:
            yield from leaves(part)
    elif isinstance(condition, Not):
        yield from leaves(condition.part)
    else:
        yield condition


def missing_fields(condition: Condition, profile: PatientProfile) -> set[str]:
    """Fields whose value could change an unknown result: those under every still-open branch.

    A presence test on an unknown field is decided (is_unknown holds), yet learning the field
    changes it, so it counts. For prior therapies that are known but lack a setting or a
    progression, the missing detail is named: "prior_therapies.progressed".
    """
    if isinstance(condition, Compare) and condition.op in ("is_known", "is_unknown"):
        return {condition.field} if profile.value(condition.field) == UNKNOWN else set()
    if evaluate(condition, profile) is not None:
        return set()
    if isinstance(condition, AllOf | AnyOf):
        return set().union(*(missing_fields(p, profile) for p in condition.parts))
    if isinstance(condition, Not):
        return missing_fields(condition.part, profile)
    if isinstance(condition, Includes) and profile.prior_therapies != UNKNOWN:
        if condition.undetermined:  # no field settles it: the report names the question instead
            return {condition.undetermined}
        details = [name for name, wanted in (("setting", condition.setting), ("progressed", condition.progressed))
                   if wanted is not None]
        return {f"prior_therapies.{name}" for name in details}
    return {condition.field}


def reasons(condition: Condition, profile: PatientProfile) -> list[str]:
    """The facts that make a true (or false) condition so, in words."""
    value = evaluate(condition, profile)
    if isinstance(condition, AllOf | AnyOf):
        decisive = [p for p in condition.parts if evaluate(p, profile) is value]
        if (isinstance(condition, AnyOf) and value is True) or (isinstance(condition, AllOf) and value is False):
            decisive = decisive[:1]  # one true branch proves an any; one false part disproves an all
        return [r for p in decisive for r in reasons(p, profile)]
    if isinstance(condition, Not):
        return reasons(condition.part, profile)
    return [describe_fact(condition, profile, value)]


def describe_fact(leaf: Compare | Includes, profile: PatientProfile, value: Truth) -> str:
    if isinstance(leaf, Includes):
        wanted = describe_test(leaf)
        if value is True:
            return f"prior therapies include {wanted.removeprefix('prior therapies include ')}"
        if value is False:
            return f"no prior therapy matches: {wanted.removeprefix('prior therapies include ')}"
        return f"unknown whether prior therapies include {wanted.removeprefix('prior therapies include ')}"
    actual = profile.value(leaf.field)
    shown = _word(actual) if not isinstance(actual, float) else f"{actual:g}"
    name = FIELD_WORDS.get(leaf.field, leaf.field)  # words for a report, not the case-format key
    if leaf.op in ("is_known", "is_unknown"):
        return f"{name} is {'unknown' if actual == UNKNOWN else 'known (' + shown + ')'}"
    text = f"{name} is {shown}"
    if leaf.op in ("at_least", "at_most") and value is not None:
        text += f" ({'' if value else 'not '}{describe_test(leaf).removeprefix(leaf.field + ' ')})"
    return text


def describe_test(leaf: Compare | Includes) -> str:
    """The test itself in words, without any patient's value."""
    if isinstance(leaf, Includes):
        label = vocabulary().classes[leaf.drug_class or ""].label if leaf.drug_class else ""
        target = leaf.agent or f"{'an' if label[:1] in 'aeiou' else 'a'} {label}"
        extras = []
        if leaf.setting:
            extras.append(f"in the {leaf.setting} setting")
        if leaf.progressed is not None:
            extras.append("with progression" if leaf.progressed else "without progression")
        if leaf.undetermined:
            extras.append(f"(if so, undecided: {leaf.undetermined})")
        return "prior therapies include " + " ".join([target, *extras])
    if leaf.op == "is_known":
        return f"{leaf.field} is known"
    if leaf.op == "is_unknown":
        return f"{leaf.field} is unknown"
    if leaf.op == "one_of":
        return f"{leaf.field} is one of {', '.join(leaf.value)}"
    if leaf.op == "at_least":
        return f"{leaf.field} at least {_word(leaf.value)}"
    if leaf.op == "at_most":
        return f"{leaf.field} at most {_word(leaf.value)}"
    return f"{leaf.field} is {_word(leaf.value)}"


def _word(value: Any) -> str:
    if value is None:
        return "*"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def to_yaml(condition: Condition) -> dict[str, Any]:
    """The YAML mapping a condition was parsed from (used by docs and generated tests)."""
    if isinstance(condition, AllOf):
        return {"all": [to_yaml(p) for p in condition.parts]}
    if isinstance(condition, AnyOf):
        return {"any": [to_yaml(p) for p in condition.parts]}
    if isinstance(condition, Not):
        return {"not": to_yaml(condition.part)}
    if isinstance(condition, Includes):
        raw: dict[str, Any] = {"field": "prior_therapies", "op": "includes"}
        if condition.agent:
            raw["agent"] = condition.agent
        if condition.drug_class:
            raw["class"] = condition.drug_class
        if condition.setting:
            raw["setting"] = condition.setting
        if condition.progressed is not None:
            raw["progressed"] = condition.progressed
        if condition.undetermined:
            raw["undetermined"] = condition.undetermined
        return raw
    raw = {"field": condition.field, "op": condition.op}
    if condition.value is not None:
        raw["value"] = list(condition.value) if isinstance(condition.value, tuple) else condition.value
    return raw
