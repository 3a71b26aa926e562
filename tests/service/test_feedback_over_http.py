"""Card feedback over real HTTP: stored in the SQLite feedback database once (a resend stores
nothing new), refused with a clear message when the card is unknown or the body is not CDS Hooks
feedback, never logged, and never holding patient data; the curators' command reads it."""

from __future__ import annotations

import json
import logging
import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from igfrules.cli import main
from igfrules.service.feedback.codes import OVERRIDE_SYSTEM
from igfrules.service.hooks import SERVICE_ID
from tests.service.conftest import Server, running
from tests.service.test_cds_hooks_over_http import BUNDLES, request_for

PATH = f"/cds-services/{SERVICE_ID}"
FEEDBACK = f"{PATH}/feedback"
COMMENT = "Discussed on 3 May at the board; waiting for new imaging"


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("feedback") / "feedback.sqlite3"


@pytest.fixture(scope="module")
def served(database: Path) -> Iterator[Server]:
    with running(feedback_db=database) as started:
        yield started


def issued(server: Server, name: str = "metastatic-hr-positive-pik3ca",
           instance: str = "5f2c1b0e-8d7a-4c2e-9a51-0f6e3d2b7c10") -> list[dict[str, Any]]:
    request = request_for(name)
    request["hookInstance"] = instance
    status, data, _ = server.post(PATH, request)
    assert status == 200
    cards: list[dict[str, Any]] = data["cards"]
    return cards


def overridden(card: str, code: str | None = "evidence-outdated", comment: str | None = None,
               when: str = "2026-12-01T10:05:31Z", system: str = OVERRIDE_SYSTEM) -> dict[str, Any]:
    item: dict[str, Any] = {"card": card, "outcome": "overridden", "outcomeTimestamp": when}
    reason: dict[str, Any] = {}
    if code is not None:
        reason["reason"] = {"system": system, "code": code}
    if comment is not None:
        reason["userComment"] = comment
    if reason:
        item["overrideReason"] = reason
    return item


def rows(database: Path, table: str) -> list[sqlite3.Row]:
    with sqlite3.connect(database) as db:
        db.row_factory = sqlite3.Row
        return db.execute(f"SELECT * FROM {table}").fetchall()  # noqa: S608 - a fixed table name


def test_feedback_is_stored_with_its_entry_and_a_resend_stores_nothing_new(served: Server, database: Path) -> None:
    card = issued(served)[0]
    entry = card["extension"]["org.igfrules.evidence"]["entry"]
    status, data, _ = served.post(FEEDBACK, {"feedback": [overridden(card["uuid"], comment=COMMENT)]})
    assert (status, data["stored"], data["already_stored"]) == (200, 1, 0)
    [row] = [r for r in rows(database, "feedback") if r["card_uuid"] == card["uuid"]]
    assert (row["entry_id"], row["outcome"], row["reason_code"], row["comment"]) == (
        entry, "overridden", "evidence-outdated", COMMENT)
    assert row["outcome_timestamp"] == "2026-12-01T10:05:31.000000Z"
    before = len(rows(database, "feedback"))
    for when in ("2026-12-01T10:05:31Z", "2026-12-01T11:05:31+01:00"):  # the same instant, written twice
        status, data, _ = served.post(FEEDBACK, {"feedback": [overridden(card["uuid"], comment=COMMENT, when=when)]})
        assert (status, data["stored"], data["already_stored"]) == (200, 0, 1)
    assert len(rows(database, "feedback")) == before


def test_every_outcome_and_reason_kind_is_kept(served: Server, database: Path) -> None:
    cards = issued(served, instance="0b6d7f8e-1111-4a2b-8c3d-222233334444")
    items = [overridden(cards[1]["uuid"], code=None, comment="wrong ER"),
             overridden(cards[2]["uuid"], code="no-time", system="https://ehr.example.org/override-reasons"),
             overridden(cards[0]["uuid"], code=None),
             {"card": cards[0]["uuid"], "outcome": "accepted", "outcomeTimestamp": "2026-12-02T08:00:00.5Z"}]
    status, data, _ = served.post(FEEDBACK, {"feedback": items})
    assert (status, data["stored"]) == (200, 4)
    kept = {(r["card_uuid"], r["outcome"], r["reason_system"], r["reason_code"]) for r in rows(database, "feedback")}
    assert (cards[2]["uuid"], "overridden", "https://ehr.example.org/override-reasons", "no-time") in kept
    assert (cards[0]["uuid"], "accepted", None, None) in kept


