"""The command line end to end: output formats, exit codes, and messages for bad input."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

import igfrules
from igfrules.cli import main
from tests.conftest import CASES, RULES

CASE = CASES / "hr-positive-her2-negative-nonvisceral.yaml"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_text_is_the_default_and_starts_research_only() -> None:
    code, out, err = run("evaluate", str(CASE))
    assert code == 0 and err == ""
    assert out.splitlines()[0].startswith("RESEARCH USE ONLY")
    assert " ".join(out.split()).endswith("every IGF-axis agent named is investigational.")


def test_markdown_starts_research_only() -> None:
    code, out, _ = run("evaluate", str(CASE), "--format", "markdown")
    assert code == 0
    assert "RESEARCH USE ONLY" in out.splitlines()[0]
    assert "## Studies that would have enrolled her" in out
    assert "| Rationale | Evidence level | Direction | Why it applies |" in out


def test_detail_full_appends_the_evidence_cards() -> None:
    _, brief, _ = run("evaluate", str(CASE))
    code, full, _ = run("evaluate", str(CASE), "--detail", "full")
    assert code == 0 and len(full) > 2 * len(brief)
    assert "FULL EVIDENCE: RESEARCH RATIONALES" in full and "FULL EVIDENCE" not in brief
    _, json_brief, _ = run("evaluate", str(CASE), "--format", "json")
    _, json_full, _ = run("evaluate", str(CASE), "--format", "json", "--detail", "full")
    assert json_brief == json_full and json.loads(json_brief)["verdict"]  # JSON is always complete


def test_json_is_one_document_with_the_contract_keys() -> None:
    code, out, _ = run("evaluate", str(CASE), "--format", "json")
    assert code == 0
    report = json.loads(out)
    assert report["research_only"] is True
    for key in ("disclaimer", "case_id", "knowledge_base", "engine_version", "rationales", "trials",
                "needs_information", "warnings"):
        assert key in report
    assert set(report["knowledge_base"]) == {"name", "version", "sha256"}
    assert all(r["research_only"] is True for r in report["rationales"])


def test_output_is_byte_identical_across_runs() -> None:
    outputs = {run("evaluate", str(CASE), "--format", fmt)[1] for fmt in ("json",) * 3}
    assert len(outputs) == 1


def test_a_case_with_no_rationale_still_exits_0(tmp_path: Path) -> None:
    case = tmp_path / "none.yaml"
    case.write_text("er_status: negative\npr_status: negative\nher2_status: negative\nstage: IA\nprior_therapies: []\n")
    code, out, _ = run("evaluate", str(case))
    assert code == 0 and "(0 research rationales; none is a recommendation)" in out
    assert "No IGF-axis research rationale matches" in out


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("her2_stauts: positive\n", "her2_stauts: unknown field; allowed fields:"),
        ("her2_status: equivocal\n", "her2_status: 'equivocal' is not one of positive, negative, unknown"),
        ("prior_therapies: [herceptn]\n", "prior_therapies[0].agent: 'herceptn' is not a known agent"),
        ("", "the file is empty"),
        ("- a\n- b\n", "the top level must be a mapping"),
    ],
)
def test_bad_case_exits_1_with_file_and_field(tmp_path: Path, content: str, expected: str) -> None:
    case = tmp_path / "bad.yaml"
    case.write_text(content)
    code, out, err = run("evaluate", str(case))
    assert code == 1 and out == ""
    assert err.startswith(f"Error: {case}: ")
    assert expected in err
    assert "Traceback" not in err


def test_missing_case_file_exits_1(tmp_path: Path) -> None:
    code, _, err = run("evaluate", str(tmp_path / "absent.yaml"))
    assert code == 1 and "No such file" in err


def test_usage_errors_exit_2() -> None:
    assert run("evaluate")[0] == 2
    assert run("evaluate", str(CASE), "--format", "pdf")[0] == 2
    assert run("no-such-command")[0] == 2


def test_bad_knowledge_base_exits_1(tmp_path: Path) -> None:
    code, _, err = run("evaluate", str(CASE), "--rules", str(tmp_path))
    assert code == 1 and err.startswith("Error: ")


def test_schema_is_json_schema_of_the_contract() -> None:
    code, out, _ = run("schema")
    schema = json.loads(out)
    assert code == 0 and schema["additionalProperties"] is False
    assert schema["properties"]["her2_status"]["enum"] == ["positive", "negative", "unknown"]
    assert "hormone_receptor_status" not in schema["properties"]  # derived, not an input


def test_check_passes_on_the_shipped_knowledge_base() -> None:
    code, out, err = run("check", "--rules", str(RULES))
    assert code == 0, err
    assert "no problems" in out


def test_every_command_has_help_with_an_example() -> None:
    ctx = click.Context(main)
    names = main.list_commands(ctx)
    assert "evaluate" in names and "batch" in names
    for name in names:  # each command's module is imported when the command is looked up
        command = main.get_command(ctx, name)
        assert command is not None and command.help and "Example:" in command.help, name
        assert run(name, "--help")[0] == 0


def test_installed_entry_point_runs_as_a_process() -> None:
    result = subprocess.run([sys.executable, "-m", "igfrules", "evaluate", str(CASE), "--format", "json"],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0 and json.loads(result.stdout)["research_only"] is True


def test_bad_input_never_prints_a_traceback_in_a_process(tmp_path: Path) -> None:
    case = tmp_path / "bad.yaml"
    case.write_bytes(b"\xff\xfe")
    result = subprocess.run([sys.executable, "-m", "igfrules", "evaluate", str(case)],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 1
    assert result.stderr == f"Error: {case}: not UTF-8 text (byte 0)\n"


def test_rules_lists_every_entry() -> None:
    code, out, _ = run("rules", "--rules", str(RULES))
    kb = igfrules.load_knowledge_base(RULES)
    assert code == 0
    banner, *rows = out.splitlines()
    assert banner.startswith("RESEARCH USE ONLY")
    assert [line.split()[0] for line in rows] == list(kb.entries)


def test_trials_lists_the_registry_with_status_dates() -> None:
    code, out, _ = run("trials", "--rules", str(RULES))
    assert code == 0 and out.startswith("RESEARCH USE ONLY")
    assert "NCT03659136 (XENERA-1)" in out
    # The status the review reported, with its date, beside the outcome published since.
    assert ("recruiting per the review (2021-03-22); since reported negative, no PFS improvement, "
            "central review HR about 1.19 (Schmid et al., 2023)") in out
    assert "NCT01234857" in out and "not in the review's Table 1; completed as of 2017 (year only)" in out
    assert "post-review does_not_support" in out


def test_explain_without_a_case_prints_prose_and_the_condition_tree() -> None:
    code, out, _ = run("explain", "RAT-XEN-EVE-EXE", "--rules", str(RULES))
    assert code == 0 and out.startswith("RESEARCH USE ONLY")
    assert "Condition: " in out and "all of:" in out


def test_explain_with_a_case_gives_each_condition_its_value() -> None:
    code, out, _ = run("explain", "RAT-XEN-EVE-EXE", str(CASES / "minimal-unknowns.yaml"), "--rules", str(RULES))
    assert code == 0
    assert "UNKNOWN: it needs information" in out
    assert "[   true] hormone-receptor status (ER or PR) is positive" in out
    assert "[unknown] HER2 status is negative  (patient: unknown)" in out


def test_explain_a_trial() -> None:
    code, out, _ = run("explain", "NCT00684983", str(CASES / "her2-trastuzumab-pretreated.yaml"))
    assert code == 0 and "TRUE: it fires" in out


def test_explain_an_unknown_id_suggests() -> None:
    code, _, err = run("explain", "RAT-XEN-EVE", "--rules", str(RULES))
    assert code == 1 and "did you mean RAT-XEN-EVE-EXE" in err


def test_docs_check_and_write(tmp_path: Path) -> None:
    target = tmp_path / "kb.md"
    assert run("docs", "--output", str(target), "--check", "--rules", str(RULES))[0] == 1
    assert run("docs", "--output", str(target), "--rules", str(RULES))[0] == 0
    assert run("docs", "--output", str(target), "--check", "--rules", str(RULES))[0] == 0
    assert target.read_text().startswith("<!-- Generated by `igfrules docs`")


def test_check_reports_file_line_and_field_for_a_broken_rule(tmp_path: Path) -> None:
    broken = tmp_path / "rules"
    shutil.copytree(RULES, broken)
    path = broken / "rationales" / "rat-xen-eve-exe.yaml"
    path.write_text(path.read_text().replace("field: her2_status", "field: her2_stauts", 1))
    code, _, err = run("check", "--rules", str(broken))
    assert code == 1
    line = next(e for e in err.splitlines() if "her2_stauts" in e)
    assert line.startswith(f"Error: {path}:") and ".field: 'her2_stauts' is not a profile field" in line


def test_packaged_knowledge_base_works_outside_the_repository(tmp_path: Path) -> None:
    case = tmp_path / "case.yaml"
    case.write_text((CASES / "her2-trastuzumab-pretreated.yaml").read_text())
    result = subprocess.run([sys.executable, "-m", "igfrules", "evaluate", "case.yaml", "--format", "json"],
                            cwd=tmp_path, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    shipped = json.loads(result.stdout)["knowledge_base"]["sha256"]
    # Under an editable install this is the repository's rules/; what the wheel ships is checked in
    # tests/package/test_the_wheel_ships_the_knowledge_base_and_examples.py.
    assert shipped == igfrules.load_knowledge_base(RULES).sha256


def test_evaluate_reads_standard_input() -> None:
    result = CliRunner().invoke(main, ["evaluate", "-", "--format", "json"], input='{"er_status": "positive"}')
    assert result.exit_code == 0 and json.loads(result.stdout)["profile"] == {"er_status": "positive"}
    result = CliRunner().invoke(main, ["evaluate", "-"], input="er_status: positiv\n")
    assert result.exit_code == 1 and result.stderr.startswith("Error: <stdin>: er_status:")


def test_library_takes_a_knowledge_base_folder() -> None:
    report = igfrules.evaluate({"er_status": "positive"}, kb=str(RULES))
    assert report.knowledge_base.sha256 == igfrules.load_knowledge_base(RULES).sha256
