"""The therapy readers look past resources that do not count (a procedure not completed, an
Observation that is not a disease status) to the ones after them, tell a surgery by its category
or by its words, find every agent named in a text, and list an unrecognised medicine that an mCODE
profile marks as cancer-related."""

from __future__ import annotations

from typing import Any

import pytest

from igfrules.fhir.profile import map_bundle
from igfrules.fhir.therapies import agents_in_text
from tests.fhir.builders import MC, RX, SCT, bundle, cc, medication, observation, status

SURGICAL = cc(SCT, "387713003")


def therapies(*resources: dict[str, Any]) -> Any:
    return map_bundle(bundle(*resources)).profile.prior_therapies


def _procedure(pid: str, when: str, *, state: str = "completed", category: bool = True,
               words: str = "Partial mastectomy") -> dict[str, Any]:
    resource = {"resourceType": "Procedure", "id": pid, "status": state, "code": {"text": words},
                "subject": {"reference": "Patient/p"}, "performedDateTime": when}
    if category:
        resource["category"] = SURGICAL
    return resource


@pytest.mark.parametrize(("text", "agents"), [
    ("letrozole tamoxifen", ["letrozole", "tamoxifen"]),  # fewer words than the longest name (3)
    ("letrozole then tamoxifen", ["letrozole", "tamoxifen"]),
    ("tamoxifen", ["tamoxifen"]),
    ("capecitabine, lapatinib and trastuzumab", ["capecitabine", "lapatinib", "trastuzumab"]),
])
def test_every_agent_in_a_text_is_found_from_the_first_word(text: str, agents: list[str]) -> None:
    """Mutation: the scan starting one word early (position -1): a slice from the last word
    matched first and the words before it were skipped."""
    assert agents_in_text(text) == agents


def test_a_procedure_not_completed_never_hides_the_surgery_after_it() -> None:
    """Mutation: `continue` after a procedure not completed turned into `break` in _surgery."""
    result = therapies(_procedure("planned", "2020-03-01", state="preparation"),
                       _procedure("done", "2020-06-01"),
                       medication("adj", cc(RX, "10324"), "2020-08-01", intent_kind="curative"))
    assert [(t.agent, t.setting) for t in result] == [("tamoxifen", "adjuvant")]


@pytest.mark.parametrize(("category", "words"), [(True, "Excision of lesion"), (False, "Left lumpectomy")])
def test_a_surgery_is_told_by_its_category_or_by_its_words(category: bool, words: str) -> None:
    """Mutations: `surgical or <breast-surgery words>` turned into `and`, or its first part negated."""
    result = therapies(_procedure("s", "2020-06-01", category=category, words=words),
                       medication("neo", cc(RX, "56946"), "2020-01-01", intent_kind="curative"))
    assert [(t.agent, t.setting) for t in result] == [("paclitaxel", "neoadjuvant")]


def test_a_procedure_neither_surgical_nor_on_the_breast_is_no_surgery() -> None:
    result = therapies(_procedure("x", "2020-06-01", category=False, words="Port placement"),
                       medication("neo", cc(RX, "56946"), "2020-01-01", intent_kind="curative"))
    assert [(t.agent, t.setting) for t in result] == [("paclitaxel", "unknown")]


def test_an_observation_that_is_not_a_status_never_hides_the_status_after_it() -> None:
    """Mutation: `continue` after an Observation that is not a disease status turned into `break`
    in _statuses (progression never seen behind a receptor result)."""
    result = therapies(medication("first", cc(RX, "84857"), "2021-01-01"),
                       observation("er", "85337-4", "2021-03-01", valueCodeableConcept={"text": "positive"}),
                       status("worse", "2022-01-01", "271299001"),
                       medication("second", cc(RX, "282357"), "2022-01-01"))
    assert {t.agent: t.progressed for t in result}["anastrozole"] is True


def test_an_unrecognised_medicine_with_an_mcode_profile_is_listed() -> None:
    """Mutation: `(meta.profile or [])` turned into `and` in _cancer_related (the profile never
    looked at: an unknown cancer medicine counted silently among other medicines)."""
    unknown = medication("x", {"text": "investigational drug XYZ-123"}, intent_kind="",
                         meta={"profile": [MC + "mcode-cancer-related-medication-request"]})
    case = map_bundle(bundle(unknown))
    assert [m.resource for m in case.mapping.unrecognised_medicines] == ["MedicationRequest/x"]
    plain = medication("y", {"text": "investigational drug XYZ-123"}, intent_kind="")
    assert map_bundle(bundle(plain)).mapping.unrecognised_medicines == ()


def test_an_unrecognised_medicine_is_named_by_its_words_its_code_or_as_having_neither() -> None:
    """Mutation: `coded or "(no code or text)"` turned into `and` (a medicine with neither was
    listed with an empty name)."""
    local = "http://example.org/local-formulary"
    named = medication("a", {"coding": [{"system": local, "code": "X1"}], "text": "study drug"})
    coded = medication("b", {"coding": [{"system": local, "code": "X2"}]})
    bare = medication("c", {"coding": [{"system": local}]})
    found = {m.resource: m.text for m in map_bundle(bundle(named, coded, bare)).mapping.unrecognised_medicines}
    assert found == {"MedicationRequest/a": "study drug", "MedicationRequest/b": f"{local} X2",
                     "MedicationRequest/c": "(no code or text)"}


