"""The feedback database: the cards the service issued and what clinicians said about them.

SQLite (the standard library's sqlite3) suits a service that writes a few rows a request and a
curator who reads them now and then: one file to keep, copy and hand over; every write a
transaction; with write-ahead logging (WAL) readers never block the writer nor the writer them;
no server to run or secure. Several worker processes write the same file: each waits for the
others' short transactions (a busy timeout) instead of failing.

No patient data goes in: no patient id, no hook instance (a card's uuid is a one-way uuid5 of it),
no user id, no prefetch. A card is kept with its entry id, its topic, the knowledge base and the
day (not the time) it was issued; feedback with its outcome, reason, the clinician's comment (free
text: never logged) and two timestamps, the client's and the day the service received it.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from ...errors import InputError, Problem

APPLICATION_ID = 0x49474652  # "IGFR": PRAGMA application_id marks the file as igfrules' own
SCHEMA_VERSION = 1
BUSY_TIMEOUT_MS = 5000  # a writer waits this long for another process's transaction to end
DEFAULT_NAME = "feedback.sqlite3"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS issued_card (
    uuid TEXT PRIMARY KEY,
    entry_id TEXT,
    topic TEXT NOT NULL,
    kb_name TEXT NOT NULL,
    kb_version TEXT NOT NULL,
    kb_sha256 TEXT NOT NULL,
    issued_on TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS feedback (
    card_uuid TEXT NOT NULL REFERENCES issued_card (uuid),
    entry_id TEXT,
    topic TEXT NOT NULL,
    outcome TEXT NOT NULL CHECK (outcome IN ('accepted', 'overridden')),
    outcome_timestamp TEXT NOT NULL,
    reason_system TEXT,
    reason_code TEXT,
    comment TEXT,
    received_on TEXT NOT NULL,
    PRIMARY KEY (card_uuid, outcome, outcome_timestamp)
) WITHOUT ROWID;
"""


def default_path() -> Path:
    """`$XDG_DATA_HOME/igfrules/feedback.sqlite3`, else `~/.local/share/igfrules/feedback.sqlite3`:
    user data that outlives a restart and an upgrade, kept out of the working folder."""
    base = os.environ.get("XDG_DATA_HOME", "")
    if not os.path.isabs(base):  # the XDG rule: a relative value is ignored
        base = os.path.join(os.path.expanduser("~"), ".local", "share")
    return Path(base) / "igfrules" / DEFAULT_NAME


@dataclass(frozen=True)
class Issued:
    """One card as the database keeps it."""

    uuid: str
    entry_id: str | None
    topic: str
    kb_name: str
    kb_version: str
    kb_sha256: str


@dataclass(frozen=True)
class Feedback:
    """One checked feedback item (endpoint.py), its timestamp normalised to UTC."""

    card: str
    outcome: str
    outcome_timestamp: str
    reason_system: str | None
    reason_code: str | None
    comment: str | None


class UnknownCards(Exception):
    """Feedback about cards this database never saw issued; nothing of the request was stored."""

    def __init__(self, uuids: list[str]) -> None:
        super().__init__(", ".join(uuids))
        self.uuids = uuids


