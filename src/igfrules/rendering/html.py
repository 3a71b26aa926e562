"""A self-contained HTML page of a Report: the brief on paper page 1, the evidence a click away.

One document with inline CSS and nothing else: no script, font, image or stylesheet to fetch, so
the page shows the same offline, in an archive or as an e-mail attachment. Links are plain URLs
(DOIs, ClinicalTrials.gov records) that a reader opens; the page itself fetches nothing.

The brief comes first, in the issue's order: banner, verdict, warnings, at a glance, trials, what
would change the answer, and the disclaimer closes the page. Each glance row links to its card.
With `detail="brief"` (the default) the cards are on screen but not printed, so the printed page
is the brief (one A4 page; two at most with 12 or more rationales) and says where the evidence is;
`detail="full"` prints them too. Meaning never rests on colour: every badge carries its own words
and a border style of its own, and nothing is green (no entry has a positive clinical result in
breast cancer). Output is deterministic (no timestamps, no generated ids).
"""

from __future__ import annotations

import html
import re

from ..model.report import Report
from .brief import (
    GLANCE_HEADING,
    MISSING_HEADING,
    NO_RATIONALE,
    NOT_CONSIDERED_HEADING,
    TRIALS_HEADING,
    TRIALS_NOTE,
    all_closed,
    glance_groups,
    glossary_line,
    kb_line,
    missing_rows,
    not_considered_rows,
    profile_line,
    trial_rows,
)
from .html_cards import conclusion_section, e, evidence_sections, link
from .labels import BANNER, LEGEND_NOTE, humanize, legend_items, nct_url
from .since import Since, since_html_lines
from .text import Detail

