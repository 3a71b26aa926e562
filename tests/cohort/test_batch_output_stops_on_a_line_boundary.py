"""Where batch lines go when something stops them, in-process and without sleeps: Ctrl-C during a
chunk is acted on right after it (as the handler that was in place would have acted), a stream cut
mid-line gets its stop record on a line of its own, and spooled chunks go through sendfile."""

from __future__ import annotations

import errno
import json
import os
import signal
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from igfrules.cohort import output
from igfrules.cohort.output import BatchOutput, whole_lines


@pytest.fixture
def sigint_handler() -> Iterator[None]:
    previous = signal.getsignal(signal.SIGINT)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _ctrl_c_inside_a_chunk() -> None:
    with whole_lines():
        signal.raise_signal(signal.SIGINT)  # delivered now, held by whole_lines until the chunk ends


def test_ctrl_c_during_a_chunk_raises_after_it_with_the_default_disposition(sigint_handler: None) -> None:
    """Mutation: `previous == signal.SIG_DFL` turned into `!=` in whole_lines (a Ctrl-C under the
    default disposition was swallowed, and one that was being ignored raised)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    with pytest.raises(KeyboardInterrupt):
        _ctrl_c_inside_a_chunk()


def test_ctrl_c_during_a_chunk_stays_ignored_where_it_was_ignored(sigint_handler: None) -> None:
    """Mutation: as above."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _ctrl_c_inside_a_chunk()  # nothing raised
    assert signal.getsignal(signal.SIGINT) == signal.SIG_IGN  # and the disposition is put back


