"""The full evidence cards in text and Markdown: what `--detail full` appends after the brief.

One card per rationale (summary, strategy, agents, evidence, why, findings, cautions, trials,
citations with their DOIs), the context notes, each trial in full with its results, and the
review's conclusion. Field names are shown by their human labels.
"""

from __future__ import annotations

from collections.abc import Iterable

from ..model.report import Citation, FindingSummary, Rationale, Report, TrialMatch
from .brief import wrapper
from .labels import (
    DIRECTION_WORDS,
    cite_words,
    direction_words,
    doi_url,
    humanize,
    level_words,
    nct_url,
    strategy_words,
)


def _finding(f: FindingSummary) -> str:
    mark = " [post-review]" if f.post_review else ""
    return f"[{DIRECTION_WORDS[f.direction]}]{mark} {f.statement} ({cite_words(f.citations)})"


def _sources(citations: Iterable[Citation]) -> str:
    """Citations with links a reader can open: 'Rugo et al., 2017 https://doi.org/...'."""
    parts = []
    for c in citations:
        doi = f" {doi_url(c.doi)}" if c.doi else ""
        parts.append(f"{c.citation}{doi}" + (" [post-review]" if c.post_review else ""))
    return "; ".join(parts)


def _evidence(r: Rationale) -> str:
    e = r.evidence
    escat = f", ESCAT {e.escat}" if e.escat else ""
    return f"level {level_words(e)}{escat}; {direction_words(e)}: {e.statement}"


def _trials_behind(r: Rationale) -> list[tuple[str, str]]:
    """Each trial behind the evidence with ' (ACRONYM): its status in words', when known."""
    status = {t.nct_id: t for t in r.trial_status}
    out = []
    for nct in r.trials:
        t = status.get(nct)
        words = f"{f' ({t.acronym})' if t.acronym else ''}: {t.status_words}" if t else ""
        out.append((nct, words))
    return out


def card_text_lines(r: Rationale, number: int) -> list[str]:
    """One rationale's full card as text lines (wrapped at 100 columns)."""
    out: list[str] = []
    line = wrapper(out)
    line(f"{number}. {r.title} [{r.id}]", 0, 3)
    line(f"RESEARCH USE ONLY. {r.summary}", 3)
    line(f"Strategy: {strategy_words(r)}", 3)
    if r.agents:
        line("Agents: " + ", ".join(f"{a.name} ({a.class_label})" for a in r.agents), 3)
    line(f"Evidence: {_evidence(r)}", 3)
    line("Applies because: " + humanize("; ".join(r.because)), 3)
    for f in r.findings:
        line("- " + _finding(f), 3)
    for c in r.cautions:
        extra = (f" HEIGHTENED for this patient ({humanize('; '.join(c.heightened_because))}): "
                 f"{c.heightened_text}" if c.heightened else "")
        line(f"Caution: {c.title}. {c.text}{extra} ({cite_words(c.citations)})", 3)
    if r.evidence_population:
        line(f"Whom the evidence comes from: {r.evidence_population}", 3)
    for nct, words in _trials_behind(r):
        line(f"Trial behind the evidence: {nct} {nct_url(nct)}{words}", 3)
    if r.conflicts_with:
        line("Knowingly conflicts with: " + ", ".join(r.conflicts_with), 3)
    line(f"Sources: {_sources(r.citations)}", 3)
    return out


def to_check_by_hand(t: TrialMatch) -> str:
    """The trial's criteria the case cannot express, and those the sources do not verify, in one line."""
    if t.criteria is None:
        return ""
    parts = []
    for kind, criteria in (("inclusion", t.criteria.inclusion), ("exclusion", t.criteria.exclusion)):
        for c in criteria:
            if c.check_by_hand or not c.verified:
                parts.append(f"{kind}: {c.text}" + ("" if c.verified else " (not verified)"))
    return "; ".join(parts)


