"""For the embedding developer: the Report documents itself, types its enumerations and its profile."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any, get_args

import pytest
from pydantic import ValidationError

import igfrules
from igfrules.model.report import CaseProfile, EvidenceSummary, Report
from tests.conftest import CASES


def _schema() -> dict[str, Any]:
    return Report.model_json_schema(mode="serialization")


def test_every_part_of_the_report_has_a_docstring_in_its_schema() -> None:
    schema = _schema()
    assert schema["description"].startswith("What one evaluation says")
    for name, part in schema["$defs"].items():
        assert part.get("description"), f"{name} has no docstring"


def test_every_field_of_every_part_has_a_description() -> None:
    schema = _schema()
    for name, part in [("Report", schema), *schema["$defs"].items()]:
        for field, spec in part.get("properties", {}).items():
            assert spec.get("description"), f"{name}.{field} has no description"


def test_level_kind_and_direction_are_enumerations() -> None:
    evidence = _schema()["$defs"]["EvidenceSummary"]["properties"]
    assert evidence["level"]["enum"] == ["A", "B", "C", "D", "E"]
    assert "preclinical" in evidence["kind"]["enum"]
    assert evidence["direction"]["enum"] == ["supports", "does_not_support", "caution"]
    with pytest.raises(ValidationError):
        EvidenceSummary(level="F", kind="preclinical", direction="supports", statement="x")  # type: ignore[arg-type]


def test_profile_is_typed() -> None:
    profile = _schema()["$defs"]["CaseProfile"]["properties"]
    assert profile["er_status"]["enum"] == ["positive", "negative"]
    assert profile["prior_therapies"]["items"]["$ref"].endswith("PriorTherapyItem")
    assert set(CaseProfile.__annotations__) == set(igfrules.PatientProfile.model_fields)
    report = igfrules.evaluate(CASES / "hr-positive-her2-negative-nonvisceral.yaml")
    with pytest.raises(ValidationError):
        Report.model_validate({**report.model_dump(), "profile": {"er_status": "maybe"}})


def test_the_schema_command_prints_the_report_schema() -> None:
    from click.testing import CliRunner

    from igfrules.cli import main

    result = CliRunner().invoke(main, ["schema", "--report"])
    assert result.exit_code == 0 and json.loads(result.stdout) == _schema()


def test_the_package_is_typed() -> None:
    assert resources.files("igfrules").joinpath("py.typed").is_file()
    assert get_args(Report.model_fields["research_only"].annotation) == (True,)