_CSS = """
@page { size: A4; margin: 9mm 10mm; }
* { box-sizing: border-box; }
html { color: #1a1a1a; background: #fff; }
body { font: 15px/1.45 "Liberation Sans", Arial, Helvetica, sans-serif; max-width: 64rem;
  margin: 0 auto; padding: 0 1.5rem 2rem; }
h1 { font-size: 1.45rem; margin: .8rem 0 .3rem; }
h2 { font-size: 1.15rem; margin: 1.2rem 0 .4rem; padding-bottom: .15rem; border-bottom: 2px solid #333;
  break-after: avoid; page-break-after: avoid; }
h3 { font-size: 1.05rem; margin: 0; break-after: avoid; page-break-after: avoid; }
h4 { font-size: .95rem; margin: .8rem 0 .3rem; break-after: avoid; page-break-after: avoid; }
a { color: #0b3d91; }
code { font: .9em "Liberation Mono", Consolas, monospace; }
.banner { margin: 0 -1.5rem; padding: .6rem 1.5rem; border: 3px solid #000; background: #fff3cd; }
.banner strong { font-size: 1.15rem; letter-spacing: .04em; margin-right: .4rem; }
.verdict { font-size: 1.1rem; font-weight: bold; margin: .3rem 0 .5rem; padding: .4rem .7rem;
  border: 2px solid #000; }
.warnings { border: 2px dashed #000; padding: .2rem .8rem; margin: .5rem 0; background: #fff0c2; }
.warnings ul { margin: .2rem 0; }
.meta, .sub, .legend, .where { color: #333; font-size: .85rem; margin: .2rem 0; }
.ruo { font-weight: bold; }
/* One border style per significance, so badges differ in greyscale too; nothing is green. */
.badge { display: inline-block; padding: 0 .4rem; border: 2px solid #000; border-radius: 3px;
  font-size: .8rem; font-weight: bold; white-space: nowrap; }
.badge.hypothesis { border-style: dashed; background: #ececec; color: #222; }
.badge.other-tumours { border-style: dotted; background: #e3e8f4; color: #1d2c55; }
.badge.caution { border-style: dashed; border-width: 3px; background: #fff0c2; color: #5c4200; }
.badge.negative { border-style: double; border-width: 4px; background: #f8d7da; color: #6b0f17; }
.badge.association { border-style: solid; border-width: 1px; background: #f1f1f1; color: #222; }
.badge.clinical-positive { border-style: solid; border-width: 3px; background: #dbe7fb; color: #0b2e6b; }
.level { font-weight: bold; }
.glance-table th:nth-child(1) { width: 34%; } .glance-table th:nth-child(2) { width: 13%; }
.glance-table th:nth-child(3) { width: 20%; } .glance-table th:nth-child(4) { width: 33%; }
.glance-table tr.from td { border-top: none; padding-top: 0; color: #222; }
.heightened-row td { border-left: 6px double #000; background: #fff0c2; }
.trials th:nth-child(1) { width: 12%; } .trials th:nth-child(2) { width: 22%; }
.trials th:nth-child(3) { width: 33%; } .trials th:nth-child(4) { width: 33%; }
td code { font-size: .85em; color: #333; }
thead { break-after: avoid; page-break-after: avoid; }
.tag { display: inline-block; padding: 0 .3rem; border: 1px dotted #000; font-size: .75rem; font-weight: bold;
  text-transform: uppercase; }
.ftag { font-weight: bold; }
.rationale, .context-note, .trial-card { border: 1px solid #888; border-radius: 6px; padding: .8rem 1rem;
  margin: 0 0 1rem; }
.rationale > header { display: flex; justify-content: space-between; align-items: start; gap: 1rem; }
dl.kv { display: grid; grid-template-columns: max-content 1fr; gap: .1rem 1rem; margin: .4rem 0; }
dl.kv dt { font-weight: bold; }
dl.kv dd { margin: 0; }
ul.findings { padding-left: 1.1rem; }
ul.findings li { margin-bottom: .3rem; }
.cites { color: #444; font-size: .88rem; }
.caution-note { border-left: 4px solid #999; padding: .2rem .7rem; margin: .4rem 0; }
.caution-note.heightened { border-left: 6px double #000; background: #fff0c2; }
.heightened-why { font-weight: bold; }
/* Separate borders drawn right/bottom per cell: collapsed borders straddle the table's edge and
   get clipped by the printed page's margin. */
table { border-collapse: separate; border-spacing: 0; width: 100%; font-size: .85rem; margin: .3rem 0 .4rem;
  border-top: 1px solid #888; border-left: 1px solid #888; }
th, td { border-right: 1px solid #888; border-bottom: 1px solid #888; padding: .2rem .4rem; text-align: left;
  vertical-align: top; }
thead th { background: #eee; border-bottom: 2px solid #333; }
tr { break-inside: avoid; page-break-inside: avoid; }
.missing { margin: .2rem 0; padding-left: 1.2rem; }
.conclusion blockquote { margin: 0; padding: .5rem 1rem; border-left: 4px solid #333; }
.disclaimer { margin-top: 1rem; padding: .5rem .8rem; border: 2px solid #000; font-weight: bold; }
.disclaimer p { margin: 0; }
@media print {
  body { font-size: 9pt; line-height: 1.2; max-width: none; padding: 0; }
  h1 { font-size: 12pt; margin: .3rem 0 .1rem; }
  h2 { font-size: 9.5pt; margin: .4rem 0 .15rem; }
  .banner { margin: 0; padding: .25rem .6rem; }
  .banner strong { font-size: 10pt; }
  .verdict { font-size: 9.5pt; padding: .2rem .5rem; }
  .banner, .badge, .warnings, .caution-note.heightened, thead th { background: none !important;
    color: #000 !important; }
  a { color: #000; text-decoration: none; }
  table { font-size: 9pt; margin: .2rem 0; }
  ul.missing li { margin: 0; }
  p { margin: .25rem 0; }
  .meta, .sub, .legend, .where { font-size: 9pt; }
  .badge, .tag { font-size: 9pt; white-space: nowrap; padding: 0 .2rem; }
  th, td { padding: .1rem .3rem; }
  table, h2 + table { break-before: avoid; page-break-before: avoid; }
  .disclaimer { font-size: 9pt; padding: .3rem .5rem; margin-top: .5rem; break-before: avoid;
    page-break-before: avoid; }
  .brief-tail, .closing { break-inside: avoid; page-break-inside: avoid; }
  .brief-only .closing section.conclusion { display: none; }  /* a card of the evidence, like the others */
  h3.group { font-size: 9.5pt; margin: .3rem 0 .1rem; }
  .brief-only .evidence { display: none; }  /* the brief on paper; the cards stay on screen */
  .evidence { break-before: page; page-break-before: always; }
  .rationale, .context-note, .trial-card { break-inside: auto; }  /* a long card may break */
  .rationale > header, .caution-note, dl.kv { break-inside: avoid; page-break-inside: avoid; }
}
"""


def _glance(report: Report) -> list[str]:
    count = len(report.rationales)
    out = ['<section class="glance">',
           f"<h2>{e(GLANCE_HEADING)} ({count} research rationales; none is a recommendation)</h2>"]
    if not report.rationales:
        return [*out, f"<p>{NO_RATIONALE}</p>", _legend(), "</section>"]
    for group in glance_groups(report):
        out.append(f'<h3 class="group">{e(group.heading)} ({len(group.rows)})</h3>')
        out.append('<table class="glance-table"><thead><tr><th>Research rationale (evidence summary)</th>'
                   "<th>Evidence level</th><th>Direction</th><th>Why it applies</th></tr></thead><tbody>")
        for row in group.rows:
            badges = "".join(f' <span class="tag">{e(b)}</span>' for b in row.badges)
            out.append(f'<tr id="glance-{e(row.id)}"><td>{link("#" + row.id, e(row.title))}</td>'
                       f'<td><span class="level">{e(row.level)}</span></td>'
                       f'<td><span class="badge {row.significance}">{e(row.direction)}</span>{badges}</td>'
                       f"<td>{e('; '.join(row.why))}</td></tr>")
            if row.evidence_from:  # the width of the table: a population is read, not squeezed
                out.append(f'<tr class="from"><td colspan="4"><em>Whom the evidence comes from:</em> '
                           f"{e(row.evidence_from)}</td></tr>")
            for h in row.heightened:
                out.append(f'<tr class="heightened-row"><td colspan="4"><strong>Heightened caution:</strong> '
                           f"{e(h.title)}. {e(h.text)}<br><em>{e(h.because)}</em></td></tr>")
        out.append("</tbody></table>")
    return [*out, _legend(), "</section>"]


