"""The tumour-board brief: the answer on one page, in the order a board reads it.

1. RESEARCH USE ONLY  2. the verdict  3. warnings about the profile  4. at a glance: each
rationale's level (in words), direction (in words that cannot read as a recommendation), why it
applies in one line and its heightened cautions  5. the trials the patient fits, one row each
6. what would change the answer, field by field  7. the disclaimer.

The rows are computed once here (`glance_rows`, `trial_rows`, `missing_rows`) and drawn by the
text, Markdown and HTML renderers, so the three formats cannot disagree. `render_brief_markdown`
and `glance_row_markdown` are what a CDS card reuses.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from typing import NamedTuple

from ..model.report import Rationale, Report, TrialMatch
from .labels import (
    BANNER,
    LEGEND_NOTE,
    clip,
    direction_class,
    direction_words,
    field_label,
    humanize,
    legend_items,
    level_words,
    markdown_literal,
    profile_items,
    reasons,
)

WIDTH = 100
GLANCE_HEADING = "At a glance: research rationales (evidence summaries), strongest evidence first"
TRIALS_HEADING = "Trials from or bearing on the review whose population this patient fits"
TRIALS_NOTE = "status the review reported (date); today (record's date); outcome since; not a referral"
MISSING_HEADING = "What would change the answer"
NO_RATIONALE = "None of the review's rationales applies to this profile with what is known."


# Rows are NamedTuples, not dataclasses: immutable records all the same, and creating a frozen
# dataclass at import (it compiles its methods) costs `igfrules evaluate` several times more.
class GlanceRow(NamedTuple):
    id: str
    title: str
    level: str  # "D: preclinical"
    direction: str  # "hypothesis (preclinical)"
    significance: str  # the class of the direction: hypothesis, negative, caution, ...
    why: tuple[str, ...]  # the reasons it applies, with human labels
    heightened: str  # heightened caution titles, or ""
    evidence_from: str = ""  # whom the clinical results come from, when narrower than why it applies


class TrialRow(NamedTuple):
    nct_id: str
    acronym: str
    phase: str
    design: str
    status: str  # as the review reported it, with its date
    since: str  # the outcome published since, with its sources, or "none recorded"
    today: str = ""  # the status today, with the date of the record it comes from


class MissingRow(NamedTuple):
    field: str  # the human label
    affects: tuple[str, ...]  # entry and trial ids this field would decide


def glance_row(r: Rationale) -> GlanceRow:
    heightened = "; ".join(clip(c.title, 70) for c in r.cautions if c.heightened)
    return GlanceRow(r.id, r.title, level_words(r.evidence), direction_words(r.evidence),
                     direction_class(r.evidence), tuple(humanize(b) for b in r.because), heightened,
                     _narrower_population(r.evidence_population))


def _narrower_population(text: str) -> str:
    """Whom the evidence comes from, without a lead-in such as 'The results come from ...:'."""
    text = " ".join(text.split())
    lead, colon, rest = text.partition(": ")
    return rest[:1].upper() + rest[1:] if colon and len(lead) < 120 else text


def glance_rows(report: Report) -> list[GlanceRow]:
    return [glance_row(r) for r in report.rationales]


def reported_status(t: TrialMatch) -> str:
    """The status the review reported, with its date (or where it comes from, outside Table 1)."""
    if t.in_review_table:
        return f"{clip(t.status, 40)} ({t.status_as_of})"
    return f"not in Table 1; {clip(t.status, 40)} ({t.status_as_of})"


def since_words(t: TrialMatch) -> str:
    """The outcome published since the review, with its sources, or 'none recorded'."""
    if t.since is None:
        return "none recorded"
    return f"{clip(t.since.statement, 60)} ({'; '.join(c.citation for c in t.since.citations)})"


def trial_rows(report: Report) -> list[TrialRow]:
    return [TrialRow(t.nct_id, t.acronym, t.phase, clip(t.design, 36), reported_status(t), since_words(t),
                     today_status(t))
            for t in report.trials]


def today_status(t: TrialMatch) -> str:
    """The status today with the date of its record ("not verified" when the sources give none)."""
    if t.status_today is None:
        return ""
    today = t.status_today
    status = today.status.split(",")[0].split(";")[0].strip()  # "completed", "closed (not recruiting)"
    dated = today.as_of.removesuffix(" (year only)") if today.verified else "date not verified"
    return f"{clip(status, 40)} ({dated})"


def missing_rows(report: Report) -> list[MissingRow]:
    """Each missing field once, with the entries and trials it would decide (kind order kept)."""
    affects: dict[str, list[str]] = {}
    for n in report.needs_information:
        for name in n.missing:
            affects.setdefault(name, []).append(n.rule_id)
    return [MissingRow(field_label(name), tuple(ids)) for name, ids in affects.items()]


def profile_line(report: Report) -> str:
    return "; ".join(f"{label}: {words}" for label, words in profile_items(report)) or "no field known"


def legend_line() -> str:
    levels = "; ".join(f"{level} {meaning}" for level, meaning in legend_items())
    return f"Levels: {levels}; {LEGEND_NOTE}"


def kb_line(report: Report) -> str:
    kb = report.knowledge_base
    return (f"igfrules {report.engine_version}; knowledge base {kb.name} {kb.version} "
            f"(sha256 {kb.sha256[:12]})")


def context_line(report: Report) -> str:
    count = len(report.context)
    return (f"Full evidence, {count} context note{'s' if count != 1 else ''}: --detail full; "
            "one entry: igfrules explain ID CASE.")


# -- text ----------------------------------------------------------------------------------------

def wrapper(out: list[str]) -> Callable[..., None]:
    """A `line(text, indent, hang)` that wraps at WIDTH into `out` (an empty text adds a blank)."""

    def line(text: str = "", indent: int = 0, hang: int = 2) -> None:
        if not text:
            out.append("")
            return
        pad = " " * indent
        out.extend(textwrap.wrap(text, WIDTH, initial_indent=pad, subsequent_indent=pad + " " * hang,
                                 break_long_words=False, break_on_hyphens=False))

    return line


def brief_text_lines(report: Report) -> list[str]:
    out: list[str] = []
    line = wrapper(out)
    line(BANNER)
    line(f"Case {report.case_id or '(no case id)'}: {profile_line(report)}")
    line(kb_line(report))
    line()
    line(f"VERDICT: {report.verdict}")
    if report.warnings:
        line()
        line(f"WARNINGS ABOUT THE PROFILE ({len(report.warnings)})")
        for w in report.warnings:
            line(f"- {humanize(w)}")
    line()
    line(f"{GLANCE_HEADING.upper()} ({len(report.rationales)})")
    if not report.rationales:
        line(NO_RATIONALE, 2)
    for i, row in enumerate(glance_rows(report), 1):
        # Two lines a rationale (three with a heightened caution), each at most WIDTH wide.
        out.append(clip(f"{i:>2}. {row.title}", WIDTH - len(row.id) - 3) + f" [{row.id}]")
        head = f"    {row.level} | {row.direction} | why: "
        out.append(head + reasons(list(row.why), WIDTH - len(head)))
        if row.evidence_from:
            out.append(clip(f"    Whom the evidence comes from: {row.evidence_from}", WIDTH))
        if row.heightened:
            out.append(clip(f"    HEIGHTENED caution: {row.heightened}", WIDTH))
    line(legend_line())
    line()
    line(f"{TRIALS_HEADING.upper()} ({len(report.trials)}): {TRIALS_NOTE}", 0, 0)
    if not report.trials:
        line("None.", 2)
    for t in trial_rows(report):
        acronym = f" {t.acronym}" if t.acronym else ""
        today = f"; today {t.today}" if t.today else ""
        line(f"- {t.nct_id}{acronym}, phase {t.phase}: {t.status}{today}; outcome: {t.since}", 0, 4)
    line()
    if report.needs_information:
        line(f"{MISSING_HEADING.upper()}: {len(report.needs_information)} entries and trials need "
             "one of these fields")
    else:
        line(f"{MISSING_HEADING.upper()}: nothing missing would change it.")
    for m in missing_rows(report):
        line(f"- {m.field}: {', '.join(m.affects)}", 0, 4)
    line(context_line(report))
    line()
    return out


def disclaimer_text_lines(report: Report) -> list[str]:
    out: list[str] = []
    wrapper(out)(report.disclaimer)
    return out


def render_brief_text(report: Report) -> str:
    return "\n".join([*brief_text_lines(report), *disclaimer_text_lines(report)]) + "\n"


# -- Markdown: paste-ready, nothing escaped in prose, no line over 400 characters ---------------

def _cell(text: str) -> str:
    """A table cell: a pipe would end it, a newline would end the row."""
    return " ".join(text.split()).replace("|", "/")


MARKDOWN_LINE = 400  # a paste-ready line: chat tools and EHR text boxes break longer ones


def glance_row_markdown(row: GlanceRow) -> str:
    """One rationale as one Markdown table row (| rationale | level | direction | why | cautions |).

    The row stays within MARKDOWN_LINE characters: the reasons shorten first ("+2 more"), then the
    title; the full text is in the card (--detail full)."""

    narrower = f" Whom the evidence comes from: {clip(row.evidence_from, 100)}" if row.evidence_from else ""

    def draw(title: str, why: str) -> str:
        return (f"| {_cell(title)} (`{row.id}`) | {_cell(row.level)} | {_cell(row.direction)} | "
                f"{_cell(why + narrower)} | {_cell(row.heightened) or 'none'} |")

    why = "; ".join(row.why)
    line = draw(row.title, why)
    if len(line) > MARKDOWN_LINE:
        why = reasons(list(row.why), max(40, len(why) - (len(line) - MARKDOWN_LINE)))
        line = draw(row.title, why)
    if len(line) > MARKDOWN_LINE:
        line = draw(clip(row.title, len(row.title) - (len(line) - MARKDOWN_LINE)), why)
    return line


GLANCE_MARKDOWN_HEADER = ("| Rationale | Evidence level | Direction | Why it applies | Heightened cautions |\n"
                          "|---|---|---|---|---|")


def trial_row_markdown(t: TrialRow) -> str:
    name = f"{t.nct_id} {t.acronym}".strip()
    return (f"| [{name}](https://clinicaltrials.gov/study/{t.nct_id}) | {_cell(t.phase)} | {_cell(t.design)} | "
            f"{_cell(t.status)} | {_cell(t.today)} | {_cell(t.since)} |")


def brief_markdown_lines(report: Report) -> list[str]:
    out = [f"> **{BANNER}**", "", f"# Tumour-board brief: {markdown_literal(report.case_id or '(no case id)')}", "",
           f"**Verdict:** {report.verdict}", ""]
    if report.warnings:
        out += [f"**Warnings about the profile ({len(report.warnings)}):**", ""]
        out += [f"- {humanize(w)}" for w in report.warnings] + [""]
    out += [f"**Profile:** {profile_line(report)}", "", f"*{kb_line(report)}*", ""]
    out += [f"## {GLANCE_HEADING} ({len(report.rationales)})", ""]
    if report.rationales:
        out += [GLANCE_MARKDOWN_HEADER, *(glance_row_markdown(r) for r in glance_rows(report)), ""]
    else:
        out += [NO_RATIONALE, ""]
    out += [legend_line(), "", f"## {TRIALS_HEADING} ({len(report.trials)})", ""]
    if report.trials:
        out += ["| Trial | Phase | Design | Status the review reported | Status today | "
                "Outcome outside or after the review |",
                "|---|---|---|---|---|---|", *(trial_row_markdown(t) for t in trial_rows(report)), "",
                f"*{TRIALS_NOTE}*", ""]
    else:
        out += ["None.", ""]
    count = len(report.needs_information)
    out += [f"## {MISSING_HEADING}" + (f" ({count} entries and trials need information)" if count else ""), ""]
    for m in missing_rows(report):  # a long list continues on indented lines: one bullet still
        out += textwrap.wrap(f"- **{m.field}:** {', '.join(m.affects)}", WIDTH, subsequent_indent="  ",
                             break_long_words=False, break_on_hyphens=False)
    if not report.needs_information:
        out.append("Nothing missing would change it.")
    out += ["", context_line(report), ""]
    return out


def render_brief_markdown(report: Report) -> str:
    """The brief as paste-ready Markdown, banner first and disclaimer last (what a CDS card shows)."""
    return "\n".join([*brief_markdown_lines(report), *markdown_disclaimer(report)]) + "\n"


def markdown_disclaimer(report: Report) -> list[str]:
    """The disclaimer that closes every Markdown rendering, as one emphasised paragraph."""
    return ["---", "", *textwrap.wrap(f"*{report.disclaimer}*", WIDTH, break_long_words=False,
                                      break_on_hyphens=False)]
