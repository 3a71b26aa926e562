"""The diff's properties: a version against itself is empty; a patient's diff is the difference of
her two evaluations, computed here independently from the two JSON reports; every change names a
record change that explains it; verify says identical for every example report."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings

import igfrules
from igfrules.evaluation.loading import load_knowledge_base
from igfrules.inputs.examples import list_examples
from igfrules.versions.verify import verify_report
from tests.conftest import CASES
from tests.strategies import cases

KEYS = {"rationale": ("rationales", "id"), "context": ("context", "id"), "trial": ("trials", "nct_id"),
        "needs_information": ("needs_information", "rule_id")}


@cache
def _kbs() -> tuple[Any, Any]:
    return load_knowledge_base("1.1.0"), load_knowledge_base()


def _expected(old: dict[str, Any], new: dict[str, Any]) -> set[tuple[str, str, str]]:
    """(part, id, how) for every difference of the two reports' JSON."""
    found = set()
    for part, (name, key) in KEYS.items():
        was = {item[key]: item for item in old[name]}
        now = {item[key]: item for item in new[name]}
        for ident in was.keys() | now.keys():
            if ident not in now:
                found.add((part, ident, "lost"))
            elif ident not in was:
                found.add((part, ident, "gained"))
            elif was[ident] != now[ident]:
                found.add((part, ident, "changed"))

    def carried(report: dict[str, Any]) -> dict[str, bool]:
        out: dict[str, bool] = {}
        for r in report["rationales"]:
            for c in r["cautions"]:
                out[c["id"]] = out.get(c["id"], False) or c["heightened"]
        return out

    was_c, now_c = carried(old), carried(new)
    for cid in was_c.keys() | now_c.keys():
        if cid not in now_c:
            found.add(("caution", cid, "lost"))
        elif cid not in was_c:
            found.add(("caution", cid, "gained"))
        elif was_c[cid] != now_c[cid]:
            found.add(("caution", cid, "changed"))
    if old["verdict"] != new["verdict"]:
        found.add(("verdict", "", "changed"))
    return found


def test_a_version_against_itself_is_empty() -> None:
    for version in ("1.1.0", "1.2.0"):
        result = igfrules.diff(version, version, [e.path for e in list_examples()])
        assert result.knowledge_base.empty and result.knowledge_base.changes == ()
        assert all(not p.changes for p in result.patients)


def test_1_1_0_to_1_2_0_is_not_empty() -> None:
    """Mutation: a diff that reports nothing would pass the property above."""
    assert len(igfrules.diff("1.1.0", "1.2.0").knowledge_base.changes) > 20


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=cases())
def test_a_patients_diff_is_the_difference_of_her_two_evaluations(case: dict[str, Any]) -> None:
    old_kb, new_kb = _kbs()
    old = json.loads(igfrules.evaluate(case, old_kb).to_json())
    new = json.loads(igfrules.evaluate(case, new_kb).to_json())
    result = igfrules.diff(old_kb, new_kb, case)
    got = {(c.part, c.id, c.how) for c in result.patients[0].changes}
    assert got == _expected(old, new)
    changed = set(result.knowledge_base.by_id)
    for change in result.patients[0].changes:
        assert change.caused_by, change
        assert set(change.caused_by) <= changed, change


def test_every_example_patients_change_names_a_record_change() -> None:
    result = igfrules.diff("1.1.0", "1.2.0", [e.path for e in list_examples()])
    changes = [c for p in result.patients for c in p.changes]
    assert changes  # 1.2.0 changed something for the examples
    assert all(c.caused_by and set(c.caused_by) <= set(result.knowledge_base.by_id) for c in changes)
    assert dict(result.patients_by_change)  # the cohort summary counts them


def test_verify_says_identical_for_every_example_report(tmp_path: Path) -> None:
    """The example case files and the example FHIR Bundles (whose report stamps their mapping)."""
    examples = [e.path for e in list_examples()] + sorted((CASES / "fhir").glob("*.json"))
    assert len(examples) > len(list_examples())
    for example in examples:
        path = tmp_path / f"{example.stem}.json"
        path.write_text(igfrules.evaluate(example).to_json())
        result = verify_report(path)
        assert result.identical, (example.name, result.differences[:3])


def test_verify_lists_a_difference_it_is_shown(tmp_path: Path) -> None:
    """Mutation: a verify that always says identical."""
    example = list_examples()[0]
    report = json.loads(igfrules.evaluate(example.path).to_json())
    report["verdict"] = "edited"
    path = tmp_path / "edited.json"
    path.write_text(json.dumps(report))
    result = verify_report(path)
    assert not result.identical and [d.where for d in result.differences] == ["verdict"]
