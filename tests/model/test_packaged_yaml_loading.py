"""igfrules' own agents file is read with libyaml when present: the same data as yaml.safe_load."""

from __future__ import annotations

from pathlib import Path

import yaml

import igfrules

AGENTS = Path(igfrules.__file__).parent / "data" / "agents.yaml"


def test_libyaml_reads_the_agents_file_as_the_pure_python_safe_loader_does() -> None:
    text = AGENTS.read_text(encoding="utf-8")
    assert yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)) == yaml.safe_load(text)  # noqa: S506
