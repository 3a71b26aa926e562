"""The Report: what one evaluation says. Its JSON dump *is* the JSON output format.

`research_only` is True on the report and on every rationale and cannot be set otherwise, and the
disclaimer is fixed text: there is no switch that removes either.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, field_validator, model_validator

from .knowledge.models import Direction
from .verdict import verdict as compute_verdict

DISCLAIMER = (
    "RESEARCH USE ONLY. igfrules explains research rationales for IGF-axis therapy in breast "
    "cancer as one review reports them (Ianza et al., Front Cell Dev Biol 2021). It is not medical "
    "advice and never recommends a treatment: no trial in the review's Table 1 has shown a benefit "
    "in breast cancer, and every IGF-axis agent named is investigational."
)


# defer_build: a model's validator and serializer are built when first used, not at import, so
# that `igfrules evaluate` starts fast (reports are assembled by trusted.construct).
_FROZEN = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class KnowledgeBaseInfo(BaseModel):
    model_config = _FROZEN
    name: str
    version: str
    sha256: str


class Citation(BaseModel):
    model_config = _FROZEN
    id: str
    citation: str  # as the review cites it, or the post-review paper
    doi: str = ""
    post_review: bool = False


class EvidenceSummary(BaseModel):
    model_config = _FROZEN
    level: str
    kind: str
    direction: Direction
    statement: str
    escat: str | None = None
    post_review: bool = False  # the grade rests on a result the review does not report


class FindingSummary(BaseModel):
    model_config = _FROZEN
    statement: str
    direction: Direction
    citations: tuple[Citation, ...]
    post_review: bool = False


class AgentSummary(BaseModel):
    model_config = _FROZEN
    name: str
    drug_class: str
    class_label: str


class StrategySummary(BaseModel):
    model_config = _FROZEN
    igf_axis: str
    partners: tuple[str, ...]
    sequence: str = ""


class CautionNote(BaseModel):
    model_config = _FROZEN
    id: str
    title: str
    text: str
    citations: tuple[Citation, ...]
    heightened: bool = False  # the profile makes this caution weigh more
    heightened_because: tuple[str, ...] = ()
    heightened_text: str = ""


class _ResearchOnly(BaseModel):
    model_config = ConfigDict(defer_build=True)
    research_only: Literal[True] = True

    @field_validator("research_only", mode="before")
    @classmethod
    def _always(cls, value: Any) -> Any:
        if value is not True:
            raise ValueError("research_only is always true")
        return value


class Rationale(_ResearchOnly):
    model_config = _FROZEN
    id: str
    title: str
    summary: str
    strategy: StrategySummary
    agents: tuple[AgentSummary, ...]
    evidence: EvidenceSummary
    findings: tuple[FindingSummary, ...]
    citations: tuple[Citation, ...]
    trials: tuple[str, ...]
    because: tuple[str, ...]
    cautions: tuple[CautionNote, ...]
    conflicts_with: tuple[str, ...] = ()
    notes: str = ""


class ContextNote(_ResearchOnly):
    model_config = _FROZEN
    id: str
    title: str
    summary: str
    evidence: EvidenceSummary
    findings: tuple[FindingSummary, ...]
    citations: tuple[Citation, ...]
    because: tuple[str, ...]
    notes: str = ""


class TrialMatch(BaseModel):
    model_config = _FROZEN
    nct_id: str
    acronym: str = ""
    title: str
    phase: str
    design: str
    status: str
    status_as_of: str
    regimen: str
    primary_outcome: str
    breast_cancer_only: bool
    population: str
    results: tuple[FindingSummary, ...]
    because: tuple[str, ...]


class NeedsInformation(BaseModel):
    model_config = _FROZEN
    rule_id: str
    title: str
    kind: Literal["rationale", "context", "trial"]
    missing: tuple[str, ...]


class Report(_ResearchOnly):
    model_config = _FROZEN
    disclaimer: str = DISCLAIMER
    verdict: str = ""  # one line computed from the rationales (igfrules.verdict), what a board reads first
    case_id: str | None
    knowledge_base: KnowledgeBaseInfo
    engine_version: str
    profile: dict[str, Any]  # the case as read, in canonical form (unknown fields left out)
    rationales: tuple[Rationale, ...]
    context: tuple[ContextNote, ...]
    trials: tuple[TrialMatch, ...]
    needs_information: tuple[NeedsInformation, ...]
    warnings: tuple[str, ...]
    conclusion: str

    @field_validator("disclaimer", mode="before")
    @classmethod
    def _fixed_disclaimer(cls, value: Any) -> Any:
        if value != DISCLAIMER:
            raise ValueError("the disclaimer is fixed text and cannot be changed")
        return value

    @model_validator(mode="after")
    def _verdict_is_true(self) -> Report:
        computed = compute_verdict(self.rationales)
        if not self.verdict:
            object.__setattr__(self, "verdict", computed)
        elif self.verdict != computed:
            raise ValueError(f"verdict is computed from the rationales: expected {computed!r}")
        return self

    def to_json(self) -> str:
        """The JSON output: one document, keys in model order, deterministic."""
        return self.model_dump_json(indent=2) + "\n"
