"""Reading resources with fhir.resources: a Bundle, or resources as a CDS Hooks prefetch holds them.

Validation is the library's (FHIR R4B models, identical to R4 for every resource read here), with
one check of ours: a choice element given in two forms names both (the library names neither). An
invalid resource is skipped and recorded (`Resources.skipped`, read by lenient.py), or, with
`strict=True`, a CaseError naming the resource (type/id) and the path of every bad element. The
Bundle envelope's own errors (an `_` in `Bundle.id`) are a note, or with `strict=True` an error.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from ..bounded_cache import BoundedCache
from ..canonical import canonical_json
from ..errors import CaseError, Problem, field_path
from .deadline import check_deadline
from .lenient import UNTYPED, Skipped, choice_conflicts, raw_codes

try:
    from fhir.resources.R4B import get_fhir_model_class
    from fhir_core.fhirabstractmodel import FHIRAbstractModel
except ImportError as err:  # pragma: no cover - exercised only without the extra
    raise ImportError("reading FHIR needs the fhir extra: pip install 'igfrules[fhir]'") from err

READ_TYPES = ("Patient", "Condition", "Observation", "MedicationRequest", "MedicationAdministration",
              "MedicationStatement", "Medication", "Procedure")
# Bundle.type: what a record can be read as. A collection, a search's results, a transaction or
# batch (how exports such as Synthea write a chart) and a document (one attested snapshot) hold
# facts that stand together. A history holds old versions of the same resources, a message a
# payload about an event, and a *-response the outcome of a request: reading any of them as one
# chart would make superseded or foreign versions concurrent facts.
CHART_BUNDLE_TYPES = frozenset({"collection", "searchset", "transaction", "batch", "document"})
_HISTORY = re.compile(r"/_history/[^/]*$")
_TYPED = re.compile(r"(?:^|/)([A-Z][A-Za-z]+)/([A-Za-z0-9\-.]{1,64})$")


def reference_key(reference: str) -> str:
    """A reference as the index knows it: without a version (`Patient/p/_history/2` is `Patient/p`)."""
    return _HISTORY.sub("", reference)


def reference_type(reference: str) -> str | None:
    """The resource type a literal reference names ("Patient" for `Patient/p` or
    `http://x/fhir/Patient/p`); None for `urn:uuid:...`, `#contained` or anything else."""
    match = _TYPED.search(reference_key(reference))
    return match.group(1) if match else None


@dataclass
class Resources:
    """The validated resources of one record, by type, in the order given, with an index from
    every form of reference (`Type/id`, the entry's fullUrl, an absolute URL ending in `Type/id`,
    any of them with `/_history/N`) to its resource: each lookup is one dictionary access, so a
    record of 100,000 entries resolves its references in linear time."""

    source: str = "<bundle>"
    by_type: dict[str, list[Any]] = field(default_factory=dict)
    labels: dict[int, str] = field(default_factory=dict)  # id(resource) -> "Observation/er-1"
    index: dict[str, Any] = field(default_factory=dict)  # "Type/id" and fullUrl -> resource
    count: int = 0
    lookups: int = 0  # reference lookups made: the linearity tests count them
    skipped: list[Skipped] = field(default_factory=list)  # invalid resources left out (lenient reading)
    notes: list[str] = field(default_factory=list)  # warnings about the record itself (the Bundle envelope)

    def of(self, resource_type: str) -> list[Any]:
        return self.by_type.get(resource_type, [])

    def all(self) -> list[Any]:
        return [resource for items in self.by_type.values() for resource in items]

    def label(self, resource: Any) -> str:
        return self.labels[id(resource)]

    def add(self, resource: Any, label: str, full_url: str | None) -> None:
        self.by_type.setdefault(resource.get_resource_type(), []).append(resource)
        self.labels[id(resource)] = label
        self.index.setdefault(label, resource)
        if full_url:
            key = reference_key(full_url)
            self.index.setdefault(key, resource)
            if match := _TYPED.search(key):  # "http://x/fhir/Patient/p" also answers "Patient/p"
                self.index.setdefault(f"{match.group(1)}/{match.group(2)}", resource)

    def by_reference(self, reference: str | None, within: Any = None) -> Any:
        """The resource a reference ("Medication/m1", "urn:uuid:...", an absolute URL, or
        "#m1", contained in `within`) points to, or None."""
        if not reference:
            return None
        self.lookups += 1
        if reference.startswith("#"):
            return next((c for c in (getattr(within, "contained", None) or []) if c.id == reference[1:]), None)
        key = reference_key(reference)
        found = self.index.get(key)
        if found is None and (match := _TYPED.search(key)):
            found = self.index.get(f"{match.group(1)}/{match.group(2)}")
        return found

    def resolve(self, referrer: Any, element: str, reference: Any, expected: str) -> Any:
        """The resource of type `expected` a Reference names, or None when it is not in the record.
        A reference to a resource of another type is an error naming the resource and the element:
        a Patient where a Medication belongs is a broken record, never a medicine."""
        text = getattr(reference, "reference", None) if reference is not None else None
        if not text:
            return None
        named = reference_type(text) or getattr(reference, "type", None)
        found = self.by_reference(text, within=referrer)
        kind = found.get_resource_type() if found is not None else named
        if kind is not None and kind != expected:
            where = self.labels.get(id(referrer), referrer.get_resource_type())
            raise CaseError(Problem(self.source, f"{where}: {referrer.get_resource_type()}.{element}",
                                    f"refers to {text!r}, a {kind}; a {expected} is needed here"))
        return found


def read_bundle(data: Mapping[str, Any], source: str, *, strict: bool = False) -> tuple[str | None, Resources]:
    """Validate a Bundle's resources; return its id and the resources. Lenient unless `strict`."""
    entries = data.get("entry", [])
    if not isinstance(entries, list):
        raise CaseError(Problem(source, "Bundle.entry", "must be a list of entries"))
    raw: list[tuple[str, Any, str | None]] = []
    envelope: list[Problem] = []
    for index, entry in enumerate(entries):
        if not isinstance(entry, Mapping):
            envelope.append(Problem(source, f"Bundle.entry[{index}]", "must be an object"))
        elif "resource" in entry:
            full_url = entry.get("fullUrl")
            raw.append((f"Bundle.entry[{index}].resource", entry["resource"], full_url if isinstance(full_url, str)
                        else None))
    shell = {k: v for k, v in data.items() if k != "entry"}
    try:
        _validate(shell, "Bundle", source, "Bundle")
    except CaseError as err:
        envelope.extend(err.problems)
    if envelope and strict:
        raise CaseError(envelope)
    kind = data.get("type")
    if kind not in CHART_BUNDLE_TYPES:
        raise CaseError(Problem(source, "Bundle.type", f"{kind!r} is not a chart igfrules can read: a "
                                f"{kind} Bundle does not hold one patient's current facts; give a "
                                + ", ".join(sorted(CHART_BUNDLE_TYPES))))
    bundle_id = data.get("id") if isinstance(data.get("id"), str) else None
    resources = read_resources(raw, source, strict=strict)
    resources.notes.extend(f"the Bundle itself: {p.location}: {p.message}; read anyway" for p in envelope)
    return bundle_id, resources


