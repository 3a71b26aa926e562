"""Golden files (expected outputs kept in the repository) and how they are refreshed.

`IGFRULES_UPDATE_EXPECTED=1` rewrites every golden file whose content differs, and that test then
FAILS, naming the file: a refresh never passes silently, and an update run can never turn a
regression green. Review `git diff`, then run the tests again without the variable."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

UPDATE = "IGFRULES_UPDATE_EXPECTED"


def updating() -> bool:
    return os.environ.get(UPDATE, "") not in ("", "0")


def check_golden(path: Path, actual: str) -> None:
    """Assert that `path` holds exactly `actual`; in update mode, write it and fail if it differed."""
    current = path.read_text(encoding="utf-8") if path.exists() else None
    if updating() and current != actual:
        path.write_text(actual, encoding="utf-8")
        pytest.fail(f"{path} was rewritten ({UPDATE} is set): review the diff, then run the tests without it",
                    pytrace=False)
    assert current is not None, f"no expected output {path}; create it with {UPDATE}=1 and review it"
    assert actual == current, f"{path} differs; after an intended change, refresh it with {UPDATE}=1"
