"""The one-line verdict a tumour board reads first, computed from the report's own rationales.

It says what was shown, negative first, with a count per kind of evidence, never "N apply" (which a
board reads as N options):
- a positive clinical result in breast cancer (a headline of a clinical kind in breast cancer whose
  direction is `supports`) is named, entry by entry;
- then how many were tested in breast cancer with no benefit shown, how many have data only from
  other tumours, how many are hypotheses (preclinical or mechanism): the groups of EVIDENCE_GROUPS,
  which the brief, the page and the CDS cards use too, so their counts agree;
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


# What the evidence shows, in three groups a board reads apart: the verdict counts them and the
# brief, the page and the CDS cards group their rows the same way.
EVIDENCE_GROUPS: tuple[tuple[str, str], ...] = (
    ("breast_cancer", "Tested in breast cancer"),
    ("other_tumours", "Clinical data from other tumours only"),
    ("preclinical", "Preclinical or mechanism only (hypotheses)"),
)
_OTHER_TUMOURS = frozenset({"clinical_other_tumours"})


def evidence_group(kind: str) -> str:
    """The group of a headline evidence kind: breast_cancer, other_tumours or preclinical."""
    if kind in BREAST_CANCER_CLINICAL or kind == "observational":
        return "breast_cancer"
    return "other_tumours" if kind in _OTHER_TUMOURS else "preclinical"


def group_counts(rationales: Sequence[_Rationale]) -> dict[str, int]:
    counts = dict.fromkeys((g for g, _ in EVIDENCE_GROUPS), 0)
    for r in rationales:
        counts[evidence_group(r.evidence.kind)] += 1
    return counts


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _verdict(rationales: Sequence[_Rationale], clause: str) -> str:
    """'No IGF-axis strategy has shown benefit for this profile: 3 were tested in breast cancer with
    no benefit shown, 3 have data only from other tumours, 2 are hypotheses. Every IGF-axis agent is
    investigational.' Negative first, a count per group, every positive result named."""
    tail = clause[:1].upper() + clause[1:] + "."
    if not rationales:
        return f"No IGF-axis research rationale matches this profile with what is known. {tail}"
    positive = [r.id for r in rationales if rests_on_positive_clinical_result(r)]
    counts = group_counts(rationales)
    parts = []
    tested_without = counts["breast_cancer"] - len(positive)
    if positive:
        parts.append(f"{_count(len(positive), 'rests', 'rest')} on a positive clinical result in breast cancer "
                     f"({', '.join(positive)})")
    if tested_without:
        parts.append(f"{_count(tested_without, 'was', 'were')} tested in breast cancer with no benefit shown")
    if counts["other_tumours"]:
        parts.append(f"{_count(counts['other_tumours'], 'has', 'have')} data only from other tumours")
    if counts["preclinical"]:
        parts.append(f"{_count(counts['preclinical'], 'is a hypothesis', 'are hypotheses')}")
    if positive:
        matched = _count(len(rationales), "IGF-axis research rationale matches", "IGF-axis research rationales match")
        head = f"{matched} this profile"
    else:
        head = "No IGF-axis strategy has shown benefit for this profile"
    return f"{head}: {', '.join(parts)}. {tail}"
