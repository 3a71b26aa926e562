"""The JSON Schema of the case file, built from the field catalogue (the contract, defined once)."""

from __future__ import annotations

from typing import Any

from .fields import FIELDS, SETTINGS, STAGE_RANGES, UNKNOWN, Kind
from .vocabulary import vocabulary

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
        else:
            spec = _therapies_schema()
        spec["description"] = field.description + (
            " Words are case-insensitive." if field.kind in (Kind.ENUM, Kind.STAGE) else ""
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
