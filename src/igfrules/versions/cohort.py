"""A cohort's diff, streamed like `igfrules batch`: the same inputs, chunks, workers, order, error
records and stop records (cohort/batch.py runs it; this module only says what a chunk does).

Each case is evaluated with both knowledge bases; what differs is one output block per case (a
JSON line, or a few lines of text or Markdown), and the tally counts how many patients each
record change affected.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from ..cohort import worker_server
from ..cohort.batch import Item, Job, _error_line, _profile, spooled
from ..errors import EvaluationError, IgfrulesError, KnowledgeBaseError, Problem
from ..evaluation.evaluate import evaluate
from ..evaluation.loading import load_knowledge_base
from ..knowledge.loader import KnowledgeBase
from .changes import KnowledgeBaseDiff, entry_changes
from .patients import PatientDiff, Sources, patient_diff
from .words import dumps, patient_json, patient_text


@dataclass
class DiffTally:
    """Counts that merge across chunks and workers: cases, failures, patients whose report changed,
    and patients per record change."""

    cases: int = 0
    failed: int = 0
    changed: int = 0
    by_change: Counter[str] = field(default_factory=Counter)

    def add(self, patient: PatientDiff) -> None:
        self.cases += 1
        if patient.changes:
            self.changed += 1
            self.by_change.update({rid for c in patient.changes for rid in c.caused_by})

    def merge(self, other: DiffTally) -> None:
        self.cases += other.cases
        self.failed += other.failed
        self.changed += other.changed
        self.by_change.update(other.by_change)


@dataclass(frozen=True)
class Pair:
    """Two knowledge bases, their record changes and what each record draws on: built once."""

    old: KnowledgeBase
    new: KnowledgeBase
    diff: KnowledgeBaseDiff
    sources: Sources

    @classmethod
    def of(cls, old: KnowledgeBase, new: KnowledgeBase) -> Pair:
        diff = entry_changes(old, new)
        return cls(old, new, diff, Sources(old, new, diff))

    def patient(self, case: Any, *, position: int = 1, source: str = "") -> PatientDiff:
        return patient_diff(evaluate(case, self.old), evaluate(case, self.new), self.sources,
                            position=position, source=source)


RENDER: dict[str, Callable[[PatientDiff], str]] = {
    "json": lambda p: dumps(patient_json(p)) + "\n", "text": patient_text,
    "markdown": partial(patient_text, markdown=True)}


def diff_chunk(items: list[Item], pair: Pair, fmt: str, lines: bool = True) -> tuple[bytes, DiffTally]:
    """One block per item: the patient's changes, or the error record batch writes for that case."""
    out: list[bytes] = []
    tally = DiffTally()
    render = RENDER[fmt]
    for item in items:
        try:
            case = _profile(item)
            patient = pair.patient(case, position=item.position, source=item.source)
        except IgfrulesError as err:
            tally.cases += 1
            tally.failed += 1
            out.append(_error_line(item, err) + b"\n")
        except Exception as err:  # one case's bug never stops the others, as in batch
            tally.cases += 1
            tally.failed += 1
            problem = Problem(item.source, "", f"{type(err).__name__}: {err}")
            out.append(_error_line(item, EvaluationError(problem)) + b"\n")
        else:
            tally.add(patient)
            if lines:
                out.append(render(patient).encode("utf-8", "backslashreplace"))
    return b"".join(out), tally


_worker_pair: Pair | None = None


def _init_worker(old: str, old_sha256: str, new: str, new_sha256: str) -> None:
    global _worker_pair
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C, as batch's workers do
    kbs = []
    for rules, sha256 in ((old, old_sha256), (new, new_sha256)):
        kb = worker_server.knowledge_base(rules, sha256) or load_knowledge_base(rules, use_cache=True)
        if kb.sha256 != sha256:
            raise KnowledgeBaseError(Problem(rules, "", "the knowledge base changed on disk during the diff"))
        kbs.append(kb)
    _worker_pair = Pair.of(*kbs)


def _work(items: list[Item], spool: str | None, *, fmt: str) -> tuple[str | None, DiffTally]:
    assert _worker_pair is not None  # noqa: S101 - set by the pool initializer
    return spooled(*diff_chunk(items, _worker_pair, fmt, spool is not None), spool)


def diff_job(pair: Pair, fmt: str) -> Job:
    """The job cohort/batch.run_job runs for `igfrules diff OLD NEW CASE...`."""
    return Job(lambda items, lines: diff_chunk(items, pair, fmt, lines), partial(_work, fmt=fmt), _init_worker,
               (str(pair.old.path), pair.old.sha256, str(pair.new.path), pair.new.sha256))
