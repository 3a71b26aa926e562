"""Properties of the shipped knowledge base under generated profiles (issue: rule consistency).

Each property is one test; `HYPOTHESIS_PROFILE=thorough` runs them with many more examples.
"""

from __future__ import annotations

import json
import random
import shutil
from pathlib import Path
from typing import Any

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import igfrules
from igfrules import IgfrulesError, InputError, Report
from igfrules.engine.reference import evaluate as reference
from igfrules.evaluation.cases import case_from_bytes
from igfrules.evaluation.evaluate import ReportBuilder
from igfrules.model.fields import STAGE_RANGES, UNKNOWN
from igfrules.model.validation import profile_from_mapping
from igfrules.model.vocabulary import vocabulary
from tests.conftest import RULES
from tests.strategies import INPUT_FIELD_NAMES, cases

KB = igfrules.load_knowledge_base(RULES)
EARLY_MAX_RANK = STAGE_RANGES["IIIA"][1]


def _fired(report: Report) -> set[str]:
    return {r.id for r in report.rationales} | {c.id for c in report.context} | {t.nct_id for t in report.trials}


def _needs(report: Report) -> set[str]:
    return {n.rule_id for n in report.needs_information}


def _reference_sets(profile: igfrules.PatientProfile) -> tuple[set[str], set[str]]:
    fired, needs = set(), set()
    for name, condition in KB.conditions.items():
        kind, ident = name.split(":", 1)
        if kind == "caution":
            continue
        value = reference(condition, profile)
        (fired if value is True else needs if value is None else set()).add(ident)
    return fired, needs


# 1. Engine agreement ----------------------------------------------------------------------------

@given(cases())
def test_engine_and_reference_agree_on_fired_and_needs_information(case: dict[str, Any]) -> None:
    profile = profile_from_mapping(case)
    assert KB.engine.evaluate(profile) == {n: reference(c, profile) for n, c in KB.conditions.items()}
    report = igfrules.evaluate(profile, KB)
    assert (_fired(report), _needs(report)) == _reference_sets(profile)


@given(cases())
def test_memoised_explanations_equal_fresh_ones(case: dict[str, Any]) -> None:
    profile = profile_from_mapping(case)
    assert igfrules.evaluate(profile, KB).to_json() == ReportBuilder(KB).report(profile).to_json()


# 2. Totality --------------------------------------------------------------------------------------

@given(cases())
def test_any_valid_profile_yields_a_research_only_report(case: dict[str, Any]) -> None:
    report = igfrules.evaluate(case, KB)
    assert report.research_only is True
    assert all(r.research_only is True for r in report.rationales)
    assert all(c.research_only is True for c in report.context)


_json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3),
    max_leaves=12,
)


@given(st.dictionaries(st.sampled_from([*INPUT_FIELD_NAMES, "case_id", "her2_stauts"]), _json_values, max_size=6))
def test_any_mapping_gives_a_report_or_an_igfrules_error(case: dict[str, Any]) -> None:
    try:
        report = igfrules.evaluate(case, KB)
    except IgfrulesError as err:
        assert err.problems and all(p.message for p in err.problems)
    else:
        assert report.research_only is True


# 3. Determinism and order -------------------------------------------------------------------------

@given(cases(), st.randoms(use_true_random=False))
def test_shuffling_therapies_and_keys_changes_nothing(case: dict[str, Any], rnd: random.Random) -> None:
    shuffled = dict(rnd.sample(list(case.items()), len(case)))
    if isinstance(shuffled.get("prior_therapies"), list):
        shuffled["prior_therapies"] = rnd.sample(shuffled["prior_therapies"], len(shuffled["prior_therapies"]))
    assert igfrules.evaluate(case, KB).to_json() == igfrules.evaluate(shuffled, KB).to_json()


def test_order_of_rule_files_on_disk_changes_nothing(tmp_path: Path) -> None:
    files = sorted(p for p in RULES.rglob("*.yaml"))
    outputs = set()
    for seed in range(3):
        target = tmp_path / f"kb{seed}"
        for path in random.Random(seed).sample(files, len(files)):  # created in a different order
            destination = target / path.relative_to(RULES)
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, destination)
        kb = igfrules.load_knowledge_base(target)
        case = {"er_status": "positive", "her2_status": "negative", "stage": "IV"}
        outputs.add(igfrules.evaluate(case, kb).to_json())
    assert len(outputs) == 1


# 4. Unknowns never assume -------------------------------------------------------------------------

SELF_CONTRADICTIONS = ("sex is male and menopausal_status is", "visceral_disease is true but metastatic_sites",
                       "visceral_disease is false but metastatic_sites")


