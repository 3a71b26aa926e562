"""A batch never loses a case in silence: every input named like a case gets a line, a case whose
evaluation raises an unexpected exception gets an error record and is counted as failed, and the
record that ends a stopped stream is an error record like every other (research only)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from igfrules.cohort import batch
from igfrules.cohort.batch import evaluate_chunk, read_items, run_batch
from igfrules.cohort.output import BatchOutput, BatchStopped
from igfrules.knowledge.loader import KnowledgeBase

GOOD = {"case_id": "good", "er_status": "positive", "her2_status": "negative", "stage": "IV"}


def _rows(tmp_path: Path, *case_ids: str) -> Path:
    path = tmp_path / "cohort.jsonl"
    path.write_text("".join(json.dumps({**GOOD, "case_id": c}) + "\n" for c in case_ids), encoding="utf-8")
    return path


def _evaluate_raising_for(monkeypatch: pytest.MonkeyPatch, case_id: str) -> None:
    real = batch.evaluate

    def evaluate(profile: Any, kb: KnowledgeBase) -> Any:
        if getattr(profile, "case_id", None) == case_id:
            raise RuntimeError("a bug in one case")
        return real(profile, kb)

    monkeypatch.setattr(batch, "evaluate", evaluate)


def test_a_case_that_raises_an_unexpected_exception_keeps_its_line_and_is_counted(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kb: KnowledgeBase) -> None:
    """Mutation: evaluate_chunk's `except Exception` branch neither appends an error line nor calls
    tally.add_failure() (the case vanishes from the output and the summary)."""
    _evaluate_raising_for(monkeypatch, "second")
    items = list(read_items([str(_rows(tmp_path, "first", "second", "third"))]))
    block, tally = evaluate_chunk(items, kb)
    lines = [json.loads(line) for line in block.decode().splitlines()]
    assert [line["case_id"] for line in lines] == ["first", "second", "third"]
    error = lines[1]["error"]
    assert lines[1]["position"] == 2 and lines[1]["research_only"] is True
    assert error["type"] == "EvaluationError" and "RuntimeError: a bug in one case" in error["message"]
    assert "rationales" in lines[0] and "rationales" in lines[2]
    assert (tally.cases, tally.failed) == (3, 1)


def test_a_run_counts_the_case_that_raised_among_the_failed(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kb: KnowledgeBase) -> None:
    """Mutation: as above, seen through run_batch's tally (what the summary and the exit code use)."""
    _evaluate_raising_for(monkeypatch, "b")
    tally = run_batch(read_items([str(_rows(tmp_path, "a", "b"))]), None, workers=1, kb=kb)
    assert (tally.cases, tally.failed) == (2, 1)


@pytest.mark.parametrize("suffix", [".yaml", ".yml", ".json", ".YML"])
def test_every_case_file_suffix_in_a_folder_is_read(tmp_path: Path, suffix: str) -> None:
    """Mutation: ".yml" (or any one suffix) dropped from CASE_SUFFIXES; a folder of .yml files
    then gave exit 0 and "0 failed" without reading them."""
    folder = tmp_path / "cohort"
    folder.mkdir()
    (folder / f"case{suffix}").write_text(json.dumps(GOOD), encoding="utf-8")  # JSON is YAML too
    (folder / "notes.txt").write_text("not a case")
    items = list(read_items([str(folder)]))
    assert [(i.position, Path(i.source).name) for i in items] == [(1, f"case{suffix}")]


def test_a_bad_yml_case_in_a_folder_is_an_error_record(tmp_path: Path, kb: KnowledgeBase) -> None:
    """Mutation: as above; the bad .yml file must fail the batch, not disappear."""
    folder = tmp_path / "cohort"
    folder.mkdir()
    (folder / "a.yaml").write_text("er_status: positive\n", encoding="utf-8")
    (folder / "b.yml").write_text("her2_status: equivocal\n", encoding="utf-8")
    block, tally = evaluate_chunk(list(read_items([str(folder)])), kb)
    lines = [json.loads(line) for line in block.decode().splitlines()]
    assert (tally.cases, tally.failed) == (2, 1)
    assert lines[1]["source"] == str(folder / "b.yml") and lines[1]["error"]["type"] == "CaseError"


def test_the_record_that_ends_a_stopped_stream_is_research_only_like_every_error_record(
        tmp_path: Path, kb: KnowledgeBase) -> None:
    """Mutation: "research_only" left out of BatchOutput.write_trailer's record."""
    items = list(read_items([str(_rows(tmp_path, "x"))]))
    path = tmp_path / "bad.jsonl"
    path.write_text("{not json\n")
    block, _ = evaluate_chunk(list(read_items([str(path)])), kb)
    ordinary = json.loads(block.decode().splitlines()[0])
    out_path = tmp_path / "out.jsonl"
    fd = os.open(out_path, os.O_WRONLY | os.O_CREAT)
    try:
        out = BatchOutput(fd, "<stdout>")
        block, _ = evaluate_chunk(items, kb)
        out.write(block, 1)
        out.write_trailer(out.stopped("interrupted", interrupted=True))
    finally:
        os.close(fd)
    first, trailer = (json.loads(line) for line in out_path.read_text(encoding="utf-8").splitlines())
    assert first["case_id"] == "x"
    assert list(trailer) == list(ordinary)  # the same keys, in the same order, as any error record
    assert trailer["research_only"] is True
    assert trailer["position"] == 2 and trailer["source"] == "<batch>" and trailer["case_id"] is None
    assert trailer["error"]["type"] == BatchStopped.__name__
    assert "interrupted; the batch stopped after 1 complete line (cases 1-1)" in trailer["error"]["message"]
