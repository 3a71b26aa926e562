"""`igfrules check`: everything that can be wrong with a knowledge base, reported at once.

Loading already checks shapes and references. This adds what needs evaluation: every entry's
examples behave as stated, under both the durable_rules engine and the reference evaluator.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..caseio import profile_from_mapping
from ..conditions import Compare, evaluate, leaves
from ..errors import CaseError, KnowledgeBaseError, Problem
from .lines import line_of
from .loader import KnowledgeBase, load_knowledge_base

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
    return kb, sorted(problems, key=lambda p: (p.source, p.line or 0, p.location))


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
        return [_located(source, f"{label}.{p.location}".rstrip("."), p.message) for p in err.problems]
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


def _located(source: str, location: str, message: str) -> Problem:
    try:
        line = line_of(Path(source).read_text(encoding="utf-8"), location)
    except OSError:
        line = None
    return Problem(source, location, message, line=line)

