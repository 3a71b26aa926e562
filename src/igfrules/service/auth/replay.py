"""The replay cache: the `(iss, jti)` of every token accepted, until it could no longer be accepted.

CDS Hooks 2.0 gives every token a `jti` "used to protect against replay attacks". An entry lives
until the token's `exp` or the end of the `iat` window, whichever is first, plus the clock skew
(checks.py): after that the token is refused by those checks anyway, so the cache stays bounded by
the calls of one window. When it is full of live entries, calls are refused (503) rather than a
live entry forgotten, which would let that token be replayed.

One process keeps it in memory (ReplayCache). Worker processes (`serve --workers N`) share one
SQLite file (SqliteReplayCache), so a token replayed to another worker is caught too: an insert
that finds a live entry changes nothing, and SQLite's locking makes that atomic across processes.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

REPLAY_ENTRIES = 100_000
PRUNE_EVERY = 256  # the shared store is pruned and counted every this many calls
BUSY_MS = 5000


class ReplayFull(Exception):
    """Every entry is live and the cache is full."""


class ReplayCache:
    """In this process's memory."""

    def __init__(self, limit: int = REPLAY_ENTRIES) -> None:
        self.limit = limit
        self._until: dict[tuple[str, str], float] = {}

    def first_use(self, key: tuple[str, str], until: float, now: float) -> bool:
        """Record `key` until `until`; False if it is recorded and live (a replay)."""
        seen = self._until.get(key)
        if seen is not None and seen >= now:
            return False
        if len(self._until) >= self.limit:
            self._until = {k: t for k, t in self._until.items() if t >= now}
            if len(self._until) >= self.limit:
                raise ReplayFull
        self._until[key] = until
        return True


class SqliteReplayCache:
    """In a SQLite file every worker process opens: holds issuers and nonces, never a token."""

    def __init__(self, path: str | Path, limit: int = REPLAY_ENTRIES, prune_every: int = PRUNE_EVERY) -> None:
        self.path, self.limit, self.prune_every = Path(path), limit, prune_every
        self._calls = 0
        self._full = False
        self._db: sqlite3.Connection | None = None

    def _connection(self) -> sqlite3.Connection:
        if self._db is None:  # opened in the process that uses it, never inherited
            self._db = sqlite3.connect(self.path, timeout=BUSY_MS / 1000, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.execute("CREATE TABLE IF NOT EXISTS seen (iss TEXT NOT NULL, jti TEXT NOT NULL, "
                             "until REAL NOT NULL, PRIMARY KEY (iss, jti))")
            self._db.execute("CREATE INDEX IF NOT EXISTS seen_until ON seen (until)")
        return self._db

    def first_use(self, key: tuple[str, str], until: float, now: float) -> bool:
        db = self._connection()
        self._calls += 1
        if (self._calls - 1) % self.prune_every == 0 or self._full:
            db.execute("DELETE FROM seen WHERE until < ?", (now,))
            self._full = db.execute("SELECT count(*) FROM seen").fetchone()[0] >= self.limit
        if self._full:
            if db.execute("SELECT 1 FROM seen WHERE iss = ? AND jti = ? AND until >= ?", (*key, now)).fetchone():
                return False
            raise ReplayFull
        changed = db.execute("INSERT INTO seen (iss, jti, until) VALUES (?, ?, ?) ON CONFLICT (iss, jti) "
                             "DO UPDATE SET until = excluded.until WHERE seen.until < ?", (*key, until, now)).rowcount
        return changed == 1
