"""What a Bundle mapping produced: the profile, and where each field came from.

These models are plain pydantic and import nothing from fhir.resources, so a Report can carry a
mapping without the FHIR extra installed. The JSON output's `mapping` key is a `SourceMapping`.
"""

# No `from __future__ import annotations` in this module: pydantic would have to evaluate every
# annotation string when it creates each model class, about a third of this module's import
# time on every start; real annotations are read as they are.

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from .patient import PatientProfile

# defer_build: validators are built when first used, not at import; report.py imports these
# models, so building them eagerly cost every `igfrules evaluate` of a case file its start.
_FROZEN = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class FieldSource(BaseModel):
    """One profile field: the value read, the resources it came from, and how it was read."""

    model_config = _FROZEN
    field: str = Field(description="The case-file field, e.g. er_status.")
    value: Any = Field(description='The value as the profile holds it: "positive", true, "IIB", "unknown", '
                       "or a list of prior therapies.")
    resources: tuple[str, ...] = Field(default=(), description='The resources it came from, in the order read '
                                       '("Observation/er-1").')
    note: str = Field(default="", description="The codes and rule that decided the value, or why it is unknown.")


class UnrecognisedMedicine(BaseModel):
    """A cancer-related medicine that matched no agent of the vocabulary: listed, never fatal."""

    model_config = _FROZEN
    resource: str = Field(description='The resource that named it ("MedicationRequest/m-1").')
    text: str = Field(description="The medication's text or display as the record gives it.")


class SourceMapping(BaseModel):
    """Where each field of a case read from a FHIR Bundle came from (the JSON output's `mapping`)."""

    model_config = _FROZEN
    format: Literal["FHIR R4 Bundle"] = Field(default="FHIR R4 Bundle", description="What was read.")
    bundle_id: str | None = Field(default=None, description="The Bundle's id, or null.")
    resources: int = Field(default=0, description="How many resources were read.")
    fields: tuple[FieldSource, ...] = Field(default=(), description="Every profile field, with its sources.")
    unrecognised_medicines: tuple[UnrecognisedMedicine, ...] = Field(
        default=(), description="Cancer-related medicines that matched no known agent: listed, never fatal.")
    warnings: tuple[str, ...] = Field(default=(), description="Disagreements between sources, and what was chosen.")

    def source(self, field: str) -> FieldSource | None:
        return next((f for f in self.fields if f.field == field), None)


class MappedCase(BaseModel):
    """A case read from FHIR: the profile the rules see, and the mapping that produced it."""

    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True, defer_build=True)
    profile: PatientProfile
    mapping: SourceMapping
