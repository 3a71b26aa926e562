"""A per-user cache of loaded knowledge bases, so that `igfrules evaluate` starts at once.

Loading a knowledge base parses its YAML files, validates them and resolves every reference
(about 0.2 s); the same KnowledgeBase unpickled takes about 2 ms. Unpickling runs code, so the
cache is read only where nobody but this user can write:

- the folder is `$XDG_CACHE_HOME/igfrules` (else `~/.cache/igfrules`), created with mode 0700;
- before a file is unpickled, the folder and then the file are opened without following
  symlinks and checked through their descriptors (so they cannot be swapped between the check
  and the read): owned by the effective user, no write permission for group or others;
- a file is named by a sha256 over the knowledge base's files (their relative paths and bytes),
  its folder, the Python version and the stamp of igfrules' own code and data files (file_stamps.py:
  path, size, inode, modification and change times): any change makes a new name, so a stale
  file is never read;
- the knowledge base's sha256 is remembered (a `.sha256` file) under the stamp of its files, so a
  start whose rule files have not changed reads none of them; an edit changes the stamp, even at
  the same size with the old modification time put back, and the files are read and hashed again;
- files are written to a temporary file (mode 0600) in the folder and renamed into place; after a
  write, only the newest 24 entries of each kind are kept (every edit of the rules and every
  upgrade of igfrules writes new ones), and temporary files over an hour old are removed. Every
  write, rename, listing and removal goes through the descriptor of the folder checked as above,
  never through its path, so a folder swapped after the check is never written to or pruned;
- the cache is not used at all when the folder's parent is writable by others and not sticky
  (anyone could swap the folder there);
- a file is opened without blocking and must be a regular file: a FIFO or a device at an entry's
  name is a problem like any other.

Beside the knowledge base, an entry keeps what a start would otherwise rebuild from it: the
conditions compiled for durable_rules, the catalog of the report parts no case changes and the
agent vocabulary (all plain data, all covered by the key, which includes igfrules' own code and
data files).

Any problem (no home folder, a read-only disk, a foreign owner, a corrupt file) means the
knowledge base is parsed as before, silently: the cache only ever saves time. The command line
uses it; `IGFRULES_NO_CACHE=1` turns it off. The library does not, unless asked
(`load_knowledge_base(path, use_cache=True)`): an embedding application decides what it writes.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import re
import stat
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._started import IMPORTED_NS
from .file_stamps import code_files, keeps_change_time, stamp

if TYPE_CHECKING:
    from .loader import KnowledgeBase  # a type only: this module never builds one

_FORMAT = b"igfrules-kb-cache-3"
_PACKAGE = Path(__file__).resolve().parents[1]


def cache_folder() -> Path | None:
    base = os.environ.get("XDG_CACHE_HOME", "")
    if not os.path.isabs(base):  # the XDG rule: a relative value is ignored
        home = os.path.expanduser("~")
        if not os.path.isabs(home):
            return None
        base = os.path.join(home, ".cache")
    return Path(base) / "igfrules"


def enabled() -> bool:
    return os.environ.get("IGFRULES_NO_CACHE", "") in ("", "0")


def cache_key(root: Path, content_sha256: str) -> str | None:
    """The entry's name, or None when igfrules' own files changed too recently to be told apart."""
    code = _code_fingerprint()
    if code is None:
        return None
    from pydantic.version import VERSION as PYDANTIC  # the pickled models are pydantic's

    digest = hashlib.sha256(_FORMAT)
    digest.update(f"{root.resolve()}\0{sys.version}\0{PYDANTIC}\0{content_sha256}\0".encode("utf-8", "surrogateescape"))
    digest.update(code)
    return digest.hexdigest()


_fingerprint: bytes | None = None
_now_ns = time.time_ns  # the clock that says whether files have settled


def _code_fingerprint() -> bytes | None:
    """igfrules' own code and data, by their stamps (file_stamps.py): a pickled object is only
    valid for the classes that made it. None, and no cache, when a file changed after this process
    began reading igfrules' code: it may not be running what is on disk."""
    global _fingerprint
    if _fingerprint is None:
        package = str(_PACKAGE)
        names = code_files(package)
        if keeps_change_time(package):
            _fingerprint = stamp(package, names, IMPORTED_NS)
        else:  # stamps cannot be trusted there (file_stamps.py): read and hash the files
            digest = hashlib.sha256()
            for name in names:
                digest.update(name.encode() + b"\0" + (_PACKAGE / name).read_bytes() + b"\0")
            _fingerprint = digest.digest()
    return _fingerprint or None


def content_sha256(root: Path, names: list[str], compute: Callable[[Path], str]) -> str:
    """The sha256 of a knowledge base's files (`compute(root)`), remembered by their stamp so that
    a start whose files have not changed reads none of them. The content's sha256 still names the
    cache entry: the stamp only says which sha256 the same unchanged files had. It is remembered
    only when the files had settled before they were read and were not changed while they were."""
    before = stamp(str(root), names, _now_ns())
    code = _code_fingerprint()
    name = ""
    if before and code:  # igfrules' code in the name too: another version may hash another way
        name = hashlib.sha256(_FORMAT + code + os.fsencode(root.resolve()) + b"\0" + before).hexdigest() + ".sha256"
        known = _read_bytes(name)
        if known is not None and len(known) == 64 and all(c in b"0123456789abcdef" for c in known):
            return known.decode()
    digest = compute(root)
    if name and stamp(str(root), names, _now_ns()) == before:
        _write_bytes(name, digest.encode())
    return digest


