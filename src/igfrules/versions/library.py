"""`igfrules.diff()`: two knowledge bases, and optionally cases, compared for a program to show
("since your last board")."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..evaluation.loading import load_knowledge_base
from ..knowledge.loader import KnowledgeBase
from ..knowledge.releases import resolve
from ..model.patient import PatientProfile
from .changes import KnowledgeBaseDiff
from .cohort import Pair
from .patients import PatientDiff


@dataclass(frozen=True)
class Diff:
    """The record changes, each patient's changes (in the order given) and, per record change,
    how many of these patients it affected."""

    knowledge_base: KnowledgeBaseDiff
    patients: tuple[PatientDiff, ...] = ()
    patients_by_change: tuple[tuple[str, int], ...] = ()


def knowledge_base(spec: KnowledgeBase | str | Path) -> KnowledgeBase:
    """A loaded knowledge base as it is; a folder, a shipped version or a sha256, loaded."""
    if isinstance(spec, KnowledgeBase):
        return spec
    return load_knowledge_base(resolve(spec))


def diff(old_kb: KnowledgeBase | str | Path, new_kb: KnowledgeBase | str | Path,
         cases: Iterable[Any] | Mapping[str, Any] | PatientProfile | str | Path | None = None) -> Diff:
    """Compare two knowledge bases ("1.1.0", "1.2.0", a folder, or a loaded KnowledgeBase), and,
    given cases (what `evaluate()` takes: a mapping, a PatientProfile, a case file or Bundle path,
    or an iterable of them), what changed in each one's report and why. A bad case raises, as
    `evaluate()` does; `igfrules diff` streams a cohort with error records instead.

        result = igfrules.diff("1.1.0", "1.2.0", [{"er_status": "positive", "stage": "IV"}])
        for change in result.patients[0].changes:
            print(change.part, change.id, change.how, change.caused_by)
    """
    pair = Pair.of(knowledge_base(old_kb), knowledge_base(new_kb))
    if cases is None:
        return Diff(pair.diff)
    if isinstance(cases, Mapping | PatientProfile | str | Path):
        cases = [cases]
    patients = tuple(pair.patient(case, position=i, source=str(case) if isinstance(case, str | Path) else f"case {i}")
                     for i, case in enumerate(cases, 1))
    counts = Counter(rid for p in patients for rid in {r for c in p.changes for r in c.caused_by})
    return Diff(pair.diff, patients, tuple(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))))
