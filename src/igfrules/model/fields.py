"""The catalogue of profile fields that conditions can test.

One table says, for every field, what kind of value it holds, which values are allowed and
which operators apply. The patient model, the knowledge-base loader, the condition evaluators
and the documentation all read it, so a field is defined once.
"""

from __future__ import annotations

from enum import Enum
from typing import Final, NamedTuple


class Kind(str, Enum):
    ENUM = "enum"  # one of a fixed set of words
    FLAG = "flag"  # true / false
    NUMBER = "number"
    STAGE = "stage"  # an AJCC stage group or a coarse extent, compared as a range of stages
    THERAPIES = "therapies"  # the list of prior therapies


UNKNOWN: Final = "unknown"

OPERATORS_BY_KIND: dict[Kind, tuple[str, ...]] = {
    Kind.ENUM: ("equals", "one_of", "is_known", "is_unknown"),
    Kind.FLAG: ("equals", "is_known", "is_unknown"),
    Kind.NUMBER: ("at_least", "at_most", "is_known", "is_unknown"),
    Kind.STAGE: ("at_least", "at_most", "is_known", "is_unknown"),
    Kind.THERAPIES: ("includes", "is_known", "is_unknown"),
}


# A NamedTuple, not a frozen dataclass: as immutable, and far cheaper to create at every start.
class Field(NamedTuple):
    name: str
    kind: Kind
    description: str
    values: tuple[str, ...] = ()  # allowed words for ENUM fields, "unknown" excluded
    bounds: tuple[float, float] | None = None  # accepted range for NUMBER fields
    derived_from: tuple[str, ...] = ()  # input fields a derived field is computed from


# AJCC anatomic stage groups in order. A group with subgroups ("I") and the coarse extents cover
# a range of ranks. Early = 0-IIIA and locally advanced = IIIB-IIIC follow the knowledge base's
# curation that no Table 1 trial applies to early (stage I-IIIA) disease; metastatic is stage IV.
STAGE_RANGES: dict[str, tuple[int, int]] = {
    "0": (0, 0),
    "I": (1, 2),
    "IA": (1, 1),
    "IB": (2, 2),
    "II": (3, 4),
    "IIA": (3, 3),
    "IIB": (4, 4),
    "III": (5, 7),
    "IIIA": (5, 5),
    "IIIB": (6, 6),
    "IIIC": (7, 7),
    "IV": (8, 8),
    "early": (0, 5),
    "locally_advanced": (6, 7),
    "metastatic": (8, 8),
}
STAGE_THRESHOLDS = ("0", "IA", "IB", "IIA", "IIB", "IIIA", "IIIB", "IIIC", "IV")

SETTINGS = ("neoadjuvant", "adjuvant", "metastatic")

FIELDS: dict[str, Field] = {
    f.name: f
    for f in (
        Field(
            "menopausal_status",
            Kind.ENUM,
            "Menopausal status.",
            values=("premenopausal", "perimenopausal", "postmenopausal"),
        ),
        Field("er_status", Kind.ENUM, "Estrogen-receptor status.", values=("positive", "negative")),
        Field("pr_status", Kind.ENUM, "Progesterone-receptor status.", values=("positive", "negative")),
        Field("her2_status", Kind.ENUM, "HER2 status.", values=("positive", "negative")),
        Field(
            "hormone_receptor_status",
            Kind.ENUM,
            "Derived: positive when ER or PR is positive, negative when both are negative "
            "(the review's HR+ means ER+ and/or PR+).",
            values=("positive", "negative"),
            derived_from=("er_status", "pr_status"),
        ),
        Field(
            "stage",
            Kind.STAGE,
            "AJCC anatomic stage group, or a coarse extent: early (0-IIIA), "
            "locally_advanced (IIIB-IIIC), metastatic (IV).",
            values=tuple(STAGE_RANGES),
        ),
        Field("visceral_disease", Kind.FLAG, "Visceral metastases (liver, lung, ...)."),
        Field("pik3ca_mutation", Kind.FLAG, "Somatic activating PIK3CA mutation in the tumour."),
        Field(
            "high_proliferation",
            Kind.FLAG,
            "High tumour proliferation (for example by Ki-67), as judged against a trial's criterion.",
        ),
        Field("diabetes", Kind.FLAG, "Diabetes mellitus or known insulin resistance."),
        Field("brca_mutation", Kind.FLAG, "Germline BRCA1 or BRCA2 pathogenic variant."),
        Field("bmi", Kind.NUMBER, "Body-mass index in kg/m2.", bounds=(10.0, 90.0)),
        Field(
            "serum_igf1",
            Kind.ENUM,
            "Circulating IGF-1 against the laboratory's age-adjusted reference range.",
            values=("high", "normal", "low"),
        ),
        Field(
            "igf1r_expression",
            Kind.ENUM,
            "IGF-1R expression in the primary tumour, as the laboratory reports it.",
            values=("high", "low"),
        ),
        Field(
            "prior_therapies",
            Kind.THERAPIES,
            "Therapies received: an agent name, or {agent, setting, progressed}. "
            "[] means known to be none.",
        ),
    )
}

INPUT_FIELDS: tuple[str, ...] = ("case_id", *(n for n, f in FIELDS.items() if not f.derived_from))


# What a report prints for a field when it explains why an entry applies: a board reads words,
# not the case format's keys (those stay in the JSON contract and in `igfrules explain`).
FIELD_WORDS: dict[str, str] = {
    "menopausal_status": "menopausal status", "er_status": "ER status", "pr_status": "PR status",
    "her2_status": "HER2 status", "hormone_receptor_status": "hormone-receptor status (ER or PR)",
    "stage": "stage", "visceral_disease": "visceral disease", "pik3ca_mutation": "PIK3CA mutation",
    "high_proliferation": "high tumour proliferation", "diabetes": "diabetes or insulin resistance",
    "brca_mutation": "germline BRCA mutation", "bmi": "BMI", "serum_igf1": "serum IGF-1",
    "igf1r_expression": "tumour IGF-1R expression", "prior_therapies": "prior therapies",
}


def source_fields(name: str) -> tuple[str, ...]:
    """The input fields a user fills in to make `name` known."""
    field = FIELDS[name]
    return field.derived_from or (name,)
