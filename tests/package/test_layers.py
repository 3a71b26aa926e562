"""The package reads like its data flow: each subpackage imports only what lies below it, and no
module imports itself back through others (the rules of ../shared-free docs: each subpackage's
docstring states them, and this test holds the code to them)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from .import_graph import PACKAGE, cycles, graph, module_name

# The "never imports" column of the project's style guide, by subpackage. Each subpackage's own
# docstring must name at least these (it may name more), and the code must keep to its docstring.
STYLE_NEVER_IMPORTS = {
    "inputs": {"engine", "rendering", "fhir"},
    "fhir": {"engine", "rendering"},
    "model": {"documents", "inputs", "fhir", "knowledge", "engine", "evaluation", "rendering", "cohort", "service",
              "cli"},  # "anything above it"
    "knowledge": {"inputs", "rendering", "evaluation"},  # evaluation: what is built from it
    "engine": {"inputs", "rendering"},
    "rendering": {"engine"},
    "cohort": {"service"},
    "service": {"engine.durable_engine", "documents.safe_yaml", "knowledge.loader"},  # durable, the YAML loader
    "cli": {"engine.durable_engine"},
}
TOP_LEVEL_AT_MOST = 8


def declared_never_imports(package: str) -> set[str]:
    doc = ast.get_docstring(ast.parse((PACKAGE / package / "__init__.py").read_text(encoding="utf-8"))) or ""
    found = re.search(r"^Never imports: (.+)$", doc, re.MULTILINE)
    assert found, f"igfrules/{package}/__init__.py: the docstring has no 'Never imports:' line"
    return {name.strip() for name in found.group(1).split(",")}


def subpackages() -> list[str]:
    return sorted(p.name for p in PACKAGE.iterdir() if (p / "__init__.py").is_file())


def forbidden_edges(edges: dict[str, dict[str, int]], package: str, never: set[str]) -> list[str]:
    prefix = f"igfrules.{package}."
    banned = tuple(f"igfrules.{n}" for n in never)
    return [f"{module} imports {target} (line {line})"
            for module, targets in sorted(edges.items()) if (module + ".").startswith(prefix)
            for target, line in sorted(targets.items())
            if any(target == b or target.startswith(b + ".") for b in banned)]


def test_every_subpackage_says_what_it_owns_and_never_imports() -> None:
    for package in subpackages():
        doc = ast.get_docstring(ast.parse((PACKAGE / package / "__init__.py").read_text(encoding="utf-8")))
        assert doc and len(doc) > 80, f"igfrules/{package}/__init__.py: say what the subpackage owns"
        declared_never_imports(package)


@pytest.mark.parametrize("package", sorted(STYLE_NEVER_IMPORTS))
def test_docstring_keeps_the_style_guides_rule(package: str) -> None:
    declared = declared_never_imports(package)
    missing = {n for n in STYLE_NEVER_IMPORTS[package] if not any(n == d or n.startswith(d + ".") for d in declared)}
    assert not missing, f"igfrules/{package}: the docstring's 'Never imports' leaves out {sorted(missing)}"


@pytest.mark.parametrize("package", subpackages())
def test_subpackage_never_imports_what_its_docstring_forbids(package: str) -> None:
    assert forbidden_edges(graph(), package, declared_never_imports(package)) == []


def test_only_the_engine_module_imports_durable_rules() -> None:
    importers = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            if any(n.split(".")[0] in ("durable", "durable_rules_engine") for n in names):
                importers.append(module_name(path))
    assert sorted(set(importers)) == ["igfrules.engine.durable_engine"]


def test_no_import_cycles() -> None:
    found = cycles(graph())
    assert found == [], "import cycles: " + "; ".join(" -> ".join(c) for c in found)


def test_the_cycle_check_finds_a_cycle(tmp_path: Path) -> None:
    """The check is not vacuous: a package whose two modules import each other (one inside a
    function, as a lazy import hides it) is reported, with the path."""
    root = tmp_path / "igfrules"
    (root / "a").mkdir(parents=True)
    (root / "__init__.py").write_text("")
    (root / "a" / "__init__.py").write_text("")
    (root / "a" / "one.py").write_text("from . import two\n")
    (root / "a" / "two.py").write_text("def f():\n    from .one import x\n")
    (root / "three.py").write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from .a import one\n")
    assert cycles(graph(root)) == [["igfrules.a.one", "igfrules.a.two", "igfrules.a.one"]]
    assert "igfrules.a.one" not in graph(root)["igfrules.three"]  # a type-only import runs nothing


def test_the_layer_check_finds_a_forbidden_import(tmp_path: Path) -> None:
    root = tmp_path / "igfrules"
    for package in ("model", "engine"):
        (root / package).mkdir(parents=True)
        (root / package / "__init__.py").write_text("")
    (root / "__init__.py").write_text("")
    (root / "engine" / "reference.py").write_text("")
    (root / "model" / "patient.py").write_text("def f():\n    from ..engine.reference import evaluate\n")
    assert forbidden_edges(graph(root), "model", {"engine"}) == [
        "igfrules.model.patient imports igfrules.engine.reference (line 2)"]


def test_the_top_level_holds_only_what_belongs_to_no_concern() -> None:
    top = sorted(p.name for p in PACKAGE.glob("*.py"))
    assert len(top) <= TOP_LEVEL_AT_MOST, top


def test_no_module_is_over_400_lines() -> None:
    long = {module_name(p): n for p in sorted(PACKAGE.rglob("*.py"))
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > 400}
    assert long == {}