class FeedbackStore:
    """One connection to the database, shared by the threads of one process under a lock."""

    def __init__(self, path: Path, *, create: bool = True) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._db = _open(path, create=create)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction, taken at once (BEGIN IMMEDIATE), so two processes never both
        read and then both try to write; rolled back on any error."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def record_issued(self, cards: Iterable[Issued], day: str) -> None:
        """Keep the cards of one answer; a card already kept (the same uuid) is left as it was."""
        rows = [(c.uuid, c.entry_id, c.topic, c.kb_name, c.kb_version, c.kb_sha256, day) for c in cards]
        with self._write() as db:
            db.executemany("INSERT OR IGNORE INTO issued_card VALUES (?, ?, ?, ?, ?, ?, ?)", rows)

    def add_feedback(self, items: list[Feedback], day: str) -> tuple[int, int]:
        """Store every item or none: (stored, already stored). The same card, outcome and outcome
        timestamp is one piece of feedback, so a resend stores nothing new. UnknownCards when a
        card was never issued through this database."""
        with self._write() as db:
            known: dict[str, tuple[str | None, str]] = {}
            for item in items:
                row = db.execute("SELECT entry_id, topic FROM issued_card WHERE uuid = ?", (item.card,)).fetchone()
                if row is not None:
                    known[item.card] = (row[0], row[1])
            unknown = sorted({item.card for item in items} - set(known))
            if unknown:
                raise UnknownCards(unknown)
            stored = 0
            for item in items:
                entry_id, topic = known[item.card]
                cursor = db.execute(
                    "INSERT INTO feedback VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
                    "ON CONFLICT (card_uuid, outcome, outcome_timestamp) DO NOTHING",
                    (item.card, entry_id, topic, item.outcome, item.outcome_timestamp, item.reason_system,
                     item.reason_code, item.comment, day))
                stored += cursor.rowcount
        return stored, len(items) - stored

    def feedback_rows(self) -> list[tuple[str | None, str, str, str | None, str | None, str | None, str, str,
                                          str]]:
        """Every feedback row with its card's knowledge base: (entry_id, topic, outcome,
        reason_system, reason_code, comment, outcome_timestamp, kb_version, kb_name), sorted."""
        with self._lock:
            return self._db.execute(
                "SELECT f.entry_id, f.topic, f.outcome, f.reason_system, f.reason_code, f.comment, "
                "f.outcome_timestamp, c.kb_version, c.kb_name FROM feedback f JOIN issued_card c "
                "ON c.uuid = f.card_uuid ORDER BY f.entry_id, f.topic, f.outcome_timestamp, f.card_uuid").fetchall()


def _open(path: Path, *, create: bool) -> sqlite3.Connection:
    """A connection in WAL mode with a busy timeout, to a database that is igfrules' own (made so
    if `create` and the file is new or empty). InputError naming the file otherwise."""
    if path.exists() and not path.is_file():
        raise InputError(Problem(str(path), "", "is a folder or a device, not a feedback database file"))
    if not create and not path.exists():
        raise InputError(Problem(str(path), "", "no such feedback database; give the --feedback-db file "
                                                "igfrules serve writes"))
    if create:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        if not path.exists():  # comments are clinicians' words: readable by this user only
            os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
    try:
        db = sqlite3.connect(path.resolve().as_uri() + "?mode=rw", uri=True, isolation_level=None,
                             check_same_thread=False, timeout=BUSY_TIMEOUT_MS / 1000)
    except sqlite3.Error as err:
        raise InputError(Problem(str(path), "", f"cannot open the feedback database: {err}")) from None
    try:
        db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        _check_or_create(db, path, create)
    except sqlite3.DatabaseError as err:
        db.close()
        raise InputError(Problem(str(path), "", f"not an igfrules feedback database ({err})")) from None
    except InputError:
        db.close()
        raise
    return db


def _check_or_create(db: sqlite3.Connection, path: Path, create: bool) -> None:
    app_id = db.execute("PRAGMA application_id").fetchone()[0]
    tables = db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
    if app_id != APPLICATION_ID and (tables or not create):
        raise InputError(Problem(str(path), "", "not an igfrules feedback database (an SQLite file of another "
                                                "program); give the --feedback-db file igfrules serve writes"))
    version = db.execute("PRAGMA user_version").fetchone()[0]
    if app_id == APPLICATION_ID and version > SCHEMA_VERSION:
        raise InputError(Problem(str(path), "", f"written by a newer igfrules (schema {version}, this one reads "
                                                f"{SCHEMA_VERSION}); upgrade igfrules"))
    if create:
        db.execute("PRAGMA journal_mode = WAL")  # kept in the file: every later connection uses it
        db.execute("PRAGMA synchronous = NORMAL")  # with WAL: safe from corruption, one fsync per checkpoint
        db.execute("BEGIN IMMEDIATE")
        try:
            for statement in filter(None, (s.strip() for s in _SCHEMA.split(";"))):
                db.execute(statement)
            db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")
