"""With --strict (strict=True), an invalid resource is an error naming the resource and the element; a
missing piece is unknown. Without it, lenient reading: tests/fhir/test_lenient_reading.py."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

import igfrules
from igfrules import CaseError
from igfrules.cli import main
from igfrules.fhir.profile import map_bundle
from tests.conftest import CASES
from tests.fhir.builders import bundle, observation


def test_invalid_element_names_resource_and_path() -> None:
    with pytest.raises(CaseError) as caught:
        map_bundle(bundle(observation("er-1", "85337-4", "2020-13-45")), source="b.json", strict=True)
    message = str(caught.value)
    assert "Observation/er-1" in message
    assert "Observation.effectiveDateTime" in message


def test_unknown_resource_type_is_named() -> None:
    with pytest.raises(CaseError, match="'Foo' is not a FHIR R4 resource type"):
        map_bundle(bundle({"resourceType": "Foo", "id": "x"}), strict=True)


def test_every_invalid_resource_is_reported_at_once() -> None:
    bad = [observation("a", "85337-4", "nope"), {"resourceType": "Condition", "id": "c", "code": 3}]
    with pytest.raises(CaseError) as caught:
        map_bundle(bundle(*bad), strict=True)
    locations = " ".join(p.location for p in caught.value.problems)
    assert "Observation/a" in locations
    assert "Condition/c" in locations


def test_cli_exit_1_with_the_resource_and_path(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(bundle(observation("er-1", "85337-4", "2020-13-45"))), encoding="utf-8")
    result = CliRunner().invoke(main, ["evaluate", str(path), "--strict"])
    assert result.exit_code == 1
    assert "Observation/er-1: Observation.effectiveDateTime" in result.output
    assert "Traceback" not in result.output


def test_a_bundle_without_what_a_field_needs_leaves_it_unknown() -> None:
    case = map_bundle(bundle(observation("er-1", "85337-4")))  # no value at all
    assert case.profile.er_status == "unknown"


def test_another_patients_resource_in_the_record_is_refused_naming_it() -> None:
    record = json.loads((CASES / "fhir" / "metastatic-hr-positive-pik3ca.json").read_text())
    other = next(e["resource"] for e in record["entry"] if e["resource"]["resourceType"] == "Observation"
                 and "subject" in e["resource"])
    other["subject"] = {"reference": "Patient/someone-else"}
    with pytest.raises(CaseError) as caught:
        igfrules.evaluate(record)
    message = str(caught.value.problems[0])
    assert f"Observation/{other['id']}" in message and "Patient/someone-else" in message
