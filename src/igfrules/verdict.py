"""The one-line verdict a tumour board reads first, computed from the report's own rationales.

It is never fixed text: a rationale whose headline evidence is a positive clinical result in
breast cancer (level A or B, direction `supports`) changes it, and so does the count.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol


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
_BREAST_CANCER_CLINICAL = frozenset(
    {"randomised_clinical", "nonrandomised_clinical", "clinical_subgroup", "clinical_design_unstated"}
)


def rests_on_positive_clinical_result(rationale: _Rationale) -> bool:
    """True when the rationale's headline evidence is a positive clinical result in breast cancer."""
    evidence = rationale.evidence
    return evidence.direction == "supports" and evidence.kind in _BREAST_CANCER_CLINICAL


def verdict(rationales: Sequence[_Rationale]) -> str:
    """The verdict line; an entry's evidence never changes within a knowledge base, so the line is
    kept per list of (id, kind, direction), bounded so that memory stays flat."""
    key = tuple([(r.id, r.evidence.kind, r.evidence.direction) for r in rationales])
    line = _lines.get(key)
    if line is None:
        if len(_lines) >= 4096:
            _lines.clear()
        line = _lines[key] = _verdict(rationales)
    return line


_lines: dict[tuple[tuple[str, str, str], ...], str] = {}


def _verdict(rationales: Sequence[_Rationale]) -> str:
    count = len(rationales)
    if count == 0:
        head = "No IGF-axis research rationale applies to this profile"
    else:
        head = f"{count} research rationale{'s apply' if count != 1 else ' applies'}"
    positive = [r.id for r in rationales if rests_on_positive_clinical_result(r)]
    if count and not positive:
        head += "; none rests on a positive clinical result in breast cancer"
    elif positive:
        verb = "rests" if len(positive) == 1 else "rest"
        head += f"; {len(positive)} {verb} on a positive clinical result in breast cancer ({', '.join(positive)})"
    return head + "; every IGF-axis agent is investigational."
