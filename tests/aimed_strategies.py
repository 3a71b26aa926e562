"""hypothesis strategies aimed at the knowledge base's own conditions.

`cases()` draws every field at random, so a rule with many conditions is rarely reached: an
unknown PR read as negative passed the properties at 3,000 examples. `aimed_cases(kb)` picks one
entry's condition and, for each of its tests, a value that passes it, one that fails it, or
nothing (unknown), so that every branch of every entry is reached within a few examples."""

from __future__ import annotations

import itertools
from functools import cache
from typing import Any

from hypothesis import strategies as st

from igfrules.engine.reference import evaluate
from igfrules.errors import CaseError
from igfrules.knowledge.loader import KnowledgeBase
from igfrules.model.conditions import AllOf, AnyOf, Compare, Condition, Includes, Not
from igfrules.model.fields import FIELDS, SETTINGS, STAGE_RANGES, UNKNOWN, Kind
from igfrules.model.validation import profile_from_mapping
from tests.strategies import VOCAB, cases, field_value

_STAGES = list(STAGE_RANGES)


def _compare_values(leaf: Compare) -> st.SearchStrategy[Any]:
    field = FIELDS[leaf.field]
    if field.kind is Kind.NUMBER and isinstance(leaf.value, int | float):
        v = float(leaf.value)
        return st.sampled_from([v, v - 0.1, v + 0.1, v + 5.0, max(v - 5.0, 0.0)])
    if field.kind is Kind.STAGE:
        return st.sampled_from(_STAGES)
    if field.kind is Kind.FLAG:
        return st.booleans()
    if field.kind is Kind.ENUM:
        wanted = leaf.value if isinstance(leaf.value, tuple) else (leaf.value,) if leaf.value else ()
        others = [v for v in field.values if v not in wanted]
        return st.sampled_from([*wanted, *others] or list(field.values))
    return field_value(leaf.field)


def _agents_for(leaf: Includes) -> list[str]:
    if leaf.agent is not None:
        return [leaf.agent]
    return sorted(a.name for a in VOCAB.agents.values()
                  if leaf.drug_class in VOCAB.classes[a.drug_class].ancestors) or sorted(VOCAB.agents)[:1]


def _therapy(leaf: Includes) -> st.SearchStrategy[dict[str, Any]]:
    settings = [leaf.setting] if leaf.setting else []
    progressed = [leaf.progressed] if leaf.progressed is not None else []
    return st.fixed_dictionaries({
        "agent": st.sampled_from(_agents_for(leaf) + sorted(VOCAB.agents)[:2]),
        "setting": st.sampled_from([*settings, *SETTINGS, "unknown"]),
        "progressed": st.sampled_from([*progressed, True, False, "unknown"]),
    })


def domain(name: str) -> list[Any]:
    """A few values of an input field, enough to reach every value of a field derived from it."""
    field = FIELDS[name]
    if field.kind is Kind.ENUM:
        return [*field.values, UNKNOWN]
    if field.kind is Kind.FLAG:
        return [True, False, UNKNOWN]
    if field.kind is Kind.STAGE:
        return [*STAGE_RANGES, UNKNOWN]
    if field.kind is Kind.SITES:
        return [[], *([v] for v in field.values), UNKNOWN]
    if field.kind is Kind.THERAPIES:
        return [[], UNKNOWN]
    return [UNKNOWN]


@cache
def derived_inputs(name: str) -> tuple[dict[str, Any], ...]:
    """Every combination of the domains of the fields `name` is derived from that igfrules accepts."""
    sources = FIELDS[name].derived_from
    found = []
    for values in itertools.product(*(domain(s) for s in sources)):
        case = dict(zip(sources, values, strict=True))
        try:
            profile_from_mapping(case)
        except CaseError:
            continue
        found.append(case)
    return tuple(found)


