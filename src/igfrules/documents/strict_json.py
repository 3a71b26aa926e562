"""Strict JSON: a key given twice, NaN and the infinities are errors, as they are in YAML.

Used for .json case files, cohort lines and CDS Hooks request bodies; made once and fast, since
it runs for every line of a cohort.
"""

from __future__ import annotations

import json
from typing import Any


class DocumentError(ValueError):
    """The bytes are not one readable YAML/JSON document; the message says why."""


def parse_json(text: str) -> Any:
    """Strict JSON: a key given twice and NaN / Infinity (not JSON) are errors, as in YAML."""
    try:
        return _strict_loads(text)
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


# Made once: json.loads with hooks builds a decoder per call, a third of the parse of a cohort line.
_strict_decode = json.JSONDecoder(object_pairs_hook=_unique_keys, parse_constant=_not_json).decode


def _strict_loads(text: str) -> Any:
    """json.loads(text) with the strict hooks, on the decoder made once."""
    if text.startswith("\ufeff"):  # what json.loads says of a BOM (the decoder alone would not)
        raise json.JSONDecodeError("Unexpected UTF-8 BOM (decode using utf-8-sig)", text, 0)
    return _strict_decode(text)
