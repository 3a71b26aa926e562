"""Where batch lines go, so that no case is lost and no file is half-written.

- Lines leave in whole chunks: Ctrl-C is deferred while a chunk is written, so an interrupted run
  never ends in the middle of a line, and `lines` always counts the complete lines out.
- `--out FILE` is written to a temporary file beside it and renamed into place only when the run
  completes: a run that fails or is interrupted leaves the old file exactly as it was.
- Standard output cannot be taken back: a run that stops early ends it with a final error record
  saying so (position = the first case not written), and exits non-zero.
- Spooled chunks are appended with sendfile, and copied instead where the kernel refuses sendfile
  (an O_APPEND descriptor, `>>`, says EINVAL).
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import signal
import stat
import tempfile
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

from ..errors import EvaluationError, InputError, Problem, json_line_safe

_COPY_BLOCK = 1 << 20


class BatchStopped(EvaluationError):
    """A batch stopped before its last case: interrupted, or its output failed. `lines` complete
    lines were written (cases 1 to `lines`, in input order)."""

    def __init__(self, output: str, lines: int, why: str, *, interrupted: bool = False, discarded: str = "") -> None:
        self.lines, self.why, self.interrupted = lines, why, interrupted
        self.exit_code = 130 if interrupted else 1  # 128 + SIGINT, as shells report it
        if discarded:  # --out: nothing of this run was kept
            message = f"{why}; the batch stopped after {lines:,} cases; {discarded}"
        else:
            plural = "s" if lines != 1 else ""
            message = (f"{why}; the batch stopped after {lines:,} complete line{plural} (cases 1-{lines:,})"
                       if lines else f"{why}; the batch stopped before any line was written")
        super().__init__(Problem(output, "", message))


@contextlib.contextmanager
def whole_lines() -> Iterator[None]:
    """Defer Ctrl-C while a chunk is written and counted (it is acted on right after), so output
    ends on a line boundary and `lines` is exact.

    A Python-level handler, not a signal mask: with the pool's threads running, a masked SIGINT is
    delivered to one of them and Python still raises KeyboardInterrupt in the main thread at once.
    """
    if threading.current_thread() is not threading.main_thread():
        yield  # only the main thread ever sees KeyboardInterrupt
        return
    caught: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda signum, _frame: caught.append(signum))
    try:
        yield
    except BaseException:
        signal.signal(signal.SIGINT, previous)
        raise
    signal.signal(signal.SIGINT, previous)
    if caught and callable(previous):
        previous(signal.SIGINT, None)  # Python's default handler raises KeyboardInterrupt
    elif caught and previous == signal.SIG_DFL:
        raise KeyboardInterrupt


class BatchOutput:
    """A descriptor that batch lines are written to, counting the complete lines.

    A chunk that fails part-way (a full disk, a file-size limit) never leaves a cut line counted as
    written: on a regular file the chunk is truncated away; on a pipe or terminal, where nothing
    can be taken back, the complete lines that went out are counted and the stop record starts on
    a line of its own."""

    def __init__(self, fd: int, name: str) -> None:
        self.fd, self.name = fd, name
        self.lines = 0
        self._sendfile = True
        self._cut = False  # a pipe holds part of a line: the trailer must start a new one

    @contextlib.contextmanager
    def _chunk(self, lines: int, prefix: Callable[[int], bytes]) -> Iterator[list[int]]:
        """Write one chunk; on failure, undo it (regular file) or count what went out (stream).

        The body adds the bytes it got out to the yielded counter; `prefix(n)` gives the chunk's
        first n bytes, read only after a failure on a stream."""
        info = os.fstat(self.fd)
        start = info.st_size if stat.S_ISREG(info.st_mode) else None
        done = [0]
        try:
            yield done
        except OSError:
            if start is not None:
                with contextlib.suppress(OSError):
                    os.ftruncate(self.fd, start)
                    os.lseek(self.fd, start, os.SEEK_SET)
            elif done[0]:
                out = prefix(done[0])
                self.lines += out.count(b"\n")
                self._cut = not out.endswith(b"\n")
            raise
        self.lines += lines

    def _send(self, block: bytes | memoryview, done: list[int]) -> None:
        view = memoryview(block)
        while view:
            written = os.write(self.fd, view)
            done[0] += written
            view = view[written:]

    def write(self, block: bytes, lines: int) -> None:
        with whole_lines(), self._chunk(lines, lambda n: block[:n]) as done:
            self._send(block, done)

    def append_file(self, path: str, lines: int) -> None:
        """Append a spooled chunk, inside the kernel where it can (no copy through Python)."""
        with whole_lines(), open(path, "rb") as source, \
                self._chunk(lines, lambda n: os.pread(source.fileno(), n, 0)) as done:
            size = os.fstat(source.fileno()).st_size
            while done[0] < size and self._sendfile:
                try:
                    done[0] += os.sendfile(self.fd, source.fileno(), done[0], size - done[0])
                except OSError as err:
                    if err.errno not in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP) or done[0]:
                        raise
                    self._sendfile = False  # `>>` (O_APPEND) and some files refuse it: copy instead
            if done[0] < size:
                source.seek(done[0])
                while block := source.read(_COPY_BLOCK):
                    self._send(block, done)
        os.unlink(path)

    def stopped(self, why: str, *, interrupted: bool = False) -> BatchStopped:
        return BatchStopped(self.name, self.lines, why, interrupted=interrupted)

    def write_trailer(self, err: BatchStopped) -> None:
        """The last line of a stream that stopped early: an error record for the first case not
        written, in the shape of every other error record. Best effort: the stream may be the
        very thing that failed."""
        record = {
            "research_only": True, "position": err.lines + 1, "source": "<batch>", "case_id": None,
            "error": {"type": type(err).__name__, "message": str(err),
                      "problems": [{"source": p.source, "location": p.location, "message": p.message,
                                    "hint": p.hint} for p in err.problems]},
        }
        text = json_line_safe(json.dumps(record, ensure_ascii=False, separators=(",", ":"))) + "\n"
        if self._cut:
            text = "\n" + text  # after a cut line on a stream: the record stays a line of its own
        with contextlib.suppress(OSError):
            self.write(text.encode("utf-8", "backslashreplace"), 0)


class ReplacedFile:
    """`--out FILE`: a temporary file beside FILE, renamed over it only by `commit()`.

    A FILE that exists and is not a regular file (a device, a FIFO) is written directly: it cannot
    be replaced, and holds nothing to protect.
    """

    def __init__(self, path: Path) -> None:
        self.path = Path(os.path.realpath(path))  # through a symlink: the file it names is replaced
        self.temp: str | None = None
        try:
            mode = os.stat(self.path).st_mode
        except FileNotFoundError:
            mode = None
        if mode is not None and stat.S_ISDIR(mode):
            raise InputError(Problem(str(path), "", "is a folder; give a file path for the output"))
        if mode is not None and not stat.S_ISREG(mode):
            self.fd = os.open(self.path, os.O_WRONLY | os.O_CLOEXEC)
            self.spool_dir: str | None = None
            return
        folder = self.path.parent
        try:
            fd, self.temp = tempfile.mkstemp(prefix=f".{self.path.name}.", suffix=".partial", dir=folder)
        except OSError as err:  # before anything is written: an existing file is untouched
            raise InputError(Problem(str(path), "", f"cannot write beside it: {err.strerror or err}")) from None
        # The file a user asked for gets the usual permissions (or keeps its own), not mkstemp's 0600.
        umask = os.umask(0)
        os.umask(umask)
        os.fchmod(fd, stat.S_IMODE(mode) if mode is not None else 0o666 & ~umask)
        self.fd, self.spool_dir = fd, str(folder)

    @property
    def replaces(self) -> bool:
        """Whether the output goes to a temporary file first (a regular file, new or old)."""
        return self.temp is not None

    def commit(self) -> None:
        if self.temp is not None:
            os.fsync(self.fd)  # the data is on disk before the name points at it
        os.close(self.fd)
        if self.temp is not None:
            os.replace(self.temp, self.path)
            self.temp = None

    def discard(self) -> None:
        with contextlib.suppress(OSError):
            os.close(self.fd)
        if self.temp is not None:
            with contextlib.suppress(OSError):
                os.unlink(self.temp)
            self.temp = None