@given(cases(), st.data())
def test_forgetting_a_value_never_adds_a_fired_rule(case: dict[str, Any], data: st.DataObject) -> None:
    known = [k for k, v in case.items() if k != "case_id" and str(v).lower() != UNKNOWN]
    if not known:
        return
    forgotten = data.draw(st.sampled_from(known))
    fuller = igfrules.evaluate(case, KB)
    # A record that contradicts itself where one value implies another (a man with a menopausal
    # status, a visceral flag the sites deny) is warned about; forgetting one side of it lets the
    # other speak, which is no assumption. Every other profile is held to the rule.
    assume(not any(w.startswith(SELF_CONTRADICTIONS) for w in fuller.warnings))
    poorer = igfrules.evaluate({k: v for k, v in case.items() if k != forgotten}, KB)
    assert _fired(poorer) <= _fired(fuller)
    # Learning the value moves rules from needs_information to fired or to neither, never from neither.
    assert _fired(fuller) <= _fired(poorer) | _needs(poorer)


# 5. Populations hold ------------------------------------------------------------------------------

_CLASSES = vocabulary().classes


def _uses(rationale: Any, family: str) -> bool:
    return any(family in _CLASSES[a.drug_class].ancestors for a in rationale.agents)


@given(cases())
def test_listed_trials_fit_and_exclusions_hold(case: dict[str, Any]) -> None:
    profile = profile_from_mapping(case)
    report = igfrules.evaluate(profile, KB)
    for trial in report.trials:
        assert reference(KB.conditions[f"trial:{trial.nct_id}"], profile) is True
    if profile.stage != UNKNOWN and STAGE_RANGES[profile.stage][1] <= EARLY_MAX_RANK:
        assert report.trials == ()  # every trial in the registry is in advanced or metastatic disease
    for rationale in report.rationales:
        if _uses(rationale, "anti_her2_therapy"):
            assert profile.her2_status != "negative", rationale.id
        if _uses(rationale, "endocrine_therapy"):
            assert profile.hormone_receptor_status != "negative", rationale.id


# 6. No silent contradiction -----------------------------------------------------------------------

@given(cases())
def test_a_regimen_is_never_both_supported_and_not_unless_declared(case: dict[str, Any]) -> None:
    report = igfrules.evaluate(case, KB)
    shown = {r.id for r in report.rationales}
    by_regimen: dict[Any, list[Any]] = {}
    for r in report.rationales:
        regimen = (r.strategy.igf_axis, frozenset(r.strategy.partners), frozenset(a.name for a in r.agents))
        by_regimen.setdefault(regimen, []).append(r)
    for group in by_regimen.values():
        directions = {r.evidence.direction for r in group}
        if {"supports", "does_not_support"} <= directions:
            for r in group:
                others = {o.id for o in group if o.evidence.direction != r.evidence.direction}
                assert others <= set(r.conflicts_with) | set(KB.entries[r.id].conflicts_with)
                assert others <= shown  # both sides are shown


# 7. Round trips ----------------------------------------------------------------------------------

@given(cases())
def test_case_profile_case_round_trip(case: dict[str, Any]) -> None:
    profile = profile_from_mapping(case)
    assert profile_from_mapping(profile.to_case()) == profile
    assert profile_from_mapping(profile.to_case()).to_case() == profile.to_case()


@given(cases())
def test_report_json_round_trip(case: dict[str, Any]) -> None:
    text = igfrules.evaluate(case, KB).to_json()
    assert Report.model_validate_json(text).to_json() == text
    assert json.loads(text) == Report.model_validate(json.loads(text)).model_dump(mode="json")


# 8. The loader never crashes ----------------------------------------------------------------------

@given(st.binary(max_size=400), st.sampled_from(["", ".json", ".yaml"]))
def test_arbitrary_bytes_give_an_input_error_or_a_profile(data: bytes, suffix: str) -> None:
    try:
        case_from_bytes(data, suffix=suffix)
    except InputError as err:
        assert str(err)


@given(_json_values, st.sampled_from(["json", "yaml"]))
def test_arbitrary_documents_give_an_input_error_or_a_profile(document: Any, form: str) -> None:
    import yaml

    text = json.dumps(document) if form == "json" else yaml.safe_dump(document)
    try:
        case_from_bytes(text.encode(), suffix=f".{form}")
    except InputError as err:
        assert str(err)


@pytest.mark.parametrize("text", ["{" * 5000, "[" * 5000 + "]" * 5000, "a: " + "[" * 3000])
def test_deep_nesting_is_an_input_error(text: str) -> None:
    for suffix in ("", ".json"):
        with pytest.raises(InputError):
            case_from_bytes(text.encode(), suffix=suffix)


@given(cases())
def test_batch_json_line_equals_pydantic_json(case: dict[str, Any]) -> None:
    from igfrules.rendering.jsonline import report_json_line

    report = igfrules.evaluate(case, KB)
    assert report_json_line(report) == report.model_dump_json()
