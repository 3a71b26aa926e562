"""A Report -> CDS Hooks cards: one per rationale, one for trials, one for what is missing, one for
what in the record disagrees. Every card says research use only, in its summary and its detail.

Card details are built from the one-page brief's own pieces (rendering.brief): a rationale's
glance row, the trial rows, the missing-field rows, with the same words for level and direction
that never read as a recommendation.
"""

from __future__ import annotations

from typing import Any

from ..bounded_cache import BoundedCache
from ..model.mapping import SourceMapping
from ..model.report import Citation, Rationale, Report
from ..model.verdict import EVIDENCE_GROUPS, evidence_group
from ..rendering.brief import (
    GLANCE_MARKDOWN_HEADER,
    TRIALS_HEADING,
    TRIALS_MARKDOWN_HEADER,
    TRIALS_NOTE,
    all_closed,
    glance_row,
    glance_row_markdown,
    heightened_markdown,
    trial_row_markdown,
    trial_rows,
)
from ..rendering.cards import card_markdown_lines
from ..rendering.labels import BANNER, direction_words, field_label, markdown_literal

SUMMARY_LIMIT = 139  # CDS Hooks 2.0: a summary is "<140-character"
RESEARCH = "Research use only"
REVIEW_URL = "https://doi.org/10.3389/fcell.2021.641449"
GROUP_WORDS = dict(EVIDENCE_GROUPS)  # the brief's groups: tested in breast cancer, other tumours only, ...


def _summary(text: str) -> str:
    text = f"{RESEARCH}: {text}"
    return text if len(text) <= SUMMARY_LIMIT else text[: SUMMARY_LIMIT - 1].rstrip() + "…"


def _lead(r: Rationale) -> str:
    """The brief's direction words with its group: 'tested: no benefit shown (breast cancer)',
    'caution (other tumours only)', 'hypothesis (preclinical)'."""
    group = evidence_group(r.evidence.kind)
    words = direction_words(r.evidence)
    return {"breast_cancer": f"{words} (breast cancer)", "other_tumours": f"{words} (other tumours only)"}.get(
        group, words)


def _doi_links(citations: tuple[Citation, ...]) -> list[dict[str, str]]:
    links = {}
    for c in citations:
        if c.doi:
            links[c.doi] = {"label": f"{c.citation[:80]} (doi:{c.doi})", "url": f"https://doi.org/{c.doi}",
                            "type": "absolute"}
    return list(links.values())


def _source(report: Report) -> dict[str, Any]:
    kb = report.knowledge_base
    return {"label": f"igfrules {report.engine_version}, knowledge base {kb.name} {kb.version} (research use only)",
            "url": REVIEW_URL}


def _detail_markdown(report: Report, rationale: Rationale) -> str:
    """One rationale as a card's detail: the brief's glance row, then its full evidence card (the
    same Markdown as `evaluate --detail full`), then the disclaimer."""
    row = glance_row(rationale)
    # Nothing of the rest of the report: a rationale's card is shared between reports (below).
    lines = [f"**{BANNER}**", "", f"**{GROUP_WORDS[row.group]}.**", "", GLANCE_MARKDOWN_HEADER,
             glance_row_markdown(row), "", *heightened_markdown(row), "",
             *card_markdown_lines(rationale), "", f"*{report.disclaimer}*"]
    return "\n".join(lines)


# A rationale's card, by the rationale object: evaluate() hands out one shared object for each
# distinct explanation, so a card is rendered once, not on every request (its Markdown was a sixth
# of a request's time). Bounded by count and by the bytes of the cards' Markdown; the object is
# kept with its card, so an id is never reused.
_rationale_cards: BoundedCache[int, tuple[Rationale, dict[str, Any], dict[str, Any]]] = BoundedCache(
    2048, max_bytes=16 * 1024 * 1024)


def _rationale_card(report: Report, r: Rationale, source: dict[str, Any]) -> dict[str, Any]:
    found = _rationale_cards.get(id(r))
    if found is not None and found[0] is r and found[1] == source:
        return found[2]
    heightened = any(c.heightened for c in r.cautions)
    card = {
        # Grade and direction first: a long title is what gets cut at 140 characters.
        "summary": _summary(f"{_lead(r)}: {r.title}"),
        "indicator": "warning" if heightened else "info",
        "detail": _detail_markdown(report, r),
        "source": source,
        "links": _doi_links(r.citations),
    }
    _rationale_cards.put(id(r), (r, source, card), len(card["detail"]) + len(card["summary"]))
    return card


def cards(report: Report, unavailable: list[str]) -> list[dict[str, Any]]:
    """The cards for one report. They are serialised, never changed: a rationale's card is shared."""
    source = _source(report)
    out: list[dict[str, Any]] = [_rationale_card(report, r, source) for r in report.rationales]
    if not report.rationales:
        out.append({"summary": _summary("no IGF-axis research rationale from the review applies with what is known"),
                    "indicator": "info", "detail": f"**{RESEARCH.upper()}.** {report.verdict}\n\n"
                                                   f"*{report.disclaimer}*", "source": source})
    if report.trials:
        out.append(_trials_card(report, source))
    missing = _missing_card(report, unavailable, source)
    if missing:
        out.append(missing)
    if report.warnings:
        detail = "\n".join(f"- {markdown_literal(w)}" for w in report.warnings)
        out.append({"summary": _summary(f"{len(report.warnings)} thing(s) in the record to check"),
                    "indicator": "warning", "source": source,
                    "detail": f"**{RESEARCH.upper()}.** Sources that disagree, and what igfrules chose:\n\n{detail}"})
    return out


def _trials_card(report: Report, source: dict[str, Any]) -> dict[str, Any]:
    rows = [TRIALS_MARKDOWN_HEADER, *(trial_row_markdown(t) for t in trial_rows(report))]
    closed = ", all closed" if all_closed(report) else ""
    return {
        "summary": _summary(f"{len(report.trials)}{' closed' if closed else ''} "
                            f"stud{'y' if len(report.trials) == 1 else 'ies'} that would have enrolled this patient"),
        "indicator": "info", "source": source,
        "detail": f"**{RESEARCH.upper()}.** {TRIALS_HEADING}{closed}: {TRIALS_NOTE}.\n\n" + "\n".join(rows),
        "links": [{"label": f"{t.nct_id} on ClinicalTrials.gov", "url": f"https://clinicaltrials.gov/study/{t.nct_id}",
                   "type": "absolute"} for t in report.trials],
    }


def _missing_card(report: Report, unavailable: list[str], source: dict[str, Any]) -> dict[str, Any] | None:
    fields = sorted({f for n in report.needs_information for f in n.missing})
    mapping: SourceMapping | None = report.mapping
    unrecognised = mapping.unrecognised_medicines if mapping else ()
    if not fields and not unrecognised and not unavailable:
        return None
    lines = [f"**{RESEARCH.upper()}.** What would change this answer:", ""]
    for name in fields:
        rules = sorted(n.rule_id for n in report.needs_information if name in n.missing)
        found = mapping.source(name) if mapping else None
        note = found.note if found else ""
        lines.append(f"- **{field_label(name)}** ({', '.join(rules)}){f': {markdown_literal(note)}' if note else ''}")
    for medicine in unrecognised:
        text, resource = markdown_literal(medicine.text), markdown_literal(medicine.resource)
        lines.append(f"- medicine not recognised: {text} ({resource})")
    if unavailable:
        lines.append(f"- the client has no data for: {', '.join(unavailable)}")
    return {"summary": _summary(f"{len(fields)} missing field(s) would change this answer"), "indicator": "info",
            "source": source, "detail": "\n".join(lines)}
