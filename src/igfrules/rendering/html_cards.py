"""The full evidence cards of the HTML page: one card per rationale, context notes, trials in full.

Each glance row of the brief links to its card (`#RAT-...`); DOIs and NCT ids are plain links
(https://doi.org/..., https://clinicaltrials.gov/study/...), which a reader opens and the page
never fetches. Every string from the case or the knowledge base goes through `e` (html.escape).
"""

from __future__ import annotations

from collections.abc import Iterable
from html import escape

from ..model.evidence import Direction
from ..model.report import CautionNote, Citation, ContextNote, FindingSummary, Rationale, Report
from .cards import to_check_by_hand
from .labels import (
    DIRECTION_WORDS,
    direction_class,
    direction_words,
    doi_url,
    humanize,
    level_words,
    nct_url,
    strategy_words,
)


def e(text: object) -> str:
    return escape(str(text), quote=True)


def link(url: str, text: str) -> str:
    """A plain link: the reader opens it; nothing on the page loads it."""
    return f'<a href="{e(url)}">{text}</a>'


def nct_link(nct_id: str) -> str:
    return link(nct_url(nct_id), e(nct_id))


def finding_tag(direction: Direction) -> str:
    """A finding's own direction: words in brackets, no colour (the headline badge carries meaning)."""
    return f'<span class="ftag {direction}">[{DIRECTION_WORDS[direction]}]</span>'


def headline_badge(r: Rationale | ContextNote) -> str:
    return f'<span class="badge {direction_class(r.evidence)}">{e(direction_words(r.evidence))}</span>'


def cites(citations: Iterable[Citation]) -> str:
    parts = []
    for c in citations:
        text = link(doi_url(c.doi), e(c.citation)) if c.doi else e(c.citation)
        mark = ' <span class="tag post-review">post-review</span>' if c.post_review else ""
        parts.append(f"{text}{mark}")
    return "; ".join(parts)


def findings(items: Iterable[FindingSummary]) -> list[str]:
    rows = []
    for f in items:
        mark = '<span class="tag post-review">post-review</span> ' if f.post_review else ""
        rows.append(f"<li>{finding_tag(f.direction)} {mark}{e(f.statement)} "
                    f'<span class="cites">({cites(f.citations)})</span></li>')
    return ['<ul class="findings">', *rows, "</ul>"] if rows else []


def _caution(c: CautionNote) -> str:
    extra = ""
    if c.heightened:
        extra = (f'<p class="heightened-why">Heightened for this patient '
                 f'({e(humanize("; ".join(c.heightened_because)))}): {e(c.heightened_text)}</p>')
    cls = "caution-note heightened" if c.heightened else "caution-note"
    return (f'<div class="{cls}"><p><strong>{e(c.title)}</strong> '
            f'{e(c.text)} <span class="cites">({cites(c.citations)})</span></p>{extra}</div>')


def _because(because: Iterable[str]) -> str:
    return "<h4>Applies because</h4><ul>" + "".join(f"<li>{e(humanize(b))}</li>" for b in because) + "</ul>"


def _dl(rows: Iterable[tuple[str, str]]) -> list[str]:
    """A definition list of already-escaped (term, HTML) pairs; empty values are left out."""
    return ['<dl class="kv">', *(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in rows if v), "</dl>"]


def rationale_card(r: Rationale) -> list[str]:
    ev = r.evidence
    escat = f", ESCAT {e(ev.escat)}" if ev.escat else ""
    agents = ", ".join(f"{e(a.name)} ({e(a.class_label)})" for a in r.agents)
    out = [f'<section class="rationale" id="{e(r.id)}">',
           f"<header><h3>{e(r.title)}</h3>{headline_badge(r)}</header>",
           (f'<p class="meta"><code>{e(r.id)}</code> &middot; evidence level {e(level_words(ev))}{escat} '
            f"&middot; {e(direction_words(ev))}</p>"),
           f'<p><span class="ruo">Research use only.</span> {e(r.summary)}</p>',
           *_dl([("Strategy", e(strategy_words(r))), ("Agents", agents or "none named"),
                 ("Evidence", e(ev.statement))]),
           _because(r.because)]
    if r.findings:
        out += ["<h4>Findings</h4>", *findings(r.findings)]
    if r.cautions:
        out += ["<h4>Cautions</h4>", *(_caution(c) for c in r.cautions)]
    status = {t.nct_id: t for t in r.trial_status}
    trials = "<br>".join(
        nct_link(n) + (f" ({e(status[n].acronym)}): {e(status[n].status_words)}" if n in status else "")
        for n in r.trials)
    out += _dl([("Whom the evidence comes from", e(r.evidence_population)),
                ("Trials behind the evidence", trials),
                ("Knowingly conflicts with", ", ".join(e(c) for c in r.conflicts_with)),
                ("Sources", cites(r.citations))])
    return [*out, "</section>"]


def _context_note(note: ContextNote) -> list[str]:
    return [f'<article class="context-note" id="{e(note.id)}">',
            f"<h3>{e(note.title)}</h3>",
            f'<p class="meta"><code>{e(note.id)}</code> &middot; level {e(level_words(note.evidence))} '
            "&middot; not a treatment rationale</p>",
            f"<p>{e(note.summary)}</p>", _because(note.because), *findings(note.findings),
            f'<p class="cites">Sources: {cites(note.citations)}</p>', "</article>"]


def _trial_card(report: Report) -> list[str]:
    out = []
    for t in report.trials:
        acronym = f" ({e(t.acronym)})" if t.acronym else ""
        out += [f'<article class="trial-card" id="trial-{e(t.nct_id)}">',
                f"<h3>{nct_link(t.nct_id)}{acronym}: {e(t.title)}</h3>",
                *_dl([("Regimen", e(t.regimen)), ("Phase", e(t.phase)), ("Design", e(t.design)),
                      ("Primary outcome", e(t.primary_outcome)), ("Whom it enrolled", e(t.population)),
                      ("Status", e(t.status_words)), ("To check by hand", e(to_check_by_hand(t)))]),
                *findings(t.results), "</article>"]
    return out


def evidence_sections(report: Report) -> list[str]:
    """Everything after the brief: cards, context notes, trials in full (the review's conclusion closes
    the page with the disclaimer: conclusion_section)."""
    out = ['<section class="rationales">',
           f"<h2>Evidence cards: research rationales (evidence summaries) ({len(report.rationales)})</h2>"]
    for r in report.rationales:
        out += rationale_card(r)
    out.append("</section>")
    if report.context:
        out += ['<section class="context">', f"<h2>Context: not treatment rationales ({len(report.context)})</h2>"]
        for note in report.context:
            out += _context_note(note)
        out.append("</section>")
    if report.trials:
        out += ['<section class="trials-full">', f"<h2>Trials in full ({len(report.trials)})</h2>",
                *_trial_card(report), "</section>"]
    return out


def conclusion_section(report: Report) -> str:
    return (f'<section class="conclusion"><h2>The review\'s conclusion</h2><blockquote>{e(report.conclusion)}'
            "</blockquote></section>")
