"""One Report as one JSON line by reference: the batch default (docs/batch-lines.md).

A full report is mostly knowledge-base text that is the same for every patient (evidence
statements, findings, citations, cautions, trial details). A line by reference keeps every fact
that belongs to the case (which entries fired and why, which cautions the profile heightens and
why, what is missing, the warnings, the profile, the verdict, the knowledge base's name, version
and sha256, and for a FHIR case the mapping) and names everything else by id. `resolve_line`
turns a line back into the full report it stands for, using `igfrules rules --format json`
(catalog.py); the tests check that it gives exactly `report.model_dump(mode="json")`.
"""

from __future__ import annotations

import json
import threading
from typing import Any

from pydantic import TypeAdapter

from ..model.report import DISCLAIMER, CautionNote, Report

LINE_FORMAT = "igfrules-reference/1"
_LIMIT = 20_000  # cached fragments: bounded, so memory stays flat over any cohort
_fragments: dict[int, bytes] = {}  # id(obj) -> its JSON
# id(obj) -> obj: kept alive while its fragment is cached, so no other object can have its id and
# a fragment found by id is always the object's own (no identity check: lookups can run in C).
_alive: dict[int, Any] = {}
_lock = threading.Lock()
_HEAD = b'{"format":"' + LINE_FORMAT.encode() + b'","research_only":true,"disclaimer":'


_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode  # made once: dumps() makes one a call
# The profile, a new dict each case, is most of what a line encodes: pydantic's serializer writes
# it in a third of the time, with the same bytes for every profile a report holds (validated text,
# flags, a bmi between 10 and 90; tested), as the full report's JSON does.
_profile_json = TypeAdapter(Any).dump_json


def _json(value: Any) -> bytes:
    return _encode(value).encode("utf-8")


def _cached(obj: Any, build: Any) -> bytes:
    found = _fragments.get(id(obj))
    if found is not None:
        return found
    text = _json(build(obj))
    with _lock:
        if len(_fragments) >= _LIMIT:
            _fragments.clear()  # before the objects: a fragment never outlives its object
            _alive.clear()
        _alive[id(obj)] = obj
        _fragments[id(obj)] = text
    return text


def _joined(items: tuple[Any, ...], build: Any) -> bytes:
    """The items' fragments, comma-separated: looked up in C when every one is cached, as it
    nearly always is (the evaluator shares each distinct item across a cohort)."""
    texts = list(map(_fragments.get, map(id, items)))
    if None in texts:
        texts = [_cached(item, build) for item in items]
    return b",".join(texts)  # type: ignore[arg-type]  # no None left


def _heightened(cautions: tuple[CautionNote, ...]) -> list[dict[str, Any]]:
    return [{"id": c.id, "because": list(c.heightened_because)} for c in cautions if c.heightened]


def _rationale(r: Any) -> dict[str, Any]:
    return {"id": r.id, "because": list(r.because), "heightened_cautions": _heightened(r.cautions)}


def _context(c: Any) -> dict[str, Any]:
    return {"id": c.id, "because": list(c.because)}


def _trial(t: Any) -> dict[str, Any]:
    return {"nct_id": t.nct_id, "because": list(t.because)}


def _needs(n: Any) -> dict[str, Any]:
    return {"rule_id": n.rule_id, "missing": list(n.missing)}


_DISCLAIMER = _json(DISCLAIMER)


def reference_line_bytes(report: Report) -> bytes:
    """The line by reference for one report, as UTF-8 JSON (no newline)."""
    line = b"".join((
        _HEAD, _DISCLAIMER,
        b',"verdict":', _cached(report.verdict, str),  # the verdict line is one shared string per outcome
        b',"case_id":', _json(report.case_id),
        b',"knowledge_base":', _cached(report.knowledge_base, lambda k: k.model_dump(mode="json")),
        b',"engine_version":', _cached(report.engine_version, str),
        b',"profile":', _profile_json(report.profile),
        b',"rationales":[', _joined(report.rationales, _rationale),
        b'],"context":[', _joined(report.context, _context),
        b'],"trials":[', _joined(report.trials, _trial),
        b'],"needs_information":[', _joined(report.needs_information, _needs),
        b'],"warnings":', _json(report.warnings) if report.warnings else b"[]",
        b',"not_considered":', _json(report.not_considered) if report.not_considered else b"[]",
    ))
    if report.mapping is not None:  # a case read from FHIR: where each field came from is the case's own
        line += b',"mapping":' + _json(report.mapping.model_dump(mode="json"))
    return line + b"}"


def resolve_line(line: dict[str, Any], catalog: dict[str, Any]) -> dict[str, Any]:
    """The full report a line stands for (as `report.model_dump(mode="json")`), from the catalog
    that `igfrules rules --format json` prints for the same knowledge base."""
    if line.get("format") != LINE_FORMAT:
        raise ValueError(f"not a line by reference ({LINE_FORMAT})")
    if line["knowledge_base"] != catalog["knowledge_base"]:
        raise ValueError("the line was written with another knowledge base: "
                         f"{line['knowledge_base']} is not {catalog['knowledge_base']}")
    entries, trials, cautions = catalog["entries"], catalog["trials"], catalog["cautions"]

    def record(ident: str) -> dict[str, Any]:
        return {k: v for k, v in entries[ident].items() if k not in ("kind", "status", "cautions")}

    def rationale(ref: dict[str, Any]) -> dict[str, Any]:
        heightened = {c["id"]: c["because"] for c in ref["heightened_cautions"]}
        notes = [{**cautions[cid], "heightened": cid in heightened, "heightened_because": heightened.get(cid, [])}
                 for cid in entries[ref["id"]]["cautions"]]
        return {"research_only": True, **record(ref["id"]), "because": ref["because"], "cautions": notes}

    def needs(ref: dict[str, Any]) -> dict[str, Any]:
        rule_id = ref["rule_id"]
        if rule_id in entries:
            return {"rule_id": rule_id, "title": entries[rule_id]["title"], "kind": entries[rule_id]["kind"],
                    "missing": ref["missing"]}
        return {"rule_id": rule_id, "title": trials[rule_id]["title"], "kind": "trial", "missing": ref["missing"]}

    report = {
        "research_only": True,
        "disclaimer": catalog["disclaimer"],
        "verdict": line["verdict"],
        "case_id": line["case_id"],
        "knowledge_base": line["knowledge_base"],
        "engine_version": line["engine_version"],
        "profile": line["profile"],
        "rationales": [rationale(r) for r in line["rationales"]],
        "context": [{"research_only": True, **record(c["id"]), "because": c["because"]} for c in line["context"]],
        "trials": [{**trials[t["nct_id"]], "because": t["because"]} for t in line["trials"]],
        "needs_information": [needs(n) for n in line["needs_information"]],
        "warnings": line["warnings"],
        "not_considered": line["not_considered"],
        "conclusion": catalog["conclusion"],
    }
    if "mapping" in line:
        report["mapping"] = line["mapping"]
    return report
