"""igfrules' own agents file is read with libyaml when present (model/vocabulary.py): the
vocabulary it builds is the one the pure-Python safe loader gives, and holds what the file says.

(This test used to compare libyaml with PyYAML's own loader on the file, which tested PyYAML and
never the function igfrules runs.)"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

import igfrules
from igfrules.model.vocabulary import _read_vocabulary

AGENTS = Path(igfrules.__file__).parent / "data" / "agents.yaml"


def test_the_vocabulary_is_the_same_read_by_libyaml_or_by_the_pure_python_safe_loader(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Mutations: a loader other than a safe one, or a field of an agent or class read wrongly."""
    read = _read_vocabulary()
    monkeypatch.delattr(yaml, "CSafeLoader", raising=False)  # as on a PyYAML built without libyaml
    pure = _read_vocabulary()
    assert read.agents == pure.agents and read.classes == pure.classes
    raw = yaml.safe_load(AGENTS.read_text(encoding="utf-8"))
    assert list(read.agents) == list(raw["agents"]) and list(read.classes) == list(raw["classes"])
    for name, spec in raw["agents"].items():
        agent = read.agents[name]
        assert agent.drug_class == spec["class"] and agent.drug_class in read.classes
        assert agent.synonyms == tuple(str(s) for s in spec.get("synonyms", []))
        assert agent.investigational is spec.get("investigational", False)
        assert agent.in_review is spec.get("in_review", True)
        assert agent.rxcui == str(spec.get("rxcui", ""))
    for cid, spec in raw["classes"].items():
        assert read.classes[cid].label == spec["label"] and read.classes[cid].parent == spec.get("parent")
        ancestors = read.classes[cid].ancestors
        assert ancestors[0] == cid and ancestors[1:2] == ((spec["parent"],) if spec.get("parent") else ())

