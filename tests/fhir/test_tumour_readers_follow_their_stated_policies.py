"""The tumour readers follow the policies their notes and warnings state: the latest final result
stands whatever order the Bundle lists resources in, a warning names each source with its value and
date, agreeing results give no warning, and a resource that does not count never hides one that
does (a preliminary result, a somatic finding for a germline field)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.fhir.builders import (
    ICD10,
    LOINC,
    NEGATIVE,
    POSITIVE,
    SCT,
    cc,
    condition,
    gene_component,
    mapped,
    observation,
    reading_warnings,
)

MCODE_SECONDARY = "http://hl7.org/fhir/us/mcode/StructureDefinition/mcode-secondary-cancer-condition"


def test_the_latest_result_stands_when_the_bundle_lists_the_newest_first() -> None:
    """Mutation: the results sorted by value (r[1]) instead of date (r[0]) in fhir/tumour.py
    receptor(): with the newest listed first, "positive" sorted last and stood."""
    case = mapped(observation("new", "85337-4", "2024-03-01", valueCodeableConcept=NEGATIVE),
                  observation("old", "85337-4", "2019-05-01", valueCodeableConcept=POSITIVE))
    assert case.profile.er_status == "negative"
    assert case.mapping.source("er_status").note == (
        "latest final result: LOINC 85337-4: coded negative (2024-03-01)")


def test_a_disagreement_warning_names_each_source_its_value_and_date() -> None:
    """Mutations: a wrong field of a result (label, value, date) in the warning's words, or
    `r[0] or 'undated'` turned into `and`."""
    case = mapped(observation("old", "48676-1", "2020-01-01", valueCodeableConcept=NEGATIVE),
                  observation("new", "48676-1", "2023-01-01", valueCodeableConcept=POSITIVE))
    assert reading_warnings(case) == (
        "HER2 results disagree: Observation/old negative (2020-01-01); Observation/new positive (2023-01-01); "
        "the latest final result stands: positive",)


def test_an_undated_result_says_so_in_the_warning() -> None:
    """Mutation: as above, for a result without a date."""
    undated = observation("u", "16113-3", valueCodeableConcept=POSITIVE)
    del undated["effectiveDateTime"]
    case = mapped(undated, observation("d", "16113-3", "2023-01-01", valueCodeableConcept=NEGATIVE))
    assert reading_warnings(case) == (
        "PR results disagree: Observation/u positive (undated); Observation/d negative (2023-01-01); "
        "the latest final result stands: negative",)


def test_results_that_agree_give_no_warning() -> None:
    """Mutation: disagreement judged on the resources' labels (r[2]) instead of their values."""
    case = mapped(observation("a", "85337-4", "2020-01-01", valueCodeableConcept=POSITIVE),
                  observation("b", "16112-5", "2023-01-01", valueCodeableConcept=POSITIVE))
    assert case.profile.er_status == "positive" and reading_warnings(case) == ()
    assert case.mapping.source("er_status").resources == ("Observation/a", "Observation/b")


def test_equivocal_only_names_how_each_result_was_read() -> None:
    """Mutation: the note joins the resources' labels (r[2]) instead of how each was read (r[3])."""
    case = mapped(observation("ihc", "85319-2", valueCodeableConcept={"text": "2+"}))
    source = case.mapping.source("her2_status")
    assert source.value == "unknown" and source.note == "equivocal only (LOINC 85319-2: IHC 2+ (needs ISH))"


def test_a_condition_summary_dated_by_onset_only_is_dated_by_its_onset() -> None:
    """Mutation: `day(recordedDate) or day(onsetDateTime)` turned into `and` (an onset-only
    Condition lost its date, and an older recorded one stood)."""
    older = condition("older", SCT, "254837009", when="2020-01-01", stage=[{"summary": {"text": "IIA"}}])
    newer = condition("newer", SCT, "254837009", stage=[{"summary": {"text": "IV"}}], onsetDateTime="2024-06-01")
    del newer["recordedDate"]
    case = mapped(older, newer)
    assert case.profile.stage == "IV"
    assert case.mapping.source("stage").note == "Condition.stage.summary stage group IV (2024-06-01)"


def test_a_site_given_only_in_words_is_read() -> None:
    """Mutation: the loop over SITE_WORDS never runs (a body site in words is never classified)."""
    case = mapped(condition("m", SCT, "128462008", bodySite=[{"text": "Liver, segment 4"}]))
    assert case.profile.metastatic_sites == ("liver",) and case.profile.value("visceral_disease") is True
    bone = mapped(condition("b", SCT, "128462008", bodySite=[{"text": "osseous lesion"}]))
    assert bone.profile.metastatic_sites == ("bone",) and bone.profile.value("visceral_disease") is False


def test_a_condition_known_as_secondary_only_by_its_mcode_profile_counts() -> None:
    """Mutation: `(meta.profile or [])` turned into `and` (the profile is never looked at)."""
    resource = condition("m", SCT, "399068003", display="Malignant tumor of unknown kind",
                         bodySite=[cc(SCT, "10200004", "Liver structure")], meta={"profile": [MCODE_SECONDARY]})
    assert mapped(resource).profile.metastatic_sites == ("liver",)


