"""What two knowledge bases change in one patient's report, and which record change caused each.

The two reports of one profile are compared part by part: the rationales, context notes and
trials (each gained, lost or changed), `needs_information` (what would decide an entry or trial),
the cautions her rationales carry (and whether each is heightened for her), and the verdict.
Each change names the record changes (knowledge-base ids) that explain it: a record shows in a
report through what it draws on, so a rationale's change is explained by a change of the entry,
its trials, its cautions or the references they cite (`Sources`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

from ..knowledge.loader import KnowledgeBase
from ..model.report import Report
from ..rendering.labels import direction_words, field_label, level_words
from .changes import KnowledgeBaseDiff

Part = Literal["rationale", "context", "trial", "needs_information", "caution", "verdict"]
PARTS: tuple[Part, ...] = ("rationale", "context", "trial", "needs_information", "caution", "verdict")


@dataclass(frozen=True)
class PatientChange:
    """One difference in a patient's report. `before` and `after` say it in words (empty when the
    item is absent on that side); `caused_by` names the record changes behind it."""

    part: Part
    id: str  # the entry, NCT or caution id; "" for the verdict
    how: Literal["gained", "lost", "changed"]
    title: str
    before: str
    after: str
    caused_by: tuple[str, ...]
    differs_in: tuple[str, ...] = ()  # for a changed item: its parts that differ, in words


@dataclass(frozen=True)
class PatientDiff:
    """What changed for one patient (an empty `changes`: nothing did)."""

    position: int
    source: str
    case_id: str | None
    changes: tuple[PatientChange, ...]


class Sources:
    """For each record id, the record ids whose text or condition a report shows through it, in
    both knowledge bases; and the ids that changed. Built once per pair of knowledge bases."""

    def __init__(self, old: KnowledgeBase, new: KnowledgeBase, diff: KnowledgeBaseDiff) -> None:
        self.changed = frozenset(diff.by_id)
        # Reports share the item objects of equal items (the report builder's memo), so the same
        # pair of items recurs across a cohort: compared once. The pair is kept with its result, so
        # its ids cannot be reused by other objects while the entry lives.
        self.memo: dict[tuple[int, int], tuple[Any, Any, tuple[tuple[str, ...], tuple[str, ...]]]] = {}
        self.of: dict[str, frozenset[str]] = {}
        for kb in (old, new):
            for rid, ids in _sources(kb).items():
                self.of[rid] = self.of.get(rid, frozenset()) | ids

    def causes(self, ids: Iterable[str]) -> tuple[str, ...]:
        found: set[str] = set()
        for rid in ids:
            found.update(self.of.get(rid, (rid,)))
        return tuple(sorted(found & self.changed))

    def item_causes(self, key: str, was: Any, now: Any, differs: set[str]) -> tuple[str, ...]:
        """The record changes behind one item's difference, narrowed by the parts that differ: its
        own record for its own text; the trials, cautions or references whose part differs. Never
        empty while any record it draws on changed."""
        found: set[str] = set()
        own = {key} & self.changed
        for name in differs:
            if name in _DRAWN_FROM:
                attr, ident = _DRAWN_FROM[name]
                before = {getattr(x, ident): x for x in getattr(was, attr)}
                after = {getattr(x, ident): x for x in getattr(now, attr)}
                for rid in before.keys() | after.keys():
                    if before.get(rid) != after.get(rid):
                        found.update({rid} & self.changed if rid in self.changed else own)
            else:
                found.update(own)
        return tuple(sorted(found)) or self.causes((key,))


# A report part drawn from other records: (attribute, the id of each member).
_DRAWN_FROM = {"trial_status": ("trial_status", "nct_id"), "cautions": ("cautions", "id"),
               "citations": ("citations", "id"), "results": ("results", "statement")}
_PART_WORDS = {"evidence": "grade or direction", "because": "why it applies", "trial_status": "trials' status",
               "status_today": "status today", "status_words": "status", "criteria": "criteria",
               "population": "population", "findings": "findings", "summary": "wording", "title": "title"}


def _differs(was: Any, now: Any) -> set[str]:
    return {name for name in type(was).model_fields if getattr(was, name) != getattr(now, name)}


def _sources(kb: KnowledgeBase) -> dict[str, frozenset[str]]:
    of: dict[str, frozenset[str]] = {}
    for cid, caution in kb.cautions.items():
        of[cid] = frozenset({cid, *caution.citations})
    for nct, trial in kb.trials.items():
        cites = {*trial.citations, *(c for r in trial.results for c in r.citations),
                 *(trial.since.citations if trial.since else ()), *trial.status_today.citations,
                 *(c for group in (trial.criteria.inclusion, trial.criteria.exclusion) for k in group
                   for c in k.citations)}
        of[nct] = frozenset({nct, *cites})
    for eid, entry in kb.entries.items():
        ids = {eid, *entry.citations, *(c for f in entry.findings for c in f.citations)}
        for nct in entry.trials:
            ids |= of.get(nct, frozenset({nct}))
        for cid in kb.cautions_for(entry):
            ids |= of.get(cid, frozenset({cid}))
        of[eid] = frozenset(ids)
    return of


def patient_diff(old: Report, new: Report, sources: Sources, *, position: int = 1,
                 source: str = "") -> PatientDiff:
    """The difference of two reports of one profile, each change with its causes."""
    changes: list[PatientChange] = []
    rationale_causes: set[str] = set()
    entries: tuple[tuple[Part, Any, Any], ...] = (("rationale", old.rationales, new.rationales),
                                                  ("context", old.context, new.context))
    for part, before, after in entries:
        for change in _keyed(part, {r.id: r for r in before}, {r.id: r for r in after}, sources, _entry_words):
            changes.append(change)
            if part == "rationale" and (change.how != "changed" or "grade or direction" in change.differs_in):
                rationale_causes.update(change.caused_by)
    changes += _keyed("trial", {t.nct_id: t for t in old.trials}, {t.nct_id: t for t in new.trials}, sources,
                      lambda t: f"phase {t.phase}; {t.status}")
    changes += _keyed("needs_information", {n.rule_id: n for n in old.needs_information},
                      {n.rule_id: n for n in new.needs_information}, sources,
                      lambda n: "missing " + ", ".join(field_label(f) for f in n.missing))
    changes += _cautions(old, new, sources)
    if old.verdict != new.verdict:
        causes = tuple(sorted(rationale_causes)) or tuple(sorted({c for x in changes if x.part == "rationale"
                                                                 for c in x.caused_by}))
        changes.append(PatientChange("verdict", "", "changed", "verdict", old.verdict, new.verdict, causes))
    return PatientDiff(position, source, new.case_id, tuple(changes))


def _keyed(part: Part, before: dict[str, Any], after: dict[str, Any], sources: Sources,
           words: Any) -> list[PatientChange]:
    found = []
    for key in sorted(before.keys() | after.keys()):
        was, now = before.get(key), after.get(key)
        if was == now:
            continue
        how: Literal["gained", "lost", "changed"] = "gained" if was is None else "lost" if now is None else "changed"
        title = str(getattr(now if now is not None else was, "title", ""))
        if how == "changed":
            causes, named = _changed(key, was, now, sources)
        else:  # gained or lost: its own record's change when it has one
            causes, named = ((key,) if key in sources.changed else sources.causes((key,))), ()
        found.append(PatientChange(part, key, how, title, "" if was is None else words(was),
                                   "" if now is None else words(now), causes, named))
    return found


def _changed(key: str, was: Any, now: Any, sources: Sources) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """What differs between two versions of one item, in words, and the record changes behind it."""
    found = sources.memo.get((id(was), id(now)))
    if found is not None and found[0] is was and found[1] is now:
        return found[2]
    differs = _differs(was, now)
    result = (sources.item_causes(key, was, now, differs),
              tuple(sorted({_PART_WORDS.get(n, n.replace("_", " ")) for n in differs})))
    if len(sources.memo) >= MEMO_SIZE:
        sources.memo.clear()
    sources.memo[(id(was), id(now))] = (was, now, result)
    return result


MEMO_SIZE = 4096


def _entry_words(item: Any) -> str:
    return f"{level_words(item.evidence)}; {direction_words(item.evidence)}"


def _cautions(old: Report, new: Report, sources: Sources) -> list[PatientChange]:
    """The cautions her rationales carry, each once, heightened if any rationale heightens it."""
    def carried(report: Report) -> dict[str, tuple[str, bool, set[str]]]:
        found: dict[str, tuple[str, bool, set[str]]] = {}
        for r in report.rationales:
            for c in r.cautions:
                title, heightened, carriers = found.get(c.id, (c.title, False, set()))
                carriers.add(r.id)
                found[c.id] = (title, heightened or c.heightened, carriers)
        return found

    def words(value: tuple[str, bool, set[str]] | None) -> str:
        if value is None:
            return ""
        return f"{'heightened for her' if value[1] else 'not heightened'}; carried by {', '.join(sorted(value[2]))}"

    before, after = carried(old), carried(new)
    found = []
    for cid in sorted(before.keys() | after.keys()):
        was, now = before.get(cid), after.get(cid)
        if was is not None and now is not None and was[:2] == now[:2]:
            continue  # the same caution, equally heightened: which rationales carry it shows above
        how: Literal["gained", "lost", "changed"] = "gained" if was is None else "lost" if now is None else "changed"
        carriers = (was[2] if was else set()) | (now[2] if now else set())
        title = (now or was or ("", False, set()))[0]
        # The caution itself is new, gone or changed; else an entry now carries it, or no longer does.
        causes = (cid,) if cid in sources.changed else sources.causes(carriers) or sources.causes((cid, *carriers))
        found.append(PatientChange("caution", cid, how, title, words(was), words(now), causes))
    return found
