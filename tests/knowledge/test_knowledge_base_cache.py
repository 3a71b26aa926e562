"""The per-user knowledge-base cache: read only where nobody else can write, never stale, never required.

Nothing here depends on when igfrules' own files were last written, nor on the filesystem that
holds the temporary folders: the code fingerprint is set by the `folder` fixture (a source file
touched a moment before pytest started gave no fingerprint, hence no cache, and ten failures), and
the tests about stamps say which filesystem the files are on (`trusted_stamps`) instead of
failing where the temporary folder is on NFS or FUSE.
"""

from __future__ import annotations

import os
import shutil
import stat
import time
from pathlib import Path

import pytest

import igfrules
from igfrules.evaluation.loading import load_knowledge_base
from igfrules.knowledge import cache, file_stamps
from igfrules.knowledge.loader import cached_knowledge_base
from tests.conftest import CASES, RULES

CASE = CASES / "hr-positive-her2-negative-nonvisceral.yaml"


CODE = b"igfrules' own code, settled long before this process started"


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.delenv("IGFRULES_NO_CACHE", raising=False)
    monkeypatch.setattr(cache, "_fingerprint", CODE)  # tests/knowledge/test_cache_key_* vary it
    return tmp_path / "xdg" / "igfrules"


@pytest.fixture
def trusted_stamps(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every path on a local filesystem with a change time of its own (ext4), as the stamp tests
    assume, whatever holds the temporary folder; the NFS test says otherwise itself."""
    monkeypatch.setattr(file_stamps, "_mounts", lambda: [("/", "ext4")])


def _after_a_timestamp_tick(folder: Path, before: os.stat_result) -> None:
    """Return once a file written now gets a later change time than `before`: the file system's
    clock has moved past that tick (a few ms), so that an edit is seen. A wait on the condition
    itself, not a guessed sleep."""
    probe = folder / ".tick"
    while True:
        probe.write_bytes(b"")
        if probe.stat().st_ctime_ns > before.st_ctime_ns:
            probe.unlink()
            return


def _files(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.pickle")) if folder.is_dir() else []


def test_a_second_load_reads_the_cache_and_gives_the_same_reports(folder: Path) -> None:
    parsed = load_knowledge_base(RULES, use_cache=True)
    (written,) = _files(folder)
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE(written.stat().st_mode) == 0o600
    assert cached_knowledge_base(RULES, parsed.sha256) is not None
    cached = load_knowledge_base(RULES, use_cache=True)
    assert cached == parsed and cached is not parsed
    assert igfrules.evaluate(CASE, cached).to_json() == igfrules.evaluate(CASE, parsed).to_json()


def test_the_library_writes_no_cache_unless_asked(folder: Path) -> None:
    load_knowledge_base(RULES)
    assert _files(folder) == []


def test_igfrules_no_cache_turns_it_off(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    load_knowledge_base(RULES, use_cache=True)
    monkeypatch.setenv("IGFRULES_NO_CACHE", "1")
    calls: list[str] = []
    monkeypatch.setattr(cache, "read", calls.append)
    load_knowledge_base(RULES, use_cache=True)
    assert calls == []


def _sha(folder: Path) -> str:
    return load_knowledge_base(RULES, use_cache=True).sha256


def test_a_folder_others_can_write_is_never_read(folder: Path) -> None:
    sha = _sha(folder)
    folder.chmod(0o777)
    assert cached_knowledge_base(RULES, sha) is None
    folder.chmod(0o720)
    assert cached_knowledge_base(RULES, sha) is None
    folder.chmod(0o700)
    assert cached_knowledge_base(RULES, sha) is not None


def test_a_file_others_can_write_is_never_read(folder: Path) -> None:
    sha = _sha(folder)
    (written,) = _files(folder)
    written.chmod(0o666)
    assert cached_knowledge_base(RULES, sha) is None


def test_files_of_another_owner_are_never_read(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    sha = _sha(folder)
    monkeypatch.setattr(os, "geteuid", lambda: os.getuid() + 1)  # as if another user ran igfrules
    assert cached_knowledge_base(RULES, sha) is None


def test_symlinks_are_never_followed(folder: Path, tmp_path: Path) -> None:
    sha = _sha(folder)
    (written,) = _files(folder)
    elsewhere = tmp_path / "elsewhere.pickle"
    written.rename(elsewhere)
    written.symlink_to(elsewhere)
    assert cached_knowledge_base(RULES, sha) is None
    written.unlink()
    elsewhere.rename(written)  # a regular file again, now in a folder reached through a symlink
    assert cached_knowledge_base(RULES, sha) is not None
    moved = tmp_path / "moved"
    folder.rename(moved)
    folder.symlink_to(moved, target_is_directory=True)
    assert cached_knowledge_base(RULES, sha) is None


def test_a_corrupt_file_falls_back_to_parsing_silently(folder: Path) -> None:
    parsed = load_knowledge_base(RULES, use_cache=True)
    (written,) = _files(folder)
    written.write_bytes(b"not a pickle")
    assert load_knowledge_base(RULES, use_cache=True) == parsed


def test_a_changed_knowledge_base_is_parsed_again(folder: Path, tmp_path: Path) -> None:
    rules = tmp_path / "rules"
    shutil.copytree(RULES, rules)
    before = load_knowledge_base(rules, use_cache=True)
    meta = rules / "knowledge-base.yaml"
    meta.write_text(meta.read_text(encoding="utf-8").replace("version: ", "version: 9", 1), encoding="utf-8")
    after = load_knowledge_base(rules, use_cache=True)
    assert after.sha256 != before.sha256 and after.meta.version != before.meta.version
    assert len(_files(folder)) == 2


def test_no_usable_home_means_no_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/path")
    monkeypatch.setenv("HOME", "")
    monkeypatch.setattr(os.path, "expanduser", lambda path: path)
    assert cache.cache_folder() is None
    assert load_knowledge_base(RULES, use_cache=True).sha256


def test_disabled_cache_is_neither_read_nor_written(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IGFRULES_NO_CACHE", "1")
    load_knowledge_base(RULES, use_cache=True)
    assert _files(folder) == []


def test_a_rule_saved_while_loading_is_never_cached_under_the_new_content(
        folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rules = tmp_path / "rules"
    shutil.copytree(RULES, rules)
    entry = rules / "rationales" / "rat-igf1r-tki.yaml"
    from igfrules.knowledge import loader

    digest = loader.content_digest
    calls = []

    def saved_mid_load(root: Path) -> str:  # the editor saves after the files were parsed, before the hash
        calls.append(root)
        if len(calls) == 2:
            entry.write_text(entry.read_text().replace("title: ", "title: EDITED ", 1))
        return digest(root)

    monkeypatch.setattr(loader, "content_digest", saved_mid_load)
    stale = load_knowledge_base(rules, use_cache=True)
    assert not stale.entries["RAT-IGF1R-TKI"].title.startswith("EDITED ")  # parsed before the save
    assert _files(folder) == []  # hashed before and after the parse differ: nothing stored
    monkeypatch.setattr(loader, "content_digest", digest)
    fresh = load_knowledge_base(rules, use_cache=True)
    assert fresh.entries["RAT-IGF1R-TKI"].title.startswith("EDITED ")


def test_a_library_batch_with_workers_leaves_the_cache_alone(folder: Path, tmp_path: Path) -> None:
    from igfrules.cohort.batch import read_items, run_batch

    cohort = tmp_path / "cohort.jsonl"
    cohort.write_text('{"er_status": "positive", "stage": "IV"}\n' * 600)
    tally = run_batch(read_items((str(cohort),), stdin=None), None, workers=2, kb=load_knowledge_base(RULES))
    assert tally.cases == 600
    assert _files(folder) == []  # the library asked for no cache: neither the parent nor a worker writes one


def test_the_cache_keeps_the_compiled_rules_the_catalog_and_the_vocabulary_unchanged(folder: Path) -> None:
    from igfrules.engine.durable_engine import compile_rules
    from igfrules.evaluation.cases import read_case
    from igfrules.evaluation.catalog import CATALOG, Catalog
    from igfrules.knowledge.loader import COMPILED_RULES
    from igfrules.model.vocabulary import vocabulary

    parsed = load_knowledge_base(RULES, use_cache=True)
    cached = load_knowledge_base(RULES, use_cache=True)
    assert cached is not parsed and COMPILED_RULES in cached.cache
    assert cached.cache[COMPILED_RULES] == compile_rules(cached.conditions)
    assert cached.engine is not parsed.engine  # a ruleset of its own, from the kept rules
    assert CATALOG in cached.cache and cached.cache[CATALOG].to_json() == Catalog(parsed).to_json()
    profile = read_case(CASE)
    assert cached.engine.evaluate(profile) == parsed.engine.evaluate(profile)
    kept = cache.read(cache.cache_key(RULES, parsed.sha256))
    assert kept is not None and kept[2].agents == vocabulary().agents and kept[2].classes == vocabulary().classes


def _package_copy(tmp_path: Path) -> Path:
    package = tmp_path / "package"
    (package / "data").mkdir(parents=True)
    (package / "module.py").write_text("VALUE = 1\n")
    (package / "data" / "agents.yaml").write_text("agents: {}\n")
    (package / "notes.txt").write_text("not code\n")
    return package


def _code_stamp(package: Path, moment_ns: int) -> bytes:
    return file_stamps.stamp(str(package), file_stamps.code_files(str(package)), moment_ns)


def test_an_edited_code_file_changes_the_stamp_even_at_the_same_size_and_mtime(
        tmp_path: Path, trusted_stamps: None) -> None:
    package = _package_copy(tmp_path)
    module = package / "module.py"
    settled = time.time_ns() + 10_000_000_000  # as if imported well after these files were written
    before = _code_stamp(package, settled)
    assert before and before == _code_stamp(package, settled)
    old = module.stat()
    _after_a_timestamp_tick(tmp_path, old)
    module.write_text("VALUE = 2\n")  # same size
    os.utime(module, ns=(old.st_atime_ns, old.st_mtime_ns))  # the old modification time put back
    assert module.stat().st_size == old.st_size and module.stat().st_mtime_ns == old.st_mtime_ns
    edited = _code_stamp(package, settled)
    assert edited not in (b"", before)
    (package / "notes.txt").write_text("neither code nor data: not part of the stamp\n")
    assert _code_stamp(package, settled) == edited
    (package / "data" / "agents.yaml").write_text("agents: {x: 1}\n")  # igfrules' own data is
    assert _code_stamp(package, settled) not in (b"", edited)


def test_code_changed_after_the_process_started_turns_the_cache_off(tmp_path: Path, trusted_stamps: None) -> None:
    package = _package_copy(tmp_path)
    assert _code_stamp(package, time.time_ns()) == b""  # written just now: maybe not what runs
    assert _code_stamp(package, time.time_ns() - 60_000_000_000) == b""


def test_no_code_stamp_means_no_cache(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cache, "_fingerprint", b"")  # as if a file of igfrules had just changed
    assert cache.cache_key(RULES, "0" * 64) is None
    assert load_knowledge_base(RULES, use_cache=True).sha256
    assert _files(folder) == []


def _settled_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(file_stamps, "_mounts", lambda: [("/", "ext4")])  # as trusted_stamps
    rules = tmp_path / "rules"
    shutil.copytree(RULES, rules)
    later = time.time_ns() + 10_000_000_000  # as if the copy had been made well before this start
    monkeypatch.setattr(cache, "_now_ns", lambda: later)
    return rules


def test_unchanged_rule_files_are_not_read_again_to_find_their_entry(
        folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from igfrules.knowledge import loader

    rules = _settled_copy(tmp_path, monkeypatch)
    parsed = load_knowledge_base(rules, use_cache=True)
    assert len(list(folder.glob("*.sha256"))) == 1

    def unread(root: Path) -> str:
        raise AssertionError("the files were read again")

    monkeypatch.setattr(loader, "content_digest", unread)
    assert load_knowledge_base(rules, use_cache=True) == parsed


def test_a_same_size_edit_with_its_old_mtime_put_back_is_never_served_stale(
        folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rules = _settled_copy(tmp_path, monkeypatch)
    before = load_knowledge_base(rules, use_cache=True)
    assert load_knowledge_base(rules, use_cache=True) == before  # served from the cache
    entry = rules / "rationales" / "rat-igf1r-tki.yaml"
    old = entry.stat()
    _after_a_timestamp_tick(tmp_path, old)
    text = entry.read_text(encoding="utf-8")
    entry.write_text(text.replace("title: Tyrosine", "title: Xyrosine", 1), encoding="utf-8")  # same size
    os.utime(entry, ns=(old.st_atime_ns, old.st_mtime_ns))
    assert entry.stat().st_size == old.st_size and entry.stat().st_mtime_ns == old.st_mtime_ns
    after = load_knowledge_base(rules, use_cache=True)
    assert after.entries["RAT-IGF1R-TKI"].title.startswith("Xyrosine") and after.sha256 != before.sha256


def test_rule_files_changed_just_now_are_read_every_time(folder: Path, tmp_path: Path, trusted_stamps: None,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """Files written this instant give no stamp to trust. The clock is held at the last file's change
    time: on a loaded machine the copy itself can take past the 2 s margin, and the files copied
    first had then settled by the time they were read (the test failed under a mutation run)."""
    rules = tmp_path / "rules"
    shutil.copytree(RULES, rules)
    written = max(max(p.stat().st_mtime_ns, p.stat().st_ctime_ns) for p in rules.rglob("*"))
    monkeypatch.setattr(cache, "_now_ns", lambda: written)
    first = load_knowledge_base(rules, use_cache=True)
    assert load_knowledge_base(rules, use_cache=True) == first  # still served from the cache, by content
    assert list(folder.glob("*.sha256")) == []


def test_old_entries_and_leftover_temporary_files_are_pruned_and_nothing_else(folder: Path) -> None:
    folder.mkdir(parents=True, mode=0o700)
    old = time.time() - 10 * 86400
    for number in range(cache.KEEP + 5):
        for suffix in (".pickle", ".sha256"):
            entry = folder / f"{number:064x}{suffix}"
            entry.write_bytes(b"old")
            os.utime(entry, (old + number, old + number))
    (folder / ".tmp-leftover").write_bytes(b"")
    os.utime(folder / ".tmp-leftover", (old, old))
    (folder / ".tmp-being-written").write_bytes(b"")
    (folder / "notes.txt").write_text("not ours")
    load_knowledge_base(RULES, use_cache=True)  # writes an entry, then prunes
    fakes = {f"{number:064x}" for number in range(cache.KEEP + 5)}
    for suffix in (".pickle", ".sha256"):
        assert len(list(folder.glob(f"*{suffix}"))) == cache.KEEP
        assert not (folder / f"{0:064x}{suffix}").exists()  # the oldest went first
        assert (folder / f"{cache.KEEP + 4:064x}{suffix}").exists()  # the newest old one stays
    assert [p for p in folder.glob("*.pickle") if p.stem not in fakes]  # and the entry just written
    assert not (folder / ".tmp-leftover").exists()
    assert (folder / ".tmp-being-written").exists() and (folder / "notes.txt").exists()
    assert load_knowledge_base(RULES, use_cache=True).sha256 == load_knowledge_base(RULES).sha256


def test_on_a_filesystem_whose_stamps_cannot_be_trusted_the_files_are_read_every_time(
        folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rules = _settled_copy(tmp_path, monkeypatch)
    monkeypatch.setattr(file_stamps, "_mounts", lambda: [("/", "nfs4")])  # NFS: stat() may be a minute old
    reads = []
    from igfrules.knowledge import loader

    real = loader.content_digest
    monkeypatch.setattr(loader, "content_digest", lambda root: reads.append(root) or real(root))
    first = load_knowledge_base(rules, use_cache=True)
    read_by_first = len(reads)
    assert load_knowledge_base(rules, use_cache=True) == first  # the entry is still used, found by content
    assert len(reads) == read_by_first + 1 and list(folder.glob("*.sha256")) == []
    assert file_stamps.stamp(str(rules), ["knowledge-base.yaml"], time.time_ns() + 10**10) == b""


def test_the_mount_table_names_the_filesystem_of_the_deepest_mount_point(monkeypatch: pytest.MonkeyPatch) -> None:
    file_stamps._mounts.cache_clear()
    table = ("22 27 0:21 / / rw,relatime shared:1 - ext4 /dev/vda rw\n"
             "30 22 0:40 / /mnt/usb\\040stick rw - vfat /dev/sdb1 rw\n"
             "31 22 0:41 / /home/shared rw - nfs4 server:/home rw\n")
    real_open = open

    def fake_open(path: object, *args: object, **kwargs: object) -> object:
        if path == "/proc/self/mountinfo":
            import io
            return io.StringIO(table)
        return real_open(path, *args, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr("builtins.open", fake_open)
    try:
        assert file_stamps.keeps_change_time("/srv/rules")
        assert not file_stamps.keeps_change_time("/mnt/usb stick/rules")
        assert not file_stamps.keeps_change_time("/home/shared/rules")
    finally:
        monkeypatch.undo()
        file_stamps._mounts.cache_clear()


def test_a_fifo_at_an_entrys_name_is_a_miss_not_a_hang(folder: Path) -> None:
    import faulthandler

    parsed = load_knowledge_base(RULES, use_cache=True)
    for written in [*_files(folder), *folder.glob("*.sha256")]:
        written.unlink()
        os.mkfifo(written, 0o600)
    faulthandler.dump_traceback_later(120, exit=True)  # a hang ends the run with a traceback
    try:
        again = load_knowledge_base(RULES, use_cache=True)
    finally:
        faulthandler.cancel_dump_traceback_later()
    assert again == parsed


@pytest.mark.parametrize(("mode", "used"), [(0o777, False), (0o1777, True), (0o755, True)])
def test_the_cache_is_not_used_under_a_parent_others_can_write_unless_it_is_sticky(
        folder: Path, mode: int, used: bool) -> None:
    folder.parent.mkdir(parents=True)
    folder.parent.chmod(mode)
    try:
        load_knowledge_base(RULES, use_cache=True)
        assert bool(_files(folder)) == used
        calls = []
        if _files(folder):
            folder.parent.chmod(0o777)  # the folder became swappable: its entries are not read
            calls.append(cache.load(RULES, load_knowledge_base(RULES).sha256))
            assert calls == [None]
    finally:
        folder.parent.chmod(0o700)


def test_writes_and_pruning_stay_in_the_folder_that_was_checked(folder: Path, tmp_path: Path) -> None:
    load_knowledge_base(RULES, use_cache=True)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / ("0" * 64 + ".pickle")).write_bytes(b"not ours")
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        folder.rename(tmp_path / "moved")
        elsewhere.rename(folder)  # swapped after the check
        for index in range(cache.KEEP + 2):
            cache._write_in(fd, f"{index:064x}.pickle", b"x")
        cache._prune(fd)
    finally:
        os.close(fd)
    assert (folder / ("0" * 64 + ".pickle")).read_bytes() == b"not ours"
    assert len(list((tmp_path / "moved").glob("*.pickle"))) == cache.KEEP
