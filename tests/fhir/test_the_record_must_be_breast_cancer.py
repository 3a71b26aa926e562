"""A primary cancer of another site is refused, naming the Condition; a breast primary is read; a
primary whose site cannot be confirmed, or none, is read with a warning (never refused)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from igfrules import CaseError
from igfrules.cli import main
from tests.fhir.builders import ICD10, MC, POSITIVE, SCT, bundle, cc, condition, mapped, observation

PRIMARY = {"meta": {"profile": [MC + "mcode-primary-cancer-condition"]}}
STAGE_IV = observation("stage", "21908-9", valueCodeableConcept={"text": "Stage IV"})
ER = observation("er", "85337-4", valueCodeableConcept=POSITIVE)


@pytest.mark.parametrize(("system", "code"), [(SCT, "363406005"), (SCT, "363358000"), (ICD10, "C18.7"),
                                              (ICD10, "C34.90")])
def test_a_primary_cancer_of_another_site_is_refused_naming_it(system: str, code: str) -> None:
    colon = condition("colon", system, code, "Malignant tumor", **PRIMARY)
    with pytest.raises(CaseError) as caught:
        mapped(colon, STAGE_IV, ER)
    assert "Condition/colon: Condition.code" in str(caught.value)
    assert "not breast cancer" in str(caught.value)


def test_a_colon_cancer_bundle_staged_iv_exits_1_on_the_command_line(tmp_path: Path) -> None:
    path = tmp_path / "colon.json"
    colon = condition("colon", SCT, "363406005", "Malignant neoplasm of colon")  # no mCODE profile either
    path.write_text(json.dumps(bundle(colon, STAGE_IV, ER)), encoding="utf-8")
    result = CliRunner().invoke(main, ["evaluate", str(path)])
    assert result.exit_code == 1
    assert "Condition/colon" in result.output and "Traceback" not in result.output


@pytest.mark.parametrize(("system", "code", "body"), [
    (SCT, "254837009", None), (SCT, "353431000119107", None), (ICD10, "C50.912", None), (ICD10, "D05.10", None),
    (SCT, "999999999", ("80248007", "Left breast structure")),
])
def test_a_breast_primary_is_read_without_a_warning_about_its_site(system: str, code: str,
                                                                   body: tuple[str, str] | None) -> None:
    case = mapped(condition("b", system, code, "Carcinoma", body=body, **PRIMARY), ER)
    assert case.profile.er_status == "positive"
    assert not any("breast cancer" in w for w in case.mapping.warnings)


def test_a_code_neither_breast_nor_another_site_is_read_with_a_warning() -> None:
    case = mapped(condition("c", SCT, "999999999", "Some carcinoma", **PRIMARY), ER)
    assert case.profile.er_status == "positive"
    assert any("Condition/c: breast cancer could not be confirmed" in w for w in case.mapping.warnings)


def test_no_primary_cancer_is_read_with_a_warning() -> None:
    case = mapped(ER)
    assert any(w.startswith("no primary cancer Condition") for w in case.mapping.warnings)


def test_a_second_primary_of_another_site_beside_breast_is_a_warning_and_its_stage_is_not_read() -> None:
    breast = condition("b", SCT, "254837009", "Malignant neoplasm of breast", **PRIMARY,
                       stage=[{"summary": {"text": "Stage IIA"}}])
    colon = condition("colon", SCT, "363406005", "Malignant neoplasm of colon", **PRIMARY,
                      stage=[{"summary": {"text": "Stage IV"}}])
    case = mapped(breast, colon)
    assert case.profile.stage == "IIA"
    assert ("Condition/colon: a primary cancer of the colon (SNOMED CT 363406005), beside the breast cancer; its "
            "stage is not read") in case.mapping.warnings


def test_a_primary_of_another_site_beside_one_not_placed_is_named_as_beside_a_cancer_not_placed() -> None:
    """Mutation: the warning's `if found.breast` negated (the colon said to be beside a breast
    cancer the record never confirmed)."""
    unplaced = condition("c", SCT, "999999999", "Some carcinoma", **PRIMARY)
    colon = condition("colon", SCT, "363406005", "Malignant neoplasm of colon", **PRIMARY)
    case = mapped(unplaced, colon, ER)
    assert ("Condition/colon: a primary cancer of the colon (SNOMED CT 363406005), beside a cancer not placed; its "
            "stage is not read") in case.mapping.warnings
    assert UNCONFIRMED in case.mapping.warnings


def test_a_secondary_cancer_is_not_a_primary_of_another_site() -> None:
    liver = condition("m", SCT, "94381002", "Secondary malignant neoplasm of liver")
    case = mapped(condition("b", SCT, "254837009", "Malignant neoplasm of breast", **PRIMARY), liver)
    assert case.profile.metastatic_sites == ("liver",)


def test_an_invalid_colon_cancer_condition_still_refuses_the_record() -> None:
    colon = condition("colon", SCT, "363406005", "Malignant neoplasm of colon", onsetDateTime="not a date")
    with pytest.raises(CaseError, match="Condition/colon"):
        mapped(colon, STAGE_IV, ER)


@pytest.mark.parametrize("code", ["C00.0", "C18.7", "C75.9", "C81.90", "C96.9", "D00.00", "D09.9"])
def test_every_icd_10_block_of_another_site_is_refused_to_its_last_code(code: str) -> None:
    """ICD-10-CM C00-C75 (but C50), C81-C96 and D00-D09 (but D05) name a cancer of another site, up
    to and including each block's last code. Mutations: `block <= 75`, `81 <= block <= 96` or
    `block <= 9` turned into `<`, or the C/D letter test inverted."""
    with pytest.raises(CaseError, match="not breast cancer"):
        mapped(condition("other", ICD10, code, **PRIMARY), ER)


@pytest.mark.parametrize("code", ["C76.0", "C80.1", "C97", "D10.0", "C4", "D3A.0", "CA125"])
def test_an_icd_10_code_that_names_no_site_is_read_with_a_warning_never_refused(code: str) -> None:
    """C76 and C80 (ill-defined, unspecified sites), C97 (multiple primaries), D10 and D3A (benign) and
    a code too short or malformed to place say nothing of the site: a breast cancer coded so must
    be read, with the warning that breast could not be confirmed, never a
    crash. Mutations: the block bounds widened (`<= 76`, `80 <= block`, `<= 97`, `<= 10`), the
    length check loosened, or the digits checked at `code[1:2]` or `code[2:3]` instead of the block
    `code[1:3]` that is read."""
    case = mapped(condition("c", ICD10, code, **PRIMARY), ER)
    assert case.profile.er_status == "positive"
    assert any(w.startswith("Condition/c: breast cancer could not be confirmed") for w in case.mapping.warnings)


def test_a_condition_that_is_no_cancer_listed_first_never_hides_the_primary_after_it() -> None:
    """Mutation: `continue` past a Condition that is not a primary cancer turned into `break` (the
    colon cancer after hypertension was never seen, and the record read as breast cancer)."""
    hypertension = condition("htn", SCT, "38341003", "Hypertensive disorder")
    with pytest.raises(CaseError, match="Condition/colon"):
        mapped(hypertension, condition("colon", SCT, "363406005", "Malignant neoplasm of colon", **PRIMARY), ER)


UNCONFIRMED = "Condition/c: breast cancer could not be confirmed from its code or body site; read as breast cancer"
BREAST_AND_COLON = {"coding": [{"system": SCT, "code": "254837009"}, {"system": SCT, "code": "363406005"}]}


def test_codes_or_a_body_site_naming_breast_and_another_site_leave_the_site_unconfirmed() -> None:
    """A record that names breast and another site for one primary is read with the warning, never
    refused and never confirmed. Mutations in site(): `named == {"breast"}` negated, or
    `"breast" not in named` turned into `in`, or `and` into `or`."""
    both_codes = {**condition("c", SCT, "254837009", **PRIMARY), "code": BREAST_AND_COLON}
    colon_in_breast = condition("c", SCT, "363406005", "Malignant neoplasm of colon",
                                body=("80248007", "Left breast structure"), **PRIMARY)
    for primary in (both_codes, colon_in_breast):
        case = mapped(primary, ER)
        assert case.profile.er_status == "positive"
        assert UNCONFIRMED in case.mapping.warnings


@pytest.mark.parametrize("profiled", [True, False])
def test_mammary_in_the_words_confirms_breast_when_no_code_places_it(profiled: bool) -> None:
    """Mutation: the words read only when a code places the cancer (`if not named` inverted)."""
    carcinoma = condition("c", SCT, "999999999", "Carcinoma of mammary gland", **(PRIMARY if profiled else {}))
    case = mapped(carcinoma, ER)
    assert not any("breast cancer could not be confirmed" in w or w.startswith("no primary cancer")
                   for w in case.mapping.warnings)


def test_an_invalid_condition_counts_as_breast_only_when_every_code_is_breast() -> None:
    """An invalid (skipped) breast-cancer Condition beside a colon primary keeps the record (with
    the warning about the colon); one coded breast and colon confirms nothing, and the colon primary
    refuses the record. Mutations in _skipped_conditions: the all-breast test negated or loosened."""
    colon = condition("colon", SCT, "363406005", "Malignant neoplasm of colon", **PRIMARY)
    invalid_breast = condition("b", SCT, "254837009", onsetDateTime="not a date")
    case = mapped(invalid_breast, colon, ER)
    assert any(w.startswith("Condition/colon: a primary cancer of the colon") for w in case.mapping.warnings)
    with pytest.raises(CaseError, match="Condition/colon"):
        mapped({**invalid_breast, "code": BREAST_AND_COLON}, colon, ER)


MELANOMA = condition("mel", ICD10, "C43.9", "Malignant melanoma of skin, unspecified", when="2015-01-01")


@pytest.mark.parametrize("text", ["Metastatic carcinoma of right female breast",
                                  "Malignant neoplasm of right breast, metastatic to bone"])
def test_a_metastatic_breast_cancer_beside_a_prior_melanoma_is_read_not_refused(text: str) -> None:
    case = mapped(condition("b", ICD10, "C50.911", text), MELANOMA, ER)
    assert case.profile.er_status == "positive"
    assert any(w.startswith("Condition/mel: a primary cancer of a site other than breast")
               for w in case.mapping.warnings)
    assert not any(w.startswith("no primary cancer Condition") for w in case.mapping.warnings)


@pytest.mark.parametrize("code", [
    {"coding": {"system": ICD10, "code": "C50.911"}},  # coding as an object: the code cannot be read
    {"text": "Invasive ductal carcinoma of left breast"},  # words only
    {"coding": [{"system": SCT, "code": "278054005", "display": "Infiltrating lobular carcinoma of breast"}]},
])
def test_an_invalid_condition_that_could_be_the_breast_primary_keeps_a_prior_melanoma_from_refusing(
        code: dict[str, object]) -> None:
    invalid = {"resourceType": "Condition", "id": "b", "subject": {"reference": "Patient/p"}, "code": code,
               "onsetDateTime": "not a date"}
    case = mapped(invalid, MELANOMA, ER)
    assert case.profile.er_status == "positive"
    assert any(w.startswith("Condition/b skipped") for w in case.mapping.warnings)


@pytest.mark.parametrize(("system", "code"), [(ICD10, "E11.9"), (SCT, "94381002"), (ICD10, "C78.7")])
def test_an_invalid_diabetes_or_metastasis_condition_does_not_keep_a_colon_cancer_from_being_refused(
        system: str, code: str) -> None:
    invalid = condition("d", system, code, "Not a primary", onsetDateTime="not a date")
    colon = condition("colon", SCT, "363406005", "Malignant neoplasm of colon", **PRIMARY)
    with pytest.raises(CaseError, match="Condition/colon"):
        mapped(invalid, colon, STAGE_IV, ER)


@pytest.mark.parametrize("code", ["C4A.9", "C7A.00"])
def test_merkel_cell_and_neuroendocrine_primaries_are_of_another_site(code: str) -> None:
    with pytest.raises(CaseError, match=r"Condition/x: Condition\.code"):
        mapped(condition("x", ICD10, code, "Malignant tumour", **PRIMARY), STAGE_IV, ER)


def test_a_stage_summary_on_a_cancer_not_placed_beside_a_breast_primary_is_not_the_breast_stage() -> None:
    breast = condition("b", ICD10, "C50.911", "Malignant neoplasm of right breast", **PRIMARY)
    melanoma = condition("mel", SCT, "372244006", "Malignant melanoma of skin", **PRIMARY,
                         stage=[{"summary": {"text": "Stage IV"}}])
    assert mapped(breast, melanoma).profile.stage == "unknown"


@pytest.mark.parametrize(("code", "text", "stage"), [
    ("Z85.820", "Personal history of malignant melanoma of skin", "Stage IIIC"),
    ("N18.3", "Chronic kidney disease, stage 3", "Stage 3"),
])
def test_a_stage_summary_on_a_condition_that_is_not_a_primary_cancer_is_not_the_breast_stage(
        code: str, text: str, stage: str) -> None:
    breast = condition("b", ICD10, "C50.911", "Malignant neoplasm of right breast", **PRIMARY)
    other = condition("o", ICD10, code, text, stage=[{"summary": {"text": stage}}])
    assert mapped(breast, other).profile.stage == "unknown"


def test_a_prior_melanoma_in_recurrence_does_not_unsettle_the_breast_cancers_stage_or_intent() -> None:
    clinical = "http://terminology.hl7.org/CodeSystem/condition-clinical"
    breast = condition("b", ICD10, "C50.911", "Malignant neoplasm of right breast", **PRIMARY,
                       stage=[{"summary": {"text": "Stage IIA"}}])
    melanoma = condition("mel", ICD10, "C43.9", "Malignant melanoma of skin", **PRIMARY,
                         clinicalStatus=cc(clinical, "recurrence"))
    surgery = {"resourceType": "Procedure", "id": "s", "status": "completed", "subject": {"reference": "Patient/p"},
               "code": {"text": "Mastectomy"}, "performedDateTime": "2024-02-01",
               "extension": [{"url": MC + "mcode-procedure-intent", "valueCodeableConcept": cc(SCT, "373808002")}]}
    case = mapped(breast, melanoma, surgery)
    assert case.profile.stage == "IIA"
    assert case.profile.treatment_intent == "curative"


@pytest.mark.parametrize(("system", "code"), [(SCT, "94381002"), (ICD10, "C78.7")])
def test_a_condition_coded_as_a_secondary_cancer_is_no_primary_whatever_its_profile(system: str, code: str) -> None:
    """A liver metastasis (SNOMED CT 94381002, ICD-10-CM C78.7) that carries mCODE's primary-cancer
    profile by mistake is still the metastasis: its liver site is read, and it is not taken for a
    primary whose site could not be confirmed. Mutations in _secondary_coded: a SNOMED CT code
    counted as secondary only when it is both site-specific and generic (`or` turned into `and`),
    and the ICD-10-CM test inverted (`system != ICD10CM`: C78.7 no longer a secondary code)."""
    liver = condition("m", system, code, "Secondary malignant neoplasm of liver", **PRIMARY)
    case = mapped(liver, ER)
    assert case.profile.metastatic_sites == ("liver",)
    assert case.mapping.warnings == ("no primary cancer Condition: the record does not confirm breast cancer; "
                                     "read as one",)


@pytest.mark.parametrize(("code", "category"), [("C7A.00", "C7A)"), ("C4A.9", "C4A)"), ("C18.7", "C18)"),
                                                ("D01.0", "D01, in situ)"), ("C18", "C18)")])
def test_the_refusal_names_the_icd_10_category_of_the_other_site(code: str, category: str) -> None:
    """The error says which ICD-10-CM category placed the cancer elsewhere: its three characters,
    no more and no fewer, and a category given alone ("C18") is placed as its codes are.
    Mutations: the category cut to two (`code[:2]`: "C7" for C7A) or to four (`code[:4]`: "C7A0",
    "C187", "D010"), and the shortest code placed raised from 3 characters to 4 (`len(code) <= 3`,
    `len(code) < 4`: "C18" read as naming no site), all in fhir/breast.py's _icd_site."""
    with pytest.raises(CaseError) as caught:
        mapped(condition("x", ICD10, code, **PRIMARY), ER)
    assert f"a cancer of a site other than breast (ICD-10-CM {category}" in str(caught.value)


