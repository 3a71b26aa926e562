"""Reading what a user gives (a path, bytes or standard input) into a document, with errors a person
can act on: which file, what is wrong. Reading is bounded in size and YAML is read safely and
strictly (documents/); turning the document into a profile is model/validation.py's (case fields)
or fhir/'s (a Bundle), chosen by evaluation/cases.py.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, BinaryIO

from ..documents.bounded_read import MAX_BYTES, ReadError, read_stream
from ..documents.safe_yaml import parse_document, read_document
from ..documents.strict_json import DocumentError
from ..errors import CaseError, Problem


def document_from_path(path: Path) -> Any:
    try:
        return read_document(path)
    except DocumentError as err:
        raise CaseError(Problem(str(path), "", str(err))) from None


def document_from_stream(stream: BinaryIO | None, *, source: str) -> Any:
    """Standard input (None when it is closed), read through the bounded reader."""
    try:
        data = read_stream(stream, MAX_BYTES)
    except ReadError as err:
        raise CaseError(Problem(source, "", str(err))) from None
    return document_from_bytes(data, source=source, suffix=_stream_suffix(data))


def _stream_suffix(data: bytes) -> str:
    """Standard input has no file name: a document that is JSON is read as JSON, as strictly as a
    `.json` file (so `1e400`, NaN or a key given twice are refused there too); anything else,
    a YAML flow mapping `{er_status: positive}` included, as YAML."""
    if data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] not in (b"{", b"["):
        return ""
    import json  # only for a document that may be JSON

    try:
        json.loads(data.decode("utf-8-sig"))
    except (ValueError, RecursionError):  # not JSON (UnicodeDecodeError is a ValueError)
        return ""
    return ".json"


def document_from_bytes(data: bytes, *, source: str, suffix: str = "") -> Any:
    try:
        return parse_document(data, suffix=suffix)
    except DocumentError as err:
        raise CaseError(Problem(source, "", str(err))) from None


def is_bundle(data: Any) -> bool:
    return isinstance(data, Mapping) and data.get("resourceType") == "Bundle"
