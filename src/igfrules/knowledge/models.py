"""Pydantic models of the YAML knowledge base: entries, evidence, references, trials, cautions.

These validate the *shape* of each file. Cross-references (citations, trials, agents, classes,
conditions) are resolved by the loader, which reports every problem with its file and line.
"""

# No `from __future__ import annotations` in this module: pydantic would have to evaluate every
# annotation string when it creates each model class, about a third of this module's import
# time on every start; real annotations are read as they are.

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ..model.evidence import Direction, EvidenceKind

# defer_build: validators are built when a file is first validated; a knowledge base read from the
# per-user cache (knowledge/cache.py) never needs them, so the command line starts faster.
_STRICT = ConfigDict(extra="forbid", frozen=True, defer_build=True)
ENTRY_ID = r"^[A-Z][A-Z0-9]*(-[A-Z0-9]+)+$"


class Evidence(BaseModel):
    model_config = _STRICT
    level: Literal["A", "B", "C", "D", "E"]
    kind: EvidenceKind
    direction: Direction
    statement: str = Field(min_length=1)
    escat: str | None = None
    post_review: bool = False  # the grade rests on a result the review does not report


class Finding(BaseModel):
    """One piece of evidence on either side, shown with whatever it bears on."""

    model_config = _STRICT
    statement: str = Field(min_length=1)
    direction: Direction
    citations: tuple[str, ...] = Field(min_length=1)
    post_review: bool = False  # not reported by the review, even if published before it


class Strategy(BaseModel):
    model_config = _STRICT
    igf_axis: str  # a drug class id, or "insulin_receptor" for IR targeting
    partners: tuple[str, ...] = ()  # drug class ids
    sequence: str = ""  # ordering, where the evidence is about order


class Example(BaseModel):
    model_config = _STRICT
    case: dict[str, Any]
    expect: Literal["fires", "does_not_fire", "needs_information"]
    why: str = ""


class Examples(BaseModel):
    model_config = _STRICT
    fires: dict[str, Any]
    does_not_fire: dict[str, Any]
    boundary: Example


class Entry(BaseModel):
    """A rationale (an IGF-axis strategy that may apply) or a context note (never a treatment)."""

    model_config = _STRICT
    id: str = Field(pattern=ENTRY_ID)
    title: str = Field(min_length=1)
    kind: Literal["rationale", "context"]
    status: Literal["active", "retired"] = "active"
    summary: str = Field(min_length=1)
    strategy: Strategy | None = None
    agents: tuple[str, ...] = ()
    evidence: Evidence
    findings: tuple[Finding, ...] = ()
    citations: tuple[str, ...] = Field(min_length=2)
    trials: tuple[str, ...] = ()
    when: dict[str, Any]
    cautions: tuple[str, ...] = ()
    conflicts_with: tuple[str, ...] = ()  # entries this one knowingly disagrees with
    review_sections: tuple[str, ...] = Field(min_length=1)
    # In words, printed beside the rationale: whom the clinical results come from, when `when` is
    # broader on purpose than the trials behind them.
    evidence_population: str = ""
    notes: str = ""  # for curators: `igfrules explain` and docs, never a patient's report
    examples: Examples


class SinceReported(BaseModel):
    """A trial's outcome the review does not report, in a few words, with its publication."""

    model_config = _STRICT
    outcome: str = Field(min_length=1)  # "negative: no PFS improvement (central review HR about 1.19)"
    direction: Direction
    citations: tuple[str, ...] = Field(min_length=1)


STATUS_DATE = r"^\d{4}-\d{2}-\d{2}$|^\d{4} \(year only\)$"
# A status today may come from a record whose date the sources do not give: "not verified".
STATUS_TODAY_DATE = STATUS_DATE + r"|^not verified$"


class StatusToday(BaseModel):
    """Where a trial stands today (every trial here is closed), with the record it comes from."""

    model_config = _STRICT
    status: str = Field(min_length=1)  # "completed", "terminated", "closed (active, not recruiting)"
    as_of: str = Field(pattern=STATUS_TODAY_DATE)  # the date of the record the status comes from
    source: str = Field(min_length=1)  # the record in words: "ClinicalTrials.gov NCT02123823 (completion date)"
    citations: tuple[str, ...] = Field(min_length=1)  # reference ids: the registry record, the publication
    verified: bool = True  # False: the sources name the status but not a dated record


