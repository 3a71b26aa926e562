"""Lenient reading: an invalid resource is skipped, named with every element at fault, and every
field it could have informed is left unknown (never decided from the other resources).

Integrators meet such records daily (two `value[x]`, an `interpretation` given as an object, an `_`
in `Bundle.id`); refusing the whole record for one of them loses everything else, while reading
around it silently would let the remaining resources decide a field the invalid one could have
contradicted. So what an invalid resource could have said is taken from its type and, when its raw
JSON has a readable `code`, from that code: an invalid Observation carrying the ER code makes ER
unknown even when another ER Observation says positive; an invalid Observation whose code cannot
be read makes every Observation-derived field unknown. `strict=True` (`--strict`) refuses instead,
as before.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..errors import Problem
from ..model.fields import UNKNOWN
from ..model.mapping import FieldSource
from .codes import (
    BMI,
    COMORBIDITIES,
    DIABETES_ICD10_PREFIXES,
    DIABETES_SNOMED,
    DISEASE_STATUS_CODES,
    ER_CODES,
    HER2_CODES,
    ICD10CM,
    LOINC,
    M_CATEGORY_OBSERVATIONS,
    PR_CODES,
    REGION_STUDIED,
    SERUM_IGF1,
    SNOMED,
    STAGE_GROUP_OBSERVATIONS,
    VARIANT_ASSESSMENT,
)

# Choice elements ([x]) of the resources read: a resource may give each in one form only.
CHOICES: dict[str, tuple[str, ...]] = {
    "Observation": ("value", "effective"), "Condition": ("onset", "abatement"),
    "MedicationRequest": ("medication", "reported"), "MedicationAdministration": ("medication", "effective"),
    "MedicationStatement": ("medication", "effective"), "Procedure": ("performed",),
    "Patient": ("deceased", "multipleBirth"),
}

_OBSERVATION_FIELDS = ("er_status", "pr_status", "her2_status", "her2_low", "stage", "metastatic_sites",
                       "visceral_disease", "pik3ca_mutation", "brca_mutation", "diabetes", "bmi", "serum_igf1",
                       "prior_therapies")
_CONDITION_FIELDS = ("stage", "treatment_intent", "metastatic_sites", "visceral_disease", "diabetes",
                     "prior_therapies")
_CARE_FIELDS = ("prior_therapies", "treatment_intent")
_BY_TYPE: dict[str, tuple[str, ...]] = {
    "Patient": ("sex",), "Condition": _CONDITION_FIELDS, "Observation": _OBSERVATION_FIELDS,
    "MedicationRequest": _CARE_FIELDS, "MedicationAdministration": _CARE_FIELDS,
    "MedicationStatement": _CARE_FIELDS, "Medication": ("prior_therapies",), "Procedure": _CARE_FIELDS,
}


@dataclass(frozen=True)
class Skipped:
    """An invalid resource left out: its label, type, the problems (one per element) and the
    (system, code) pairs of its raw `code`, or None when that could not be read."""

    label: str
    kind: str
    problems: tuple[Problem, ...]
    codes: tuple[tuple[str, str], ...] | None

    def fields(self) -> tuple[str, ...]:
        return informed_fields(self.kind, self.codes)


def choice_conflicts(data: Mapping[str, Any], kind: str) -> list[tuple[str, list[str]]]:
    """(path, keys) for each choice element given in more than one form: ("Observation",
    ["valueQuantity", "valueString"]); an Observation's components are checked too."""
    found = []
    for base in CHOICES.get(kind, ()):
        keys = sorted(k for k in data if k.startswith(base) and len(k) > len(base) and k[len(base)].isupper())
        if len(keys) > 1:
            found.append((kind, keys))
    if kind == "Observation" and isinstance(data.get("component"), list):
        for index, component in enumerate(data["component"]):
            if isinstance(component, Mapping):
                keys = sorted(k for k in component if k.startswith("value") and len(k) > 5 and k[5].isupper())
                if len(keys) > 1:
                    found.append((f"{kind}.component[{index}]", keys))
    return found


