"""One Report as one JSON line, fast: the batch output with --detail full.

A report's rationales, context notes, trials and needs-information items are shared objects
(the evaluator memoises them), so their JSON is rendered once and reused; the line is assembled
from those fragments. The result is byte-identical to `report.model_dump_json()`, which the
tests check on generated profiles.
"""

from __future__ import annotations

import threading
from typing import Any

from pydantic import BaseModel, TypeAdapter

from ..model.report import Report

_LIMIT = 20_000
_fragments: dict[int, tuple[BaseModel, bytes]] = {}  # id(obj) -> (obj kept alive, its JSON)
_lock = threading.Lock()
_any = TypeAdapter(Any)


def _fragment(obj: BaseModel) -> bytes:
    cached = _fragments.get(id(obj))
    if cached is not None and cached[0] is obj:
        return cached[1]
    text = obj.__pydantic_serializer__.to_json(obj)
    with _lock:
        if len(_fragments) >= _LIMIT:
            _fragments.clear()  # bounded: memory stays flat over any cohort
        _fragments[id(obj)] = (obj, text)
    return text


def _array(items: tuple[BaseModel, ...]) -> bytes:
    return b"[" + b",".join(_fragment(item) for item in items) + b"]"


def report_json_line(report: Report) -> str:
    """`report.model_dump_json()`, assembled from cached fragments."""
    return report_json_bytes(report).decode("utf-8")


def report_json_bytes(report: Report) -> bytes:
    """The same, as UTF-8 bytes: what batch output writes, with no decode and re-encode."""
    parts = [
        b'{"research_only":true,"disclaimer":', _any.dump_json(report.disclaimer),
        b',"verdict":', _any.dump_json(report.verdict),
        b',"case_id":', _any.dump_json(report.case_id),
        b',"knowledge_base":', _fragment(report.knowledge_base),
        b',"engine_version":', _any.dump_json(report.engine_version),
        b',"profile":', _any.dump_json(report.profile),
        b',"rationales":', _array(report.rationales),
        b',"context":', _array(report.context),
        b',"trials":', _array(report.trials),
        b',"needs_information":', _array(report.needs_information),
        b',"warnings":', _any.dump_json(report.warnings),
        b',"not_considered":', _any.dump_json(report.not_considered),
        b',"conclusion":', _any.dump_json(report.conclusion),
    ]
    if report.mapping is not None:  # a case read from FHIR: where each field came from
        # the case's own, never shared: cached, it would grow the fragment cache by one per case
        parts += [b',"mapping":', report.mapping.__pydantic_serializer__.to_json(report.mapping)]
    parts.append(b"}")
    return b"".join(parts)
