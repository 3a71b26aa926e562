"""Agent names -> canonical agent and drug class.

Generic names, brand names, development codes and the review's typos all resolve to one
canonical agent; each agent belongs to one class, and classes form a tree so that a
condition on "endocrine_therapy" also matches tamoxifen (a SERM).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml


@dataclass(frozen=True, slots=True)
class DrugClass:
    id: str
    label: str
    parent: str | None
    ancestors: tuple[str, ...]  # itself first, then its parent, up to the root


@dataclass(frozen=True, slots=True)
class Agent:
    name: str
    drug_class: str
    synonyms: tuple[str, ...]
    in_review: bool
    investigational: bool = False  # no regulatory approval for any cancer indication
    rxcui: str = ""  # RxNorm ingredient RXCUI, where one exists and is known
    form_of: str = ""  # a formulation of another agent that shares its ingredient code
    form_words: tuple[str, ...] = ()  # words of a medicine's name that mark the formulation


class UnknownAgent(LookupError):
    def __init__(self, name: str, suggestions: list[str]) -> None:
        self.name = name
        self.suggestions = suggestions
        super().__init__(name)


def spelling_key(name: str) -> str:
    """Fold case, spaces, hyphens and punctuation: 'AMG-479', 'amg 479' and 'AMG479' match."""
    return re.sub(r"[^0-9a-z]+", "", name.casefold())


class Vocabulary:
    def __init__(self, classes: dict[str, DrugClass], agents: dict[str, Agent]) -> None:
        self.classes = classes
        self.agents = agents
        self._by_spelling: dict[str, Agent] = {}
        for agent in agents.values():
            for spelling in (agent.name, *agent.synonyms):
                self._by_spelling[spelling_key(spelling)] = agent
        self.by_rxcui = {agent.rxcui: agent.name for agent in agents.values() if agent.rxcui}
        self.formulations: dict[str, list[Agent]] = {}  # "doxorubicin" -> [liposomal doxorubicin]
        for agent in agents.values():
            if agent.form_of:
                self.formulations.setdefault(agent.form_of, []).append(agent)
        self._spellings = {
            spelling_key(s): s for a in agents.values() for s in (a.name, *a.synonyms)
        }

    def resolve(self, name: str) -> Agent:
        agent = self._by_spelling.get(spelling_key(name))
        if agent is None:
            raise UnknownAgent(name, self.closest(name))
        return agent

    def closest(self, name: str, count: int = 3) -> list[str]:
        import difflib  # only when a name is unknown: not on every start

        matches = difflib.get_close_matches(spelling_key(name), self._spellings, n=count, cutoff=0.6)
        named = []
        for match in matches:
            spelling, agent = self._spellings[match], self._by_spelling[match]
            named.append(agent.name if spelling == agent.name else f"{spelling} ({agent.name})")
        return list(dict.fromkeys(named))

    def descendants(self, class_id: str) -> frozenset[str]:
        """The class itself and every class below it."""
        return frozenset(c.id for c in self.classes.values() if class_id in c.ancestors)

    def not_investigational(self, class_id: str) -> list[str]:
        """Agents of a class (and the classes below it) with a regulatory approval recorded."""
        members = self.descendants(class_id)
        return sorted(a.name for a in self.agents.values() if a.drug_class in members and not a.investigational)

    def agents_in(self, class_id: str) -> list[str]:
        members = self.descendants(class_id)
        return sorted(a.name for a in self.agents.values() if a.drug_class in members)


def _ancestors(class_id: str, parents: dict[str, str | None]) -> tuple[str, ...]:
    chain = [class_id]
    while (parent := parents[chain[-1]]) is not None:
        chain.append(parent)
    return tuple(chain)


_loaded: Vocabulary | None = None


def vocabulary() -> Vocabulary:
    """The agent vocabulary, read once per process (or adopted from the knowledge-base cache)."""
    global _loaded
    if _loaded is None:
        _loaded = _read_vocabulary()  # two threads racing here read equal vocabularies: harmless
    return _loaded


def adopt(vocab: Vocabulary) -> None:
    """Use a vocabulary read by an earlier process: the per-user knowledge-base cache keeps one under
    a key that covers igfrules' own data files, and reading agents.yaml costs a fast start more
    than unpickling it."""
    global _loaded
    if _loaded is None:
        _loaded = vocab


def _read_vocabulary() -> Vocabulary:
    # A plain path (igfrules is never imported from a zip): importlib.resources costs a start.
    text = (Path(__file__).parents[1] / "data" / "agents.yaml").read_text(encoding="utf-8")
    # Our own packaged file, read on every start: libyaml when PyYAML has it (the same safe
    # constructor and resolver as yaml.safe_load, a parser ten times faster; tested equal).
    raw = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # noqa: S506 - a safe loader
    parents = {cid: spec.get("parent") for cid, spec in raw["classes"].items()}
    classes = {
        cid: DrugClass(cid, spec["label"], parents[cid], _ancestors(cid, parents))
        for cid, spec in raw["classes"].items()
    }
    agents = {
        name: Agent(
            name=name,
            drug_class=spec["class"],
            synonyms=tuple(str(s) for s in spec.get("synonyms", [])),
            in_review=spec.get("in_review", True),
            investigational=spec.get("investigational", False),
            rxcui=str(spec.get("rxcui", "")),
            form_of=str(spec.get("form_of", "")),
            form_words=tuple(str(w).casefold() for w in spec.get("form_words", [])),
        )
        for name, spec in raw["agents"].items()
    }
    return Vocabulary(classes, agents)
