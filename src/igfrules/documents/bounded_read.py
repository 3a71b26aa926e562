"""The one way igfrules reads an input's bytes: bounded, and only from a regular file or a stream it
was handed (standard input).

A size from `stat()` says nothing for a device or a FIFO (it is 0), so the limit is enforced while
reading: at most `limit + 1` bytes are ever read, whatever the file claims. A path is opened with
O_NONBLOCK, so a FIFO with no writer cannot block the open, and anything that is not a regular file
(device, FIFO, socket, folder) is refused before a byte is read.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

MAX_BYTES = 1_048_576  # a case or rule file is a few KiB; anything past 1 MiB is a mistake
_CHUNK = 65_536


class ReadError(ValueError):
    """The input could not be read, or is too large; the message says why (no file name in it)."""


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def open_regular(path: str | Path) -> int:
    """A read-only descriptor on a regular file, or ReadError saying what the path is instead."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC)
    except ValueError:  # an embedded NUL: no file can have this name
        raise ReadError("the file name contains a NUL character") from None
    except IsADirectoryError:
        raise ReadError("is a folder, not a file") from None
    except OSError as err:
        raise ReadError(err.strerror or str(err)) from None
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        raise ReadError(f"is {_kind(mode)}, not a regular file; give a file (or '-' for standard input)")
    os.set_blocking(fd, True)
    return fd


def read_limited(path: str | Path, limit: int = MAX_BYTES) -> bytes:
    """A regular file's bytes; ReadError if it is over `limit` bytes (never reads more than limit + 1)."""
    fd = open_regular(path)
    try:
        with os.fdopen(fd, "rb", closefd=True) as handle:
            return _read_stream(handle, limit, "the file")
    except OSError as err:
        raise ReadError(err.strerror or str(err)) from None


def read_stream(stream: BinaryIO | None, limit: int = MAX_BYTES) -> bytes:
    """Standard input (or any binary stream), bounded the same way; None means it is closed."""
    if stream is None:
        raise ReadError("standard input is closed")
    try:
        return _read_stream(stream, limit, "the input")
    except OSError as err:  # EBADF on a closed descriptor, EIO on a vanished terminal
        raise ReadError(err.strerror or str(err)) from None


def _read_stream(stream: BinaryIO, limit: int, what: str) -> bytes:
    parts, size = [], 0
    while size <= limit:
        block = stream.read(min(_CHUNK, limit + 1 - size))
        if not block:
            break
        parts.append(block)
        size += len(block)
    if size > limit:
        raise ReadError(f"{what} is over {limit:,} bytes; at most {limit:,} are accepted")
    return b"".join(parts)


def bounded_lines(stream: BinaryIO, limit: int = MAX_BYTES) -> Iterator[bytes | None]:
    """The lines of a stream, each at most `limit` bytes. A longer line is refused while it is
    read: None is yielded in its place and the rest of it is skipped without being kept."""
    while True:
        line = stream.readline(limit + 1)
        if not line:
            return
        if len(line) > limit and not line.endswith(b"\n"):
            while True:  # drop the rest of the line, a bounded block at a time
                rest = stream.readline(_CHUNK)
                if not rest or rest.endswith(b"\n"):
                    break
            yield None
            continue
        yield line
