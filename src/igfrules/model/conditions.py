"""The condition language: `all` / `any` / `not` over field comparisons, parsed and put in words.

A knowledge-base entry's `when`, a trial's criteria and a caution's reach are written in this
language. Conditions are parsed and type-checked when the knowledge base loads, never when a case
reaches them. The syntax tree is plain data shared by the knowledge base (which parses it), the
engine (which compiles and evaluates it: engine/reference.py, engine/compiler.py) and the renderers
(which put it in words).
"""


from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, TypeAlias

from .fields import FIELDS, OPERATORS_BY_KIND, SETTINGS, STAGE_THRESHOLDS, Kind
from .vocabulary import UnknownAgent, vocabulary

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
        key = f"{target};setting={self.setting or '*'};progressed={word(self.progressed)}"
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
# Walking and putting in words


def leaves(condition: Condition) -> Iterator[Compare | Includes]:
    if isinstance(condition, AllOf | AnyOf):
        for part in condition.parts:
            yield from leaves(part)
    elif isinstance(condition, Not):
        yield from leaves(condition.part)
    else:
        yield condition


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
        return f"{leaf.field} at least {word(leaf.value)}"
    if leaf.op == "at_most":
        return f"{leaf.field} at most {word(leaf.value)}"
    return f"{leaf.field} is {word(leaf.value)}"


def word(value: Any) -> str:
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
