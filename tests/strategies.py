"""hypothesis strategies: valid case mappings over every field and value, and condition trees."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from igfrules.model.conditions import AllOf, AnyOf, Compare, Condition, Includes, Not
from igfrules.model.fields import FIELDS, SETTINGS, STAGE_RANGES, STAGE_THRESHOLDS, UNKNOWN, Kind
from igfrules.model.vocabulary import vocabulary

VOCAB = vocabulary()
AGENT_SPELLINGS = sorted({s for a in VOCAB.agents.values() for s in (a.name, *a.synonyms)})
INPUT_FIELD_NAMES = [n for n, f in FIELDS.items() if not f.derived_from]


def _case_variants(word: str) -> st.SearchStrategy[str]:
    return st.sampled_from([word, word.upper(), word.capitalize()])


def field_value(name: str) -> st.SearchStrategy[Any]:
    field = FIELDS[name]
    unknown = st.sampled_from([UNKNOWN, "Unknown"])
    if field.kind is Kind.ENUM:
        return st.one_of(st.sampled_from(field.values).flatmap(_case_variants), unknown)
    if field.kind is Kind.FLAG:
        return st.one_of(st.booleans(), st.sampled_from(["true", "False"]), unknown)
    if field.kind is Kind.NUMBER:
        low, high = field.bounds or (0.0, 0.0)
        return st.one_of(st.sampled_from([18.5, 24.9, 25.0, 29.9, 30.0, 40.0]),
                         st.floats(low, high, allow_nan=False), unknown)
    if field.kind is Kind.STAGE:
        return st.one_of(st.sampled_from(list(STAGE_RANGES)), st.just(0), unknown)
    if field.kind is Kind.SITES:
        return st.one_of(st.lists(st.sampled_from(field.values).flatmap(_case_variants), max_size=4), unknown)
    return st.one_of(st.lists(therapy_item(), max_size=5), unknown)


def therapy_item() -> st.SearchStrategy[Any]:
    agent = st.sampled_from(AGENT_SPELLINGS)
    mapping = st.fixed_dictionaries(
        {"agent": agent},
        optional={
            "setting": st.sampled_from([*SETTINGS, UNKNOWN]),
            "progressed": st.sampled_from([True, False, UNKNOWN]),
        },
    )
    return st.one_of(agent, mapping)


@st.composite
def cases(draw: st.DrawFn) -> dict[str, Any]:
    """A valid case mapping: any subset of fields (left out = unknown), any accepted spelling."""
    names = draw(st.lists(st.sampled_from(INPUT_FIELD_NAMES), unique=True))
    case: dict[str, Any] = {name: draw(field_value(name)) for name in names}
    if str(case.get("her2_status", "")).casefold() == "positive" and str(case.get("her2_low", "")).casefold() == "true":
        case["her2_low"] = False  # HER2-low is a kind of HER2-negative disease: the pair is refused
    if draw(st.booleans()):
        # No control, format (bidi, zero-width) or line-separator characters, no surrogates: case_id refuses them.
        printable = st.characters(blacklist_categories=("Cc", "Cf", "Cs", "Zl", "Zp"))
        case["case_id"] = draw(st.text(printable, min_size=1, max_size=12))
    return case


def leaf() -> st.SearchStrategy[Condition]:
    def for_field(name: str) -> st.SearchStrategy[Condition]:
        field = FIELDS[name]
        presence = st.sampled_from(["is_known", "is_unknown"]).map(lambda op: Compare(name, op))
        if field.kind is Kind.ENUM:
            equals = st.sampled_from(field.values).map(lambda v: Compare(name, "equals", v))
            one_of = st.lists(st.sampled_from(field.values), min_size=1, unique=True).map(
                lambda vs: Compare(name, "one_of", tuple(vs)))
            return st.one_of(equals, one_of, presence)
        if field.kind is Kind.FLAG:
            return st.one_of(st.booleans().map(lambda v: Compare(name, "equals", v)), presence)
        if field.kind is Kind.NUMBER:
            return st.one_of(st.builds(lambda op, v: Compare(name, op, v), st.sampled_from(["at_least", "at_most"]),
                                       st.sampled_from([18.5, 25.0, 30.0])), presence)
        if field.kind is Kind.STAGE:
            return st.one_of(st.builds(lambda op, v: Compare(name, op, v), st.sampled_from(["at_least", "at_most"]),
                                       st.sampled_from(STAGE_THRESHOLDS)), presence)
        if field.kind is Kind.SITES:
            return presence
        includes = st.builds(
            lambda target, setting, progressed, undetermined: Includes(
                agent=target if target in VOCAB.agents else None,
                drug_class=target if target in VOCAB.classes else None,
                setting=setting, progressed=progressed, undetermined=undetermined),
            st.sampled_from(sorted(VOCAB.agents) + sorted(VOCAB.classes)),
            st.sampled_from([None, *SETTINGS]), st.sampled_from([None, True, False]),
            st.sampled_from([None, None, "check by hand"]),
        )
        return st.one_of(includes, presence)

    return st.sampled_from(list(FIELDS)).flatmap(for_field)


def conditions(max_leaves: int = 8) -> st.SearchStrategy[Condition]:
    return st.recursive(
        leaf(),
        lambda children: st.one_of(
            st.lists(children, min_size=1, max_size=3).map(lambda ps: AllOf(tuple(ps))),
            st.lists(children, min_size=1, max_size=3).map(lambda ps: AnyOf(tuple(ps))),
            children.map(Not),
        ),
        max_leaves=max_leaves,
    )
