"""`igfrules check`: everything that can be wrong with a knowledge base, reported at once.

Loading already checks shapes and references. This adds what needs evaluation: every entry's
examples behave as stated, under both the durable_rules engine and the reference evaluator.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..engine.reference import evaluate
from ..errors import CaseError, KnowledgeBaseError, Problem
from ..model.conditions import Compare, leaves
from ..model.synthetic import synthetic_cases
from ..model.validation import profile_from_mapping
from .lines import with_line
from .loader import KnowledgeBase, load_knowledge_base
from .verify import verify

_EXPECTED = {"fires": True, "does_not_fire": False, "needs_information": None}
_WORDS = {True: "fires", False: "does not fire", None: "needs information"}


def check_knowledge_base(path: str | Path | None = None) -> tuple[KnowledgeBase | None, list[Problem]]:
    """The loaded knowledge base (None if it does not load) and every problem found."""
    try:
        kb = load_knowledge_base(path)
    except KnowledgeBaseError as err:
        return None, list(err.problems)
    problems: list[Problem] = []
    for entry in kb.active_entries:
        source = kb.files[entry.id]
        for label, case, expect in _examples(entry.examples):
            problems.extend(_check_example(kb, entry.id, source, label, case, expect))
        for leaf in leaves(kb.conditions[f"entry:{entry.id}"]):
            if isinstance(leaf, Compare) and leaf.op == "is_unknown":
                problems.append(_located(source, "when", "uses is_unknown: an entry must not fire "
                                         "because something is unknown"))
    for finding in verify(kb):
        source = str(kb.path / "coverage.yaml") if finding.kind == "coverage_claim" else _file_of(kb, finding.subject)
        problems.append(_located(source, finding.subject, f"{finding.message} ({finding.kind})"))
    return kb, sorted(problems, key=lambda p: (p.source, p.line or 0, p.location))


def _file_of(kb: KnowledgeBase, subject: str) -> str:
    if subject in kb.files:
        return kb.files[subject]
    name = "trials.yaml" if subject in kb.trials else "cautions.yaml" if subject in kb.cautions else "references.yaml"
    return str(kb.path / name)


@dataclass(frozen=True)
class Coverage:
    entries: int
    fired_on_examples: frozenset[str]
    fired_on_generated: frozenset[str]
    generated: int
    all_ids: frozenset[str]

    @property
    def never_fired(self) -> frozenset[str]:
        return self.all_ids - self.fired_on_examples - self.fired_on_generated


def coverage(kb: KnowledgeBase, generated: int = 5_000, extra_cases: list[Any] | None = None) -> Coverage:
    """Which entries fire on their own examples (and extra cases), and on seeded generated profiles."""
    engine = kb.engine
    names = {f"entry:{e.id}": e.id for e in kb.active_entries}
    examples = [c for e in kb.active_entries for _, c, _ in _examples(e.examples)] + list(extra_cases or [])
    on_examples = _fired(engine, [p for p in map(_valid_or_none, examples) if p is not None], names)
    on_generated = _fired(engine, [profile_from_mapping(c) for c in synthetic_cases(generated)], names)
    return Coverage(len(names), on_examples, on_generated, generated, frozenset(names.values()))


def _valid_or_none(case: Any) -> Any:
    """An invalid example is already reported by check_knowledge_base; coverage skips it."""
    try:
        return profile_from_mapping(case)
    except CaseError:
        return None


def _fired(engine: Any, profiles: list[Any], names: dict[str, str]) -> frozenset[str]:
    fired: set[str] = set()
    for profile in profiles:
        fired.update(names[k] for k, v in engine.evaluate(profile).items() if v and k in names)
    return frozenset(fired)


def _examples(examples: Any) -> list[tuple[str, dict[str, Any], bool | None]]:
    return [
        ("examples.fires", examples.fires, True),
        ("examples.does_not_fire", examples.does_not_fire, False),
        ("examples.boundary.case", examples.boundary.case, _EXPECTED[examples.boundary.expect]),
    ]


def _check_example(kb: KnowledgeBase, entry_id: str, source: str, label: str,
                   case: dict[str, Any], expect: bool | None) -> list[Problem]:
    try:
        profile = profile_from_mapping(case, source=source)
    except CaseError as err:
        return [_located(source, f"{label}.{p.location}".rstrip("."), p.message, p.hint) for p in err.problems]
    condition = kb.conditions[f"entry:{entry_id}"]
    reference = evaluate(condition, profile)
    engine = kb.engine.evaluate(profile)[f"entry:{entry_id}"]
    problems = []
    if reference != expect:
        problems.append(_located(source, label, f"the example should {_WORDS[expect]} but it {_WORDS[reference]}"))
    if engine != reference:
        problems.append(_located(source, label, f"durable_rules says {_WORDS[engine]} but the reference "
                                 f"evaluator says {_WORDS[reference]} (an engine bug)"))
    return problems


def _located(source: str, location: str, message: str, hint: str = "") -> Problem:
    return with_line(Problem(source, location, message, hint))
