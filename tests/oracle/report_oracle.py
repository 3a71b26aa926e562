"""The report as the straightforward code path builds it: no memo, no fast construction, pydantic
validation of every model. The evaluator's lean per-case path must give byte-identical output.

This is the code path of evaluate.py before it was made lean (issue 11), written plainly, as main has it
since knowledge base 1.1.0 (trial status words, evidence population, no notes) and FHIR input (a mapped
case carries its mapping, and its mapping's warnings after the profile's).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from igfrules._version import __version__
from igfrules.engine.reference import missing_fields, reasons
from igfrules.knowledge.loader import KnowledgeBase
from igfrules.knowledge.models import Criterion, Entry, Finding, Trial
from igfrules.knowledge.trialstatus import status_words
from igfrules.model.conditions import Condition, to_yaml
from igfrules.model.consistency import profile_warnings
from igfrules.model.fields import FIELDS, UNKNOWN
from igfrules.model.mapping import MappedCase
from igfrules.model.patient import PatientProfile
from igfrules.model.report import (
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
    TrialCriteria,
    TrialCriterion,
    TrialMatch,
    TrialStatus,
    TrialStatusToday,
)
from igfrules.model.vocabulary import vocabulary


def oracle_profile(case: Mapping[str, Any]) -> PatientProfile:
    return PatientProfile.model_validate(case)


def oracle_case_echo(profile: PatientProfile) -> dict[str, Any]:
    case: dict[str, Any] = {}
    for name, value in profile:
        if value == UNKNOWN or value is None:
            continue
        if name == "prior_therapies":
            case[name] = [t.model_dump(exclude_defaults=True) for t in value]
        else:
            case[name] = list(value) if isinstance(value, tuple) else value  # JSON has lists
    return case


def oracle_mapped_report(case: MappedCase, kb: KnowledgeBase) -> Report:
    """A FHIR case: the profile's report, with the mapping and its warnings."""
    report = oracle_report(case.profile, kb)
    return Report.model_validate({**report.model_dump(), "mapping": case.mapping.model_dump(),
                                  "warnings": [*report.warnings, *case.mapping.warnings]})