def test_feedback_on_an_unknown_card_is_404_and_stores_nothing(served: Server, database: Path) -> None:
    card = issued(served, instance="7a7a7a7a-0000-4000-8000-000000000001")[0]
    before = len(rows(database, "feedback"))
    unknown = "3f0d8a52-0000-5000-8000-000000000000"
    status, data, _ = served.post(FEEDBACK, {"feedback": [overridden(card["uuid"]), overridden(unknown)]})
    assert status == 404
    assert unknown in data["error"] and "nothing of this request was stored" in data["error"]
    assert data["unknown_cards"] == [unknown]
    assert len(rows(database, "feedback")) == before


@pytest.mark.parametrize(("body", "words"), [
    (b"{not json", "not JSON"),
    (b'{"feedback": []}', "feedback: List should have at least 1 item"),
    (b'{"feedback": [{"card": "x", "outcome": "overridden", "outcomeTimestamp": "2026-12-01T10:05:31Z"}]}',
     "card is not a uuid"),
    ({"outcome": "ignored"}, "feedback.0.outcome"),
    ({"outcomeTimestamp": "yesterday"}, "outcomeTimestamp is not an RFC 3339 date-time"),
    ({"outcomeTimestamp": "2026-02-30T10:00:00Z"}, "not a real date"),
    ({"outcomeTimestamp": "2026-12-01T10:05:31"}, "with its offset"),
    # Real in its own offset, but outside the years Python can hold once moved to UTC: a 400, not a 500.
    ({"outcomeTimestamp": "0001-01-01T00:00:00+01:00"}, "outcomeTimestamp is not a real date and time"),
    ({"outcomeTimestamp": "9999-12-31T23:59:59-01:00"}, "outcomeTimestamp is not a real date and time"),
    ({"patientId": "p-1"}, "feedback.0.patientId: Extra inputs are not permitted"),
    ({"overrideReason": {"reason": {"system": OVERRIDE_SYSTEM, "code": "too-busy"}}},
     "not one of igfrules' override reasons: discussed-at-board, record-data-wrong"),
    ({"overrideReason": {}}, "give reason, userComment or both"),
    ({"overrideReason": {"userComment": "x" * 2001}}, "at most 2000 characters"),
    ({"outcome": "accepted", "overrideReason": {"userComment": "fine"}}, "only for the outcome 'overridden'"),
    ({"outcome": "accepted", "acceptedSuggestions": [{"id": "a"}]}, "carry no suggestions"),
])
def test_a_body_that_is_not_feedback_is_400_naming_the_key(served: Server, body: Any, words: str) -> None:
    if isinstance(body, dict):
        card = issued(served)[0]["uuid"]
        body = {"feedback": [{**overridden(card, code=None), **body}]}
    status, data, raw = served.post(FEEDBACK, body)
    assert status == 400
    assert words in data["error"]
    assert b"Traceback" not in raw and b"x" * 100 not in raw


def test_sql_in_a_comment_or_code_is_stored_as_text(served: Server, database: Path) -> None:
    card = issued(served, instance="50000000-0000-4000-8000-000000000001")[0]["uuid"]
    comment = "x'); DROP TABLE feedback; --"
    item = overridden(card, code="' OR 1=1 --", system="urn:other", comment=comment, when="2026-12-03T09:00:00Z")
    assert served.post(FEEDBACK, {"feedback": [item]})[0] == 200
    [row] = [r for r in rows(database, "feedback") if r["card_uuid"] == card]
    assert (row["comment"], row["reason_code"]) == (comment, "' OR 1=1 --")
    assert len(rows(database, "issued_card")) > 1  # every table is still there, every row too


def test_a_400_names_unknown_keys_short_and_lists_ten_problems_at_most(served: Server) -> None:
    """An unknown key is the client's text: it is named clipped, and a hundred bad items do not
    echo a megabyte back."""
    card = issued(served)[0]["uuid"]
    item = {**overridden(card), "z" * 8000: 1}
    status, data, raw = served.post(FEEDBACK, {"feedback": [item] * 100})
    assert status == 400
    assert data["error"].startswith("the body is not CDS Hooks feedback as igfrules accepts it: feedback.0.")
    assert "Extra inputs are not permitted" in data["error"] and data["error"].endswith("; and 90 more")
    assert b"z" * 100 not in raw and len(raw) < 2000


def test_feedback_for_another_service_or_without_a_database_is_404(served: Server, server: Server) -> None:
    status, data, _ = served.post("/cds-services/nope/feedback", {"feedback": []})
    assert status == 404 and SERVICE_ID in data["error"]
    status, data, _ = server.post(FEEDBACK, {"feedback": []})  # the shared test server keeps no feedback
    assert status == 404 and "--feedback-db" in data["error"]


