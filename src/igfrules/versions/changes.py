"""What changed between two knowledge bases, record by record, in words a clinician reads.

A record is an entry (rationale or context note), a trial, a caution or a reference. Each change
names the record and says, aspect by aspect, what it was and what it is: the population (the
condition in words, as `igfrules explain` writes it), the grade, the direction, the trials and
their criteria, the citations, the cautions, the status, and the wording. Wording is compared
last and only reported when nothing else explains a difference, so every difference a report can
show has a named aspect behind it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

from ..knowledge.loader import KnowledgeBase
from ..knowledge.models import Caution, Entry, Reference, Trial
from ..knowledge.trialstatus import today_words
from ..model.conditions import ConditionSyntaxError, parse_condition
from ..rendering.labels import DIRECTION_WORDS, LEVEL_MEANING, entry_direction_words, humanize
from ..rendering.prose import in_words

Kind = Literal["rationale", "context", "trial", "caution", "reference"]
How = Literal["added", "removed", "changed"]
KINDS: tuple[Kind, ...] = ("rationale", "context", "trial", "caution", "reference")


@dataclass(frozen=True)
class Aspect:
    """One aspect of a record, before and after, in words. `added` and `removed` list the members
    that came and went when the aspect is a list (trials, citations, cautions, criteria)."""

    name: str  # population, grade, direction, trials, criteria, citations, cautions, status, wording, ...
    before: str
    after: str
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()


@dataclass(frozen=True)
class EntryChange:
    """One record that differs between the two knowledge bases."""

    id: str
    kind: Kind
    how: How
    title: str  # the newer title (the older one for a removed record)
    aspects: tuple[Aspect, ...]


@dataclass(frozen=True)
class KnowledgeBaseStamp:
    name: str
    version: str
    sha256: str


@dataclass(frozen=True)
class KnowledgeBaseDiff:
    """Every record change from `old` to `new`, rationales first, then context notes, trials,
    cautions, references, each by id. Empty when the two are the same knowledge base."""

    old: KnowledgeBaseStamp
    new: KnowledgeBaseStamp
    changes: tuple[EntryChange, ...]
    by_id: dict[str, EntryChange] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        self.by_id.update((c.id, c) for c in self.changes)

    @property
    def empty(self) -> bool:
        return not self.changes


def stamp(kb: KnowledgeBase) -> KnowledgeBaseStamp:
    return KnowledgeBaseStamp(kb.meta.name, kb.meta.version, kb.sha256)


def entry_changes(old: KnowledgeBase, new: KnowledgeBase) -> KnowledgeBaseDiff:
    """Compare two loaded knowledge bases record by record."""
    changes: list[EntryChange] = []
    if old.sha256 != new.sha256:
        for kind in KINDS:
            before, after, describe = _RECORDS[kind](old), _RECORDS[kind](new), _DESCRIBE[kind]
            for rid in sorted(set(before) | set(after)):
                change = _compare(rid, kind, before.get(rid), after.get(rid), old, new, describe)
                if change is not None:
                    changes.append(change)
    return KnowledgeBaseDiff(stamp(old), stamp(new), tuple(changes))


# -- each record as aspects in words ---------------------------------------------------------------

Words = dict[str, str | tuple[str, ...]]  # aspect -> words, or the members of a list aspect


def _compare(rid: str, kind: Kind, before: Any, after: Any, old: KnowledgeBase, new: KnowledgeBase,
             describe: Callable[[Any, KnowledgeBase], Words]) -> EntryChange | None:
    if before is None or after is None:
        record, kb = (after, new) if before is None else (before, old)
        words = describe(record, kb)
        how: How = "added" if before is None else "removed"
        shown = (_aspect(name, {} if how == "added" else words, words if how == "added" else {})
                 for name in words if name != "wording")
        return EntryChange(rid, kind, how, _title(record), tuple(a for a in shown if a.before or a.after))
    if before == after and _derived_same(kind, before, old, new):
        return None
    old_words, new_words = describe(before, old), describe(after, new)
    aspects = [_aspect(name, old_words, new_words) for name in new_words
               if name != "wording" and old_words.get(name) != new_words.get(name)]
    if not aspects and old_words.get("wording") != new_words.get("wording"):  # only the prose differs
        aspects = [Aspect("wording", str(old_words.get("wording", "")), str(new_words.get("wording", "")))]
    elif not aspects:  # curators' examples, notes or review sections: nothing a report shows
        aspects = [Aspect("curation", "", "examples, notes or review sections changed; no text a report shows")]
    return EntryChange(rid, kind, "changed", _title(after), tuple(aspects))


def _derived_same(kind: Kind, record: Any, old: KnowledgeBase, new: KnowledgeBase) -> bool:
    """Equal records still differ in a report when what they draw on differs: an entry's class
    cautions come from the cautions file, a trial listing from its own record only."""
    if kind in ("rationale", "context"):
        return old.cautions_for(record) == new.cautions_for(record)
    return True


def _aspect(name: str, before: Words, after: Words) -> Aspect:
    was, now = before.get(name, ()), after.get(name, ())
    if isinstance(was, tuple) or isinstance(now, tuple):
        was_t = was if isinstance(was, tuple) else ()
        now_t = now if isinstance(now, tuple) else ()
        return Aspect(name, "; ".join(was_t) or ("none" if before else ""),
                      "; ".join(now_t) or ("none" if after else ""),
                      tuple(m for m in now_t if m not in was_t), tuple(m for m in was_t if m not in now_t))
    return Aspect(name, str(was), str(now))


def _title(record: Any) -> str:
    if isinstance(record, Reference):
        return record.short
    return str(record.title)


def _condition(raw: dict[str, Any] | None, location: str) -> str:
    if raw is None:
        return "none"
    try:
        return humanize(in_words(parse_condition(raw, location)))
    except ConditionSyntaxError:  # a retired entry's condition is not checked at load
        return "a condition that does not parse"


def _grade(level: str, kind: str, post_review: bool) -> str:
    star = " (rests on a result the review does not report)" if post_review else ""
    return f"{level}: {LEVEL_MEANING[level]} ({kind.replace('_', ' ')}){star}"


def _cites(ids: Iterable[str], kb: KnowledgeBase) -> tuple[str, ...]:
    return tuple(kb.references[c].short if c in kb.references else c for c in ids)


def _entry(entry: Entry, kb: KnowledgeBase) -> Words:
    prose = [entry.title, entry.summary, entry.evidence.statement, entry.evidence_population,
             *(f.statement for f in entry.findings)]
    return {
        "status": entry.status,
        "population": _condition(entry.when, f"{entry.id}.when"),
        "grade": _grade(entry.evidence.level, entry.evidence.kind, entry.evidence.post_review),
        "direction": entry_direction_words(entry.evidence),
        "trials": entry.trials,
        "citations": _cites(dict.fromkeys((*entry.citations, *(c for f in entry.findings for c in f.citations))), kb),
        "cautions": kb.cautions_for(entry),
        "agents": entry.agents,
        "wording": " ".join(" ".join(prose).split()),
    }


def _criteria(trial: Trial) -> tuple[str, ...]:
    use = {(True, False): "encoded", (False, True): "to check by hand"}
    return tuple(f"{side}: {' '.join(c.text.split())} ({use.get((c.encoded, c.check_by_hand), '')}"
                 f"{'' if c.verified else ', not verified'})"
                 for side, group in (("include", trial.criteria.inclusion), ("exclude", trial.criteria.exclusion))
                 for c in group)


def _trial(trial: Trial, kb: KnowledgeBase) -> Words:
    since = f"; since: {trial.since.outcome}" if trial.since is not None else ""
    return {
        "population": _condition(trial.condition(), f"{trial.nct_id}.population"),
        "criteria": _criteria(trial),
        "status": f"{trial.status} per {'the review' if trial.in_review_table else 'its publication'} "
                  f"({trial.status_as_of}){since}; {today_words(trial)}",
        "results": tuple(f"{DIRECTION_WORDS[r.direction]}: {' '.join(r.statement.split())}" for r in trial.results),
        "citations": _cites(trial.citations, kb),
        "wording": " ".join(f"{trial.title} {trial.design} {trial.population_text}".split()),
    }


def _caution(caution: Caution, kb: KnowledgeBase) -> Words:
    return {
        "kind": caution.kind,
        "applies to": (*caution.applies_to.agents, *caution.applies_to.classes),
        "heightened when": _condition(caution.heightened_when, f"{caution.id}.heightened_when"),
        "citations": _cites(caution.citations, kb),
        "wording": " ".join(f"{caution.title} {caution.text} {caution.heightened_text}".split()),
    }


def _reference(reference: Reference, kb: KnowledgeBase) -> Words:
    return {"citation": reference.short, "doi": reference.doi or "none", "kind": reference.kind,
            "wording": " ".join(reference.full.split())}


_RECORDS: dict[Kind, Callable[[KnowledgeBase], dict[str, Any]]] = {
    "rationale": lambda kb: {i: e for i, e in kb.entries.items() if e.kind == "rationale"},
    "context": lambda kb: {i: e for i, e in kb.entries.items() if e.kind == "context"},
    "trial": lambda kb: kb.trials,
    "caution": lambda kb: kb.cautions,
    "reference": lambda kb: kb.references,
}
_DESCRIBE: dict[Kind, Callable[[Any, KnowledgeBase], Words]] = {
    "rationale": _entry, "context": _entry, "trial": _trial, "caution": _caution, "reference": _reference}
