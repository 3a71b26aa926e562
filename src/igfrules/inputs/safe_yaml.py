"""Safe, strict reading of YAML and JSON documents.

Only plain data is built (no tags construct objects), aliases are refused (a small file cannot
expand into a huge one), a key given twice is an error instead of silently keeping the last, and
oversized or non-UTF-8 input is refused before it is parsed.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

MAX_BYTES = 1_048_576  # a case or rule file is a few KiB; anything past 1 MiB is a mistake
TEXT_KEYS = frozenset({"case_id"})  # values read as written, never as YAML numbers or dates


class DocumentError(ValueError):
    """The bytes are not one readable YAML/JSON document; the message says why."""


class _StrictLoader(yaml.SafeLoader):  # type: ignore[misc]  # PyYAML ships no types
    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise DocumentError(f"line {event.start_mark.line + 1}: YAML aliases (*name) are not accepted")
        return super().compose_node(parent, index)

    def construct_mapping(self, node: Any, deep: bool = False) -> Any:
        seen: set[Any] = set()
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=deep)
            try:
                hash(key)
            except TypeError:
                raise DocumentError(f"line {key_node.start_mark.line + 1}: a key must be plain text") from None
            if key in seen:
                raise DocumentError(f"line {key_node.start_mark.line + 1}: key {key!r} is given twice")
            seen.add(key)
            if (key in TEXT_KEYS and isinstance(value_node, yaml.ScalarNode)
                    and value_node.tag != "tag:yaml.org,2002:null"):
                # An identifier is text as written: YAML would read 0012 as 10 and 12:30 as 750.
                value_node.tag = "tag:yaml.org,2002:str"
        return super().construct_mapping(node, deep=deep)


def parse_document(data: bytes, *, suffix: str = "") -> Any:
    """One YAML (or JSON) document from bytes, as plain Python data."""
    if len(data) > MAX_BYTES:
        raise DocumentError(f"the file is {len(data):,} bytes; at most {MAX_BYTES:,} are accepted")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise DocumentError(f"not UTF-8 text (byte {err.start})") from None
    if "\x00" in text:
        raise DocumentError("not text (it contains NUL characters)")
    if not text.strip():
        raise DocumentError("the file is empty")
    if suffix == ".json":
        return parse_json(text)
    try:
        documents = list(yaml.load_all(text, Loader=_StrictLoader))
    except DocumentError:
        raise
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f"line {mark.line + 1}: " if mark is not None else ""
        problem = getattr(err, "problem", None) or str(err).splitlines()[0]
        raise DocumentError(f"{where}invalid YAML: {problem}") from None
    except RecursionError:
        raise DocumentError("the document is nested too deeply") from None
    except ValueError:  # Python refuses to convert integers of more than 4,300 digits
        raise DocumentError("a number is too long (more than 4,300 digits)") from None
    if len(documents) != 1:
        raise DocumentError(f"expected one document, found {len(documents)}")
    return documents[0]


def parse_json(text: str) -> Any:
    """Strict JSON: a key given twice and NaN / Infinity (not JSON) are errors, as in YAML."""
    try:
        return json.loads(text, object_pairs_hook=_unique_keys, parse_constant=_not_json)
    except DocumentError:
        raise
    except json.JSONDecodeError as err:
        raise DocumentError(f"line {err.lineno}: invalid JSON: {err.msg}") from None
    except RecursionError:
        raise DocumentError("the document is nested too deeply") from None
    except ValueError:  # Python refuses to convert integers of more than 4,300 digits
        raise DocumentError("a number is too long (more than 4,300 digits)") from None


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    mapping = dict(pairs)  # built in C: this runs for every object of every line of a cohort
    if len(mapping) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise DocumentError(f"key {key!r} is given twice")
            seen.add(key)
    return mapping


def _not_json(word: str) -> Any:
    raise DocumentError(f"{word} is not a JSON value")


def read_document(path: Path) -> Any:
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise DocumentError(f"the file is {size:,} bytes; at most {MAX_BYTES:,} are accepted")
        data = path.read_bytes()
    except OSError as err:
        raise DocumentError(err.strerror or str(err)) from None
    return parse_document(data, suffix=path.suffix.casefold())
