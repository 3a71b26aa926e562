"""The tumour-board brief in text and Markdown: its order, its size, its words and its links.

The size targets are the issue's: the brief of every example case (the largest included) fits in
60 lines of 100 columns; a Markdown brief has no line over 400 characters and escapes nothing in
prose. Field names never appear raw in a format meant for people.
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


@pytest.fixture(scope="module")
def reports(kb: igfrules.KnowledgeBase) -> dict[str, Report]:
    return {name: real_report(kb, name) for name in CASES}


def _positions(text: str, markers: list[str]) -> list[int]:
    return [text.index(m) for m in markers]


@pytest.mark.parametrize("case", CASES)
def test_text_brief_fits_60_lines_of_100_columns(reports: dict[str, Report], case: str) -> None:
    lines = render_text(reports[case]).splitlines()
    assert len(lines) <= 60, f"{case}: {len(lines)} lines"
    assert max(len(line) for line in lines) <= 100


def test_the_largest_example_case_is_measured(reports: dict[str, Report]) -> None:
    largest = max(reports.values(), key=lambda r: len(render_text(r, "full")))
    assert len(largest.rationales) >= 8  # the measure above covers a brief with many rationales
    assert len(render_text(largest).splitlines()) <= 60


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
def test_markdown_brief_is_paste_ready(reports: dict[str, Report], case: str) -> None:
    report = reports[case]
    md = render_markdown(report)
    assert md == render_brief_markdown(report)
    assert md.startswith(f"> **{BANNER}**")
    assert max(len(line) for line in md.splitlines()) <= 400
    assert "\\" not in md  # nothing escaped: no backslash anywhere in the brief
    assert f"**Verdict:** {report.verdict}" in md


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


def test_every_brief_carries_the_legend_of_levels(reports: dict[str, Report]) -> None:
    for report in reports.values():
        flat = " ".join(render_text(report).split())
        assert "Levels: A randomised, breast cancer; B other clinical, breast cancer;" in flat


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


def test_trial_rows_show_status_beside_outcome_since() -> None:
    text = " ".join(render_text(sample_report()).split())
    assert ("NCT01605396, phase 2: completed (2021-03-22); outcome: negative, no PFS improvement, "
            "HR 1.18 (Rugo et al., 2017)") in text
    assert "NCT00730379 MK-0646, phase 1: completed (2021-03-22); outcome: none recorded" in text


def test_trial_rows_show_the_status_today_with_its_date_beside_the_reviews(reports: dict[str, Report]) -> None:
    text = " ".join(render_text(reports["hr-positive-her2-negative-nonvisceral.yaml"]).split())
    assert ("NCT02123823, phase Ib/II: not in Table 1; results published (2021 (year only)); "
            "today completed (2021-12-14); outcome:") in text


def test_missing_fields_name_the_entries_they_decide() -> None:
    text = render_text(sample_report())
    assert "- PIK3CA mutation: RAT-GAN-ALP-PIK3CA" in text
    assert "- menopausal status: NCT01234857" in text
    assert "- HER2 status: NCT01234857" in text


def test_a_long_glance_row_stays_paste_ready() -> None:
    from igfrules.rendering.brief import GlanceRow, glance_row_markdown

    row = GlanceRow("RAT-LONG", "A title " * 40, "D: preclinical", "hypothesis (preclinical)", "hypothesis",
                    ("ER status is positive", "stage is IV (at least IIIB)", "prior therapies include " * 8), "a" * 70)
    line = glance_row_markdown(row)
    assert len(line) <= 400 and "ER status is positive" in line and "(`RAT-LONG`)" in line
