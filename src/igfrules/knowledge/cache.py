"""A per-user cache of loaded knowledge bases, so that `igfrules evaluate` starts at once.

Loading a knowledge base parses its YAML files, validates them and resolves every reference
(about 0.2 s); the same KnowledgeBase unpickled takes about 2 ms. Unpickling runs code, so the
cache is read only where nobody but this user can write:

- the folder is `$XDG_CACHE_HOME/igfrules` (else `~/.cache/igfrules`), created with mode 0700;
- before a file is unpickled, the folder and then the file are opened without following
  symlinks and checked through their descriptors (so they cannot be swapped between the check
  and the read): owned by the effective user, no write permission for group or others;
- a file is named by a sha256 over the knowledge base's files (their relative paths and bytes),
  its folder, the Python version and a stamp of igfrules' own code and data files (each one's
  path, size, inode, modification and change times; see code_stamp): any change makes a new
  name, so a stale file is never read;
- files are written to a temporary file (mode 0600) in the folder and renamed into place.

Beside the knowledge base, an entry keeps what a start would otherwise rebuild from it: the
conditions compiled for durable_rules and the agent vocabulary (both plain data, both covered by
the key, which includes igfrules' own code and data files).

Any problem (no home folder, a read-only disk, a foreign owner, a corrupt file) means the
knowledge base is parsed as before, silently: the cache only ever saves time. The command line
uses it; `IGFRULES_NO_CACHE=1` turns it off. The library does not, unless asked
(`load_knowledge_base(path, use_cache=True)`): an embedding application decides what it writes.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import stat
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._started import IMPORTED_NS

if TYPE_CHECKING:
    from .loader import KnowledgeBase

_FORMAT = b"igfrules-kb-cache-2"
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
    digest = hashlib.sha256(_FORMAT)
    digest.update(f"{root.resolve()}\0{sys.version}\0{content_sha256}\0".encode("utf-8", "surrogateescape"))
    digest.update(code)
    return digest.hexdigest()


_fingerprint: bytes | None = None
# How long after a change a file's timestamps are trusted to tell it from its next change: file
# systems keep them in ticks (a few ms on Linux, 2 s on FAT), so two writes in one tick look alike.
_SETTLED_NS = 2_000_000_000


def _code_fingerprint() -> bytes | None:
    """igfrules' own code and data: a pickled object is only valid for the classes that made it."""
    global _fingerprint
    if _fingerprint is None:
        _fingerprint = code_stamp(str(_PACKAGE), IMPORTED_NS)
    return _fingerprint or None


def code_stamp(package: str, imported_ns: int) -> bytes:
    """A digest of every code and data file's path, size, inode and modification and change times.

    Stamps, not contents: reading and hashing the whole package cost every start more than
    anything else the cache does. Any write to a file moves its change time (ctime), which no
    program can set back (only the clock can move), so an edited file changes the stamp even at
    the same size and with its old modification time restored. Empty (no cache) when a file
    changed after `imported_ns` minus the tick margin: this process may not be running what is
    on disk, or a second write in the same tick could go unseen.
    """
    digest = hashlib.sha256()
    for name in _code_files(package):
        info = os.stat(os.path.join(package, name))
        if max(info.st_mtime_ns, info.st_ctime_ns) > imported_ns - _SETTLED_NS:
            return b""
        digest.update(f"{name}\0{info.st_size}\0{info.st_dev}\0{info.st_ino}\0{info.st_mtime_ns}\0"
                      f"{info.st_ctime_ns}\0".encode("utf-8", "surrogateescape"))
    return digest.digest()


def _code_files(package: str) -> list[str]:
    """Every .py file of the package and every file in data/, as sorted relative POSIX paths.
    os.walk, not Path.rglob: this runs on every start, and rglob costs it several times more."""
    found = []
    for folder, subfolders, files in os.walk(package):
        subfolders.sort()
        relative = os.path.relpath(folder, package).replace(os.sep, "/")
        in_data = relative == "data"
        for name in files:
            if name.endswith(".py") or in_data:
                found.append(name if relative == "." else f"{relative}/{name}")
    return sorted(found)


def _safe(info: os.stat_result, *, folder: bool) -> bool:
    kind_ok = stat.S_ISDIR(info.st_mode) if folder else stat.S_ISREG(info.st_mode)
    return kind_ok and info.st_uid == os.geteuid() and not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def _open_folder(folder: Path) -> int | None:
    """A descriptor of the cache folder if it is safe to read from, else None."""
    try:
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    except OSError:
        return None
    if not _safe(os.fstat(fd), folder=True):
        os.close(fd)
        return None
    return fd


def read(key: str | None) -> tuple[Any, ...] | None:
    folder = cache_folder()
    if folder is None or key is None:
        return None
    folder_fd = _open_folder(folder)
    if folder_fd is None:
        return None
    try:
        fd = os.open(f"{key}.pickle", os.O_RDONLY | os.O_NOFOLLOW, dir_fd=folder_fd)
    except OSError:
        return None
    finally:
        os.close(folder_fd)
    with os.fdopen(fd, "rb") as handle:
        if not _safe(os.fstat(handle.fileno()), folder=False):
            return None
        data = handle.read()
    try:
        found = pickle.loads(data)  # noqa: S301 - written by this user, in a folder only they can write (above)
    except Exception:  # a truncated or foreign file: parse the YAML instead
        return None
    return found if isinstance(found, tuple) else None


def write(key: str | None, value: tuple[Any, ...]) -> None:
    folder = cache_folder()
    if folder is None or key is None:
        return
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        folder_fd = _open_folder(folder)
        if folder_fd is None:
            return
        os.close(folder_fd)
        import tempfile  # only when writing: reading is the fast start

        data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        fd, temporary = tempfile.mkstemp(dir=folder, prefix=".tmp-", suffix=".pickle")  # mode 0600
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.replace(temporary, folder / f"{key}.pickle")
        except BaseException:
            os.unlink(temporary)
            raise
    except (OSError, pickle.PicklingError, RecursionError):
        return  # a read-only or full disk: the next start parses the YAML again


def load(root: Path, content_sha256: str) -> KnowledgeBase | None:
    from ..engine.durable_engine import CompiledRules
    from ..vocabulary import Vocabulary, adopt
    from .loader import COMPILED_RULES, KnowledgeBase

    found = read(cache_key(root, content_sha256))
    if found is None or len(found) != 3:
        return None
    fields, compiled_rules, vocab = found
    if not isinstance(compiled_rules, CompiledRules) or not isinstance(vocab, Vocabulary):
        return None
    try:
        kb = KnowledgeBase(*fields)
    except TypeError:
        return None
    if kb.sha256 != content_sha256 or kb.path != root:
        return None
    kb.cache[COMPILED_RULES] = compiled_rules
    adopt(vocab)
    return kb


def store(kb: KnowledgeBase) -> None:
    """Keep a knowledge base whose engine is built (so its compiled rules are there to keep)."""
    from ..vocabulary import vocabulary
    from .loader import COMPILED_RULES

    fields = (kb.path, kb.meta, kb.entries, kb.trials, kb.cautions, kb.references, kb.coverage, kb.conditions,
              kb.sha256, kb.files)
    write(cache_key(kb.path, kb.sha256), (fields, kb.cache[COMPILED_RULES], vocabulary()))
