"""The tumour-board brief in text and Markdown: its order, its size, its words and its links.

The size target: the brief of every example case (the largest included) fits in 90 lines of 100
columns, with nothing a board weighs cut short; a Markdown brief escapes nothing in prose and carries
no command-line hint in its body. Field names never appear raw in a format meant for people.
"""

from __future__ import annotations

import re

import pytest

import igfrules
from igfrules.model.report import Report
from igfrules.rendering.brief import GLANCE_HEADING, MISSING_HEADING, TRIALS_HEADING, render_brief_markdown
from igfrules.rendering.labels import BANNER, FIELD_LABELS, direction_words, doi_url, nct_url
from igfrules.rendering.text import render_markdown, render_text
from tests.rendering.test_html import CASE_FILES, real_report, sample_report

CASES = [p.name for p in CASE_FILES]
RAW_FIELDS = [name for name in FIELD_LABELS if "_" in name]
# The largest example lists 8 studies, each with its whole design, and three evidence populations
# in full: 90 lines, with nothing a board weighs cut to make room.
TEXT_LINES = 90


@pytest.fixture(scope="module")
def reports(kb: igfrules.KnowledgeBase) -> dict[str, Report]:
    return {name: real_report(kb, name) for name in CASES}


def _positions(text: str, markers: list[str]) -> list[int]:
    return [text.index(m) for m in markers]


@pytest.mark.parametrize("case", CASES)
def test_text_brief_fits_its_line_budget_at_100_columns(reports: dict[str, Report], case: str) -> None:
    lines = render_text(reports[case]).splitlines()
    assert len(lines) <= TEXT_LINES, f"{case}: {len(lines)} lines"
    assert max(len(line) for line in lines) <= 100


def test_the_largest_example_case_is_measured(reports: dict[str, Report]) -> None:
    largest = max(reports.values(), key=lambda r: len(render_text(r).splitlines()))
    assert len(largest.rationales) >= 7 and len(largest.trials) >= 8  # many rationales and studies
    assert len(render_text(largest).splitlines()) <= TEXT_LINES


@pytest.mark.parametrize("case", CASES)
def test_text_brief_runs_in_the_issue_order(reports: dict[str, Report], case: str) -> None:
    report = reports[case]
    text = render_text(report)
    assert text.startswith(BANNER)
    flat = " ".join(text.split())
    markers = [report.verdict, GLANCE_HEADING.upper(), TRIALS_HEADING.upper(), MISSING_HEADING.upper()]
    assert _positions(flat, markers) == sorted(_positions(flat, markers))
    assert flat.endswith(" ".join(report.disclaimer.split()))
    for r in report.rationales:
        assert r.id in text and direction_words(r.evidence) in text
    for t in report.trials:
        assert t.nct_id in text


def test_warnings_come_before_the_glance(kb: igfrules.KnowledgeBase) -> None:
    report = real_report(kb, "inconsistent-profile-warnings.yaml")
    assert report.warnings
    text = render_text(report)
    assert text.index("WARNINGS ABOUT THE PROFILE") < text.index(GLANCE_HEADING.upper())
    assert "prior therapies include HER2-directed therapy" in text  # a label, not prior_therapies


@pytest.mark.parametrize("case", CASES)
def test_markdown_brief_is_ready_for_a_meeting_document(reports: dict[str, Report], case: str) -> None:
    report = reports[case]
    md = render_markdown(report)
    assert md == render_brief_markdown(report)
    assert md.startswith(f"> **{BANNER}**")
    assert "\\" not in md  # nothing escaped: no backslash anywhere in the brief
    assert f"**Verdict:** {report.verdict}" in md
    body, _, footer = md.rstrip("\n").rpartition("\n")
    assert not re.search(r"igfrules (evaluate|explain|batch|rules)\b|--detail", body)  # no CLI in the body
    assert "--detail full" in footer and footer.startswith("<sub>")
    assert not re.search(r"\b(RAT|CTX)-[A-Z0-9-]+\b", body)  # titles, never entry ids
    assert not re.search(r"[a-z]\.[A-Z]", body)  # sentences are separated


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("fmt", ["text", "markdown"])
@pytest.mark.parametrize("detail", ["brief", "full"])
def test_people_formats_show_labels_not_field_names(reports: dict[str, Report], case: str, fmt: str,
                                                    detail: str) -> None:
    rendered = igfrules.RENDERERS[fmt](reports[case], detail)  # type: ignore[arg-type]
    for raw in RAW_FIELDS:
        assert not re.search(rf"\b{raw}\b", rendered), raw


def test_preclinical_support_reads_as_a_hypothesis(reports: dict[str, Report]) -> None:
    preclinical = [r for rep in reports.values() for r in rep.rationales
                   if r.evidence.kind == "preclinical" and r.evidence.direction == "supports"]
    assert preclinical
    for r in preclinical:
        assert direction_words(r.evidence) == "hypothesis (preclinical)"


def test_every_brief_says_what_its_levels_mean(reports: dict[str, Report]) -> None:
    """Markdown and HTML carry the legend of levels; the text spells each row's level out in words
    ("A*: randomised trial") and says what the star means."""
    for report in reports.values():
        assert "Levels: A randomised, breast cancer; B other clinical, breast cancer;" in render_markdown(report)
        flat = " ".join(render_text(report).split())
        assert "* post-review." in flat
        for r in report.rationales:
            assert f"{r.evidence.level}{'*' if r.evidence.post_review else ''}: " in flat


def test_full_detail_appends_the_cards_before_the_disclaimer(reports: dict[str, Report]) -> None:
    report = reports["hr-positive-her2-negative-nonvisceral.yaml"]
    brief, full = render_text(report), render_text(report, "full")
    assert full.startswith(brief[: brief.index(report.disclaimer[:40])])
    flat = " ".join(full.split())
    assert flat.endswith(" ".join(report.disclaimer.split()))
    for r in report.rationales:
        for f in r.findings:
            assert " ".join(f.statement.split()) in flat
        assert all(doi_url(c.doi) in flat for c in r.citations if c.doi)
    assert report.conclusion in flat
    md = render_markdown(report, "full")
    assert all(f"({nct_url(t)})" in md for r in report.rationales for t in r.trials)


def test_trial_rows_lead_with_status_today_then_the_outcome_then_the_review() -> None:
    text = " ".join(render_text(sample_report()).split())
    assert ("NCT01605396: today not recorded in this knowledge base; the review reported: completed (2021-03-22); "
            "outcome: negative, no PFS improvement, HR 1.18 (Rugo et al., 2017). Phase 2, randomised.") in text


def test_missing_fields_name_the_titles_they_decide() -> None:
    text = " ".join(render_text(sample_report()).split())
    assert "- PIK3CA mutation: Ganitumab + alpelisib" in text
    assert "- menopausal status: NCT01234857 (Exemestane trial)" in text
    assert "- HER2 status: NCT01234857 (Exemestane trial)" in text
