"""A Bundle is a case however it arrives: a file, a parsed mapping in the library, a JSON Lines
line in batch. Each gives the same report with its mapping; full batch lines of FHIR cases keep
memory flat (the mapping is the case's own and is never cached as a shared fragment)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import igfrules
from igfrules.rendering import jsonline
from tests.conftest import CASES

BUNDLE = CASES / "fhir" / "metastatic-hr-positive-pik3ca.json"


def test_a_parsed_bundle_in_the_library_is_mapped_like_the_file() -> None:
    from_file = igfrules.evaluate(BUNDLE)
    from_data = igfrules.evaluate(json.loads(BUNDLE.read_text()))
    assert from_data.mapping is not None
    assert from_data.to_json() == from_file.to_json()


def test_a_bundle_on_a_json_lines_line_is_a_case(tmp_path: Path) -> None:
    cohort = tmp_path / "bundles.jsonl"
    cohort.write_text(json.dumps(json.loads(BUNDLE.read_text())) + "\n")
    result = subprocess.run([sys.executable, "-m", "igfrules", "batch", str(cohort), "--workers", "1",
                             "--detail", "full"], capture_output=True, text=True, check=False, timeout=120)
    assert result.returncode == 0, result.stderr
    line = json.loads(result.stdout.splitlines()[0])
    assert line["mapping"]["bundle_id"] and line["rationales"]


def test_full_lines_of_fhir_cases_do_not_grow_the_fragment_cache() -> None:
    report = igfrules.evaluate(BUNDLE)
    jsonline.report_json_bytes(report)  # the shared parts (knowledge base, rationales) are cached once
    before = len(jsonline._fragments)
    for _ in range(50):
        fresh = report.model_copy(update={"mapping": report.mapping.model_copy() if report.mapping else None})
        jsonline.report_json_bytes(fresh)
    assert len(jsonline._fragments) == before  # the mapping is the case's own: never one entry per case
