"""The parts of a report that no case changes, built once per knowledge base.

Evidence, findings, citations, agents, cautions and trial details are the same for every patient:
the evaluator puts these shared objects into each report, and `igfrules rules --format json`
prints them, keyed by id, so that a batch line by reference (rendering/reference_line.py) can be
resolved into the full report it stands for.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from .._version import __version__
from ..knowledge.loader import KnowledgeBase
from ..knowledge.models import Criterion, Entry, Finding, Trial
from ..knowledge.trialstatus import status_words
from ..model.conditions import leaves
from ..model.report import (
    DISCLAIMER,
    AgentSummary,
    CautionNote,
    Citation,
    EvidenceSummary,
    FindingSummary,
    KnowledgeBaseInfo,
    StrategySummary,
    TrialCriteria,
    TrialCriterion,
    TrialStatus,
    TrialStatusToday,
)
from ..model.trusted import construct
from ..model.vocabulary import vocabulary

CATALOG_FORMAT = "igfrules-catalog/1"
CATALOG = "catalog"  # the knowledge base's derived view holding its Catalog


# A NamedTuple, not a frozen dataclass: as immutable, and far cheaper to create at every start.
class EntryParts(NamedTuple):
    entry: Entry
    static: dict[str, Any]  # every field of the entry's output record that no case changes
    caution_ids: tuple[str, ...]  # the cautions a rationale carries, in output order


# The tumour's subtype: an entry whose condition reads one of these speaks to this subtype.
SUBTYPE_FIELDS = frozenset(("er_status", "pr_status", "hormone_receptor_status", "her2_status", "her2_low"))


class Catalog:
    """Plain data once built (it keeps no reference to the knowledge base), so that the per-user
    cache can keep it beside the knowledge base it was built from."""

    def __init__(self, kb: KnowledgeBase) -> None:
        # Built with trusted.construct from the loaded (validated) knowledge base: validating again
        # would only build pydantic validators, which a fast start does without.
        self.info = construct(KnowledgeBaseInfo, {"name": kb.meta.name, "version": kb.meta.version,
                                                  "sha256": kb.sha256})
        self.conclusion = kb.meta.conclusion.strip()
        self.cautions = {
            cid: construct(CautionNote, {"id": cid, "kind": c.kind, "title": c.title, "text": c.text,
                                         "citations": self._citations(kb, c.citations),
                                         "heightened_text": c.heightened_text})
            for cid, c in kb.cautions.items()
        }
        self.all_entries = {e.id: self._entry_parts(kb, e) for e in kb.entries.values()}
        # Strongest evidence first (level A before E), then by id: the order a tumour board reads in.
        ordered = sorted(kb.active_entries, key=lambda e: (e.evidence.level, e.id))
        self.entries = {e.id: self.all_entries[e.id] for e in ordered}
        self.trials = {nct: self._trial_static(kb, t) for nct, t in kb.trials.items()}

    @staticmethod
    def _citations(kb: KnowledgeBase, ids: tuple[str, ...]) -> tuple[Citation, ...]:
        refs = kb.references
        return tuple(
            construct(Citation, {"id": i, "citation": refs[i].short, "doi": refs[i].doi,
                                 "post_review": refs[i].kind == "post_review"})
            for i in ids
        )

    def _findings(self, kb: KnowledgeBase, findings: tuple[Finding, ...]) -> tuple[FindingSummary, ...]:
        return tuple(
            construct(FindingSummary, {"statement": f.statement, "direction": f.direction,
                                       "citations": self._citations(kb, f.citations), "post_review": f.post_review})
            for f in findings
        )

    def _entry_parts(self, kb: KnowledgeBase, entry: Entry) -> EntryParts:
        vocab = vocabulary()
        static: dict[str, Any] = {
            "id": entry.id, "title": entry.title, "summary": entry.summary.strip(),
            "evidence": construct(EvidenceSummary, dict(entry.evidence.__dict__)),
            "findings": self._findings(kb, kb.findings_for(entry)), "citations": self._citations(kb, entry.citations),
        }
        caution_ids: tuple[str, ...] = ()
        if entry.kind == "rationale" and entry.strategy is not None:
            agents = tuple(
                construct(AgentSummary, {"name": a, "drug_class": vocab.agents[a].drug_class,
                                         "class_label": vocab.classes[vocab.agents[a].drug_class].label})
                for a in entry.agents
            )
            static.update(
                strategy=construct(StrategySummary, dict(entry.strategy.__dict__)), agents=agents,
                trials=entry.trials, conflicts_with=entry.conflicts_with,
                trial_status=tuple(construct(TrialStatus, {"nct_id": n, "acronym": kb.trials[n].acronym,
                                                           "status_words": self._status_words(kb, kb.trials[n])})
                                   for n in entry.trials),
                evidence_population=" ".join(entry.evidence_population.split()),
                subtype_specific=any(leaf.field in SUBTYPE_FIELDS
                                     for leaf in leaves(kb.conditions[f"entry:{entry.id}"])),
            )
            caution_ids = kb.cautions_for(entry)
        return EntryParts(entry, static, caution_ids)

    @staticmethod
    def _status_words(kb: KnowledgeBase, trial: Trial) -> str:
        return status_words(trial, kb.references, kb.references[kb.meta.review])

    def _trial_static(self, kb: KnowledgeBase, trial: Trial) -> dict[str, Any]:
        since = None
        if trial.since is not None:  # never reported by the review, so always post-review
            since = construct(FindingSummary, {"statement": trial.since.outcome, "direction": trial.since.direction,
                                               "citations": self._citations(kb, trial.since.citations),
                                               "post_review": True})
        return {
            "nct_id": trial.nct_id, "acronym": trial.acronym, "title": trial.title,
            "phase": trial.phase, "design": trial.design, "status": trial.status,
            "status_as_of": trial.status_as_of, "in_review_table": trial.in_review_table,
            "status_words": self._status_words(kb, trial), "since": since, "regimen": trial.regimen,
            "primary_outcome": trial.primary_outcome, "breast_cancer_only": trial.breast_cancer_only,
            "population": trial.population_text.strip(),
            "status_today": construct(TrialStatusToday, {
                "status": trial.status_today.status, "as_of": trial.status_today.as_of,
                "source": trial.status_today.source,
                "citations": self._citations(kb, trial.status_today.citations),
                "verified": trial.status_today.verified}),
            "criteria": construct(TrialCriteria, {
                "inclusion": self._criteria(kb, trial.criteria.inclusion),
                "exclusion": self._criteria(kb, trial.criteria.exclusion)}),
            "results": self._findings(kb, trial.results),
        }

    def _criteria(self, kb: KnowledgeBase, criteria: tuple[Criterion, ...]) -> tuple[TrialCriterion, ...]:
        return tuple(
            construct(TrialCriterion, {"text": " ".join(c.text.split()), "citations": self._citations(kb, c.citations),
                                       "encoded": c.encoded, "check_by_hand": c.check_by_hand,
                                       "verified": c.verified})
            for c in criteria
        )

    def to_json(self) -> dict[str, Any]:
        """What `igfrules rules --format json` prints: every entry, trial and caution by id, with
        the same records a full report carries (see docs/batch-lines.md)."""
        entries = {}
        for ident, parts in self.all_entries.items():
            record = {"kind": parts.entry.kind, "status": parts.entry.status, **_dump(parts.static)}
            if parts.entry.kind == "rationale":
                record["cautions"] = list(parts.caution_ids)
            entries[ident] = record
        return {
            "format": CATALOG_FORMAT,
            "research_only": True,
            "disclaimer": DISCLAIMER,
            "knowledge_base": self.info.model_dump(mode="json"),
            "engine_version": __version__,
            "conclusion": self.conclusion,
            "entries": entries,
            "trials": {nct: _dump(static) for nct, static in self.trials.items()},
            "cautions": {cid: note.model_dump(mode="json", exclude={"heightened", "heightened_because"})
                         for cid, note in self.cautions.items()},
        }


def _dump(static: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in static.items():
        if hasattr(value, "model_dump"):
            out[key] = value.model_dump(mode="json")
        elif isinstance(value, tuple):
            out[key] = [v.model_dump(mode="json") if hasattr(v, "model_dump") else v for v in value]
        else:
            out[key] = value
    return out


def catalog(kb: KnowledgeBase) -> Catalog:
    """The knowledge base's catalog, built once."""
    return kb.derived(CATALOG, Catalog)
