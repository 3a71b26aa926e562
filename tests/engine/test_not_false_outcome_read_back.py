"""A "not false" rule (the second rule of a condition too large for an "unknown" rule) means the same
after the compiled rules went through the per-user cache (pickle), where its outcome comes back as an
equal string, not the compiler's own object. Knowledge base 1.2's NCT01605396 exclusions were the
first condition large enough to get one; the cached engine then answered 'not false' instead of
unknown."""

from __future__ import annotations

import pickle

import igfrules
from igfrules.engine.compiler import NOT_FALSE
from igfrules.engine.durable_engine import Engine, compile_rules
from igfrules.model.patient import PatientProfile
from tests.conftest import RULES


def test_a_not_false_rule_read_back_from_the_cache_still_means_unknown_or_true() -> None:
    kb = igfrules.load_knowledge_base(RULES)
    conditions = {"trial": kb.conditions["trial:NCT01605396"]}
    compiled = compile_rules(conditions)
    assert any(outcome == NOT_FALSE for _, outcome in compiled.outcomes.values())  # the case under test
    restored = pickle.loads(pickle.dumps(compiled))  # noqa: S301 - our own object, as the cache stores it
    profile = PatientProfile.model_validate({  # fits but for Ki67, unknown: the trial is undecided
        "er_status": "positive", "her2_status": "negative", "menopausal_status": "postmenopausal", "stage": "IV",
        "prior_therapies": [{"agent": "letrozole", "setting": "metastatic", "progressed": True}]})
    assert Engine(conditions, restored).evaluate(profile) == Engine(conditions, compiled).evaluate(profile) \
        == {"trial": None}
