"""A self-contained HTML page of a Report, for reading on screen and printing on A4.

One document with inline CSS and nothing else: no script, no fonts, images or links to fetch, so
the page shows the same offline, in an archive or as an e-mail attachment. Like the text and
Markdown renderings it opens with RESEARCH USE ONLY and closes with the disclaimer. Every string
from the case or the knowledge base goes through `_e` (html.escape): a case_id is user input.
Output is deterministic (no timestamps, no generated ids), so a page can be compared byte for byte.
"""

from __future__ import annotations

from collections.abc import Iterable
from html import escape

from ..knowledge.models import Direction
from ..report import CautionNote, Citation, ContextNote, FindingSummary, Rationale, Report
from .text import BANNER, DIRECTION_WORDS, TRIALS_HEADING, TRIALS_NOTE, profile_items, strategy_words

_SUBTITLE = ("Candidate research rationales for IGF-axis therapy as one review reports them. "
             "Not a treatment recommendation.")
_NO_RATIONALE = "None of the review's rationales applies to this profile with what is known."

# Meaning never rests on colour alone: each badge carries its words and a distinct border style
# (solid / double / dashed), so it survives greyscale printing and printers that drop backgrounds.
_CSS = """
@page { size: A4; margin: 15mm; }
* { box-sizing: border-box; }
html { color: #1a1a1a; background: #fff; }
body { font: 15px/1.5 "Liberation Sans", Arial, Helvetica, sans-serif; max-width: 60rem;
  margin: 0 auto; padding: 0 1.5rem 2rem; }
h1 { font-size: 1.6rem; margin: 1.2rem 0 .3rem; }
h2 { font-size: 1.25rem; margin: 2rem 0 .6rem; padding-bottom: .2rem;
  border-bottom: 2px solid #333; }
h3 { font-size: 1.1rem; margin: 0; }
h4 { font-size: .95rem; margin: .9rem 0 .3rem; }
code { font: .9em "Liberation Mono", Consolas, monospace; }
.banner { margin: 0 -1.5rem; padding: .8rem 1.5rem; border: 3px solid #000; background: #fff3cd;
  font-size: 1.05rem; }
.banner strong { font-size: 1.25rem; letter-spacing: .04em; margin-right: .4rem; }
.sub { color: #444; margin: 0 0 1rem; }
dl.kv { display: grid; grid-template-columns: max-content 1fr; gap: .15rem 1rem; margin: .4rem 0; }
dl.kv dt { font-weight: bold; }
dl.kv dd { margin: 0; }
.rationale, .context-note { border: 1px solid #888; border-radius: 6px; padding: .9rem 1.1rem;
  margin: 0 0 1rem; break-inside: avoid; page-break-inside: avoid; }
.rationale > header { display: flex; justify-content: space-between; align-items: start;
  gap: 1rem; }
.meta { color: #444; font-size: .9rem; margin: .2rem 0 .5rem; }
.ruo { font-weight: bold; }
.badge { display: inline-block; padding: .05rem .5rem; border: 2px solid #000; border-radius: 4px;
  font-size: .8rem; font-weight: bold; white-space: nowrap; text-transform: uppercase; }
.badge.supports { border-style: solid; background: #d9f2dd; color: #0b4d17; }
.badge.does_not_support { border-style: double; border-width: 4px; background: #f8d7da;
  color: #6b0f17; }
.badge.caution { border-style: dashed; background: #fff0c2; color: #5c4200; }
.nowrap { white-space: nowrap; }
.tag { display: inline-block; padding: 0 .35rem; border: 1px dotted #000; font-size: .75rem;
  font-weight: bold; text-transform: uppercase; }
ul.findings { padding-left: 1.1rem; }
ul.findings li { margin-bottom: .35rem; }
.cites { color: #444; font-size: .88rem; }
.caution-note { border-left: 4px solid #999; padding: .2rem .7rem; margin: .4rem 0; }
.caution-note.heightened { border-left: 6px double #000; background: #fff0c2; }
.heightened-why { font-weight: bold; }
/* Separate borders drawn right/bottom per cell: collapsed borders straddle the table's edge and
   get clipped by the printed page's margin. */
table { border-collapse: separate; border-spacing: 0; width: 100%; font-size: .85rem;
  margin: .4rem 0 1rem; border-top: 1px solid #888; border-left: 1px solid #888; }
th, td { border-right: 1px solid #888; border-bottom: 1px solid #888; padding: .3rem .45rem;
  text-align: left; vertical-align: top; }
thead th { background: #eee; border-bottom: 2px solid #333; }
tr { break-inside: avoid; page-break-inside: avoid; }
.conclusion blockquote { margin: 0; padding: .5rem 1rem; border-left: 4px solid #333; }
.disclaimer { margin-top: 2rem; padding: .8rem 1rem; border: 2px solid #000; font-weight: bold; }
.disclaimer p { margin: 0; }
@media print {
  body { font-size: 10.5pt; max-width: none; padding: 0; }
  .banner { margin: 0; }
  .banner, .badge, .caution-note.heightened, thead th { background: none !important;
    color: #000 !important; }
  h2, h3, h4 { break-after: avoid; page-break-after: avoid; }
  table { font-size: 8.5pt; }
  .glance { break-after: page; page-break-after: always; }  /* page 1: who, and what applies */
}
"""