def raw_codes(data: Mapping[str, Any]) -> tuple[tuple[str, str], ...] | None:
    """The (system, code) pairs of a raw resource's `code`, or None when any part is not readable."""
    code = data.get("code")
    if not isinstance(code, Mapping) or not isinstance(code.get("coding", []), list):
        return None
    pairs = []
    for coding in code.get("coding", []):
        if not isinstance(coding, Mapping) or not isinstance(coding.get("system", ""), str) \
                or not isinstance(coding.get("code", ""), str):
            return None
        pairs.append((coding.get("system", ""), coding.get("code", "")))
    return tuple(pairs) or None


def _observation_fields(pair: tuple[str, str]) -> tuple[str, ...]:
    system, code = pair
    if system == LOINC:
        table = {**dict.fromkeys(ER_CODES, ("er_status",)), **dict.fromkeys(PR_CODES, ("pr_status",)),
                 **dict.fromkeys(HER2_CODES, ("her2_status", "her2_low")),
                 **dict.fromkeys((VARIANT_ASSESSMENT, REGION_STUDIED), ("pik3ca_mutation", "brca_mutation")),
                 BMI: ("bmi",), SERUM_IGF1: ("serum_igf1",),
                 **dict.fromkeys(DISEASE_STATUS_CODES, ("prior_therapies",))}
        if code in table:
            return table[code]
    if system == SNOMED and code == COMORBIDITIES:
        return ("diabetes",)
    if pair in STAGE_GROUP_OBSERVATIONS:
        return ("stage", "prior_therapies")
    if pair in M_CATEGORY_OBSERVATIONS:
        return ("stage", "metastatic_sites", "visceral_disease", "prior_therapies")
    return ()


_EVERY_FIELD = tuple(dict.fromkeys(f for fields in _BY_TYPE.values() for f in fields))


def _a_resource_type(kind: str) -> bool:
    from fhir.resources.R4B import get_fhir_model_class  # here: bundle.py says when the fhir extra is missing

    try:
        get_fhir_model_class(kind)
    except (ValueError, KeyError):
        return False
    return True


UNTYPED = "?"  # the kind of a JSON object with no resourceType (a value that is no object has kind "")


def informed_fields(kind: str, codes: tuple[tuple[str, str], ...] | None) -> tuple[str, ...]:
    """The profile fields a resource of this type and code could inform: every one for an object
    with no resourceType, or one that is not a FHIR R4 type (a misspelt "Observaton" could be
    anything); none for a value that is no object (null, a string), which holds nothing."""
    if not kind:
        return ()
    if kind == UNTYPED or not _a_resource_type(kind):
        return _EVERY_FIELD
    if kind == "Observation" and codes is not None:
        return tuple(dict.fromkeys(f for pair in codes for f in _observation_fields(pair)))
    if kind == "Condition" and codes is not None and codes and all(
            (s == SNOMED and c in DIABETES_SNOMED)
            or (s == ICD10CM and c.replace(".", "").upper().startswith(DIABETES_ICD10_PREFIXES)) for s, c in codes):
        return ("diabetes",)
    return _BY_TYPE.get(kind, ())


def leave_unknown(fields: list[FieldSource], skipped: list[Skipped], warnings: list[str]) -> list[FieldSource]:
    """The fields, with every one a skipped resource could have informed made unknown, and a warning
    for each skipped resource naming it, every element at fault and the fields left unknown."""
    by_field: dict[str, list[str]] = {}
    for item in skipped:
        informed = item.fields()
        for name in informed:
            by_field.setdefault(name, []).append(item.label)
        # Each element at fault is what follows the label ("Observation/er: Observation.valueString"),
        # whatever the label holds: an invalid id may itself hold ": ".
        at_fault = "; ".join(f"{p.location.removeprefix(f'{item.label}: ')}: {p.message}" for p in item.problems)
        left = ", ".join(informed) if informed else "none of the fields igfrules reads"
        warnings.append(f"{item.label} skipped, not valid FHIR R4 ({at_fault}); left unknown: {left}")
    out = []
    for source in fields:
        labels = by_field.get(source.field)
        if not labels:
            out.append(source)
            continue
        labels = list(dict.fromkeys(labels))
        out.append(FieldSource(field=source.field, value=UNKNOWN,
                               resources=tuple(dict.fromkeys([*source.resources, *labels])),
                               note=f"left unknown: {', '.join(labels)} could inform it and was skipped as not "
                                    "valid FHIR R4 (--strict refuses the record instead)"))
    return out
