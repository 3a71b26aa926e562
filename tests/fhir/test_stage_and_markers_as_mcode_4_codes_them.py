"""SNOMED CT stage groups and M categories, every ER/PR code of mCODE 4.0.0's tumour-marker set,
compatible stages, and a repeated resource counted once."""

from __future__ import annotations

import pytest

from igfrules.fhir.staging import parse_stage
from tests.fhir.builders import LOINC, MC, NEGATIVE, POSITIVE, SCT, cc, condition, mapped, observation, reading_warnings

AJCC = "http://cancerstaging.org"


def snomed_stage(oid: str, value: str, when: str = "2024-01-01", kind: str = "399537006") -> dict:
    return observation(oid, kind, when, system=SCT, valueCodeableConcept=cc(SCT, value))


def m_category(oid: str, value: str, when: str = "2024-01-01") -> dict:
    return observation(oid, "399387003", when, system=SCT, valueCodeableConcept=cc(SCT, value))


@pytest.mark.parametrize(("code", "field"), [("40556-3", "er_status"), ("40557-1", "pr_status"),
                                             ("16112-5", "er_status"), ("16113-3", "pr_status")])
def test_er_and_pr_by_every_presence_code_are_read(code: str, field: str) -> None:
    assert getattr(mapped(observation("o", code, valueCodeableConcept=POSITIVE)).profile, field) == "positive"


def test_er_as_a_percentage_of_cells_is_read_by_the_1_percent_cut_off() -> None:
    case = mapped(observation("o", "85329-1", valueQuantity={"value": 0.5, "unit": "%"}))
    assert case.profile.er_status == "negative"


def test_a_snomed_stage_group_observation_stands_over_the_summary_with_a_warning() -> None:
    primary = condition("p", SCT, "254837009", meta={"profile": [MC + "mcode-primary-cancer-condition"]},
                        stage=[{"summary": cc(SCT, "1222806003", "American Joint Committee on Cancer stage IIIC")}])
    case = mapped(primary, snomed_stage("g", "1222769001"))
    assert case.profile.stage == "IIB"
    assert any("stage sources disagree" in w and "IIB stands" in w for w in reading_warnings(case))


def test_compatible_stages_are_not_a_disagreement() -> None:
    case = mapped(snomed_stage("a", "1222801008", "2024-01-01"), observation("b", "21908-9", "2024-01-01",
                                                                             valueCodeableConcept=cc(AJCC, "3A")))
    assert not any("disagree" in w for w in reading_warnings(case))
    clash = mapped(snomed_stage("a", "1222769001"), observation("b", "21908-9", valueCodeableConcept=cc(AJCC, "3A")))
    assert any("disagree" in w for w in reading_warnings(clash))


def test_a_repeated_resource_is_counted_once_in_warnings_and_provenance() -> None:
    summary = condition("p", SCT, "254837009", stage=[{"summary": {"text": "Stage IIIA"}}])
    group = snomed_stage("g", "1222769001")
    case = mapped(summary, group, group, group, summary, summary)
    warning = next(w for w in reading_warnings(case) if "disagree" in w)
    assert warning.count("Observation/g") == 1 and warning.count("Condition/p") == 1
    assert case.mapping.source("stage").resources == ("Observation/g", "Condition/p")
    assert case.mapping.resources == 2


def test_m1_with_no_stage_group_is_stage_iv_and_m0_is_never_no_metastasis() -> None:
    assert mapped(m_category("m", "1229903009")).profile.stage == "IV"
    m0 = mapped(m_category("m", "1229901006"), snomed_stage("g", "1222769001"))
    assert m0.profile.stage == "IIB" and m0.profile.metastatic_sites == "unknown"
    assert "not a record of none" in m0.mapping.source("metastatic_sites").note


def test_m1_on_the_date_of_a_lower_stage_group_leaves_the_stage_unknown() -> None:
    case = mapped(m_category("m", "1229903009"), snomed_stage("g", "1222769001"))
    assert case.profile.stage == "unknown"
    later = mapped(m_category("m", "1229903009", "2025-01-01"), snomed_stage("g", "1222769001"))
    assert later.profile.stage == "IV"


def test_a_primary_in_recurrence_has_no_current_stage_but_iv() -> None:
    status = cc("http://terminology.hl7.org/CodeSystem/condition-clinical", "recurrence")
    primary = condition("p", SCT, "254837009", meta={"profile": [MC + "mcode-primary-cancer-condition"]},
                        clinicalStatus=status)
    assert mapped(primary, snomed_stage("g", "1222769001")).profile.stage == "unknown"
    assert mapped(primary, snomed_stage("g", "1222837003")).profile.stage == "IV"


def test_an_equivocal_or_negative_pr_presence_code_reads_as_before() -> None:
    assert mapped(observation("o", "40557-1", valueCodeableConcept=NEGATIVE)).profile.pr_status == "negative"
    assert mapped(observation("o", "40556-3", valueCodeableConcept=cc(LOINC, "LA9999-9"))).profile.er_status == \
        "unknown"


