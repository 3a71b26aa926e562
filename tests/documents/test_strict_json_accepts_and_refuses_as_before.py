"""parse_json keeps its strict semantics however it is made fast: it accepts exactly what
`json.loads` with the strict hooks accepts, returns the same data, and refuses the rest with
the same message (a repeated key, NaN / Infinity, a BOM, bad syntax, a number too long)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from igfrules.documents.strict_json import DocumentError, _not_json, _unique_keys, parse_json


def _plain(text: str) -> tuple[str, Any]:
    """What the plain definition gives: ("ok", data) or ("error", message)."""
    try:
        data = json.loads(text, object_pairs_hook=_unique_keys, parse_constant=_not_json)
    except DocumentError as err:
        return "error", str(err)
    except json.JSONDecodeError as err:
        return "error", f"line {err.lineno}: invalid JSON: {err.msg}"
    except RecursionError:
        return "error", "the document is nested too deeply"
    except ValueError:
        return "error", "a number is too long (more than 4,300 digits)"
    return "ok", data


def _fast(text: str) -> tuple[str, Any]:
    try:
        return "ok", parse_json(text)
    except DocumentError as err:
        return "error", str(err)


_keys = st.sampled_from(["a", "b", "case_id", "er_status", "x:y", 'q"', "a\\"])
_scalars = (st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False)
            | st.text(max_size=6) | st.sampled_from([float("nan"), float("inf"), float("-inf")]))
_values = st.recursive(_scalars, lambda inner: st.lists(inner, max_size=3)
                       | st.lists(st.tuples(_keys, inner), max_size=4), max_leaves=12)


def _render(value: Any) -> str:
    """JSON text in which a list of (key, value) pairs is an object that may repeat a key, and a
    float NaN or infinity is written as Python's json writes it (NaN, Infinity)."""
    if isinstance(value, list) and value and all(isinstance(p, tuple) for p in value):
        return "{" + ", ".join(f"{json.dumps(k)}: {_render(v)}" for k, v in value) + "}"
    if isinstance(value, list):
        return "[" + ",".join(_render(v) for v in value) + "]"
    return json.dumps(value)


@given(_values, st.sampled_from(["", "\ufeff", " ", "x", " ,", "\n"]), st.sampled_from(["", " ", "]", "\n"]))
def test_generated_documents_parse_or_fail_exactly_as_before(value: Any, before: str, after: str) -> None:
    text = before + _render(value) + after
    assert _fast(text) == _plain(text)


@given(st.text(max_size=40))
def test_arbitrary_text_parses_or_fails_exactly_as_before(text: str) -> None:
    assert _fast(text) == _plain(text)


@pytest.mark.parametrize("text", [
    '{"er_status": "positive", "er_status": "negative"}',
    '{"a": {"b": 1, "b": 2}}',
    '[{"a": 1, "a": 2}, NaN]',
    '{"bmi": NaN}', '{"bmi": -Infinity}', '\ufeff{"a": 1}', '{"a": 1} x', "[" * 100_000,
    '{"bmi": ' + "1" * 5000 + "}", '{"a:b": "c:d", "e": 1}',
])
def test_known_refusals_and_acceptances_are_unchanged(text: str) -> None:
    assert _fast(text) == _plain(text)
