"""Prior-therapy matching (`includes`) checked against an oracle that shares no code with igfrules.

The durable engine decides list membership by calling the reference evaluator's own function
(engine/durable_engine.py, _includes_state), so the engine-agreement properties cannot see a bug
in it: both sides would be wrong together. The oracle here is written from docs/rule-format.md,
and reads the class tree straight from igfrules' data file with yaml.safe_load.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from hypothesis import given
from hypothesis import strategies as st

import igfrules
from igfrules.engine.durable_engine import Engine
from igfrules.engine.reference import evaluate
from igfrules.model.conditions import AllOf, Compare, Includes, Not
from igfrules.model.validation import profile_from_mapping

_DATA = yaml.safe_load((Path(igfrules.__file__).parent / "data" / "agents.yaml").read_text(encoding="utf-8"))
CLASS_OF = {name: spec["class"] for name, spec in _DATA["agents"].items()}
PARENT = {cid: spec.get("parent") for cid, spec in _DATA["classes"].items()}
AGENTS, CLASSES = sorted(CLASS_OF), sorted(PARENT)
SETTINGS = ["neoadjuvant", "adjuvant", "metastatic"]


def _is_within(cls: str, wanted: str) -> bool:
    """A class matches every class below it: walk up from the item's class."""
    while cls is not None:
        if cls == wanted:
            return True
        cls = PARENT[cls]
    return False


def oracle(leaf: dict[str, Any], therapies: list[dict[str, Any]] | str) -> bool | None:
    """True, False or None (unknown), from the documented rule, item by item."""
    if therapies == "unknown":
        return None
    answers = []
    for item in therapies:
        if "agent" in leaf and item["agent"] != leaf["agent"]:
            answers.append(False)
            continue
        if "class" in leaf and not _is_within(CLASS_OF[item["agent"]], leaf["class"]):
            answers.append(False)
            continue
        answer: bool | None = True
        for attribute in ("setting", "progressed"):
            if attribute not in leaf:
                continue
            actual = item.get(attribute, "unknown")  # left out: unknown
            if actual == "unknown":
                answer = None if answer is not False else False
            elif actual != leaf[attribute]:
                answer = False
        if answer is not False and leaf.get("undetermined"):
            answer = None  # a match leaves the question to a reader
        answers.append(answer)
    if True in answers:
        return True
    return None if None in answers else False


def _includes(leaf: dict[str, Any]) -> Includes:
    return Includes(agent=leaf.get("agent"), drug_class=leaf.get("class"), setting=leaf.get("setting"),
                    progressed=leaf.get("progressed"), undetermined=leaf.get("undetermined"))


# Aimed at the items a leaf asks about: agents of one family, so that class and agent matches,
# and the setting and progression checks behind them, are reached often.
FAMILY = ["tamoxifen", "fulvestrant", "letrozole", "exemestane", "trastuzumab", "everolimus"]
_agents = st.sampled_from([a for a in FAMILY if a in CLASS_OF] + AGENTS[:3])
items = st.fixed_dictionaries({"agent": _agents}, optional={
    "setting": st.sampled_from([*SETTINGS, "unknown"]), "progressed": st.sampled_from([True, False, "unknown"])})
leaves = st.fixed_dictionaries(
    {},
    optional={"setting": st.sampled_from(SETTINGS), "progressed": st.booleans(),
              "undetermined": st.just("check by hand")},
).flatmap(lambda extra: st.one_of(
    _agents.map(lambda a: {"agent": a, **extra}),
    st.sampled_from(CLASSES).map(lambda c: {"class": c, **extra}),
    st.sampled_from(["endocrine_therapy", "aromatase_inhibitor", "anti_her2_therapy", "serm"])
      .filter(lambda c: c in PARENT).map(lambda c: {"class": c, **extra}),
))
therapy_lists = st.one_of(st.just("unknown"), st.lists(items, max_size=4))


@given(st.lists(leaves, min_size=1, max_size=4), st.lists(therapy_lists, min_size=1, max_size=5))
def test_the_reference_and_the_durable_engine_match_prior_therapies_as_documented(
        tests: list[dict[str, Any]], histories: list[list[dict[str, Any]] | str]) -> None:
    """Mutations in engine/reference.py's includes_truth or _item_matches (a setting or progression
    check inverted, an unknown read as a match, `undetermined` ignored, a class matching only
    itself) made both evaluators wrong together and passed every other property."""
    conditions = {}
    for i, leaf in enumerate(tests):
        conditions[f"t{i}"] = _includes(leaf)
        conditions[f"n{i}"] = Not(_includes(leaf))  # durable builds on the answer: so must negation
        conditions[f"a{i}"] = AllOf((_includes(leaf), Compare("er_status", "equals", "positive")))
    engine = Engine(conditions)
    for history in histories:
        profile = profile_from_mapping({"prior_therapies": history, "er_status": "positive"})
        by_engine = engine.evaluate(profile)
        for i, leaf in enumerate(tests):
            expected = oracle(leaf, history)
            negated = None if expected is None else not expected
            assert evaluate(conditions[f"t{i}"], profile) is expected, (leaf, history)
            assert (by_engine[f"t{i}"], by_engine[f"n{i}"], by_engine[f"a{i}"]) == (expected, negated, expected), (
                leaf, history)


def test_hand_written_table() -> None:
    """The oracle itself, on cases worked out by hand."""
    tamoxifen_progressed = [{"agent": "tamoxifen", "setting": "metastatic", "progressed": True}]
    assert oracle({"class": "endocrine_therapy"}, tamoxifen_progressed) is True
    assert oracle({"class": "aromatase_inhibitor"}, tamoxifen_progressed) is False
    assert oracle({"agent": "tamoxifen", "progressed": False}, tamoxifen_progressed) is False
    assert oracle({"agent": "tamoxifen", "setting": "adjuvant"}, [{"agent": "tamoxifen"}]) is None
    assert oracle({"agent": "tamoxifen", "undetermined": "?"}, tamoxifen_progressed) is None
    assert oracle({"agent": "tamoxifen", "undetermined": "?"}, [{"agent": "letrozole"}]) is False
    assert oracle({"agent": "tamoxifen"}, "unknown") is None
    assert oracle({"agent": "tamoxifen"}, []) is False
    assert oracle({"agent": "tamoxifen", "setting": "adjuvant"},
                  [{"agent": "tamoxifen"}, {"agent": "tamoxifen", "setting": "adjuvant"}]) is True
