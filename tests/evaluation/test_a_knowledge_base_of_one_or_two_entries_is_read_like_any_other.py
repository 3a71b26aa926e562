"""A knowledge base of one or two entries and trials gives, for each of them, what the shipped
knowledge base gives: an entry's truth never depends on how many entries stand beside it.

evaluate() reads every entry's truth, and every trial's, from the engine in one call whose shape
depends on how many there are (`_values_of`: one name, several, none). The shipped knowledge base
has 23 entries and 13 trials, so every other test reads the "several" path; a team that trims
the knowledge base to the one or two entries its board discusses reads the others. Mutations
this kills, in evaluation/evaluate.py's `_values_of`: `len(names) > 1` turned into `>= 1`, `> 0`
or `> 2`; `if names` negated; `names[0]` turned into `names[1]`. Each made a base of one or two
entries or trials fail every case, or read one entry's truth as another's.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

import igfrules
from tests.conftest import CASES, RULES

FULL = igfrules.load_knowledge_base(RULES)
CASE_FILES = sorted(p for p in CASES.iterdir() if p.suffix in (".yaml", ".json"))


def _trimmed(folder: Path, rationales: list[str], trials: list[str]) -> igfrules.KnowledgeBase:
    """The shipped knowledge base with only these rationales and trials, no context notes, and
    coverage.yaml naming only what is left (the loader refuses a reference to a removed entry)."""
    shutil.copytree(RULES, folder)
    for path in (folder / "rationales").glob("*.yaml"):
        if yaml.safe_load(path.read_text(encoding="utf-8"))["id"] not in rationales:
            path.unlink()
    for path in (folder / "context").glob("*.yaml"):
        path.unlink()
    registry = yaml.safe_load((folder / "trials.yaml").read_text(encoding="utf-8"))
    (folder / "trials.yaml").write_text(yaml.safe_dump([t for t in registry if t["nct_id"] in trials],
                                                       sort_keys=False), encoding="utf-8")
    kept = set(rationales) | set(trials)
    coverage = yaml.safe_load((folder / "coverage.yaml").read_text(encoding="utf-8"))
    for section in coverage:
        for statement in section["statements"]:
            if "encoded_by" in statement:
                left = [e for e in statement.pop("encoded_by") if e in kept or e.startswith("CAU")]
                if left:
                    statement["encoded_by"] = left
                else:
                    statement["not_encoded"] = "left out of this test's knowledge base"
    (folder / "coverage.yaml").write_text(yaml.safe_dump(coverage, sort_keys=False), encoding="utf-8")
    return igfrules.load_knowledge_base(folder)


# Chosen so that each is true for some example case and false for another.
@pytest.mark.parametrize(("rationales", "trials"), [
    (["RAT-AXL1717"], ["NCT01062620"]),
    (["RAT-AXL1717", "RAT-IGF1R-TKI"], ["NCT01062620", "NCT00730379"]),
    (["RAT-IR-TAMR", "RAT-AXL1717"], ["NCT01062620"]),
    (["RAT-IGF1R-TKI"], []),
], ids=["one-and-one", "two-and-two", "two-and-one", "one-and-none"])
def test_each_entry_and_trial_is_what_the_shipped_knowledge_base_says(
        tmp_path: Path, rationales: list[str], trials: list[str]) -> None:
    small = _trimmed(tmp_path / "rules", rationales, trials)
    assert sorted(small.entries) == sorted(rationales) and sorted(small.trials) == sorted(trials)
    seen: set[tuple[str, bool]] = set()
    kept = set(rationales) | set(trials)
    for case in CASE_FILES:
        full, trimmed = igfrules.evaluate(case, FULL), igfrules.evaluate(case, small)
        assert list(trimmed.rationales) == [r for r in full.rationales if r.id in rationales], case.name
        assert list(trimmed.trials) == [t for t in full.trials if t.nct_id in trials], case.name
        assert [(n.kind, n.rule_id) for n in trimmed.needs_information] == [
            (n.kind, n.rule_id) for n in full.needs_information if n.rule_id in kept], case.name
        seen |= {(r, r in {x.id for x in full.rationales}) for r in rationales}
        seen |= {(t, t in {x.nct_id for x in full.trials}) for t in trials}
    # the cases reach each entry and trial both ways, so a truth read as another's is seen
    assert seen == {(i, v) for i in [*rationales, *trials] for v in (True, False)}
