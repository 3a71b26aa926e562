"""The durable_rules engine: every matching rule fires, cases never see each other, threads are safe."""

from __future__ import annotations

import json
import random
import threading
from concurrent.futures import ThreadPoolExecutor

import durable_rules_engine
import pytest

from igfrules import EvaluationError, KnowledgeBaseError
from igfrules.engine.durable_engine import Engine
from igfrules.engine.reference import evaluate
from igfrules.model.conditions import AllOf, AnyOf, Compare, Includes, Not
from igfrules.model.validation import profile_from_mapping

ER_POS = Compare("er_status", "equals", "positive")
HER2_NEG = Compare("her2_status", "equals", "negative")
ADVANCED = Compare("stage", "at_least", "IIIB")
CONDITIONS = {
    "er": ER_POS,
    "her2neg": HER2_NEG,
    "hr_her2neg": AllOf((ER_POS, HER2_NEG)),
    "advanced": ADVANCED,
    "not_visceral": Not(Compare("visceral_disease", "equals", True)),
    "tam_progressed": Includes(agent="tamoxifen", progressed=True),
    "endocrine": Includes(drug_class="endocrine_therapy"),
    "either": AnyOf((Compare("pik3ca_mutation", "equals", True), Compare("diabetes", "equals", True))),
}


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine(CONDITIONS)


def test_every_matching_condition_fires_not_only_the_first(engine: Engine) -> None:
    profile = profile_from_mapping({"er_status": "positive", "her2_status": "negative", "stage": "IV",
                                    "visceral_disease": False, "pik3ca_mutation": True, "diabetes": True,
                                    "prior_therapies": [{"agent": "tamoxifen", "progressed": True}]})
    assert engine.evaluate(profile) == dict.fromkeys(CONDITIONS, True)


def test_unknown_is_neither_true_nor_false(engine: Engine) -> None:
    assert engine.evaluate(profile_from_mapping({})) == dict.fromkeys(CONDITIONS)


def test_false_is_reported_as_false(engine: Engine) -> None:
    profile = profile_from_mapping({"er_status": "negative", "her2_status": "positive", "stage": "IIA",
                                    "visceral_disease": True, "pik3ca_mutation": False, "diabetes": False,
                                    "prior_therapies": []})
    assert engine.evaluate(profile) == dict.fromkeys(CONDITIONS, False)


def test_one_case_never_sees_another(engine: Engine) -> None:
    rich = profile_from_mapping({"er_status": "positive", "her2_status": "negative", "stage": "IV",
                                 "prior_therapies": ["tamoxifen"]})
    empty = profile_from_mapping({})
    fresh = Engine(CONDITIONS).evaluate(empty)
    engine.evaluate(rich)
    assert engine.evaluate(empty) == fresh
    assert engine.evaluate(rich) == Engine(CONDITIONS).evaluate(rich)


def test_identical_cases_in_a_row_both_evaluate(engine: Engine) -> None:
    # durable refuses an identical fact twice in one session; each assertion carries a new id.
    profile = profile_from_mapping({"er_status": "positive"})
    assert engine.evaluate(profile)["er"] is True
    assert engine.evaluate(profile)["er"] is True


def _random_profiles(count: int, seed: int) -> list:  # type: ignore[type-arg]
    rnd = random.Random(seed)
    words = {"er_status": ["positive", "negative", "unknown"], "her2_status": ["positive", "negative", "unknown"],
             "stage": ["I", "IIIA", "IIIB", "IV", "early", "metastatic", "unknown"],
             "visceral_disease": [True, False, "unknown"], "pik3ca_mutation": [True, False, "unknown"],
             "diabetes": [True, False, "unknown"]}
    therapies = [[], ["tamoxifen"], [{"agent": "tamoxifen", "progressed": True}], ["letrozole"], "unknown"]
    return [
        profile_from_mapping({**{k: rnd.choice(v) for k, v in words.items()},
                              "prior_therapies": rnd.choice(therapies), "case_id": str(i)})
        for i in range(count)
    ]


def test_more_than_1024_cases_in_one_process(engine: Engine) -> None:
    # durable_rules caps live sessions at 1,024 per ruleset: one session is reused, never one per case.
    for profile in _random_profiles(3000, seed=1):
        got = engine.evaluate(profile)
        assert got == {name: evaluate(c, profile) for name, c in CONDITIONS.items()}


def test_threads_give_the_sequential_results(engine: Engine) -> None:
    profiles = _random_profiles(2000, seed=2)
    sequential = [engine.evaluate(p) for p in profiles]
    start = threading.Barrier(8)

    def work(offset: int) -> list[dict[str, bool | None]]:
        start.wait()
        return [engine.evaluate(profiles[(offset * 97 + i) % len(profiles)]) for i in range(len(profiles))]

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(work, range(8)))
    for offset, result in enumerate(results):
        expected = [sequential[(offset * 97 + i) % len(profiles)] for i in range(len(profiles))]
        assert result == expected


