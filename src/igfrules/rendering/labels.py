"""Words for people: field labels, what a level means, what a direction means, and source links.

Every format meant for people (text, Markdown, HTML) takes its words from here, so a field is
"menopausal status" everywhere and never `menopausal_status`, and a preclinical "supports" reads
"hypothesis (preclinical)" everywhere. JSON keeps the raw values: machines need them.

Direction is kept apart from clinical significance, as CIViC does: the words say what the evidence
*is* (a hypothesis, a signal outside breast cancer, a negative trial), never what to do.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any, Final

from ..knowledge.models import Evidence
from ..model.report import Citation, EvidenceSummary, Rationale, Report
from ..model.verdict import rests_on_positive_clinical_result
from ..model.vocabulary import vocabulary

BANNER: Final = "RESEARCH USE ONLY - not medical advice; igfrules never recommends a treatment."

FIELD_LABELS: Final[dict[str, str]] = {
    "case_id": "case id",
    "sex": "sex",
    "menopausal_status": "menopausal status",
    "er_status": "ER status",
    "pr_status": "PR status",
    "her2_status": "HER2 status",
    "her2_low": "HER2-low (IHC 1+, or 2+ with negative ISH)",
    "treatment_intent": "treatment intent",
    "metastatic_sites": "metastatic sites",
    "cns_metastases": "brain or leptomeningeal metastases",
    "non_visceral_metastases": "metastases in lymph node, soft tissue, skin or bone",
    "advanced_disease": "advanced disease (inoperable locally advanced or metastatic)",
    "hormone_receptor_status": "hormone-receptor status (ER or PR)",
    "stage": "stage",
    "visceral_disease": "visceral disease",
    "pik3ca_mutation": "PIK3CA mutation",
    "high_proliferation": "high proliferation (e.g. Ki-67)",
    "diabetes": "diabetes or insulin resistance",
    "brca_mutation": "germline BRCA1/2 variant",
    "bmi": "BMI",
    "serum_igf1": "serum IGF-1",
    "igf1r_expression": "tumour IGF-1R expression",
    "prior_therapies": "prior therapies",
}

# Longest names first, so `hormone_receptor_status` is never read as a smaller name inside it.
_FIELD_NAME = re.compile(r"\b(" + "|".join(sorted(FIELD_LABELS, key=len, reverse=True)) + r")\b")


def field_label(name: str) -> str:
    """'menopausal status'; a detail of a field reads 'prior therapies (progressed)'."""
    head, _, detail = name.partition(".")
    label = FIELD_LABELS.get(head, head.replace("_", " "))
    return f"{label} ({detail.replace('_', ' ')})" if detail else label


def humanize(text: str) -> str:
    """Replace raw field names inside generated sentences ("er_status is positive") by labels."""
    def label(m: re.Match[str]) -> str:
        words = FIELD_LABELS[m.group(1)]
        # Text already in words ("diabetes or insulin resistance is true") keeps them: "diabetes" is a
        # field name and the start of its own label.
        return m.group(1) if text.startswith(words, m.start()) else words

    return _FIELD_NAME.sub(label, text)


# What a level means, in the words of docs/evidence-grades.md, short enough for a table cell.
LEVEL_MEANING: Final[dict[str, str]] = {
    "A": "randomised, breast cancer",
    "B": "other clinical, breast cancer",
    "C": "clinical, other tumours",
    "D": "preclinical",
    "E": "mechanism only",
}
KIND_MEANING: Final[dict[str, str]] = {
    "randomised_clinical": "randomised trial",
    "nonrandomised_clinical": "non-randomised trial",
    "clinical_subgroup": "trial subgroup",
    "observational": "observational",
    "clinical_design_unstated": "clinical, design not stated",
    "clinical_other_tumours": "other tumours",
    "preclinical": "preclinical",
    "inferential": "mechanism only",
}


def level_words(evidence: EvidenceSummary) -> str:
    """'D: preclinical'; a level resting on a post-review result carries a star."""
    star = "*" if evidence.post_review else ""
    return f"{evidence.level}{star}: {KIND_MEANING.get(evidence.kind, evidence.kind.replace('_', ' '))}"


def legend_items() -> list[tuple[str, str]]:
    return list(LEVEL_MEANING.items())


LEGEND_NOTE: Final = "* post-review. Directions say what evidence is, never advice."


# A finding's own direction, as the knowledge base states it (used on findings and trial results).
DIRECTION_WORDS: Final[dict[str, str]] = {
    "supports": "supports", "does_not_support": "does not support", "caution": "caution"}


def direction_class(evidence: EvidenceSummary) -> str:
    """The significance class of a headline: one CSS class and one set of words per class."""
    if evidence.direction == "does_not_support":
        return "negative"
    if evidence.direction == "caution":
        return "caution"
    if rests_on_positive_clinical_result(_Headline(evidence)):
        return "clinical-positive"
    if evidence.kind == "observational":
        return "association"
    if evidence.kind == "clinical_other_tumours":
        return "other-tumours"
    return "hypothesis"


def direction_words(evidence: EvidenceSummary) -> str:
    """The headline direction in words that cannot read as a recommendation."""
    cls = direction_class(evidence)
    if cls == "negative":
        clinical = evidence.level in ("A", "B")
        return "tested: no benefit shown" if clinical else "evidence against"
    if cls == "caution":
        return "caution"
    if cls == "clinical-positive":
        return "positive clinical result (breast cancer)"
    if cls == "association":
        return "association reported"
    if cls == "other-tumours":
        return "signal outside breast cancer"
    return "hypothesis (preclinical)" if evidence.kind == "preclinical" else "hypothesis (mechanism)"


class _Headline:
    """Adapts an EvidenceSummary to the verdict's rationale protocol."""

    def __init__(self, evidence: EvidenceSummary) -> None:
        self.id = ""
        self.evidence = evidence


