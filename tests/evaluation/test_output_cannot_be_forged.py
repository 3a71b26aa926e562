"""No key, file name or case_id can forge a line, drive the terminal or inject markup."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import igfrules
from igfrules import CaseError
from igfrules.errors import Problem, is_unsafe_char, printable
from igfrules.model.validation import profile_from_mapping
from tests.conftest import RULES

HOSTILE = "a\nError: forged\r\x1b[2J\x1b]0;title\x07\u2028\u202e\x85b"


def _cli(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "igfrules", *args, "--rules", str(RULES)], input=stdin,
                          capture_output=True, text=True, check=False, encoding="utf-8", errors="surrogateescape")


def _safe(text: str) -> bool:
    return not any(is_unsafe_char(c) for c in text.replace("\n", ""))


def test_printable_escapes_every_unsafe_character() -> None:
    assert printable(HOSTILE) == "a\\nError: forged\\r\\x1b[2J\\x1b]0;title\\x07\\u2028\\u202e\\x85b"
    assert str(Problem(HOSTILE, HOSTILE, HOSTILE, HOSTILE)).count("\n") == 0


def test_a_hostile_key_gives_one_escaped_error_line(tmp_path: Path) -> None:
    case = tmp_path / "case.json"
    case.write_text(json.dumps({HOSTILE: 1}))
    result = _cli("evaluate", str(case))
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("Error: ")
    assert _safe(result.stderr) and "a\\nError: forged" in result.stderr


def test_a_hostile_file_name_is_escaped(tmp_path: Path) -> None:
    case = tmp_path / "x\x1b[31m\nError: y.yaml"
    case.write_text("er_status: maybe\n")
    result = _cli("evaluate", str(case))
    assert result.returncode == 1 and result.stderr.count("\n") == 1 and _safe(result.stderr)


@pytest.mark.parametrize("key", ["a[b", "x`y", "list[int]", "a.b"])
def test_keys_with_brackets_or_backticks_are_in_their_message(key: str) -> None:
    with pytest.raises(CaseError) as caught:
        profile_from_mapping({key: 1})
    assert repr(key) in str(caught.value)
    with pytest.raises(CaseError) as caught:
        profile_from_mapping({"prior_therapies": [{"agent": "tamoxifen", key: 1}]})
    assert f"prior_therapies[0][{key!r}]" in str(caught.value)


@pytest.mark.parametrize("char", ["\x85", "\u2028", "\u2029", "\u202e", "\u2066", "\u200b", "\x1b", "\r", "\t"])
def test_case_id_refuses_line_breaks_and_format_characters(char: str) -> None:
    with pytest.raises(CaseError, match="case_id: contains control characters"):
        profile_from_mapping({"case_id": f"id{char}x"})


def test_a_batch_error_record_stays_one_line_for_a_unicode_line_splitter(tmp_path: Path) -> None:
    rows = [json.dumps({"case_id": "a\u2028b\u202ec", "er_status": "positive"}, ensure_ascii=False),
            json.dumps({"\u2029key": 1}, ensure_ascii=False), json.dumps({"er_status": "positive"})]
    cohort = tmp_path / "c.jsonl"
    cohort.write_text("\n".join(rows) + "\n", encoding="utf-8")
    result = _cli("batch", str(cohort), "--workers", "1")
    assert result.returncode == 1
    assert len(result.stdout.splitlines()) == 3  # str.splitlines splits on U+2028, U+2029, U+0085 too
    first = json.loads(result.stdout.splitlines()[0])
    assert first["case_id"] == "a\u2028b\u202ec"  # the same value, written as \\u escapes


def test_markdown_heading_keeps_case_id_as_text() -> None:
    case_id = "<script>alert(1)</script> [x](javascript:y) `z` #"
    report = igfrules.evaluate({"case_id": case_id, "er_status": "positive"})
    heading = igfrules.RENDERERS["markdown"](report).splitlines()[2]
    assert heading == r"# Tumour-board brief: \<script\>alert(1)\</script\> \[x\](javascript:y) \`z\` \#"