@cache
def _derived_passing(leaf: Compare) -> tuple[dict[str, Any], ...]:
    """Inputs that make a test of a derived field true, found by trying them (the derivation is
    igfrules' own: these strategies only aim, the properties judge)."""
    return tuple(c for c in derived_inputs(leaf.field) if evaluate(leaf, profile_from_mapping(c)) is True)


def _passing(leaf: Compare | Includes) -> st.SearchStrategy[dict[str, Any]]:
    """Input fields (and their values) that make one test true, as far as a value alone can."""
    if isinstance(leaf, Includes):
        item = {"agent": st.sampled_from(_agents_for(leaf)),
                "setting": st.just(leaf.setting) if leaf.setting else st.sampled_from([*SETTINGS, "unknown"]),
                "progressed": st.just(leaf.progressed) if leaf.progressed is not None else st.booleans()}
        return st.fixed_dictionaries(item).map(lambda therapy: {"prior_therapies": [therapy]})
    if FIELDS[leaf.field].derived_from and _derived_passing(leaf):
        return st.sampled_from(_derived_passing(leaf))
    if FIELDS[leaf.field].derived_from or leaf.op == "is_unknown":
        return _values_for(leaf)
    if leaf.op == "is_known":
        return _compare_values(leaf).map(lambda v: {leaf.field: v})
    if leaf.op == "one_of" and isinstance(leaf.value, tuple):
        return st.sampled_from(leaf.value).map(lambda v: {leaf.field: v})
    return st.just({leaf.field: leaf.value})  # equals, at_least, at_most: the value itself passes


def _values_for(leaf: Compare | Includes) -> st.SearchStrategy[dict[str, Any]]:
    """Input fields (and their values) that decide one test; {} leaves it unknown."""
    if isinstance(leaf, Includes):
        return st.one_of(st.just({}), st.lists(_therapy(leaf), max_size=3).map(lambda t: {"prior_therapies": t}))
    if FIELDS[leaf.field].derived_from:  # set what it is derived from
        return st.sampled_from(derived_inputs(leaf.field))
    return st.one_of(st.just({}), _compare_values(leaf).map(lambda v: {leaf.field: v}))


def _polar_leaves(condition: Condition, negated: bool = False) -> list[tuple[Compare | Includes, bool]]:
    """Every test in the condition, with whether it sits under an odd number of `not`s: to make
    the entry true, such a test must be false (an exclusion), not true."""
    if isinstance(condition, AllOf | AnyOf):
        return [pair for part in condition.parts for pair in _polar_leaves(part, negated)]
    if isinstance(condition, Not):
        return _polar_leaves(condition.part, not negated)
    return [(condition, negated)]


@st.composite
def aimed_cases(draw: st.DrawFn, kb: KnowledgeBase) -> dict[str, Any]:
    """A valid case mapping aimed at one entry's condition; other fields at random."""
    name = draw(st.sampled_from(sorted(kb.conditions)))
    condition: Condition = kb.conditions[name]
    case = draw(cases()) if draw(st.booleans()) else {}
    aim = draw(st.sampled_from([0.95, 0.8, 0.5]))  # how often a test is given a value that passes it
    # Tests of derived fields first: a test of an input field they are derived from then has the
    # last word; therapies add up (a test of advanced disease must not erase a prior tamoxifen).
    # A test under `not` (an exclusion) is aimed the other way: aiming at the entry leaves a prior
    # therapy exclusion to the therapies the other tests add (a known list without that class), and
    # missing the entry gives the excluded therapy.
    polar = _polar_leaves(condition)
    for leaf, negated in sorted(polar, key=lambda pair: not FIELDS[pair[0].field].derived_from):
        passing = draw(st.floats(0, 1)) < aim
        if negated and passing and isinstance(leaf, Includes):
            continue
        wanted = _passing(leaf) if passing != negated else _values_for(leaf)
        for name, drawn in draw(wanted).items():
            earlier = case.get(name)
            both_lists = isinstance(earlier, list) and isinstance(drawn, list)
            case[name] = earlier + drawn if name == "prior_therapies" and both_lists else drawn
    case.pop("case_id", None)
    return case