def _safe(info: os.stat_result, *, folder: bool) -> bool:
    kind_ok = stat.S_ISDIR(info.st_mode) if folder else stat.S_ISREG(info.st_mode)
    return kind_ok and info.st_uid == os.geteuid() and not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def _parent_safe(folder: Path) -> bool:
    """Others cannot swap the folder: its parent is not writable by others, or is sticky (/tmp)."""
    try:
        mode = os.stat(folder.parent).st_mode
    except OSError:
        return False
    return not mode & stat.S_IWOTH or bool(mode & stat.S_ISVTX)


def _open_folder(folder: Path) -> int | None:
    """A descriptor of the cache folder if it is safe to read from, else None."""
    if not _parent_safe(folder):
        return None
    try:
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    except OSError:
        return None
    if not _safe(os.fstat(fd), folder=True):
        os.close(fd)
        return None
    return fd


def _read_bytes(name: str) -> bytes | None:
    """A file of the cache folder, if both are safe to trust (see the module's docstring)."""
    folder = cache_folder()
    if folder is None:
        return None
    folder_fd = _open_folder(folder)
    if folder_fd is None:
        return None
    try:  # O_NONBLOCK: a FIFO at this name opens at once (and is refused below) instead of hanging
        fd = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK, dir_fd=folder_fd)
    except OSError:
        return None
    finally:
        os.close(folder_fd)
    with os.fdopen(fd, "rb") as handle:
        if not _safe(os.fstat(handle.fileno()), folder=False):
            return None
        return handle.read()


def _write_bytes(name: str, data: bytes) -> None:
    folder = cache_folder()
    if folder is None:
        return
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        folder_fd = _open_folder(folder)
        if folder_fd is None:
            return
        try:
            _write_in(folder_fd, name, data)
            _prune(folder_fd)
        finally:
            os.close(folder_fd)
    except OSError:
        return  # a read-only or full disk: the next start reads the files again


def _write_in(folder_fd: int, name: str, data: bytes) -> None:
    """Write `name` in the folder `folder_fd` is open on: a new temporary file (mode 0600), renamed."""
    import secrets  # only when writing: reading is the fast start

    temporary = f".tmp-{secrets.token_hex(8)}"
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600, dir_fd=folder_fd)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(temporary, name, src_dir_fd=folder_fd, dst_dir_fd=folder_fd)
    except BaseException:
        _remove(folder_fd, temporary)
        raise


KEEP = 24  # entries of each kind: every edit of the rules or upgrade of igfrules writes new ones
_ENTRY = re.compile(r"[0-9a-f]{64}\.(pickle|sha256)")
_LEFTOVER_SECONDS = 3600  # a temporary file this old was left by a process that died mid-write


def _prune(folder_fd: int) -> None:
    """Keep the KEEP newest entries of each kind, and remove temporary files left behind. Only
    names this module writes are touched, in the folder the descriptor is open on; an entry
    removed is written again when next needed."""
    now = time.time()
    entries: dict[str, list[tuple[float, str]]] = {}
    with os.scandir(folder_fd) as found:
        for item in found:
            if not item.is_file(follow_symlinks=False):
                continue
            if item.name.startswith(".tmp-"):
                if now - item.stat(follow_symlinks=False).st_mtime > _LEFTOVER_SECONDS:
                    _remove(folder_fd, item.name)
            elif match := _ENTRY.fullmatch(item.name):
                entries.setdefault(match.group(1), []).append((item.stat(follow_symlinks=False).st_mtime, item.name))
    for kind in entries.values():
        for _, name in sorted(kind, reverse=True)[KEEP:]:
            _remove(folder_fd, name)


def _remove(folder_fd: int, name: str) -> None:
    with contextlib.suppress(OSError):  # another process removed it first: nothing is lost
        os.unlink(name, dir_fd=folder_fd)


def read(key: str | None) -> tuple[Any, ...] | None:
    data = _read_bytes(f"{key}.pickle") if key is not None else None
    if data is None:
        return None
    try:
        found = pickle.loads(data)  # noqa: S301 - written by this user, in a folder only they can write (above)
    except Exception:  # a truncated or foreign file: parse the YAML instead
        return None
    return found if isinstance(found, tuple) else None


def write(key: str | None, value: tuple[Any, ...]) -> None:
    if key is None:
        return
    try:
        data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    except (pickle.PicklingError, RecursionError):
        return
    _write_bytes(f"{key}.pickle", data)


def load(root: Path, content_sha256: str) -> tuple[Any, ...] | None:
    """The stored parts of the knowledge base with these files, as store() wrote them: its fields,
    its derived views by name and the agent vocabulary; None when there is no trusted entry. The
    loader checks and assembles them (loader.cached_knowledge_base)."""
    found = read(cache_key(root, content_sha256))
    if found is None or len(found) != 3:
        return None
    return found


def store(kb: KnowledgeBase, views: tuple[str, ...]) -> None:
    """Keep a knowledge base whose engine is built, with the views a start would otherwise build
    from it (the compiled rules, the report catalog): plain data, named by the caller, so that
    this module never imports what is built from the knowledge base."""
    from ..model.vocabulary import vocabulary

    fields = (kb.path, kb.meta, kb.entries, kb.trials, kb.cautions, kb.references, kb.coverage, kb.conditions,
              kb.sha256, kb.files)
    derived = {name: kb.cache[name] for name in views if name in kb.cache}
    write(cache_key(kb.path, kb.sha256), (fields, derived, vocabulary()))