def _e(text: object) -> str:
    return escape(str(text), quote=True)


def _badge(direction: Direction) -> str:
    return f'<span class="badge {direction}">{DIRECTION_WORDS[direction]}</span>'


def _cites(citations: Iterable[Citation]) -> str:
    """Citations as plain text (a doi shown, never linked: the page makes no network reference)."""
    parts = []
    for c in citations:
        doi = f" doi:{_e(c.doi)}" if c.doi else ""
        mark = ' <span class="tag post-review">post-review</span>' if c.post_review else ""
        parts.append(f"{_e(c.citation)}{doi}{mark}")
    return "; ".join(parts)


def _findings(findings: Iterable[FindingSummary]) -> list[str]:
    items = []
    for f in findings:
        mark = '<span class="tag post-review">post-review</span> ' if f.post_review else ""
        items.append(f"<li>{_badge(f.direction)} {mark}{_e(f.statement)} "
                     f'<span class="cites">({_cites(f.citations)})</span></li>')
    return ['<ul class="findings">', *items, "</ul>"] if items else []


def _caution(c: CautionNote) -> str:
    extra = ""
    if c.heightened:
        extra = (f'<p class="heightened-why">Heightened for this patient '
                 f'({_e("; ".join(c.heightened_because))}): {_e(c.heightened_text)}</p>')
    cls = "caution-note heightened" if c.heightened else "caution-note"
    return (f'<div class="{cls}"><p><strong>{_e(c.title)}</strong> <code>{_e(c.id)}</code>. '
            f'{_e(c.text)} <span class="cites">({_cites(c.citations)})</span></p>{extra}</div>')


def _because(because: Iterable[str]) -> str:
    return "<h4>Applies because</h4><ul>" + "".join(f"<li>{_e(b)}</li>" for b in because) + "</ul>"


def _dl(rows: Iterable[tuple[str, str]]) -> list[str]:
    """A definition list of already-escaped (term, HTML) pairs; empty values are left out."""
    return ['<dl class="kv">', *(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in rows if v), "</dl>"]


def _section(cls: str, heading: str) -> str:
    return f'<section class="{cls}"><h2>{heading}</h2>'


