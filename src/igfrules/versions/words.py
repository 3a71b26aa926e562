"""The diff in text, Markdown and JSON: record changes, a patient's changes, the cohort's counts.

Strings only, never printed. Every text opens research-only; a patient's change ends with the
record changes that caused it ("because RAT-X: population, grade").
"""

from __future__ import annotations

import json
import textwrap
from collections import Counter
from dataclasses import asdict
from typing import Any

from ..rendering.labels import markdown_literal
from .changes import EntryChange, KnowledgeBaseDiff
from .patients import PatientChange, PatientDiff

BANNER = "RESEARCH USE ONLY - what changed between two knowledge-base versions; igfrules never recommends a treatment."
WIDTH = 100
PART_WORDS = {"rationale": "rationale", "context": "context note", "trial": "trial", "caution": "caution",
              "needs_information": "would be decided by", "verdict": "verdict"}


def _clip(text: str, name: str = "wording", limit: int = 300) -> str:
    """Only reworded prose is shortened (it is shown in full by `igfrules explain`); a population,
    criterion or citation is never cut."""
    return text if name != "wording" or len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _wrapped(text: str, indent: int) -> list[str]:
    pad = " " * indent
    return textwrap.wrap(text, WIDTH, initial_indent=pad, subsequent_indent=pad + "  ", break_long_words=False) or [pad]


def changes_text(diff: KnowledgeBaseDiff, *, markdown: bool = False) -> str:
    """Record by record, each aspect before and after in words."""
    head = f"Knowledge base {diff.old.version} -> {diff.new.version} ({diff.new.name})"
    lines = [BANNER, "", f"## {head}" if markdown else head, ""]
    if diff.empty:
        return "\n".join([*lines, "No change: the two are the same knowledge base.", ""])
    counts = Counter(c.how for c in diff.changes)
    lines += [f"{len(diff.changes)} records changed: " + ", ".join(f"{counts[h]} {h}" for h in
                                                                    ("changed", "added", "removed") if counts[h]), ""]
    for change in diff.changes:
        lines += _change_lines(change, markdown)
    return "\n".join(lines) + "\n"


def _change_lines(change: EntryChange, markdown: bool) -> list[str]:
    title = f"{change.kind} {change.id} {change.how}: {change.title}"
    lines = [f"### {markdown_literal(title)}" if markdown else title]
    for aspect in change.aspects:
        if aspect.added or aspect.removed:
            text = "; ".join(filter(None, (f"added {'; '.join(aspect.added)}" if aspect.added else "",
                                           f"removed {'; '.join(aspect.removed)}" if aspect.removed else "")))
            lines += _item(f"{aspect.name}: {text}", markdown)
        elif change.how == "changed":
            lines += _item(f"{aspect.name}: was {_clip(aspect.before, aspect.name)}; now "
                           f"{_clip(aspect.after, aspect.name)}", markdown)
        else:
            lines += _item(f"{aspect.name}: {aspect.before or aspect.after}", markdown)
    return [*lines, ""]


def _item(text: str, markdown: bool) -> list[str]:
    return [f"- {text}"] if markdown else _wrapped(f"- {text}", 2)


def change_sentence(change: PatientChange) -> str:
    """'trial NCT01605396 lost: ... (because NCT01605396: population)'."""
    what = PART_WORDS[change.part]
    if change.part == "verdict":
        text = f"verdict changed: was \"{change.before}\"; now \"{change.after}\""
    elif change.part == "needs_information":
        text = f"{change.id} {change.how} among what missing data would decide"
        text += f" ({change.after or change.before})"
    elif change.how == "changed":
        text = f"{what} {change.id} changed ({', '.join(change.differs_in)})"
        if change.before != change.after:
            text += f": was {change.before}; now {change.after}"
    else:
        text = f"{what} {change.id} {change.how}: {change.title}"
    return f"{text} (because of {', '.join(change.caused_by) or 'no recorded change'})"


def patient_text(patient: PatientDiff, *, markdown: bool = False) -> str:
    label = f"Patient {patient.position}: {patient.case_id or '(no case_id)'} ({patient.source})"
    head = f"### {markdown_literal(label)}" if markdown else label
    if not patient.changes:
        return f"{head}\n{'- ' if markdown else '  '}no change in her report\n\n"
    lines = [head]
    for change in patient.changes:
        lines += [f"- {markdown_literal(change_sentence(change))}"] if markdown else _wrapped(
            f"- {change_sentence(change)}", 2)
    return "\n".join(lines) + "\n\n"


def patient_json(patient: PatientDiff) -> dict[str, Any]:
    """As dataclasses.asdict would give it, built directly: asdict deep-copies every field, which
    showed in a cohort's time."""
    return {"research_only": True, "position": patient.position, "source": patient.source,
            "case_id": patient.case_id,
            "changes": [{"part": c.part, "id": c.id, "how": c.how, "title": c.title, "before": c.before,
                         "after": c.after, "caused_by": list(c.caused_by), "differs_in": list(c.differs_in)}
                        for c in patient.changes]}


def changes_json(diff: KnowledgeBaseDiff) -> dict[str, Any]:
    data = asdict(diff)
    data.pop("by_id", None)
    return {"research_only": True, **data}


def summary_json(counts: Counter[str], patients: int, changed: int, failed: int,
                 diff: KnowledgeBaseDiff) -> dict[str, Any]:
    """How many patients each record change affected (a patient counts once per record)."""
    return {"research_only": True, "summary": True, "cases": patients, "failed": failed, "changed": changed,
            "unchanged": patients - failed - changed,
            "by_change": [{"id": rid, "kind": diff.by_id[rid].kind, "title": diff.by_id[rid].title,
                           "patients": counts[rid]}
                          for rid in sorted(counts, key=lambda k: (-counts[k], k))]}


def summary_text(data: dict[str, Any], *, markdown: bool = False) -> str:
    head = "Cohort summary"
    lines = [f"## {head}" if markdown else head, "",
             f"{data['cases']:,} cases: {data['changed']:,} changed, {data['unchanged']:,} unchanged, "
             f"{data['failed']:,} failed", "", "Patients affected by each record change:"]
    lines += [f"{'- ' if markdown else '  '}{row['patients']:>7,}  {row['id']:<34} {row['title']}"
              for row in data["by_change"]] or ["  none"]
    return "\n".join(lines) + "\n"


def dumps(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))
