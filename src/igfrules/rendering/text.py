"""Text and Markdown renderings of a Report. Renderers return strings and never print.

Both open with RESEARCH USE ONLY and close with the disclaimer; both show the same content as the
JSON: rationales with evidence, findings (post-review marked), cautions, trials, missing
information and warnings.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterable

from ..report import Citation, FindingSummary, Rationale, Report
from ..vocabulary import vocabulary

BANNER = "RESEARCH USE ONLY - not medical advice; igfrules never recommends a treatment."
TRIALS_HEADING = "Trials from the review whose population this patient fits"
TRIALS_NOTE = ("Statuses are as the review reported them, with their dates; this lists evidence, "
               "not a referral.")
WIDTH = 100

DIRECTION_WORDS = {"supports": "supports", "does_not_support": "does not support", "caution": "caution"}


def _cite(citations: Iterable[Citation]) -> str:
    return "; ".join(c.citation + (" [post-review]" if c.post_review else "") for c in citations)


def _finding(f: FindingSummary) -> str:
    mark = " [post-review]" if f.post_review else ""
    return f"[{DIRECTION_WORDS[f.direction]}]{mark} {f.statement} ({_cite(f.citations)})"


def _kb_line(report: Report) -> str:
    kb = report.knowledge_base
    return (f"igfrules {report.engine_version}; knowledge base {kb.name} {kb.version} "
            f"(sha256 {kb.sha256[:12]})")


def _therapy(item: dict[str, object]) -> str:
    details = [str(item["setting"])] if "setting" in item else []
    if "progressed" in item:
        details.append("progressed" if item["progressed"] else "no progression")
    return f"{item['agent']} ({', '.join(details)})" if details else str(item["agent"])


def profile_items(report: Report) -> list[tuple[str, str]]:
    """The known profile fields as (name, words) pairs, in contract order."""
    items = []
    for name, value in report.profile.items():
        if name == "case_id":
            continue
        if name == "prior_therapies":
            words = "; ".join(_therapy(t) for t in value) or "none"
        elif isinstance(value, bool):
            words = "true" if value else "false"
        elif isinstance(value, float):
            words = f"{value:g}"
        else:
            words = str(value)
        items.append((name, words))
    return items


def _profile_line(report: Report) -> str:
    return "; ".join(f"{name}: {words}" for name, words in profile_items(report)) or "no field known"


def class_label(class_id: str) -> str:
    drug_class = vocabulary().classes.get(class_id)
    return drug_class.label if drug_class else class_id.replace("_", " ")


def strategy_words(r: Rationale) -> str:
    igf = class_label(r.strategy.igf_axis)
    text = f"{igf} with {', '.join(class_label(p) for p in r.strategy.partners)}" if r.strategy.partners \
        else f"{igf} alone"
    return f"{text}; sequence: {r.strategy.sequence}" if r.strategy.sequence else text


# ---------------------------------------------------------------------------------------------


def render_text(report: Report) -> str:
    out: list[str] = []

    def line(text: str = "", indent: int = 0, hang: int = 2) -> None:
        if not text:
            out.append("")
            return
        pad = " " * indent
        out.extend(textwrap.wrap(text, WIDTH, initial_indent=pad, subsequent_indent=pad + " " * hang,
                                 break_long_words=False, break_on_hyphens=False))

    line(BANNER)
    line(_kb_line(report))
    line(f"Case: {report.case_id or '(no case_id)'}")
    line(f"Profile: {_profile_line(report)}")
    line()
    line(f"CANDIDATE RESEARCH RATIONALES ({len(report.rationales)})")
    if not report.rationales:
        line("None of the review's rationales applies to this profile with what is known.", 2)
    for i, r in enumerate(report.rationales, 1):
        line()
        line(f"{i}. {r.title} [{r.id}]", 0, 3)
        line(f"RESEARCH USE ONLY. {r.summary}", 3)
        line(f"Strategy: {strategy_words(r)}", 3)
        if r.agents:
            line("Agents: " + ", ".join(f"{a.name} ({a.class_label})" for a in r.agents), 3)
        e = r.evidence
        escat = f", ESCAT {e.escat}" if e.escat else ""
        post = " [post-review]" if e.post_review else ""
        line(f"Evidence: level {e.level} ({e.kind.replace('_', ' ')}{escat}){post}, "
             f"{DIRECTION_WORDS[e.direction]}: {e.statement}", 3)
        line("Applies because: " + "; ".join(r.because), 3)
        for f in r.findings:
            line("- " + _finding(f), 3)
        for c in r.cautions:
            extra = (f" HEIGHTENED for this patient ({'; '.join(c.heightened_because)}): {c.heightened_text}"
                     if c.heightened else "")
            line(f"Caution: {c.title}. {c.text}{extra} ({_cite(c.citations)})", 3)
        if r.trials:
            line("Trials: " + ", ".join(r.trials), 3)
        if r.conflicts_with:
            line("Knowingly conflicts with: " + ", ".join(r.conflicts_with), 3)
        if r.notes:
            line(f"Notes: {r.notes}", 3)
        line(f"Citations: {_cite(r.citations)}", 3)
    if report.context:
        line()
        line(f"CONTEXT (not treatment rationales) ({len(report.context)})")
        for note in report.context:
            line()
            line(f"- {note.title} [{note.id}]", 0, 2)
            line(note.summary, 2)
            line("Applies because: " + "; ".join(note.because), 2)
            for f in note.findings:
                line("- " + _finding(f), 2)
            line(f"Citations: {_cite(note.citations)}", 2)
    line()
    line(f"{TRIALS_HEADING.upper()} ({len(report.trials)})")
    line(TRIALS_NOTE, 2)
    if not report.trials:
        line("None.", 2)
    for t in report.trials:
        acronym = f" ({t.acronym})" if t.acronym else ""
        line(f"- {t.nct_id}{acronym}: {t.title}", 0, 2)
        line(f"Regimen: {t.regimen}; phase {t.phase}; {t.design}; primary outcome: {t.primary_outcome}", 2)
        line(f"Status: {t.status} (as of {t.status_as_of})", 2)
        for f in t.results:
            line("- " + _finding(f), 2)
    line()
    line(f"INFORMATION THAT WOULD CHANGE THE ANSWER ({len(report.needs_information)})")
    if not report.needs_information:
        line("None.", 2)
    for n in report.needs_information:
        line(f"- {n.kind} {n.rule_id} ({n.title}): needs {', '.join(n.missing)}", 0, 2)
    if report.warnings:
        line()
        line(f"WARNINGS ({len(report.warnings)})")
        for w in report.warnings:
            line(f"- {w}", 0, 2)
    line()
    line(f"Review conclusion: {report.conclusion}")
    line()
    line(report.disclaimer)
    return "\n".join(out) + "\n"


# ---------------------------------------------------------------------------------------------


_MD_ESCAPES = str.maketrans({
    **{c: "\\" + c for c in "\\|*_`[]#<>"},  # table cells, emphasis, code, links, headings, raw HTML
    "&": "&amp;",  # an entity (&lt;) would otherwise be read as the character
})


def _md(text: str) -> str:
    """Escape what Markdown would otherwise read as markup: table cells, emphasis, code, links,
    headings and raw HTML (a case_id of `<script>` must stay text)."""
    return text.translate(_MD_ESCAPES)


def render_markdown(report: Report) -> str:
    out: list[str] = [f"> **{BANNER}**", ""]
    add = out.append
    add(f"# igfrules report: {_md(report.case_id or '(no case_id)')}")
    add("")
    add(f"*{_md(_kb_line(report))}*")
    add("")
    add(f"**Profile:** {_md(_profile_line(report))}")
    add("")
    if report.rationales:  # what a meeting reads first: each rationale's grade and direction
        add("| Candidate research rationale | Evidence | Direction |")
        add("|---|---|---|")
        for r in report.rationales:
            post = " (post-review)" if r.evidence.post_review else ""
            direction = DIRECTION_WORDS[r.evidence.direction]
            add(f"| {_md(r.title)} (`{r.id}`) | level {r.evidence.level}{post} | {direction} |")
        add("")
    add(f"## Candidate research rationales ({len(report.rationales)})")
    add("")
    if not report.rationales:
        add("None of the review's rationales applies to this profile with what is known.")
        add("")
    for r in report.rationales:
        e = r.evidence
        escat = f", ESCAT {e.escat}" if e.escat else ""
        add(f"### {_md(r.title)} (`{r.id}`)")
        add("")
        add(f"*Research use only.* {_md(r.summary)}")
        add("")
        add(f"- **Strategy:** {_md(strategy_words(r))}")
        if r.agents:
            add("- **Agents:** " + _md(", ".join(f"{a.name} ({a.class_label})" for a in r.agents)))
        post = " \\[post-review\\]" if e.post_review else ""
        add(f"- **Evidence:** level {e.level} ({_md(e.kind.replace('_', ' '))}{escat}){post}, "
            f"{DIRECTION_WORDS[e.direction]}: {_md(e.statement)}")
        add("- **Applies because:** " + _md("; ".join(r.because)))
        for f in r.findings:
            add(f"- **Finding:** {_md(_finding(f))}")
        for c in r.cautions:
            extra = (f" **Heightened for this patient** ({_md('; '.join(c.heightened_because))}): "
                     f"{_md(c.heightened_text)}" if c.heightened else "")
            add(f"- **Caution: {_md(c.title)}.** {_md(c.text)}{extra} ({_md(_cite(c.citations))})")
        if r.trials:
            add("- **Trials:** " + ", ".join(r.trials))
        if r.notes:
            add(f"- **Notes:** {_md(r.notes)}")
        add(f"- **Citations:** {_md(_cite(r.citations))}")
        add("")
    if report.context:
        add(f"## Context, not treatment rationales ({len(report.context)})")
        add("")
        for note in report.context:
            add(f"- **{_md(note.title)}** (`{note.id}`): {_md(note.summary)} "
                f"Applies because: {_md('; '.join(note.because))}. ({_md(_cite(note.citations))})")
        add("")
    add(f"## {TRIALS_HEADING} ({len(report.trials)})")
    add("")
    add(f"*{_md(TRIALS_NOTE)}*")
    add("")
    if report.trials:
        add("| NCT | Title | Regimen | Phase | Primary outcome | Status (as of) |")
        add("|---|---|---|---|---|---|")
        for t in report.trials:
            add(f"| {t.nct_id} | {_md(t.title)} | {_md(t.regimen)} | {_md(t.phase)} | "
                f"{_md(t.primary_outcome)} | {_md(t.status)} ({t.status_as_of}) |")
        results = [(t.nct_id, f) for t in report.trials for f in t.results]
        if results:
            add("")
            for nct, f in results:
                add(f"- {nct}: {_md(_finding(f))}")
    else:
        add("None.")
    add("")
    add(f"## Information that would change the answer ({len(report.needs_information)})")
    add("")
    for n in report.needs_information:
        add(f"- {n.kind} `{n.rule_id}` ({_md(n.title)}): needs {_md(', '.join(n.missing))}")
    if not report.needs_information:
        add("None.")
    add("")
    if report.warnings:
        add(f"## Warnings ({len(report.warnings)})")
        add("")
        for w in report.warnings:
            add(f"- {_md(w)}")
        add("")
    add(f"**Review conclusion:** {_md(report.conclusion)}")
    add("")
    add(f"---\n\n*{_md(report.disclaimer)}*")
    return "\n".join(out) + "\n"


def render_json(report: Report) -> str:
    return report.to_json()

