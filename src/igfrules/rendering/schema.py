"""The JSON Schema of the case file, built from the field catalogue (the contract, defined once)."""

from __future__ import annotations

from typing import Any

from ..model.fields import FIELDS, SETTINGS, STAGE_RANGES, UNKNOWN, Kind
from ..model.vocabulary import vocabulary

_FLAG = {"oneOf": [{"type": "boolean"}, {"enum": [UNKNOWN]}]}


def case_schema() -> dict[str, Any]:
    properties: dict[str, Any] = {
        "case_id": {"type": "string", "description": "Free text identifying the case (optional)."}
    }
    for name, field in FIELDS.items():
        if field.derived_from:
            continue
        spec: dict[str, Any]
        if field.kind is Kind.ENUM:
            spec = {"enum": [*field.values, UNKNOWN]}
        elif field.kind is Kind.FLAG:
            spec = dict(_FLAG)
        elif field.kind is Kind.NUMBER:
            low, high = field.bounds or (0.0, 0.0)
            spec = {"oneOf": [{"type": "number", "minimum": low, "maximum": high}, {"enum": [UNKNOWN]}]}
        elif field.kind is Kind.STAGE:
            spec = {"enum": [*STAGE_RANGES, UNKNOWN]}
        elif field.kind is Kind.SITES:
            spec = {"oneOf": [{"type": "array", "items": {"enum": list(field.values)}, "uniqueItems": True},
                              {"enum": [UNKNOWN]}]}
        else:
            spec = _therapies_schema()
        spec["description"] = field.description + (
            " Words are case-insensitive." if field.kind in (Kind.ENUM, Kind.STAGE, Kind.SITES) else ""
        ) + " Left out means unknown."
        properties[name] = spec
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://igfrules.invalid/schema/case.json",
        "title": "igfrules case file",
        "description": ("One patient profile. RESEARCH USE ONLY. A field not named here is an error; "
                        "a field left out, or given as 'unknown', is unknown. Words are case-insensitive."),
        "type": "object",
        "additionalProperties": False,
        "properties": properties,
    }


def _therapies_schema() -> dict[str, Any]:
    agents = sorted(vocabulary().agents)
    agent = {
        "type": "string",
        "description": "A generic name, brand name or development code (case-insensitive).",
        "examples": agents,
    }
    item = {
        "oneOf": [
            agent,
            {
                "type": "object",
                "additionalProperties": False,
                "required": ["agent"],
                "properties": {
                    "agent": agent,
                    "setting": {"enum": [*SETTINGS, UNKNOWN]},
                    "progressed": dict(_FLAG),
                },
            },
        ]
    }
    return {"oneOf": [{"type": "array", "items": item}, {"enum": [UNKNOWN]}]}


def line_schema() -> dict[str, Any]:
    """The JSON Schema of a batch line by reference (rendering/reference_line.py)."""
    from ..model.mapping import SourceMapping
    from ..model.report import DISCLAIMER
    from .reference_line import LINE_FORMAT

    texts = {"type": "array", "items": {"type": "string"}}
    because = {**texts, "description": "The facts of the profile that make the condition true, in words."}
    case = case_schema()
    profile = {key: value for key, value in case.items() if key not in ("$schema", "$id", "title")}
    profile["description"] = "The case as read, in canonical form; unknown fields are left out."
    mapping = SourceMapping.model_json_schema(mode="serialization")  # its references are to "#/$defs/..."
    definitions = mapping.pop("$defs", {})
    mapping["description"] = ("Only for a case read from a FHIR Bundle: the resources each field came from "
                              "(as in the full report); absent otherwise.")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://igfrules.invalid/schema/batch-line.json",
        "title": "igfrules batch line by reference",
        "description": (
            "One case of `igfrules batch` (the default, --detail reference). RESEARCH USE ONLY. Every "
            "fact that belongs to the case is here; entries, trials and cautions are named by id and "
            "resolve against `igfrules rules --format json` for the same knowledge base (same sha256). "
            "A case that could not be evaluated is an error record instead (it has an 'error' key)."),
        "type": "object",
        "additionalProperties": False,
        "required": ["format", "research_only", "disclaimer", "verdict", "case_id", "knowledge_base",
                     "engine_version", "profile", "rationales", "context", "trials", "needs_information",
                     "warnings", "not_considered"],
        "properties": {
            "format": {"const": LINE_FORMAT},
            "research_only": {"const": True},
            "disclaimer": {"const": DISCLAIMER},
            "verdict": {"type": "string", "description": "One line computed from the rationales."},
            "case_id": {"type": ["string", "null"]},
            "knowledge_base": {
                "type": "object", "additionalProperties": False, "required": ["name", "version", "sha256"],
                "properties": {"name": {"type": "string"}, "version": {"type": "string"},
                               "sha256": {"type": "string", "pattern": "^[0-9a-f]{64}$"}},
            },
            "engine_version": {"type": "string"},
            "profile": profile,
            "rationales": {
                "type": "array", "description": "Rationales that apply, strongest evidence first.",
                "items": {
                    "type": "object", "additionalProperties": False,
                    "required": ["id", "because", "heightened_cautions"],
                    "properties": {
                        "id": {"type": "string", "description": "An entry id: entries[id] in the catalog."},
                        "because": because,
                        "heightened_cautions": {
                            "type": "array",
                            "description": "Cautions of this rationale that the profile makes weigh more; "
                                           "the others in the entry's catalog 'cautions' apply as written.",
                            "items": {"type": "object", "additionalProperties": False, "required": ["id", "because"],
                                      "properties": {"id": {"type": "string"}, "because": because}},
                        },
                    },
                },
            },
            "context": {
                "type": "array", "description": "Context notes (risk, biomarkers), never treatment rationales.",
                "items": {"type": "object", "additionalProperties": False, "required": ["id", "because"],
                          "properties": {"id": {"type": "string"}, "because": because}},
            },
            "trials": {
                "type": "array", "description": "Trials whose population the patient fits: trials[nct_id].",
                "items": {"type": "object", "additionalProperties": False, "required": ["nct_id", "because"],
                          "properties": {"nct_id": {"type": "string"}, "because": because}},
            },
            "needs_information": {
                "type": "array",
                "description": "Entries and trials whose result is unknown, and the fields that could change it.",
                "items": {"type": "object", "additionalProperties": False, "required": ["rule_id", "missing"],
                          "properties": {"rule_id": {"type": "string"}, "missing": texts}},
            },
            "warnings": {**texts, "description": "Inconsistencies within the profile (and, for a FHIR "
                                                 "case, disagreements between its sources)."},
            "not_considered": {**texts, "description": "Recorded therapies (agent names) and fields that no "
                                                       "condition of the knowledge base reads."},
            "mapping": mapping,
        },
        "$defs": definitions,
    }
