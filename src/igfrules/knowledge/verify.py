"""Consistency proofs over a knowledge base, by enumerating each condition's field domains.

For a set of conditions, every field they test gets a small domain that covers each distinct
outcome of each test (each enum word, true/false, numbers around each threshold, every stage,
therapy lists built from witness items of each `includes` test) plus unknown. Enumerating the
product answers: can this entry ever fire? Does one entry imply another with the same output? Can
two entries of opposite direction about one strategy fire together without a declared conflict?
Products larger than MAX_PRODUCT are sampled (seeded) instead of enumerated; the finding says so.
"""

from __future__ import annotations

import itertools
import random
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from ..engine.reference import evaluate
from ..model.conditions import Condition, Includes, leaves
from ..model.fields import FIELDS, SETTINGS, STAGE_RANGES, UNKNOWN, Kind, source_fields
from ..model.patient import PatientProfile, PriorTherapy
from ..model.vocabulary import vocabulary
from .loader import KnowledgeBase
from .models import Entry

MAX_PRODUCT = 50_000


@dataclass(frozen=True, slots=True)
class Finding:
    kind: str  # dead, subsumed, silent_conflict, unused_reference, unused_trial, unused_caution, coverage_claim
    subject: str  # the entry, reference, trial or caution id
    message: str


def verify(kb: KnowledgeBase) -> list[Finding]:
    findings: list[Finding] = []
    entries = kb.active_entries
    satisfiable = {}
    for entry in entries:
        condition = kb.conditions[f"entry:{entry.id}"]
        witness = next(_profiles([condition], _fires, condition), None)
        satisfiable[entry.id] = witness is not None
        if witness is None:
            findings.append(Finding("dead", entry.id, "no profile over the fields' domains makes it fire"))
    for a, b in itertools.permutations(entries, 2):
        if not (satisfiable[a.id] and satisfiable[b.id]) or _output(a) != _output(b):
            continue
        ca, cb = kb.conditions[f"entry:{a.id}"], kb.conditions[f"entry:{b.id}"]
        if not _implies(ca, cb) or (a.id > b.id and _implies(cb, ca)):
            continue  # an equivalent pair is reported once
        findings.append(Finding("subsumed", a.id, f"whenever it fires, {b.id} fires with the same output"))
    for a, b in itertools.combinations(entries, 2):
        if not _opposed(a, b) or b.id in a.conflicts_with or a.id in b.conflicts_with:
            continue
        ca, cb = kb.conditions[f"entry:{a.id}"], kb.conditions[f"entry:{b.id}"]
        both = next(_profiles([ca, cb], _both_fire, ca, cb), None)
        if both is not None:
            findings.append(Finding(
                "silent_conflict", a.id,
                f"fires together with {b.id} on the same strategy with the opposite direction "
                f"({a.evidence.direction} vs {b.evidence.direction}); declare conflicts_with"))
    findings.extend(_unused(kb))
    findings.extend(coverage_claims(kb))
    return findings


# "Burtrum et al., 2003", "Wang and Xu, 2019", "Clemmons, 2007a": an author-year citation in prose.
_AUTHOR_YEAR = re.compile(r"([A-Z][\w'\-]+(?: et al\.| and [A-Z][\w'\-]+)?), (\d{4}[a-z]?)\b")


def claimed_citations(text: str) -> list[str]:
    """The author-year citations a coverage statement names, in order."""
    return list(dict.fromkeys(f"{m.group(1)}, {m.group(2)}" for m in _AUTHOR_YEAR.finditer(text)))


def cited_by(kb: KnowledgeBase, ident: str) -> set[str]:
    """Every reference an entry (with its findings and its trials' results), trial or caution cites."""
    if ident in kb.entries:
        entry = kb.entries[ident]
        return set(entry.citations) | {c for f in kb.findings_for(entry) for c in f.citations}
    if ident in kb.trials:
        trial = kb.trials[ident]
        return (set(trial.citations) | {c for r in trial.results for c in r.citations}
                | set(trial.since.citations if trial.since else ()) | set(trial.status_today.citations)
                | {c for part in (trial.criteria.inclusion, trial.criteria.exclusion) for k in part
                   for c in k.citations})
    return set(kb.cautions[ident].citations) if ident in kb.cautions else set()


def coverage_claims(kb: KnowledgeBase) -> list[Finding]:
    """A statement marked "encoded by X" whose citations X does not cite overclaims: X cannot state it."""
    by_short = {ref.short: rid for rid, ref in kb.references.items()}
    findings = []
    for section in kb.coverage:
        for statement in section.statements:
            if not statement.encoded_by:
                continue
            for claimed in claimed_citations(statement.statement):
                rid = by_short.get(claimed) or next(
                    (r for short, r in by_short.items() if short.endswith(" " + claimed)), None)
                if rid is None:
                    findings.append(Finding("coverage_claim", section.section,
                                            f"a statement encoded by {', '.join(statement.encoded_by)} cites "
                                            f"{claimed}, which is not in references.yaml"))
                    continue
                for ident in statement.encoded_by:
                    if rid not in cited_by(kb, ident):
                        findings.append(Finding("coverage_claim", section.section,
                                                f"{ident} is said to encode a statement citing {claimed} "
                                                f"but does not cite {rid}"))
    return findings


def _implies(ca: Condition, cb: Condition) -> bool:
    """Every profile (over the domains) that makes `ca` true makes `cb` true."""
    return next(_profiles([ca, cb], _first_only, ca, cb), None) is None


def _fires(profile: PatientProfile, c: Condition) -> bool:
    return evaluate(c, profile) is True


def _both_fire(profile: PatientProfile, ca: Condition, cb: Condition) -> bool:
    return evaluate(ca, profile) is True and evaluate(cb, profile) is True


