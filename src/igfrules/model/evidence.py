"""The words of evidence grading: direction, kind of study, the level each kind earns, ESCAT tiers.

Shared by the knowledge base (which grades each entry) and the Report (which carries the grade),
so that both speak the same closed vocabulary (docs/evidence-grades.md explains each word).
"""

from typing import Literal

Direction = Literal["supports", "does_not_support", "caution"]
EvidenceKind = Literal[
    "randomised_clinical",  # A: a randomised comparison in breast cancer
    "nonrandomised_clinical",  # B: single-arm or dose-finding data in breast-cancer patients
    "clinical_subgroup",  # B: a subgroup of a randomised breast-cancer trial
    "observational",  # B: epidemiological, prognostic or cohort data in breast cancer (risk, prognosis)
    "clinical_design_unstated",  # B: clinical trials in breast cancer whose design the sources do not state
    "clinical_other_tumours",  # C: clinical data from mixed or other solid tumours
    "preclinical",  # D: cell lines, xenografts
    "inferential",  # E: a hypothesis the review draws from mechanism
]
LEVEL_OF_KIND: dict[str, str] = {
    "randomised_clinical": "A",
    "nonrandomised_clinical": "B",
    "clinical_subgroup": "B",
    "observational": "B",
    "clinical_design_unstated": "B",
    "clinical_other_tumours": "C",
    "preclinical": "D",
    "inferential": "E",
}
ESCAT_TIERS = ("I-A", "I-B", "I-C", "II-A", "II-B", "III-A", "III-B", "IV-A", "IV-B", "V", "X")
