"""One regression test per problem the independent code review found (see the commit history)."""

from __future__ import annotations

import gc
import json
import random
import subprocess
import sys
import weakref
from pathlib import Path
from typing import Any

import pytest

import igfrules
from igfrules import CaseError, InputError, KnowledgeBaseError
from igfrules.engine.durable_engine import Engine
from igfrules.engine.reference import missing_fields, reasons
from igfrules.evaluation.cases import case_from_bytes
from igfrules.model.conditions import AllOf, Compare, Includes, Not
from igfrules.model.validation import profile_from_mapping
from tests.conftest import RULES

KB = igfrules.load_knowledge_base(RULES)


def _batch(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "igfrules", "batch", *args, "--rules", str(RULES)],
                          capture_output=True, text=True, check=False)


@pytest.mark.parametrize("workers", ["1", "2"])
def test_one_bad_record_never_stops_a_batch(tmp_path: Path, workers: str) -> None:
    good = json.dumps({"er_status": "positive"})
    rows = [good] * 300 + ['{"case_id": "\\ud800"}', '{"bmi": ' + "1" * 5000 + "}", '{"bmi": NaN}'] + [good] * 300
    cohort = tmp_path / "c.jsonl"
    cohort.write_text("\n".join(rows) + "\n")
    out = tmp_path / "out.jsonl"
    result = _batch(str(cohort), "--out", str(out), "--workers", workers)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(lines) == 603
    assert [line["error"]["type"] for line in lines[300:303]] == ["CaseError"] * 3


@pytest.mark.parametrize(
    ("data", "suffix", "message"),
    [
        (b'{"her2_status": "negative", "her2_status": "positive"}', ".json", "given twice"),
        (b'{"bmi": NaN}', ".json", "NaN is not a JSON value"),
        (b'{"bmi": Infinity}', ".json", "Infinity is not a JSON value"),
        (b"bmi: " + b"1" * 5000, "", "too long"),
        (b"? !!set {a}\n: 1", "", "a key must be plain text"),
        (b'{"case_id": "\\ud800"}', ".json", "not valid Unicode"),
        (b"case_id: \"a\\tb\"", "", "control characters"),
        (b"er_status: yes", "", "YAML reads yes/no"),
    ],
)
def test_strict_input(data: bytes, suffix: str, message: str) -> None:
    with pytest.raises(CaseError, match=message):
        case_from_bytes(data, suffix=suffix)


@pytest.mark.parametrize(("written", "kept"), [("0012", "0012"), ("12:30", "12:30"), ("0x1F", "0x1F"),
                                               ("1_000", "1_000"), ("2021-01-01", "2021-01-01")])
def test_case_id_is_kept_as_written(written: str, kept: str) -> None:
    assert case_from_bytes(f"case_id: {written}".encode()).case_id == kept


def test_case_parsing_details() -> None:
    profile = profile_from_mapping({"stage": "locally-advanced",
                                    "prior_therapies": [{"agent": "tamoxifen", "setting": None}]})
    assert profile.stage == "locally_advanced"
    assert profile.prior_therapies[0].setting == "unknown"  # type: ignore[index]
    assert profile_from_mapping({"stage": "II"}).stage == "II"
    assert case_from_bytes(b'\xef\xbb\xbf{"er_status": "positive"}', suffix=".json").er_status == "positive"


def test_an_unknown_flag_from_anywhere_is_unknown() -> None:
    profile = profile_from_mapping({"er_status": "positive"})
    copied = profile.model_copy(update={"visceral_disease": json.loads('"unknown"')})
    assert KB.engine.evaluate(copied) == KB.engine.evaluate(profile)


class _CountingDurable:
    """durable_rules' C module, with the rulesets it created and freed (and sessions freed) noted."""

    def __init__(self, real: Any) -> None:
        self.real, self.created, self.deleted, self.states_deleted = real, [], [], []
        self.acted: set[Any] = set()  # rulesets whose session started an action

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real, name)

    def create_ruleset(self, name: str, definition: str) -> Any:
        handle = self.real.create_ruleset(name, definition)
        self.created.append(handle)
        return handle

    def start_action_for_state(self, handle: Any, state: Any) -> Any:
        started = self.real.start_action_for_state(handle, state)
        if started:
            self.acted.add(handle)
        return started

    def delete_ruleset(self, handle: Any) -> None:
        self.deleted.append(handle)
        self.real.delete_ruleset(handle)

    def delete_state(self, handle: Any, session: str) -> None:
        self.states_deleted.append(handle)
        self.real.delete_state(handle, session)


