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
from collections import Counter
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from itertools import chain, islice
from operator import attrgetter
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
from ..model.report import Report
from ..rendering.jsonline import report_json_bytes
from ..rendering.labels import field_label
from ..rendering.reference_line import reference_line_bytes
from . import worker_server
from .output import BatchOutput, BatchStopped, whole_lines

CASE_SUFFIXES = (".yaml", ".yml", ".json")
CHUNK = 256  # cases per task: large enough to amortise process hand-off, small enough to stream
IN_FLIGHT_PER_WORKER = 4
# --detail: a line by reference (every per-case fact, knowledge-base text by id) or the full report
LINE_WRITERS = {"reference": reference_line_bytes, "full": report_json_bytes}


class Item(NamedTuple):
    """One case to evaluate: where it came from, and either a file path or one JSON line.

    A named tuple, not a dataclass: chunks of items are pickled to the workers, and a tuple
    pickles and unpickles several times faster (no per-item state methods in Python)."""

    position: int  # 1-based, across all inputs
    source: str  # "cases/a.yaml" or "cohort.jsonl:17" or "<stdin>:3"
    path: str | None = None
    line: str | None = None
    unreadable: str = ""  # why the line could not be read as text


@dataclass
class Tally:
    """The cohort summary: counts that merge across chunks and workers."""

    cases: int = 0
    failed: int = 0
    rationales: Counter[str] = field(default_factory=Counter)
    context: Counter[str] = field(default_factory=Counter)
    trials: Counter[str] = field(default_factory=Counter)
    missing: Counter[str] = field(default_factory=Counter)

    def add_reports(self, reports: list[Report]) -> None:
        """Count a chunk's reports at once: the counting runs in C, not a Python loop per case."""
        self.cases += len(reports)
        self.rationales.update(map(_ID, chain.from_iterable(map(_RATIONALES, reports))))
        self.context.update(map(_ID, chain.from_iterable(map(_CONTEXT, reports))))
        self.trials.update(map(_NCT_ID, chain.from_iterable(map(_TRIALS, reports))))
        self.missing.update(chain.from_iterable(map(_missing_fields, reports)))

    def add_failure(self) -> None:
        self.cases += 1
        self.failed += 1

    def merge(self, other: Tally) -> None:
        self.cases += other.cases
        self.failed += other.failed
        for name in ("rationales", "context", "trials", "missing"):
            getattr(self, name).update(getattr(other, name))


_ID, _NCT_ID = attrgetter("id"), attrgetter("nct_id")
_RATIONALES, _CONTEXT, _TRIALS = attrgetter("rationales"), attrgetter("context"), attrgetter("trials")


def _missing_fields(report: Report) -> Iterable[str]:
    """Each field once per patient, however many entries lack it."""
    needs = report.needs_information
    if len(needs) == 1:
        return needs[0].missing  # a sorted set already
    return {f for n in needs for f in n.missing}


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


