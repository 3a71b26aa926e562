"""Every code the mapping reads, in one place (docs/fhir.md lists them with their meaning).

Only codes known to be real are listed; where a concept has no code we are sure of, the mapping
falls back on the coding's display or the concept's text, and docs/fhir.md says so.
"""

from __future__ import annotations

from typing import Final

LOINC: Final = "http://loinc.org"
SNOMED: Final = "http://snomed.info/sct"
RXNORM: Final = "http://www.nlm.nih.gov/research/umls/rxnorm"
ICD10CM: Final = "http://hl7.org/fhir/sid/icd-10-cm"
HGNC: Final = "http://www.genenames.org/geneId"
# HGNC as mCODE 4.0.0's examples write it (the Genomics Reporting IG's system), with or without "HGNC:".
HGNC_SYSTEMS: Final = frozenset({HGNC, "http://www.genenames.org"})
AJCC: Final = "http://cancerstaging.org"

MCODE: Final = "http://hl7.org/fhir/us/mcode/StructureDefinition/"
PROCEDURE_INTENT_URL: Final = MCODE + "mcode-procedure-intent"
RELATED_CONDITION_URL: Final = MCODE + "mcode-related-condition"
RELATED_CONDITION_ABSENT_URL: Final = MCODE + "mcode-related-condition-absent"

# --- tumour markers (LOINC) -------------------------------------------------------------------
# Every ER, PR and HER2 code of mCODE 4.0.0's tumour-marker value set that gives a status: a
# presence, an interpretation, or a percentage of stained cells (docs/fhir.md lists those of the
# value set that are not read, and why: a mass or a fluorescence intensity is no status).
ER_CODES: Final = {"85337-4": "ER by immune stain (breast)", "16112-5": "ER interpretation",
                   "40556-3": "ER Ag by immune stain (tissue)", "85329-1": "ER cells/100 cells (breast)",
                   "14228-1": "ER cells/100 cells (tissue)"}
PR_CODES: Final = {"85339-0": "PR by immune stain (breast)", "16113-3": "PR interpretation",
                   "40557-1": "PR Ag by immune stain (tissue)", "85325-9": "PR cells/100 cells (breast)",
                   "14230-7": "PR cells/100 cells (tissue)"}
HER2_INTERPRETATION: Final = {"48676-1": "HER2 interpretation", "72383-3": "HER2 presence in tissue by immunoassay"}
HER2_IHC: Final = {"85319-2": "HER2 by immune stain (breast)", "18474-7": "HER2 Ag by immune stain"}
HER2_ISH: Final = {"85318-4": "ERBB2 duplication by FISH (breast)", "31150-6": "ERBB2 duplication by FISH (tissue)",
                   "96893-3": "ERBB2 duplication by FISH (tumour)"}
HER2_CODES: Final = {**HER2_INTERPRETATION, **HER2_IHC, **HER2_ISH}

POSITIVE_ANSWERS: Final = {(LOINC, "LA6576-8"), (SNOMED, "10828004")}
NEGATIVE_ANSWERS: Final = {(LOINC, "LA6577-6"), (SNOMED, "260385009")}
EQUIVOCAL_ANSWERS: Final = {(SNOMED, "42425007")}

