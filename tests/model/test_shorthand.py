"""The unambiguous shorthand a coordinator types is accepted; what is ambiguous is refused, saying why."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from pydantic import ValidationError

from igfrules import PatientProfile
from igfrules.cli import main


@pytest.mark.parametrize(("field", "typed", "read"), [
    ("er_status", "ER+", "positive"), ("er_status", "er -", "negative"), ("er_status", "pos", "positive"),
    ("pr_status", "neg", "negative"), ("pr_status", "PR+", "positive"), ("her2_status", "HER2-", "negative"),
    ("her2_status", "+", "positive"), ("her2_status", "-", "negative"), ("er_status", "Positive", "positive"),
    ("stage", "stage 4", "IV"), ("stage", "4", "IV"), ("stage", 4, "IV"), ("stage", "Stage 3b", "IIIB"),
    ("stage", "2a", "IIA"), ("stage", 0, "0"), ("stage", "stage iv", "IV"),
    ("menopausal_status", "post", "postmenopausal"), ("menopausal_status", "Pre", "premenopausal"),
])
def test_unambiguous_shorthand_is_read(field: str, typed: object, read: str) -> None:
    assert PatientProfile.model_validate({field: typed}).to_case() == {field: read}


@pytest.mark.parametrize(("field", "typed", "why"), [
    ("her2_status", 0, "ambiguous (an IHC score, or yes/no?)"),
    ("her2_status", "0", "ambiguous (an IHC score is not a status)"),
    ("her2_status", "2+", "ambiguous (an IHC score is not a status)"),
    ("er_status", 1, "ambiguous"),
    ("er_status", "HER2+", "Input should be 'positive', 'negative' or 'unknown'"),  # another receptor's mark
    ("stage", "5", "is not a stage"),
    ("stage", "0a", "is not a stage"),
])
def test_ambiguous_input_is_refused_with_why(field: str, typed: object, why: str) -> None:
    with pytest.raises(ValidationError, match=rf"{field}\n.*{re.escape(why)}"):
        PatientProfile.model_validate({field: typed})


def test_the_cli_says_why_her2_zero_is_refused(tmp_path: Path) -> None:
    case = tmp_path / "case.yaml"
    case.write_text("her2_status: 0\n")
    result = CliRunner().invoke(main, ["evaluate", str(case)])
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: {case}: her2_status: 0 is ambiguous (an IHC score, or yes/no?)")
