"""fhir.resources is an install extra: igfrules imports it only to read a Bundle, and without it a
Bundle is a clear error, never a traceback."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import CASES

BLOCK_FHIR = """
import sys
class Block:
    def find_spec(self, name, path=None, target=None):
        if name == "fhir" or name.startswith(("fhir.", "fhir_core")):
            raise ImportError(name)
        return None
sys.meta_path.insert(0, Block())
from igfrules.cli import main
main()
"""


def test_case_files_never_import_fhir_resources() -> None:
    code = ("import sys, igfrules; igfrules.evaluate(sys.argv[1]); "
            "assert not any(m.startswith('fhir') for m in sys.modules), 'fhir imported'")
    result = subprocess.run([sys.executable, "-c", code, str(CASES / "minimal-unknowns.yaml")],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr


def test_a_bundle_without_the_extra_says_how_to_install_it() -> None:
    bundle = CASES / "fhir" / "early-stage-er-positive.json"
    result = subprocess.run([sys.executable, "-c", BLOCK_FHIR, "evaluate", str(bundle)],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 1
    assert "pip install 'igfrules[fhir]'" in result.stderr
    assert "Traceback" not in result.stderr
