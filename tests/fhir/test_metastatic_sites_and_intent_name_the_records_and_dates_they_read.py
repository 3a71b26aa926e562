"""When no secondary-cancer Condition names a site, the note on `metastatic_sites` says which M
category Observation was read, what it says and when, and draws the conclusion that value allows
(M1: disease with no site; M0: none at that staging, not none now); a tumour board checks the record
by these words. Regional (axillary) node disease is left out without hiding the sites listed after
it. A treatment intent is dated by a period's start as by a date, so the latest record's intent
stands whichever way the record dates it, and a record not given does not hide those after it; a
record stating both intents leaves it unknown; and one left unknown because of the primary cancer's
clinical status names that Condition among its sources, since it is the reason."""

from __future__ import annotations

from typing import Any

import pytest

from tests.fhir.builders import (
    ICD10,
    MC,
    RX,
    SCT,
    cc,
    condition,
    intent,
    mapped,
    medication,
    observation,
    reading_warnings,
)

NO_CONDITION = "no secondary-cancer Condition (no record of a site is not a record of none)"
M0, M1 = "1229901006", "1229903009"
LETROZOLE = cc(RX, "72965", "letrozole")


def m_category(oid: str, value: str, when: str) -> dict[str, Any]:
    return observation(oid, "399387003", when, system=SCT, valueCodeableConcept=cc(SCT, value))


def test_an_m1_with_no_site_recorded_is_named_with_its_value_and_date() -> None:
    """Mutations in fhir/extent.py metastatic_sites(): `m[2] == "M1"` turned into `m[ 3] == "M1"`,
    `m[ 1] == "M1"` or `m[2] != "M1"` (an M1 then read as "no distant metastasis at that staging"); in the note,
    `m[3]` (the label) turned into `m[ 4]` (the kind) or `m[ 2]` (the value), `m[2]` (the value)
    into `m[ 1]` (the pathological flag) or `m[ 3]` (the label), and `m[5] or 'undated'` into `and` (every date shown as
    "undated"); and the resources' `m[3]` turned into `m[ 4]` or `m[ 2]` (a kind or a value
    instead of the Observation)."""
    case = mapped(m_category("m", M1, "2024-02-03"))
    source = case.mapping.source("metastatic_sites")
    assert case.profile.metastatic_sites == "unknown"
    assert source.note == (NO_CONDITION + "; Observation/m says M1 (2024-02-03): distant metastasis with no "
                                          "site recorded")
    assert source.resources == ("Observation/m",)


def test_an_m0_is_named_as_no_metastasis_at_that_staging_only() -> None:
    """The M0 counterpart of the test above (the same mutations of the label, value and resources)."""
    case = mapped(m_category("n", M0, "2023-11-30"))
    source = case.mapping.source("metastatic_sites")
    assert case.profile.metastatic_sites == "unknown"
    assert source.note == (NO_CONDITION + "; Observation/n says M0 (2023-11-30): no distant metastasis at that "
                                          "staging, not a record of none now")
    assert source.resources == ("Observation/n",)


def _administered_over(start: str) -> dict[str, Any]:
    given = medication("given", LETROZOLE, kind="MedicationAdministration", intent_kind="palliative")
    del given["effectiveDateTime"]
    given["effectivePeriod"] = {"start": start, "end": "2024-09-01"}
    return given


def _performed_over(start: str) -> dict[str, Any]:
    return {"resourceType": "Procedure", "id": "given", "status": "completed", "subject": {"reference": "Patient/p"},
            "code": cc(SCT, "392021009", "Lumpectomy of breast"), "extension": intent("palliative"),
            "performedPeriod": {"start": start, "end": "2024-06-02"}}


@pytest.mark.parametrize(("latest", "label"), [(_administered_over, "MedicationAdministration/given"),
                                               (_performed_over, "Procedure/given")],
                         ids=["effectivePeriod", "performedPeriod"])
