"""The example Bundles in cases/fhir/: each maps to the profile written here by hand, and gives
exactly its expected report (cases/fhir/expected/<name>.json, mapping included).

After an intended change, refresh with IGFRULES_UPDATE_EXPECTED=1 (the run fails for each file it
rewrites: tests/golden.py), review the diff, and run again without it.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from click.testing import CliRunner

import igfrules
from igfrules.cli import main
from igfrules.evaluation.cases import read_input
from igfrules.rendering.jsonline import report_json_bytes
from tests.conftest import CASES, RULES
from tests.golden import check_golden

KB = igfrules.load_knowledge_base(RULES)
FHIR = CASES / "fhir"
BUNDLES = sorted(FHIR.glob("*.json"))

EXPECTED_PROFILES: dict[str, dict[str, Any]] = {
    "early-stage-er-positive": {
        "case_id": "fhir-early-stage-er-positive", "sex": "female", "er_status": "positive", "pr_status": "positive",
        "her2_status": "negative", "her2_low": True, "stage": "IIB", "treatment_intent": "curative",
        "diabetes": True, "bmi": 31.2,
        "prior_therapies": [{"agent": "anastrozole", "setting": "adjuvant"}],
    },
    "metastatic-hr-positive-pik3ca": {
        "case_id": "fhir-metastatic-hr-positive-pik3ca", "sex": "female",
        "er_status": "positive", "pr_status": "positive",
        "her2_status": "negative", "stage": "IV", "treatment_intent": "palliative",
        "metastatic_sites": ["bone", "liver"], "pik3ca_mutation": True,
        "diabetes": False,
        "prior_therapies": [{"agent": "anastrozole", "setting": "metastatic", "progressed": True},
                            {"agent": "palbociclib", "setting": "metastatic", "progressed": True},
                            {"agent": "tamoxifen", "setting": "adjuvant", "progressed": True}],
    },
    "her2-positive-after-trastuzumab": {
        "case_id": "fhir-her2-positive-after-trastuzumab", "sex": "female",
        "er_status": "negative", "pr_status": "negative",
        "her2_status": "positive", "her2_low": False, "stage": "IV", "treatment_intent": "palliative",
        "metastatic_sites": ["lung"],
        "prior_therapies": [
            {"agent": "carboplatin", "setting": "neoadjuvant", "progressed": False},
            {"agent": "docetaxel", "setting": "neoadjuvant", "progressed": False},
            {"agent": "paclitaxel", "setting": "metastatic", "progressed": True},
            {"agent": "pertuzumab", "setting": "metastatic", "progressed": True},
            {"agent": "pertuzumab", "setting": "neoadjuvant", "progressed": False},
            {"agent": "trastuzumab", "setting": "adjuvant", "progressed": True},
            {"agent": "trastuzumab", "setting": "metastatic", "progressed": True},
            {"agent": "trastuzumab", "setting": "neoadjuvant", "progressed": False},
            {"agent": "trastuzumab emtansine", "setting": "metastatic"},
        ],
    },
}


def test_the_three_examples_the_issue_asks_for() -> None:
    assert {p.stem for p in BUNDLES} == set(EXPECTED_PROFILES)


@pytest.mark.parametrize("path", BUNDLES, ids=[p.stem for p in BUNDLES])
def test_bundle_maps_to_its_profile(path) -> None:  # type: ignore[no-untyped-def]
    case = read_input(path)
    assert not isinstance(case, igfrules.PatientProfile)
    assert case.profile.to_case() == EXPECTED_PROFILES[path.stem]
    for source in case.mapping.fields:  # every known field names the resources it came from
        assert source.value == "unknown" or source.resources, source.field


@pytest.mark.parametrize("path", BUNDLES, ids=[p.stem for p in BUNDLES])
def test_bundle_report_matches_expected(path) -> None:  # type: ignore[no-untyped-def]
    expected_path = FHIR / "expected" / f"{path.stem}.json"
    report = igfrules.evaluate(path, KB)
    actual = report.to_json()
    check_golden(expected_path, actual)
    assert json.loads(report_json_bytes(report)) == json.loads(actual)  # the batch line carries the mapping too


def test_rationales_each_example_is_about() -> None:
    fired = {p.stem: {r.id for r in igfrules.evaluate(p, KB).rationales} for p in BUNDLES}
    assert fired["early-stage-er-positive"] == set()
    assert "RAT-GAN-ALP-PIK3CA" in fired["metastatic-hr-positive-pik3ca"]
    assert "RAT-IGF1R-ENDOCRINE-RESISTANT" in fired["metastatic-hr-positive-pik3ca"]
    assert "RAT-HER2-IGF1R-TRASTUZUMAB-RESISTANT" in fired["her2-positive-after-trastuzumab"]


def test_case_file_json_has_no_mapping_key() -> None:
    report = igfrules.evaluate(CASES / "minimal-unknowns.yaml", KB)
    assert "mapping" not in json.loads(report.to_json())
    assert b'"mapping"' not in report_json_bytes(report)


def test_show_mapping_in_text_keeps_the_disclaimer_last() -> None:
    path = FHIR / "metastatic-hr-positive-pik3ca.json"
    result = CliRunner().invoke(main, ["evaluate", str(path), "--show-mapping", "--rules", str(RULES)])
    assert result.exit_code == 0, result.output
    out = result.output
    assert out.startswith("RESEARCH USE ONLY")
    assert "WHERE EACH FIELD CAME FROM (FHIR)" in out
    assert "from Condition/metastasis-liver, Condition/metastasis-bone" in out
    assert "not recognised: denosumab" in out
    assert out.rstrip().endswith("every IGF-axis agent named is investigational.")
    plain = CliRunner().invoke(main, ["evaluate", str(path), "--rules", str(RULES)])
    assert "WHERE EACH FIELD CAME FROM" not in plain.output


def test_show_mapping_in_markdown() -> None:
    path = FHIR / "her2-positive-after-trastuzumab.json"
    result = CliRunner().invoke(main, ["evaluate", str(path), "--show-mapping", "--format", "markdown"])
    assert result.exit_code == 0
    assert "## Where each field came from (FHIR)" in result.output


def test_batch_takes_a_folder_of_bundles(tmp_path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "out.jsonl"
    result = CliRunner().invoke(main, ["batch", str(FHIR), "--out", str(out), "--workers", "1",
                                       "--rules", str(RULES)])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [line["case_id"] for line in lines] == [f"fhir-{p.stem}" for p in BUNDLES]
    assert all(line["mapping"]["format"] == "FHIR R4 Bundle" for line in lines)


def test_bundle_on_standard_input() -> None:
    data = (FHIR / "early-stage-er-positive.json").read_bytes()
    result = CliRunner().invoke(main, ["evaluate", "-", "--format", "json"], input=data)
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["mapping"]["bundle_id"] == "fhir-early-stage-er-positive"
