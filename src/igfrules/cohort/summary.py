"""The cohort summary of `igfrules batch --summary`: patients per rationale, trial and missing field,
counted chunk by chunk (Tally) and merged across workers."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import chain
from operator import attrgetter
from typing import Any

from ..knowledge.loader import KnowledgeBase
from ..model.report import Report
from ..rendering.labels import field_label


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
