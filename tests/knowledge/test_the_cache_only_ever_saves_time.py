"""The per-user cache only ever saves time: it covers igfrules' own code and data, never keeps a
sha256 for files that changed while they were hashed, keeps exactly the newest 24 entries of each
kind, and a disk it cannot write or a value it cannot pickle is silently no cache.

The clock, the mount table and the code fingerprint are set by the tests: nothing here depends on
when files were written or on the filesystem of the temporary folder."""

from __future__ import annotations

import hashlib
import os
import shutil
import time
from pathlib import Path
from types import SimpleNamespace

import pytest

import igfrules
from igfrules.evaluation.loading import load_knowledge_base
from igfrules.knowledge import cache, file_stamps
from tests.conftest import RULES


def _prune(folder: Path) -> None:
    """cache._prune works on the folder's descriptor (checked once, never followed again)."""
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        cache._prune(fd)
    finally:
        os.close(fd)


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.delenv("IGFRULES_NO_CACHE", raising=False)
    monkeypatch.setattr(cache, "_fingerprint", b"igfrules' own code, settled")
    monkeypatch.setattr(file_stamps, "_mounts", lambda: [("/", "ext4")])
    later = time.time_ns() + 10_000_000_000  # as if every file had been written well before now
    monkeypatch.setattr(cache, "_now_ns", lambda: later)
    return tmp_path / "xdg" / "igfrules"


def test_the_code_fingerprint_covers_every_module_and_the_agents_file(monkeypatch: pytest.MonkeyPatch) -> None:
    """Mutation: _PACKAGE one folder too high (parents[2]): in a wheel, data/agents.yaml is then no
    longer "data/..." and an edit of it would not change the key."""
    seen: list[tuple[str, list[str]]] = []
    monkeypatch.setattr(cache, "_fingerprint", None)
    monkeypatch.setattr(cache, "keeps_change_time", lambda folder: True)
    monkeypatch.setattr(cache, "stamp", lambda folder, names, moment: seen.append((folder, names)) or b"stamp")
    assert cache._code_fingerprint() == b"stamp"
    ((package, names),) = seen
    assert Path(package) == Path(igfrules.__file__).resolve().parent
    assert {"data/agents.yaml", "knowledge/cache.py", "__init__.py", "model/verdict.py"} <= set(names)


def test_where_stamps_cannot_be_trusted_the_fingerprint_hashes_the_files(monkeypatch: pytest.MonkeyPatch) -> None:
    """Mutations in the read-and-hash branch of _code_fingerprint (names or bytes left out)."""
    monkeypatch.setattr(cache, "_fingerprint", None)
    monkeypatch.setattr(cache, "keeps_change_time", lambda folder: False)
    package = Path(igfrules.__file__).resolve().parent
    expected = hashlib.sha256()
    for name in file_stamps.code_files(str(package)):
        expected.update(name.encode() + b"\0" + (package / name).read_bytes() + b"\0")
    assert cache._code_fingerprint() == expected.digest()


