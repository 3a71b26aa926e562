"""`igfrules evaluate CASE --since 1.1.0`: the brief's section on what changed for her since an
earlier knowledge base, one sentence per change with the record change behind it."""

from __future__ import annotations

from typing import Any

from ..knowledge.loader import KnowledgeBase
from ..rendering.since import Since
from .cohort import Pair
from .words import change_sentence


def since_section(case: Any, earlier: KnowledgeBase, current: KnowledgeBase) -> Since:
    """The section's content; no sentences (and so no section) when nothing changed for her."""
    patient = Pair.of(earlier, current).patient(case)
    # Kept short: what missing data would decide is one sentence, however many entries it concerns.
    needs = [c for c in patient.changes if c.part == "needs_information"]
    sentences = [change_sentence(c) for c in patient.changes if c.part != "needs_information"]
    if needs:
        ids = ", ".join(c.id for c in needs)
        causes = ", ".join(sorted({r for c in needs for r in c.caused_by}))
        sentences.append(f"what missing data would decide changed for {len(needs)} entries or trials ({ids}) "
                         f"(because of {causes})")
    return Since(earlier.meta.version, current.meta.version, tuple(sentences))