def read_resources(items: Iterable[tuple[str, Any, str | None]], source: str, *, strict: bool = False) -> Resources:
    """Validate each resource: (where it sits, the JSON object, its fullUrl or None).

    An invalid resource is recorded in `skipped` (lenient.py leaves what it could inform unknown);
    with `strict`, every invalid resource of the record is an error, reported at once. The same
    resource given twice (a Medication that two prefetch keys include, or one entry repeated) is
    read once; two different resources with one `Type/id`, or one fullUrl, are an error naming
    both places: taking either would be a guess."""
    resources = Resources(source=source)
    problems: list[Problem] = []
    seen: dict[str, tuple[bytes, str]] = {}  # "Type/id" or fullUrl -> (its JSON, where it sits)
    contents: set[bytes] = set()  # every resource's JSON: one repeated without an id is read once too
    for where, data, full_url in items:
        check_deadline()
        kind, label, codes = "", where, None
        if not isinstance(data, Mapping):
            invalid = [Problem(source, where, "a resource must be a JSON object")]
        else:
            named, ident = data.get("resourceType"), data.get("id")
            typed = named if isinstance(named, str) and named else "Resource"  # not "None/er-2"
            label = f"{typed}/{ident}" if isinstance(ident, str) and ident else f"{typed} at {where}"
            codes = raw_codes(data)
            kind = named if isinstance(named, str) else ""
            invalid = [] if kind else [Problem(source, where, "has no resourceType")]
        if not invalid:
            try:
                model, key = _validate_keyed(data, kind, source, label)
            except CaseError as err:
                invalid = list(err.problems)
        if invalid:
            if strict:
                problems.extend(invalid)
            else:
                untyped = UNTYPED if isinstance(data, Mapping) and not kind else kind
                resources.skipped.append(Skipped(label, untyped, tuple(invalid), codes))
            continue
        if key and key in contents:
            continue  # the same resource again: read once
        contents.add(key)
        names = [n for n in (label if isinstance(ident, str) and ident else None,
                             reference_key(full_url) if isinstance(full_url, str) and full_url else None) if n]
        clash = next(((name, seen[name]) for name in names if name in seen), None)
        if clash is not None:
            name, (first_key, first_where) = clash
            if first_key != key or not key:
                problems.append(Problem(source, f"{label} at {where}", f"a different resource with the same "
                                        f"{'id' if name == label else 'fullUrl'} as the one at {first_where}; "
                                        "give each resource once, with its own id"))
            continue  # the same resource again: read once
        seen.update((name, (key, where)) for name in names)
        resources.count += 1
        if kind not in READ_TYPES:
            continue  # valid, and nothing the mapping reads
        resources.add(model, label, full_url if isinstance(full_url, str) else None)
    if problems:
        raise CaseError(problems)
    return resources


