"""`igfrules diff`, `igfrules verify`, `evaluate --since` and `--rules VERSION` from the command line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import igfrules
from tests.conftest import CASES

CASE = str(CASES / "minimal-unknowns.yaml")


def _run(*args: str, stderr: bool = True) -> tuple[int, str]:
    """In a process of its own: the cohort's output goes to a real standard output, as batch's does."""
    result = subprocess.run([sys.executable, "-m", "igfrules", *args], capture_output=True, text=True, check=False)
    return result.returncode, result.stdout + (result.stderr if stderr else "")


def test_diff_of_two_versions_lists_record_changes_in_words() -> None:
    code, out = _run("diff", "1.1.0", "1.2.0")
    assert code == 0 and out.startswith("RESEARCH USE ONLY")
    assert "rationale RAT-AKT-IGF1R-IR-ER-POSITIVE changed" in out
    assert "- grade: was E: mechanism only (inferential); now D: preclinical (preclinical)" in out
    assert "population: was" in out and "advanced disease" in out


def test_diff_json_is_one_document_and_markdown_has_headings() -> None:
    code, out = _run("diff", "1.1.0", "1.2.0", "--format", "json", stderr=False)
    data = json.loads(out)
    assert code == 0 and data["research_only"] is True and data["old"]["version"] == "1.1.0"
    assert any(c["id"] == "NCT03099174" and c["how"] == "added" for c in data["changes"])
    assert _run("diff", "1.1.0", "1.2.0", "--format", "markdown")[1].count("\n### ") > 20


def test_diff_of_a_cohort_streams_one_line_per_case_and_a_summary(tmp_path: Path) -> None:
    cohort = tmp_path / "cohort.jsonl"
    cohort.write_text('{"er_status": "positive", "stage": "IV"}\n{"er_status": "purple"}\n')
    code, out = _run("diff", "1.1.0", "1.2.0", str(cohort), "--format", "json", stderr=False)
    lines = [json.loads(line) for line in out.splitlines()]
    assert code == 1  # one case failed, as batch says
    assert lines[0]["old"]["version"] == "1.1.0" and lines[1]["position"] == 1 and lines[1]["changes"]
    assert lines[2]["error"]["type"] == "CaseError" and lines[2]["source"] == f"{cohort}:2"
    assert lines[3]["summary"] is True and lines[3]["cases"] == 2 and lines[3]["failed"] == 1


def test_diff_of_the_example_cases_names_each_patient_and_why() -> None:
    code, out = _run("diff", "1.1.0", "1.2.0", str(CASES))
    assert code == 0 and "Patients" in out and "Cohort summary" in out
    assert "(because of " in out and "no recorded change" not in out


def test_the_same_version_twice_says_no_change() -> None:
    code, out = _run("diff", "1.2.0", "1.2.0", CASE)
    assert code == 0 and "No change" in out and "no change in her report" in out


def test_a_version_not_shipped_is_an_input_error() -> None:
    code, out = _run("diff", "1.0.0", "1.2.0")
    assert code == 1 and "working note" in out


def test_rules_takes_a_version() -> None:
    code, out = _run("evaluate", CASE, "--rules", "1.1.0", "--format", "json", stderr=False)
    assert code == 0 and json.loads(out)["knowledge_base"]["version"] == "1.1.0"


def test_since_adds_a_section_only_when_something_changed() -> None:
    code, out = _run("evaluate", CASE, "--since", "1.1.0")
    assert code == 0 and "CHANGED SINCE KNOWLEDGE BASE 1.1.0" in out
    assert out.index("CHANGED SINCE") < out.index("RESEARCH USE ONLY. igfrules explains")  # before the disclaimer
    code, out = _run("evaluate", CASE, "--since", "1.2.0")
    assert code == 0 and "CHANGED SINCE" not in out
    assert "## Changed since knowledge base 1.1.0" in _run("evaluate", CASE, "--since", "1.1.0", "--format",
                                                            "markdown")[1]


def test_verify_says_identical_for_a_fresh_report(tmp_path: Path) -> None:
    path = tmp_path / "r.json"
    path.write_text(igfrules.evaluate(CASE).to_json())
    code, out = _run("verify", str(path))
    assert code == 0 and out.endswith(": identical\n")


def test_verify_says_plainly_when_1_0_0_is_asked_for(tmp_path: Path) -> None:
    report = json.loads(igfrules.evaluate(CASE).to_json())
    report["knowledge_base"] = {"name": "igfrules-ianza-2021", "version": "1.0.0", "sha256": "0" * 64}
    path = tmp_path / "old.json"
    path.write_text(json.dumps(report))
    code, out = _run("verify", str(path))
    assert code == 1 and "cannot be verified" in out and "working note" in out


def test_verify_says_when_the_engine_version_differs(tmp_path: Path) -> None:
    report = json.loads(igfrules.evaluate(CASE, igfrules.load_knowledge_base("1.1.0")).to_json())
    report["engine_version"] = "0.1.0"
    path = tmp_path / "old.json"
    path.write_text(json.dumps(report))
    code, out = _run("verify", str(path))
    assert code == 1 and "made by igfrules 0.1.0" in out and "a difference" in out


def test_verify_refuses_a_file_that_is_no_report(tmp_path: Path) -> None:
    path = tmp_path / "x.json"
    path.write_text('{"er_status": "positive"}')
    code, out = _run("verify", str(path))
    assert code == 1 and "not an igfrules JSON report" in out


def test_the_help_examples_of_diff_and_verify_run(tmp_path: Path) -> None:
    """Each help example, run from the repository's root (they name cases/) in a process of its own."""
    import shlex

    from tests.conftest import ROOT

    for command in ("diff", "verify"):
        text = _run(command, "--help")[1]
        for line in text[text.index("Example"):].splitlines()[1:]:
            if line.strip().startswith("igfrules "):
                args, _, target = line.strip().partition(">")
                out = tmp_path / (target.strip() or "out")
                result = subprocess.run([sys.executable, "-m", "igfrules", *shlex.split(args)[1:]], cwd=tmp_path
                                        if command == "verify" else ROOT, capture_output=True, text=True,
                                        check=False, env={**os.environ, "PYTHONPATH": str(ROOT / "src")})
                out.write_text(result.stdout)
                assert result.returncode == 0, (line, result.stderr)


