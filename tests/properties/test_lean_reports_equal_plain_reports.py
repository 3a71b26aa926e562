"""The lean per-case path gives byte-identical reports to the plain code path (tests/oracle).

Checked on every example case (FHIR Bundles with their mapping too), on a seeded synthetic cohort
and on generated profiles in every accepted spelling, for the JSON document, the batch line and the profile itself.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given

import igfrules
from igfrules.evaluation.cases import read_case, read_input
from igfrules.model.mapping import MappedCase
from igfrules.model.synthetic import synthetic_cases
from igfrules.model.validation import profile_from_mapping
from igfrules.rendering.jsonline import report_json_bytes
from tests.conftest import CASES, RULES
from tests.oracle.report_oracle import oracle_case_echo, oracle_mapped_report, oracle_profile, oracle_report
from tests.strategies import cases

KB = igfrules.load_knowledge_base(RULES)


def _assert_identical(case: dict[str, Any]) -> None:
    profile = profile_from_mapping(case)
    expected_profile = oracle_profile(case)
    assert profile == expected_profile
    assert profile.model_fields_set == expected_profile.model_fields_set
    assert [type(v) for v in profile.__dict__.values()] == [type(v) for v in expected_profile.__dict__.values()]
    assert profile.to_case() == oracle_case_echo(expected_profile)
    expected = oracle_report(expected_profile, KB)
    report = igfrules.evaluate(case, KB)
    assert report.to_json() == expected.to_json()
    assert report_json_bytes(report) == expected.model_dump_json().encode()
    assert report == expected


@pytest.mark.parametrize("path", sorted(p for p in CASES.iterdir() if p.suffix in (".yaml", ".json")),
                         ids=lambda p: p.name)
def test_example_cases_give_the_plain_report(path: Path) -> None:
    expected = oracle_report(read_case(path), KB)
    assert igfrules.evaluate(path, KB).to_json() == expected.to_json()


@pytest.mark.parametrize("path", sorted((CASES / "fhir").glob("*.json")), ids=lambda p: p.name)
def test_fhir_bundles_give_the_plain_report_with_their_mapping(path: Path) -> None:
    case = read_input(path)
    assert isinstance(case, MappedCase)
    expected = oracle_mapped_report(case, KB)
    for source in (path, case):  # a path, and the MappedCase an embedder passes
        report = igfrules.evaluate(source, KB)
        assert report.to_json() == expected.to_json()
        assert report_json_bytes(report) == expected.model_dump_json().encode()


def test_a_synthetic_cohort_gives_the_plain_reports() -> None:
    for case in synthetic_cases(400, seed=11):
        _assert_identical(case)


@given(cases())
def test_generated_profiles_give_the_plain_reports(case: dict[str, Any]) -> None:
    _assert_identical(case)
