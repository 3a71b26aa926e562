"""The Report: what one evaluation says. Its JSON dump *is* the JSON output format.

`research_only` is True on the report and on every rationale and cannot be set otherwise, and the
disclaimer is fixed text: there is no switch that removes either.
"""

# No `from __future__ import annotations` in this module: pydantic would have to evaluate every
# annotation string when it creates each model class, about a third of this module's import
# time on every start; real annotations are read as they are.

from typing import (
    Annotated,
    Any,
    Literal,
    Required,  # pydantic reads TypedDict from here before 3.12
    Self,
)

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)
from typing_extensions import TypedDict

from .evidence import Direction, EvidenceKind
from .fields import FIELDS
from .mapping import SourceMapping
from .verdict import verdict as compute_verdict

Level = Literal["A", "B", "C", "D", "E"]
Flag = bool | Literal["unknown"]

DISCLAIMER = (
    "RESEARCH USE ONLY. igfrules explains research rationales for IGF-axis therapy in breast "
    "cancer as one review reports them (Ianza et al., Front Cell Dev Biol 2021). It is not medical "
    "advice and never recommends a treatment: no trial in the review's Table 1 has shown a benefit "
    "in breast cancer, and every IGF-axis agent named is investigational."
)


# defer_build: a model's validator and serializer are built when first used, not at import, so
# that `igfrules evaluate` starts fast (reports are assembled by trusted.construct).
_FROZEN = ConfigDict(extra="forbid", frozen=True, defer_build=True)


_REQUIRED: Any = ...


def _d(text: str, default: Any = _REQUIRED) -> Any:
    """A field description: it appears in the report's JSON Schema (`igfrules schema --report`)."""
    return Field(default, description=text)


class KnowledgeBaseInfo(BaseModel):
    """Which knowledge base produced the report: name, version and a hash of its files."""

    model_config = _FROZEN
    name: str = _d("The knowledge base's name (knowledge-base.yaml).")
    version: str = _d("Its version.")
    sha256: str = _d("SHA-256 over its files: two reports with the same hash used the same rules.")


class Citation(BaseModel):
    """A publication a statement rests on, as the review cites it (or the post-review paper)."""

    model_config = _FROZEN
    id: str = _d("The reference id in the knowledge base (references.yaml).")
    citation: str = _d("Short citation as the review gives it: 'Rugo et al., 2017'.")
    doi: str = _d("DOI, when known; open it at https://doi.org/<doi>. Empty when unknown.", "")
    post_review: bool = _d("True for a paper the review does not report (published after it or missed by it).",
                           False)


class EvidenceSummary(BaseModel):
    """The headline evidence of an entry: its grade, kind of study, direction and statement."""

    model_config = _FROZEN
    level: Level = _d("Evidence level, CIViC-like: A randomised trial in breast cancer; B other clinical data in "
                      "breast cancer; C clinical data from other tumours; D preclinical; E mechanism only.")
    kind: EvidenceKind = _d("The kind of study behind the level (docs/evidence-grades.md).")
    direction: Direction = _d("Direction of the evidence, kept apart from its significance (as CIViC does): "
                              "supports, does_not_support or caution. A preclinical 'supports' is a hypothesis.")
    statement: str = _d("What the evidence says, in one or two sentences.")
    escat: str | None = _d("ESMO ESCAT tier of the combination, where a molecular alteration selects the patient.",
                           None)
    post_review: bool = _d("True when the grade rests on a result the review does not report.", False)


class FindingSummary(BaseModel):
    """One further piece of evidence on either side, with its sources."""

    model_config = _FROZEN
    statement: str = _d("What was found.")
    direction: Direction = _d("supports, does_not_support or caution, as for the headline evidence.")
    citations: tuple[Citation, ...] = _d("The sources of the finding.")
    post_review: bool = _d("True for a finding the review does not report.", False)


class AgentSummary(BaseModel):
    """An agent a rationale names, with its drug class."""

    model_config = _FROZEN
    name: str = _d("Canonical agent name (generic name).")
    drug_class: str = _d("Drug-class id in the agent vocabulary.")
    class_label: str = _d("The drug class in words.")


