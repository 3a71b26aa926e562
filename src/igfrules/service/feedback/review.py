"""The curators' review queue: overrides per entry and reason, most overridden first, from the
feedback database, as text, Markdown or JSON. Deterministic: the same database, the same bytes.

An entry many clinicians dismiss with "the evidence is outdated" is an entry to re-read; "the
record's data are wrong" points at the FHIR mapping; "discussed at the board" is no signal about
the entry. Comments are shown only when asked for: they are clinicians' free text.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from ...errors import printable
from .codes import OVERRIDE_REASONS, OVERRIDE_SYSTEM
from .store import FeedbackStore

BANNER = "RESEARCH USE ONLY - igfrules card feedback, for curators of the knowledge base; never medical advice."
NO_REASON = "no reason given"


@dataclass
class QueueItem:
    """One entry (or, for a card about no entry, its topic) with its feedback counted."""

    subject: str  # the entry id, or "card: <topic>"
    overridden: int = 0
    accepted: int = 0
    reasons: Counter[str] = field(default_factory=Counter)
    knowledge_bases: set[str] = field(default_factory=set)
    comments: list[str] = field(default_factory=list)


def reason_words(system: str | None, code: str | None) -> str:
    if system is None or code is None:
        return NO_REASON
    if system == OVERRIDE_SYSTEM and code in OVERRIDE_REASONS:
        return f"{code}: {OVERRIDE_REASONS[code]}"
    return f"other system: {system}|{code}"  # a client's own reasons, kept as sent


def review_queue(store: FeedbackStore) -> list[QueueItem]:
    items: dict[str, QueueItem] = {}
    for entry_id, topic, outcome, system, code, comment, _when, kb_version, kb_name in store.feedback_rows():
        subject = entry_id or f"card: {topic}"
        item = items.setdefault(subject, QueueItem(subject))
        item.knowledge_bases.add(f"{kb_name} {kb_version}")
        if outcome == "accepted":
            item.accepted += 1
            continue
        item.overridden += 1
        item.reasons[reason_words(system, code)] += 1
        if comment:
            item.comments.append(comment)
    return sorted(items.values(), key=lambda i: (-i.overridden, i.subject))


def as_json(queue: list[QueueItem], *, comments: bool) -> str:
    entries: list[dict[str, Any]] = []
    for item in queue:
        entry: dict[str, Any] = {
            "subject": item.subject, "overridden": item.overridden, "accepted": item.accepted,
            "reasons": [{"reason": r, "count": n} for r, n in _by_count(item.reasons)],
            "knowledge_bases": sorted(item.knowledge_bases)}
        if comments:
            entry["comments"] = sorted(item.comments)
        entries.append(entry)
    return json.dumps({"research_only": True, "disclaimer": BANNER, "entries": entries,
                       "override_reason_system": OVERRIDE_SYSTEM}, indent=2, ensure_ascii=False) + "\n"


def as_text(queue: list[QueueItem], *, comments: bool) -> str:
    lines = [BANNER, _totals(queue), ""]
    for item in queue:
        lines.append(f"{item.subject}: {item.overridden} overridden, {item.accepted} accepted "
                     f"({', '.join(sorted(item.knowledge_bases))})")
        lines.extend(f"  {n:>4}  {printable(r)}" for r, n in _by_count(item.reasons))  # a client's own code
        if comments:
            lines.extend(f"        comment: {printable(c)}" for c in sorted(item.comments))
    return "\n".join(lines).rstrip("\n") + "\n"


def as_markdown(queue: list[QueueItem], *, comments: bool) -> str:
    lines = [f"**{BANNER}**", "", _totals(queue), "", "| entry | overridden | accepted | reasons |",
             "|---|---|---|---|"]
    for item in queue:
        reasons = "; ".join(f"{r} ({n})" for r, n in _by_count(item.reasons))
        lines.append(f"| `{item.subject}` | {item.overridden} | {item.accepted} | {_cell(reasons)} |")
    if comments:
        for item in queue:
            if item.comments:
                lines += ["", f"### `{item.subject}`", ""] + [f"- {_cell(c)}" for c in sorted(item.comments)]
    return "\n".join(lines) + "\n"


def _by_count(reasons: Counter[str]) -> list[tuple[str, int]]:
    return sorted(reasons.items(), key=lambda x: (-x[1], x[0]))


# A client's reason codes and clinicians' comments made inert in Markdown: no link, heading, code
# or raw HTML (as rendering.labels.markdown_literal, which this package may not import).
_MARKUP = str.maketrans({**{c: "\\" + c for c in "\\|*_`[]#<>"}, "&": "&amp;"})


def _cell(text: str) -> str:
    return printable(" ".join(text.split())).translate(_MARKUP)


def _totals(queue: list[QueueItem]) -> str:
    if not queue:
        return "No feedback yet."
    overridden = sum(i.overridden for i in queue)
    accepted = sum(i.accepted for i in queue)
    return (f"{overridden} override(s) and {accepted} acceptance(s) over {len(queue)} entr"
            f"{'y' if len(queue) == 1 else 'ies'} (or cards about no entry: 'card: <topic>'), most overridden first.")


RENDERERS = {"text": as_text, "json": as_json, "markdown": as_markdown}
