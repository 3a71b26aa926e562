"""Update mode of the golden files fails loudly for each file it rewrites: it can never write the
expected output and then pass by comparing the output with itself."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.golden import UPDATE, check_golden


def test_a_difference_fails_and_leaves_the_file_alone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(UPDATE, raising=False)
    golden = tmp_path / "expected.json"
    golden.write_text("old", encoding="utf-8")
    with pytest.raises(AssertionError, match="differs"):
        check_golden(golden, "new")
    assert golden.read_text(encoding="utf-8") == "old"


def test_a_missing_file_fails_and_is_not_created(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(UPDATE, raising=False)
    with pytest.raises(AssertionError, match="no expected output"):
        check_golden(tmp_path / "expected.json", "new")
    assert not (tmp_path / "expected.json").exists()


@pytest.mark.parametrize("before", ["old", None])
def test_update_mode_rewrites_the_file_and_fails(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                  before: str | None) -> None:
    """Mutation: check_golden writes the file and then compares against what it wrote (the test
    passes in update mode, whatever the output)."""
    monkeypatch.setenv(UPDATE, "1")
    golden = tmp_path / "expected.json"
    if before is not None:
        golden.write_text(before, encoding="utf-8")
    with pytest.raises(pytest.fail.Exception, match="was rewritten"):
        check_golden(golden, "new")
    assert golden.read_text(encoding="utf-8") == "new"


def test_update_mode_passes_when_nothing_changed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(UPDATE, "1")
    golden = tmp_path / "expected.json"
    golden.write_text("same", encoding="utf-8")
    check_golden(golden, "same")
    assert golden.read_text(encoding="utf-8") == "same"