def test_engines_are_freed(monkeypatch: pytest.MonkeyPatch) -> None:
    """Creating and dropping engines, used or not, frees each ruleset once, and the session of
    exactly those whose session started an action (delete_state on a fresh session would free an
    uninitialised pointer: docs/engine.md). Mutations: the finaliser not registered, or
    delete_state called for an engine whose session never acted, or never called."""
    from igfrules.engine import durable_engine

    gc.collect()  # engines an earlier test left to the collector are freed now, not counted below
    counting = _CountingDurable(durable_engine._dre)
    monkeypatch.setattr(durable_engine, "_dre", counting)
    rnd = random.Random(3)
    conditions = {"a": Compare("er_status", "equals", "positive"), "b": Compare("bmi", "at_least", 25.0)}
    cases = [{}, {"er_status": "negative", "bmi": 20}, {"er_status": "positive"}]
    used, alive = [], []
    for _ in range(300):
        engine = Engine(conditions)
        evaluations = rnd.randint(0, 2)
        for _ in range(evaluations):
            assert engine.evaluate(profile_from_mapping(rnd.choice(cases))).keys() == {"a", "b"}
        if evaluations:
            used.append(engine._handle)
        alive.append(weakref.ref(engine))
        del engine
    gc.collect()
    assert all(ref() is None for ref in alive)  # nothing keeps an engine alive
    assert len(counting.created) == 300 and 0 < len(counting.acted) <= len(used) < 300
    assert counting.acted <= set(used)
    assert sorted(counting.deleted) == sorted(counting.created)  # every ruleset freed, once
    assert sorted(counting.states_deleted) == sorted(counting.acted)  # each session freed where it started


def test_missing_names_presence_tests_and_therapy_details() -> None:
    condition = AllOf((Compare("bmi", "is_unknown"), Compare("er_status", "equals", "positive")))
    assert missing_fields(condition, profile_from_mapping({})) == {"bmi", "er_status"}
    needs_progression = Includes(agent="trastuzumab", progressed=True)
    assert missing_fields(needs_progression, profile_from_mapping({"prior_therapies": ["trastuzumab"]})) == {
        "prior_therapies.progressed"}


def test_because_under_not_states_the_fact() -> None:
    condition = Not(Compare("bmi", "at_least", 25.0))
    assert reasons(condition, profile_from_mapping({"bmi": 20})) == ["BMI is 20 (not at least 25)"]


def test_batch_refuses_to_overwrite_its_input(tmp_path: Path) -> None:
    cohort = tmp_path / "c.jsonl"
    cohort.write_text('{"er_status": "positive"}\n')
    result = _batch(str(cohort), "--out", str(cohort), "--workers", "1")
    assert result.returncode == 1 and "would overwrite or join the input" in result.stderr
    assert cohort.read_text() == '{"er_status": "positive"}\n'
    result = _batch(str(tmp_path), "--out", str(tmp_path / "r.json"), "--workers", "1")
    assert result.returncode == 1 and not (tmp_path / "r.json").exists()


def test_batch_reports_io_errors_without_a_traceback(tmp_path: Path) -> None:
    cohort = tmp_path / "c.jsonl"
    cohort.write_text('{"er_status": "positive"}\n')
    result = _batch(str(cohort), "--out", str(tmp_path / "no" / "such" / "o.jsonl"))
    assert result.returncode == 1 and result.stderr.startswith("Error: ") and "Traceback" not in result.stderr


def test_an_empty_folder_is_an_error(tmp_path: Path) -> None:
    result = _batch(str(tmp_path), "--workers", "1")
    assert result.returncode == 1 and "no case files" in result.stderr


def _broken_kb(tmp_path: Path, edit: str, old: str, new: str) -> Path:
    import shutil

    target = tmp_path / "rules"
    shutil.copytree(RULES, target)
    path = target / edit
    path.write_text(path.read_text().replace(old, new, 1))
    return target


@pytest.mark.parametrize(
    ("edit", "old", "new", "message"),
    [
        ("rationales/rat-xen-eve-exe.yaml", "field: her2_status", "field: [her2_status]", "not a profile field"),
        ("context/ctx-her2-overweight-igf1.yaml", "{field: serum_igf1, op: equals, value: high}",
         "{field: bmi, op: at_least, value: .inf}", "outside"),
        ("rationales/rat-dox-then-igf1r.yaml", "agent: doxorubicin", "agent: [doxorubicin]", "not a name"),
    ],
)
def test_malformed_conditions_are_knowledge_base_errors(tmp_path: Path, edit: str, old: str, new: str,
                                                        message: str) -> None:
    with pytest.raises(KnowledgeBaseError, match=message):
        igfrules.load_knowledge_base(_broken_kb(tmp_path, edit, old, new))


def test_stray_files_in_entry_folders_are_reported(tmp_path: Path) -> None:
    import shutil

    target = tmp_path / "rules"
    shutil.copytree(RULES, target)
    (target / "rationales" / "extra.yml").write_text("id: RAT-X\n")
    with pytest.raises(KnowledgeBaseError, match="not an entry file"):
        igfrules.load_knowledge_base(target)


def test_check_survives_an_invalid_example(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from igfrules.cli import main

    target = _broken_kb(tmp_path, "rationales/rat-xen-eve-exe.yaml", "  fires:\n", "  fires:\n    her2_stauts: x\n")
    result = CliRunner().invoke(main, ["check", "--rules", str(target)])
    assert result.exit_code == 1
    assert "problem(s) found" in result.stderr and "did you mean her2_status?" in result.stderr


def test_renderers_are_one_registry() -> None:
    assert set(igfrules.RENDERERS) == {"text", "markdown", "json", "html"}


def test_input_error_is_the_root_for_batch_input_problems() -> None:
    assert issubclass(CaseError, InputError)
