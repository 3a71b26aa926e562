"""`igfrules verify REPORT.json`: is this report what its stamped knowledge base and engine say?

The profile a JSON report stamps (with its mapping, for a FHIR Bundle's report) is evaluated again
with the knowledge base it names (found by its sha256 among the shipped versions) and compared with
the report, part by part: "identical", or every difference with where it is. What cannot be redone
is said plainly: a knowledge base not shipped (1.0.0 cited a working note and never ships), or
content other than the released one; an engine of another version (the report is re-evaluated with
this one, and the differences may be the engine's).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .._version import __version__
from ..documents.bounded_read import read_limited
from ..documents.strict_json import DocumentError, parse_json
from ..errors import CaseError, Problem
from ..evaluation.evaluate import evaluate
from ..evaluation.loading import load_knowledge_base
from ..knowledge.releases import by_sha256, shipped, unavailable_reason

# Lists of records compared by their id, so a difference names the record, not a position.
KEYS = ("id", "nct_id", "rule_id")


@dataclass(frozen=True)
class Difference:
    where: str  # "rationales.RAT-X.evidence.level": a list of records is keyed by their ids
    stamped: str  # the report's value, as JSON ("" when absent)
    now: str  # the value evaluated again


@dataclass(frozen=True)
class Verification:
    report: str
    version: str
    sha256: str
    engine_stamped: str
    engine_now: str
    unavailable: str | None  # why the knowledge base cannot be had; nothing was evaluated
    differences: tuple[Difference, ...] = ()
    # What applies, part by part: the ids only the report has, and those only today's evaluation has
    # (an engine of another version words things differently; this says whether what applies moved).
    applies_differently: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...] = ()

    @property
    def identical(self) -> bool:
        return self.unavailable is None and self.engine_stamped == self.engine_now and not self.differences


def verify_report(path: str | Path) -> Verification:
    """Evaluate the report's stamped profile again and compare; a file that is no igfrules JSON
    report is a CaseError naming the field."""
    name = str(path)
    try:
        data = parse_json(read_limited(Path(path)).decode("utf-8"))
    except (DocumentError, UnicodeDecodeError) as err:
        raise CaseError(Problem(name, "", f"not a JSON report: {err}")) from None
    stamp = data.get("knowledge_base") if isinstance(data, dict) else None
    if not isinstance(stamp, dict) or not all(isinstance(stamp.get(k), str) for k in ("version", "sha256")) \
            or not isinstance(data.get("profile"), dict) or not isinstance(data.get("engine_version"), str):
        raise CaseError(Problem(name, "knowledge_base", "not an igfrules JSON report: it needs knowledge_base "
                                "(version, sha256), engine_version and profile (`evaluate --format json`)"))
    version, sha256, engine = stamp["version"], stamp["sha256"], data["engine_version"]
    reason = unavailable_reason(version, sha256)
    if reason is not None:
        return Verification(name, version, sha256, engine, __version__, reason)
    kb = load_knowledge_base(shipped()[by_sha256()[sha256]], use_cache=True)
    again = evaluate(_case(data, name), kb).model_dump(mode="json")
    stamped = data
    return Verification(name, version, sha256, engine, __version__, None, tuple(_differences(stamped, again, "")),
                        _applies_differently(stamped, again))


PARTS = (("rationales", "id"), ("context", "id"), ("trials", "nct_id"), ("needs_information", "rule_id"))


def _applies_differently(was: dict[str, Any], now: dict[str, Any]) -> tuple[tuple[str, tuple[str, ...],
                                                                                   tuple[str, ...]], ...]:
    found = []
    for part, key in PARTS:
        before = {str(i.get(key)) for i in was.get(part, []) if isinstance(i, dict)}
        after = {str(i.get(key)) for i in now.get(part, []) if isinstance(i, dict)}
        if before != after:
            found.append((part, tuple(sorted(before - after)), tuple(sorted(after - before))))
    return tuple(found)


def _case(data: dict[str, Any], name: str) -> Any:
    """The stamped profile; for a report of a FHIR Bundle, with the mapping it stamps (whose
    disagreements between sources are the report's warnings too): the Bundle is not read again."""
    if "mapping" not in data:
        return data["profile"]
    from pydantic import ValidationError

    from ..evaluation.evaluate import to_profile
    from ..model.mapping import MappedCase, SourceMapping

    try:
        return MappedCase(profile=to_profile(data["profile"]), mapping=SourceMapping.model_validate(data["mapping"]))
    except ValidationError as err:
        raise CaseError(Problem(name, "mapping", f"not the mapping of an igfrules report: {err.errors()[0]['msg']}"))\
            from None


def _differences(was: Any, now: Any, where: str) -> list[Difference]:
    if isinstance(was, dict) and isinstance(now, dict):
        found = []
        for key in [*was, *(k for k in now if k not in was)]:
            found += _differences(was.get(key, _ABSENT), now.get(key, _ABSENT), f"{where}.{key}" if where else key)
        return found
    if isinstance(was, list) and isinstance(now, list):
        key = _key(was + now)
        if key is not None:
            return _differences({str(i[key]): i for i in was}, {str(i[key]): i for i in now}, where)
        if len(was) == len(now):
            pairs = enumerate(zip(was, now, strict=True))
            return [d for i, (a, b) in pairs for d in _differences(a, b, f"{where}[{i}]")]
    if was == now:
        return []
    return [Difference(where, _shown(was), _shown(now))]


def _key(items: list[Any]) -> str | None:
    for key in KEYS:
        if items and all(isinstance(i, dict) and isinstance(i.get(key), str) for i in items):
            return key
    return None


_ABSENT = object()


def _shown(value: Any) -> str:
    import json

    return "" if value is _ABSENT else json.dumps(value, ensure_ascii=False)