def test_ctrl_c_during_a_chunk_goes_to_pythons_handler_after_it(sigint_handler: None) -> None:
    signal.signal(signal.SIGINT, signal.default_int_handler)
    with pytest.raises(KeyboardInterrupt):
        _ctrl_c_inside_a_chunk()
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_a_stream_cut_mid_line_counts_whole_lines_and_the_stop_record_starts_a_new_line(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Mutation: `self._cut = not out.endswith(b"\\n")` lost its `not` (the stop record was glued
    to the cut line, and a reader saw one broken line instead of a line and a record)."""
    read_end, write_end = os.pipe()
    real_write = os.write
    calls = []

    def cut_after_ten_bytes(fd: int, data: Any) -> int:
        calls.append(fd)
        if len(calls) == 1:
            return real_write(fd, bytes(data[:10]))
        raise OSError(errno.EIO, "Input/output error")

    try:
        out = BatchOutput(write_end, "<stdout>")
        monkeypatch.setattr(output.os, "write", cut_after_ten_bytes)
        with pytest.raises(OSError, match="Input/output"):
            out.write(b'{"case":1}\n{"case":2}\n{"case":3}\n', 3)
        monkeypatch.setattr(output.os, "write", real_write)
        assert out.lines == 0  # ten bytes: '{"case":1}' without its newline
        out.write_trailer(out.stopped("Input/output error"))
    finally:
        os.close(write_end)
    with os.fdopen(read_end, "rb") as pipe:
        lines = pipe.read().decode().split("\n")
    assert lines[0] == '{"case":1}' and lines[-1] == ""
    record = json.loads(lines[1])
    assert record["research_only"] is True and record["position"] == 1 and record["source"] == "<batch>"


def test_a_whole_line_then_a_cut_counts_the_whole_line(monkeypatch: pytest.MonkeyPatch) -> None:
    """Mutation: as above, and lines counted from the bytes that went out."""
    read_end, write_end = os.pipe()
    real_write = os.write
    calls = []

    def cut_inside_the_second_line(fd: int, data: Any) -> int:
        calls.append(fd)
        if len(calls) == 1:
            return real_write(fd, bytes(data[:14]))  # '{"case":1}\n{"c'
        raise OSError(errno.EPIPE, "Broken pipe")

    try:
        out = BatchOutput(write_end, "<stdout>")
        monkeypatch.setattr(output.os, "write", cut_inside_the_second_line)
        with pytest.raises(OSError):
            out.write(b'{"case":1}\n{"case":2}\n', 2)
        monkeypatch.setattr(output.os, "write", real_write)
        assert out.lines == 1
        out.write_trailer(out.stopped("Broken pipe"))
    finally:
        os.close(write_end)
    with os.fdopen(read_end, "rb") as pipe:
        lines = pipe.read().decode().split("\n")
    assert lines[:2] == ['{"case":1}', '{"c'] and json.loads(lines[2])["position"] == 2


def test_a_spooled_chunk_is_appended_with_sendfile(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Mutation: `_sendfile = True` turned to False at the start (every chunk copied through
    Python, the cost the module exists to avoid)."""
    spooled = tmp_path / "chunk"
    spooled.write_bytes(b'{"case":1}\n{"case":2}\n')
    sent = []
    real_sendfile = os.sendfile

    def counting(out_fd: int, in_fd: int, offset: int, count: int) -> int:
        sent.append(count)
        return real_sendfile(out_fd, in_fd, offset, count)

    monkeypatch.setattr(output.os, "sendfile", counting)
    target = tmp_path / "out.jsonl"
    fd = os.open(target, os.O_WRONLY | os.O_CREAT)
    try:
        out = BatchOutput(fd, str(target))
        out.append_file(str(spooled), 2)
    finally:
        os.close(fd)
    assert sent and target.read_bytes() == b'{"case":1}\n{"case":2}\n' and out.lines == 2
    assert not spooled.exists()


def test_a_full_disk_during_sendfile_stops_the_batch_and_is_not_taken_for_a_refusal(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Only a kernel that refuses sendfile (EINVAL, ENOSYS, EOPNOTSUPP) sends a chunk the slow way,
    by copying; a full disk is a failure: the batch stops after the lines already out, as it does
    when a plain write fails, rather than retrying and going on. Mutation: `... or done[0]` turned
    into `... and done[0]` in BatchOutput.append_file (cohort/output.py)."""
    spooled = tmp_path / "chunk"
    spooled.write_bytes(b'{"case":2}\n{"case":3}\n')

    def disk_full(out_fd: int, in_fd: int, offset: int, count: int) -> int:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(output.os, "sendfile", disk_full)
    target = tmp_path / "out.jsonl"
    fd = os.open(target, os.O_WRONLY | os.O_CREAT)
    try:
        out = BatchOutput(fd, str(target))
        out.write(b'{"case":1}\n', 1)
        with pytest.raises(OSError, match="No space left on device"):
            out.append_file(str(spooled), 2)
    finally:
        os.close(fd)
    assert out.lines == 1 and target.read_bytes() == b'{"case":1}\n'


@pytest.mark.parametrize(("cut", "lines_out", "expected"), [
    (14, 1, ['{"case":1}', '{"c']),  # inside the second line
    (10, 0, ['{"case":1}']),  # just before the first newline: no line is whole
    (11, 1, ['{"case":1}']),  # just after it: the stop record follows on the next line, no blank line
])
def test_a_spooled_chunk_cut_on_a_pipe_counts_the_whole_lines_that_went_out(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cut: int, lines_out: int, expected: list[str]) -> None:
    """A spooled chunk sent to a pipe that breaks after `cut` bytes: the lines that went out whole
    are counted, the stop record names the first case not written, on a line of its own, and the
    error is the pipe's own. Mutations: the chunk's first bytes read back from offset -1 or 1
    instead of 0 (`os.pread(source.fileno(), n, 0)` in BatchOutput.append_file, cohort/output.py):
    "Invalid argument" replaced "Broken pipe" and no line was counted, or the lines were counted
    from the wrong bytes."""
    read_end, write_end = os.pipe()
    spooled = tmp_path / "chunk"
    spooled.write_bytes(b'{"case":1}\n{"case":2}\n')
    real_sendfile = os.sendfile
    calls = []

    def cut_after(out_fd: int, in_fd: int, offset: int, count: int) -> int:
        calls.append(offset)
        if len(calls) == 1:
            return real_sendfile(out_fd, in_fd, offset, cut)
        raise OSError(errno.EPIPE, "Broken pipe")

    try:
        out = BatchOutput(write_end, "<stdout>")
        monkeypatch.setattr(output.os, "sendfile", cut_after)
        with pytest.raises(OSError, match="Broken pipe"):
            out.append_file(str(spooled), 2)
        monkeypatch.setattr(output.os, "sendfile", real_sendfile)
        assert out.lines == lines_out
        out.write_trailer(out.stopped("Broken pipe"))
    finally:
        os.close(write_end)
    with os.fdopen(read_end, "rb") as pipe:
        lines = pipe.read().decode().split("\n")
    assert lines[:-2] == expected and lines[-1] == ""
    assert json.loads(lines[-2])["position"] == lines_out + 1


def test_an_output_that_failed_stops_the_batch_as_a_failure_not_an_interruption(tmp_path: Path) -> None:
    """A batch stopped by its output (a full disk, a broken pipe) exits 1, a failure; only Ctrl-C
    exits 130 (128 + SIGINT), which a shell or a scheduler reads as "the user stopped it" and may
    not retry. Mutation: `interrupted: bool = False` turned into `= True` in BatchOutput.stopped
    (cohort/output.py)."""
    with (tmp_path / "out.jsonl").open("wb") as handle:
        out = BatchOutput(handle.fileno(), "out.jsonl")
        out.write(b'{"case":1}\n', 1)
        failed = out.stopped("No space left on device")
        interrupted = out.stopped("interrupted", interrupted=True)
    assert (failed.exit_code, failed.interrupted) == (1, False)
    assert [p.message for p in failed.problems] == [
        "No space left on device; the batch stopped after 1 complete line (cases 1-1)"]
    assert (interrupted.exit_code, interrupted.interrupted) == (130, True)


def test_the_stop_record_is_written_in_utf_8_like_every_other_record(tmp_path: Path) -> None:
    """The stop record is text like every other line of the batch (batch.py writes its error
    records the same way): a file name outside ASCII in its reason reads as written, so that the
    line matches the name a user searches for. Mutation: `ensure_ascii=False` turned into True
    in BatchOutput.write_trailer (cohort/output.py)."""
    target = tmp_path / "out.jsonl"
    with target.open("wb") as handle:
        out = BatchOutput(handle.fileno(), "<stdout>")
        out.write_trailer(out.stopped("/données/spool-1.jsonl: Input/output error"))
    line = target.read_bytes()
    assert b'"message":"/donn\xc3\xa9es/spool-1.jsonl: Input/output error; the batch stopped before any line' in line
    assert json.loads(line)["position"] == 1
