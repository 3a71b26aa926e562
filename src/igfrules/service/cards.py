"""A Report -> CDS Hooks cards: one per rationale, one for trials, one for what is missing, one for
what in the record disagrees. Every card says research use only, in its summary and its detail.

Card details are built from the one-page brief's own pieces (rendering.brief): a rationale's
glance row, the trial rows, the missing-field rows, with the same words for level and direction
that never read as a recommendation.

A summary leads with the finding (a rationale's short title, then the brief's direction words)
and ends with "(research only)"; it is under 140 characters and, when shortened, ends on a whole
word and an ellipsis. Each card says what it is about (`source.topic`), offers the override
reasons of feedback/codes.py, and, for a rationale, carries its evidence and the knowledge base
as the `org.igfrules.evidence` extension. No card carries an empty array: an empty key is left out.

Cards are made in two steps: `make_cards` builds them from the report alone (so an answer can be
kept and sent again), and `stamp` gives each its `uuid` for one hook instance.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from ..bounded_cache import BoundedCache
from ..model.mapping import SourceMapping
from ..model.report import Citation, KnowledgeBaseInfo, Rationale, Report
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
from .feedback.codes import override_reasons, topic

SUMMARY_LIMIT = 139  # CDS Hooks 2.0: a summary is "<140-character"
RESEARCH = "Research use only"
LABEL = " (research only)"  # the summary's short form of the label: every summary ends with it
ELLIPSIS = "…"
REVIEW_URL = "https://doi.org/10.3389/fcell.2021.641449"
GROUP_WORDS = dict(EVIDENCE_GROUPS)  # the brief's groups: tested in breast cancer, other tumours only, ...
EVIDENCE_EXTENSION = "org.igfrules.evidence"
# The namespace of card uuids: a fixed uuid5 of a name of igfrules' own, so that the same hook
# instance, card and knowledge base give the same uuid in every process and release.
CARD_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:igfrules:cds-hooks:card")
# Punctuation a shortened title does not end on before its ellipsis ('+' and '-' stay: 'ER+', 'HER2-').
_TRAILING = " ,;:/–—("


def fit_words(text: str, room: int) -> str:
    """`text` if it fits in `room` characters, else its longest run of whole words that fits with
    an ellipsis after it: never cut inside a word, never an ellipsis after a space or a comma, and
    never an unclosed parenthesis left before it. Empty when not even one word fits."""
    if len(text) <= room:
        return text
    words = text.split(" ")
    kept = ""
    for word in words:
        longer = f"{kept} {word}" if kept else word
        if len(longer) + len(ELLIPSIS) > room:
            break
        kept = longer
    while kept.count("(") > kept.count(")"):  # "… (mTOR + IGF-1R…": back to before the bracket
        kept = kept[: kept.rfind("(")]
    kept = kept.rstrip(_TRAILING)
    return f"{kept}{ELLIPSIS}" if kept else ""


def _summary(finding: str, tail: str = "") -> str:
    """The finding, then `tail` (kept whole), then the label; the finding gives way if too long."""
    room = SUMMARY_LIMIT - len(tail) - len(LABEL)
    shown = fit_words(finding, room)
    return f"{shown}{tail}{LABEL}" if shown else f"{tail.removeprefix(' — ')}{LABEL}"


def rationale_summary(r: Rationale) -> str:
    """The whole title when it fits before the direction words and its aside does not repeat them
    ('(preclinical) — hypothesis (preclinical)'), else its short form, shortened to fit."""
    tail = f" — {_lead(r)}"
    short = short_title(r.title)
    whole = f"{r.title}{tail}{LABEL}"
    repeated = short != r.title and r.title[len(short):].strip() in tail
    return whole if len(whole) <= SUMMARY_LIMIT and not repeated else _summary(short, tail)


def short_title(title: str) -> str:
    """The title without a closing parenthetical aside ('… (trial terminated, inconclusive)'): the
    direction words that follow it in the summary say much the same, and the detail keeps it whole."""
    if not title.endswith(")"):
        return title
    depth = 0
    for index in range(len(title) - 1, -1, -1):
        depth += {")": 1, "(": -1}.get(title[index], 0)
        if depth == 0:
            head = title[:index].rstrip()
            return head if len(head) >= 20 else title
    return title


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


def _source(report: Report, topic_code: str) -> dict[str, Any]:
    kb = report.knowledge_base
    return {"label": f"igfrules {report.engine_version}, knowledge base {kb.name} {kb.version} (research use only)",
            "url": REVIEW_URL, "topic": topic(topic_code)}


def _evidence(r: Rationale, kb: KnowledgeBaseInfo) -> dict[str, Any]:
    """The rationale's headline evidence and the knowledge base it comes from, for a client (or a
    curator reading logs of cards) to act on without parsing the Markdown."""
    dois = sorted({c.doi for c in r.citations if c.doi})
    found: dict[str, Any] = {"entry": r.id, "level": r.evidence.level, "kind": r.evidence.kind,
                             "direction": r.evidence.direction}
    if dois:
        found["dois"] = dois
    found["knowledgeBase"] = {"name": kb.name, "version": kb.version, "sha256": kb.sha256}
    return {EVIDENCE_EXTENSION: found}


@dataclass(frozen=True)
class IssuedCard:
    """A card before its uuid, with what it is about: a rationale's entry id, or its topic code
    ('trials', 'missing-information', ...) for the others. Its `card` is shared: never changed."""

    about: str
    entry_id: str | None
    topic: str
    knowledge_base: KnowledgeBaseInfo
    card: dict[str, Any]


def card_uuid(hook_instance: str, about: str, kb_sha256: str) -> str:
    """The same hook instance, card and knowledge base give the same uuid; change any and it changes."""
    return str(uuid.uuid5(CARD_NAMESPACE, "\x1f".join((hook_instance, about, kb_sha256))))


def stamp(made: list[IssuedCard], hook_instance: str) -> list[dict[str, Any]]:
    """The cards as sent for one hook instance: each a new dict, its uuid first."""
    return [{"uuid": card_uuid(hook_instance, c.about, c.knowledge_base.sha256), **c.card} for c in made]


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
        # The finding first: the short title, then the brief's direction words, kept whole.
        "summary": rationale_summary(r),
        "indicator": "warning" if heightened else "info",
        "detail": _detail_markdown(report, r),
        "source": source,
        "overrideReasons": override_reasons(),
        "extension": _evidence(r, report.knowledge_base),
    }
    links = _doi_links(r.citations)
    if links:
        card["links"] = links
    _rationale_cards.put(id(r), (r, source, card), len(card["detail"]) + len(card["summary"]))
    return card


def make_cards(report: Report, unavailable: list[str]) -> list[IssuedCard]:
    """The cards for one report, before their uuids. They are serialised, never changed: a
    rationale's card is shared between reports."""
    kb = report.knowledge_base
    out = [IssuedCard(r.id, r.id, "rationale", kb, _rationale_card(report, r, _source(report, "rationale")))
           for r in report.rationales]
    others: list[tuple[str, dict[str, Any] | None]] = []
    if not report.rationales:
        others.append(("no-rationale", {
            "summary": _summary("No IGF-axis research rationale from the review applies with what is known"),
            "indicator": "info", "detail": f"**{RESEARCH.upper()}.** {report.verdict}\n\n*{report.disclaimer}*"}))
    if report.trials:
        others.append(("trials", _trials_card(report)))
    others.append(("missing-information", _missing_card(report, unavailable)))
    if report.warnings:
        detail = "\n".join(f"- {markdown_literal(w)}" for w in report.warnings)
        others.append(("record-check", {
            "summary": _summary(f"{len(report.warnings)} thing(s) in the record to check"), "indicator": "warning",
            "detail": f"**{RESEARCH.upper()}.** Sources that disagree, and what igfrules chose:\n\n{detail}"}))
    for code, card in others:
        if card is not None:
            card.update(source=_source(report, code), overrideReasons=override_reasons())
            out.append(IssuedCard(code, None, code, kb, card))
    return out


def cards(report: Report, unavailable: list[str], hook_instance: str) -> list[dict[str, Any]]:
    """The cards of one report as sent for one hook instance."""
    return stamp(make_cards(report, unavailable), hook_instance)


def _trials_card(report: Report) -> dict[str, Any]:
    rows = [TRIALS_MARKDOWN_HEADER, *(trial_row_markdown(t) for t in trial_rows(report))]
    closed = ", all closed" if all_closed(report) else ""
    return {
        "summary": _summary(f"{len(report.trials)}{' closed' if closed else ''} "
                            f"stud{'y' if len(report.trials) == 1 else 'ies'} that would have enrolled this patient"),
        "indicator": "info",
        "detail": f"**{RESEARCH.upper()}.** {TRIALS_HEADING}{closed}: {TRIALS_NOTE}.\n\n" + "\n".join(rows),
        "links": [{"label": f"{t.nct_id} on ClinicalTrials.gov", "url": f"https://clinicaltrials.gov/study/{t.nct_id}",
                   "type": "absolute"} for t in report.trials],
    }


def _missing_card(report: Report, unavailable: list[str]) -> dict[str, Any] | None:
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
            "detail": "\n".join(lines)}
