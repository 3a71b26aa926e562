from __future__ import annotations

import pytest

from igfrules import CaseError, PatientProfile
from igfrules.model.validation import profile_from_mapping


def test_left_out_fields_are_unknown() -> None:
    profile = profile_from_mapping({})
    assert profile.er_status == "unknown"
    assert profile.visceral_disease == "unknown"
    assert profile.prior_therapies == "unknown"
    assert profile.bmi == "unknown"


def test_empty_therapy_list_is_known_none() -> None:
    assert profile_from_mapping({"prior_therapies": []}).prior_therapies == ()


@pytest.mark.parametrize("spelling", ["Positive", "POSITIVE", " positive "])
def test_enumerated_words_are_case_insensitive(spelling: str) -> None:
    assert profile_from_mapping({"er_status": spelling}).er_status == "positive"


@pytest.mark.parametrize(
    ("given", "stored"),
    [("IIIb", "IIIB"), ("stage IV", "IV"), ("Metastatic", "metastatic"), ("locally advanced", "locally_advanced"),
     (0, "0"), ("Unknown", "unknown")],
)
def test_stage_spellings(given: object, stored: str) -> None:
    assert profile_from_mapping({"stage": given}).stage == stored


@pytest.mark.parametrize(
    ("name", "agent"),
    [("Herceptin", "trastuzumab"), ("RAD001", "everolimus"), ("AMG 479", "ganitumab"), ("amg-479", "ganitumab"),
     ("BI 836845", "xentuzumab"), ("MEDI-573", "dusigitumab"), ("T-DM1", "trastuzumab emtansine"),
     ("nab-paclitaxel", "paclitaxel"), ("dalotozumab", "dalotuzumab"), ("examestane", "exemestane")],
)
def test_agent_names_are_normalised(name: str, agent: str) -> None:
    profile = profile_from_mapping({"prior_therapies": [name]})
    assert profile.prior_therapies[0].agent == agent  # type: ignore[index]


def test_flag_words_are_accepted() -> None:
    profile = profile_from_mapping({"diabetes": "TRUE", "visceral_disease": "false", "pik3ca_mutation": "Unknown"})
    assert (profile.diabetes, profile.visceral_disease, profile.pik3ca_mutation) == (True, False, "unknown")


def _messages(case: object) -> list[str]:
    with pytest.raises(CaseError) as caught:
        profile_from_mapping(case, source="c.yaml")
    return [str(p) for p in caught.value.problems]


def test_a_typo_is_never_silently_unknown() -> None:
    (message,) = _messages({"her2_stauts": "positive"})
    assert message.startswith("c.yaml: her2_stauts: unknown field")
    assert "did you mean her2_status?" in message


def test_bad_enum_value_names_what_is_allowed() -> None:
    assert _messages({"her2_status": "equivocal"}) == [
        "c.yaml: her2_status: 'equivocal' is not one of positive, negative, unknown"
    ]


def test_unknown_agent_names_the_closest() -> None:
    (message,) = _messages({"prior_therapies": ["herceptn"]})
    assert "prior_therapies[0].agent" in message and "Herceptin (trastuzumab)" in message


def test_every_problem_is_reported_at_once() -> None:
    messages = _messages({"er_status": "x", "stage": "V", "diabetes": 3})
    assert [m.split(":")[1].strip() for m in messages] == ["diabetes", "er_status", "stage"]


@pytest.mark.parametrize("bmi", [5, 200, "heavy", True])
def test_bmi_is_a_plausible_number(bmi: object) -> None:
    assert _messages({"bmi": bmi})[0].startswith("c.yaml: bmi:")


def test_therapy_item_must_be_name_or_mapping() -> None:
    assert "item 0" in _messages({"prior_therapies": [5]})[0]


def test_hormone_receptor_status_is_derived() -> None:
    def hr(er: str, pr: str) -> str:
        return PatientProfile(er_status=er, pr_status=pr).hormone_receptor_status  # type: ignore[arg-type]

    assert hr("positive", "unknown") == "positive"
    assert hr("negative", "positive") == "positive"
    assert hr("negative", "negative") == "negative"
    assert hr("negative", "unknown") == "unknown"


def test_to_case_round_trip_in_canonical_form() -> None:
    case = {"case_id": "x", "er_status": "positive", "stage": "IV", "bmi": 27.5,
            "prior_therapies": [{"agent": "everolimus", "progressed": True}, {"agent": "tamoxifen"}]}
    assert profile_from_mapping(case).to_case() == case


def test_prior_therapies_are_sorted() -> None:
    a = profile_from_mapping({"prior_therapies": ["tamoxifen", "everolimus"]})
    b = profile_from_mapping({"prior_therapies": ["everolimus", "tamoxifen"]})
    assert a == b
