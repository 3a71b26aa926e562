"""FHIR R4 (US Core + mCODE STU3) Bundles -> PatientProfile, with where each field came from.

Owns: validating a Bundle (or a list of resources, as a CDS Hooks prefetch gives them) with
fhir.resources, and mapping its resources to the profile fields, field by field, with the ids of
the resources each value came from (docs/fhir.md lists every code read).

May import: model, inputs, errors and the small helpers at the top (canonical, bounded_cache).
Never imports: engine, rendering, knowledge, evaluation, cohort, service, cli
"""

from ..model.mapping import FieldSource, MappedCase, SourceMapping, UnrecognisedMedicine

__all__ = ["FieldSource", "MappedCase", "SourceMapping", "UnrecognisedMedicine"]