def _first_only(profile: PatientProfile, ca: Condition, cb: Condition) -> bool:
    return evaluate(ca, profile) is True and evaluate(cb, profile) is not True


def _output(entry: Entry) -> tuple[Any, ...]:
    """What a reader takes from an entry: the regimen and its direction, or a note's own text."""
    if entry.strategy is None:
        return (entry.kind, entry.summary.strip())
    strategy = (entry.strategy.igf_axis, frozenset(entry.strategy.partners), entry.strategy.sequence)
    return (entry.kind, strategy, frozenset(entry.agents), entry.evidence.direction)


def _opposed(a: Entry, b: Entry) -> bool:
    """Same regimen (strategy and agents), one supporting it and one not."""
    if a.strategy is None or b.strategy is None or set(a.agents) != set(b.agents):
        return False
    if (a.strategy.igf_axis, set(a.strategy.partners)) != (b.strategy.igf_axis, set(b.strategy.partners)):
        return False
    return {a.evidence.direction, b.evidence.direction} == {"supports", "does_not_support"}


def _unused(kb: KnowledgeBase) -> list[Finding]:
    cited: set[str] = {kb.meta.review}
    for e in kb.entries.values():
        cited.update(e.citations)
        cited.update(c for f in e.findings for c in f.citations)
    for t in kb.trials.values():
        cited.update(t.citations)
        cited.update(c for r in t.results for c in r.citations)
        cited.update(t.since.citations if t.since else ())
        cited.update(t.status_today.citations)
        cited.update(c for part in (t.criteria.inclusion, t.criteria.exclusion) for k in part for c in k.citations)
    for c in kb.cautions.values():
        cited.update(c.citations)
    findings = [Finding("unused_reference", r, "defined in references.yaml but cited nowhere")
                for r in sorted(set(kb.references) - cited)]
    used_trials = {t for e in kb.entries.values() for t in e.trials}
    findings += [Finding("unused_trial", t, "in trials.yaml but no entry names it")
                 for t in sorted(set(kb.trials) - used_trials)]
    findings += [Finding("unused_caution", c, "attaches to no entry: no entry names it or uses its agents/classes")
                 for c in kb.cautions
                 if not any(c in kb.cautions_for(e) for e in kb.active_entries)]
    return findings


# ---------------------------------------------------------------------------------------------
# Domains


def domains(conditions: list[Condition]) -> dict[str, list[Any]]:
    """Representative values of every input field these conditions test (unknown included)."""
    tested: dict[str, list[Any]] = {}
    numbers: dict[str, set[float]] = {}
    includes: list[Includes] = []
    for condition in conditions:
        for leaf in leaves(condition):
            if isinstance(leaf, Includes):
                includes.append(leaf)
            elif FIELDS[leaf.field].kind is Kind.NUMBER and leaf.value is not None:
                numbers.setdefault(leaf.field, set()).add(float(leaf.value))
            for name in source_fields(leaf.field):
                tested.setdefault(name, [])
    for name in tested:
        field = FIELDS[name]
        if field.kind is Kind.ENUM:
            tested[name] = [*field.values, UNKNOWN]
        elif field.kind is Kind.FLAG:
            tested[name] = [True, False, UNKNOWN]
        elif field.kind is Kind.STAGE:
            tested[name] = [*STAGE_RANGES, UNKNOWN]
        elif field.kind is Kind.NUMBER:
            low, high = field.bounds or (0.0, 0.0)
            points = {p for t in numbers.get(name, {25.0}) for p in (t - 0.5, t, t + 0.5)}
            tested[name] = [*sorted(p for p in points if low <= p <= high), UNKNOWN]
        else:
            tested[name] = _therapy_lists(includes)
    return tested


def _therapy_lists(tests: list[Includes]) -> list[Any]:
    vocab = vocabulary()
    exact, variants = [], []
    for test in tests:
        agent = test.agent or vocab.agents_in(test.drug_class or "")[0]
        settings = [test.setting] if test.setting else [SETTINGS[0]]
        other_settings = [s for s in (*SETTINGS, UNKNOWN) if s != test.setting] if test.setting else []
        wanted = test.progressed if test.progressed is not None else True
        exact.append(PriorTherapy.model_construct(agent=agent, setting=settings[0], progressed=wanted))
        for setting in other_settings:
            variants.append(PriorTherapy.model_construct(agent=agent, setting=setting, progressed=wanted))
        if test.progressed is not None:
            for progressed in (not test.progressed, UNKNOWN):
                variants.append(PriorTherapy.model_construct(agent=agent, setting=settings[0],
                                                             progressed=progressed))
    lists: list[Any] = [UNKNOWN, ()]
    unique_exact = list(dict.fromkeys(exact))
    for size in range(1, min(len(unique_exact), 5) + 1):
        lists.extend(tuple(c) for c in itertools.combinations(unique_exact, size))
    lists.extend((v,) for v in dict.fromkeys(variants))
    return lists


def _profiles(conditions: list[Condition], keep: Any, *args: Any) -> Iterator[PatientProfile]:
    """Profiles over the conditions' domains (all of them, or a seeded sample) that satisfy keep."""
    space = domains(conditions)
    names = sorted(space)
    size = 1
    for name in names:
        size *= len(space[name])
    if size <= MAX_PRODUCT:
        combos: Any = itertools.product(*(space[n] for n in names))
    else:
        rnd = random.Random(2021)
        combos = (tuple(rnd.choice(space[n]) for n in names) for _ in range(MAX_PRODUCT))
    for combo in combos:
        profile = PatientProfile.model_construct(**dict(zip(names, combo, strict=True)))
        if keep(profile, *args):
            yield profile