def test_a_sha256_is_never_remembered_for_files_changed_while_they_were_hashed(
        folder: Path, tmp_path: Path) -> None:
    """Mutation: `name and stamp(...) == before` turned into `or` in content_sha256: the sha256 of
    the old content was remembered under a stamp, and an edit made during the hash was then
    served stale."""
    rules = tmp_path / "rules"
    shutil.copytree(RULES, rules)
    names = ["knowledge-base.yaml"]
    target = rules / "knowledge-base.yaml"

    def edit_while_hashing(root: Path) -> str:
        digest = hashlib.sha256(target.read_bytes()).hexdigest()
        target.write_text(target.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
        return digest

    cache.content_sha256(rules, names, edit_while_hashing)
    assert list(folder.glob("*.sha256")) == []
    cache.content_sha256(rules, names, lambda root: "a" * 64)  # unchanged files: now remembered
    assert len(list(folder.glob("*.sha256"))) == 1


def test_exactly_the_newest_24_entries_of_each_kind_are_kept(folder: Path) -> None:
    """Mutation: KEEP moved from the 24 the module's docstring promises (23, 25)."""
    folder.mkdir(parents=True, mode=0o700)
    old = time.time() - 86400
    for number in range(30):
        for suffix in (".pickle", ".sha256"):
            entry = folder / f"{number:064x}{suffix}"
            entry.write_bytes(b"old")
            os.utime(entry, (old + number, old + number))
    _prune(folder)
    for suffix in (".pickle", ".sha256"):
        kept = sorted(p.name for p in folder.glob(f"*{suffix}"))
        assert kept == [f"{number:064x}{suffix}" for number in range(6, 30)]


def test_a_cache_folder_that_cannot_be_created_means_no_cache(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Mutation: _write_bytes no longer swallows OSError (a cache folder under a regular file, a
    read-only or full disk, broke every start)."""
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    monkeypatch.delenv("IGFRULES_NO_CACHE", raising=False)
    monkeypatch.setattr(cache, "_fingerprint", b"igfrules' own code, settled")
    assert load_knowledge_base(RULES, use_cache=True).sha256 == load_knowledge_base(RULES).sha256
    cache.write("c" * 64, ("a parsed knowledge base",))  # what store() does after a parse: no error
    assert cache.read("c" * 64) is None
    assert blocker.read_text() == "not a folder"


def test_a_value_too_deep_to_pickle_is_not_cached(folder: Path) -> None:
    """Mutation: RecursionError no longer caught in cache.write (pickling too deep a value crashed
    the load instead of skipping the cache)."""
    deep: list[object] = []
    for _ in range(100_000):
        deep = [deep]
    cache.write("b" * 64, (deep,))
    assert not (folder / f"{'b' * 64}.pickle").exists()


def test_a_write_that_fails_leaves_no_temporary_file(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Mutation: the temporary file no longer removed when the rename fails (`except BaseException`
    in _write_bytes)."""
    def refuse(source: object, target: object, **descriptors: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(cache.os, "replace", refuse)
    cache.write("d" * 64, ("value",))
    assert [p.name for p in folder.iterdir()] == []


def test_a_temporary_file_goes_only_once_a_whole_hour_old(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Another process may still be writing a temporary file under an hour old: it is kept to the
    last second of the hour, and removed just past it. The clock is set, so the edge is exact.
    Mutation: the hour shortened to 3599 s (`_LEFTOVER_SECONDS = 3600` turned into 3599 in
    knowledge/cache.py)."""
    now = 1_800_000_000.0
    monkeypatch.setattr(cache, "time", SimpleNamespace(time=lambda: now))
    folder.mkdir(parents=True, mode=0o700)
    writing = folder / ".tmp-still-being-written"
    writing.write_bytes(b"")
    os.utime(writing, (now - 3599.5, now - 3599.5))  # half a second short of the hour
    left = folder / ".tmp-left-behind"
    left.write_bytes(b"")
    os.utime(left, (now - 3600.5, now - 3600.5))  # half a second past it
    _prune(folder)
    assert [p.name for p in folder.iterdir()] == [".tmp-still-being-written"]


def test_leftover_temporary_files_go_after_an_hour_and_nothing_else_does(folder: Path) -> None:
    """Mutations: the hour moved (3601 s), a subfolder stopping the scan (`continue` -> `break`),
    a symlink named like a temporary file followed and removed (is_file(follow_symlinks=True))."""
    folder.mkdir(parents=True, mode=0o700)
    now = time.time()
    (folder / "a-subfolder").mkdir()  # not ours: skipped, and the scan goes on
    old = folder / ".tmp-old"
    old.write_bytes(b"")
    os.utime(old, (now - 3600.5, now - 3600.5))  # an hour and a half-second: a process died mid-write
    recent = folder / ".tmp-recent"
    recent.write_bytes(b"")
    os.utime(recent, (now - 3590, now - 3590))  # ten seconds short of the hour: maybe still being written
    link = folder / ".tmp-link"
    link.symlink_to(recent)  # followed, it would look like a regular file
    os.utime(link, (now - 7200, now - 7200), follow_symlinks=False)
    for number in range(30):
        entry = folder / f"{number:064x}.pickle"
        entry.write_bytes(b"old")
        os.utime(entry, (now - 86400 + number, now - 86400 + number))
    _prune(folder)
    assert not old.exists()
    assert recent.exists() and link.is_symlink() and (folder / "a-subfolder").is_dir()
    assert sorted(p.name for p in folder.glob("*.pickle")) == [f"{n:064x}.pickle" for n in range(6, 30)]


def test_a_parent_folder_that_cannot_be_examined_means_no_cache(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Whether others could swap the cache folder is unknown when its parent cannot be examined
    (stat refused, or the parent swapped away at that moment), and unknown is not safe: the entry
    is not unpickled, though the folder itself would open. Mutation: `return False` turned into
    `return True` in _parent_safe's `except OSError` (knowledge/cache.py)."""
    load_knowledge_base(RULES, use_cache=True)
    sha256 = load_knowledge_base(RULES).sha256
    assert cache.load(RULES, sha256) is not None  # an entry is there, and trusted
    real_stat = os.stat

    def refused_for_the_parent(path: object, *args: object, **kwargs: object) -> os.stat_result:
        if isinstance(path, str | os.PathLike) and Path(path) == folder.parent:
            raise PermissionError(13, "Permission denied", str(path))
        return real_stat(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(cache.os, "stat", refused_for_the_parent)
    assert cache.load(RULES, sha256) is None
