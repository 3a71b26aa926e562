from __future__ import annotations

from pathlib import Path

import pytest

from igfrules import CaseError
from igfrules.documents.safe_yaml import MAX_BYTES
from igfrules.evaluation.cases import case_from_bytes, read_case


def _error(data: bytes, suffix: str = "") -> str:
    with pytest.raises(CaseError) as caught:
        case_from_bytes(data, source="c.yaml", suffix=suffix)
    return str(caught.value)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"", "the file is empty"),
        (b"   \n", "the file is empty"),
        (b"\xff\xfe\x00", "not UTF-8"),
        (b"- er_status: positive", "the top level must be a mapping"),
        (b"just text", "the top level must be a mapping"),
        (b"a: &x 1\nb: *x", "aliases"),
        (b"er_status: positive\ner_status: negative", "given twice"),
        (b"!!python/object/apply:os.system ['true']", "invalid YAML"),
        (b"er_status: positive\n---\npr_status: positive", "expected one document"),
        (b"er_status: [", "invalid YAML"),
        (b"\x00\x01", "NUL"),
        (b"1: positive", "field names must be text"),
    ],
)
def test_bad_case_files_are_refused_clearly(data: bytes, expected: str) -> None:
    assert expected in _error(data)


def test_oversized_file_is_refused_before_parsing(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    path.write_bytes(b"#" * (MAX_BYTES + 1))
    with pytest.raises(CaseError, match="at most"):
        read_case(path)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(CaseError, match="No such file"):
        read_case(tmp_path / "absent.yaml")


def test_json_is_accepted() -> None:
    profile = case_from_bytes(b'{"er_status": "positive", "prior_therapies": []}', suffix=".json")
    assert profile.er_status == "positive"


def test_bad_json_names_the_line() -> None:
    assert "line 2" in _error(b'{"er_status":\n oops}', suffix=".json")
