"""A case as a user gives it (a path, bytes, standard input or a parsed document), in either format.

A case file (YAML or JSON fields) becomes a PatientProfile; a FHIR Bundle (`"resourceType":
"Bundle"`) becomes a MappedCase: the profile with where each field came from. This is the one place
that tells the two apart, so that inputs/ (case files) and fhir/ (Bundles) never import each other.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from ..errors import CaseError, Problem
from ..inputs.caseio import document_from_bytes, document_from_path, document_from_stream, is_bundle
from ..model.patient import PatientProfile
from ..model.validation import IN_MEMORY, profile_from_mapping

if TYPE_CHECKING:
    from ..model.mapping import MappedCase


def read_case(path: str | Path) -> PatientProfile:
    """A case file or a FHIR Bundle, as the profile the rules see."""
    case = read_input(path)
    return case if isinstance(case, PatientProfile) else case.profile


def read_input(path: str | Path, *, strict: bool = False) -> PatientProfile | MappedCase:
    """A case file as a profile; a FHIR Bundle as a profile with the mapping that says where each
    field came from. `strict`: a Bundle with an invalid resource is refused, not read around."""
    return input_from_document(document_from_path(Path(path)), source=str(path), strict=strict)


def case_from_stream(stream: BinaryIO | None, *, source: str = "<stdin>",
                     strict: bool = False) -> PatientProfile | MappedCase:
    """A case from standard input (None when it is closed), read through the bounded reader."""
    return input_from_document(document_from_stream(stream, source=source), source=source, strict=strict)


def case_from_bytes(data: bytes, *, source: str = IN_MEMORY, suffix: str = "") -> PatientProfile | MappedCase:
    return input_from_document(document_from_bytes(data, source=source, suffix=suffix), source=source)


def input_from_document(data: Any, *, source: str = IN_MEMORY, strict: bool = False) -> PatientProfile | MappedCase:
    """A parsed case file or Bundle. A Bundle is read leniently (an invalid resource is skipped with a
    warning, and what it could inform is unknown) unless `strict`, which refuses it."""
    if not is_bundle(data):
        return profile_from_mapping(data, source=source)
    try:
        from ..fhir.profile import map_bundle  # only a Bundle needs the fhir extra
    except ImportError:
        raise CaseError(Problem(source, "", "this is a FHIR Bundle; reading one needs the fhir extra: "
                                            "pip install 'igfrules[fhir]'")) from None
    return map_bundle(data, source=source, strict=strict)