# -- links: plain URLs, so a page fetches nothing and a reader can open every source ---------------

def doi_url(doi: str) -> str:
    return f"https://doi.org/{doi}"


def nct_url(nct_id: str) -> str:
    return f"https://clinicaltrials.gov/study/{nct_id}"


def cite_words(citations: Iterable[Citation]) -> str:
    """Citations as text: 'Rugo et al., 2017 [post-review]; ...' (DOIs live in the full cards)."""
    return "; ".join(c.citation + (" [post-review]" if c.post_review else "") for c in citations)


def class_label(class_id: str) -> str:
    drug_class = vocabulary().classes.get(class_id)
    return drug_class.label if drug_class else class_id.replace("_", " ")


def strategy_words(r: Rationale) -> str:
    igf = class_label(r.strategy.igf_axis)
    partners = ", ".join(class_label(p) for p in r.strategy.partners)
    text = f"{igf} with {partners}" if partners else f"{igf} alone"
    return f"{text}; sequence: {r.strategy.sequence}" if r.strategy.sequence else text


# -- the profile as case files write it, with human labels ------------------------------------------

def value_words(value: object) -> str:
    """A value as a case file writes it: `false`, not `False`; 27.5, not 27.500."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:g}"
    if value == "not_applicable":
        return "not applicable"
    if isinstance(value, list | tuple):
        return ", ".join(str(v).replace("_", " ") for v in value) or "none"
    return str(value)


def _therapy(item: dict[str, object]) -> str:
    details = [str(item["setting"])] if "setting" in item else []
    if "progressed" in item:
        details.append("progressed" if item["progressed"] else "no progression")
    return f"{item['agent']} ({', '.join(details)})" if details else str(item["agent"])


def profile_items(report: Report) -> list[tuple[str, str]]:
    """The known profile fields as (human label, words) pairs, in contract order."""
    items = []
    profile: dict[str, Any] = dict(report.profile)
    for name, value in profile.items():
        if name == "case_id" or value is None:
            continue
        therapies = name == "prior_therapies"
        words = ("; ".join(_therapy(t) for t in value) or "none") if therapies else value_words(value)
        items.append((field_label(name), words))
    return items


def clip(text: str, limit: int) -> str:
    """Shorten to a word boundary with an ellipsis: for a brief's one-line cells only."""
    indent = text[: len(text) - len(text.lstrip(" "))]
    text = indent + " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:")
    return cut + "…"


def reasons(parts: list[str], limit: int) -> str:
    """As many whole reasons as fit in `limit` characters, then how many more there are."""
    for shown in range(len(parts), 0, -1):
        more = f"; +{len(parts) - shown} more" if shown < len(parts) else ""
        text = "; ".join(parts[:shown]) + more
        if len(text) <= limit:
            return text
    return clip(parts[0], limit - 9) + f"; +{len(parts) - 1} more" if len(parts) > 1 else clip(parts[0], limit)


_MARKUP = str.maketrans({**{c: "\\" + c for c in "\\|*_`[]#<>"}, "&": "&amp;"})


def markdown_literal(text: str) -> str:
    """Free text a user wrote (the case id), made inert in Markdown: no heading, link, code or raw
    HTML can come from it. The knowledge base's own prose is not escaped: it is paste-ready."""
    return text.translate(_MARKUP)


def entry_direction_words(evidence: Evidence) -> str:
    """A knowledge-base entry's headline direction in the brief's words (rules listing, explain, docs)."""
    return direction_words(EvidenceSummary(**evidence.model_dump()))
