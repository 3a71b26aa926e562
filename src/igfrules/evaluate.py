"""One evaluation: case -> PatientProfile -> engine -> Report.

The parts of a report that depend only on the knowledge base (evidence, citations, agents,
cautions) are built once per knowledge base; a case adds only what depends on it (which entries
fired, why, what is missing), so evaluation stays fast.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ._version import __version__
from .consistency import profile_warnings
from .engine.compiler import includes_key
from .engine.conditions import Compare, Condition, Includes, leaves, missing_fields, reasons
from .engine.durable_engine import Engine
from .errors import EvaluationError, IgfrulesError, InputError, Problem
from .fhir.mapping import MappedCase
from .fields import FIELDS, UNKNOWN, source_fields
from .inputs.caseio import profile_from_mapping, read_case, read_input
from .knowledge.loader import KnowledgeBase, load_knowledge_base
from .knowledge.models import Entry, Finding, Trial
from .patient import PatientProfile
from .report import (
    AgentSummary,
    CautionNote,
    Citation,
    ContextNote,
    EvidenceSummary,
    FindingSummary,
    KnowledgeBaseInfo,
    NeedsInformation,
    Rationale,
    Report,
    StrategySummary,
    TrialMatch,
    TrialStatus,
)
from .trialstatus import status_words
from .verdict import verdict
from .vocabulary import vocabulary

Case = PatientProfile | MappedCase | Mapping[str, Any] | str | Path

_default_kb: KnowledgeBase | None = None
_default_lock = threading.Lock()


def default_knowledge_base() -> KnowledgeBase:
    global _default_kb
    with _default_lock:
        if _default_kb is None:
            _default_kb = load_knowledge_base()
        return _default_kb


def to_profile(case: Case) -> PatientProfile:
    if isinstance(case, PatientProfile):
        return case
    if isinstance(case, MappedCase):
        return case.profile
    if isinstance(case, str | Path):
        return read_case(case)
    return profile_from_mapping(case)


def evaluate(case: Case, kb: KnowledgeBase | str | Path | None = None) -> Report:
    """Evaluate one case against a knowledge base: a loaded one, a folder, or the packaged one.

    Load a knowledge base once with `load_knowledge_base` and pass it: a folder is loaded anew
    on every call.
    """
    if kb is None:
        kb = default_knowledge_base()
    elif isinstance(kb, str | Path):
        kb = load_knowledge_base(kb)
    elif not isinstance(kb, KnowledgeBase):
        raise InputError(Problem("<knowledge base>", "", f"kb must be a KnowledgeBase from load_knowledge_base, "
                                 f"a folder path or None, not {type(kb).__name__}"))
    if isinstance(case, str | Path):
        case = read_input(case)  # a case file, or a FHIR Bundle with its mapping
    profile = to_profile(case)
    try:
        report = _builder(kb).report(profile)
    except IgfrulesError:
        raise
    except Exception as err:  # a bug: say so plainly rather than leak a traceback to a user
        raise EvaluationError(f"evaluation failed: {type(err).__name__}: {err}") from err
    if isinstance(case, MappedCase):  # the mapping's warnings (sources that disagree) are the report's too
        report = report.model_copy(update={"mapping": case.mapping,
                                           "warnings": (*report.warnings, *case.mapping.warnings)})
    return report


def _builder(kb: KnowledgeBase) -> ReportBuilder:
    # Built once per knowledge base; two threads racing here build equal builders, which is harmless.
    builder = kb.cache.get("report_builder")
    if builder is None:
        builder = kb.cache.setdefault("report_builder", ReportBuilder(kb))
    return builder  # type: ignore[no-any-return]


@dataclass(frozen=True)
class _EntryParts:
    entry: Entry
    condition: Condition
    static: dict[str, Any]  # every field of the output record that no case changes
    caution_ids: tuple[str, ...]
    inputs: _Inputs


@dataclass(frozen=True)
class _Inputs:
    """What a condition's explanation depends on: its fields' values and its includes tests."""

    fields: tuple[str, ...]
    includes_keys: tuple[str, ...]

    @classmethod
    def of(cls, condition: Condition, engine: Engine) -> _Inputs:
        found = list(leaves(condition))
        named = {leaf.field for leaf in found if isinstance(leaf, Compare)}
        # A derived field's explanation names its unknown sources, so their values matter too.
        return cls(tuple(sorted(named | {f for n in named for f in source_fields(n)})),
                   tuple(sorted({engine.fact_key(includes_key(leaf)) for leaf in found
                                 if isinstance(leaf, Includes)})))

    def key(self, profile: PatientProfile, fact: Mapping[str, Any]) -> tuple[Any, ...]:
        values = profile.__dict__  # the hot path: stored fields directly; the one derived field by name
        return (tuple(values[f] if f in values else profile.value(f) for f in self.fields),
                tuple(fact.get(k) for k in self.includes_keys))


class _Memo(dict[Any, Any]):
    """Explanations repeat across a cohort: memoise them, bounded so memory stays flat."""

    LIMIT = 20_000

    def get_or(self, key: Any, build: Any, *args: Any) -> Any:
        value = self.get(key)
        if value is None:
            if len(self) >= self.LIMIT:
                self.clear()
            value = self[key] = build(*args)
        return value


class ReportBuilder:
    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        self.info = KnowledgeBaseInfo(name=kb.meta.name, version=kb.meta.version, sha256=kb.sha256)
        self.cautions = {
            cid: CautionNote(id=cid, title=c.title, text=c.text, citations=self._citations(c.citations),
                             heightened_text=c.heightened_text)
            for cid, c in kb.cautions.items()
        }
        # Strongest evidence first (level A before E), then by id: the order a tumour board reads in.
        ordered = sorted(kb.active_entries, key=lambda e: (e.evidence.level, e.id))
        self.entries = {e.id: self._entry_parts(e) for e in ordered}
        self.trials = {nct: self._trial_static(t) for nct, t in kb.trials.items()}
        self.trial_inputs = {nct: _Inputs.of(kb.conditions[f"trial:{nct}"], kb.engine) for nct in kb.trials}
        self.caution_inputs = {cid[len("caution:"):]: _Inputs.of(c, kb.engine) for cid, c in kb.conditions.items()
                               if cid.startswith("caution:")}
        self.memo = _Memo()
        self.conclusion = kb.meta.conclusion.strip()

    # -- built once per knowledge base ---------------------------------------------------------

    def _citations(self, ids: tuple[str, ...]) -> tuple[Citation, ...]:
        refs = self.kb.references
        return tuple(
            Citation(id=i, citation=refs[i].short, doi=refs[i].doi, post_review=refs[i].kind == "post_review")
            for i in ids
        )

    def _findings(self, findings: tuple[Finding, ...]) -> tuple[FindingSummary, ...]:
        return tuple(
            FindingSummary(statement=f.statement, direction=f.direction,
                           citations=self._citations(f.citations), post_review=f.post_review)
            for f in findings
        )

    def _entry_parts(self, entry: Entry) -> _EntryParts:
        vocab = vocabulary()
        evidence = EvidenceSummary(**entry.evidence.model_dump())
        findings = self._findings(self.kb.findings_for(entry))
        static: dict[str, Any] = {
            "id": entry.id, "title": entry.title, "summary": entry.summary.strip(),
            "evidence": evidence, "findings": findings, "citations": self._citations(entry.citations),
        }
        caution_ids: tuple[str, ...] = ()
        if entry.kind == "rationale" and entry.strategy is not None:
            agents = tuple(
                AgentSummary(name=a, drug_class=vocab.agents[a].drug_class,
                             class_label=vocab.classes[vocab.agents[a].drug_class].label)
                for a in entry.agents
            )
            static.update(
                strategy=StrategySummary(**entry.strategy.model_dump()), agents=agents,
                trials=entry.trials, conflicts_with=entry.conflicts_with,
                trial_status=tuple(TrialStatus(nct_id=n, acronym=self.kb.trials[n].acronym,
                                               status_words=self._status_words(self.kb.trials[n]))
                                   for n in entry.trials),
                evidence_population=" ".join(entry.evidence_population.split()),
            )
            caution_ids = self.kb.cautions_for(entry)
        condition = self.kb.conditions[f"entry:{entry.id}"]
        return _EntryParts(entry, condition, static, caution_ids, _Inputs.of(condition, self.kb.engine))

    def _status_words(self, trial: Trial) -> str:
        return status_words(trial, self.kb.references, self.kb.references[self.kb.meta.review])

    def _trial_static(self, trial: Trial) -> dict[str, Any]:
        since = None
        if trial.since is not None:  # never reported by the review, so always post-review
            since = FindingSummary(statement=trial.since.outcome, direction=trial.since.direction,
                                   citations=self._citations(trial.since.citations), post_review=True)
        return {
            "nct_id": trial.nct_id, "acronym": trial.acronym, "title": trial.title,
            "phase": trial.phase, "design": trial.design, "status": trial.status,
            "status_as_of": trial.status_as_of, "in_review_table": trial.in_review_table,
            "status_words": self._status_words(trial), "since": since, "regimen": trial.regimen,
            "primary_outcome": trial.primary_outcome, "breast_cancer_only": trial.breast_cancer_only,
            "population": trial.population_text.strip(), "results": self._findings(trial.results),
        }

    # -- per case --------------------------------------------------------------------------------

    def report(self, profile: PatientProfile) -> Report:
        fact = self.kb.engine.fact(profile)
        truth = self.kb.engine.match(dict(fact))
        rationales, context, needs = [], [], []
        for entry_id, parts in self.entries.items():
            value = truth[f"entry:{entry_id}"]
            if value is False:
                continue
            key = (entry_id, value, parts.inputs.key(profile, fact))
            if value is None:
                needs.append(self.memo.get_or(key, self._needs, entry_id, parts.entry.title, parts.entry.kind,
                                              parts.condition, profile))
            elif parts.entry.kind == "rationale":
                heightened = tuple(
                    (cid, self.caution_inputs[cid].key(profile, fact))
                    for cid in parts.caution_ids if truth.get(f"caution:{cid}") is True
                )
                rationales.append(self.memo.get_or((*key, heightened), self._rationale, parts, profile, truth))
            else:
                context.append(self.memo.get_or(key, self._context, parts, profile))
        trials = []
        for nct, static in self.trials.items():
            value = truth[f"trial:{nct}"]
            if value is False:
                continue
            condition = self.kb.conditions[f"trial:{nct}"]
            key = (nct, value, self.trial_inputs[nct].key(profile, fact))
            if value:
                trials.append(self.memo.get_or(key, self._trial, static, condition, profile))
            else:
                needs.append(self.memo.get_or(key, self._needs, nct, static["title"], "trial", condition, profile))
        return Report.model_construct(
            verdict=verdict(rationales), case_id=profile.case_id, knowledge_base=self.info,
            engine_version=__version__,
            profile=profile.to_case(), rationales=tuple(rationales), context=tuple(context),
            trials=tuple(trials), needs_information=tuple(sorted(needs, key=_needs_order)),
            warnings=profile_warnings(profile), conclusion=self.conclusion,
        )

    def _rationale(self, parts: _EntryParts, profile: PatientProfile, truth: Mapping[str, bool | None]) -> Rationale:
        cautions = tuple(self._caution(cid, profile, truth) for cid in parts.caution_ids)
        return Rationale.model_construct(**parts.static, because=tuple(reasons(parts.condition, profile)),
                                         cautions=cautions)

    @staticmethod
    def _context(parts: _EntryParts, profile: PatientProfile) -> ContextNote:
        return ContextNote.model_construct(**parts.static, because=tuple(reasons(parts.condition, profile)))

    @staticmethod
    def _trial(static: dict[str, Any], condition: Condition, profile: PatientProfile) -> TrialMatch:
        return TrialMatch.model_construct(**static, because=tuple(reasons(condition, profile)))

    def _caution(self, cid: str, profile: PatientProfile, truth: Mapping[str, bool | None]) -> CautionNote:
        note = self.cautions[cid]
        if truth.get(f"caution:{cid}"):
            condition = self.kb.conditions[f"caution:{cid}"]
            return note.model_copy(update={"heightened": True,
                                           "heightened_because": tuple(reasons(condition, profile))})
        return note

    @staticmethod
    def _needs(rule_id: str, title: str, kind: str, condition: Condition,
               profile: PatientProfile) -> NeedsInformation:
        missing = set()
        for name in missing_fields(condition, profile):
            if name not in FIELDS:  # a detail of a known field: "prior_therapies.progressed"
                missing.add(name)
                continue
            unknown_sources = [f for f in source_fields(name) if profile.value(f) == UNKNOWN]
            missing.update(unknown_sources or [name])  # known but imprecise, e.g. stage "I"
        return NeedsInformation.model_construct(rule_id=rule_id, title=title, kind=kind,
                                                missing=tuple(sorted(missing)))


def _needs_order(item: NeedsInformation) -> tuple[int, str]:
    return ({"rationale": 0, "context": 1, "trial": 2}[item.kind], item.rule_id)
