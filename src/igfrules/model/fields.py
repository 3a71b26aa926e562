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
    SITES = "sites"  # where the disease is now: a list of sites (conditions read the facts derived from it)


UNKNOWN: Final = "unknown"

OPERATORS_BY_KIND: dict[Kind, tuple[str, ...]] = {
    Kind.ENUM: ("equals", "one_of", "is_known", "is_unknown"),
    Kind.FLAG: ("equals", "is_known", "is_unknown"),
    Kind.NUMBER: ("at_least", "at_most", "is_known", "is_unknown"),
    Kind.STAGE: ("at_least", "at_most", "is_known", "is_unknown"),
    Kind.THERAPIES: ("includes", "is_known", "is_unknown"),
    Kind.SITES: ("is_known", "is_unknown"),
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

# Where the disease is now (`metastatic_sites`). Visceral sites follow the usual trial definition
# (liver, lung, pleura, peritoneum and other organs); the brain and leptomeninges are the central
# nervous system, reported apart; lymph nodes, soft tissue, skin and bone are non-visceral.
SITES = ("bone", "liver", "lung", "pleura", "peritoneum", "brain", "leptomeninges", "lymph_node", "soft_tissue",
         "skin", "other_visceral", "other")
VISCERAL_SITES = frozenset(("liver", "lung", "pleura", "peritoneum", "other_visceral"))
CNS_SITES = frozenset(("brain", "leptomeninges"))
NON_VISCERAL_SITES = frozenset(("bone", "lymph_node", "soft_tissue", "skin"))
NOT_APPLICABLE: Final = "not_applicable"  # menopausal status of a man: known not to apply

FIELDS: dict[str, Field] = {
    f.name: f
    for f in (
        Field(
            "sex",
            Kind.ENUM,
            "Recorded sex. A menopausal status of pre, peri or post implies female; a criterion that "
            "admits women only is unknown only when both are unknown.",
            values=("female", "male"),
        ),
        Field(
            "menopausal_status",
            Kind.ENUM,
            "Menopausal status. For a man it does not apply (a status given is ignored, with a warning); "
            "premenopausal with ovarian suppression (goserelin, leuprorelin, triptorelin) leaves a "
            "postmenopausal-only criterion undetermined, as a question for the trial's criteria.",
            values=("premenopausal", "perimenopausal", "postmenopausal"),
        ),
        Field("er_status", Kind.ENUM, "Estrogen-receptor status.", values=("positive", "negative")),
        Field("pr_status", Kind.ENUM, "Progesterone-receptor status.", values=("positive", "negative")),
        Field("her2_status", Kind.ENUM, "HER2 status (`low` is shorthand for negative with her2_low true).",
              values=("positive", "negative")),
        Field(
            "her2_low",
            Kind.FLAG,
            "HER2-low: IHC 1+, or 2+ with a negative ISH. Meaningful only for HER2-negative disease: true "
            "implies her2_status negative, and true with her2_status positive is an error.",
        ),
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
            "The current extent of disease as an AJCC anatomic stage group, or a coarse extent: early "
            "(0-IIIA), locally_advanced (IIIB-IIIC), metastatic (IV). Not the stage at diagnosis: record "
            "a distant relapse as IV.",
            values=tuple(STAGE_RANGES),
        ),
        Field(
            "treatment_intent",
            Kind.ENUM,
            "The intent of current care: curative or palliative.",
            values=("curative", "palliative"),
        ),
        Field(
            "metastatic_sites",
            Kind.SITES,
            "Where the disease is now, beyond the breast and regional nodes: a list of "
            + ", ".join(SITES) + ". [] means known to be none.",
            values=SITES,
        ),
        Field(
            "visceral_disease",
            Kind.FLAG,
            "Visceral metastases (liver, lung, pleura, peritoneum, other organs). When not given, derived "
            "from metastatic_sites; when given, it stands (a disagreement with the sites is a warning).",
        ),
        Field(
            "cns_metastases",
            Kind.FLAG,
            "Derived: brain or leptomeningeal metastases, from metastatic_sites.",
            derived_from=("metastatic_sites",),
        ),
        Field(
            "non_visceral_metastases",
            Kind.FLAG,
            "Derived: metastases in a lymph node, soft tissue, skin or bone, from metastatic_sites (what a "
            "trial requiring a non-visceral lesion reads; the brain is not one).",
            derived_from=("metastatic_sites",),
        ),
        Field(
            "advanced_disease",
            Kind.FLAG,
            "Derived: inoperable locally advanced or metastatic disease. Stage IV: true. Stage 0-IIIA: "
            "false, unless a therapy given for advanced disease is recorded (then unknown: the stage "
            "recorded may be the stage at diagnosis). Stage IIIB-IIIC: true under palliative intent, "
            "false under curative intent, else unknown; a stage that also covers IIIA (III) is unknown under "
            "palliative intent. Stage unknown: unknown.",
            derived_from=("stage", "treatment_intent", "prior_therapies"),
        ),
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

# Fields measured in research with no validated clinical assay or cut-off: a report never reads as a
# reason to order them.
RESEARCH_MEASUREMENTS = frozenset(("serum_igf1", "igf1r_expression"))

INPUT_FIELDS: tuple[str, ...] = ("case_id", *(n for n, f in FIELDS.items() if not f.derived_from))


# What a report prints for a field when it explains why an entry applies: a board reads words,
# not the case format's keys (those stay in the JSON contract and in `igfrules explain`).
FIELD_WORDS: dict[str, str] = {
    "sex": "sex", "menopausal_status": "menopausal status", "er_status": "ER status", "pr_status": "PR status",
    "her2_status": "HER2 status", "her2_low": "HER2-low", "treatment_intent": "treatment intent",
    "metastatic_sites": "metastatic sites", "cns_metastases": "brain or leptomeningeal metastases",
    "non_visceral_metastases": "metastases in lymph node, soft tissue, skin or bone",
    "advanced_disease": "advanced disease",
    "hormone_receptor_status": "hormone-receptor status (ER or PR)",
    "stage": "stage", "visceral_disease": "visceral disease", "pik3ca_mutation": "PIK3CA mutation",
    "high_proliferation": "high tumour proliferation", "diabetes": "diabetes or insulin resistance",
    "brca_mutation": "germline BRCA mutation", "bmi": "BMI", "serum_igf1": "serum IGF-1",
    "igf1r_expression": "tumour IGF-1R expression", "prior_therapies": "prior therapies",
}


def source_fields(name: str) -> tuple[str, ...]:
    """The input fields a user fills in to make `name` known."""
    field = FIELDS[name]
    return field.derived_from or (name,)
