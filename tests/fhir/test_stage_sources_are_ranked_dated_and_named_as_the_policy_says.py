"""The stage policy of fhir/staging.py, to the letter: which of several stage groups and M
categories stands (the latest by instant, pathological over clinical, the finest of compatible
groups, never the Bundle's order), which dates count as the same (the UTC date the instants are
ordered by), which records are not read at all, and what the note and warnings name."""

from __future__ import annotations

from typing import Any

import pytest

from tests.fhir.builders import MC, SCT, cc, condition, mapped, observation, reading_warnings

CLINICAL_GROUP, UNSTATED_GROUP = "399537006", "399390009"
CLINICAL_M, PATHOLOGICAL_M = "399387003", "371497001"
M0, M1 = "1229901006", "1229903009"
IIA, IIB, III, IIIC, IV = "1222766008", "1222769001", "1222801008", "1222806003", "1222837003"
PRIMARY = {"meta": {"profile": [MC + "mcode-primary-cancer-condition"]}}


def group(oid: str, value: str, when: str = "2024-01-01", kind: str = CLINICAL_GROUP, **extra: Any) -> dict[str, Any]:
    return observation(oid, kind, when, system=SCT, valueCodeableConcept=cc(SCT, value), **extra)


def m_category(oid: str, value: str, when: str = "2024-01-01", kind: str = CLINICAL_M,
               **extra: Any) -> dict[str, Any]:
    return observation(oid, kind, when, system=SCT, valueCodeableConcept=cc(SCT, value), **extra)


def test_equal_rank_stage_groups_iii_and_iiic_agree_and_the_finer_stands() -> None:
    """IIIC refines III (it shares III's upper end): no disagreement, and IIIC, the narrower, stands.
    Mutations: `b_high <= a_high` or `a_high <= b_high` turned into `<` in compatible() (a group
    sharing an end with the other read as a disagreement), and the width `high - low` turned into
    `high + low` (the coarser III chosen)."""
    case = mapped(group("iii", III), group("iiic", IIIC))
    assert case.profile.stage == "IIIC"
    assert not any("disagree" in w for w in reading_warnings(case))


@pytest.mark.parametrize("clinical_first", [True, False])
def test_between_equal_rank_equal_groups_the_label_chooses_never_the_kind_or_the_bundle_order(
        clinical_first: bool) -> None:
    """Two IIA groups of one date, neither pathological (a clinical and an unstated one): the one
    whose label sorts first stands (Observation/a, unstated), whatever their order in the Bundle.
    Mutations: the tie broken by the kind (`s[4]`) or the value (`s[2]`, equal: the Bundle's order)
    instead of the label (`s[3]`) in stage()."""
    a, b = group("a", IIA, kind=UNSTATED_GROUP), group("b", IIA, kind=CLINICAL_GROUP)
    case = mapped(*((b, a) if clinical_first else (a, b)))
    assert case.mapping.source("stage").note == "unstated stage group IIA (2024-01-01)"


def test_equal_rank_groups_that_disagree_are_each_named_with_their_value_in_the_note() -> None:
    """Mutations: the note's `f"{s[3]} {s[2]}"` built from other elements (`s[4]`, `s[2]` for the
    label; `s[3]`, `s[1]` for the value) in stage()."""
    case = mapped(group("iv", IV), group("iia", IIA))
    assert case.mapping.source("stage").note == ("stage groups of equal rank (same date and kind) disagree: "
                                                 "Observation/iv IV, Observation/iia IIA")


@pytest.mark.parametrize(("resources", "note"), [
    ([m_category("p", M1, "2025-01-01", PATHOLOGICAL_M), m_category("c", M1, "2025-06-01")],
     "clinical M category M1 (2025-06-01)"),  # the latest, though clinical
    ([m_category("p", M1, "2025-01-01T09:00:00Z", PATHOLOGICAL_M), m_category("c", M1, "2025-01-01T11:00:00Z")],
     "clinical M category M1 (2025-01-01)"),  # later on the same date
    ([m_category("c", M1, "2025-01-01"), m_category("p", M1, "2025-01-01", PATHOLOGICAL_M)],
     "pathological M category M1 (2025-01-01)"),  # the same instant: pathological
    ([m_category("p", M1, "2025-01-01", PATHOLOGICAL_M), m_category("c", M1, "2025-01-01")],
     "pathological M category M1 (2025-01-01)"),
], ids=["later date", "later hour", "same instant", "same instant, reversed"])
def test_stage_iv_from_m1_alone_is_told_by_the_latest_m1_pathological_over_clinical_at_one_instant(
        resources: list[dict[str, Any]], note: str) -> None:
    """Mutations: the M category's `kind == "pathological"` turned into `!=` in distant_metastasis(),
    and the latest M1's key `(m[0], m[1])` (instant, pathological) turned into `(m[1], m[1])`,
    `(m[-1], m[1])` (the day, not the instant), `(m[0], m[2])` or `(m[0], m[0])` (no tie-break: the
    Bundle's order) in stage()."""
    assert mapped(*resources).mapping.source("stage").note == (
        f"{note}: AJCC stage IV (any T, any N, M1); no stage group recorded")


def test_an_m1_before_a_lower_stage_group_contradicts_it_naming_both() -> None:
    """Mutations in _with_m: the resources named in the warning or the note by another element
    than the label (`m[4]`, `m[2]`, `chosen[4]`, `chosen[2]`), and _after's `and not
    a.startswith(b)` turned into `or` (an earlier M1 read as found since)."""
    case = mapped(m_category("m", M1, "2023-06-01"), group("g", IIB))
    assert case.profile.stage == "unknown"
    assert case.mapping.source("stage").note == ("clinical stage group IIB (2024-01-01) contradicted by M1 "
                                                 "(Observation/m)")
    assert reading_warnings(case) == ("stage: Observation/m says M1 (distant metastasis) on or before Observation/g's "
                                      "stage group IIB; stage left unknown",)


