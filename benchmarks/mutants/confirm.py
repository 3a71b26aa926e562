"""Survivors tried again against the module's whole test list (benchmarks/mutation.py --confirm).

A mutant runs only the tests that executed its line (choose.py). That choice can only
err one way: a test coverage did not see (a process that did not write its data, a module-scoped
fixture whose set-up ran under another test's name) might have killed a mutant that then survives.
So each survivor not listed as equivalent is written into the module's copy again and the module's
whole list (modules.MODULES) runs against it; one it kills is recorded as killed, with the reason, and
counted: that count is how often the choice missed.
"""

from __future__ import annotations

import re
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from mutants.choose import SETTLE


def apply(source: str, diff: str) -> str | None:
    """The module with a cosmic-ray mutation diff (unified, one or more hunks) applied, or None
    when a hunk's context is not where it says."""
    lines = source.splitlines(keepends=True)
    hunks = re.findall(r"^@@ -(\d+)(?:,\d+)? \+\d+(?:,\d+)? @@.*\n((?:[ +-].*(?:\n|$))*)", diff, re.MULTILINE)
    for start, body in reversed(hunks):  # from the end, so earlier line numbers still hold
        old = [b[1:] for b in body.splitlines() if b[:1] in " -"]
        new = [b[1:] for b in body.splitlines() if b[:1] in " +"]
        at = int(start) - 1
        if [x.rstrip("\n") for x in lines[at:at + len(old)]] != old:
            return None
        lines[at:at + len(old)] = [x + "\n" for x in new]
    return "".join(lines) if hunks else None


def confirm(module: str, base: Path, tests: list[str], env: dict[str, str], timeout: float,
            equivalent: Callable[[int, str], str | None]) -> tuple[int, int]:
    """Try every survivor of `base`'s session against `tests`; returns (tried, killed)."""
    repo, session = base / "repo", base / "session.sqlite"
    target = repo / "src" / "igfrules" / module
    pristine = (base / "pristine.py").read_bytes()
    with sqlite3.connect(session) as db:
        survivors = db.execute(
            "SELECT r.job_id, m.start_pos_row, r.diff FROM work_results r JOIN mutation_specs m "
            "ON m.job_id = r.job_id WHERE r.test_outcome = 'SURVIVED' ORDER BY r.job_id").fetchall()
    tried = killed = 0
    try:
        for job, row, diff in survivors:
            if equivalent(row, diff) is not None:
                continue
            mutated = apply(pristine.decode("utf-8"), diff)
            if mutated is None:
                print(f"   line {row}: the mutant's diff does not fit the module; not tried", flush=True)
                continue
            target.write_text(mutated, encoding="utf-8")
            tried += 1
            time.sleep(SETTLE)
            command = [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", *tests]
            try:
                done = subprocess.run(command, cwd=repo, env=env, capture_output=True, text=True, check=False,
                                      timeout=timeout)
                outcome, tail = done.returncode, done.stdout[-1500:]
            except subprocess.TimeoutExpired:
                outcome, tail = -1, f"timed out after {timeout:.0f} s"
            if outcome != 0:
                killed += 1
                print(f"   line {row}: killed by the whole list, which the chosen tests missed", flush=True)
                with sqlite3.connect(session) as db:
                    db.execute("UPDATE work_results SET test_outcome = 'KILLED', output = ? WHERE job_id = ?",
                               ("killed by the module's whole test list (--confirm):\n" + tail, job))
    finally:
        target.write_bytes(pristine)
    return tried, killed