def test_many_engines_in_one_process() -> None:
    for _ in range(50):
        assert Engine(CONDITIONS).evaluate(profile_from_mapping({"er_status": "positive"}))["er"] is True


@pytest.mark.parametrize(("bmi", "expected"), [(22, True), (25, True), (25.5, False), (31, False), (None, None)])
def test_a_number_at_most_its_bound_holds_up_to_it_and_not_past_it(bmi: float | None, expected: bool | None) -> None:
    """`bmi at_most 25` (a knowledge base may bound any number from above) is true up to 25
    included, false past it and unknown when BMI is; its negation the other way round. Written
    out, not taken from the reference evaluator, which an engine bug would not change. Mutation:
    `{"$lte": ...} if positive else {"$gt": ...}` turned into `if not positive` for numbers in
    engine/compiler.py (every number bounded from above matched the other side)."""
    conditions = {"lean": Compare("bmi", "at_most", 25.0), "not_lean": Not(Compare("bmi", "at_most", 25.0))}
    profile = profile_from_mapping({} if bmi is None else {"bmi": bmi})
    negated = None if expected is None else not expected
    assert Engine(conditions).evaluate(profile) == {"lean": expected, "not_lean": negated}


@pytest.mark.parametrize("width", [1, 3, 5])
def test_hundreds_of_rules_matching_at_once(width: int) -> None:
    # With every rule under one anchor, a few dozen rules whose first tests hold together overflow
    # durable's 64-node stack (error 303); the engine hangs groups of rules off separate anchors.
    er_known = Compare("er_status", "one_of", ("positive", "negative"))
    conditions = {
        f"c{i}": AnyOf((AllOf((er_known, *(Compare("bmi", "at_least", float(10 + i + j)) for j in range(width)))),
                        Not(Compare("diabetes", "equals", True)), Includes(drug_class="endocrine_therapy")))
        for i in range(200)
    }
    engine = Engine(conditions)
    for case in ({}, {"er_status": "positive"}, {"bmi": 60}, {"er_status": "positive", "bmi": 60, "diabetes": False,
                                                              "prior_therapies": ["tamoxifen"]}):
        profile = profile_from_mapping(case)
        assert engine.evaluate(profile) == {n: evaluate(c, profile) for n, c in conditions.items()}


def test_a_complex_condition_is_split_not_refused() -> None:
    # More than 15 and/or groups in one pattern is durable error 113; the engine splits to DNF.
    wide = AllOf(tuple(AnyOf((Compare("bmi", "at_least", float(20 + i)), ER_POS)) for i in range(12)))
    profile = profile_from_mapping({"er_status": "negative", "bmi": 40})
    assert Engine({"wide": wide}).evaluate(profile)["wide"] is evaluate(wide, profile)


def test_a_condition_too_large_to_split_is_a_knowledge_base_error() -> None:
    huge = AllOf(tuple(AnyOf((Compare("bmi", "at_least", float(20 + i)), ER_POS)) for i in range(20)))
    with pytest.raises(KnowledgeBaseError, match="alternatives"):
        Engine({"huge": huge})


def test_durable_errors_become_evaluation_errors(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*_: object) -> None:
        raise durable_rules_engine.error("Could not assert fact, error code: 303")

    monkeypatch.setattr(durable_rules_engine, "assert_fact", broken)
    with pytest.raises(EvaluationError, match="too many rules matched"):
        engine.evaluate(profile_from_mapping({}))


def test_durable_iall_with_or_is_still_broken() -> None:
    """Why list operators are avoided: `$iall` with `$or` judges each item by its last branch.

    If this starts failing, durable_rules changed; the engine's scalar encoding is still correct.
    """
    rule = {"r": {"all": [{"m": {"$and": [{"igf": 1}, {"$iall": {"pt": {"$or": [
        {"$neq": {"$i.agent": "tam"}}, {"$neq": {"$i.progressed": "yes"}}]}}}]}}]}}
    handle = durable_rules_engine.create_ruleset("iall_probe", json.dumps(rule))
    fact = json.dumps({"igf": 1, "id": 1, "sid": "probe", "pt": [{"agent": "x", "progressed": "yes"}]})
    result = durable_rules_engine.assert_fact(handle, fact)
    fired = durable_rules_engine.start_action_for_state(handle, result[1])
    assert fired is None  # the item's agent is not 'tam', so the rule should have fired
    durable_rules_engine.retract_fact(handle, fact)
    durable_rules_engine.delete_ruleset(handle)