def _legend() -> str:
    levels = "; ".join(f"<strong>{level}</strong> {e(meaning)}" for level, meaning in legend_items())
    return f'<p class="legend">Evidence levels: {levels}. {e(LEGEND_NOTE)}</p>'


def _trials(report: Report) -> list[str]:
    closed = ": all closed" if report.trials and all_closed(report) else ""
    out = ['<section class="trials-section">', f"<h2>{e(TRIALS_HEADING)} ({len(report.trials)}){closed}</h2>"]
    if not report.trials:
        return [*out, "<p>None.</p></section>"]
    out.append('<table class="trials"><thead><tr><th>Study</th><th>Status today (the review\'s)</th>'
               "<th>Outcome</th><th>Design</th></tr></thead><tbody>")
    for t in trial_rows(report):
        name = link(nct_url(t.nct_id), e(t.nct_id)) + (f" {e(t.acronym)}" if t.acronym else "")
        design = t.design if t.design.casefold().startswith("phase") else f"phase {t.phase}, {t.design}"
        cells = (name, f"{e(t.today)}<br><small>{e(t.reported)}</small>", e(t.outcome), e(design))
        out.append(f'<tr id="row-{e(t.nct_id)}">' + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    return [*out, "</tbody></table>", f'<p class="sub">{e(TRIALS_NOTE.capitalize())}.</p>', "</section>"]


def _missing(report: Report) -> list[str]:
    count = len(report.needs_information)
    counted = f" ({count} entries and studies need information)" if count else ""
    out = ['<section class="needs-information">', f"<h2>{e(MISSING_HEADING)}{counted}</h2>"]
    rows = missing_rows(report)
    if not rows:
        return [*out, "<p>Nothing missing would change it.</p></section>"]
    out.append('<ul class="missing">')
    out += [f"<li><strong>{e(m.field)}</strong>{f' <em>({e(m.note)})</em>' if m.note else ''}: "
            f"{e('; '.join(m.affects))}</li>" for m in rows]
    return [*out, "</ul></section>"]


def _not_considered(report: Report) -> list[str]:
    rows = not_considered_rows(report)
    if not rows:
        return []
    return ['<section class="not-considered">', f"<h2>{e(NOT_CONSIDERED_HEADING)} ({len(rows)})</h2>",
            '<ul class="missing">', *(f"<li><strong>{e(n.name)}</strong>: {e(n.words)}</li>" for n in rows),
            "</ul></section>"]


def _where(report: Report, detail: Detail) -> str:
    cards = f"{len(report.rationales)} evidence card(s), {len(report.context)} context note(s)"
    where = ("follow below" if detail == "full" else
             "follow on screen (click a rationale); print them with --detail full")
    return f'<p class="where">{cards} and the trials in full {where}.</p>'


def render_html(report: Report, detail: Detail = "brief", since: Since | None = None) -> str:
    head, _, tail = BANNER.partition(" - ")
    brief = [*_glance(report), *_trials(report), '<div class="brief-tail">', *_missing(report),
             *_not_considered(report), *since_html_lines(since)]
    # The glossary names the abbreviations this page's brief shows (its titles are whole, unlike text's).
    top = [report.verdict, *report.warnings, profile_line(report)]
    shown = html.unescape(re.sub(r"<[^>]+>", " ", "\n".join([*top, *brief])))
    case = e(report.case_id or "(no case id)")
    warnings = []
    if report.warnings:
        warnings = ['<section class="warnings" role="alert">',
                    f"<h2>Warnings about the profile ({len(report.warnings)})</h2><ul>",
                    *(f"<li>{e(humanize(w))}</li>" for w in report.warnings), "</ul></section>"]
    out = ["<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
           '<meta name="viewport" content="width=device-width, initial-scale=1">',
           f"<title>igfrules brief: {case} (research use only)</title>",
           f"<style>{_CSS}</style>", "</head>", f'<body class="{"full" if detail == "full" else "brief-only"}">',
           f'<header class="banner" role="note"><strong>{e(head)}</strong> - {e(tail)}</header>',
           "<main>", f"<h1>Tumour-board brief: {case}</h1>",
           f'<p class="verdict">{e(report.verdict)}</p>', *warnings,
           f'<p class="sub"><strong>Profile:</strong> {e(profile_line(report))}</p>',
           f'<p class="meta">{e(kb_line(report))}</p>',
           *brief, f'<p class="legend">{e(glossary_line(shown))}</p>', _where(report, detail), "</div>",
           '<div class="evidence">', *evidence_sections(report), "</div>", "</main>",
           # The conclusion and the disclaimer close the page together: a printed last page never
           # holds the disclaimer alone (the conclusion prints only with the cards).
           '<div class="closing">', conclusion_section(report),
           f'<footer class="disclaimer"><p>{e(report.disclaimer)}</p></footer>', "</div>",
           "</body>", "</html>"]
    return "\n".join(out) + "\n"
