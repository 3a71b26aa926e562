"""`igfrules explain`: one entry or trial in prose, and with a case, each condition's value."""

from __future__ import annotations

import difflib
from pathlib import Path

from ..engine.reference import evaluate
from ..errors import InputError, Problem
from ..knowledge.loader import KnowledgeBase
from ..knowledge.trialstatus import status_words
from ..rendering.labels import entry_direction_words, humanize
from ..rendering.prose import in_words, tree_lines
from .cases import read_case

_VALUE = {True: "TRUE: it fires", False: "FALSE: it does not fire", None: "UNKNOWN: it needs information"}


def explain_text(kb: KnowledgeBase, rule_id: str, case: Path | None) -> str:
    rule_id = canonical_id(kb, rule_id)
    key = _condition_key(kb, rule_id)
    condition = kb.conditions[key]
    lines = ["RESEARCH USE ONLY - not medical advice; igfrules never recommends a treatment.", ""]
    if key.startswith("entry:"):
        entry = kb.entries[rule_id]
        lines += [f"{entry.id}: {entry.title} ({entry.kind})", "", entry.summary.strip(), "",
                  f"Evidence: level {entry.evidence.level} ({entry.evidence.kind.replace('_', ' ')}), "
                  f"{entry_direction_words(entry.evidence)}. {entry.evidence.statement.strip()}",
                  "Citations: " + "; ".join(kb.references[c].short for c in entry.citations)]
        if entry.evidence_population:
            lines.append(f"Whom the evidence comes from: {' '.join(entry.evidence_population.split())}")
        if entry.notes:
            lines.append(f"Notes: {entry.notes.strip()}")
    else:
        trial = kb.trials[rule_id]
        review = kb.references[kb.meta.review]
        lines += [f"{trial.nct_id}: {trial.title}", "", f"Regimen: {trial.regimen}; phase {trial.phase}; "
                  f"{trial.design}", f"Population: {' '.join(trial.population_text.split())}",
                  f"Status: {status_words(trial, kb.references, review)}"]
        if trial.notes:
            lines.append(f"Notes: {' '.join(trial.notes.split())}")
    # The condition with human labels ("ER status is positive"), as every output for people.
    lines += ["", f"Condition: {humanize(in_words(condition))}", ""]
    if case is None:
        lines += map(humanize, tree_lines(condition))
    else:
        profile = read_case(case)
        lines.append(f"For {case} ({profile.case_id or 'no case id'}): {_VALUE[evaluate(condition, profile)]}")
        lines += map(humanize, tree_lines(condition, profile, lambda node: evaluate(node, profile)))
    return "\n".join(lines) + "\n"


def canonical_id(kb: KnowledgeBase, rule_id: str) -> str:
    """Ids are case-insensitive: `rat-rida-dalo` and `nct01605396` find their entry and trial."""
    folded = {key.casefold(): key for key in (*kb.entries, *kb.trials)}
    return folded.get(rule_id.strip().casefold(), rule_id)


def _condition_key(kb: KnowledgeBase, rule_id: str) -> str:
    if rule_id in kb.entries:
        if kb.entries[rule_id].status != "active":
            raise InputError(Problem("<knowledge base>", rule_id, "this entry is retired"))
        return f"entry:{rule_id}"
    if rule_id in kb.trials:
        return f"trial:{rule_id}"
    known = [*kb.entries, *kb.trials]
    close = difflib.get_close_matches(rule_id.upper(), known, n=3)
    hint = f"did you mean {', '.join(close)}?" if close else "see `igfrules rules` and `igfrules trials`"
    raise InputError(Problem(str(kb.path), rule_id, "no entry or trial has this id", hint))
