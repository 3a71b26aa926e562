"""Batch lines by reference (the default): every per-case fact, resolvable into the full report."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from hypothesis import given

import igfrules
from igfrules.evaluation.catalog import catalog
from igfrules.model.synthetic import synthetic_cases
from igfrules.rendering import reference_line
from igfrules.rendering.reference_line import LINE_FORMAT, reference_line_bytes, resolve_line
from igfrules.rendering.schema import line_schema
from tests.conftest import CASES, ROOT, RULES
from tests.strategies import cases

KB = igfrules.load_knowledge_base(RULES)
CATALOG = catalog(KB).to_json()
VALIDATOR = jsonschema.Draft202012Validator(line_schema())
CASE_FILES = sorted(p for p in CASES.iterdir() if p.suffix in (".yaml", ".json"))


def _igfrules(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "igfrules", *args, "--rules", str(RULES)],
                          capture_output=True, text=True, check=False)


def test_the_schema_is_a_valid_json_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(line_schema())


def _profile_bytes(report: igfrules.Report) -> bytes:
    """The profile as the line writer first wrote it (the standard library's encoder)."""
    return json.dumps(report.profile, ensure_ascii=False, separators=(",", ":")).encode()


@given(cases())
def test_the_profile_in_a_line_is_written_byte_for_byte_as_before(case: dict[str, Any]) -> None:
    report = igfrules.evaluate(case, KB)
    assert b',"profile":' + _profile_bytes(report) + b',"rationales":' in reference_line_bytes(report)


def test_the_profiles_of_a_cohort_and_the_examples_are_written_as_before() -> None:
    reports = [igfrules.evaluate(c, KB) for c in synthetic_cases(500, seed=3)]
    reports += [igfrules.evaluate(path, KB) for path in CASE_FILES]
    for report in reports:
        assert b',"profile":' + _profile_bytes(report) + b',"rationales":' in reference_line_bytes(report)


def _plain(line: bytes) -> bytes:
    """The compact JSON of the line's own content, as the standard library writes it."""
    return json.dumps(json.loads(line), ensure_ascii=False, separators=(",", ":")).encode()


@given(cases())
def test_a_line_is_exactly_the_compact_json_of_its_content(case: dict[str, Any]) -> None:
    line = reference_line_bytes(igfrules.evaluate(case, KB))
    assert line == _plain(line)


def test_lines_stay_the_same_when_the_fragment_cache_is_emptied_mid_cohort(monkeypatch: pytest.MonkeyPatch) -> None:
    reports = [igfrules.evaluate(c, KB) for c in synthetic_cases(300, seed=5)]
    before = [reference_line_bytes(r) for r in reports]
    monkeypatch.setattr(reference_line, "_LIMIT", 7)  # emptied every few fragments
    assert [reference_line_bytes(r) for r in reports] == before
    assert all(line == _plain(line) for line in before)


@given(cases())
def test_a_line_resolves_into_exactly_the_full_report(case: dict[str, Any]) -> None:
    report = igfrules.evaluate(case, KB)
    line = json.loads(reference_line_bytes(report))
    VALIDATOR.validate(line)
    assert resolve_line(line, CATALOG) == report.model_dump(mode="json")


def test_batch_writes_lines_by_reference_that_resolve_against_rules_json(tmp_path: Path) -> None:
    out = tmp_path / "results.jsonl"
    result = _igfrules("batch", str(CASES), "--out", str(out), "--workers", "2")
    assert result.returncode == 0, result.stderr
    listing = _igfrules("rules", "--format", "json")
    assert listing.returncode == 0, listing.stderr
    catalog_json = json.loads(listing.stdout)
    assert catalog_json["research_only"] is True
    lines = [json.loads(text) for text in out.read_text(encoding="utf-8").splitlines()]
    assert len(lines) == len(CASE_FILES)
    for path, line in zip(CASE_FILES, lines, strict=True):
        VALIDATOR.validate(line)
        assert line["format"] == LINE_FORMAT and line["research_only"] is True
        assert resolve_line(line, catalog_json) == igfrules.evaluate(path, KB).model_dump(mode="json"), path.name


def test_a_fhir_case_keeps_its_mapping_by_value() -> None:
    for bundle in sorted((CASES / "fhir").glob("*.json")):
        report = igfrules.evaluate(bundle, KB)
        assert report.mapping is not None
        line = json.loads(reference_line_bytes(report))
        VALIDATOR.validate(line)
        assert line["mapping"] == report.mapping.model_dump(mode="json")
        assert resolve_line(line, CATALOG) == report.model_dump(mode="json"), bundle.name


def test_lines_weigh_at_most_4_kb_a_case_on_the_example_cohort() -> None:
    sizes = [len(reference_line_bytes(igfrules.evaluate(path, KB))) + 1 for path in CASE_FILES]
    assert sum(sizes) / len(sizes) <= 4096, sizes


def test_detail_full_writes_the_full_reports(tmp_path: Path) -> None:
    result = _igfrules("batch", str(CASES / "minimal-unknowns.yaml"), "--detail", "full", "--workers", "1")
    assert result.returncode == 0, result.stderr
    expected = igfrules.evaluate(CASES / "minimal-unknowns.yaml", KB).model_dump(mode="json")
    assert json.loads(result.stdout) == expected


def test_compact_is_a_deprecated_alias_of_lines_by_reference() -> None:
    result = _igfrules("batch", str(CASES / "minimal-unknowns.yaml"), "--compact", "--workers", "1")
    assert result.returncode == 0
    assert "--compact is deprecated" in result.stderr
    assert json.loads(result.stdout)["format"] == LINE_FORMAT
    refused = _igfrules("batch", str(CASES / "minimal-unknowns.yaml"), "--compact", "--detail", "full")
    assert refused.returncode == 2 and "--compact" in refused.stderr


def test_a_line_from_another_knowledge_base_is_refused() -> None:
    line = json.loads(reference_line_bytes(igfrules.evaluate(CASE_FILES[0], KB)))
    other = {**CATALOG, "knowledge_base": {**CATALOG["knowledge_base"], "sha256": "0" * 64}}
    with pytest.raises(ValueError, match="another knowledge base"):
        resolve_line(line, other)


def test_error_records_are_unchanged_by_the_line_format() -> None:
    result = subprocess.run([sys.executable, "-m", "igfrules", "batch", "-", "--rules", str(RULES), "--workers", "1"],
                            input='{"her2_status": "equivocal"}\n', capture_output=True, text=True, check=False)
    record = json.loads(result.stdout)
    assert result.returncode == 1 and record["error"]["type"] == "CaseError" and record["research_only"] is True


def test_the_schema_file_in_docs_is_current() -> None:
    current = subprocess.run([sys.executable, "-m", "igfrules", "schema", "--line"], capture_output=True,
                             text=True, check=True).stdout
    assert (ROOT / "docs" / "batch-line.schema.json").read_text(encoding="utf-8") == current
