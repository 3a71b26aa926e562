"""The tumour-board brief: what was shown, in the order a board reads it.

1. RESEARCH USE ONLY  2. the verdict: what was shown, negative first, a count per kind of evidence
3. warnings about the profile  4. the rationales grouped by what their evidence shows (tested in
breast cancer; clinical data from other tumours only; preclinical or mechanism only), those
specific to the patient's subtype first, each with its level, direction, badges, why it applies
and whom the evidence comes from, in full, and any heightened caution in full with its reason
5. the studies that would have enrolled her, all closed, status today first  6. what would change
the answer: missing fields only, by label, with the entries they decide  7. what this knowledge
base does not consider  8. a glossary of the abbreviations used  9. the disclaimer.

The rows are computed once here (`glance_groups`, `trial_rows`, `missing_rows`,
`not_considered_rows`) and drawn by the text, Markdown and HTML renderers and the CDS cards, so
they cannot disagree. Nothing a board weighs is cut with an ellipsis: only titles may be
shortened, and the full title is one `--detail full` away.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable

from ..model.report import Report
from .brief_rows import (
    CLOSED,
    GLANCE_HEADING,
    GLOSSARY,
    HARM,
    MISSING_HEADING,
    NO_RATIONALE,
    NOT_CONSIDERED_HEADING,
    OTHER_TUMOURS,
    RESEARCH_MEASUREMENT,
    TRIALS_HEADING,
    TRIALS_NOTE,
    WIDTH,
    GlanceGroup,
    GlanceRow,
    Heightened,
    MissingRow,
    NotConsideredRow,
    TrialRow,
    all_closed,
    footer_line,
    glance_groups,
    glance_row,
    glance_rows,
    glossary_line,
    kb_line,
    legend_line,
    missing_rows,
    not_considered_rows,
    profile_line,
    reported_status,
    since_words,
    today_words,
    trial_rows,
)
from .labels import BANNER, clip, humanize, markdown_literal

__all__ = [  # the rows are re-exported: renderers and the CDS cards import them from here
    "CLOSED",
    "GLANCE_HEADING",
    "GLANCE_MARKDOWN_HEADER",
    "GLOSSARY",
    "HARM",
    "MISSING_HEADING",
    "NOT_CONSIDERED_HEADING",
    "NO_RATIONALE",
    "OTHER_TUMOURS",
    "RESEARCH_MEASUREMENT",
    "TRIALS_HEADING",
    "TRIALS_MARKDOWN_HEADER",
    "TRIALS_NOTE",
    "WIDTH",
    "GlanceGroup",
    "GlanceRow",
    "Heightened",
    "MissingRow",
    "NotConsideredRow",
    "TrialRow",
    "all_closed",
    "brief_markdown_lines",
    "brief_text_lines",
    "disclaimer_text_lines",
    "footer_line",
    "glance_groups",
    "glance_row",
    "glance_row_markdown",
    "glance_rows",
    "glossary_line",
    "heightened_markdown",
    "kb_line",
    "legend_line",
    "markdown_disclaimer",
    "missing_rows",
    "not_considered_rows",
    "profile_line",
    "render_brief_markdown",
    "render_brief_text",
    "reported_status",
    "since_words",
    "today_words",
    "trial_row_markdown",
    "trial_rows",
    "wrapper",
]


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


def _row_head(row: GlanceRow) -> str:
    badges = "".join(f" | {b}" for b in row.badges)
    return f"{row.level} | {row.direction}{badges}"


def brief_text_lines(report: Report) -> list[str]:
    out: list[str] = []
    line = wrapper(out)
    line(BANNER)
    line(f"Case {report.case_id or '(no case id)'}: {profile_line(report)}. {kb_line(report)}.")
    line()
    line(f"VERDICT: {report.verdict}")
    if report.warnings:
        line()
        line(f"WARNINGS ABOUT THE PROFILE ({len(report.warnings)})")
        for w in report.warnings:
            line(f"- {humanize(w)}")
    line()
    line(f"{GLANCE_HEADING.upper()} ({len(report.rationales)} research rationales; none is a recommendation)")
    if not report.rationales:
        line(NO_RATIONALE, 2)
    number = 0
    # Said once, then pointed to: a heightened caution in full under the first row it concerns, and
    # the same reasons for the same evidence population.
    shown: dict[str, int] = {}
    reasons_of: dict[tuple[str, ...], int] = {}
    for group in glance_groups(report):
        line(f"{group.heading} ({len(group.rows)})", 0)
        for row in group.rows:
            number += 1
            out.append(clip(f"{number:>2}. {row.title}", WIDTH - len(row.id) - 3) + f" [{row.id}]")
            same = reasons_of.setdefault(row.why, number)
            why = "; ".join(row.why) if same == number else f"as row {same}"
            from_whom = f" Evidence from: {row.evidence_from}" if row.evidence_from else ""
            line(f"{_row_head(row)}. Why: {why}.{from_whom}", 4, 0)
            for h in row.heightened:
                if h.title in shown:
                    line(f"HEIGHTENED CAUTION as under row {shown[h.title]}: {h.because}", 4)
                    continue
                shown[h.title] = number
                line(f"HEIGHTENED CAUTION: {h.title}. {h.text}".rstrip(". ") + ".", 4, 0)
                line(h.because, 6, 0)
    line()
    closed = ": all closed" if report.trials and all_closed(report) else ""
    line(f"{TRIALS_HEADING.upper()} ({len(report.trials)}){closed}; not a referral", 0, 0)
    if not report.trials:
        line("None.", 2)
    for t in trial_rows(report):
        acronym = f" {t.acronym}" if t.acronym else ""
        design = t.design if t.design.casefold().startswith("phase") else f"phase {t.phase}, {t.design}"
        line(f"- {t.nct_id}{acronym}: today {t.today}; {t.reported}; outcome: {t.outcome}. "
             f"{design[:1].upper()}{design[1:]}.", 0, 2)
    _missing_text(report, line)
    rows = not_considered_rows(report)
    if rows:
        line(f"{NOT_CONSIDERED_HEADING.upper()} ({len(rows)})")
        for n in rows:
            line(f"- {n.name}: {n.words}", 0, 4)
    # Every row spells its level out ("A*: randomised trial"): the text keeps only the star's meaning.
    line(f"* post-review. {glossary_line(chr(10).join(out))} {footer_line(report)}")
    line()
    return out


def _missing_text(report: Report, line: Callable[..., None]) -> None:
    rows = missing_rows(report)
    if not rows:
        line(f"{MISSING_HEADING.upper()}: nothing missing would change it.")
        return
    line(f"{MISSING_HEADING.upper()}: {len(report.needs_information)} entries and studies need one of these")
    for m in rows:
        note = f" ({m.note})" if m.note else ""
        line(f"- {m.field}{note}: {'; '.join(m.affects)}", 0, 4)


def disclaimer_text_lines(report: Report) -> list[str]:
    out: list[str] = []
    wrapper(out)(report.disclaimer)
    return out


def render_brief_text(report: Report) -> str:
    return "\n".join([*brief_text_lines(report), *disclaimer_text_lines(report)]) + "\n"


# -- Markdown: ready for a meeting document: titles, separated sentences, no CLI in the body -----

def _cell(text: str) -> str:
    """A table cell: a pipe would end it, a newline would end the row."""
    return " ".join(text.split()).replace("|", "/")


def _sentence(text: str) -> str:
    text = " ".join(text.split())
    return text if not text or text.endswith((".", "?", "!", ")")) else text + "."


def glance_row_markdown(row: GlanceRow) -> str:
    """One rationale as one Markdown table row (| rationale | level | direction | why it applies |),
    everything in full; a heightened caution follows the row as its own paragraph."""
    badges = "".join(f" / **{b}**" for b in row.badges)
    narrower = f" Whom the evidence comes from: {_sentence(row.evidence_from)}" if row.evidence_from else ""
    return (f"| {_cell(row.title)} | {_cell(row.level)} | {_cell(row.direction)}{badges} | "
            f"{_cell(_sentence('; '.join(row.why)) + narrower)} |")


def heightened_markdown(row: GlanceRow) -> list[str]:
    return [f"> **Heightened caution ({_cell(row.title)}):** {_sentence(h.title)} {_sentence(h.text)}  \n"
            f"> *{_sentence(h.because[:1].upper() + h.because[1:])}*" for h in row.heightened]


GLANCE_MARKDOWN_HEADER = ("| Rationale | Evidence level | Direction | Why it applies |\n"
                          "|---|---|---|---|")


def trial_row_markdown(t: TrialRow) -> str:
    name = f"{t.nct_id} {t.acronym}".strip()
    return (f"| [{name}](https://clinicaltrials.gov/study/{t.nct_id}) | {_cell(t.today)} | {_cell(t.outcome)} | "
            f"{_cell(f'phase {t.phase}, {t.design}')} | {_cell(t.reported)} |")


TRIALS_MARKDOWN_HEADER = ("| Study | Status today | Outcome | Design | Status the review reported |\n"
                          "|---|---|---|---|---|")


def brief_markdown_lines(report: Report) -> list[str]:
    out = [f"> **{BANNER}**", "", f"# Tumour-board brief: {markdown_literal(report.case_id or '(no case id)')}", "",
           f"**Verdict:** {report.verdict}", ""]
    if report.warnings:
        out += [f"**Warnings about the profile ({len(report.warnings)}):**", ""]
        out += [f"- {_sentence(humanize(w))}" for w in report.warnings] + [""]
    out += [f"**Profile:** {profile_line(report)}", "", f"*{kb_line(report)}*", ""]
    out += [f"## {GLANCE_HEADING} ({len(report.rationales)} research rationales; none is a recommendation)", ""]
    if not report.rationales:
        out += [NO_RATIONALE, ""]
    for group in glance_groups(report):
        out += [f"### {group.heading} ({len(group.rows)})", "", GLANCE_MARKDOWN_HEADER]
        for row in group.rows:
            out.append(glance_row_markdown(row))
        out.append("")
        for row in group.rows:
            if row.heightened:
                out += [*heightened_markdown(row), ""]
    out += [legend_line(), ""]
    closed = ": all closed" if report.trials and all_closed(report) else ""
    out += [f"## {TRIALS_HEADING} ({len(report.trials)}){closed}", "", f"*{_sentence(TRIALS_NOTE.capitalize())}*", ""]
    if report.trials:
        out += [TRIALS_MARKDOWN_HEADER, *(trial_row_markdown(t) for t in trial_rows(report)), ""]
    else:
        out += ["None.", ""]
    count = len(report.needs_information)
    out += [f"## {MISSING_HEADING}" + (f" ({count} entries and studies need information)" if count else ""), ""]
    for m in missing_rows(report):
        note = f" ({m.note})" if m.note else ""
        out += textwrap.wrap(f"- **{m.field}**{note}: {'; '.join(m.affects)}", WIDTH, subsequent_indent="  ",
                             break_long_words=False, break_on_hyphens=False)
    if not report.needs_information:
        out.append("Nothing missing would change it.")
    rows = not_considered_rows(report)
    if rows:
        out += ["", f"## {NOT_CONSIDERED_HEADING} ({len(rows)})", ""]
        out += [f"- **{n.name}:** {_sentence(n.words)}" for n in rows]
    out += ["", glossary_line("\n".join(out)), ""]
    return out


def render_brief_markdown(report: Report) -> str:
    """The brief as Markdown for a meeting document, banner first and disclaimer last."""
    return "\n".join([*brief_markdown_lines(report), *markdown_disclaimer(report)]) + "\n"


def markdown_disclaimer(report: Report) -> list[str]:
    """The disclaimer that closes every Markdown rendering, as one emphasised paragraph, then the one
    footer line that names the command for the full evidence."""
    return ["---", "", *textwrap.wrap(f"*{report.disclaimer}*", WIDTH, break_long_words=False,
                                      break_on_hyphens=False), "", f"<sub>{footer_line(report)}</sub>"]