@pytest.mark.parametrize("code", ["C84.A0", "C96.A"])
def test_a_code_with_a_letter_after_its_block_is_placed_by_its_block(code: str) -> None:
    """ICD-10-CM puts letters after some blocks: C84.A0 (cutaneous T-cell lymphoma) and C96.A
    (histiocytic sarcoma) are of C81-C96, a cancer of another site, refused. Mutation: the block's
    digits checked at `code[1:4]` instead of `code[1:3]` in fhir/breast.py (the letter read as part
    of the block: no site, and the record read as breast cancer)."""
    with pytest.raises(CaseError) as caught:
        mapped(condition("x", ICD10, code, **PRIMARY), ER)
    assert f"a cancer of a site other than breast (ICD-10-CM {code[:3]})" in str(caught.value)


def _refusal(*resources: dict[str, object]) -> str:
    with pytest.raises(CaseError) as caught:
        mapped(*resources)
    return str(caught.value)


@pytest.mark.parametrize(("display", "named"), [("Malignant neoplasm of colon", "Malignant neoplasm of colon"),
                                                ("", "363406005")])
def test_the_refusal_names_the_primary_by_its_words_else_by_its_code(display: str, named: str) -> None:
    """The tumour board reads which Condition was taken for another site's cancer: by its words
    when it has some, else by its code. Mutation: `display_text(...) or codes` turned into `and` in
    fhir/breast.py's check_breast (the code named beside words, nothing without)."""
    message = _refusal(condition("colon", SCT, "363406005", display, **PRIMARY), ER)
    assert (f"Condition/colon: Condition.code: the primary cancer is {named!r}, a cancer of the colon (SNOMED CT "
            "363406005), not breast cancer") in message