def test_the_database_holds_no_patient_data(served: Server, database: Path) -> None:
    secrets: set[str] = set()
    for path in BUNDLES:
        request = request_for(path.stem)
        request["hookInstance"] = f"instance-of-{path.stem}"
        patient = request["prefetch"]["patient"]
        secrets |= {request["hookInstance"], request["context"]["userId"], request["context"]["patientId"],
                    patient.get("birthDate", "")}
        secrets |= {n for name in patient.get("name", []) for n in [*name.get("given", []), name.get("family", "")]}
        status, data, _ = served.post(PATH, request)
        assert status == 200
        served.post(FEEDBACK, {"feedback": [overridden(data["cards"][0]["uuid"], comment="see board notes")]})
    secrets.discard("")
    with sqlite3.connect(database) as db:
        tables = {t for (t,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert tables == {"issued_card", "feedback"}
        columns = {t: [c[1] for c in db.execute(f"PRAGMA table_info({t})")] for t in tables}
        values = [str(v) for t in tables for row in db.execute(f"SELECT * FROM {t}") for v in row]  # noqa: S608
    assert columns == {
        "issued_card": ["uuid", "entry_id", "topic", "kb_name", "kb_version", "kb_sha256", "issued_on"],
        "feedback": ["card_uuid", "entry_id", "topic", "outcome", "outcome_timestamp", "reason_system", "reason_code",
                     "comment", "received_on"]}
    assert values and secrets
    # Every column, comments too: the service adds nothing of the record to what a clinician typed.
    leaked = [(s, v) for s in secrets for v in values if s in v]
    assert not leaked
    issued_on = {r["issued_on"] for r in rows(database, "issued_card")}
    assert all(len(day) == 10 for day in issued_on)  # a day, never a time of day


def test_a_clinicians_comment_is_never_logged(served: Server) -> None:
    records: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record.getMessage())

    handler = Collect()
    loggers = [logging.getLogger(name) for name in ("uvicorn.access", "uvicorn.error", "igfrules.service", "")]
    for logger in loggers:
        logger.addHandler(handler)
    try:
        card = issued(served, instance="c0ffee00-0000-4000-8000-00000000c0de")[0]["uuid"]
        served.post(FEEDBACK, {"feedback": [overridden(card, comment="Mrs Quillfeather declined")]})
        served.post(FEEDBACK, {"feedback": [overridden(card, comment="Mrs Quillfeather " + "y" * 3000)]})
    finally:
        for logger in loggers:
            logger.removeHandler(handler)
    assert any("/feedback" in r for r in records), "the server logs its requests"
    assert not [r for r in records if "Quillfeather" in r]


def test_the_curators_command_lists_the_overrides_per_entry_and_reason(served: Server, database: Path) -> None:
    card = issued(served, instance="feedface-0000-4000-8000-000000000001")[0]
    entry = card["extension"]["org.igfrules.evidence"]["entry"]
    served.post(FEEDBACK, {"feedback": [overridden(card["uuid"], code="record-data-wrong")]})
    result = CliRunner().invoke(main, ["feedback", "--db", str(database), "--format", "json"])
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["research_only"] is True
    [listed] = [e for e in report["entries"] if e["subject"] == entry]
    assert {"reason": "record-data-wrong: The record's data are wrong", "count": 1} in listed["reasons"]
    assert "comments" not in listed


def test_the_curators_command_shows_a_clients_codes_and_comments_inert(served: Server, database: Path) -> None:
    """A client's own reason system and code, and a comment, are a client's text: in the terminal
    they cannot move the cursor or forge a line, in Markdown they cannot make a link or raw HTML."""
    card = issued(served, instance="feedface-0000-4000-8000-00000000e5c0")[0]
    entry = card["extension"]["org.igfrules.evidence"]["entry"]
    forged = overridden(card["uuid"], code="\x1b[2Jcleared\n   99  forged-line", system="urn:other\x1b[31m",
                        comment="<img src=x onerror=alert(1)> [click](https://evil.example)",
                        when="2026-12-02T08:00:00Z")
    assert served.post(FEEDBACK, {"feedback": [forged]})[0] == 200
    # color=True: as on a terminal (click strips escape sequences only when the output is not one)
    text = CliRunner().invoke(main, ["feedback", "--db", str(database), "--comments"], color=True)
    assert text.exit_code == 0, text.stderr
    assert "\x1b" not in text.stdout
    assert not [line for line in text.stdout.splitlines() if line.strip().startswith("99  forged-line")]
    markdown = CliRunner().invoke(main, ["feedback", "--db", str(database), "--comments", "--format", "markdown"],
                                  color=True)
    assert markdown.exit_code == 0, markdown.stderr
    assert "\x1b" not in markdown.stdout
    assert not re.search(r"(?<!\\)<img|(?<!\\)\]\(https://evil", markdown.stdout)  # only escaped: \<img, \](
    assert "\\<img" in markdown.stdout
    assert f"`{entry}`" in markdown.stdout