def _rationale(r: Rationale) -> list[str]:
    e = r.evidence
    escat = f", ESCAT {_e(e.escat)}" if e.escat else ""
    post = ' <span class="tag post-review">post-review</span>' if e.post_review else ""
    grade = f"evidence level {_e(e.level)} ({_e(e.kind.replace('_', ' '))}{escat}){post}"
    agents = ", ".join(f"{_e(a.name)} ({_e(a.class_label)})" for a in r.agents)
    out = [f'<section class="rationale" id="{_e(r.id)}">',
           f"<header><h3>{_e(r.title)}</h3>{_badge(e.direction)}</header>",
           (f'<p class="meta"><code>{_e(r.id)}</code> &middot; {grade} &middot; '
            f"direction: {DIRECTION_WORDS[e.direction]}</p>"),
           f'<p><span class="ruo">Research use only.</span> {_e(r.summary)}</p>',
           *_dl([("Strategy", _e(strategy_words(r))), ("Agents", agents or "none named"),
                 ("Evidence", _e(e.statement))]),
           _because(r.because)]
    if r.findings:
        out += ["<h4>Findings</h4>", *_findings(r.findings)]
    if r.cautions:
        out += ["<h4>Cautions</h4>", *(_caution(c) for c in r.cautions)]
    trials = "<br>".join(f"<code>{_e(t.nct_id)}</code>{f' ({_e(t.acronym)})' if t.acronym else ''}: "
                         f"{_e(t.status_words)}" for t in r.trial_status)
    out += _dl([("Whom the evidence comes from", _e(r.evidence_population)),
                ("Trials behind the evidence", trials),
                ("Knowingly conflicts with", ", ".join(_e(c) for c in r.conflicts_with)),
                ("Citations", _cites(r.citations))])
    return [*out, "</section>"]


def _context_note(note: ContextNote) -> list[str]:
    return [f'<article class="context-note" id="{_e(note.id)}">',
            f"<h3>{_e(note.title)}</h3>",
            f'<p class="meta"><code>{_e(note.id)}</code> &middot; not a treatment rationale</p>',
            f"<p>{_e(note.summary)}</p>",
            _because(note.because),
            *_findings(note.findings),
            f'<p class="cites">Citations: {_cites(note.citations)}</p>',
            "</article>"]


def _summary(report: Report) -> list[str]:
    kb = report.knowledge_base
    rows = [("Case", _e(report.case_id or "(no case_id)")),
            ("Knowledge base",
             f"{_e(kb.name)} {_e(kb.version)} (sha256 <code>{_e(kb.sha256[:12])}</code>)"),
            ("Engine", f"igfrules {_e(report.engine_version)}")]
    rows += [(_e(name), _e(words)) for name, words in profile_items(report)]
    if not report.profile.keys() - {"case_id"}:
        rows.append(("Profile", "no field known"))
    return [_section("summary", "Patient summary"), *_dl(rows), "</section>"]


_TRIAL_COLUMNS = ("NCT", "Acronym", "Title", "Regimen", "Phase", "Primary outcome",
                  "Status per the review, and since")


def _glance(report: Report) -> list[str]:
    """One table a tumour board reads first: each rationale's grade and direction, and the counts."""
    out = [_section("glance", "At a glance")]
    if report.rationales:
        out.append('<table class="glance-table"><thead><tr><th>Candidate research rationale</th>'
                   "<th>Evidence</th><th>Direction</th><th>Heightened cautions</th></tr></thead><tbody>")
        for r in report.rationales:
            post = ' <span class="tag post-review">post-review</span>' if r.evidence.post_review else ""
            heightened = ", ".join(_e(c.title) for c in r.cautions if c.heightened) or "none"
            out.append(f'<tr><td>{_e(r.title)} <code>{_e(r.id)}</code></td>'
                       f"<td>level {_e(r.evidence.level)}{post}</td><td>{_badge(r.evidence.direction)}</td>"
                       f"<td>{heightened}</td></tr>")
        out.append("</tbody></table>")
    else:
        out.append(f"<p>{_NO_RATIONALE}</p>")
    missing = sorted({f for n in report.needs_information for f in n.missing})
    out.append(f"<p>{len(report.trials)} trial(s) whose population this patient fits; "
               f"{len(report.context)} context note(s); {len(report.warnings)} warning(s). "
               f"Information that would change the answer: {_e(', '.join(missing)) or 'none'}.</p>")
    return [*out, "</section>"]