# --- stage (LOINC and SNOMED CT, as mCODE binds them) -------------------------------------------
STAGE_CLINICAL: Final = "21908-9"
STAGE_PATHOLOGICAL: Final = "21902-2"
STAGE_CODES: Final = {STAGE_CLINICAL: "clinical", STAGE_PATHOLOGICAL: "pathological"}
# Observation.code of a stage group: mCODE TNMStageGroup's staging types (SNOMED, preferred in STU4)
# and the LOINC codes of earlier versions.
STAGE_GROUP_OBSERVATIONS: Final = {
    (LOINC, STAGE_CLINICAL): "clinical", (LOINC, STAGE_PATHOLOGICAL): "pathological",
    (SNOMED, "399537006"): "clinical", (SNOMED, "399588009"): "pathological", (SNOMED, "399390009"): "unstated",
}
# SNOMED CT AJCC stage-group qualifiers (descendants of the concepts mCODE's TNMStageGroupVS
# includes), as the profile spells them. Source: the NZ CanShare TNM stage-group value set
# (nzhts.digital.health.nz, canshare-tnm-pathological-stage-group), agreeing with the mCODE IG's
# own examples (1222769001 IIB, 1222806003 IIIC). Sub-groups breast staging does not use (IA1,
# IIIC1, ...) are not listed: such a code names no stage group here.
STAGE_GROUP_SNOMED: Final = {
    "1222605001": "0", "1222722006": "0", "1222723001": "I", "1222724007": "IA", "1222728005": "IB",
    "1222765007": "II", "1222766008": "IIA", "1222769001": "IIB", "1222801008": "III", "1222802001": "IIIA",
    "1222805004": "IIIB", "1222806003": "IIIC", "1222837003": "IV",
}
# Observation.code of a TNM distant-metastasis (M) category.
M_CATEGORY_OBSERVATIONS: Final = {
    (LOINC, "21907-1"): "clinical", (LOINC, "21901-4"): "pathological",
    (SNOMED, "399387003"): "clinical", (SNOMED, "371497001"): "pathological", (SNOMED, "277208005"): "unstated",
}
# SNOMED CT AJCC M-category qualifiers: cM0, cM0(i+) (tumour cells under 0.2 mm, still M0), cM1,
# cM1a-c, pM1.
M_CATEGORY_SNOMED: Final = {
    "1229901006": "M0", "1229902004": "M0", "1229903009": "M1", "1229904003": "M1", "1229907005": "M1",
    "1229910003": "M1", "1229916009": "M1",
}

# --- metastatic sites ---------------------------------------------------------------------------
SECONDARY_GENERIC: Final = {"128462008"}  # SNOMED: secondary malignant neoplastic disease
# SNOMED secondary-neoplasm disorders that name their site.
SECONDARY_SNOMED_SITE: Final = {"94381002": "liver", "94391008": "lung", "94225005": "brain", "94222008": "bone"}
# SNOMED body structures.
BODY_SITE_SNOMED: Final = {
    "10200004": "liver", "39607008": "lung", "3120008": "pleura", "15425007": "peritoneum",
    "12738006": "brain", "23451007": "adrenal gland", "272673000": "bone", "59441001": "lymph node",
    "68171009": "lymph node", "39937001": "skin", "87784001": "soft tissue",
}
VISCERAL_SITES: Final = frozenset({"liver", "lung", "pleura", "peritoneum", "adrenal gland",
                                   "kidney", "ovary", "bowel", "pericardium", "bladder",
                                   "mediastinum", "other viscera"})
# Not visceral: the profile counts the brain and meninges apart (cns_metastases), as trials do.
NON_VISCERAL_SITES: Final = frozenset({"bone", "lymph node", "skin", "soft tissue", "brain", "meninges"})
# Words in a body site's text or display, for sites coded otherwise or not at all.
SITE_WORDS: Final = (
    ("lymph", "lymph node"), ("liver", "liver"), ("hepat", "liver"), ("pleura", "pleura"),
    ("lung", "lung"), ("pulmonary", "lung"), ("peritone", "peritoneum"), ("brain", "brain"),
    ("cerebr", "brain"), ("adrenal", "adrenal gland"), ("mening", "meninges"), ("bone marrow", ""),
    ("bone", "bone"), ("osseous", "bone"), ("skin", "skin"), ("cutaneous", "skin"),
    ("soft tissue", "soft tissue"), ("chest wall", "soft tissue"), ("kidney", "kidney"),
    ("ovar", "ovary"),
)


