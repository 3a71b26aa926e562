"""The feedback database: several processes write one file without losing a row or failing on a
lock; it is igfrules' own file (mode 0600), and a file of another program or a newer schema is
refused, untouched."""

from __future__ import annotations

import multiprocessing
import sqlite3
import stat
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest

from igfrules.errors import InputError
from igfrules.service.feedback.store import Feedback, FeedbackStore, Issued, UnknownCards

WRITES = 150


def write_many(path: str, writer: int) -> int:
    """One worker process's traffic: an answer's cards recorded, then feedback on one of them."""
    store = FeedbackStore(Path(path))
    stored = 0
    for n in range(WRITES):
        card = f"{writer:08x}-0000-5000-8000-{n:012x}"
        store.record_issued([Issued(card, "RAT-X", "rationale", "kb", "1", "0" * 64),
                             Issued(f"{writer:08x}-0000-5000-9000-{n:012x}", None, "trials", "kb", "1", "0" * 64)],
                            "2026-12-06")
        stored += store.add_feedback([Feedback(card, "overridden", "2026-12-06T10:00:00.000000Z", None, None,
                                               None)], "2026-12-06")[0]
    store.close()
    return stored


def test_two_processes_write_one_database_and_lose_nothing(tmp_path: Path) -> None:
    path = tmp_path / "feedback.sqlite3"
    FeedbackStore(path).close()
    with ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("spawn")) as pool:
        stored = list(pool.map(write_many, [str(path)] * 2, [1, 2]))
    assert stored == [WRITES, WRITES]
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT count(*) FROM feedback").fetchone()[0] == 2 * WRITES
        assert db.execute("SELECT count(*) FROM issued_card").fetchone()[0] == 4 * WRITES
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_the_file_is_readable_by_its_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "new" / "feedback.sqlite3"
    FeedbackStore(path).close()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700


def test_feedback_on_an_unknown_card_stores_nothing_of_the_batch(tmp_path: Path) -> None:
    store = FeedbackStore(tmp_path / "f.sqlite3")
    store.record_issued([Issued("a", "RAT-X", "rationale", "kb", "1", "0" * 64)], "2026-12-06")
    with pytest.raises(UnknownCards) as raised:
        store.add_feedback([Feedback("a", "overridden", "t", None, None, None),
                            Feedback("b", "overridden", "t", None, None, None)], "2026-12-06")
    assert raised.value.uuids == ["b"]
    assert store.feedback_rows() == []


def test_another_programs_database_is_refused_and_left_as_it_was(tmp_path: Path) -> None:
    path = tmp_path / "other.sqlite3"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE patients (name TEXT)")
    before = path.read_bytes()
    for create in (True, False):
        with pytest.raises(InputError, match="not an igfrules feedback database"):
            FeedbackStore(path, create=create)
    assert path.read_bytes() == before


def test_a_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "f.sqlite3"
    FeedbackStore(path).close()
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA user_version = 99")
    with pytest.raises(InputError, match="newer igfrules"):
        FeedbackStore(path, create=False)
