"""A file the command was asked to write and could not is an error: `Error: <path>: <why>` on
stderr, exit 1, never exit 0 and never a traceback. Places that cannot be written even as root:
a path under a regular file, and a path that is a folder."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from igfrules.cli import main
from tests.conftest import RULES


def _docs_into(target: Path) -> tuple[int, str, BaseException | None]:
    result = CliRunner().invoke(main, ["docs", "--output", str(target), "--rules", str(RULES)])
    return result.exit_code, result.stderr, result.exception


@pytest.mark.parametrize("place", ["under_a_file", "a_folder"])
def test_docs_into_an_unwritable_place_exits_1_with_the_path(tmp_path: Path, place: str) -> None:
    """Mutation: cli/error_output.py reports_errors prints `Error:` for an OSError but does not
    call sys.exit(1) (the command exits 0)."""
    blocker = tmp_path / "blocker"
    if place == "under_a_file":
        blocker.write_text("a regular file, not a folder")
        target = blocker / "docs" / "knowledge-base.md"
    else:
        blocker.mkdir()
        target = blocker
    code, err, exception = _docs_into(target)
    assert code == 1
    assert isinstance(exception, SystemExit)  # reported, not a traceback
    assert err.startswith("Error: ") and str(blocker) in err
    assert "Traceback" not in err
    assert not err.startswith("wrote ")


def test_docs_into_a_writable_place_exits_0(tmp_path: Path) -> None:
    """The control: the same command into a place it can write succeeds."""
    code, err, _ = _docs_into(tmp_path / "docs" / "knowledge-base.md")
    assert (code, err) == (0, "")
