"""The brief says what was shown, for every example case, in text, Markdown and HTML: the verdict's
counts are the groups' counts, nothing a board weighs is cut with an ellipsis, harm and other-tumour
data have their own badges, a heightened caution is shown in full with its reason, only missing
fields are asked for (research measurements marked), and what the knowledge base does not consider
is said."""

from __future__ import annotations

import html
import re

import pytest

import igfrules
from igfrules.model.report import Report
from igfrules.model.verdict import EVIDENCE_GROUPS, group_counts
from igfrules.rendering.brief import (
    HARM,
    OTHER_TUMOURS,
    RESEARCH_MEASUREMENT,
    glance_groups,
    glance_rows,
    missing_rows,
)
from igfrules.rendering.labels import field_label
from tests.rendering.test_html import CASE_FILES, real_report

CASES = [p.name for p in CASE_FILES]
FORMATS = ["text", "markdown", "html"]


@pytest.fixture(scope="module")
def reports(kb: igfrules.KnowledgeBase) -> dict[str, Report]:
    return {name: real_report(kb, name) for name in CASES}


def rendered(report: Report, fmt: str) -> str:
    """What a reader sees, as flat words (tags dropped and entities read for HTML)."""
    out = igfrules.RENDERERS[fmt](report, "brief")  # type: ignore[arg-type]
    if fmt == "html":
        out = html.unescape(re.sub(r"<style>.*?</style>|<[^>]+>", " ", out, flags=re.S))
    return re.sub(r" ([:;,.)])", r"\1", " ".join(out.replace("**", "").split()))


def flat(text: str) -> str:
    return " ".join(text.split())


VERDICT_COUNTS = {
    "breast_cancer": r"(\d+) (?:was|were) tested in breast cancer with no benefit shown",
    "other_tumours": r"(\d+) (?:has|have) data only from other tumours",
    "preclinical": r"(\d+) (?:is a hypothesis|are hypotheses)",
}


@pytest.mark.parametrize("case", CASES)
def test_the_verdicts_counts_are_the_groups_counts(reports: dict[str, Report], case: str) -> None:
    report = reports[case]
    counts = group_counts(report.rationales)
    for key, pattern in VERDICT_COUNTS.items():
        found = re.search(pattern, report.verdict)
        assert (int(found.group(1)) if found else 0) == counts[key], (key, report.verdict)
    groups = {g.key: len(g.rows) for g in glance_groups(report)}
    assert {k: v for k, v in counts.items() if v} == groups
    for fmt in FORMATS:
        text = rendered(report, fmt)
        for key, heading in EVIDENCE_GROUPS:
            if counts[key]:
                assert f"{heading} ({counts[key]})" in text, (fmt, heading)
            else:
                assert heading not in text


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("fmt", FORMATS)
def test_nothing_a_board_weighs_is_cut_short(reports: dict[str, Report], case: str, fmt: str) -> None:
    report = reports[case]
    text = rendered(report, fmt)
    for row in glance_rows(report):
        # Whole, or (text) pointed to where the same reasons stand whole: "Why: as row 4".
        assert flat("; ".join(row.why)) in text or (fmt == "text" and re.search(r"Why: as row \d+\.", text)), row.id
        if row.evidence_from:
            assert flat(row.evidence_from) in text, row.id
        for h in row.heightened:
            assert flat(h.title) in text
    for t in report.trials:
        assert flat(t.design).lower() in text.lower(), t.nct_id  # the text capitalises a leading "phase"
        if t.since is not None:
            assert flat(t.since.statement) in text, t.nct_id
    for r in report.rationales:
        for c in r.cautions:
            if c.heightened:
                assert flat(c.heightened_text) in text


def test_a_heightened_caution_is_shown_in_full_with_its_reason(reports: dict[str, Report]) -> None:
    report = reports["tamoxifen-resistant-diabetic.yaml"]
    heightened = [c for r in report.rationales for c in r.cautions if c.heightened]
    assert heightened
    for fmt in FORMATS:
        text = rendered(report, fmt)
        assert "hyperglycaemia" in text.lower()
        assert "heightened because diabetes or insulin resistance is recorded" in text.lower()
    lines = igfrules.RENDERERS["text"](report).splitlines()
    full = [i for i, line in enumerate(lines) if "HEIGHTENED CAUTION:" in line]
    reason = [i for i, line in enumerate(lines) if line.strip().startswith("heightened because")]
    assert full and len(reason) == len(full)  # each caution in full has its reason on its own line
    pointers = [line for line in lines if "HEIGHTENED CAUTION as under row" in line]
    assert all("heightened because" in p for p in pointers)  # a repeat names its reason too