# Validated resources by their exact JSON, bounded: a chart opened again (the same patient-view
# prefetch, or the same resource in the next request) is not validated again. Validation is about
# 1 ms a resource, most of a request's time; a hit is a dictionary lookup. Models are never
# changed after validation, so sharing one between requests is safe.
# Bounded by count and by the bytes of the resources' JSON (a validated model holds a few times
# its JSON), so that a few requests of very large resources cannot pin the process's memory.
VALIDATED_MAX_JSON_BYTES = 8 * 1024 * 1024
_validated: BoundedCache[bytes, FHIRAbstractModel] = BoundedCache(4096, max_bytes=VALIDATED_MAX_JSON_BYTES)


def _validate(data: Mapping[str, Any], kind: str, source: str, label: str) -> FHIRAbstractModel:
    return _validate_keyed(data, kind, source, label)[0]


def _validate_keyed(data: Mapping[str, Any], kind: str, source: str, label: str) -> tuple[FHIRAbstractModel, bytes]:
    """The model, and the resource's canonical JSON (b"" when it has none)."""
    try:
        key = canonical_json(data)
    except (TypeError, ValueError, RecursionError):
        key = b""
    cached = _validated.get(key) if key else None
    if cached is not None:
        return cached, key
    model = _validate_uncached(data, kind, source, label)
    if key:
        _validated.put(key, model, len(key))
    return model, key


def _validate_uncached(data: Mapping[str, Any], kind: str, source: str, label: str) -> FHIRAbstractModel:
    try:
        model_class = get_fhir_model_class(kind)
    except (ValueError, KeyError):
        raise CaseError(Problem(source, label, f"{kind!r} is not a FHIR R4 resource type")) from None
    conflicts = choice_conflicts(data, kind)
    problems = [Problem(source, f"{label}: {', '.join(f'{path}.{key}' for key in keys)}",
                        f"a choice element given {len(keys)} ways; give one") for path, keys in conflicts]
    if conflicts:  # validated without them, so that every other element at fault is named too
        data = _without(data, conflicts, kind)
    try:
        model = model_class.model_validate(dict(data))
    except ValidationError as err:
        for error in err.errors(include_url=False):
            path = field_path(tuple(error["loc"]), prefix=kind)
            message = str(error["msg"]).removeprefix("Value error, ")
            got = "" if kind in _IDENTIFYING else f" (got {_short(error.get('input'))})"
            problems.append(Problem(source, f"{label}: {path}", f"{message}{got}"))
        raise CaseError(problems) from None
    except (KeyError, ValueError, TypeError) as err:  # the library's own refusals, e.g. a nested unknown type
        raise CaseError(Problem(source, label, f"not a valid {kind}: {err}")) from None
    except RecursionError:
        raise CaseError(Problem(source, label, "nested too deeply")) from None
    if problems:
        raise CaseError(problems)
    return model


def _without(data: Mapping[str, Any], conflicts: list[tuple[str, list[str]]], kind: str) -> dict[str, Any]:
    """The resource without the choice elements given several ways (top level and components)."""
    top = {key for path, keys in conflicts if path == kind for key in keys}
    out = {k: v for k, v in data.items() if k not in top}
    inner = {path: set(keys) for path, keys in conflicts if path != kind}
    if inner and isinstance(out.get("component"), list):
        out["component"] = [{k: v for k, v in c.items() if k not in inner.get(f"{kind}.component[{i}]", set())}
                            if isinstance(c, Mapping) else c for i, c in enumerate(out["component"])]
    return out


# Resources about a person: a value at fault (a name, a birth date, an address) is not echoed.
_IDENTIFYING = frozenset({"Patient", "RelatedPerson", "Person", "Practitioner"})


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
