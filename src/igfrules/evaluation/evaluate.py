"""One evaluation: case -> PatientProfile -> engine -> Report.

The parts of a report that depend only on the knowledge base (evidence, citations, agents,
cautions) are built once per knowledge base (catalog.py); a case adds only what depends on it
(which entries fired, why, what is missing). The per-case path is kept lean because it runs once
per patient of a registry: truth lookups by precomputed name, explanation keys read with one
itemgetter from one row of the case's values, models built by `trusted.construct`. The output is
byte-identical to the plain code path (tests/oracle), which the tests check.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from operator import itemgetter
from pathlib import Path
from typing import Any, NamedTuple

from .._version import __version__
from ..engine.compiler import collect_includes, includes_key
from ..engine.durable_engine import Engine
from ..engine.reference import missing_fields, reasons, unknown_details
from ..errors import EvaluationError, IgfrulesError, InputError, Problem
from ..inputs.caseio import is_bundle
from ..knowledge.loader import KnowledgeBase
from ..model.conditions import Compare, Condition, Includes, leaves
from ..model.consistency import profile_warnings
from ..model.fields import FIELDS
from ..model.mapping import MappedCase
from ..model.patient import IMPLIED_FIELDS, PatientProfile
from ..model.report import CautionNote, ContextNote, NeedsInformation, Rationale, Report, TrialMatch
from ..model.trusted import build, template
from ..model.validation import profile_from_mapping
from ..model.verdict import verdict
from .cases import input_from_document, read_case, read_input
from .catalog import EntryParts, catalog
from .considered import CONSIDERED, considered_by, not_considered
from .loading import load_knowledge_base

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
    elif is_bundle(case):
        case = input_from_document(case)  # a Bundle already parsed: mapped, with its mapping
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
    return kb.derived("report_builder", ReportBuilder)


# The values an explanation may depend on, in one row per case: every catalogued field (the
# derived one included), then the fact's state of every `includes` test.
# A recorded field whose value may be implied by others (menopausal status by sex, visceral
# disease by the sites) sits twice: as recorded, and as conditions read it ("=name").
_ROW_FIELDS = tuple(FIELDS)
_STORED = tuple(n for n in _ROW_FIELDS if not FIELDS[n].derived_from)
_DERIVED = tuple(n for n in _ROW_FIELDS if FIELDS[n].derived_from)
_IMPLIED = tuple(n for n in _ROW_FIELDS if n in IMPLIED_FIELDS)
_READ = (*_DERIVED, *_IMPLIED)
_stored_values = itemgetter(*_STORED)


class _Row:
    """Where each value sits in a case's row, and a getter per condition for the values it reads."""

    def __init__(self, engine: Engine, conditions: Mapping[str, Condition]) -> None:
        self.engine = engine
        keys = sorted({includes_key(leaf) for c in conditions.values() for leaf in leaves(c)
                       if isinstance(leaf, Includes)})
        self.includes_keys = tuple(engine.fact_key(k) for k in keys)
        # The values conditions read for derived and implied fields are in the fact already (an
        # unknown one is absent): the row takes them from there instead of computing them again.
        self.read_keys = tuple(engine.fact_key(n) for n in _READ)
        # A test that may match keeps, in the row, which details are unknown: what its missing
        # fields name (so two cases share an explanation only when it names the same details).
        self.includes_tests = tuple(collect_includes(conditions.values())[k] for k in keys)
        order = [*_STORED, *_DERIVED, *(f"={n}" for n in _IMPLIED), *(f"~{n}" for n in _DERIVED), *keys]
        self.index = {name: i for i, name in enumerate(order)}

    def of(self, profile: PatientProfile, fact: Mapping[str, Any]) -> tuple[Any, ...]:
        values = profile.__dict__  # pydantic keeps validated fields here; the hot path reads it directly
        get = fact.get
        therapies = values["prior_therapies"]
        return (*_stored_values(values), *[get(k) for k in self.read_keys],
                *[profile.explanation_key(n) for n in _DERIVED],
                *[(state, unknown_details(test, therapies)) if state == "maybe" else state
                  for state, test in zip([get(k) for k in self.includes_keys], self.includes_tests, strict=True)])

    def getter(self, condition: Condition) -> Callable[[tuple[Any, ...]], Any]:
        """The values `condition`'s explanation depends on: its fields (for a derived field, what
        naming its missing sources depends on: `explanation_key`, never the whole therapy list, so
        that cases share explanations) and its includes tests."""
        found = list(leaves(condition))
        named = {leaf.field for leaf in found if isinstance(leaf, Compare)}
        names = sorted(named | {f"~{n}" for n in named if FIELDS[n].derived_from}
                       | {f"={n}" for n in named if n in IMPLIED_FIELDS})
        names += sorted({includes_key(leaf) for leaf in found if isinstance(leaf, Includes)})
        indices = [self.index[n] for n in names]
        if len(indices) == 1:
            return itemgetter(indices[0])
        return itemgetter(*indices) if indices else _empty_key


