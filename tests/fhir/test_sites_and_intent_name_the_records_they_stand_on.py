"""Metastatic sites and treatment intent (fhir/extent.py) are read past records that do not count,
dated by every date a record may carry, and their notes name what each record said and when: a
tumour board reads an unknown site list or intent by its note. Each test names the mutation of
fhir/extent.py it kills (issue 23)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.fhir.builders import ICD10, SCT, cc, condition, intent, mapped, medication, observation

AJCC = "http://cancerstaging.org"
NONE_RECORDED = "no secondary-cancer Condition (no record of a site is not a record of none)"
TRASTUZUMAB = cc("http://www.nlm.nih.gov/research/umls/rxnorm", "224905", "trastuzumab")
CLINICAL = "http://terminology.hl7.org/CodeSystem/condition-clinical"
PRIMARY = "http://hl7.org/fhir/us/mcode/StructureDefinition/mcode-primary-cancer-condition"


def m_category(oid: str, value: str, when: str) -> dict[str, Any]:
    return observation(oid, "21907-1", when, valueCodeableConcept=cc(AJCC, value))


@pytest.mark.parametrize(("value", "said"), [
    ("cM1", "M1 (2024-02-01): distant metastasis with no site recorded"),
    ("cM0", "M0 (2024-02-01): no distant metastasis at that staging, not a record of none now"),
])
def test_with_no_secondary_cancer_the_note_names_each_m_category_its_value_and_day(value: str, said: str) -> None:
    """Mutations in metastatic_sites: the note's `m[3]` (label), `m[2]` (value) and `m[5]` (day) each
    read from another index or `m[5] or 'undated'` turned into `and`; `m[2] == "M1"` turned into
    `!=` or read from `m[3]` or `m[1]` (an M1 worded as an M0); the resources' `m[3]` turned into
    `m[4]` or `m[2]`."""
    source = mapped(m_category("m", value, "2024-02-01")).mapping.source("metastatic_sites")
    assert source is not None and source.value == "unknown"
    assert source.note == f"{NONE_RECORDED}; Observation/m says {said}"
    assert source.resources == ("Observation/m",)


def test_axillary_node_disease_never_hides_a_distant_site_after_it() -> None:
    """Mutation in metastatic_sites: `continue` past an axillary-node Condition turned into `break`."""
    axillary = condition("n", ICD10, "C77.3", "Secondary malignant neoplasm of axillary lymph nodes")
    liver = condition("l", SCT, "94381002", "Secondary malignant neoplasm of liver")
    assert mapped(axillary, liver).profile.metastatic_sites == ("liver",)


def test_care_not_given_never_hides_an_intent_after_it() -> None:
    """Mutation in treatment_intent: `continue` past a record not given turned into `break`."""
    wrong = medication("wrong", TRASTUZUMAB, "2024-01-01", intent_kind="curative", status="entered-in-error")
    case = mapped(wrong, medication("given", TRASTUZUMAB, "2023-01-01"))
    assert case.profile.treatment_intent == "palliative"


def test_a_record_that_states_both_intents_is_a_disagreement() -> None:
    """One record with a curative and a palliative intent extension: unknown, with a warning.
    Mutation in _intent_of: `"both" if said` turned into `if not said` (read as stating none)."""
    both = medication("both", TRASTUZUMAB, intent_kind="")
    both["extension"] = intent("curative") + intent("palliative")
    case = mapped(both)
    assert case.profile.treatment_intent == "unknown"
    assert "treatment intent: the latest records (MedicationRequest/both) say curative and palliative; not read" \
        in case.mapping.warnings


def test_an_intent_is_dated_by_its_period_start() -> None:
    """Administrations dated by effectivePeriod: the later one's intent stands. Mutations in _when:
    the periods' loop made empty, and `period.start is not None` turned into `is None` (both
    undated: read as the same day, disagreeing)."""
    def given(mid: str, start: str, kind: str) -> dict[str, Any]:
        record = medication(mid, TRASTUZUMAB, kind="MedicationAdministration", intent_kind=kind)
        del record["effectiveDateTime"]
        record["effectivePeriod"] = {"start": start}
        return record
    case = mapped(given("old", "2023-01-01", "curative"), given("new", "2024-01-01", "palliative"))
    assert case.profile.treatment_intent == "palliative"


def test_a_curative_intent_after_a_relapse_names_its_day_and_the_primary() -> None:
    """Mutations in treatment_intent: `latest or 'undated'` turned into `and` ("(undated)" for a
    dated record), and `primaries or []` into `and` (the primary Condition dropped from the
    resources)."""
    primary = condition("b", SCT, "254837009", "Malignant neoplasm of breast", meta={"profile": [PRIMARY]},
                        clinicalStatus=cc(CLINICAL, "relapse"))
    source = mapped(primary, medication("m", TRASTUZUMAB, "2024-03-01", intent_kind="curative")) \
        .mapping.source("treatment_intent")
    assert source is not None and source.value == "unknown"
    assert source.resources == ("MedicationRequest/m", "Condition/b")
    assert source.note.startswith("curative intent recorded (2024-03-01), but the primary cancer is in relapse")
