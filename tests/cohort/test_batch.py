"""Batch evaluation: input order, error records, exit codes, summaries, workers, streaming input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import igfrules
from igfrules.cohort.batch import evaluate_chunk, read_items
from igfrules.rendering.labels import field_label
from tests.conftest import CASES, RULES

GOOD = {"case_id": "good", "er_status": "positive", "her2_status": "negative", "stage": "IV"}
BAD = {"case_id": "bad", "her2_status": "equivocal"}


def _cohort(tmp_path: Path, rows: list[str]) -> Path:
    path = tmp_path / "cohort.jsonl"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def _batch(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "igfrules", "batch", *args, "--rules", str(RULES)],
                          input=stdin, capture_output=True, text=True, check=False)


@pytest.mark.parametrize("workers", ["1", "2"])
def test_one_line_per_case_in_input_order_and_bad_cases_do_not_stop_others(tmp_path: Path, workers: str) -> None:
    rows = [json.dumps(GOOD), json.dumps(BAD), "{not json", json.dumps({**GOOD, "case_id": "good-2"})]
    cohort = _cohort(tmp_path, rows)
    out = tmp_path / "results.jsonl"
    result = _batch(str(cohort), "--out", str(out), "--workers", workers)
    assert result.returncode == 1
    assert "4 cases: 2 evaluated, 2 failed" in result.stderr
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert [line.get("case_id") for line in lines] == ["good", "bad", None, "good-2"]
    assert lines[0]["research_only"] is True and "rationales" in lines[0]
    assert lines[1]["position"] == 2
    assert lines[1]["error"]["message"] == (
        f"{cohort}:2: her2_status: 'equivocal' is not one of positive, negative, unknown")
    assert lines[2]["error"]["message"].startswith(f"{cohort}:3: invalid JSON")


def test_reports_equal_single_evaluation(tmp_path: Path) -> None:
    cohort = _cohort(tmp_path, [json.dumps(GOOD)])
    result = _batch(str(cohort), "--workers", "1", "--detail", "full")
    assert result.returncode == 0
    kb = igfrules.load_knowledge_base(RULES)
    assert json.loads(result.stdout) == igfrules.evaluate(GOOD, kb).model_dump(mode="json")


def test_a_folder_of_case_files_gives_the_same_errors_as_evaluate() -> None:
    result = _batch(str(CASES), "--workers", "2")
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(lines) == len([p for p in CASES.iterdir() if p.suffix in (".yaml", ".json")])


def test_standard_input(tmp_path: Path) -> None:
    result = _batch("-", "--workers", "1", stdin=json.dumps(GOOD) + "\n" + json.dumps(BAD) + "\n")
    assert result.returncode == 1
    first, second = (json.loads(line) for line in result.stdout.splitlines())
    assert first["case_id"] == "good" and second["source"] == "<stdin>:2"


def test_summary_counts_rationales_trials_and_missing_fields(tmp_path: Path) -> None:
    cohort = _cohort(tmp_path, [json.dumps(GOOD)] * 3 + [json.dumps(BAD)])
    result = _batch(str(cohort), "--summary", "--summary-format", "json", "--workers", "2")
    summary = json.loads(result.stdout)
    assert (summary["cases"], summary["evaluated"], summary["failed"]) == (4, 3, 1)
    assert summary["research_only"] is True
    single = igfrules.evaluate(GOOD, igfrules.load_knowledge_base(RULES))
    assert {r["id"]: r["patients"] for r in summary["rationales"]} == {r.id: 3 for r in single.rationales}
    assert {r["id"]: r["patients"] for r in summary["trials"]} == {t.nct_id: 3 for t in single.trials}
    missing = {f for n in single.needs_information for f in n.missing}
    assert {r["field"]: r["patients"] for r in summary["missing_fields"]} == dict.fromkeys(missing, 3)
    assert {r["field"]: r["label"] for r in summary["missing_fields"]} == {f: field_label(f) for f in missing}


def test_summary_text_is_research_only_and_names_fields_for_people(tmp_path: Path) -> None:
    result = _batch(str(_cohort(tmp_path, [json.dumps(GOOD)])), "--summary", "--workers", "1")
    assert result.stdout.startswith("RESEARCH USE ONLY")
    missing = result.stdout.split("Fields that would change a result (patients lacking them):\n")[1].splitlines()
    single = igfrules.evaluate(GOOD, igfrules.load_knowledge_base(RULES))
    fields = sorted({f for n in single.needs_information for f in n.missing})
    assert fields and sorted(line.split()[-1] for line in missing if line.strip()) == fields
    assert all(field_label(line.split()[-1]) in line for line in missing if line.strip())


def test_unreadable_and_oversized_lines_are_error_records(tmp_path: Path) -> None:
    path = tmp_path / "cohort.jsonl"
    path.write_bytes(json.dumps(GOOD).encode() + b"\n\xff\xfe\n")
    items = list(read_items([str(path)]))
    block, tally = evaluate_chunk(items, igfrules.load_knowledge_base(RULES))
    lines = block.decode().splitlines()
    assert tally.failed == 1 and "not UTF-8" in json.loads(lines[1])["error"]["message"]
    path.write_bytes(b'{"case_id": "' + b"x" * 2_000_000 + b'"}\n' + json.dumps(GOOD).encode() + b"\n")
    block, tally = evaluate_chunk(list(read_items([str(path)])), igfrules.load_knowledge_base(RULES))
    first, second = (json.loads(line) for line in block.decode().splitlines())
    assert "over 1,048,576 bytes" in first["error"]["message"] and second["case_id"] == "good"


def test_missing_input_is_an_error_record_not_a_crash(tmp_path: Path) -> None:
    result = _batch(str(tmp_path / "absent.yaml"), "--workers", "1")
    assert result.returncode == 1
    assert "No such file" in json.loads(result.stdout)["error"]["message"]


def test_many_chunks_keep_input_order_across_workers(tmp_path: Path) -> None:
    rows = [json.dumps({**GOOD, "case_id": f"case-{i}"}) if i % 7 else json.dumps({**BAD, "case_id": f"case-{i}"})
            for i in range(2000)]
    out = tmp_path / "results.jsonl"
    result = _batch(str(_cohort(tmp_path, rows)), "--out", str(out), "--workers", "2")
    assert result.returncode == 1
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert [line["case_id"] for line in lines] == [f"case-{i}" for i in range(2000)]
    assert sum("error" in line for line in lines) == len(range(0, 2000, 7))


def test_input_is_read_lazily() -> None:
    def endless():  # type: ignore[no-untyped-def]
        while True:
            yield b'{"er_status": "positive"}\n'

    items = read_items(["-"], stdin=endless())  # type: ignore[arg-type]
    assert next(items).position == 1 and next(items).position == 2
