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
import re
from functools import cache

SETTLED_NS = 2_000_000_000
# Local filesystems that keep a change time of their own and answer stat() from the disk. Not
# FAT/exFAT (no change time: Linux makes one from the others), nor NFS, SMB or FUSE (stat() may
# answer from an attribute cache for up to a minute after another host wrote the file): there
# the files are read and hashed on every start, as before stamps.
KEEPS_CHANGE_TIME = frozenset({"ext2", "ext3", "ext4", "xfs", "btrfs", "tmpfs", "zfs", "f2fs", "overlay",
                               "jfs", "bcachefs"})


def stamp(folder: str, names: list[str], moment_ns: int) -> bytes:
    """The stamp of these files of `folder`, or b"" if one changed after `moment_ns` minus the
    tick margin (or cannot be stat'ed), or the folder is on a filesystem whose stamps cannot be
    trusted."""
    if not keeps_change_time(folder):
        return b""
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


def keeps_change_time(folder: str) -> bool:
    """Whether the folder is on a filesystem in KEEPS_CHANGE_TIME (Linux's mount table; anywhere
    else: no, and the files are read)."""
    path = os.path.realpath(folder)
    for point, kind in _mounts():
        if path == point or path.startswith(point.rstrip("/") + "/"):
            return kind in KEEPS_CHANGE_TIME
    return False


@cache
def _mounts() -> list[tuple[str, str]]:
    """(mount point, filesystem type), the deepest mount point first."""
    try:
        with open("/proc/self/mountinfo", encoding="utf-8", errors="surrogateescape") as handle:
            lines = handle.read().splitlines()
    except OSError:
        return []
    found = []
    for line in lines:
        fields = line.split(" ")
        if "-" in fields[6:]:  # "... mount-point options [optional fields] - type source options"
            kind = fields[fields.index("-", 6) + 1]
            point = re.sub(r"\\([0-7]{3})", lambda m: chr(int(m.group(1), 8)), fields[4])
            found.append((point, kind))
    return sorted(found, key=lambda mount: len(mount[0]), reverse=True)
