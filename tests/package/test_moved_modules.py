"""Modules moved in 0.2.0 still import by their 0.1.0 path for one release, with a warning, and the
public API and the commands are exactly what they were."""

from __future__ import annotations

import importlib
import subprocess
import sys
from pathlib import Path

import pytest

import igfrules
from igfrules._moved import MOVED

PUBLIC_API_0_1 = ["DISCLAIMER", "RENDERERS", "CaseError", "EvaluationError", "IgfrulesError", "InputError",
                  "KnowledgeBase", "KnowledgeBaseError", "PatientProfile", "PriorTherapy", "Problem", "Report",
                  "__version__", "evaluate", "load_knowledge_base"]
# Added since 0.1.0, never removed: igfrules.diff and the diff, verify and feedback commands (issues 21, 22).
PUBLIC_API = [*PUBLIC_API_0_1, "diff"]
COMMANDS_0_1 = ["batch", "check", "docs", "evaluate", "examples", "explain", "rules", "schema", "serve", "trials"]
COMMANDS = sorted([*COMMANDS_0_1, "diff", "feedback", "verify"])


@pytest.mark.parametrize("old", sorted(MOVED))
def test_an_old_path_warns_and_gives_the_new_module(old: str) -> None:
    # A fresh interpreter: in this one the old name may already be bound by another test.
    code = (f"import warnings, importlib, sys\nwarnings.simplefilter('error')\n"
            f"try:\n    importlib.import_module({old!r})\nexcept DeprecationWarning as w:\n    print(w)\n"
            f"warnings.simplefilter('ignore')\nold = importlib.import_module({old!r})\n"
            f"print(old is importlib.import_module({MOVED[old]!r}))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.splitlines() == [f"{old} moved to {MOVED[old]}; the old name goes in igfrules 0.3.0", "True"]


def test_old_paths_keep_classes_identical() -> None:
    with pytest.warns(DeprecationWarning, match="igfrules.model.patient"):
        old = importlib.import_module("igfrules.patient")
    assert old.PatientProfile is igfrules.PatientProfile


def test_the_function_evaluate_is_never_shadowed_by_a_module() -> None:
    with pytest.warns(DeprecationWarning):
        importlib.import_module("igfrules.report")
    assert callable(igfrules.evaluate) and igfrules.evaluate.__module__ == "igfrules.evaluation.evaluate"
    assert "igfrules.evaluate" not in MOVED


def test_every_new_path_exists_and_no_old_file_is_left() -> None:
    for old, new in MOVED.items():
        assert importlib.util.find_spec(new) is not None, new
        parent, _, leaf = old.rpartition(".")
        folders = [Path(p) for p in importlib.import_module(parent).__path__]
        assert not any((f / f"{leaf}.py").exists() for f in folders), f"{old}: the old file is still there"


def test_the_public_api_is_unchanged() -> None:
    assert sorted(igfrules.__all__) == sorted(PUBLIC_API)
    for name in igfrules.__all__:
        assert getattr(igfrules, name) is not None


def test_every_command_is_still_there() -> None:
    from igfrules.cli.group import main

    assert sorted(main.list_commands(None)) == COMMANDS  # type: ignore[arg-type]