def _variant(oid: str, hgnc: str, symbol: str, *, status: str = "final",
             germline: bool | None = None) -> dict[str, Any]:
    components = [gene_component(hgnc, symbol)]
    if germline is not None:
        source = "LA6683-2" if germline else "LA6684-0"
        components.append({"code": cc(LOINC, "48002-0"), "valueCodeableConcept": cc(LOINC, source)})
    return observation(oid, "69548-6", status=status, component=components,
                       valueCodeableConcept=cc(LOINC, "LA9633-4"))


def test_a_preliminary_result_never_hides_a_final_one_after_it() -> None:
    """Mutation: `continue` after an unusable Observation turned into `break` in gene_status."""
    case = mapped(_variant("prelim", "HGNC:8975", "PIK3CA", status="preliminary"),
                  _variant("final", "HGNC:8975", "PIK3CA"))
    assert case.profile.pik3ca_mutation is True
    assert case.mapping.source("pik3ca_mutation").resources == ("Observation/final",)


def test_a_somatic_finding_never_hides_a_germline_one_after_it() -> None:
    """Mutation: `continue` after a somatic finding turned into `break` for germline fields."""
    case = mapped(_variant("somatic", "HGNC:1100", "BRCA1", germline=False),
                  _variant("germline", "HGNC:1101", "BRCA2", germline=True))
    assert case.profile.brca_mutation is True
    assert case.mapping.source("brca_mutation").resources == ("Observation/germline",)
    assert mapped(_variant("somatic", "HGNC:1100", "BRCA1", germline=False)).profile.brca_mutation == "unknown"


def test_a_variant_assessment_without_a_value_is_a_reported_variant() -> None:
    """Mutation: `valueCodeableConcept is None` turned into `is not None` (a reported variant
    given only by its gene and significance was not counted)."""
    assessment = observation("v", "69548-6", component=[
        gene_component("HGNC:8975", "PIK3CA"),
        {"code": cc(LOINC, "53037-8"), "valueCodeableConcept": cc(LOINC, "LA6668-3")}])  # pathogenic
    assert mapped(assessment).profile.pik3ca_mutation is True


def test_a_coded_body_site_is_read_by_its_code_without_a_display() -> None:
    """Mutation: `if code` turned into `if not code` (the code was ignored, and only a display
    that happened to name the site saved it)."""
    liver = condition("m", SCT, "128462008", body=("10200004", ""))
    assert mapped(liver).profile.metastatic_sites == ("liver",)


def test_a_gene_code_from_another_system_is_not_an_hgnc_id() -> None:
    """Mutation: `system == HGNC and code` turned into `or` (any system's "8975" read as PIK3CA)."""
    region = observation("region", "53041-0", component=[
        {"code": cc(LOINC, "48018-6"), "valueCodeableConcept": cc("http://example.org/local-genes", "8975")}])
    assert mapped(region).profile.pik3ca_mutation == "unknown"


VER_STATUS = "http://terminology.hl7.org/CodeSystem/condition-ver-status"
BONE_METASTASIS = condition("bone", SCT, "94222008", body=("272673000", "Bone structure"))


def test_visceral_disease_is_read_from_the_conditions_when_the_sites_are_unknown() -> None:
    """A confirmed liver metastasis beside a provisional lung one: the sites are unknown (the lung
    may or may not be one), but visceral disease is certain; axillary node disease alone leaves no
    distant site, and is not visceral. Mutations in fhir/tumour.py's visceral(): its `value=True`
    for a visceral site turned into False, and `value=False` for non-visceral sites only into True."""
    liver = condition("liver", SCT, "94381002", body=("10200004", "Liver structure"))
    lung = condition("lung", SCT, "94391008", verificationStatus=cc(VER_STATUS, "provisional"))
    case = mapped(liver, lung)
    assert (case.profile.metastatic_sites, case.profile.value("visceral_disease")) == ("unknown", True)
    axillary = mapped(condition("n", ICD10, "C77.3", "Secondary malignant neoplasm of axillary lymph nodes"))
    assert (axillary.profile.metastatic_sites, axillary.profile.value("visceral_disease")) == ("unknown", False)


@pytest.mark.parametrize("text", ["Suspected metastatic disease in mother", "Possible metastasis ruled out"])
def test_a_doubt_about_someone_elses_metastasis_or_one_ruled_out_leaves_the_sites_read(text: str) -> None:
    """Only a doubt about the patient's own metastasis makes the sites unknown. Mutation: `a
    secondary mention and uncertain and not negated and not someone else's` with its second `and`
    turned into `or` in fhir/tumour.py's _doubted_secondary."""
    other = {"resourceType": "Condition", "id": "o", "code": {"text": text}, "subject": {"reference": "Patient/p"}}
    assert mapped(other, BONE_METASTASIS).profile.metastatic_sites == ("bone",)


@pytest.mark.parametrize("before", [
    condition("r", SCT, "94381002", verificationStatus=cc(VER_STATUS, "refuted")),
    condition("h", SCT, "38341003", clinicalStatus=cc("http://terminology.hl7.org/CodeSystem/condition-clinical",
                                                      "resolved")),
], ids=["refuted", "resolved"])
def test_a_refuted_or_resolved_condition_never_hides_the_metastasis_after_it(before: dict[str, Any]) -> None:
    """Mutations: `continue` past a refuted Condition, or past one no longer current, turned into
    `break` in fhir/tumour.py's current_secondary_sites."""
    assert mapped(before, BONE_METASTASIS).profile.metastatic_sites == ("bone",)
