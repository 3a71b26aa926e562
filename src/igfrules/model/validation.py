"""A mapping of case fields becomes a PatientProfile, or a list of problems a person can act on.

Shared by every reader of cases (case files, FHIR Bundles mapped to fields, the knowledge base's
own example profiles): one place decides what a valid profile is and how a wrong one is reported.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from ..errors import CaseError, Problem, field_path
from .fields import INPUT_FIELDS
from .patient import PatientProfile
from .typed_input import typed_profile

IN_MEMORY = "<case>"


def profile_from_mapping(data: Any, *, source: str = IN_MEMORY) -> PatientProfile:
    typed = typed_profile(data)  # already canonical: nothing for the validators to change
    if typed is not None:
        return typed
    if not isinstance(data, Mapping):
        kind = type(data).__name__ if data is not None else "nothing"
        raise CaseError(Problem(source, "", f"the top level must be a mapping of fields, not {kind}"))
    non_text = [k for k in data if not isinstance(k, str)]
    if non_text:
        raise CaseError(Problem(source, "", f"field names must be text, not {non_text[0]!r}"))
    try:
        return PatientProfile.model_validate(data)
    except ValidationError as err:
        raise CaseError(problems_from_validation(err, source, data)) from None
    except RecursionError:
        raise CaseError(Problem(source, "", "the case is nested too deeply")) from None


def problems_from_validation(err: ValidationError, source: str, data: Any) -> list[Problem]:
    problems: dict[tuple[str, str], Problem] = {}
    errors = err.errors(include_url=False)
    data = dict(data)
    branch_errors = {field_path(e["loc"], data=data) for e in errors if not _is_unknown_branch(e["loc"])}
    for error in errors:
        path = field_path(error["loc"], data=data)
        if _is_unknown_branch(error["loc"]) and any(b.startswith(path) for b in branch_errors):
            continue  # the list branch explains the real problem; "should be 'unknown'" is noise
        problem = _problem(error, path, source)
        problems.setdefault((problem.location, problem.message), problem)
    return sorted(problems.values(), key=lambda p: p.location)


def _is_unknown_branch(loc: tuple[Any, ...]) -> bool:
    return any(isinstance(part, str) and part.startswith("literal[") for part in loc)


def _problem(error: Any, path: str, source: str) -> Problem:
    kind, value = error["type"], error.get("input")
    if kind == "extra_forbidden":
        field = str(error["loc"][-1])
        allowed = INPUT_FIELDS if len(error["loc"]) == 1 else ("agent", "setting", "progressed")
        import difflib  # only for a misspelt field

        close = difflib.get_close_matches(field, allowed, n=1)
        hint = f"did you mean {close[0]}?" if close else ""
        return Problem(source, path, f"unknown field; allowed fields: {', '.join(allowed)}", hint)
    if kind == "literal_error":
        allowed = error["ctx"]["expected"].replace("'", "").replace(" or ", ", ")
        return Problem(source, path, f"{value!r} is not one of {allowed}")
    if kind == "missing":
        return Problem(source, path, "is required")
    if kind == "value_error":
        return Problem(source, path, str(error["msg"]).removeprefix("Value error, "))
    if kind in ("string_type", "model_type", "dict_type", "tuple_type", "list_type"):
        return Problem(source, path, f"{value!r} has the wrong type: {error['msg'].lower()}")
    return Problem(source, path, f"{error['msg']} (got {value!r})")