def _empty_key(row: Any) -> tuple[Any, ...]:
    return ()


def _values_of(names: list[str]) -> Callable[[Mapping[str, Any]], tuple[Any, ...]]:
    if len(names) > 1:
        return itemgetter(*names)
    if names:
        return lambda mapping: (mapping[names[0]],)
    return _empty_key


class _CautionPlan(NamedTuple):
    id: str
    truth_name: str
    key: Callable[[tuple[Any, ...]], Any]


class _EntryPlan(NamedTuple):
    id: str
    truth_name: str
    parts: EntryParts
    condition: Condition
    is_rationale: bool
    key: Callable[[tuple[Any, ...]], Any]
    cautions: tuple[_CautionPlan, ...]  # those that can be heightened
    needs_rank: int


class _TrialPlan(NamedTuple):
    nct_id: str
    truth_name: str
    static: dict[str, Any]
    condition: Condition
    key: Callable[[tuple[Any, ...]], Any]
    needs_rank: int


# The fields a report is given (the others keep their defaults): model_construct's fields-set
_REPORT_GIVEN = frozenset({"verdict", "case_id", "knowledge_base", "engine_version", "profile", "rationales",
                           "context", "trials", "needs_information", "warnings", "not_considered", "conclusion"})


class _Memo(dict[Any, Any]):
    """Explanations repeat across a cohort: memoise them, bounded so memory stays flat."""

    LIMIT = 20_000

    def put(self, key: Any, value: Any) -> Any:
        if len(self) >= self.LIMIT:
            self.clear()
        self[key] = value
        return value


