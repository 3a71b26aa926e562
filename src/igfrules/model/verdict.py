"""The one-line verdict a tumour board reads first, computed from the report's own rationales.

It is never fixed text. Each clause is computed:
- the count of rationales that apply;
- whether any rests on a positive clinical result in breast cancer: a headline evidence of a
  clinical kind in breast cancer (level A or B) whose direction is `supports`;
- whether every IGF-axis agent is investigational, from the agent vocabulary's `investigational`
  marks (an approval recorded there changes the clause).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol
from weakref import WeakKeyDictionary

from .vocabulary import Vocabulary, vocabulary


class _Evidence(Protocol):
    @property
    def kind(self) -> str: ...
    @property
    def direction(self) -> str: ...


class _Rationale(Protocol):
    @property
    def id(self) -> str: ...
    @property
    def evidence(self) -> _Evidence: ...

# Kinds of study whose "supports" would be a positive clinical result in breast cancer (levels A-B;
# observational data are about risk and prognosis, never a treatment result).
BREAST_CANCER_CLINICAL = frozenset(
    {"randomised_clinical", "nonrandomised_clinical", "clinical_subgroup", "clinical_design_unstated"}
)
IGF_AXIS_CLASS = "igf_axis_agent"


def rests_on_positive_clinical_result(rationale: _Rationale) -> bool:
    """True when the rationale's headline evidence is a positive clinical result in breast cancer."""
    evidence = rationale.evidence
    return evidence.direction == "supports" and evidence.kind in BREAST_CANCER_CLINICAL


def investigational_clause(vocab: Vocabulary | None = None) -> str:
    """'every IGF-axis agent is investigational', or which IGF-axis agents have an approval recorded."""
    vocab = vocab or vocabulary()
    clause = _clauses.get(vocab)
    if clause is None:
        clause = _clauses[vocab] = _investigational_clause(vocab)
    return clause


# Per vocabulary object (weakly, so a discarded knowledge base takes its entry with it): the
# clause reads every agent, and a vocabulary is never changed once loaded.
_clauses: WeakKeyDictionary[Vocabulary, str] = WeakKeyDictionary()


def _investigational_clause(vocab: Vocabulary) -> str:
    approved = vocab.not_investigational(IGF_AXIS_CLASS)
    if not approved:
        return "every IGF-axis agent is investigational"
    verb = "has" if len(approved) == 1 else "have"
    return f"{', '.join(approved)} {verb} a recorded approval; every other IGF-axis agent is investigational"


def verdict(rationales: Sequence[_Rationale], vocab: Vocabulary | None = None) -> str:
    """One sentence, true for these rationales: count; positive clinical results; investigational.

    An entry's evidence never changes within a knowledge base, so the line is kept per
    investigational clause and list of (id, kind, direction), bounded so that memory stays flat.
    """
    clause = investigational_clause(vocab)
    key = (clause, tuple([(r.id, r.evidence.kind, r.evidence.direction) for r in rationales]))
    line = _lines.get(key)
    if line is None:
        if len(_lines) >= 4096:
            _lines.clear()
        line = _lines[key] = _verdict(rationales, clause)
    return line


_lines: dict[tuple[str, tuple[tuple[str, str, str], ...]], str] = {}


def _verdict(rationales: Sequence[_Rationale], clause: str) -> str:
    count = len(rationales)
    if count == 0:
        head = "No IGF-axis research rationale applies with what is known"  # unknown is not negative
    else:
        head = f"{count} research rationale{'s apply' if count != 1 else ' applies'}"
    positive = [r.id for r in rationales if rests_on_positive_clinical_result(r)]
    if count and not positive:
        head += "; none rests on a positive clinical result in breast cancer"
    elif positive:
        verb = "rests" if len(positive) == 1 else "rest"
        head += f"; {len(positive)} {verb} on a positive clinical result in breast cancer ({', '.join(positive)})"
    return f"{head}; {clause}."
