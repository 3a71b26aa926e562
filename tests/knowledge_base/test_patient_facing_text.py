"""What a patient's report prints from the knowledge base is plain words: no rule syntax, no
internal field names, no curation notes. Notes stay in `igfrules explain` and the docs."""

from __future__ import annotations

import re

import igfrules
from igfrules.model.fields import FIELDS
from tests.conftest import CASES, RULES

KB = igfrules.load_knowledge_base(RULES)
# Backticks, condition keys and internal names: what a curator writes, not what a board reads.
SYNTAX = re.compile(r"`|\bwhen\b:|\bop:|\bfield:|post_review|needs_information|evidence_population|"
                    + "|".join(rf"\b{re.escape(name)}\b" for name in FIELDS if "_" in name))


def _patient_facing() -> dict[str, str]:
    texts: dict[str, str] = {}
    for e in KB.active_entries:
        texts[f"{e.id}.title"] = e.title
        texts[f"{e.id}.summary"] = e.summary
        texts[f"{e.id}.evidence.statement"] = e.evidence.statement
        texts[f"{e.id}.evidence_population"] = e.evidence_population
        texts.update({f"{e.id}.findings[{i}]": f.statement for i, f in enumerate(e.findings)})
    for t in KB.trials.values():
        for name in ("title", "regimen", "design", "primary_outcome", "status", "population_text"):
            texts[f"{t.nct_id}.{name}"] = getattr(t, name)
        texts.update({f"{t.nct_id}.results[{i}]": r.statement for i, r in enumerate(t.results)})
        if t.since is not None:
            texts[f"{t.nct_id}.since"] = t.since.outcome
    for c in KB.cautions.values():
        texts.update({f"{c.id}.title": c.title, f"{c.id}.text": c.text, f"{c.id}.heightened_text": c.heightened_text})
    return texts


def test_the_pattern_catches_syntax_and_field_names() -> None:
    assert SYNTAX.search("This entry's `when` requires it") and SYNTAX.search("high_proliferation is true")
    assert not SYNTAX.search("postmenopausal women with high tumour proliferation")


def test_no_patient_facing_text_shows_rule_syntax_or_field_names() -> None:
    bad = {where: m.group(0) for where, text in _patient_facing().items() if (m := SYNTAX.search(text))}
    assert bad == {}


def test_reports_carry_no_curation_notes() -> None:
    for path in sorted(CASES.glob("*.yaml")):
        report = igfrules.evaluate(path, KB).model_dump(mode="json")
        assert all("notes" not in item for key in ("rationales", "context") for item in report[key])


def test_a_broader_rationale_prints_whom_its_evidence_comes_from() -> None:
    from igfrules.rendering.registry import RENDERERS

    report = igfrules.evaluate({"er_status": "positive", "stage": "IV"}, KB)
    rida = next(r for r in report.rationales if r.id == "RAT-RIDA-DALO")
    assert "postmenopausal" in rida.evidence_population
    for fmt, words in (("text", "Evidence from: Postmenopausal"), ("markdown", "Whom the evidence comes from"),
                       ("html", "Whom the evidence comes from")):
        assert words in RENDERERS[fmt](report)


def test_why_an_entry_applies_is_said_in_words() -> None:
    for path in sorted(CASES.glob("*.yaml")):
        report = igfrules.evaluate(path, KB)
        because = [b for item in (*report.rationales, *report.context, *report.trials) for b in item.because]
        because += [b for r in report.rationales for c in r.cautions for b in c.heightened_because]
        assert [b for b in because if SYNTAX.search(b)] == [], path.name