def _work(items: list[Item], spool: str | None, detail: str, strict: bool = False) -> tuple[str | None, Tally]:
    """In a worker: evaluate a chunk and spool its lines to a file; return the file and tally."""
    assert _worker_kb is not None  # noqa: S101 - set by the pool initializer
    block, tally = evaluate_chunk(items, _worker_kb, lines=spool is not None, detail=detail, strict=strict)
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
    return input_from_document(data, source=item.source, strict=strict)  # a case object, or a Bundle on one line


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

    A run that cannot finish (Ctrl-C, the output fails, a worker dies) raises BatchStopped, which
    says how many complete lines were written; the lines are never cut mid-way. `use_cache` lets
    worker processes read the per-user knowledge-base cache (what the command line does).

    Reports average about 20 KB of JSON. With several workers, each spools its chunk to a file and
    the parent appends the files in input order with sendfile: shipping gigabytes through the
    parent's pipes cost more than evaluating them (measured).
    """
    total = Tally()
    written = [0]  # cases whose line is out (or counted, without output)

    def tally(chunk_tally: Tally) -> None:
        total.merge(chunk_tally)
        written[0] += chunk_tally.cases
        if progress is not None:
            progress(total)

    name = out.name if out is not None else "<batch>"
    try:
        _run(_chunks(iter(items)), out, workers, kb, tally, spool_dir, detail, use_cache, strict)
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


def _run(chunks: Iterator[list[Item]], out: BatchOutput | None, workers: int, kb: KnowledgeBase,
         tally: Any, spool_dir: str | None, detail: str, use_cache: bool, strict: bool = False) -> None:
    if workers <= 1:
        for chunk in chunks:
            block, chunk_tally = evaluate_chunk(chunk, kb, lines=out is not None, detail=detail, strict=strict)
            if out is not None:
                out.write(block, len(chunk))
            tally(chunk_tally)
        return
    # forkserver: a worker never inherits a lock that another thread of the caller held at fork.
    context = multiprocessing.get_context("forkserver")
    with tempfile.TemporaryDirectory(prefix="igfrules-batch-", dir=spool_dir) as spool, \
            ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_init_worker,
                                initargs=(str(kb.path), kb.sha256, use_cache)) as pool:
        target = spool if out is not None else None
        pending: list[tuple[int, Future[tuple[str | None, Tally]]]] = []

        def collect(size: int, future: Future[tuple[str | None, Tally]]) -> None:
            path, chunk_tally = future.result()
            if path is not None and out is not None:
                out.append_file(path, size)
            tally(chunk_tally)

        try:
            for chunk in chunks:
                # A submit may spawn a worker: Ctrl-C waits until it is spawned, or the worker would
                # find the pool's queues gone as it opened them, and print a traceback of its own.
                with whole_lines():
                    future = pool.submit(_work, chunk, target, detail, strict)
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


# ---------------------------------------------------------------------------------------------
# The cohort summary


def summary_json(tally: Tally, kb: KnowledgeBase) -> dict[str, Any]:
    def rows(counter: Counter[str], titles: dict[str, str]) -> list[dict[str, Any]]:
        return [{"id": key, "title": titles.get(key, ""), "patients": counter[key]}
                for key in sorted(counter, key=lambda k: (-counter[k], k))]

    entries = {e.id: e.title for e in kb.entries.values()}
    trials = {t.nct_id: t.title for t in kb.trials.values()}
    return {
        "research_only": True,
        "cases": tally.cases,
        "evaluated": tally.cases - tally.failed,
        "failed": tally.failed,
        "rationales": rows(tally.rationales, entries),
        "context": rows(tally.context, entries),
        "trials": rows(tally.trials, trials),
        "missing_fields": [{"field": k, "label": field_label(k), "patients": tally.missing[k]}
                           for k in sorted(tally.missing, key=lambda k: (-tally.missing[k], k))],
    }


def summary_text(tally: Tally, kb: KnowledgeBase) -> str:
    data = summary_json(tally, kb)
    lines = ["RESEARCH USE ONLY - cohort summary; igfrules never recommends a treatment.", "",
             f"{data['cases']:,} cases: {data['evaluated']:,} evaluated, {data['failed']:,} failed", ""]
    for title, key, label in (("Rationales that fired", "rationales", "id"), ("Context notes", "context", "id"),
                              ("Trials whose population patients fit", "trials", "id")):
        lines.append(f"{title}:")
        lines.extend(f"  {row['patients']:>9,}  {row[label]:<34} {row['title']}" for row in data[key])
        if not data[key]:
            lines.append("  none")
        lines.append("")
    lines.append("Fields that would change a result (patients lacking them):")
    # A person reads the label; the case-file field beside it is what to fill in the registry's data.
    lines.extend(f"  {row['patients']:>9,}  {row['label']:<36} {row['field']}" for row in data["missing_fields"])
    if not data["missing_fields"]:
        lines.append("  none")
    return "\n".join(lines) + "\n"