def test_an_m1_a_few_days_after_a_lower_stage_group_is_distant_disease_since() -> None:
    """Mutations: _after's `later[:10]` or `when[:10]` cut to 9 characters ("2024-01-0": the 5th
    read as the same date as the 1st)."""
    assert mapped(group("g", IIB), m_category("m", M1, "2024-01-05")).profile.stage == "IV"


@pytest.mark.parametrize(("stage_when", "m_when"), [
    ("2024-01-01T22:00:00-05:00", "2024-01-02T10:00:00Z"),  # the group on 2 January UTC, 1 January locally
    ("2024-01-01T10:00:00Z", "2024-01-02T01:00:00+05:00"),  # the M1 on 1 January UTC, 2 January locally
])
def test_an_m1_on_the_same_utc_date_as_a_lower_stage_group_contradicts_it_whatever_the_local_dates(
        stage_when: str, m_when: str) -> None:
    """Dates are compared as the instants are ordered, in UTC. Mutations in _with_m: the stage
    group's date taken from its local day (`when = chosen[-1]`), or the M1's (`_after(m[-1], ...)`)."""
    assert mapped(group("g", IIB, stage_when), m_category("m", M1, m_when)).profile.stage == "unknown"


@pytest.mark.parametrize(("m_when", "stage_when"), [("2024-01-01", "2024-01-01"),
                                                    ("2024-01-02T01:00:00+05:00", "2024-01-01T10:00:00Z")])
def test_an_m0_on_the_utc_date_of_a_stage_iv_group_contradicts_it_naming_both(m_when: str, stage_when: str) -> None:
    """Mutations in _with_m: the M0 dated by its local day (`m[-1][:10]`), its instant or the
    group's cut to 11 characters (`[:11]`: "2024-01-01T" never the date), and the warning or the
    note naming another element than the label (`m[4]`, `m[2]`)."""
    case = mapped(m_category("m", M0, m_when), group("g", IV, stage_when))
    assert case.profile.stage == "unknown"
    assert case.mapping.source("stage").note == ("clinical stage group IV (2024-01-01) contradicted by M0 "
                                                 "(Observation/m)")
    assert reading_warnings(case) == ("stage: Observation/m says M0 on the date of Observation/g's stage IV; stage "
                                      "left unknown",)


def test_the_latest_of_two_m1_on_one_date_after_a_lower_stage_group_is_named() -> None:
    """Mutation: the latest M1 after the stage group chosen by its day (`m[-1]`: the first listed of
    one date) instead of its instant in _with_m."""
    case = mapped(group("g", IIB), m_category("a", M1, "2025-01-01T09:00:00Z"),
                  m_category("b", M1, "2025-01-01T15:00:00Z"))
    assert reading_warnings(case) == ("stage: Observation/b says M1 on 2025-01-01, after Observation/g's stage group "
                                      "IIB; stage IV stands (distant disease since)",)


def test_a_primary_in_recurrence_not_confirmed_leaves_the_stage_read() -> None:
    """Only a confirmed primary's recurrence makes the stage before it out of date. Mutation:
    `not refuted and not unconfirmed` turned into `or` in primary_status()."""
    provisional = cc("http://terminology.hl7.org/CodeSystem/condition-ver-status", "provisional")
    recurrence = cc("http://terminology.hl7.org/CodeSystem/condition-clinical", "recurrence")
    primary = condition("p", SCT, "254837009", **PRIMARY, clinicalStatus=recurrence, verificationStatus=provisional)
    assert mapped(primary, group("g", IIA)).profile.stage == "IIA"


@pytest.mark.parametrize("resource", [group("g", IV, status="preliminary"), m_category("m", M1, status="preliminary")],
                         ids=["stage group", "M category"])
def test_a_preliminary_stage_group_or_m_category_is_not_read(resource: dict[str, Any]) -> None:
    """Mutations: `kind is None or not usable(obs)` turned into `and` in stage() and in
    distant_metastasis(), or `not usable or dataAbsentReason` into `and` there."""
    assert mapped(resource).profile.stage == "unknown"


def test_a_condition_whose_stage_is_not_read_never_hides_the_summary_after_it() -> None:
    """Mutation: `continue` past a refuted, unconfirmed or other cancer's Condition turned into
    `break` in stage()."""
    refuted = condition("r", SCT, "38341003", verificationStatus=cc(
        "http://terminology.hl7.org/CodeSystem/condition-ver-status", "refuted"))
    primary = condition("p", SCT, "254837009", **PRIMARY, stage=[{"summary": {"text": "Stage IIA"}}])
    assert mapped(refuted, primary).profile.stage == "IIA"


@pytest.mark.parametrize(("spaces", "stage"), [(60, "IV"), (61, "unknown")])
def test_an_m_category_text_of_up_to_80_characters_is_read_and_a_longer_one_is_not(spaces: int, stage: str) -> None:
    """"cM1", spaces and "(qualifier value)": 80 characters are read, 81 are not. Mutations in
    _parse_m: `len(text) > MAX_STAGE_TEXT` turned into `>=`, or `too long or hedged` into `and`
    (a long text that is not hedged read)."""
    text = "cM1" + " " * spaces + "(qualifier value)"
    assert len(text) == 20 + spaces
    assert mapped(m_category("m", M1) | {"valueCodeableConcept": {"text": text}}).profile.stage == stage