class StrategySummary(BaseModel):
    """The IGF-axis strategy of a rationale: the IGF-axis class and its partners."""

    model_config = _FROZEN
    igf_axis: str = _d("Drug-class id of the IGF-axis component (or 'insulin_receptor').")
    partners: tuple[str, ...] = _d("Drug-class ids of the partner agents.")
    sequence: str = _d("The order of agents, where the evidence is about order; empty otherwise.", "")


class CautionNote(BaseModel):
    """A caution that applies to a rationale's agents, heightened when the profile makes it weigh more."""

    model_config = _FROZEN
    id: str = _d("Caution id (cautions.yaml).")
    kind: Literal["harm", "limitation"] = _d("harm: an adverse effect reported in patients (or expected of the "
                                             "class); limitation: a mechanism or sequence that may blunt the effect.")
    title: str = _d("The caution in a few words.")
    text: str = _d("The caution in full.")
    citations: tuple[Citation, ...] = _d("Its sources.")
    heightened: bool = Field(default=False, description="True when this patient's profile makes the caution "
                             "weigh more (for example diabetes and an insulin-receptor caution).")
    heightened_because: tuple[str, ...] = Field(default=(), description="Why it is heightened, field by field.")
    heightened_text: str = Field(default="", description="What the heightened caution adds.")


class _ResearchOnly(BaseModel):
    model_config = ConfigDict(defer_build=True)
    research_only: Literal[True] = Field(default=True, description="Always true: research use only, never a "
                                         "treatment recommendation. It cannot be set otherwise.")

    @field_validator("research_only", mode="before")
    @classmethod
    def _always(cls, value: Any) -> Any:
        if value is not True:
            raise ValueError("research_only is always true")
        return value


class TrialStatus(BaseModel):
    """A trial a rationale's evidence comes from, with its status in words (igfrules.knowledge.trialstatus)."""

    model_config = _FROZEN
    nct_id: str = _d("ClinicalTrials.gov id.")
    acronym: str = _d("Trial acronym, or empty.", "")
    status_words: str = _d("The status the review reported, with its date, beside the outcome published outside "
                           "or after the review.")


class Rationale(_ResearchOnly):
    """A candidate IGF-axis research rationale that applies to the profile: never a recommendation."""

    model_config = _FROZEN
    id: str = _d("Stable entry id (RAT-...); `igfrules explain ID CASE` shows why it applies.")
    title: str = _d("The rationale in one line.")
    summary: str = _d("What the review and later evidence say about it.")
    strategy: StrategySummary = _d("The IGF-axis strategy and its partners.")
    agents: tuple[AgentSummary, ...] = _d("Agents the rationale names.")
    evidence: EvidenceSummary = _d("The headline evidence: level, kind, direction, statement.")
    findings: tuple[FindingSummary, ...] = _d("Further evidence on either side, post-review results marked.")
    citations: tuple[Citation, ...] = _d("Sources: the review first, then the primary studies.")
    trials: tuple[str, ...] = _d("NCT ids of the trials behind the evidence (not a claim that the patient "
                                 "fits them).")
    trial_status: tuple[TrialStatus, ...] = _d("The same trials, each with its status in words.", ())
    evidence_population: str = _d("Whom the clinical results come from, when narrower than `because`.", "")
    because: tuple[str, ...] = _d("Why it applies to this profile: each condition that holds, in words.")
    subtype_specific: bool = _d("True when the entry's condition reads the tumour's receptor status (ER, PR, "
                                "hormone receptor, HER2): evidence gathered in this subtype.", False)
    cautions: tuple[CautionNote, ...] = _d("Cautions for its agents, heightened ones marked.")
    conflicts_with: tuple[str, ...] = Field(default=(), description="Entries this one knowingly disagrees with.")


class ContextNote(_ResearchOnly):
    """Risk or biomarker context that applies to the profile: never a treatment rationale."""

    model_config = _FROZEN
    id: str = _d("Stable entry id (CTX-...).")
    title: str = _d("The note in one line.")
    summary: str = _d("What the evidence says.")
    evidence: EvidenceSummary = _d("The headline evidence.")
    findings: tuple[FindingSummary, ...] = _d("Further evidence, post-review results marked.")
    citations: tuple[Citation, ...] = _d("Sources.")
    because: tuple[str, ...] = _d("Why it applies to this profile.")


