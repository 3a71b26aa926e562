"""Batch evaluation over cohorts: stream cases in, one JSON line out per case, in input order.

Inputs are folders of case files, JSON Lines files (one case object a line) or "-" (JSON Lines on
standard input). Cases are read lazily and at most a fixed number of chunks are in flight, so
memory does not grow with the cohort. A bad case becomes an error record with the same message a
single evaluation gives, and never stops the others.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import signal
import tempfile
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from functools import partial
from itertools import islice
from pathlib import Path
from typing import Any, NamedTuple

from ..documents.bounded_read import MAX_BYTES, ReadError, bounded_lines, open_regular
from ..documents.strict_json import DocumentError, parse_json
from ..errors import (
    CaseError,
    EvaluationError,
    IgfrulesError,
    InputError,
    KnowledgeBaseError,
    Problem,
    json_line_safe,
)
from ..evaluation.cases import input_from_document, read_input
from ..evaluation.evaluate import evaluate
from ..evaluation.loading import load_knowledge_base
from ..knowledge.loader import KnowledgeBase
from ..rendering.jsonline import report_json_bytes
from ..rendering.reference_line import reference_line_bytes
from . import worker_server
from .output import BatchOutput, BatchStopped, whole_lines
from .summary import Tally, summary_json, summary_text

__all__ = ["Item", "Job", "Tally", "evaluate_chunk", "read_items", "run_batch", "run_job", "summary_json",
           "summary_text"]

CASE_SUFFIXES = (".yaml", ".yml", ".json")
CHUNK = 256  # cases per task: large enough to amortise process hand-off, small enough to stream
IN_FLIGHT_PER_WORKER = 4
# --detail: a line by reference (every per-case fact, knowledge-base text by id) or the full report
LINE_WRITERS = {"reference": reference_line_bytes, "full": report_json_bytes}


class Job(NamedTuple):
    """What is done to each chunk of a cohort: `local(items, lines)` in this process, or
    `work(items, spool)` in a worker set up by `initializer(*initargs)`; both return the chunk's
    output block (or spooled file) and its tally, which has `cases` and `merge()`. `igfrules batch`
    evaluates; `igfrules diff` (versions/cohort.py) evaluates with two knowledge bases."""

    local: Callable[[list[Item], bool], tuple[bytes, Any]]
    work: Callable[[list[Item], str | None], tuple[str | None, Any]]
    initializer: Callable[..., None]
    initargs: tuple[Any, ...]


class Item(NamedTuple):
    """One case to evaluate: where it came from, and either a file path or one JSON line.

    A named tuple, not a dataclass: chunks of items are pickled to the workers, and a tuple
    pickles and unpickles several times faster (no per-item state methods in Python)."""

    position: int  # 1-based, across all inputs
    source: str  # "cases/a.yaml" or "cohort.jsonl:17" or "<stdin>:3"
    path: str | None = None
    line: str | None = None
    unreadable: str = ""  # why the line could not be read as text


# ---------------------------------------------------------------------------------------------
# Reading inputs lazily


def read_items(inputs: Iterable[str], stdin: Iterable[bytes] | None = None) -> Iterator[Item]:
    position = 0
    make = Item._make
    for name in inputs:
        for source, path, line, unreadable in _items_of(name, stdin):
            position += 1
            yield make((position, source, path, line, unreadable))


# An item before it is numbered: source, path, line, unreadable
_Unnumbered = tuple[str, str | None, str | None, str]


def _items_of(name: str, stdin: Iterable[bytes] | None) -> Iterator[_Unnumbered]:
    if name == "-":
        if stdin is None:
            raise InputError(Problem("<stdin>", "", "standard input is closed"))
        yield from _lines("<stdin>", stdin)
        return
    path = Path(name)
    if path.is_dir():
        # The folder's own entries only: a subfolder may hold other things (expected outputs, say).
        # Everything else named like a case gets a result or an error record: a dangling symlink,
        # a symlink loop or a FIFO is reported, never skipped in silence.
        found = sorted(p for p in path.iterdir() if p.suffix.lower() in CASE_SUFFIXES and not p.is_dir())
        if not found:
            raise InputError(Problem(name, "", "no case files (.yaml, .yml, .json) in this folder"))
        for case in found:
            yield str(case), str(case), None, ""
    elif path.suffix.lower() in (".jsonl", ".ndjson"):
        try:
            fd = open_regular(path)
        except ReadError as err:
            yield name, None, None, str(err)
            return
        with os.fdopen(fd, "rb") as handle:
            yield from _lines(name, handle)
    else:
        yield name, name, None, ""  # a case file; a missing one is reported like `evaluate` does


def _lines(label: str, handle: Iterable[bytes]) -> Iterator[_Unnumbered]:
    raw_lines = bounded_lines(handle, MAX_BYTES) if hasattr(handle, "readline") else handle  # type: ignore[arg-type]
    for number, raw in enumerate(raw_lines, 1):
        source = f"{label}:{number}"
        if raw is None or len(raw) > MAX_BYTES + 1:  # refused while it was read, never held whole
            yield source, None, None, f"the line is over {MAX_BYTES:,} bytes; at most {MAX_BYTES:,} are accepted"
            continue
        try:
            text = raw.decode("utf-8-sig" if number == 1 else "utf-8")  # a BOM may open the file
        except UnicodeDecodeError as err:
            yield source, None, None, f"not UTF-8 text (byte {err.start})"
            continue
        if text.strip():
            yield source, None, text, ""


# ---------------------------------------------------------------------------------------------
# Evaluating one chunk (in a worker process, or in this one)


_worker_kb: KnowledgeBase | None = None


def _init_worker(rules: str, sha256: str, use_cache: bool) -> None:
    global _worker_kb
    # Ctrl-C reaches the whole process group: the parent handles it (and stops the pool); a worker
    # that took it too would print a KeyboardInterrupt traceback of its own.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # Forked from a server that loaded it already (the command line), or loaded here from the
    # per-user cache the parent has just written (use_cache), or from the files.
    _worker_kb = worker_server.knowledge_base(rules, sha256) or load_knowledge_base(rules, use_cache=use_cache)
    if _worker_kb.sha256 != sha256:  # the files changed after the parent checked them
        raise KnowledgeBaseError(Problem(rules, "", "the knowledge base changed on disk during the batch"))


def evaluate_chunk(items: list[Item], kb: KnowledgeBase, *, lines: bool = True,
                   detail: str = "reference", strict: bool = False) -> tuple[bytes, Tally]:
    """One output line per item, joined into one UTF-8 block, and the chunk's tally. `strict`: a
    FHIR Bundle with an invalid resource is an error line, not read around (fhir/lenient.py)."""
    out, tally, reports = [], Tally(), []
    to_json = LINE_WRITERS[detail]
    for item in items:
        try:
            report = evaluate(_profile(item, strict), kb)
            line = to_json(report) if lines else b""
        except IgfrulesError as err:
            tally.add_failure()
            out.append(_error_line(item, err))
        except Exception as err:  # one case's bug must never stop the others: record it plainly
            tally.add_failure()
            out.append(_error_line(item, EvaluationError(Problem(item.source, "", f"{type(err).__name__}: {err}"))))
        else:
            reports.append(report)
            out.append(line)
    tally.add_reports(reports)
    out.append(b"")
    return b"\n".join(out) if lines else b"", tally


def _work(items: list[Item], spool: str | None, *, detail: str, strict: bool = False) -> tuple[str | None, Tally]:
    """In a worker: evaluate a chunk and spool its lines to a file; return the file and tally."""
    assert _worker_kb is not None  # noqa: S101 - set by the pool initializer
    return spooled(*evaluate_chunk(items, _worker_kb, lines=spool is not None, detail=detail, strict=strict),
                   spool)


def spooled(block: bytes, tally: Any, spool: str | None) -> tuple[str | None, Any]:
    """A worker's chunk written to a file in the spool folder (None: the lines are not wanted)."""
    if spool is None:
        return None, tally
    with tempfile.NamedTemporaryFile("wb", dir=spool, delete=False) as handle:
        handle.write(block)
    return handle.name, tally


