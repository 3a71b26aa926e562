"""Malformed explicit YAML tags end as a clean error naming the line, in case files and rule files."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import igfrules
from igfrules import CaseError, KnowledgeBaseError
from igfrules.evaluation.cases import case_from_bytes
from tests.conftest import RULES

MALFORMED = [
    ("!!bool maybe", "'maybe' is not valid for !!bool (expected true or false)"),
    ("!!timestamp notadate", "'notadate' is not valid for !!timestamp"),
    ("!!timestamp 2020-13-45", "'2020-13-45' is not valid for !!timestamp"),
    ("!!set [a]", "!!set needs a mapping, not a list"),
    ("!!map [a]", "!!map needs a mapping, not a list"),
    ("!!int abc", "'abc' is not valid for !!int (expected a whole number)"),
    ("!!float x", "'x' is not valid for !!float"),
    ("!!str [a]", "invalid YAML"),
    ("!!python/name:os.system", "invalid YAML"),
    ("!!int " + "1" * 5000, "a number is too long"),
]


@pytest.mark.parametrize(("value", "message"), MALFORMED)
def test_in_a_case_file(value: str, message: str) -> None:
    with pytest.raises(CaseError, match="line 2: " + message.replace("(", r"\(").replace(")", r"\)")
                       .replace("[", r"\[")):
        case_from_bytes(f"er_status: positive\ndiabetes: {value}\n".encode())


@pytest.mark.parametrize(("value", "message"), MALFORMED[:6])
def test_in_a_rule_file(tmp_path: Path, value: str, message: str) -> None:
    target = tmp_path / "rules"
    shutil.copytree(RULES, target)
    entry = target / "rationales" / "rat-xen-eve-exe.yaml"
    entry.write_text(entry.read_text().replace("\nnotes:", f"\nextra: {value}\nnotes:", 1))
    with pytest.raises(KnowledgeBaseError) as caught:
        igfrules.load_knowledge_base(target)
    assert message in str(caught.value) and "rat-xen-eve-exe.yaml" in str(caught.value)


def test_well_formed_tags_still_read() -> None:
    assert case_from_bytes(b"diabetes: !!bool true\nbmi: !!float 31").bmi == 31.0