class TrialStatusToday(BaseModel):
    """Where a trial stands today, with the record it comes from (every trial here is closed)."""

    model_config = _FROZEN
    status: str = _d("The status today, in the record's words.")
    as_of: str = _d("The date of the record the status comes from (a full date, \"YYYY (year only)\", "
                    "or \"not verified\").")
    source: str = _d("The record, in words.")
    citations: tuple[Citation, ...] = _d("The record and the publication it comes from.")
    verified: bool = _d("False when the sources name the status but no dated record.", True)


class TrialCriterion(BaseModel):
    """One registered inclusion or exclusion criterion, and how igfrules uses it."""

    model_config = _FROZEN
    text: str = _d("The criterion in words.")
    citations: tuple[Citation, ...] = _d("The registry record or publication it comes from.")
    encoded: bool = _d("True when the listing tests it (a trial is listed only when every encoded criterion "
                       "holds; an unknown one puts it in needs_information).", False)
    check_by_hand: bool = _d("True when the case format cannot express it: to check by hand.", False)
    verified: bool = _d("False when the sources do not let it be verified (never guessed).", True)


class TrialCriteria(BaseModel):
    """A trial's registered criteria."""

    model_config = _FROZEN
    inclusion: tuple[TrialCriterion, ...] = _d("Inclusion criteria.")
    exclusion: tuple[TrialCriterion, ...] = _d("Exclusion criteria.", ())


class TrialMatch(BaseModel):
    """A trial from the review whose population the patient fits: evidence, not a referral."""

    model_config = _FROZEN
    nct_id: str = _d("ClinicalTrials.gov id; open it at https://clinicaltrials.gov/study/<nct_id>.")
    acronym: str = _d("Trial acronym, or empty.", "")
    title: str = _d("Official title.")
    phase: str = _d("Phase as registered (I, Ib/II, II, ...).")
    design: str = _d("Design as the sources state it.")
    status: str = _d("Status as the review reported it (or the trial's publication, when not in its Table 1), "
                     "in its words: free text, as the sources' wording varies.")
    status_as_of: str = _d("The date that status was true (the review's publication).")
    in_review_table: bool = _d("True for a trial in the review's Table 1.", True)
    status_words: str = _d("The status with its date beside the outcome published outside or after the review "
                           "(igfrules.knowledge.trialstatus).",
                           "")
    since: FindingSummary | None = _d("The outcome published outside or after the review, with its citations.", None)
    regimen: str = _d("The regimen tested.")
    primary_outcome: str = _d("Primary outcome.")
    breast_cancer_only: bool = _d("True when only breast-cancer patients were enrolled.")
    population: str = _d("Whom the trial enrolled, as the evidence states it.")
    status_today: TrialStatusToday | None = _d("Where the trial stands today, with the record it comes from.", None)
    criteria: TrialCriteria | None = _d("Registered inclusion and exclusion criteria: encoded, to check by hand, "
                                        "or not verified.", None)
    results: tuple[FindingSummary, ...] = _d("Results, those published after the review marked post_review.")
    because: tuple[str, ...] = _d("Why the patient fits the population.")


class NeedsInformation(BaseModel):
    """An entry or trial whose condition is unknown for this profile, and the fields that would decide it."""

    model_config = _FROZEN
    rule_id: str = _d("Entry id or NCT id.")
    title: str = _d("Its title.")
    kind: Literal["rationale", "context", "trial"] = _d("What it is.")
    missing: tuple[str, ...] = _d("Case-file fields whose value would decide it (unknown never excludes).")


class PriorTherapyItem(TypedDict, total=False):
    """One prior therapy as the case gave it, canonical; unknown setting or progression left out."""

    agent: Required[Annotated[str, Field(description="Canonical agent name.")]]
    setting: Annotated[Literal["neoadjuvant", "adjuvant", "metastatic"], Field(description="Setting.")]
    progressed: Annotated[bool, Field(description="Whether the disease progressed on it.")]


def _about(field: str) -> Any:
    """The case-file field's own description (fields.py), so the two schemas say the same."""
    return Field(description=FIELDS[field].description)