def _profile(item: Item, strict: bool = False) -> Any:
    if item.path is not None:
        return read_input(item.path, strict=strict)  # a case file or a FHIR Bundle
    if item.unreadable or item.line is None:
        raise CaseError(Problem(item.source, "", item.unreadable or "empty line"))
    try:
        data = parse_json(item.line)  # strict, as for a .json case file: no repeated keys, no NaN
    except DocumentError as err:
        raise CaseError(Problem(item.source, "", str(err).removeprefix("line 1: "))) from None
    return input_from_document(data, source=item.source, strict=strict)  # a case object, or a FHIR Bundle on one line


def _error_line(item: Item, err: IgfrulesError) -> bytes:
    case_id = None
    if item.line is not None:
        try:
            data = json.loads(item.line)
            case_id = data.get("case_id") if isinstance(data, dict) else None
        except (ValueError, RecursionError):
            case_id = None
    record = {
        "research_only": True,
        "position": item.position,
        "source": item.source,
        "case_id": str(case_id) if isinstance(case_id, str | int) and not isinstance(case_id, bool) else None,
        "error": {
            "type": type(err).__name__,
            "message": str(err),
            "problems": [
                {"source": p.source, "location": p.location, "message": p.message, "hint": p.hint}
                for p in err.problems
            ],
        },
    }
    # A file name that is not UTF-8 carries surrogates; write them as escapes, never fail on them.
    # U+2028 and kin from a raw line are escaped too: one record stays one line for every reader.
    text = json_line_safe(json.dumps(record, ensure_ascii=False, separators=(",", ":")))
    return text.encode("utf-8", "backslashreplace")


