"""Standard input and output as the README promises: a JSON document on standard input is read as
strictly as a `.json` file, and a command whose answer is what it prints fails (exit 1) on a
closed standard output instead of exiting 0 silently."""

from __future__ import annotations

import io
import json
import subprocess
import sys

import pytest

from igfrules import CaseError
from igfrules.evaluation.cases import case_from_stream

OUT_OF_RANGE = (b'{"resourceType": "Bundle", "type": "collection", "entry": [{"resource": {"resourceType": '
                b'"Observation", "status": "final", "code": {"text": "x"}, "valueQuantity": {"value": 1e400}}}]}')


def test_a_json_document_on_standard_input_is_read_as_json() -> None:
    with pytest.raises(CaseError, match="inf"):
        case_from_stream(io.BytesIO(OUT_OF_RANGE), strict=True)
    lenient = case_from_stream(io.BytesIO(OUT_OF_RANGE))  # the resource skipped, with a warning saying why
    assert any("inf" in w for w in lenient.mapping.warnings)  # type: ignore[union-attr]
    with pytest.raises(CaseError, match="given twice"):
        case_from_stream(io.BytesIO(b'{"er_status": "positive", "er_status": "negative"}'))
    assert case_from_stream(io.BytesIO(json.dumps({"er_status": "positive"}).encode())).er_status == "positive"


def test_yaml_on_standard_input_is_still_yaml() -> None:
    assert case_from_stream(io.BytesIO(b"{er_status: positive}")).er_status == "positive"
    assert case_from_stream(io.BytesIO(b"er_status: negative\n")).er_status == "negative"


@pytest.mark.parametrize("command", [["rules"], ["trials"], ["examples"], ["schema"], ["docs"],
                                     ["explain", "rat-xen-eve-exe"], ["check"], ["feedback", "--db", "x.sqlite3"]])
def test_a_command_that_prints_its_answer_fails_on_a_closed_standard_output(command: list[str]) -> None:
    result = subprocess.run(["sh", "-c", 'exec "$@" >&-', "sh", sys.executable, "-m", "igfrules", *command],
                            capture_output=False, stderr=subprocess.PIPE, text=True, check=False, timeout=120)
    assert result.returncode == 1
    assert result.stderr.startswith("Error: <stdout>: standard output is closed")
    assert "Traceback" not in result.stderr
