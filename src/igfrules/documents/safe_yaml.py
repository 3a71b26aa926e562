"""Safe, strict reading of YAML and JSON documents.

Only plain data is built (no tags construct objects), aliases are refused (a small file cannot
expand into a huge one), a key given twice is an error instead of silently keeping the last, and
oversized or non-UTF-8 input is refused before it is parsed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from .bounded_read import MAX_BYTES, ReadError, read_limited
from .strict_json import DocumentError, parse_json

TEXT_KEYS = frozenset({"case_id"})  # values read as written, never as YAML numbers or dates


_TAG_WORDS = {"bool": "true or false", "int": "a whole number", "float": "a number",
              "timestamp": "a date or time", "null": "null", "binary": "base64 data"}


class _StrictLoader(yaml.SafeLoader):  # type: ignore[misc]  # PyYAML ships no types
    def construct_object(self, node: Any, deep: bool = False) -> Any:
        # An explicit tag (`!!bool maybe`, `!!timestamp notadate`) makes PyYAML's constructors raise
        # whatever their parsing raises (KeyError, AttributeError, ValueError): say what is wrong.
        try:
            return super().construct_object(node, deep=deep)
        except (DocumentError, yaml.YAMLError, RecursionError):
            raise
        except (ValueError, TypeError, KeyError, AttributeError, IndexError, OverflowError) as err:
            raise _bad_value(node, err) from None

    def construct_document(self, node: Any) -> Any:
        try:
            return super().construct_document(node)
        except (DocumentError, yaml.YAMLError, RecursionError):
            raise
        except (ValueError, TypeError, KeyError, AttributeError, IndexError, OverflowError) as err:
            raise _bad_value(node, err) from None

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise DocumentError(f"line {event.start_mark.line + 1}: YAML aliases (*name) are not accepted")
        return super().compose_node(parent, index)

    def construct_mapping(self, node: Any, deep: bool = False) -> Any:
        if not isinstance(node, yaml.MappingNode):  # `!!map [a]`, `!!set [a]`
            raise DocumentError(f"line {node.start_mark.line + 1}: {_tag(node)} needs a mapping, "
                                f"not a {'list' if isinstance(node, yaml.SequenceNode) else 'scalar'}")
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


def _tag(node: Any) -> str:
    return str(node.tag).replace("tag:yaml.org,2002:", "!!")


def _bad_value(node: Any, err: Exception) -> DocumentError:
    line = node.start_mark.line + 1
    if isinstance(err, ValueError) and "digits" in str(err):  # Python's 4,300-digit limit on int()
        return DocumentError(f"line {line}: a number is too long (more than 4,300 digits)")
    tag = _tag(node)
    if isinstance(node, yaml.ScalarNode):
        expected = _TAG_WORDS.get(tag.removeprefix("!!"), "a value of this type")
        return DocumentError(f"line {line}: {node.value[:40]!r} is not valid for {tag} (expected {expected})")
    return DocumentError(f"line {line}: this {tag} value is malformed")


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
    if len(documents) != 1:
        raise DocumentError(f"expected one document, found {len(documents)}")
    return documents[0]


def read_document(path: Path) -> Any:
    """A regular file's one document, read through the bounded reader (never more than the limit)."""
    try:
        data = read_limited(path, MAX_BYTES)
    except ReadError as err:
        raise DocumentError(str(err)) from None
    return parse_document(data, suffix=path.suffix.casefold())
