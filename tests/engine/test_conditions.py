from __future__ import annotations

import pytest

from igfrules.engine.reference import evaluate, missing_fields, reasons
from igfrules.model.conditions import (
    AllOf,
    AnyOf,
    Compare,
    ConditionSyntaxError,
    Includes,
    Not,
    parse_condition,
    to_yaml,
)
from igfrules.model.validation import profile_from_mapping

T, F, U = Compare("er_status", "equals", "positive"), Compare("her2_status", "equals", "positive"), \
    Compare("pr_status", "equals", "positive")
PROFILE = profile_from_mapping({"er_status": "positive", "her2_status": "negative"})  # pr unknown


def test_leaves() -> None:
    assert (evaluate(T, PROFILE), evaluate(F, PROFILE), evaluate(U, PROFILE)) == (True, False, None)


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        (AllOf((T, T)), True), (AllOf((T, F)), False), (AllOf((T, U)), None), (AllOf((F, U)), False),
        (AnyOf((F, F)), False), (AnyOf((F, T)), True), (AnyOf((F, U)), None), (AnyOf((T, U)), True),
        (Not(T), False), (Not(F), True), (Not(U), None),
    ],
)
def test_three_valued_logic(condition: object, expected: object) -> None:
    assert evaluate(condition, PROFILE) is expected  # type: ignore[arg-type]


def test_presence_tests_are_never_unknown() -> None:
    assert evaluate(Compare("pr_status", "is_unknown"), PROFILE) is True
    assert evaluate(Compare("er_status", "is_known"), PROFILE) is True
    assert evaluate(Not(Compare("pr_status", "is_known")), PROFILE) is True


@pytest.mark.parametrize(
    ("stage", "op", "threshold", "expected"),
    [
        ("IV", "at_least", "IIIB", True), ("IIIA", "at_least", "IIIB", False),
        ("locally_advanced", "at_least", "IIIB", True), ("early", "at_least", "IIIB", False),
        ("I", "at_least", "IB", None), ("I", "at_most", "IB", True), ("early", "at_most", "IIA", None),
        ("metastatic", "at_most", "IIIC", False), ("unknown", "at_least", "0", None),
    ],
)
def test_stage_is_a_range(stage: str, op: str, threshold: str, expected: object) -> None:
    profile = profile_from_mapping({"stage": stage})
    assert evaluate(Compare("stage", op, threshold), profile) is expected


@pytest.mark.parametrize(
    ("therapies", "test", "expected"),
    [
        ("unknown", Includes(agent="tamoxifen"), None),
        ([], Includes(agent="tamoxifen"), False),
        (["Nolvadex"], Includes(agent="tamoxifen"), True),
        (["tamoxifen"], Includes(drug_class="endocrine_therapy"), True),
        (["tamoxifen"], Includes(drug_class="aromatase_inhibitor"), False),
        (["tamoxifen"], Includes(agent="tamoxifen", progressed=True), None),
        ([{"agent": "tamoxifen", "progressed": False}], Includes(agent="tamoxifen", progressed=True), False),
        ([{"agent": "tamoxifen", "progressed": False}, {"agent": "tamoxifen", "progressed": True}],
         Includes(agent="tamoxifen", progressed=True), True),
        ([{"agent": "letrozole", "setting": "adjuvant"}], Includes(drug_class="aromatase_inhibitor",
                                                                   setting="metastatic"), False),
        # `undetermined`: a match leaves the test unknown, never true; no match is still false
        (["T-DM1"], Includes(drug_class="anti_her2_adc", undetermined="check by hand"), None),
        (["trastuzumab"], Includes(drug_class="anti_her2_adc", undetermined="check by hand"), False),
        ("unknown", Includes(drug_class="anti_her2_adc", undetermined="check by hand"), None),
    ],
)
def test_includes(therapies: object, test: Includes, expected: object) -> None:
    profile = profile_from_mapping({"prior_therapies": therapies})
    assert evaluate(test, profile) is expected