def test_m0_on_the_date_of_a_stage_iv_group_leaves_the_stage_unknown_and_an_earlier_m0_does_not() -> None:
    """M0 and stage IV on one day contradict each other; an M0 before the stage IV group is the
    disease before it spread, and stage IV stands. Mutations in _with_m: the M0 test inverted,
    `and` turned into `or`, or the same-day comparison negated."""
    same_day = mapped(m_category("m", "1229901006"), snomed_stage("g", "1222837003"))
    assert same_day.profile.stage == "unknown"
    assert "says M0 on the date of Observation/g's stage IV" in " ".join(reading_warnings(same_day))
    before = mapped(m_category("m", "1229901006", "2023-06-01"), snomed_stage("g", "1222837003"))
    assert (before.profile.stage, reading_warnings(before)) == ("IV", ())


def test_m1_since_a_lower_stage_group_is_stage_iv_dated_by_the_latest_m1() -> None:
    """Distant disease found after a stage IIB group: stage IV stands, and the note and warning give
    the latest M1's date and name it, whatever the order of the Observations; the stage's sources
    list the stage group and every M category read. Mutations: the latest M1 chosen by another
    element than its date (`m[1]`, so the first listed), the warning or the sources naming another
    element than the label (`[4]` for `[3]`), or the M categories left out of the sources."""
    case = mapped(m_category("m1", "1229903009", "2025-01-01"), m_category("m2", "1229903009", "2025-06-01"),
                  snomed_stage("g", "1222769001"))
    assert case.profile.stage == "IV"
    assert case.mapping.source("stage").note == "clinical M category M1 (2025-06-01) after stage group IIB: stage IV"
    assert reading_warnings(case) == ("stage: Observation/m2 says M1 on 2025-06-01, after Observation/g's stage group "
                                      "IIB; stage IV stands (distant disease since)",)
    assert case.mapping.source("stage").resources == ("Observation/g", "Observation/m1", "Observation/m2")


@pytest.mark.parametrize("order", [("iv", "iia"), ("iia", "iv")])
def test_stage_groups_of_equal_rank_that_disagree_leave_the_stage_unknown_whatever_their_order(
        order: tuple[str, str]) -> None:
    made = {"iv": snomed_stage("iv", "1222837003"), "iia": snomed_stage("iia", "1222766008")}
    case = mapped(*(made[name] for name in order))
    assert case.profile.stage == "unknown"
    assert any("stage sources disagree" in w for w in reading_warnings(case))


def test_equal_rank_stage_groups_that_are_compatible_give_the_finer_one() -> None:
    case = mapped(snomed_stage("iii", "1222801008"), snomed_stage("iiia", "1222802001"))
    assert case.profile.stage == "IIIA"


@pytest.mark.parametrize(("stage_when", "m_when"), [("2024-01-01", "2024-01-01T11:00:00Z"),
                                                    ("2024-01-01T10:00:00Z", "2024-01-01T11:00:00Z")])
def test_m1_later_on_the_same_date_as_a_lower_stage_group_still_contradicts_it(stage_when: str,
                                                                               m_when: str) -> None:
    case = mapped(snomed_stage("g", "1222766008", stage_when), m_category("m", "1229903009", m_when))
    assert case.profile.stage == "unknown"


@pytest.mark.parametrize(("value", "stage"), [({"text": "cM1"}, "IV"), (cc(AJCC, "cM1"), "IV"),
                                              ({"text": "M1 (suspected)"}, "unknown")])
def test_an_m_category_in_words_or_an_ajcc_code_is_read_and_a_hedged_one_is_not(value: dict, stage: str) -> None:
    """An M1 written as text or as an AJCC code, with no SNOMED CT code, is stage IV with no stage
    group; "suspected" is no finding. Mutation: _parse_m's `if match` negated (no M category read
    from words or AJCC codes)."""
    assert mapped(observation("m", "399387003", system=SCT, valueCodeableConcept=value)).profile.stage == stage


def test_stage_iv_from_m1_alone_gives_the_m1_date_in_its_note() -> None:
    """Mutation: `latest[5] or 'undated'` turned into `and` (a dated M1 called undated)."""
    note = mapped(m_category("m", "1229903009")).mapping.source("stage").note
    assert note == "clinical M category M1 (2024-01-01): AJCC stage IV (any T, any N, M1); no stage group recorded"


def test_stage_iv_from_m1_alone_names_the_m1_observation_as_its_source() -> None:
    """Mutation: the sources built from another element than the label (`m[4]`, the kind)."""
    assert mapped(m_category("m", "1229903009")).mapping.source("stage").resources == ("Observation/m",)


@pytest.mark.parametrize("text", ["Stage IV (suspected)", "IV (ruled out)", "Stage IIB (provisional)"])
def test_a_hedged_or_negated_stage_text_names_no_stage_group(text: str) -> None:
    """parse_stage's contract: a negation or hedge anywhere, brackets included, names no stage
    group. Mutation: `too long or hedged` turned into `and` (a short hedged text read as a stage)."""
    assert parse_stage(text) is None
    assert parse_stage(text.split(" (")[0]) is not None


def test_a_stage_text_of_up_to_80_characters_is_read_and_a_longer_one_is_not() -> None:
    """The bound is written here as a number, not imported, so that changing it fails this test.
    Mutations: `len(text) > MAX_STAGE_TEXT` turned into `>=` (an 80-character text refused), and
    MAX_STAGE_TEXT itself turned into 79 or 81 in fhir/staging.py."""
    padded = "American Joint Committee on Cancer stage IIB".ljust(80)
    assert len(padded) == 80 and parse_stage(padded) == "IIB"
    assert parse_stage(padded + " ") is None