class ReportBuilder:
    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        self.catalog = catalog(kb)
        self.considered = kb.derived(CONSIDERED, considered_by)
        self.engine = kb.engine
        self.row = _Row(kb.engine, kb.conditions)
        # needs_information is listed rationales, context notes, trials, each by id
        needs_order = sorted([(0 if p.entry.kind == "rationale" else 1, i) for i, p in self.catalog.entries.items()]
                             + [(2, nct) for nct in kb.trials])
        rank = {ident: n for n, (_, ident) in enumerate(needs_order)}
        self.entries = tuple(
            _EntryPlan(ident, f"entry:{ident}", parts, kb.conditions[f"entry:{ident}"],
                       parts.entry.kind == "rationale" and parts.entry.strategy is not None,
                       self.row.getter(kb.conditions[f"entry:{ident}"]),
                       tuple(_CautionPlan(cid, f"caution:{cid}", self.row.getter(kb.conditions[f"caution:{cid}"]))
                             for cid in parts.caution_ids if f"caution:{cid}" in kb.conditions),
                       rank[ident])
            for ident, parts in self.catalog.entries.items()
        )
        self.trials = tuple(
            _TrialPlan(nct, f"trial:{nct}", static, kb.conditions[f"trial:{nct}"],
                       self.row.getter(kb.conditions[f"trial:{nct}"]), rank[nct])
            for nct, static in self.catalog.trials.items()
        )
        # every plan's value in one call, in plan order (a tuple even for a single plan)
        self._entry_truth = _values_of([p.truth_name for p in self.entries])
        self._trial_truth = _values_of([t.truth_name for t in self.trials])
        self.memo = _Memo()
        # A report's fields in order, with what no case changes already filled in (trusted.build)
        self._report_template = template(Report)
        self._report_template.update(knowledge_base=self.catalog.info, engine_version=__version__,
                                     conclusion=self.catalog.conclusion)

    # -- per case --------------------------------------------------------------------------------

    def report(self, profile: PatientProfile) -> Report:
        fact = self.engine.fact(profile)
        truth = self.engine.match(fact)  # adds the assertion id to the fact; the row never reads it
        row = self.row.of(profile, fact)
        memo = self.memo
        rationales: list[Rationale] = []
        context: list[ContextNote] = []
        trials: list[TrialMatch] = []
        needs: list[tuple[int, NeedsInformation]] = []
        for plan, value in zip(self.entries, self._entry_truth(truth), strict=True):
            if value is False:
                continue
            if plan.is_rationale and value:
                key: tuple[Any, ...] = (plan.id, True, plan.key(row), tuple(
                    [(c.id, c.key(row)) for c in plan.cautions if truth[c.truth_name] is True]))
            else:
                key = (plan.id, value, plan.key(row))
            item = memo.get(key)
            if item is None:
                item = memo.put(key, self._entry_item(plan, value, profile, truth))
            if value is None:
                needs.append((plan.needs_rank, item))
            elif plan.is_rationale:
                rationales.append(item)
            else:
                context.append(item)
        for trial, value in zip(self.trials, self._trial_truth(truth), strict=True):
            if value is False:
                continue
            key = (trial.nct_id, value, trial.key(row))
            item = memo.get(key)
            if item is None:
                item = memo.put(key, self._trial_item(trial, value, profile))
            if value:
                trials.append(item)
            else:
                needs.append((trial.needs_rank, item))
        needs.sort()  # ranks are unique: the items themselves are never compared
        fields = self._report_template.copy()
        fields.update(
            verdict=verdict(rationales), case_id=profile.case_id, profile=profile.to_case(),
            rationales=tuple(rationales), context=tuple(context), trials=tuple(trials),
            needs_information=tuple([item for _, item in needs]), warnings=profile_warnings(profile),
            not_considered=not_considered(profile, self.considered),
        )
        return build(Report, fields, set(_REPORT_GIVEN))

    # -- per distinct explanation (memoised) -----------------------------------------------------

    def _entry_item(self, plan: _EntryPlan, value: bool | None, profile: PatientProfile,
                    truth: Mapping[str, bool | None]) -> Any:
        if value is None:
            entry = plan.parts.entry
            return self._needs(plan.id, entry.title, entry.kind, plan.condition, profile)
        if plan.is_rationale:
            return self._rationale(plan.parts, plan.condition, profile, truth)
        return self._context(plan.parts, plan.condition, profile)

    def _trial_item(self, trial: _TrialPlan, value: bool | None, profile: PatientProfile) -> Any:
        if value:
            return self._trial(trial.static, trial.condition, profile)
        return self._needs(trial.nct_id, trial.static["title"], "trial", trial.condition, profile)

    def _rationale(self, parts: EntryParts, condition: Condition, profile: PatientProfile,
                   truth: Mapping[str, bool | None]) -> Rationale:
        cautions = tuple(self._caution(cid, profile, truth) for cid in parts.caution_ids)
        return Rationale.model_construct(**parts.static, because=tuple(reasons(condition, profile)),
                                         cautions=cautions)

    @staticmethod
    def _context(parts: EntryParts, condition: Condition, profile: PatientProfile) -> ContextNote:
        return ContextNote.model_construct(**parts.static, because=tuple(reasons(condition, profile)))

    @staticmethod
    def _trial(static: dict[str, Any], condition: Condition, profile: PatientProfile) -> TrialMatch:
        return TrialMatch.model_construct(**static, because=tuple(reasons(condition, profile)))

    def _caution(self, cid: str, profile: PatientProfile, truth: Mapping[str, bool | None]) -> CautionNote:
        note = self.catalog.cautions[cid]
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
            missing.update(profile.missing_for(name))
        return NeedsInformation.model_construct(rule_id=rule_id, title=title, kind=kind,
                                                missing=tuple(sorted(missing)))