def test_the_refusal_names_an_invalid_primary_by_its_code() -> None:
    """An invalid (skipped) colon-cancer Condition that refuses the record is named by the code
    still read from its raw JSON. Mutation: `item.codes or ()` turned into `and` in fhir/breast.py's
    _skipped_conditions (no code named)."""
    colon = condition("colon", SCT, "363406005", "Malignant neoplasm of colon", onsetDateTime="not a date")
    assert ("the primary cancer is '363406005 (a Condition skipped as not valid FHIR R4)', a cancer of the colon "
            "(SNOMED CT 363406005), not breast cancer") in _refusal(colon, ER)


TWO_OTHER_SITES = {"coding": [{"system": SCT, "code": "363406005"}, {"system": SCT, "code": "363358000"}]}


@pytest.mark.parametrize("valid", [True, False])
def test_a_primary_coded_for_two_other_sites_is_refused_naming_the_first(valid: bool) -> None:
    """A Condition coded colon then lung cancer is refused naming the colon, valid or skipped as
    invalid. Mutations in fhir/breast.py: the site taken as the last (`others[-1]` in site(),
    `places[-1]` in _skipped_conditions)."""
    primary = {**condition("x", SCT, "363406005", **PRIMARY), "code": TWO_OTHER_SITES}
    if not valid:
        primary["onsetDateTime"] = "not a date"
    assert "a cancer of the colon (SNOMED CT 363406005), not breast cancer" in _refusal(primary, ER)