def full_text_lines(report: Report) -> list[str]:
    out: list[str] = []
    line = wrapper(out)
    line("=" * 100)
    line(f"FULL EVIDENCE: RESEARCH RATIONALES (EVIDENCE SUMMARIES) ({len(report.rationales)})")
    for i, r in enumerate(report.rationales, 1):
        line()
        out.extend(card_text_lines(r, i))
    if report.context:
        line()
        line(f"CONTEXT, NOT TREATMENT RATIONALES ({len(report.context)})")
        for note in report.context:
            line()
            line(f"- {note.title} [{note.id}]", 0, 2)
            line(note.summary, 2)
            line("Applies because: " + humanize("; ".join(note.because)), 2)
            for f in note.findings:
                line("- " + _finding(f), 2)
            line(f"Sources: {_sources(note.citations)}", 2)
    if report.trials:
        line()
        line(f"TRIALS IN FULL ({len(report.trials)})")
        for t in report.trials:
            acronym = f" ({t.acronym})" if t.acronym else ""
            line()
            line(f"- {t.nct_id}{acronym}: {t.title} {nct_url(t.nct_id)}", 0, 2)
            line(f"Regimen: {t.regimen}; phase {t.phase}; {t.design}; primary outcome: {t.primary_outcome}", 2)
            line(f"Whom it enrolled: {t.population}", 2)
            line(f"Status: {t.status_words}", 2)
            if by_hand := to_check_by_hand(t):
                line(f"To check by hand: {by_hand}", 2)
            for f in t.results:
                line("- " + _finding(f), 2)
    if report.needs_information:
        line()
        line("ENTRIES AND TRIALS THAT NEED INFORMATION")
        for n in report.needs_information:
            missing = ", ".join(humanize(m) for m in n.missing)
            line(f"- {n.kind} {n.rule_id} ({n.title}): needs {missing}", 0, 2)
    line()
    line(f"Review conclusion: {report.conclusion}")
    line()
    return out


# -- Markdown ------------------------------------------------------------------------------------

def _md_sources(citations: Iterable[Citation]) -> str:
    parts = []
    for c in citations:
        text = f"[{c.citation}]({doi_url(c.doi)})" if c.doi else c.citation
        parts.append(text + (" (post-review)" if c.post_review else ""))
    return "; ".join(parts)


def _md_finding(f: FindingSummary) -> str:
    mark = " (post-review)" if f.post_review else ""
    return f"*{DIRECTION_WORDS[f.direction]}*{mark}: {' '.join(f.statement.split())} ({_md_sources(f.citations)})"


def card_markdown_lines(r: Rationale) -> list[str]:
    """One rationale's full card in Markdown (a heading, then one bullet per part)."""
    out = [f"### {r.title} (`{r.id}`)", "", f"*Research use only.* {r.summary}", "",
           f"- **Strategy:** {strategy_words(r)}"]
    if r.agents:
        out.append("- **Agents:** " + ", ".join(f"{a.name} ({a.class_label})" for a in r.agents))
    out.append(f"- **Evidence:** {_evidence(r)}")
    out.append("- **Applies because:** " + humanize("; ".join(r.because)))
    out += [f"- **Finding:** {_md_finding(f)}" for f in r.findings]
    for c in r.cautions:
        extra = (f" **Heightened for this patient** ({humanize('; '.join(c.heightened_because))}): "
                 f"{c.heightened_text}" if c.heightened else "")
        out.append(f"- **Caution: {c.title}.** {c.text}{extra} ({_md_sources(c.citations)})")
    if r.evidence_population:
        out.append(f"- **Whom the evidence comes from:** {r.evidence_population}")
    for nct, words in _trials_behind(r):
        out.append(f"- **Trial behind the evidence:** [{nct}]({nct_url(nct)}){words}")
    if r.conflicts_with:
        out.append("- **Knowingly conflicts with:** " + ", ".join(r.conflicts_with))
    out += [f"- **Sources:** {_md_sources(r.citations)}", ""]
    return out


def full_markdown_lines(report: Report) -> list[str]:
    out = [f"## Full evidence: research rationales (evidence summaries) ({len(report.rationales)})", ""]
    for r in report.rationales:
        out += card_markdown_lines(r)
    if report.context:
        out += [f"## Context, not treatment rationales ({len(report.context)})", ""]
        for note in report.context:
            out += [f"- **{note.title}** (`{note.id}`): {note.summary} Applies because: "
                    f"{humanize('; '.join(note.because))}. ({_md_sources(note.citations)})"]
        out.append("")
    if report.trials:
        out += [f"## Trials in full ({len(report.trials)})", ""]
        for t in report.trials:
            acronym = f" ({t.acronym})" if t.acronym else ""
            out += [f"### [{t.nct_id}]({nct_url(t.nct_id)}){acronym}: {t.title}", "",
                    f"- **Regimen:** {t.regimen}; phase {t.phase}; {t.design}; primary outcome: {t.primary_outcome}",
                    f"- **Whom it enrolled:** {t.population}",
                    f"- **Status:** {t.status_words}"]
            if by_hand := to_check_by_hand(t):
                out += [f"- **To check by hand:** {by_hand}"]
            out += [f"- **Result:** {_md_finding(f)}" for f in t.results] + [""]
    out += [f"**Review conclusion:** {report.conclusion}", ""]
    return out