@pytest.mark.parametrize("case", CASES)
def test_harm_and_other_tumour_data_have_badges_of_their_own(reports: dict[str, Report], case: str) -> None:
    for r, row in zip(sorted(reports[case].rationales, key=lambda r: r.id),
                      sorted(glance_rows(reports[case]), key=lambda row: row.id), strict=True):
        assert (HARM in row.badges) == any(c.kind == "harm" for c in r.cautions)
        assert (OTHER_TUMOURS in row.badges) == (r.evidence.kind == "clinical_other_tumours")


@pytest.mark.parametrize("case", CASES)
def test_only_missing_fields_are_asked_for_and_research_measurements_are_marked(
        reports: dict[str, Report], case: str) -> None:
    report = reports[case]
    missing = {m for n in report.needs_information for m in n.missing}
    labels = {field_label(m) for m in missing}
    for row in missing_rows(report):
        assert row.field in labels or row.field.removeprefix("to settle by hand: ") in missing
        research = row.field in (field_label("serum_igf1"), field_label("igf1r_expression"))
        assert (row.note == RESEARCH_MEASUREMENT) == research
    for fmt in FORMATS:
        if {"serum_igf1", "igf1r_expression"} & missing:
            assert RESEARCH_MEASUREMENT in rendered(report, fmt)


def test_a_therapy_no_entry_considers_is_named_as_not_considered(reports: dict[str, Report]) -> None:
    report = reports["pik3ca-mutant-hr-positive.yaml"]
    assert "palbociclib" in report.not_considered
    for fmt in FORMATS:
        text = rendered(report, fmt)
        assert "not considered by this knowledge base" in text.lower()
        assert "palbociclib (CDK4/6 inhibitor): no entry's condition reads this therapy or its class" in text


def test_what_no_condition_reads_is_computed_from_the_knowledge_base(kb: igfrules.KnowledgeBase) -> None:
    report = igfrules.evaluate({"er_status": "positive", "prior_therapies": ["palbociclib", "letrozole", "T-DXd"]}, kb)
    # letrozole: aromatase inhibitors are read; T-DXd: NCT00684983 asks about anti-HER2 conjugates
    assert report.not_considered == ("palbociclib",)
    assert igfrules.evaluate({"er_status": "positive"}, kb).not_considered == ()


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("fmt", FORMATS)
def test_the_glossary_spells_out_every_abbreviation_the_brief_uses(reports: dict[str, Report], case: str,
                                                                   fmt: str) -> None:
    text = rendered(reports[case], fmt)
    for abbreviation, meaning in (("PFS", "progression-free survival"), ("mTOR", "mechanistic target of rapamycin"),
                                  ("IGF-1R", "IGF-1 receptor"), ("CDK4/6", "cyclin-dependent kinase 4/6")):
        if re.search(rf"\b{re.escape(abbreviation)}\b", text.split("Glossary:")[0]):
            assert f"{abbreviation} {meaning}" in text, abbreviation


@pytest.mark.parametrize("case", CASES)
def test_studies_are_those_that_would_have_enrolled_her(reports: dict[str, Report], case: str) -> None:
    report = reports[case]
    for fmt in FORMATS:
        text = rendered(report, fmt)
        assert f"Studies that would have enrolled her ({len(report.trials)})".lower() in text.lower()
        assert "whose population this patient fits" not in text
    text = igfrules.RENDERERS["text"](report)
    for t in report.trials:  # status today leads; the review's status follows as a note
        assert re.search(rf"- {t.nct_id}{' ' + t.acronym if t.acronym else ''}: today .*?per the review|"
                         rf"- {t.nct_id}{' ' + t.acronym if t.acronym else ''}: today .*?Table 1", text, re.S)
