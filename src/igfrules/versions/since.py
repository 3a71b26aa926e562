"""`igfrules evaluate CASE --since 1.1.0`: the brief's short section on what changed for her since
an earlier knowledge base, with the record change behind each change.

Short on purpose: a line for each rationale, context note, trial or caution she gained or lost,
for each grade or direction that changed, and for the verdict; one line each for what is only
said differently and for what missing data would decide. `igfrules diff` says it all.
"""

from __future__ import annotations

from typing import Any

from ..knowledge.loader import KnowledgeBase
from ..rendering.since import Since
from .cohort import Pair
from .patients import PatientChange
from .words import change_sentence


def since_section(case: Any, earlier: KnowledgeBase, current: KnowledgeBase) -> Since:
    """The section's content; no sentences (and so no section) when nothing changed for her."""
    patient = Pair.of(earlier, current).patient(case)
    sentences, reworded, needs = [], [], []
    for change in patient.changes:
        if change.part == "needs_information":
            needs.append(change)
        elif change.how == "changed" and change.part in ("rationale", "context", "trial") \
                and "grade or direction" not in change.differs_in:
            reworded.append(change)
        else:
            sentences.append(change_sentence(change))
    if reworded:
        sentences.append(f"said differently, with the same grade and direction: {_ids(reworded)}")
    if needs:
        sentences.append(f"what missing data would decide changed for {len(needs)} entries or trials: {_ids(needs)}")
    if reworded or needs:
        sentences.append(f"in full: igfrules diff {earlier.meta.version} {current.meta.version} CASE")
    return Since(earlier.meta.version, current.meta.version, tuple(sentences))


def _ids(changes: list[PatientChange]) -> str:
    """The ids, and the record changes behind them when other than their own."""
    own = all(c.caused_by == (c.id,) for c in changes)
    causes = "" if own else f" (because of {', '.join(sorted({r for c in changes for r in c.caused_by}))})"
    return ", ".join(c.id for c in changes) + (" (each its own record's change)" if own else causes)