def icd10_secondary_site(code: str) -> str | None:
    """The site of an ICD-10-CM secondary-neoplasm code (C77-C79), "" when unspecified, None if
    the code is not one."""
    code = code.replace(".", "").upper()
    if code.startswith("C77"):
        return "lymph node"
    prefixes = (
        ("C780", "lung"), ("C781", "mediastinum"), ("C782", "pleura"), ("C783", "other viscera"),
        ("C784", "bowel"), ("C785", "bowel"), ("C786", "peritoneum"), ("C787", "liver"),
        ("C788", "other viscera"), ("C790", "kidney"), ("C791", "bladder"), ("C792", "skin"),
        ("C793", "brain"), ("C794", "other viscera"), ("C7951", "bone"), ("C796", "ovary"),
        ("C797", "adrenal gland"),
    )
    for prefix, site in prefixes:
        if code.startswith(prefix):
            return site
    return "" if code.startswith(("C78", "C79")) else None


# --- genomics (LOINC, HGNC) ---------------------------------------------------------------------
VARIANT_ASSESSMENT: Final = "69548-6"  # Genetic variant assessment
REGION_STUDIED: Final = "53041-0"  # DNA region of interest panel
GENE_STUDIED: Final = "48018-6"  # Gene studied [ID]
CLINICAL_SIGNIFICANCE: Final = "53037-8"
GENOMIC_SOURCE_CLASS: Final = "48002-0"
VARIANT_PRESENT: Final = (LOINC, "LA9633-4")
VARIANT_ABSENT: Final = (LOINC, "LA9634-2")
GERMLINE: Final = (LOINC, "LA6683-2")
NOT_A_MUTATION: Final = {"LA6675-8": "benign", "LA26334-5": "likely benign"}
UNCERTAIN: Final = {"LA26333-7": "uncertain significance"}
PATHOGENIC: Final = {"LA6668-3": "pathogenic", "LA26332-9": "likely pathogenic"}
# Components that describe the variant found (DNA change, amino-acid change, genomic DNA change,
# discrete variant): an assessment that describes one reports a variant even without a value.
VARIANT_DESCRIBED: Final = {"48004-6", "48005-3", "81290-9", "81252-9"}
PIK3CA: Final = ("HGNC:8975", "PIK3CA")
BRCA1: Final = ("HGNC:1100", "BRCA1")
BRCA2: Final = ("HGNC:1101", "BRCA2")

# --- comorbidities ------------------------------------------------------------------------------
COMORBIDITIES: Final = "398192003"  # SNOMED: co-morbid conditions (mCODE Comorbidities profile)
DIABETES_SNOMED: Final = {"73211009": "diabetes mellitus", "44054006": "type 2 diabetes mellitus",
                          "46635009": "type 1 diabetes mellitus"}
DIABETES_ICD10_PREFIXES: Final = ("E08", "E09", "E10", "E11", "E13")
NOT_DIABETES_WORDS: Final = ("insipidus", "gestational", "prediabet", "pre-diabet", "family history", "screening",
                             "risk of")

# --- treatment ----------------------------------------------------------------------------------
INTENT_CURATIVE: Final = "373808002"
INTENT_PALLIATIVE: Final = "363676003"
SURGICAL_PROCEDURE: Final = "387713003"  # SNOMED procedure category (mCODE surgical procedure)
BREAST_SURGERY_WORDS: Final = ("mastectomy", "lumpectomy", "breast", "quadrantectomy")

DISEASE_STATUS_CODES: Final = {"97509-4": "cancer disease progression (mCODE STU3)",
                               "88040-1": "response to cancer treatment (mCODE STU1)"}
STATUS_WORSENED: Final = "271299001"
# mCODE's ConditionStatusTrendVS: "not detected" (no evidence of disease) is no progression either;
# 709137006 "undetermined" says nothing, and is read as nothing.
STATUS_NOT_WORSENED: Final = {"268910001": "improved", "359746009": "stable", "260415000": "not detected"}

# --- other fields -------------------------------------------------------------------------------
BMI: Final = "39156-5"
SERUM_IGF1: Final = "2484-4"

USABLE_OBSERVATION_STATUS: Final = frozenset({"final", "amended", "corrected"})