def test_a_record_dated_by_a_period_start_is_the_latest_when_it_starts_last(latest: Any, label: str) -> None:
    """A palliative record given over a period that starts after a curative order: palliative is
    the latest intent. Mutations in fhir/extent.py _when(): `period.start is not None` turned into
    `is None`, and the loop over the period elements into a loop over `[]` (a period with a start
    then read as undated, and the older curative order stood)."""
    earlier = medication("adjuvant", LETROZOLE, "2023-01-01", intent_kind="curative")
    case = mapped(earlier, latest("2024-06-01"))
    assert case.profile.treatment_intent == "palliative"
    source = case.mapping.source("treatment_intent")
    assert source.note == "mCODE procedure intent palliative on the latest record that states one (2024-06-01)"
    assert source.resources == (label,)


def _primary(status: str) -> dict[str, Any]:
    return condition("primary", SCT, "254837009", "Breast cancer",
                     meta={"profile": [MC + "mcode-primary-cancer-condition"]},
                     clinicalStatus=cc("http://terminology.hl7.org/CodeSystem/condition-clinical", status))


def test_an_intent_left_unknown_by_the_primary_cancers_status_names_that_condition() -> None:
    """A curative order before a recurrence, and a remission with no intent recorded: both unknown,
    and the primary cancer Condition whose clinicalStatus decided it is among the sources.
    Mutation: `primaries or []` turned into `primaries and []` in fhir/extent.py treatment_intent()
    (the primary's label dropped from both), and the note's `latest or 'undated'` turned into `and`
    (the date of the curative record shown as "undated")."""
    relapsed = mapped(_primary("recurrence"), medication("m", LETROZOLE, "2022-05-01", intent_kind="curative"))
    assert relapsed.profile.treatment_intent == "unknown"
    assert relapsed.mapping.source("treatment_intent").resources == ("MedicationRequest/m", "Condition/primary")
    assert relapsed.mapping.source("treatment_intent").note == (
        "curative intent recorded (2022-05-01), but the primary cancer is in recurrence (clinicalStatus): the "
        "intent of care since is not recorded")
    remission = mapped(_primary("remission"))
    assert remission.profile.treatment_intent == "unknown"
    assert remission.mapping.source("treatment_intent").resources == ("Condition/primary",)


def test_axillary_node_disease_listed_first_never_hides_a_distant_site_after_it() -> None:
    """Secondary cancer of the axillary nodes (ICD-10-CM C77.3) is regional disease, left out of
    the sites; a liver metastasis the record lists after it is still read. Mutation: `continue`
    past an axillary Condition turned into `break` in fhir/extent.py metastatic_sites()."""
    axillary = condition("nodes", ICD10, "C77.3", "Secondary malignant neoplasm of axillary lymph nodes")
    liver = condition("liver", SCT, "94381002", body=("10200004", "Liver structure"))
    case = mapped(axillary, liver)
    assert case.profile.metastatic_sites == ("liver",)
    assert case.mapping.source("metastatic_sites").resources == ("Condition/liver",)


def test_one_record_stating_both_intents_leaves_the_intent_unknown_with_a_warning() -> None:
    """A record whose procedure-intent extensions say curative and palliative is the latest record
    that states an intent, and it disagrees with itself: the intent is unknown, with a warning, and
    an older record's intent does not stand in for it. Mutation: `"both" if said` turned into
    `"both" if not said` in fhir/extent.py _intent_of() (such a record then read as stating none)."""
    both = medication("both", LETROZOLE, "2024-03-01", intent_kind="curative")
    both["extension"] += intent("palliative")
    case = mapped(medication("older", LETROZOLE, "2022-01-01", intent_kind="curative"), both)
    assert case.profile.treatment_intent == "unknown"
    assert case.mapping.source("treatment_intent").resources == ("MedicationRequest/both",)
    assert reading_warnings(case) == (
        "treatment intent: the latest records (MedicationRequest/both) say curative and palliative; not read",)


def test_a_record_not_given_never_hides_the_intent_of_one_listed_after_it() -> None:
    """A cancelled order states no intent of care, and the order the record lists after it is still
    read. Mutation: `continue` past a record not given turned into `break` in fhir/extent.py
    treatment_intent() (every later record of that kind then went unread)."""
    cancelled = medication("cancelled", LETROZOLE, "2024-05-01", intent_kind="curative", status="cancelled")
    case = mapped(cancelled, medication("given", LETROZOLE, "2024-02-01", intent_kind="palliative"))
    assert case.profile.treatment_intent == "palliative"
    assert case.mapping.source("treatment_intent").resources == ("MedicationRequest/given",)
