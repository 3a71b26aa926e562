"""The HL7 mCODE IG 4.0.0's own example Bundles (its npm package, pinned by sha512) map to what was
read from their resources by hand (tests/fhir/mcode_ig/*.json): every field, and the warnings."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from igfrules.fhir.profile import map_bundle
from tests.external.mcode_ig import example_bundles

EXPECTED = Path(__file__).parent / "mcode_ig"
BUNDLES = {path.name: path for path in example_bundles()}


def expected(name: str) -> dict[str, Any]:
    return dict(json.loads((EXPECTED / name).read_text(encoding="utf-8")))


def mapped(name: str) -> Any:
    return map_bundle(json.loads(BUNDLES[name].read_text(encoding="utf-8")), source=name)


def test_every_example_bundle_of_the_package_has_an_expected_mapping() -> None:
    assert sorted(BUNDLES) == sorted(p.name for p in EXPECTED.glob("Bundle-*.json"))


@pytest.mark.parametrize("name", sorted(BUNDLES))
def test_each_field_is_what_was_read_by_hand(name: str) -> None:
    case, want = mapped(name), expected(name)
    got = {f.field: f.value for f in case.mapping.fields}
    assert set(got) == set(want["fields"])  # every field the mapping reads was checked by hand
    assert {field: got[field] for field in want["fields"]} == {k: v["value"] for k, v in want["fields"].items()}
    assert case.profile.value("advanced_disease") == want["advanced_disease"]


@pytest.mark.parametrize("name", sorted(BUNDLES))
def test_the_warnings_are_those_expected(name: str) -> None:
    warnings = mapped(name).mapping.warnings
    want = expected(name)["warnings"]
    assert len(warnings) == len(want)
    for given, start in zip(warnings, want, strict=True):
        assert given.startswith(start)


def test_jenny_m_takes_the_snomed_stage_group_over_the_summary_and_says_so() -> None:
    case = mapped("Bundle-mcode-patient-bundle-jenny-m.json")
    stage = case.mapping.source("stage")
    assert stage.value == "IIB"
    assert "Observation/tnm-clinical-stage-group-jenny-m" in stage.resources
    assert any("IIIC" in w and "IIB stands" in w for w in case.mapping.warnings)


def test_jenny_m_in_remission_after_curative_care_gets_no_advanced_disease_rationale() -> None:
    import igfrules

    assert mapped("Bundle-mcode-patient-bundle-jenny-m.json").profile.value("advanced_disease") is False
    report = igfrules.evaluate(BUNDLES["Bundle-mcode-patient-bundle-jenny-m.json"])
    because = " ".join(" ".join(r.because) + r.title for r in report.rationales).casefold()
    assert "advanced" not in because


def test_jenny_m_brca_note_says_brca1_and_brca2_were_studied() -> None:
    note = mapped("Bundle-mcode-patient-bundle-jenny-m.json").mapping.source("brca_mutation").note
    assert "not among the genes studied" not in note
    assert "BRCA1 studied (Observation/genomic-region-studied-jenny-m)" in note
    assert "BRCA2 studied" in note