def test_an_unrecognised_medicine_given_for_the_cancer_is_listed() -> None:
    """Mutation: `... or <a reason that is a cancer Condition>` turned into `and` in _cancer_related."""
    cancer = {"resourceType": "Condition", "id": "bc", "code": cc(SCT, "254837009", "Breast cancer"),
              "subject": {"reference": "Patient/p"}}
    given = medication("x", {"text": "investigational drug XYZ-123"}, intent_kind="",
                       reasonReference=[{"reference": "Condition/bc"}])
    assert [m.resource for m in map_bundle(bundle(cancer, given)).mapping.unrecognised_medicines] == [
        "MedicationRequest/x"]


STAGE_IV = observation("stage", "21908-9", "2024-03-01", valueCodeableConcept={"text": "Stage IV"})
M1 = observation("m", "399387003", "2024-03-01", system=SCT, valueCodeableConcept=cc(SCT, "1229903009"))


@pytest.mark.parametrize("distant", [STAGE_IV, M1], ids=["stage IV", "M1"])
@pytest.mark.parametrize(("began", "setting"), [("2024-02-29", "unknown"), ("2024-03-01", "metastatic"),
                                                ("2024-03-02", "metastatic")])
def test_a_medicine_begun_the_day_distant_disease_was_recorded_is_metastatic(distant: dict[str, Any], began: str,
                                                                             setting: str) -> None:
    """With no intent recorded, a medicine begun on or after the first record of distant disease (a
    stage IV group, or an M1 category alone) was given in the metastatic setting, the same day
    included; one begun the day before says nothing. Mutations: `given.start >= metastatic_since`
    turned into `>`, and `stage IV or M1` into `and` in _metastatic_since."""
    [therapy] = therapies(medication("m", cc(RX, "10324"), began, intent_kind=""), distant)
    assert therapy.setting == setting


def test_a_surgery_dated_by_its_period_dates_the_curative_setting() -> None:
    """A breast surgery recorded with performedPeriod (no performedDateTime) is dated by the period's
    start: a curative medicine begun after it is adjuvant. Mutation: the period read only when it
    is absent (`if not period`)."""
    surgery = _procedure("s", "2020-06-01")
    del surgery["performedDateTime"]
    surgery["performedPeriod"] = {"start": "2020-06-01", "end": "2020-06-01"}
    [therapy] = therapies(surgery, medication("adj", cc(RX, "10324"), "2020-08-01", intent_kind="curative"))
    assert therapy.setting == "adjuvant"


def test_a_request_never_given_never_hides_the_medicine_after_it() -> None:
    """Mutation: `continue` past a medication record that was not given (cancelled, in error)
    turned into `break` in fhir/therapies.py's prior_therapies (every later record of that kind
    unread)."""
    cancelled = {**medication("x", cc(RX, "56946")), "status": "cancelled"}
    given = medication("t", cc(RX, "10324"), "2020-08-01")
    result = therapies(cancelled, given)
    assert result != "unknown"
    assert [t.agent for t in result] == ["tamoxifen"]


@pytest.mark.parametrize("unread", [{"status": "entered-in-error"}, {"status": "preliminary"},
                                    {"dataAbsentReason": cc("http://terminology.hl7.org/CodeSystem/data-absent-reason",
                                                            "error")}],
                         ids=["in error", "preliminary", "data absent"])
def test_a_disease_status_in_error_preliminary_or_absent_is_no_progression(unread: dict[str, Any]) -> None:
    """Only a disease status that stands, with a value, says a therapy progressed. Mutations in
    fhir/therapies.py's _statuses: `code is not a status or not usable or dataAbsentReason` with
    either `or` turned into `and` (a status in error, or one whose data is absent, read)."""
    worse = {**status("worse", "2021-06-01", "271299001"), **unread}
    [therapy] = therapies(medication("first", cc(RX, "84857"), "2021-01-01"), worse)
    assert therapy.progressed == "unknown"


@pytest.mark.parametrize(("began", "setting"), [("2020-05-31", "neoadjuvant"), ("2020-06-01", "adjuvant")])
def test_a_curative_medicine_begun_the_day_of_surgery_is_adjuvant(began: str, setting: str) -> None:
    """Neoadjuvant is strictly before the surgery: a curative medicine begun the same day is read as
    after it. Mutation: `given.start < surgery` turned into `<=` in fhir/therapies.py's _setting."""
    [therapy] = therapies(_procedure("s", "2020-06-01"), medication("m", cc(RX, "10324"), began,
                                                                    intent_kind="curative"))
    assert therapy.setting == setting


@pytest.mark.parametrize(("resources", "note"), [
    ([], "no medication resource names an agent igfrules knows"),
    ([medication("x", {"text": "investigational drug XYZ-123"})],
     "no medication resource names an agent igfrules knows; 1 cancer-related medicine(s) not recognised"),
])
def test_the_mapping_says_when_prior_therapies_are_unknown_for_a_medicine_not_recognised(
        resources: list[dict[str, Any]], note: str) -> None:
    """Why prior therapies are unknown, as the mapping shows it: no agent named, and how many
    cancer-related medicines were not recognised when there are some. Mutation: `if unrecognised`
    negated in fhir/therapies.py's prior_therapies ("0 ... not recognised" said, the real count not)."""
    assert map_bundle(bundle(*resources)).mapping.source("prior_therapies").note == note
