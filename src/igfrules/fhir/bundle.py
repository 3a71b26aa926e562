"""Reading resources with fhir.resources: a Bundle, or resources as a CDS Hooks prefetch holds them.

Validation is the library's (FHIR R4B models, identical to R4 for every resource read here). An
invalid resource is a CaseError naming the resource (type/id) and the path of the bad element.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from ..bounded_cache import BoundedCache
from ..canonical import canonical_json
from ..errors import CaseError, Problem, field_path

try:
    from fhir.resources.R4B import get_fhir_model_class
    from fhir_core.fhirabstractmodel import FHIRAbstractModel
except ImportError as err:  # pragma: no cover - exercised only without the extra
    raise ImportError("reading FHIR needs the fhir extra: pip install 'igfrules[fhir]'") from err

READ_TYPES = ("Patient", "Condition", "Observation", "MedicationRequest", "MedicationAdministration",
              "MedicationStatement", "Medication", "Procedure")


@dataclass
class Resources:
    """The validated resources of one record, by type, in the order given."""

    by_type: dict[str, list[Any]] = field(default_factory=dict)
    labels: dict[int, str] = field(default_factory=dict)  # id(resource) -> "Observation/er-1"
    urls: dict[str, Any] = field(default_factory=dict)  # fullUrl -> resource
    count: int = 0

    def of(self, resource_type: str) -> list[Any]:
        return self.by_type.get(resource_type, [])

    def label(self, resource: Any) -> str:
        return self.labels[id(resource)]

    def by_reference(self, reference: str | None) -> Any:
        """The resource a reference ("Medication/m1", "urn:uuid:...", "#contained") points to."""
        if not reference:
            return None
        for items in self.by_type.values():
            for resource in items:
                if self.labels[id(resource)] == reference or self.urls.get(reference) is resource:
                    return resource
        return None


def read_bundle(data: Mapping[str, Any], source: str) -> tuple[str | None, Resources]:
    """Validate a Bundle's resources; return its id and the resources."""
    entries = data.get("entry", [])
    if not isinstance(entries, list):
        raise CaseError(Problem(source, "Bundle.entry", "must be a list of entries"))
    raw: list[tuple[str, Any, str | None]] = []
    for index, entry in enumerate(entries):
        if not isinstance(entry, Mapping):
            raise CaseError(Problem(source, f"Bundle.entry[{index}]", "must be an object"))
        if "resource" in entry:
            raw.append((f"Bundle.entry[{index}].resource", entry["resource"], entry.get("fullUrl")))
    shell = {k: v for k, v in data.items() if k != "entry"}
    _validate(shell, "Bundle", source, "Bundle")
    bundle_id = data.get("id") if isinstance(data.get("id"), str) else None
    return bundle_id, read_resources(raw, source)


def read_resources(items: Iterable[tuple[str, Any, str | None]], source: str) -> Resources:
    """Validate each resource: (where it sits, the JSON object, its fullUrl or None)."""
    resources = Resources()
    problems: list[Problem] = []
    for where, data, full_url in items:
        if not isinstance(data, Mapping):
            problems.append(Problem(source, where, "a resource must be a JSON object"))
            continue
        kind = data.get("resourceType")
        ident = data.get("id")
        label = f"{kind}/{ident}" if isinstance(ident, str) and ident else f"{kind} at {where}"
        if not isinstance(kind, str):
            problems.append(Problem(source, where, "has no resourceType"))
            continue
        try:
            model = _validate(data, kind, source, label)
        except CaseError as err:
            problems.extend(err.problems)
            continue
        resources.count += 1
        if kind not in READ_TYPES:
            continue  # valid, and nothing the mapping reads
        resources.by_type.setdefault(kind, []).append(model)
        resources.labels[id(model)] = label
        if full_url:
            resources.urls[full_url] = model
    if problems:
        raise CaseError(problems)
    return resources


# Validated resources by their exact JSON, bounded: a chart opened again (the same patient-view
# prefetch, or the same resource in the next request) is not validated again. Validation is about
# 1 ms a resource, most of a request's time; a hit is a dictionary lookup. Models are never
# changed after validation, so sharing one between requests is safe.
_validated: BoundedCache[bytes, FHIRAbstractModel] = BoundedCache(4096)


def _validate(data: Mapping[str, Any], kind: str, source: str, label: str) -> FHIRAbstractModel:
    try:
        key = canonical_json(data)
    except (TypeError, ValueError, RecursionError):
        key = b""
    cached = _validated.get(key) if key else None
    if cached is not None:
        return cached
    model = _validate_uncached(data, kind, source, label)
    if key:
        _validated.put(key, model)
    return model


def _validate_uncached(data: Mapping[str, Any], kind: str, source: str, label: str) -> FHIRAbstractModel:
    try:
        model_class = get_fhir_model_class(kind)
    except (ValueError, KeyError):
        raise CaseError(Problem(source, label, f"{kind!r} is not a FHIR R4 resource type")) from None
    try:
        return model_class.model_validate(dict(data))
    except ValidationError as err:
        problems = []
        for error in err.errors(include_url=False):
            path = field_path(tuple(error["loc"]), prefix=kind)
            message = str(error["msg"]).removeprefix("Value error, ")
            problems.append(Problem(source, f"{label}: {path}", f"{message} (got {_short(error.get('input'))})"))
        raise CaseError(problems) from None
    except (KeyError, ValueError, TypeError) as err:  # the library's own refusals, e.g. a nested unknown type
        raise CaseError(Problem(source, label, f"not a valid {kind}: {err}")) from None
    except RecursionError:
        raise CaseError(Problem(source, label, "nested too deeply")) from None


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
