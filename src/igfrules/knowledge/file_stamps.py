"""Stamps of files: what tells the per-user cache, without reading a file, that it has not changed.

A stamp is a sha256 over each file's name, size, device, inode, modification time and change time
(ctime). Any write to a file moves its ctime, which no program can set back (only the clock can
move), so an edited file changes the stamp even at the same size with its old modification time
restored (`touch -r`, `cp -p`, an editor that keeps it). Timestamps come in ticks (a few ms on
Linux, 2 s on FAT), and two writes in one tick look alike: a file changed within SETTLED_NS of the
moment that matters gives no stamp at all (b""), and the caller reads the file instead.
"""

from __future__ import annotations

import hashlib
import os

SETTLED_NS = 2_000_000_000


def stamp(folder: str, names: list[str], moment_ns: int) -> bytes:
    """The stamp of these files of `folder`, or b"" if one changed after `moment_ns` minus the
    tick margin (or cannot be stat'ed)."""
    digest = hashlib.sha256()
    for name in names:
        try:
            info = os.stat(os.path.join(folder, name))
        except OSError:
            return b""
        if max(info.st_mtime_ns, info.st_ctime_ns) > moment_ns - SETTLED_NS:
            return b""
        digest.update(f"{name}\0{info.st_size}\0{info.st_dev}\0{info.st_ino}\0{info.st_mtime_ns}\0"
                      f"{info.st_ctime_ns}\0".encode("utf-8", "surrogateescape"))
    return digest.digest()


def code_files(package: str) -> list[str]:
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
