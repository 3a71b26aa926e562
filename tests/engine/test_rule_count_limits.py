"""durable_rules' limits are known and checked at load, naming the entry involved; the ruleset
layout keeps them from binding at realistic sizes (tested: 600 entries evaluate any profile).

Measured limits (durable_rules 2.0.28, docs/engine.md): 4,096 rules a ruleset (error 106 past it),
a 64-node matching stack (error 303), 512 children a node (create_ruleset hangs), 252 fact fields.
Knowledge bases are loaded in a subprocess bounded in time: a regression must fail, not hang.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import igfrules
from igfrules import KnowledgeBaseError
from igfrules.engine.durable_engine import Engine
from igfrules.engine.layout import MAX_RULES
from igfrules.model.conditions import AnyOf, Compare, Includes
from igfrules.model.validation import profile_from_mapping
from igfrules.model.vocabulary import vocabulary
from tests.conftest import RULES

BASE = "rat-xen-eve-exe.yaml"


def _kb_with_copies(tmp_path: Path, copies: int, when: str | None = None, base: str = BASE) -> Path:
    """The packaged knowledge base plus `copies` entries cloned from one rationale (new ids)."""
    target = tmp_path / "rules"
    shutil.copytree(RULES, target)
    text = (target / "rationales" / base).read_text()
    own_id = re.search(r"^id: (\S+)", text, flags=re.M)
    assert own_id is not None
    if when is not None:
        text = re.sub(r"^when:\n(  .*\n)+", when, text, count=1, flags=re.M)
    for i in range(copies):
        ident = f"{own_id[1]}-COPY{i:04d}"
        copy = text.replace(f"id: {own_id[1]}", f"id: {ident}", 1)
        (target / "rationales" / f"{ident.lower()}.yaml").write_text(copy)
    return target


SECOND_CASE = {"stage": "IV", "er_status": "positive", "her2_status": "negative", "menopausal_status": "postmenopausal",
               "visceral_disease": False, "bmi": 30}


def _load_and_evaluate(rules: Path, timeout: float = 240) -> subprocess.CompletedProcess[str]:
    script = ("import sys, igfrules\n"
              "kb = igfrules.load_knowledge_base(sys.argv[1])\n"
              f"for case in ({{'stage': 'IA'}}, {SECOND_CASE!r}):\n"
              "    print(len(igfrules.evaluate(case, kb).rationales))\n")
    return subprocess.run([sys.executable, "-c", script, str(rules)], capture_output=True, text=True,
                          check=False, timeout=timeout)


def test_six_hundred_entries_evaluate_stage_ia(tmp_path: Path) -> None:
    # RAT-RIDA-DALO is a typical entry (width 7; most shipped entries are 4-10): 600 such fit easily.
    kb = igfrules.load_knowledge_base(RULES)
    packaged = len(igfrules.evaluate(SECOND_CASE, kb).rationales)
    result = _load_and_evaluate(_kb_with_copies(tmp_path, 600, base="rat-rida-dalo.yaml"))
    assert result.returncode == 0, result.stderr
    assert int(result.stdout.split()[1]) == packaged + 600  # the 600 copies fire with their original


def test_six_hundred_copies_of_the_widest_entry_are_refused_at_load_naming_one(tmp_path: Path) -> None:
    # RAT-XEN-EVE-EXE (width 27, three prior-therapy branches) takes a whole group: 512 fit, not 600.
    result = _load_and_evaluate(_kb_with_copies(tmp_path, 600))
    assert result.returncode == 1
    assert "rat-xen-eve-exe-copy" in result.stderr and "512 groups" in result.stderr  # the file, the cause; no 303


def test_a_condition_durable_cannot_compile_is_refused_naming_its_file(tmp_path: Path) -> None:
    comparisons = "".join(f"    - {{field: bmi, op: at_least, value: {10 + i * 0.01:.2f}}}\n" for i in range(512))
    rules = _kb_with_copies(tmp_path, 1, when="when:\n  any:\n" + comparisons)
    result = _load_and_evaluate(rules, timeout=120)  # durable_rules itself would never return
    assert result.returncode == 1
    assert "rat-xen-eve-exe-copy0000.yaml" in result.stderr and "expands to more than 64 alternatives" in result.stderr


def test_too_many_rules_are_refused_naming_the_first_entry_that_does_not_fit(tmp_path: Path) -> None:
    comparisons = "".join(f"    - {{field: bmi, op: at_least, value: {10 + i * 0.5:.1f}}}\n" for i in range(60))
    rules = _kb_with_copies(tmp_path, 40, when="when:\n  any:\n" + comparisons)  # 60+ rules an entry
    result = _load_and_evaluate(rules, timeout=120)
    assert result.returncode == 1
    assert re.search(r"rat-xen-eve-exe-copy00\d\d\.yaml:\d+: when: the knowledge base compiles to [\d,]+ "
                     r"durable_rules rules; one ruleset holds at most 4,096", result.stderr), result.stderr


def test_the_rule_limit_is_exact() -> None:
    def conditions(n: int) -> dict[str, Compare]:
        return {f"entry:E{i:05d}": Compare("stage", "at_most", "IIIA") for i in range(n)}

    engine = Engine(conditions(MAX_RULES // 2))  # two rules a condition: exactly 4,096
    assert engine.rule_count == MAX_RULES
    assert set(engine.evaluate(profile_from_mapping({"stage": "IA"})).values()) == {True}
    with pytest.raises(KnowledgeBaseError, match="entry:E02048: the knowledge base compiles to 4,098"):
        Engine(conditions(MAX_RULES // 2 + 1))


def test_many_comparisons_true_at_once_never_overflow_the_matching_stack() -> None:
    # 250 conditions of 20 distinct comparisons, all true for bmi 89.9: 5,000 tests match together.
    conditions = {f"entry:W{i:03d}": AnyOf(tuple(Compare("bmi", "at_least", round(10 + (i * 20 + j) * 0.001, 3))
                                                  for j in range(20))) for i in range(250)}
    values = Engine(conditions).evaluate(profile_from_mapping({"bmi": 89.9}))
    assert set(values.values()) == {True}


def test_too_many_includes_tests_are_named_as_the_cause() -> None:
    agents = sorted(vocabulary().agents)
    tests = [Includes(agent=a, setting=s, progressed=p) for a in agents
             for s in ("adjuvant", "metastatic", "neoadjuvant", None) for p in (True, False, None)]
    with pytest.raises(KnowledgeBaseError, match=rf"\({len(tests)} distinct prior_therapies includes tests"):
        Engine({f"entry:I{i:03d}": t for i, t in enumerate(tests)})