def test_missing_fields_only_name_what_could_change_the_result() -> None:
    assert missing_fields(AllOf((T, U)), PROFILE) == {"pr_status"}
    assert missing_fields(AllOf((F, U)), PROFILE) == set()  # already false
    assert missing_fields(AnyOf((U, Compare("diabetes", "equals", True))), PROFILE) == {"pr_status", "diabetes"}


def test_an_undetermined_match_is_named_as_the_question_to_settle() -> None:
    question = "whether prior trastuzumab emtansine counts as prior trastuzumab (check by hand)"
    either = AnyOf((Includes(agent="trastuzumab"), Includes(drug_class="anti_her2_adc", undetermined=question)))
    only_adc = profile_from_mapping({"prior_therapies": ["T-DM1"]})
    assert evaluate(either, only_adc) is None
    assert missing_fields(either, only_adc) == {question}
    both = profile_from_mapping({"prior_therapies": ["T-DM1", "Herceptin"]})
    assert evaluate(either, both) is True and missing_fields(either, both) == set()
    assert evaluate(either, profile_from_mapping({"prior_therapies": ["paclitaxel"]})) is False


def test_reasons_name_the_deciding_facts() -> None:
    assert reasons(AllOf((T, Not(F))), PROFILE) == ["ER status is positive", "HER2 status is negative"]


def test_parse_round_trip() -> None:
    raw = {"all": [{"field": "er_status", "op": "equals", "value": "positive"},
                   {"not": {"field": "visceral_disease", "op": "equals", "value": True}},
                   {"field": "prior_therapies", "op": "includes", "class": "endocrine_therapy", "progressed": True},
                   {"field": "prior_therapies", "op": "includes", "class": "anti_her2_adc",
                    "undetermined": "whether it counts (check by hand)"},
                   {"any": [{"field": "stage", "op": "at_least", "value": "IIIB"},
                            {"field": "bmi", "op": "at_most", "value": 25.0}]}]}
    assert to_yaml(parse_condition(raw)) == raw


@pytest.mark.parametrize(
    ("raw", "location", "message"),
    [
        ({"field": "her2_stauts", "op": "equals", "value": "positive"}, "when.field", "not a profile field"),
        ({"field": "her2_status", "op": "at_least", "value": "positive"}, "when.op", "does not apply"),
        ({"field": "her2_status", "op": "equals", "value": "equivocal"}, "when.value", "not a value"),
        ({"field": "visceral_disease", "op": "equals", "value": "yes"}, "when.value", "not true or false"),
        ({"field": "stage", "op": "at_least", "value": "metastatic"}, "when.value", "not a stage threshold"),
        ({"field": "bmi", "op": "at_least", "value": "25"}, "when.value", "not a number"),
        ({"all": [{"field": "prior_therapies", "op": "includes", "agent": "Herceptin"}]}, "when.all[0].agent",
         "canonical name 'trastuzumab'"),
        ({"all": [{"field": "prior_therapies", "op": "includes", "agent": "herceptn"}]}, "when.all[0].agent",
         "did you mean"),
        ({"field": "prior_therapies", "op": "includes", "class": "serms"}, "when.class", "not a drug class"),
        ({"field": "prior_therapies", "op": "includes"}, "when", "exactly one of agent or class"),
        ({"field": "prior_therapies", "op": "includes", "agent": "trastuzumab", "undetermined": True},
         "when.undetermined", "the question a reader settles by hand"),
        ({"all": []}, "when.all", "non-empty list"),
        ({"all": [{}], "any": []}, "when", "must stand alone"),
        ({"field": "er_status", "op": "equals"}, "when", "needs a value"),
        ({"field": "er_status", "op": "is_known", "value": 1}, "when", "does not belong"),
        ("er_status == positive", "when", "must be a mapping"),
    ],
)
def test_parse_errors_say_where(raw: object, location: str, message: str) -> None:
    with pytest.raises(ConditionSyntaxError) as caught:
        parse_condition(raw)
    assert caught.value.location == location
    assert message in caught.value.message