def test_a_cohort_diffs_the_same_with_two_workers_as_with_one(tmp_path: Path) -> None:
    from igfrules.model.synthetic import synthetic_cases

    cohort = tmp_path / "cohort.jsonl"
    cohort.write_text("".join(json.dumps(case) + "\n" for case in synthetic_cases(300)))
    one = _run("diff", "1.1.0", "1.2.0", str(cohort), "--format", "json", stderr=False)
    two = _run("diff", "1.1.0", "1.2.0", str(cohort), "--format", "json", "--workers", "2", stderr=False)
    assert one[0] == two[0] == 0 and one[1] == two[1]
    assert len(one[1].splitlines()) == 302 and json.loads(one[1].splitlines()[-1])["cases"] == 300


def test_a_cohort_diff_in_markdown_has_a_heading_per_patient() -> None:
    code, out = _run("diff", "1.1.0", "1.2.0", str(CASES), "--format", "markdown", stderr=False)
    assert code == 0 and "## Patients" in out and "## Cohort summary" in out
    assert out.count("\n### Patient ") == len([p for p in CASES.iterdir() if p.suffix in {".yaml", ".json"}])


def test_verify_in_json_says_identical_per_report(tmp_path: Path) -> None:
    path = tmp_path / "r.json"
    path.write_text(igfrules.evaluate(CASE).to_json())
    code, out = _run("verify", str(path), str(path), "--format", "json", stderr=False)
    data = json.loads(out)
    assert code == 0 and [d["identical"] for d in data] == [True, True] and data[0]["research_only"] is True
