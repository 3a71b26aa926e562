"""Hostile input never crashes, hangs or forges output (issue 12).

- arbitrary YAML documents, explicit tags included, give a profile or a CaseError;
- arbitrary text and bytes as keys and case_id give a profile or a CaseError whose message, and
  whose batch error record, stays one plain line;
- arbitrary mutations of a knowledge base give a knowledge base or an IgfrulesError, within a time
  bound (faulthandler ends the run with a traceback if loading ever hangs, as durable_rules'
  compiler can: it never returns to Python, so no in-process timeout could stop it).
"""

from __future__ import annotations

import faulthandler
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

import igfrules
from igfrules import CaseError, IgfrulesError, PatientProfile
from igfrules.cohort.batch import Item, evaluate_chunk
from igfrules.errors import is_unsafe_char
from igfrules.evaluation.cases import case_from_bytes
from igfrules.model.validation import profile_from_mapping
from tests.conftest import RULES
from tests.strategies import INPUT_FIELD_NAMES

KB = igfrules.load_knowledge_base(RULES)
LOAD_BOUND_SECONDS = 120  # a load takes well under a second; only a hang comes near this
# Each example loads a whole knowledge base: fewer of them in CI, many more when thorough.
KB_EXAMPLES = 500 if os.environ.get("HYPOTHESIS_PROFILE") == "thorough" else 15

TAGS = ["!!bool", "!!int", "!!float", "!!str", "!!null", "!!timestamp", "!!binary", "!!set", "!!map", "!!seq",
        "!!omap", "!!pairs", "!!python/object:os.system", "!custom", "!"]
_scalar_text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=12)
_value = st.one_of(
    _scalar_text.map(json.dumps),  # a quoted string
    st.sampled_from(["maybe", "notadate", "2020-13-45", "abc", "1e400", "0x1F", "~", "yes", "[a]", "{a: 1}", "[]",
                     "- x", "&a 1", "*a", "'", '"', "|", ">", "?", "%", "@", "`"]),
    _scalar_text,
)


def _safe(text: str) -> bool:
    return not any(is_unsafe_char(c) for c in text)


def _assert_clean(err: IgfrulesError) -> None:
    assert err.problems and all(_safe(str(p)) for p in err.problems)


@st.composite
def yaml_documents(draw: st.DrawFn) -> bytes:
    lines = []
    for _ in range(draw(st.integers(1, 5))):
        key = draw(st.one_of(st.sampled_from([*INPUT_FIELD_NAMES, "case_id"]), _scalar_text))
        tag = draw(st.one_of(st.just(""), st.sampled_from(TAGS)))
        lines.append(f"{key}: {tag} {draw(_value)}".rstrip())
    text = "\n".join(lines)
    return draw(st.one_of(st.just(text.encode("utf-8", "surrogatepass")), st.binary(max_size=40).map(
        lambda junk: text.encode("utf-8", "surrogatepass") + junk)))


@given(yaml_documents())
def test_any_yaml_document_gives_a_profile_or_a_case_error(data: bytes) -> None:
    try:
        profile = case_from_bytes(data)
    except CaseError as err:
        _assert_clean(err)
    else:
        assert isinstance(profile, PatientProfile)


_any_text = st.one_of(st.text(max_size=10), st.binary(max_size=10).map(lambda b: b.decode("utf-8", "surrogateescape")))


@given(_any_text, _any_text)
def test_any_key_and_case_id_give_a_profile_or_a_clean_error(key: str, case_id: str) -> None:
    try:
        profile = profile_from_mapping({key: "positive", "case_id": case_id})
    except CaseError as err:
        _assert_clean(err)
    else:  # only a valid field name and a plain case_id get here
        assert profile.case_id is not None and _safe(profile.case_id)


@given(_any_text, _any_text)
def test_a_batch_record_is_one_line_whatever_the_key_or_case_id(key: str, case_id: str) -> None:
    line = json.dumps({key: "positive", "case_id": case_id}, ensure_ascii=False)
    block, _ = evaluate_chunk([Item(1, "c.jsonl:1", line=line.encode("utf-8", "surrogatepass").decode(
        "utf-8", "replace"))], KB)
    text = block.decode("utf-8")
    assert len(text.splitlines()) == 1 and _safe(text.rstrip("\n"))
    json.loads(text)


# Knowledge-base mutations ------------------------------------------------------------------------

ENTRY = Path("rationales") / "rat-xen-eve-exe.yaml"
_json = st.recursive(
    st.none() | st.booleans() | st.integers(-10, 10**6) | st.floats(allow_nan=True) | _scalar_text,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(_scalar_text, children, max_size=4),
    max_leaves=10,
)


@pytest.fixture(scope="module")
def kb_copy() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="igfrules-mutations-") as folder:
        target = Path(folder) / "rules"
        shutil.copytree(RULES, target)
        yield target


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield prefix
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _paths(value, (*prefix, index))


@st.composite
def mutations(draw: st.DrawFn) -> bytes:
    """One entry file, changed: a value replaced or removed, its condition multiplied, or junk."""
    data = yaml.safe_load((RULES / ENTRY).read_text())
    kind = draw(st.sampled_from(["replace", "delete", "widen", "junk", "tag"]))
    if kind == "junk":
        return draw(st.binary(max_size=200))
    if kind == "tag":
        text = (RULES / ENTRY).read_text()
        return text.replace("value: positive", f"value: {draw(st.sampled_from(TAGS))} {draw(_value)}", 1).encode(
            "utf-8", "surrogatepass")
    if kind == "widen":  # many comparisons: what durable_rules' compiler cannot handle
        leaf = {"field": "bmi", "op": "at_least", "value": 25}
        width = draw(st.integers(1, 700))
        data["when"] = {draw(st.sampled_from(["any", "all"])): [dict(leaf, value=10 + i * 0.01)
                                                                   for i in range(width)]}
    else:
        path = draw(st.sampled_from([p for p in _paths(data) if p]))
        parent = data
        for part in path[:-1]:
            parent = parent[part]
        if kind == "delete":
            del parent[path[-1]]
        else:
            parent[path[-1]] = draw(_json)
    return yaml.safe_dump(data, allow_unicode=True).encode("utf-8", "surrogatepass")


@settings(max_examples=KB_EXAMPLES)
@given(mutations())
def test_any_mutation_of_a_knowledge_base_loads_or_is_an_error(kb_copy: Path, content: bytes) -> None:
    (kb_copy / ENTRY).write_bytes(content)
    faulthandler.dump_traceback_later(LOAD_BOUND_SECONDS, exit=True)
    try:
        kb = igfrules.load_knowledge_base(kb_copy)
    except IgfrulesError as err:
        _assert_clean(err)
    else:
        assert kb.engine.rule_count >= 2 * len(kb.active_entries)
    finally:
        faulthandler.cancel_dump_traceback_later()
        shutil.copyfile(RULES / ENTRY, kb_copy / ENTRY)