def oracle_report(profile: PatientProfile, kb: KnowledgeBase) -> Report:
    truth = kb.engine.evaluate(profile)

    def citations(ids: tuple[str, ...]) -> list[Citation]:
        refs = kb.references
        return [Citation(id=i, citation=refs[i].short, doi=refs[i].doi, post_review=refs[i].kind == "post_review")
                for i in ids]

    def findings(items: tuple[Finding, ...]) -> list[FindingSummary]:
        return [FindingSummary(statement=f.statement, direction=f.direction, citations=citations(f.citations),
                               post_review=f.post_review) for f in items]

    def words(trial: Trial) -> str:
        return status_words(trial, kb.references, kb.references[kb.meta.review])

    def needs(rule_id: str, title: str, kind: str, condition: Condition) -> NeedsInformation:
        missing: set[str] = set()
        for name in missing_fields(condition, profile):
            if name not in FIELDS:
                missing.add(name)
                continue
            missing.update(profile.missing_for(name))  # the fields that decide it, or the question to settle
        return NeedsInformation(rule_id=rule_id, title=title, kind=kind, missing=sorted(missing))  # type: ignore[arg-type]

    def common(entry: Entry) -> dict[str, Any]:
        return {"id": entry.id, "title": entry.title, "summary": entry.summary.strip(),
                "evidence": EvidenceSummary(**entry.evidence.model_dump()),
                "findings": findings(kb.findings_for(entry)), "citations": citations(entry.citations),
                "because": reasons(kb.conditions[f"entry:{entry.id}"], profile)}

    def caution(cid: str) -> CautionNote:
        c = kb.cautions[cid]
        heightened = truth.get(f"caution:{cid}") is True
        because = reasons(kb.conditions[f"caution:{cid}"], profile) if heightened else []
        return CautionNote(id=cid, kind=c.kind, title=c.title, text=c.text, citations=citations(c.citations),
                           heightened_text=c.heightened_text, heightened=heightened, heightened_because=because)

    vocab = vocabulary()
    rationales, context, wanted = [], [], []
    for entry in sorted(kb.active_entries, key=lambda e: (e.evidence.level, e.id)):
        value = truth[f"entry:{entry.id}"]
        if value is None:
            wanted.append(needs(entry.id, entry.title, entry.kind, kb.conditions[f"entry:{entry.id}"]))
        elif value and entry.kind == "rationale" and entry.strategy is not None:
            agents = [AgentSummary(name=a, drug_class=vocab.agents[a].drug_class,
                                   class_label=vocab.classes[vocab.agents[a].drug_class].label) for a in entry.agents]
            rationales.append(Rationale(
                **common(entry), strategy=StrategySummary(**entry.strategy.model_dump()), agents=agents,
                trials=entry.trials, conflicts_with=entry.conflicts_with,
                trial_status=[TrialStatus(nct_id=n, acronym=kb.trials[n].acronym, status_words=words(kb.trials[n]))
                              for n in entry.trials],
                evidence_population=" ".join(entry.evidence_population.split()),
                subtype_specific=bool(SUBTYPE & set(re.findall(r"field='(\w+)'",
                                                                repr(kb.conditions[f"entry:{entry.id}"])))),
                cautions=[caution(cid) for cid in kb.cautions_for(entry)]))
        elif value:
            context.append(ContextNote(**common(entry)))
    def criterion(c: Criterion) -> TrialCriterion:
        return TrialCriterion(text=" ".join(c.text.split()), citations=citations(c.citations), encoded=c.encoded,
                              check_by_hand=c.check_by_hand, verified=c.verified)

    trials = []
    for nct, t in kb.trials.items():
        value = truth[f"trial:{nct}"]
        condition = kb.conditions[f"trial:{nct}"]
        if value is None:
            wanted.append(needs(nct, t.title, "trial", condition))
        elif value:
            trials.append(TrialMatch(
                nct_id=nct, acronym=t.acronym, title=t.title, phase=t.phase, design=t.design, status=t.status,
                status_as_of=t.status_as_of, in_review_table=t.in_review_table, status_words=words(t),
                since=None if t.since is None else FindingSummary(
                    statement=t.since.outcome, direction=t.since.direction, citations=citations(t.since.citations),
                    post_review=True),
                regimen=t.regimen, primary_outcome=t.primary_outcome,
                breast_cancer_only=t.breast_cancer_only, population=t.population_text.strip(),
                status_today=TrialStatusToday(
                    status=t.status_today.status, as_of=t.status_today.as_of, source=t.status_today.source,
                    citations=citations(t.status_today.citations), verified=t.status_today.verified),
                criteria=TrialCriteria(
                    inclusion=[criterion(c) for c in t.criteria.inclusion],
                    exclusion=[criterion(c) for c in t.criteria.exclusion]),
                results=findings(t.results), because=reasons(condition, profile)))
    order = {"rationale": 0, "context": 1, "trial": 2}
    return Report(
        case_id=profile.case_id, knowledge_base=KnowledgeBaseInfo(name=kb.meta.name, version=kb.meta.version,
                                                                  sha256=kb.sha256),
        engine_version=__version__, profile=oracle_case_echo(profile), rationales=rationales, context=context,
        trials=trials, needs_information=sorted(wanted, key=lambda n: (order[n.kind], n.rule_id)),
        warnings=profile_warnings(profile), conclusion=kb.meta.conclusion.strip(),
        not_considered=oracle_not_considered(profile, kb),
    )


SUBTYPE = {"er_status", "pr_status", "hormone_receptor_status", "her2_status", "her2_low"}


def oracle_not_considered(profile: PatientProfile, kb: KnowledgeBase) -> list[str]:
    """Read from the conditions' YAML form (to_yaml), not from the production walk: the agents and
    (non-root) classes an includes names; the fields a comparison names, with what a derived field
    is computed from and what an implied value depends on."""
    vocab = vocabulary()
    named_agents: set[str] = set()
    named_classes: set[str] = set()
    read: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("op") == "includes":
                read.add("prior_therapies")
                named_agents.update([node["agent"]] if "agent" in node else [])
                cls = node.get("class")
                if cls and len(vocab.classes[cls].ancestors) > 1:  # the root class names no therapy
                    named_classes.add(cls)
            elif "field" in node:
                read.add(node["field"])
                read.update({"hormone_receptor_status": ["er_status", "pr_status"],
                             "advanced_disease": ["stage", "treatment_intent", "prior_therapies"],
                             "cns_metastases": ["metastatic_sites"],
                             "non_visceral_metastases": ["metastatic_sites"]}.get(node["field"], []))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    for condition in kb.conditions.values():
        walk(to_yaml(condition))
    implied = {"sex": {"menopausal_status"}, "menopausal_status": {"sex", "prior_therapies"},
               "her2_status": {"her2_low"}, "her2_low": {"her2_status"}, "visceral_disease": {"metastatic_sites"}}
    read |= {f for name in list(read) for f in implied.get(name, set())}
    agents = sorted({t.agent for t in (profile.prior_therapies if profile.prior_therapies != UNKNOWN else ())
                     if t.agent not in named_agents
                     and not named_classes & set(vocab.classes[t.drug_class].ancestors)})
    fields = sorted(name for name, value in oracle_case_echo(profile).items()
                    if name != "case_id" and name not in read)
    return [*agents, *fields]
