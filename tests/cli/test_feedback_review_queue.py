"""`igfrules feedback`: the curators' review queue, most overridden entries first, research only,
deterministic, comments only on request, and a clear exit 1 for a missing or foreign database."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from igfrules.cli import main
from igfrules.service.feedback.codes import OVERRIDE_SYSTEM
from igfrules.service.feedback.store import Feedback, FeedbackStore, Issued

SHA = "a" * 64


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def database(tmp_path: Path) -> Path:
    path = tmp_path / "feedback.sqlite3"
    store = FeedbackStore(path)
    store.record_issued([Issued(f"u{n}", entry, topic, "igfrules-ianza-2021", "1.2.0", SHA)
                         for n, (entry, topic) in enumerate([("RAT-A", "rationale"), ("RAT-B", "rationale"),
                                                             ("RAT-B", "rationale"), (None, "trials")])], "2026-12-06")
    items = [Feedback("u0", "overridden", "2026-12-01T00:00:00.000000Z", OVERRIDE_SYSTEM, "evidence-outdated", None),
             Feedback("u1", "overridden", "2026-12-01T00:00:00.000000Z", OVERRIDE_SYSTEM, "record-data-wrong",
                      "ER was\nre-tested"),
             Feedback("u2", "overridden", "2026-12-02T00:00:00.000000Z", OVERRIDE_SYSTEM, "record-data-wrong", None),
             Feedback("u2", "overridden", "2026-12-03T00:00:00.000000Z", "https://ehr.example.org/r", "busy", None),
             Feedback("u3", "overridden", "2026-12-03T00:00:00.000000Z", None, None, None),
             Feedback("u0", "accepted", "2026-12-04T00:00:00.000000Z", None, None, None)]
    store.add_feedback(items, "2026-12-06")
    store.close()
    return path


def test_the_queue_lists_the_most_overridden_entry_first_with_its_reasons(database: Path) -> None:
    code, out, err = run("feedback", "--db", str(database))
    assert code == 0 and err == ""
    lines = out.splitlines()
    assert lines[0].startswith("RESEARCH USE ONLY")
    assert lines[3] == "RAT-B: 3 overridden, 0 accepted (igfrules-ianza-2021 1.2.0)"
    assert lines[4].split() == ["2", "record-data-wrong:", "The", "record's", "data", "are", "wrong"]
    assert "other system: https://ehr.example.org/r|busy" in lines[5]
    assert "RAT-A: 1 overridden, 1 accepted" in out and "card: trials: 1 overridden" in out
    assert "no reason given" in out
    assert "re-tested" not in out  # comments only with --comments
    assert run("feedback", "--db", str(database))[1] == out  # deterministic


def test_json_and_markdown_carry_the_same_queue(database: Path) -> None:
    code, out, _ = run("feedback", "--db", str(database), "--format", "json", "--comments")
    assert code == 0
    report = json.loads(out)
    assert report["research_only"] is True
    assert [e["subject"] for e in report["entries"]] == ["RAT-B", "RAT-A", "card: trials"]
    assert report["entries"][0]["comments"] == ["ER was\nre-tested"]
    code, out, _ = run("feedback", "--db", str(database), "--format", "markdown", "--comments")
    assert code == 0 and out.startswith("**RESEARCH USE ONLY")
    assert "| `RAT-B` | 3 | 0 |" in out and "- ER was re-tested" in out


def test_a_comment_cannot_forge_lines_in_the_text_queue(database: Path) -> None:
    _, out, _ = run("feedback", "--db", str(database), "--comments")
    assert "comment: ER was\\nre-tested" in out


def test_an_empty_database_is_an_empty_queue(tmp_path: Path) -> None:
    FeedbackStore(tmp_path / "f.sqlite3").close()
    code, out, _ = run("feedback", "--db", str(tmp_path / "f.sqlite3"))
    assert code == 0 and "No feedback yet." in out


def test_a_missing_or_foreign_database_is_exit_1_naming_it(tmp_path: Path) -> None:
    missing = tmp_path / "none.sqlite3"
    code, out, err = run("feedback", "--db", str(missing))
    assert (code, out) == (1, "")
    assert err == f"Error: {missing}: no such feedback database; give the --feedback-db file igfrules serve writes\n"
    assert not missing.exists()  # never created by reading
    text = tmp_path / "notes.txt"
    text.write_text("not a database", encoding="utf-8")
    code, _, err = run("feedback", "--db", str(text))
    assert code == 1 and err.startswith(f"Error: {text}: not an igfrules feedback database")
    other = tmp_path / "other.sqlite3"
    with sqlite3.connect(other) as db:
        db.execute("CREATE TABLE t (x)")
    code, _, err = run("feedback", "--db", str(other))
    assert code == 1 and "not an igfrules feedback database" in err and "Traceback" not in err
    code, _, err = run("feedback", "--db", str(tmp_path))
    assert (code, err) == (1, f"Error: {tmp_path}: is a folder or a device, not a feedback database file\n")


def test_serve_refuses_a_feedback_database_of_another_program_before_listening(tmp_path: Path) -> None:
    other = tmp_path / "other.sqlite3"
    with sqlite3.connect(other) as db:
        db.execute("CREATE TABLE t (x)")
    code, _, err = run("serve", "--port", "0", "--feedback-db", str(other))
    assert code == 1
    assert err.startswith(f"Error: {other}: not an igfrules feedback database")
