"""Already-canonical cases skip the validators; everything else is validated exactly as before."""

from __future__ import annotations

from typing import Any

import pytest

from igfrules.model.patient import PatientProfile, PriorTherapy
from igfrules.model.report import KnowledgeBaseInfo, NeedsInformation
from igfrules.model.trusted import construct
from igfrules.model.typed_input import typed_profile

CANONICAL = {"case_id": "c-1", "er_status": "positive", "stage": "IIIA", "bmi": 27, "diabetes": False,
             "prior_therapies": ["tamoxifen", {"agent": "trastuzumab", "setting": None, "progressed": True}]}


def test_a_canonical_case_is_built_as_the_validators_would_build_it() -> None:
    typed = typed_profile(CANONICAL)
    validated = PatientProfile.model_validate(CANONICAL)
    assert typed is not None
    assert typed == validated and typed.__dict__ == validated.__dict__
    assert typed.model_fields_set == validated.model_fields_set
    assert type(typed.bmi) is float
    for mine, theirs in zip(typed.prior_therapies, validated.prior_therapies, strict=True):  # type: ignore[arg-type]
        assert mine.model_fields_set == theirs.model_fields_set


@pytest.mark.parametrize("change", [
    {"er_status": "Positive"}, {"er_status": None}, {"stage": "stage IV"}, {"stage": 0}, {"bmi": True},
    {"bmi": 95.0}, {"bmi": float("nan")}, {"diabetes": 1}, {"diabetes": "true"}, {"case_id": 12},
    {"case_id": "tab\there"}, {"case_id": "café"}, {"her2_stauts": "negative"},
    {"prior_therapies": ["Herceptin"]}, {"prior_therapies": [{"agent": "tamoxifen", "progressed": 1}]},
    {"prior_therapies": [{"agent": "tamoxifen", "line": 2}]}, {"prior_therapies": [["tamoxifen"]]},
    {"prior_therapies": "tamoxifen"},
])
def test_anything_else_goes_to_the_validators(change: dict[str, Any]) -> None:
    assert typed_profile({**CANONICAL, **change}) is None


def test_only_plain_dicts_take_the_fast_path() -> None:
    from types import MappingProxyType

    assert typed_profile(MappingProxyType(CANONICAL)) is None


@pytest.mark.parametrize(("cls", "values"), [
    (KnowledgeBaseInfo, {"name": "kb", "version": "1", "sha256": "0" * 64}),
    (NeedsInformation, {"rule_id": "RAT-X", "title": "t", "kind": "trial", "missing": ("bmi",)}),
    (PriorTherapy, {"agent": "tamoxifen"}),
    (PriorTherapy, {"agent": "tamoxifen", "progressed": False}),
])
def test_construct_equals_model_construct(cls: Any, values: dict[str, Any]) -> None:
    fast, slow = construct(cls, dict(values)), cls.model_construct(**values)
    assert fast.__dict__ == slow.__dict__ and list(fast.__dict__) == list(slow.__dict__)
    assert fast.model_fields_set == slow.model_fields_set
    assert fast.model_dump_json() == slow.model_dump_json()


def test_construct_refuses_a_missing_or_unknown_field() -> None:
    with pytest.raises(TypeError, match="missing sha256"):
        construct(KnowledgeBaseInfo, {"name": "kb", "version": "1"})
    with pytest.raises(TypeError, match="unknown size"):
        construct(KnowledgeBaseInfo, {"name": "kb", "version": "1", "sha256": "0", "size": 3})