INVALID_OBSERVATION = observation("o", "85337-4", valueCodeableConcept=POSITIVE, valueString="positive")
INVALID_DIABETES = condition("d", ICD10, "E11.9", onsetDateTime="not a date")


@pytest.mark.parametrize("before", [INVALID_OBSERVATION, INVALID_DIABETES], ids=["observation", "diabetes"])
def test_an_invalid_resource_before_an_invalid_colon_cancer_never_hides_it(before: dict[str, object]) -> None:
    """Every skipped resource is looked at: an invalid Observation, or an invalid Condition that is
    no primary (diabetes), skipped before an invalid colon-cancer Condition leaves the colon cancer
    to refuse the record. Mutations in fhir/breast.py's _skipped_conditions: `continue` past a
    skipped resource that is no Condition, or past one that places no cancer, turned into `break`."""
    colon = condition("colon", SCT, "363406005", "Malignant neoplasm of colon", onsetDateTime="not a date")
    assert "Condition/colon: Condition.code" in _refusal(before, colon, ER)


NO_WORDS = {"code": {"coding": [{"system": SCT, "code": "999999999"}]}}


@pytest.mark.parametrize(("system", "body", "confirmed"), [
    (SCT, "80248007", True),  # left breast structure
    ("http://example.org/local-sites", "80248007", False),  # the same digits in another code system
    (SCT, "71854001", False),  # colon structure
])
def test_only_a_snomed_ct_breast_body_site_confirms_breast_without_words(system: str, body: str,
                                                                         confirmed: bool) -> None:
    """A primary whose code places no site, with no words anywhere, is confirmed as breast by a
    SNOMED CT breast body site, and by no other code. Mutations in fhir/breast.py's _body_site: the
    SNOMED CT test inverted (`!=`, `not ==`) or joined with `or` (any SNOMED CT site taken for breast)."""
    primary = {**condition("c", SCT, "999999999", **PRIMARY), **NO_WORDS,
               "bodySite": [{"coding": [{"system": system, "code": body}]}]}
    case = mapped(primary, ER)
    assert case.profile.er_status == "positive"
    assert (UNCONFIRMED not in case.mapping.warnings) is confirmed