def _trials(report: Report) -> list[str]:
    heading = f"{TRIALS_HEADING} ({len(report.trials)})"
    out = [_section("trials-section", heading), f'<p class="sub">{_e(TRIALS_NOTE)}</p>']
    if not report.trials:
        return [*out, "<p>None.</p></section>"]
    out.append('<table class="trials"><thead><tr>'
               + "".join(f"<th>{c}</th>" for c in _TRIAL_COLUMNS) + "</tr></thead><tbody>")
    for t in report.trials:
        status = _e(t.status_words)
        cells = (f"<code>{_e(t.nct_id)}</code>", _e(t.acronym), _e(t.title), _e(t.regimen),
                 _e(t.phase), _e(t.primary_outcome), status)
        out.append(f'<tr id="trial-{_e(t.nct_id)}">' + "".join(f"<td>{c}</td>" for c in cells)
                   + "</tr>")
    out.append("</tbody></table>")
    out.append("<h3>Whom these trials enrolled, and their results</h3>")
    for t in report.trials:  # whom each enrolled: what a case cannot record is said here
        out += [f"<h4><code>{_e(t.nct_id)}</code></h4>", f'<p class="enrolled">{_e(t.population)}</p>',
                *_findings(t.results)]
    return [*out, "</section>"]


def _needs(report: Report) -> list[str]:
    heading = f"Information that would change the answer ({len(report.needs_information)})"
    out = [_section("needs-information", heading)]
    if not report.needs_information:
        return [*out, "<p>None.</p></section>"]
    out.append('<table class="needs"><thead><tr><th>Kind</th><th>Id</th><th>Title</th>'
               "<th>Missing fields</th></tr></thead><tbody>")
    for n in report.needs_information:
        missing = ", ".join(f"<code>{_e(m)}</code>" for m in n.missing)
        out.append(f"<tr><td>{_e(n.kind)}</td><td><code>{_e(n.rule_id)}</code></td>"
                   f"<td>{_e(n.title)}</td><td>{missing}</td></tr>")
    return [*out, "</tbody></table></section>"]


def render_html(report: Report) -> str:
    head, _, tail = BANNER.partition(" - ")
    case = _e(report.case_id or "(no case_id)")
    out = ["<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
           '<meta name="viewport" content="width=device-width, initial-scale=1">',
           f"<title>igfrules report: {case} (research use only)</title>",
           f"<style>{_CSS}</style>", "</head>", "<body>",
           f'<header class="banner" role="note"><strong>{_e(head)}</strong> - {_e(tail)}</header>',
           f"<h1>igfrules report: {case}</h1>",
           f'<p class="sub">{_SUBTITLE}</p>',
           "<main>", *_summary(report), *_glance(report),
           _section("rationales", f"Candidate research rationales ({len(report.rationales)})")]
    if not report.rationales:
        out.append(f"<p>{_NO_RATIONALE}</p>")
    for r in report.rationales:
        out += _rationale(r)
    out.append("</section>")
    if report.context:
        heading = f"Context: not treatment rationales ({len(report.context)})"
        out.append(_section("context", heading))
        for note in report.context:
            out += _context_note(note)
        out.append("</section>")
    out += _trials(report)
    out += _needs(report)
    if report.warnings:
        out += [_section("warnings", f"Warnings ({len(report.warnings)})"), "<ul>",
                *(f"<li>{_e(w)}</li>" for w in report.warnings), "</ul></section>"]
    out += [_section("conclusion", "The review's conclusion"),
            f"<blockquote>{_e(report.conclusion)}</blockquote></section>", "</main>",
            f'<footer class="disclaimer"><p>{_e(report.disclaimer)}</p></footer>',
            "</body>", "</html>"]
    return "\n".join(out) + "\n"
