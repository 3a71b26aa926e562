"""What a record does not assert never becomes a value: a test not done, an absent reason, a
negated or someone else's mention, an out-of-range number, a comparator or range across the
cut-off, codings that disagree. Each ends as the right value or unknown (with a warning where the
record holds something that could not be read)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.fhir.builders import (
    ICD10,
    LOINC,
    NEGATIVE,
    POSITIVE,
    RX,
    SCT,
    cc,
    condition,
    gene_component,
    intent,
    mapped,
    medication,
    observation,
    reading_warnings,
)


def pik3ca_assessment(**value: Any) -> dict[str, Any]:
    return observation("v", "69548-6", component=[gene_component("HGNC:8975", "PIK3CA")], **value)


NOT_PERFORMED = {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/data-absent-reason",
                             "code": "not-performed"}]}
NEG_FLAG = [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation",
                         "code": "NEG"}]}]


def test_pik3ca_not_performed_is_unknown() -> None:
    case = mapped(pik3ca_assessment(dataAbsentReason=NOT_PERFORMED))
    assert case.profile.pik3ca_mutation == "unknown"
    assert any("not-performed" in w and "not read" in w for w in case.mapping.warnings)


@pytest.mark.parametrize("value", [{}, {"valueString": "No mutation detected"}, {"valueBoolean": False},
                                   {"interpretation": NEG_FLAG}, {"valueBoolean": True}])
def test_a_pik3ca_assessment_without_a_coded_answer_is_unknown(value: dict[str, Any]) -> None:
    case = mapped(pik3ca_assessment(**value))
    assert case.profile.pik3ca_mutation == "unknown"
    assert any("PIK3CA variant assessment" in w for w in case.mapping.warnings)


def test_a_pik3ca_assessment_not_performed_does_not_hide_behind_a_panel() -> None:
    panel = observation("panel", "53041-0", component=[gene_component("HGNC:8975", "PIK3CA")])
    assert mapped(panel, pik3ca_assessment(dataAbsentReason=NOT_PERFORMED)).profile.pik3ca_mutation == "unknown"
    assert mapped(panel).profile.pik3ca_mutation is False


def test_a_pik3ca_variant_described_without_a_value_is_present() -> None:
    pathogenic = {"code": cc(LOINC, "53037-8"), "valueCodeableConcept": cc(LOINC, "LA6668-3")}
    case = mapped(observation("v", "69548-6", component=[gene_component("HGNC:8975", "PIK3CA"), pathogenic]))
    assert case.profile.pik3ca_mutation is True


def test_a_region_studied_that_was_not_performed_studied_nothing() -> None:
    panel = observation("panel", "53041-0", component=[gene_component("HGNC:8975", "PIK3CA")],
                        dataAbsentReason=NOT_PERFORMED)
    assert mapped(panel).profile.pik3ca_mutation == "unknown"


@pytest.mark.parametrize(("quantity", "expected"), [
    ({"value": 1, "comparator": "<", "unit": "%"}, "negative"),
    ({"value": 1, "comparator": "<=", "unit": "%"}, "unknown"),
    ({"value": 10, "comparator": ">", "unit": "%"}, "positive"),
    ({"value": 0.5, "comparator": ">", "unit": "%"}, "unknown"),
    ({"value": 5, "comparator": "<", "unit": "%"}, "unknown"),
])
def test_er_percentages_with_a_comparator_are_read_as_intervals(quantity: dict[str, Any], expected: str) -> None:
    assert mapped(observation("er", "85337-4", valueQuantity=quantity)).profile.er_status == expected


@pytest.mark.parametrize("value", [150, -5])
def test_an_er_percentage_out_of_range_is_unknown_with_a_warning(value: float) -> None:
    case = mapped(observation("er", "85337-4", valueQuantity={"value": value, "unit": "%"}))
    assert case.profile.er_status == "unknown"
    assert any("outside 0-100%" in w for w in case.mapping.warnings)


@pytest.mark.parametrize(("low", "high", "expected"), [(0, 0.5, "negative"), (0, 5, "unknown"), (10, 20, "positive")])
def test_an_er_percentage_range_is_read_only_when_all_of_it_is_on_one_side(low: float, high: float,
                                                                           expected: str) -> None:
    ranged = {"low": {"value": low, "unit": "%"}, "high": {"value": high, "unit": "%"}}
    assert mapped(observation("er", "85337-4", valueRange=ranged)).profile.er_status == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("not positive", "unknown"), ("Positive", "positive"), ("not amplified", "negative"), ("not negative", "unknown"),
    ("positive and negative", "unknown"), ("Negative", "negative"),
])
def test_receptor_text_is_read_with_its_negation(text: str, expected: str) -> None:
    assert mapped(observation("er", "16112-5", valueString=text)).profile.er_status == expected


@pytest.mark.parametrize("code", ["16112-5", "16113-3"])
@pytest.mark.parametrize("text", ["0% positive", "<1% of nuclei positive", "Positive in <1% of tumour cells",
                                  "Positive control only; test not performed"])
def test_receptor_text_with_a_percentage_or_not_performed_is_unknown(code: str, text: str) -> None:
    field = "er_status" if code == "16112-5" else "pr_status"
    case = mapped(observation("r", code, valueString=text))
    assert getattr(case.profile, field) == "unknown"
    assert any("not read" in w for w in case.mapping.warnings)


@pytest.mark.parametrize("code", ["85319-2", "48676-1", "85318-4"])
def test_a_her2_percentage_is_not_a_her2_status(code: str) -> None:
    case = mapped(observation("her2", code, valueQuantity={"value": 5, "unit": "%"}))
    assert case.profile.her2_status == "unknown"
    assert case.profile.her2_low == "unknown"
    assert any("percentage" in w for w in case.mapping.warnings)


@pytest.mark.parametrize("text", ["not 3+", "3+ not confirmed", "IHC 3+ ? repeat", "2-3+", "0-1+", "<1+",
                                  "2+ to 3+", "3+ negative"])
def test_a_negated_hedged_ranged_or_compared_her2_score_is_unknown(text: str) -> None:
    case = mapped(observation("ihc", "85319-2", valueString=text))
    assert case.profile.her2_status == "unknown"
    assert case.profile.her2_low == "unknown"
    assert any("not read" in w for w in case.mapping.warnings)


@pytest.mark.parametrize(("text", "status", "low"), [("IHC 3+", "positive", False), ("1+ negative", "negative", True),
                                                      ("HER2 negative (IHC 1+)", "negative", True),
                                                      ("2+ (equivocal)", "unknown", "unknown")])
def test_a_plain_her2_score_in_text_is_still_read(text: str, status: str, low: Any) -> None:
    case = mapped(observation("ihc", "85319-2", valueString=text))
    assert (case.profile.her2_status, case.profile.her2_low) == (status, low)
    assert reading_warnings(case) == ()


@pytest.mark.parametrize("value", [{"valueInteger": 10}, {"valueInteger": 4}, {"valueInteger": -1},
                                   {"valueBoolean": True}, {"valueCodeableConcept": {"text": "10+"}}])
def test_a_her2_ihc_score_out_of_range_is_unknown_with_a_warning(value: dict[str, Any]) -> None:
    case = mapped(observation("ihc", "85319-2", **value))
    assert case.profile.her2_status == "unknown"
    assert case.mapping.warnings


def test_receptor_codings_that_disagree_are_unknown_with_a_warning() -> None:
    both = {"coding": POSITIVE["coding"] + NEGATIVE["coding"]}
    case = mapped(observation("er", "16112-5", valueCodeableConcept=both))
    assert case.profile.er_status == "unknown"
    assert any("codings say negative and positive" in w for w in case.mapping.warnings)


@pytest.mark.parametrize(("text", "expected"), [("Stage I-II", "unknown"), ("IIIA/IIIB", "unknown"),
                                                ("Stage III-A", "IIIA"), ("pT2N1 (ypIIB)", "unknown"),
                                                ("Stage 0is", "0"), ("Stage IIB", "IIB")])
def test_a_stage_range_is_not_a_stage_group(text: str, expected: str) -> None:
    assert mapped(observation("s", "21908-9", valueCodeableConcept={"text": text})).profile.stage == expected


def test_stage_codings_that_disagree_are_unknown_with_a_warning() -> None:
    concept = {"coding": [{"system": "http://cancerstaging.org", "code": "2B", "display": "Stage IIIA"}]}
    case = mapped(observation("s", "21908-9", valueCodeableConcept=concept))
    assert case.profile.stage == "unknown"
    assert any("IIB, IIIA" in w for w in case.mapping.warnings)


def test_every_metastatic_site_in_a_text_is_read() -> None:
    case = mapped(condition("m", SCT, "128462008", "Metastases to liver and lymph nodes"))
    assert case.profile.metastatic_sites == ("liver", "lymph_node")
    assert case.profile.value("visceral_disease") is True


def test_every_coding_of_a_secondary_cancer_is_read() -> None:
    concept = {"coding": [{"system": ICD10, "code": "C77.3"}, {"system": ICD10, "code": "C78.7"}]}
    case = mapped({"resourceType": "Condition", "id": "m", "code": concept, "subject": {"reference": "Patient/p"}})
    assert case.profile.value("visceral_disease") is True
    assert "liver" in case.mapping.source("metastatic_sites").note


def test_a_negated_metastasis_is_not_visceral_disease() -> None:
    case = mapped(condition("c", SCT, "254837009", "Breast cancer, no liver metastasis"))
    assert case.profile.visceral_disease == "unknown"
    only_text = {"resourceType": "Condition", "id": "c", "code": {"text": "Breast cancer, no liver metastasis"},
                 "subject": {"reference": "Patient/p"}}
    assert mapped(only_text).profile.visceral_disease == "unknown"


@pytest.mark.parametrize("text", ["No diabetes mellitus", "Diabetes mellitus ruled out",
                                  "Patient denies diabetes mellitus", "Diabetes mellitus in mother",
                                  "Family history: type 2 diabetes", "possible type 2 diabetes",
                                  "Gestational diabetes mellitus", "r/o diabetes mellitus",
                                  "Diabetes mellitus: no", "Type 2 diabetes - none"])
def test_negated_or_someone_elses_diabetes_is_not_diabetes(text: str) -> None:
    resource = {"resourceType": "Condition", "id": "d", "code": {"text": text}, "subject": {"reference": "Patient/p"}}
    assert mapped(resource).profile.diabetes == "unknown"


@pytest.mark.parametrize("text", ["Type 2 diabetes mellitus", "Diabetes mellitus, on metformin"])
def test_diabetes_in_words_is_diabetes(text: str) -> None:
    resource = {"resourceType": "Condition", "id": "d", "code": {"text": text}, "subject": {"reference": "Patient/p"}}
    assert mapped(resource).profile.diabetes is True


def test_diabetes_coded_in_a_second_coding_is_diabetes() -> None:
    concept = {"coding": [{"system": "http://example.org/local", "code": "DM"}, {"system": SCT, "code": "44054006"}]}
    resource = {"resourceType": "Condition", "id": "d", "code": concept, "subject": {"reference": "Patient/p"}}
    assert mapped(resource).profile.diabetes is True


def test_a_long_text_is_not_read_and_stays_unknown() -> None:
    text = "(" * 200_000 + "Stage IIB" + "(" * 200_000
    case = mapped(observation("s", "21908-9", valueCodeableConcept={"text": text}),
                  condition("m", SCT, "128462008", "liver " * 100_000))
    assert case.profile.stage == "unknown"
    assert case.profile.visceral_disease == "unknown"


def test_an_er_result_with_a_data_absent_reason_is_unknown() -> None:
    case = mapped(observation("er", "85337-4", dataAbsentReason=NOT_PERFORMED))
    assert case.profile.er_status == "unknown"
    assert "dataAbsentReason" in case.mapping.source("er_status").note



def test_the_latest_result_is_the_latest_instant_across_time_zones() -> None:
    # 23:00 in New York on the 1st is 04:00 UTC on the 2nd: after 02:00 UTC on the 2nd's Berlin result
    east = observation("berlin", "16112-5", "2024-01-02T03:00:00+01:00", valueCodeableConcept=NEGATIVE)
    west = observation("new-york", "16112-5", "2024-01-01T23:00:00-05:00", valueCodeableConcept=POSITIVE)
    case = mapped(east, west)
    assert case.profile.er_status == "positive"
    assert "the latest final result stands: positive" in reading_warnings(case)[0]
    same_day = mapped(observation("morning", "16112-5", "2024-01-01T08:00:00Z", valueCodeableConcept=POSITIVE),
                      observation("evening", "16112-5", "2024-01-01T18:00:00Z", valueCodeableConcept=NEGATIVE))
    assert same_day.profile.er_status == "negative"


def test_a_stage_observation_that_names_no_one_group_is_named_in_the_note() -> None:
    case = mapped(observation("s", "21908-9", valueCodeableConcept={"text": "Stage I-II"}))
    source = case.mapping.source("stage")
    assert case.profile.stage == "unknown"
    assert source.resources == ("Observation/s",) and "one AJCC stage group" in source.note


def coded_condition(text: str) -> dict[str, Any]:
    return {"resourceType": "Condition", "id": "t", "code": {"text": text}, "subject": {"reference": "Patient/p"}}


# A: what is bracketed belongs to the clause it follows, so its negation or hedge is read with it.
@pytest.mark.parametrize(("text", "field", "expected"), [
    ("Liver metastasis (ruled out)", "metastatic_sites", "unknown"),
    ("Liver metastasis (suspected)", "metastatic_sites", "unknown"),
    ("Liver metastasis (CT, suspected)", "metastatic_sites", "unknown"),
    ("Type 2 diabetes mellitus (suspected)", "diabetes", "unknown"),
    ("Type 2 diabetes mellitus (ruled out)", "diabetes", "unknown"),
])
def test_a_bracketed_negation_or_hedge_is_read_with_its_term(text: str, field: str, expected: str) -> None:
    assert getattr(mapped(coded_condition(text)).profile, field) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("Positive (not confirmed)", "unknown"), ("Positive (suspected)", "unknown"),
    ("Positive (strong nuclear staining)", "positive"),
    ("Positive (90%)", "unknown"),  # a percentage in text is not read by its words (see the receptor tests below)
])
def test_a_bracketed_hedge_on_a_receptor_text_is_unknown(text: str, expected: str) -> None:
    assert mapped(observation("er", "16112-5", valueString=text)).profile.er_status == expected


# B: a denied exclusion is a doubt, not a negation.
@pytest.mark.parametrize("text", ["Liver metastasis not excluded", "Liver metastasis not ruled out",
                                  "Liver metastasis cannot be ruled out", "Liver metastasis can't be excluded",
                                  "Liver metastasis could not be excluded", "Liver metastasis (not excluded)"])
def test_a_metastasis_not_excluded_is_neither_a_site_nor_none(text: str) -> None:
    bone = condition("bone", SCT, "94222008")
    case = mapped(bone, coded_condition(text))
    assert case.profile.metastatic_sites == "unknown"
    assert case.profile.value("visceral_disease") == "unknown"  # the bone alone must not read as "not visceral"
    assert "Condition/t" in case.mapping.source("metastatic_sites").resources


def test_a_bone_metastasis_alone_is_still_bone() -> None:
    case = mapped(condition("bone", SCT, "94222008"), coded_condition("Liver metastasis ruled out"))
    assert case.profile.metastatic_sites == ("bone",)
    assert case.profile.value("visceral_disease") is False


@pytest.mark.parametrize("text", ["Diabetes mellitus not excluded", "Diabetes mellitus cannot be ruled out"])
def test_diabetes_not_excluded_is_unknown(text: str) -> None:
    assert mapped(coded_condition(text)).profile.diabetes == "unknown"


# C: a stage text's negation or hedge is read before its brackets are dropped.
@pytest.mark.parametrize(("text", "expected"), [
    ("Stage IV (suspected)", "unknown"), ("Stage IV (not confirmed)", "unknown"), ("IV (ruled out)", "unknown"),
    ("Stage IIB (provisional)", "unknown"), ("Stage IV?", "unknown"), ("Stage IIB (AJCC 8th edition)", "IIB"),
    ("Stage IV", "IV"),
])
def test_a_hedged_or_negated_stage_text_is_no_stage(text: str, expected: str) -> None:
    assert mapped(observation("s", "21908-9", valueCodeableConcept={"text": text})).profile.stage == expected


# D: a Condition the record does not confirm gives no stage.
VER_STATUS = "http://terminology.hl7.org/CodeSystem/condition-ver-status"


@pytest.mark.parametrize(("verification", "expected"), [
    ("entered-in-error", "unknown"), ("refuted", "unknown"), ("provisional", "unknown"), ("unconfirmed", "unknown"),
    ("differential", "unknown"), ("confirmed", "IV"), (None, "IV"),
])
def test_the_stage_of_an_unconfirmed_condition_is_not_used(verification: str | None, expected: str) -> None:
    extra: dict[str, Any] = {"stage": [{"summary": cc("http://cancerstaging.org", "IV")}]}
    if verification:
        extra["verificationStatus"] = cc(VER_STATUS, verification)
    cancer = condition("bc", SCT, "254837009", "Malignant neoplasm of breast", **extra)
    assert mapped(cancer).profile.stage == expected


def test_a_stage_code_beside_a_hedged_text_is_no_stage() -> None:
    value = {**cc("http://cancerstaging.org", "IV"), "text": "Stage IV (suspected)"}
    assert mapped(observation("s", "21908-9", valueCodeableConcept=value)).profile.stage == "unknown"


# --- Treatment intent, therapy setting and diabetes: records that were not given, not confirmed, or
# disagree with themselves ----------------------------------------------------------------------

VER = "http://terminology.hl7.org/CodeSystem/condition-ver-status"
TRASTUZUMAB = cc("http://www.nlm.nih.gov/research/umls/rxnorm", "224905", "trastuzumab")
PRIMARY = "http://hl7.org/fhir/us/mcode/StructureDefinition/mcode-primary-cancer-condition"


def verified(code: str) -> dict[str, Any]:
    return {"coding": [{"system": VER, "code": code}]}


def palliative_procedure(pid: str, status: str, when: str = "2024-01-01") -> dict[str, Any]:
    return {"resourceType": "Procedure", "id": pid, "status": status, "code": cc(SCT, "108290001", "Radiotherapy"),
            "subject": {"reference": "Patient/p"}, "performedDateTime": when, "extension": intent("palliative")}


@pytest.mark.parametrize(("record", "expected"), [
    (medication("m", TRASTUZUMAB), "palliative"),
    (medication("m", TRASTUZUMAB, status="entered-in-error"), "unknown"),
    (medication("m", TRASTUZUMAB, status="cancelled"), "unknown"),
    (medication("m", TRASTUZUMAB, status="draft"), "unknown"),
    (medication("m", TRASTUZUMAB, status="active", doNotPerform=True), "unknown"),
    (medication("m", TRASTUZUMAB, status="active", intent="proposal"), "unknown"),
    (palliative_procedure("p", "completed"), "palliative"),
    (palliative_procedure("p", "not-done"), "unknown"),
    (palliative_procedure("p", "entered-in-error"), "unknown"),
])
def test_an_intent_on_care_not_given_is_not_read(record: dict[str, Any], expected: str) -> None:
    assert mapped(record).profile.treatment_intent == expected


def test_a_later_curative_record_entered_in_error_does_not_override_a_palliative_one() -> None:
    case = mapped(medication("old", TRASTUZUMAB, "2024-01-01"),
                  medication("wrong", TRASTUZUMAB, "2024-06-01", intent_kind="curative", status="entered-in-error"))
    assert case.profile.treatment_intent == "palliative"
    assert case.mapping.source("treatment_intent").resources == ("MedicationRequest/old",)


@pytest.mark.parametrize(("verification", "expected"), [
    (None, "unknown"), ("confirmed", "unknown"),
    ("unconfirmed", "curative"), ("provisional", "curative"), ("differential", "curative"),
    ("refuted", "curative"), ("entered-in-error", "curative"),
])
def test_only_a_confirmed_primary_in_relapse_unsettles_a_curative_intent(verification: str | None,
                                                                          expected: str) -> None:
    extra: dict[str, Any] = {"meta": {"profile": [PRIMARY]},
                             "clinicalStatus": cc("http://terminology.hl7.org/CodeSystem/condition-clinical",
                                                  "relapse")}
    if verification:
        extra["verificationStatus"] = verified(verification)
    primary = condition("b", SCT, "254837009", "Malignant neoplasm of breast", **extra)
    care = medication("m", cc(RX, "72965"), intent_kind="curative")
    assert mapped(primary, care).profile.treatment_intent == expected


@pytest.mark.parametrize(("verification", "expected"), [
    (None, "metastatic"), ("confirmed", "metastatic"),
    ("provisional", "unknown"), ("unconfirmed", "unknown"), ("differential", "unknown"),
])
def test_an_unconfirmed_metastasis_does_not_make_a_later_therapy_metastatic(
        verification: str | None, expected: str) -> None:
    extra = {"verificationStatus": verified(verification)} if verification else {}
    liver = condition("m", SCT, "94381002", "Secondary malignant neoplasm of liver", when="2024-01-01", **extra)
    case = mapped(liver, medication("t", TRASTUZUMAB, "2024-03-01", intent_kind=""))
    assert [(t.agent, t.setting, t.progressed) for t in case.profile.prior_therapies] == \
        [("trastuzumab", expected, "unknown")]


@pytest.mark.parametrize(("verification", "expected"), [
    (None, True), ("confirmed", True),
    ("unconfirmed", "unknown"), ("provisional", "unknown"), ("differential", "unknown"),
    ("refuted", False), ("entered-in-error", "unknown"),
])
def test_only_a_confirmed_diabetes_condition_is_diabetes(verification: str | None, expected: Any) -> None:
    extra = {"verificationStatus": verified(verification)} if verification else {}
    assert mapped(condition("d", SCT, "44054006", "Type 2 diabetes mellitus", **extra)).profile.diabetes == expected


def test_an_unconfirmed_diabetes_beside_a_refuted_one_is_unknown_with_a_warning() -> None:
    case = mapped(condition("a", SCT, "44054006", verificationStatus=verified("refuted")),
                  condition("b", SCT, "44054006", verificationStatus=verified("provisional")))
    assert case.profile.diabetes == "unknown"
    assert any("unconfirmed" in w and "not read" in w for w in case.mapping.warnings)


@pytest.mark.parametrize(("text", "expected"), [
    ("Insulin resistance", "unknown"),
    ("Borderline diabetes mellitus", "unknown"),
    ("Type 2 diabetes mellitus", True),
])
def test_insulin_resistance_and_borderline_diabetes_are_not_diabetes(text: str, expected: Any) -> None:
    resource = {"resourceType": "Condition", "id": "d", "code": {"text": text}, "subject": {"reference": "Patient/p"}}
    assert mapped(resource).profile.diabetes == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("No diabetes", "unknown"),
    ("Diabetes mellitus ruled out", "unknown"),
    ("Borderline diabetes mellitus", "unknown"),
    ("Type 2 diabetes mellitus without complications", True),
    ("", True),
])
def test_a_diabetes_coding_whose_text_denies_it_is_not_read(text: str, expected: Any) -> None:
    concept = {**cc(ICD10, "E11.9"), **({"text": text} if text else {})}
    resource = {"resourceType": "Condition", "id": "d", "code": concept, "subject": {"reference": "Patient/p"}}
    assert mapped(resource).profile.diabetes == expected


@pytest.mark.parametrize(("body", "sites"), [
    (("10200004", "Liver structure"), ("liver",)),  # the code and the body site agree
    (("272673000", "Bone structure"), "unknown"),  # they disagree: neither the liver nor the bone is read
])
def test_a_secondary_whose_code_and_body_site_disagree_has_no_site(body: tuple[str, str], sites: object) -> None:
    """A 'secondary malignant neoplasm of liver' with a bone body site once read as bone only, and the
    liver (visceral) disappeared; the disagreement leaves the site unclassified."""
    case = mapped(condition("m", SCT, "94381002", body=body))
    assert case.profile.metastatic_sites == sites
    assert case.profile.visceral_disease is not False


ABSENT_REASON = {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/data-absent-reason",
                             "code": "not-performed"}]}


@pytest.mark.parametrize(("code", "value", "field"), [
    ("21908-9", {"valueCodeableConcept": {"text": "Stage IV"}}, "stage"),
    ("21902-2", {"valueCodeableConcept": {"text": "Stage IIA"}}, "stage"),
    ("39156-5", {"valueQuantity": {"value": 31, "unit": "kg/m2"}}, "bmi"),
])
def test_a_stage_group_or_bmi_with_a_data_absent_reason_is_no_value(code: str, value: dict[str, Any],
                                                                     field: str) -> None:
    case = mapped(observation("o", code, dataAbsentReason=ABSENT_REASON, **value))
    assert case.profile.value(field) == "unknown"


def test_a_stage_iv_with_a_data_absent_reason_does_not_date_metastatic_disease() -> None:
    stage_iv = observation("s", "21908-9", "2023-01-01", dataAbsentReason=ABSENT_REASON,
                           valueCodeableConcept={"text": "Stage IV"})
    letrozole = medication("m", cc(RX, "72965", "letrozole"), "2023-06-01", intent_kind="")
    case = mapped(stage_iv, letrozole)
    assert "metastatic" not in str(case.mapping.source("prior_therapies").value)