@pytest.mark.parametrize("status", ["refuted", "entered-in-error"])
def test_a_refuted_primary_of_another_site_is_no_primary(status: str) -> None:
    """A colon cancer the record refutes (or entered in error) is not the patient's cancer: the
    record is read, with the warning that it names no primary. Mutation: `return False` for a
    refuted Condition turned into `return True` in fhir/breast.py's is_primary_cancer."""
    verification = cc("http://terminology.hl7.org/CodeSystem/condition-ver-status", status)
    colon = condition("colon", SCT, "363406005", "Malignant neoplasm of colon", **PRIMARY,
                      verificationStatus=verification)
    case = mapped(colon, ER)
    assert case.profile.er_status == "positive"
    assert any(w.startswith("no primary cancer Condition") for w in case.mapping.warnings)


def test_a_breast_cancer_coded_in_snomed_ct_and_called_metastatic_is_the_breast_primary() -> None:
    """Words that say the cancer has spread do not make a Condition coded as breast cancer a
    secondary one, in SNOMED CT as in ICD-10-CM. Mutation: `system == SNOMED and (a secondary code)`
    turned into `or` in fhir/breast.py's _secondary_coded (every SNOMED CT code counted secondary)."""
    case = mapped(condition("b", SCT, "254837009", "Metastatic carcinoma of breast"), ER)
    assert case.mapping.warnings == ()


RECURRENCE = {"clinicalStatus": cc("http://terminology.hl7.org/CodeSystem/condition-clinical", "recurrence")}
NOT_PLACED_IN_RECURRENCE = condition("mel", SCT, "372244006", "Malignant melanoma of skin", **PRIMARY, **RECURRENCE)
STAGE_IIA = observation("stage", "21908-9", valueCodeableConcept={"text": "Stage IIA"})


def test_the_clinical_status_read_is_the_breast_primarys_else_that_of_the_primaries_not_placed() -> None:
    """Beside a breast primary, a cancer not placed (a melanoma under a SNOMED CT code not listed)
    in recurrence leaves the breast stage read; without a breast primary, that cancer's recurrence
    is this cancer's, and the stage before it is not the current one. Mutation: `if self.breast`
    negated in fhir/breast.py's Primaries.of_this_cancer."""
    breast = condition("b", ICD10, "C50.911", "Malignant neoplasm of right breast", **PRIMARY)
    assert mapped(breast, NOT_PLACED_IN_RECURRENCE, STAGE_IIA).profile.stage == "IIA"
    assert mapped(NOT_PLACED_IN_RECURRENCE, STAGE_IIA).profile.stage == "unknown"
