"""`igfrules evaluate` loads only what it needs and reads the knowledge base from the per-user cache."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from igfrules.cli import FORMATS, REPORT_DETAILS
from igfrules.rendering.registry import RENDERERS
from igfrules.rendering.text import DETAILS
from tests.conftest import CASES

CASE = CASES / "hr-positive-her2-negative-nonvisceral.yaml"


def _evaluate(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "xdg")}
    env.pop("IGFRULES_NO_CACHE", None)
    return subprocess.run([sys.executable, "-X", "importtime", "-m", "igfrules", "evaluate", str(CASE), *args],
                          capture_output=True, text=True, check=False, env=env)


def test_the_format_names_are_the_renderers() -> None:
    assert tuple(sorted(RENDERERS)) == FORMATS
    assert REPORT_DETAILS == DETAILS  # evaluate --detail, named without importing the renderers


def test_a_text_report_imports_no_other_renderer_nor_the_checks(tmp_path: Path) -> None:
    result = _evaluate(tmp_path)
    assert result.returncode == 0 and result.stdout.startswith("RESEARCH USE ONLY")
    imported = {line.rsplit("|", 1)[-1].strip() for line in result.stderr.splitlines() if "|" in line}
    assert "igfrules.evaluation.evaluate" in imported
    for module in ("igfrules.rendering.html", "igfrules.knowledge.check", "igfrules.cohort.batch",
                   "igfrules.rendering.schema",
                   "fhir.resources",
                   "igfrules.rendering.kbdocs", "igfrules.rendering.jsonline", "difflib"):
        assert module not in imported, module


def test_the_command_line_caches_the_knowledge_base_and_reuses_it(tmp_path: Path) -> None:
    first = _evaluate(tmp_path)
    (written,) = (tmp_path / "xdg" / "igfrules").glob("*.pickle")
    stamp = written.stat().st_mtime_ns
    second = _evaluate(tmp_path)
    assert first.stdout == second.stdout
    assert [p.name for p in (tmp_path / "xdg" / "igfrules").glob("*.pickle")] == [written.name]
    assert written.stat().st_mtime_ns == stamp  # read, not written again
    imported = {line.rsplit("|", 1)[-1].strip() for line in second.stderr.splitlines() if "|" in line}
    assert "igfrules.knowledge.cache" in imported