class Criterion(BaseModel):
    """One registered inclusion or exclusion criterion, with where it comes from and how it is used."""

    model_config = _STRICT
    text: str = Field(min_length=1)
    citations: tuple[str, ...] = Field(min_length=1)
    encoded: bool = False  # its condition is part of the trial's `population` (inclusion) or `exclude`
    check_by_hand: bool = False  # the case format cannot express it: listed in words
    verified: bool = True  # False: the sources do not let it be verified (never guessed)

    @model_validator(mode="after")
    def _one_use(self) -> "Criterion":
        if self.encoded == self.check_by_hand:
            raise ValueError("a criterion is either encoded: true or check_by_hand: true")
        return self


class Criteria(BaseModel):
    model_config = _STRICT
    inclusion: tuple[Criterion, ...] = Field(min_length=1)
    exclusion: tuple[Criterion, ...] = ()


class Trial(BaseModel):
    model_config = _STRICT
    nct_id: str = Field(pattern=r"^NCT\d{8}$")
    acronym: str = ""
    title: str
    regimen: str
    phase: str
    design: str
    primary_outcome: str
    status: str  # as the review reports it (or, for a trial not in its Table 1, as its publication does)
    # The date that status was true: a full date, or "2021 (year only)" when only a year is known.
    status_as_of: str = Field(pattern=STATUS_DATE)
    in_review_table: bool = True  # False: added to the registry from a publication, not the review's Table 1
    since: SinceReported | None = None  # the outcome published beside or after the review
    breast_cancer_only: bool
    population_text: str
    population: dict[str, Any]  # the encoded inclusion criteria: the trial is listed only when true
    # The encoded exclusion criteria: the trial is not listed when this is true, and an unknown
    # puts it in needs_information (the trial's condition is `all: [population, not: exclude]`).
    exclude: dict[str, Any] | None = None
    criteria: Criteria
    status_today: StatusToday
    citations: tuple[str, ...] = Field(min_length=1)
    results: tuple[Finding, ...] = ()
    notes: str = ""

    def condition(self) -> dict[str, Any]:
        """The condition a profile must meet for the trial to be listed: inclusion and no exclusion."""
        if self.exclude is None:
            return self.population
        return {"all": [self.population, {"not": self.exclude}]}


class AppliesTo(BaseModel):
    model_config = _STRICT
    agents: tuple[str, ...] = ()
    classes: tuple[str, ...] = ()


class Caution(BaseModel):
    model_config = _STRICT
    id: str = Field(pattern=ENTRY_ID)
    # harm: an adverse effect reported in patients (or expected of the class, as hyperglycaemia with
    # insulin-receptor blockade); limitation: a mechanism or sequence that may blunt the effect.
    kind: Literal["harm", "limitation"]
    title: str
    text: str
    applies_to: AppliesTo
    heightened_when: dict[str, Any] | None = None
    heightened_text: str = ""
    citations: tuple[str, ...] = Field(min_length=1)
    notes: str = ""


class Reference(BaseModel):
    model_config = _STRICT
    short: str  # as the review cites it: "Di Cosimo et al., 2010"
    full: str = ""
    year: int
    doi: str = ""
    kind: Literal["review", "primary", "post_review", "registry"]  # registry: a trial's registry record


class Statement(BaseModel):
    model_config = _STRICT
    statement: str
    encoded_by: tuple[str, ...] = ()
    not_encoded: str = ""  # the reason, when nothing encodes it


class Section(BaseModel):
    model_config = _STRICT
    section: str
    statements: tuple[Statement, ...]


class Meta(BaseModel):
    model_config = _STRICT
    name: str
    version: str
    title: str
    review: str  # the reference id of the review every entry cites
    description: str = ""
    conclusion: str  # the review's own conclusion, printed on every report
