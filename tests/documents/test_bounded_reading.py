"""Every input is read through one bounded reader: regular files and standard input only, and never
more than the limit + 1 bytes, whatever stat() says (it says 0 for devices and FIFOs)."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest

import igfrules
from igfrules import CaseError
from igfrules.documents.bounded_read import ReadError, bounded_lines, read_limited, read_stream


class _CountingStream(io.RawIOBase):
    """An endless stream of one byte value that records how much was asked of it."""

    def __init__(self, byte: bytes = b"a") -> None:
        self.served = 0
        self.byte = byte

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray) -> int:  # type: ignore[override]
        n = len(buffer)
        buffer[:n] = self.byte * n
        self.served += n
        return n


def test_a_device_is_refused_before_a_byte_is_read() -> None:
    with pytest.raises(ReadError, match="is a device, not a regular file"):
        read_limited("/dev/zero")
    with pytest.raises(CaseError, match="/dev/zero: is a device"):
        igfrules.evaluate("/dev/zero")


def test_a_fifo_without_a_writer_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "case.yaml"
    os.mkfifo(fifo)
    with pytest.raises(ReadError, match=r"named pipe \(FIFO\)"):
        read_limited(fifo)  # O_NONBLOCK: the open returns at once, the fstat refuses


@pytest.mark.parametrize(("name", "message"), [("folder", "is a folder"), ("a\0b.yaml", "NUL character"),
                                               ("absent.yaml", "No such file")])
def test_what_is_not_a_readable_file_says_so(tmp_path: Path, name: str, message: str) -> None:
    (tmp_path / "folder").mkdir()
    with pytest.raises(ReadError, match=message):
        read_limited(str(tmp_path / name))


def test_a_regular_file_over_the_limit_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    path.write_bytes(b"a" * 101)
    assert read_limited(path, limit=101) == b"a" * 101
    with pytest.raises(ReadError, match="over 100 bytes"):
        read_limited(path, limit=100)


def test_a_stream_is_read_at_most_to_the_limit_plus_one() -> None:
    stream = _CountingStream()
    with pytest.raises(ReadError, match="over 1,000 bytes"):
        read_stream(io.BufferedReader(stream, buffer_size=64), limit=1_000)
    assert stream.served <= 1_000 + 64 + 1  # one buffer's read-ahead at most
    with pytest.raises(ReadError, match="standard input is closed"):
        read_stream(None)


def test_a_long_line_is_refused_while_it_is_read_and_the_next_one_kept() -> None:
    data = b"x" * 5_000 + b"\n" + b'{"a": 1}\n' + b"y" * 10
    lines = list(bounded_lines(io.BufferedReader(io.BytesIO(data), buffer_size=256), limit=100))
    assert lines == [None, b'{"a": 1}\n', b"y" * 10]


class _RecordingLines:
    """A stream whose readline records the largest piece it ever handed out."""

    def __init__(self, data: bytes) -> None:
        self.inner, self.largest = io.BytesIO(data), 0

    def readline(self, size: int = -1) -> bytes:
        assert size > 0, "an unbounded readline"
        piece = self.inner.readline(size)
        self.largest = max(self.largest, len(piece))
        return piece


def test_a_huge_line_is_never_held_whole() -> None:
    stream = _RecordingLines(b"z" * 3_000_000 + b"\n" + b"{}\n")
    assert list(bounded_lines(stream, limit=1_000)) == [None, b"{}\n"]  # type: ignore[arg-type]
    assert stream.largest <= 65_536  # the skipped rest goes by in bounded blocks
