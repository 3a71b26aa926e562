"""hypothesis strategies aimed at the knowledge base's own conditions.

`cases()` draws every field at random, so a rule with many conditions is rarely reached: an
unknown PR read as negative passed the properties at 3,000 examples. `aimed_cases(kb)` picks one
entry's condition and, for each of its tests, a value that passes it, one that fails it, or
nothing (unknown), so that every branch of every entry is reached within a few examples."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from igfrules.knowledge.loader import KnowledgeBase
from igfrules.model.conditions import Compare, Condition, Includes, leaves
from igfrules.model.fields import FIELDS, SETTINGS, STAGE_RANGES, Kind
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


def _passing(leaf: Compare | Includes) -> st.SearchStrategy[dict[str, Any]]:
    """Input fields (and their values) that make one test true, as far as a value alone can."""
    if isinstance(leaf, Includes):
        item = {"agent": st.sampled_from(_agents_for(leaf)),
                "setting": st.just(leaf.setting) if leaf.setting else st.sampled_from([*SETTINGS, "unknown"]),
                "progressed": st.just(leaf.progressed) if leaf.progressed is not None else st.booleans()}
        return st.fixed_dictionaries(item).map(lambda therapy: {"prior_therapies": [therapy]})
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
    sources = FIELDS[leaf.field].derived_from
    if sources:  # a derived field (hormone-receptor status): set what it is derived from
        return st.fixed_dictionaries({}, optional={name: field_value(name) for name in sources})
    return st.one_of(st.just({}), _compare_values(leaf).map(lambda v: {leaf.field: v}))


@st.composite
def aimed_cases(draw: st.DrawFn, kb: KnowledgeBase) -> dict[str, Any]:
    """A valid case mapping aimed at one entry's condition; other fields at random."""
    name = draw(st.sampled_from(sorted(kb.conditions)))
    condition: Condition = kb.conditions[name]
    case = draw(cases()) if draw(st.booleans()) else {}
    aim = draw(st.sampled_from([0.95, 0.8, 0.5]))  # how often a test is given a value that passes it
    for leaf in leaves(condition):
        passing = draw(st.floats(0, 1)) < aim
        case.update(draw(_passing(leaf) if passing else _values_for(leaf)))
    case.pop("case_id", None)
    return case
