"""The reference evaluator: three-valued truth of a condition for one profile, and its explanations.

Evaluation is three-valued (True, False, None for unknown): a comparison on an unknown field is
unknown, `not unknown` is unknown, `all` is false if any part is false and else unknown if any part
is unknown; `any` mirrors it. This plain-Python evaluator is the reference that the durable_rules
engine is checked against, and it produces the explanations ("because", "missing").
"""

from __future__ import annotations

from typing import Any

from ..model.conditions import AllOf, AnyOf, Compare, Condition, Includes, Not, Truth, describe_test, word
from ..model.fields import FIELD_WORDS, FIELDS, STAGE_RANGES, UNKNOWN, Kind
from ..model.patient import PatientProfile, PriorTherapy
from ..model.vocabulary import vocabulary


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



def unknown_details(leaf: Includes, therapies: tuple[PriorTherapy, ...]) -> frozenset[str]:
    """The details ("prior_therapies.setting", ".progressed") unknown on a therapy that could still
    match `leaf`: a setting every therapy records is never asked for."""
    return frozenset(f"prior_therapies.{name}"
                     for item in therapies if _item_matches(leaf, item) is None
                     for name, wanted, actual in (("setting", leaf.setting, item.setting),
                                                  ("progressed", leaf.progressed, item.progressed))
                     if wanted is not None and actual == UNKNOWN)


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
        return set(unknown_details(condition, profile.prior_therapies)) or {"prior_therapies"}
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
    shown = word(actual) if not isinstance(actual, float) else f"{actual:g}"
    name = FIELD_WORDS.get(leaf.field, leaf.field)  # words for a report, not the case-format key
    if leaf.op in ("is_known", "is_unknown"):
        return f"{name} is {'unknown' if actual == UNKNOWN else 'known (' + shown + ')'}"
    text = f"{name} is {shown}"
    if leaf.op in ("at_least", "at_most") and value is not None:
        text += f" ({'' if value else 'not '}{describe_test(leaf).removeprefix(leaf.field + ' ')})"
    return text