class CaseProfile(TypedDict, total=False):
    """The case as read, in canonical form: a field left out is unknown (the case-file contract)."""

    case_id: Annotated[str, Field(description="The case's id, exactly as written.")]
    sex: Annotated[Literal["female", "male"], _about("sex")]
    menopausal_status: Annotated[Literal["premenopausal", "perimenopausal", "postmenopausal"],
                                 _about("menopausal_status")]
    er_status: Annotated[Literal["positive", "negative"], _about("er_status")]
    pr_status: Annotated[Literal["positive", "negative"], _about("pr_status")]
    her2_status: Annotated[Literal["positive", "negative"], _about("her2_status")]
    her2_low: Annotated[bool, _about("her2_low")]
    stage: Annotated[str, _about("stage")]
    treatment_intent: Annotated[Literal["curative", "palliative"], _about("treatment_intent")]
    metastatic_sites: Annotated[list[Literal["bone", "liver", "lung", "pleura", "peritoneum", "brain", "leptomeninges",
                                             "lymph_node", "soft_tissue", "skin", "other_visceral", "other"]],
                                _about("metastatic_sites")]
    visceral_disease: Annotated[bool, _about("visceral_disease")]
    pik3ca_mutation: Annotated[bool, _about("pik3ca_mutation")]
    high_proliferation: Annotated[bool, _about("high_proliferation")]
    diabetes: Annotated[bool, _about("diabetes")]
    brca_mutation: Annotated[bool, _about("brca_mutation")]
    bmi: Annotated[float, _about("bmi")]
    serum_igf1: Annotated[Literal["high", "normal", "low"], _about("serum_igf1")]
    igf1r_expression: Annotated[Literal["high", "low"], _about("igf1r_expression")]
    prior_therapies: Annotated[list[PriorTherapyItem], _about("prior_therapies")]


class Report(_ResearchOnly):
    """What one evaluation says: the brief's verdict and every part behind it. Its JSON is the JSON output.

    Research use only: `research_only` is always true and the disclaimer is fixed text.
    """

    model_config = _FROZEN
    disclaimer: str = Field(default=DISCLAIMER, description="Fixed research-only disclaimer; cannot be changed.")
    verdict: str = Field(default="", description="The one-line verdict a board reads first, computed from the "
                         "rationales (count; any positive clinical result in breast cancer; whether every "
                         "IGF-axis agent is investigational). A wrong verdict is refused.")
    case_id: str | None = _d("The case's id, exactly as written, or null.")
    knowledge_base: KnowledgeBaseInfo = _d("Which knowledge base produced the report.")
    engine_version: str = _d("igfrules version.")
    profile: CaseProfile = _d("The case as read, canonical; unknown fields left out.")
    rationales: tuple[Rationale, ...] = _d("Research rationales that apply, strongest evidence first "
                                           "(level A before E, then by id).")
    context: tuple[ContextNote, ...] = _d("Risk and biomarker context notes that apply; never treatment rationales.")
    trials: tuple[TrialMatch, ...] = _d("Trials from the review whose population the patient fits.")
    needs_information: tuple[NeedsInformation, ...] = _d("Entries and trials that missing fields would decide.")
    warnings: tuple[str, ...] = _d("Inconsistencies within the profile (they never change what applies).")
    not_considered: tuple[str, ...] = _d("Recorded therapies (canonical agent names) and recorded fields "
                                         "(case-file names) that no condition of the knowledge base reads: the "
                                         "report says nothing about them, which is not 'no effect'.", ())
    conclusion: str = _d("The review's own conclusion.")
    # Only for a case read from FHIR: where each field came from. Absent (not null) otherwise, so
    # the JSON of a case file is what it always was.
    mapping: SourceMapping | None = Field(
        default=None, exclude_if=lambda value: value is None,
        description="Only for a case read from a FHIR Bundle: the resources each field came from; absent otherwise.")


    @field_validator("disclaimer", mode="before")
    @classmethod
    def _fixed_disclaimer(cls, value: Any) -> Any:
        if value != DISCLAIMER:
            raise ValueError("the disclaimer is fixed text and cannot be changed")
        return value

    @model_validator(mode="after")
    def _verdict_is_true(self) -> Self:
        computed = compute_verdict(self.rationales)
        if not self.verdict:
            object.__setattr__(self, "verdict", computed)
        elif self.verdict != computed:
            raise ValueError(f"verdict is computed from the rationales: expected {computed!r}")
        return self

    def to_json(self) -> str:
        """The JSON output: one document, keys in model order, deterministic."""
        return self.model_dump_json(indent=2) + "\n"
