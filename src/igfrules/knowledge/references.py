"""Cross-references of a knowledge base: every citation, trial, caution, agent, drug class and
section an entry, trial or caution names must be defined, and every problem is reported with its file.

The loader (loader.py) parses each file's shape; this module checks the names between files.
"""

from __future__ import annotations

from typing import Protocol

from ..errors import Problem
from ..model.evidence import ESCAT_TIERS, LEVEL_OF_KIND
from ..model.vocabulary import vocabulary
from .models import Caution, Entry, Meta, Reference, Section, Trial

IR_TARGET = "insulin_receptor"  # a strategy may target the insulin receptor, which is no drug class


class Reporter(Protocol):
    """What the checks need of the loader: a file's name for messages and a place for problems."""

    problems: list[Problem]

    def _source(self, name: str) -> str: ...

    def _problem(self, source: str, location: str, message: str) -> None: ...


class References:
    """Checks that every name an entry, trial or caution uses is defined."""

    def __init__(self, loader: Reporter, meta: Meta, references: dict[str, Reference],
                 trials: dict[str, Trial], cautions: dict[str, Caution], entries: dict[str, Entry],
                 files: dict[str, str], coverage: list[Section]) -> None:
        self.loader, self.meta, self.references = loader, meta, references
        self.trials, self.cautions, self.entries, self.files = trials, cautions, entries, files
        self.coverage = coverage
        self.vocab = vocabulary()

    def check(self) -> None:
        if self.meta.review not in self.references:
            self._bad("knowledge-base.yaml", "review", f"{self.meta.review!r} is not in references.yaml")
        sections = {s.section for s in self.coverage}
        for entry in self.entries.values():
            self._entry(entry, sections)
        for nct, trial in self.trials.items():
            self._citations(self.loader._source("trials.yaml"), f"{nct}.citations", trial.citations)
            if trial.since is not None:
                self._citations(self.loader._source("trials.yaml"), f"{nct}.since.citations",
                                trial.since.citations)
            self._trial_criteria(nct, trial)
            for i, result in enumerate(trial.results):
                self._citations(self.loader._source("trials.yaml"), f"{nct}.results[{i}].citations",
                                result.citations, post_review=result.post_review)
        for cid, caution in self.cautions.items():
            source = self.loader._source("cautions.yaml")
            self._citations(source, f"{cid}.citations", caution.citations)
            self._agents(source, f"{cid}.applies_to.agents", caution.applies_to.agents)
            for cls in caution.applies_to.classes:
                self._drug_class(source, f"{cid}.applies_to.classes", cls)
        for i, section in enumerate(self.coverage):
            for j, statement in enumerate(section.statements):
                where = f"[{i}].statements[{j}]"
                if bool(statement.encoded_by) == bool(statement.not_encoded):
                    self._bad("coverage.yaml", where, "give either encoded_by or not_encoded (the reason)")
                for ident in statement.encoded_by:
                    if ident not in self.entries and ident not in self.trials and ident not in self.cautions:
                        self._bad("coverage.yaml", f"{where}.encoded_by",
                                  f"{ident!r} is not an entry, trial or caution")

    def _trial_criteria(self, nct: str, trial: Trial) -> None:
        """Every criterion and today's status cite defined references; an encoded exclusion needs
        the `exclude` condition that carries it, and an `exclude` needs a criterion that says why."""
        source = self.loader._source("trials.yaml")
        self._citations(source, f"{nct}.status_today.citations", trial.status_today.citations)
        for part in ("inclusion", "exclusion"):
            for i, criterion in enumerate(getattr(trial.criteria, part)):
                self._citations(source, f"{nct}.criteria.{part}[{i}].citations", criterion.citations)
        encoded_exclusions = [c for c in trial.criteria.exclusion if c.encoded]
        if encoded_exclusions and trial.exclude is None:
            self.loader._problem(source, f"{nct}.exclude",
                                 "an exclusion criterion is marked encoded: give the `exclude` condition")
        if trial.exclude is not None and not encoded_exclusions:
            self.loader._problem(source, f"{nct}.criteria.exclusion",
                                 "`exclude` is given: mark the exclusion criteria it encodes (encoded: true)")
        if not any(c.encoded for c in trial.criteria.inclusion):
            self.loader._problem(source, f"{nct}.criteria.inclusion",
                                 "no inclusion criterion is marked encoded: which does `population` encode?")

    def _bad(self, name: str, location: str, message: str) -> None:
        self.loader._problem(self.loader._source(name), location, message)

    def _entry(self, entry: Entry, sections: set[str]) -> None:
        source = self.files[entry.id]
        problem = self.loader._problem
        if entry.citations[0] != self.meta.review:
            problem(source, "citations[0]", f"the first citation must be the review ({self.meta.review})")
        self._citations(source, "citations", entry.citations)
        if not any(self.references.get(c) and self.references[c].kind != "review" for c in entry.citations):
            problem(source, "citations", "cite the primary study the entry rests on, besides the review")
        for i, finding in enumerate(entry.findings):
            self._citations(source, f"findings[{i}].citations", finding.citations,
                            post_review=finding.post_review)
        expected_level = LEVEL_OF_KIND[entry.evidence.kind]
        if entry.evidence.level != expected_level:
            problem(source, "evidence.level",
                    f"{entry.evidence.kind} evidence is level {expected_level}, not {entry.evidence.level}")
        if entry.evidence.escat is not None and entry.evidence.escat not in ESCAT_TIERS:
            problem(source, "evidence.escat", f"{entry.evidence.escat!r} is not one of {', '.join(ESCAT_TIERS)}")
        for i, nct in enumerate(entry.trials):
            if nct not in self.trials:
                problem(source, f"trials[{i}]", f"{nct} is not in trials.yaml")
        for i, cid in enumerate(entry.cautions):
            if cid not in self.cautions:
                problem(source, f"cautions[{i}]", f"{cid} is not in cautions.yaml")
        for i, other in enumerate(entry.conflicts_with):
            if other == entry.id:
                problem(source, f"conflicts_with[{i}]", "an entry cannot conflict with itself")
            elif other not in self.entries:
                problem(source, f"conflicts_with[{i}]", f"{other} is not an entry")
        self._agents(source, "agents", entry.agents)
        if entry.kind == "rationale":
            if entry.strategy is None:
                problem(source, "strategy", "a rationale needs a strategy (igf_axis and partners)")
            else:
                if entry.strategy.igf_axis != IR_TARGET:
                    self._drug_class(source, "strategy.igf_axis", entry.strategy.igf_axis)
                for cls in entry.strategy.partners:
                    self._drug_class(source, "strategy.partners", cls)
        elif entry.strategy is not None or entry.agents:
            problem(source, "strategy", "a context note has no strategy and no agents")
        for i, section in enumerate(entry.review_sections):
            if sections and section not in sections:
                problem(source, f"review_sections[{i}]", f"{section!r} is not a section of coverage.yaml")

    def _citations(self, source: str, location: str, citations: tuple[str, ...],
                   post_review: bool | None = None) -> None:
        """Every citation resolves; a finding not marked post-review cites no post-review paper.

        (The reverse is allowed: a result the review does not report may come from a paper it cites.)
        """
        for i, ref in enumerate(citations):
            if ref not in self.references:
                self.loader._problem(source, f"{location}[{i}]", f"{ref!r} is not in references.yaml")
            elif post_review is False and self.references[ref].kind == "post_review":
                self.loader._problem(source, f"{location}[{i}]",
                                     f"{ref} was published after the review: mark this finding post_review: true")

    def _agents(self, source: str, location: str, agents: tuple[str, ...]) -> None:
        for i, name in enumerate(agents):
            if name not in self.vocab.agents:
                suggestions = self.vocab.closest(name)
                hint = f"did you mean {', '.join(suggestions)}?" if suggestions else ""
                self.loader.problems.append(
                    Problem(source, f"{location}[{i}]", f"{name!r} is not a canonical agent name", hint))

    def _drug_class(self, source: str, location: str, cls: str) -> None:
        if cls not in self.vocab.classes:
            self.loader._problem(source, location, f"{cls!r} is not a drug class")
