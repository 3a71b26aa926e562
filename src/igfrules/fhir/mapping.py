"""What a Bundle mapping produced: the profile, and where each field came from.

These models are plain pydantic and import nothing from fhir.resources, so a Report can carry a
mapping without the FHIR extra installed. The JSON output's `mapping` key is a `SourceMapping`.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from ..patient import PatientProfile

_FROZEN = ConfigDict(extra="forbid", frozen=True)


class FieldSource(BaseModel):
    """One profile field: the value read, the resources it came from, and how it was read."""

    model_config = _FROZEN
    field: str
    value: Any  # as the profile holds it: "positive", true, "IIB", "unknown", or a therapy list
    resources: tuple[str, ...] = ()  # "Observation/er-1", in the order they were read
    note: str = ""  # the codes and rule that decided the value, or why it is unknown


class UnrecognisedMedicine(BaseModel):
    """A cancer-related medicine that matched no agent of the vocabulary: listed, never fatal."""

    model_config = _FROZEN
    resource: str
    text: str


class SourceMapping(BaseModel):
    model_config = _FROZEN
    format: Literal["FHIR R4 Bundle"] = "FHIR R4 Bundle"
    bundle_id: str | None = None
    resources: int = 0  # how many resources were read
    fields: tuple[FieldSource, ...] = ()
    unrecognised_medicines: tuple[UnrecognisedMedicine, ...] = ()
    warnings: tuple[str, ...] = ()  # disagreements between sources, and what was chosen

    def source(self, field: str) -> FieldSource | None:
        return next((f for f in self.fields if f.field == field), None)


class MappedCase(BaseModel):
    """A case read from FHIR: the profile the rules see, and the mapping that produced it."""

    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)
    profile: PatientProfile
    mapping: SourceMapping
