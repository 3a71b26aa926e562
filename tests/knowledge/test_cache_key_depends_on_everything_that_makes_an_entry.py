"""The cache entry's name changes with everything that makes a pickled knowledge base: igfrules'
own code, the knowledge base's folder and content, Python's and pydantic's versions. An upgrade
of igfrules must never be served a parse made by the old code.

The code fingerprint is set by the test, never read from the disk: these tests do not depend on
when igfrules' files were last written, nor on the filesystem."""

from __future__ import annotations

from pathlib import Path

import pytest

from igfrules.knowledge import cache
from tests.conftest import RULES

SHA = "a" * 64


@pytest.fixture
def code(monkeypatch: pytest.MonkeyPatch) -> object:
    def set_code(fingerprint: bytes) -> None:
        monkeypatch.setattr(cache, "_fingerprint", fingerprint)
    set_code(b"code of igfrules 0.1")
    return set_code


def test_the_key_changes_with_igfrules_own_code(code: object, monkeypatch: pytest.MonkeyPatch) -> None:
    """Mutation: `digest.update(code)` dropped from cache.cache_key (the key stops depending on
    igfrules' code: an upgrade could read a stale parse)."""
    before = cache.cache_key(RULES, SHA)
    monkeypatch.setattr(cache, "_fingerprint", b"code of igfrules 0.2")
    after = cache.cache_key(RULES, SHA)
    assert before is not None and after is not None and before != after
    monkeypatch.setattr(cache, "_fingerprint", b"code of igfrules 0.1")
    assert cache.cache_key(RULES, SHA) == before  # and is the same for the same code


def test_the_key_changes_with_content_folder_python_and_pydantic(
        code: object, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Mutations: the content sha256, the folder, sys.version or pydantic's version left out of
    the key."""
    import sys

    import pydantic.version

    base = cache.cache_key(RULES, SHA)
    keys = {base, cache.cache_key(RULES, "b" * 64), cache.cache_key(tmp_path, SHA)}
    monkeypatch.setattr(sys, "version", sys.version + " (another build)")
    keys.add(cache.cache_key(RULES, SHA))
    monkeypatch.undo()
    monkeypatch.setattr(cache, "_fingerprint", b"code of igfrules 0.1")
    monkeypatch.setattr(pydantic.version, "VERSION", "0.0.0-test")
    keys.add(cache.cache_key(RULES, SHA))
    assert len(keys) == 5 and None not in keys
    assert all(len(k) == 64 for k in keys if k)


def test_an_entry_written_by_other_code_is_not_read(
        code: object, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Mutation: as in the first test, seen end to end: an entry stored under one code
    fingerprint is not found under another."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    cache.write(cache.cache_key(RULES, SHA), ("fields", {}, "vocabulary"))
    assert cache.read(cache.cache_key(RULES, SHA)) == ("fields", {}, "vocabulary")
    monkeypatch.setattr(cache, "_fingerprint", b"code of igfrules 0.2")
    assert cache.read(cache.cache_key(RULES, SHA)) is None


def test_no_code_fingerprint_means_no_key(monkeypatch: pytest.MonkeyPatch) -> None:
    """Mutation: cache_key returns a key when the code fingerprint is empty (a file of igfrules
    changed after the process started reading its code)."""
    monkeypatch.setattr(cache, "_fingerprint", b"")
    assert cache.cache_key(RULES, SHA) is None
