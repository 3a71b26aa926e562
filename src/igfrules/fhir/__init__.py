"""FHIR R4 (US Core + mCODE STU3) Bundles -> PatientProfile, with where each field came from.

Owns: validating a Bundle (or a list of resources, as a CDS Hooks prefetch gives them) with
fhir.resources, and mapping its resources to the profile fields, field by field, with the ids of
the resources each value came from (docs/fhir.md lists every code read).

May import the profile, fields, vocabulary and errors; never the engine, the renderers or the
service. fhir.resources is an install extra (`igfrules[fhir]`): it is imported only when a Bundle
is read.
"""

from .mapping import FieldSource, MappedCase, SourceMapping, UnrecognisedMedicine

__all__ = ["FieldSource", "MappedCase", "SourceMapping", "UnrecognisedMedicine"]
