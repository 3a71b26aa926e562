"""The version a report prints is the released one: `igfrules --version`, the package, every report's
engine_version and the CHANGELOG's newest release all say the same."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import igfrules

CHANGELOG = Path(__file__).resolve().parents[2] / "CHANGELOG.md"


def test_the_changelog_newest_release_is_the_package_version() -> None:
    releases = re.findall(r"^## (\d+\.\d+\.\d+) \((\d{4}-\d{2}-\d{2})\)$", CHANGELOG.read_text(encoding="utf-8"),
                          re.MULTILINE)
    assert releases, "the CHANGELOG names no dated release"
    assert releases[0][0] == igfrules.__version__


def test_version_flag_and_reports_print_it() -> None:
    out = subprocess.run([sys.executable, "-m", "igfrules", "--version"], capture_output=True, text=True,
                         check=True).stdout
    assert igfrules.__version__ in out
    assert igfrules.evaluate({}).engine_version == igfrules.__version__