# ---------------------------------------------------------------------------------------------
# Running a whole batch


def run_batch(items: Iterable[Item], out: BatchOutput | None, *, workers: int, kb: KnowledgeBase,
              progress: Any = None, spool_dir: str | None = None, detail: str = "reference",
              use_cache: bool = False, strict: bool = False) -> Tally:
    """Evaluate every item, write one line per case to `out` in input order, return the tally.

    `use_cache` lets worker processes read the per-user knowledge-base cache (what the command
    line does). Reports average about 20 KB of JSON. With several workers, each spools its chunk
    to a file and the parent appends the files in input order with sendfile: shipping gigabytes
    through the parent's pipes cost more than evaluating them (measured).
    """
    job = Job(partial(_local, kb=kb, detail=detail, strict=strict), partial(_work, detail=detail, strict=strict),
              _init_worker, (str(kb.path), kb.sha256, use_cache))
    total: Tally = run_job(items, out, Tally(), job, workers=workers, progress=progress, spool_dir=spool_dir)
    return total


def _local(items: list[Item], lines: bool, *, kb: KnowledgeBase, detail: str,
           strict: bool = False) -> tuple[bytes, Tally]:
    return evaluate_chunk(items, kb, lines=lines, detail=detail, strict=strict)


def run_job(items: Iterable[Item], out: BatchOutput | None, total: Any, job: Job, *, workers: int,
            progress: Any = None, spool_dir: str | None = None) -> Any:
    """Run `job` over every chunk, write the blocks to `out` in input order, merge the tallies into
    `total` and return it. A run that cannot finish (Ctrl-C, the output fails, a worker dies)
    raises BatchStopped, which says how many complete lines were written; the lines are never cut
    mid-way."""
    written = [0]  # cases whose line is out (or counted, without output)

    def tally(chunk_tally: Any) -> None:
        total.merge(chunk_tally)
        written[0] += chunk_tally.cases
        if progress is not None:
            progress(total)

    name = out.name if out is not None else "<batch>"
    try:
        _run(_chunks(iter(items)), out, workers, job, tally, spool_dir)
    except KeyboardInterrupt:
        raise _stopped(out, name, written[0], "interrupted", interrupted=True) from None
    except BrokenProcessPool as err:
        raise _stopped(out, name, written[0], f"a worker process failed: {err}") from None
    except OSError as err:  # the output, or a worker's spool: a full disk says "No space left on device"
        where = f"{err.filename}: " if getattr(err, "filename", None) else ""
        raise _stopped(out, name, written[0], f"{where}{err.strerror or err}") from None
    return total


def _stopped(out: BatchOutput | None, name: str, counted: int, why: str, *,
             interrupted: bool = False) -> BatchStopped:
    return BatchStopped(name, out.lines if out is not None else counted, why, interrupted=interrupted)


def _run(chunks: Iterator[list[Item]], out: BatchOutput | None, workers: int, job: Job, tally: Any,
         spool_dir: str | None) -> None:
    if workers <= 1:
        for chunk in chunks:
            block, chunk_tally = job.local(chunk, out is not None)
            if out is not None:
                out.write(block, len(chunk))
            tally(chunk_tally)
        return
    # forkserver: a worker never inherits a lock that another thread of the caller held at fork.
    context = multiprocessing.get_context("forkserver")
    with tempfile.TemporaryDirectory(prefix="igfrules-batch-", dir=spool_dir) as spool, \
            ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=job.initializer,
                                initargs=job.initargs) as pool:
        target = spool if out is not None else None
        pending: list[tuple[int, Future[tuple[str | None, Any]]]] = []

        def collect(size: int, future: Future[tuple[str | None, Any]]) -> None:
            path, chunk_tally = future.result()
            if path is not None and out is not None:
                out.append_file(path, size)
            tally(chunk_tally)

        try:
            for chunk in chunks:
                # A submit may spawn a worker: Ctrl-C waits until it is spawned, or the worker would
                # find the pool's queues gone as it opened them, and print a traceback of its own.
                with whole_lines():
                    future = pool.submit(job.work, chunk, target)
                pending.append((len(chunk), future))
                if len(pending) >= workers * IN_FLIGHT_PER_WORKER:
                    collect(*pending.pop(0))
            for size, future in pending:
                collect(size, future)
        except BaseException:
            pool.shutdown(wait=True, cancel_futures=True)  # stop now: not every queued chunk first
            raise


def _chunks(items: Iterator[Item]) -> Iterator[list[Item]]:
    while chunk := list(islice(items, CHUNK)):
        yield chunk


def default_workers() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1
