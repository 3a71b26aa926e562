"""Old import paths of modules that moved in 0.2.0, kept for one release with a DeprecationWarning.

`import igfrules.patient` still works and gives the very module `igfrules.model.patient` (the same
object: classes compare equal and isinstance holds), after a DeprecationWarning that names the new
path. The shims are one finder here, not a file per old name, so the package's top level shows the
data flow. `igfrules.evaluate` is not in the table: that name is the public function.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import sys
import warnings
from collections.abc import Sequence
from types import ModuleType

REMOVED_IN = "0.3.0"

MOVED: dict[str, str] = {
    "igfrules.batch": "igfrules.cohort.batch",
    "igfrules.batch_output": "igfrules.cohort.output",
    "igfrules.catalog": "igfrules.evaluation.catalog",
    "igfrules.consistency": "igfrules.model.consistency",
    "igfrules.examples": "igfrules.inputs.examples",
    "igfrules.explain": "igfrules.evaluation.explain",
    "igfrules.fhir.mapping": "igfrules.model.mapping",
    "igfrules.fields": "igfrules.model.fields",
    "igfrules.inputs.bounded_read": "igfrules.documents.bounded_read",
    "igfrules.inputs.safe_yaml": "igfrules.documents.safe_yaml",
    "igfrules.inputs.typed_input": "igfrules.model.typed_input",
    "igfrules.patient": "igfrules.model.patient",
    "igfrules.report": "igfrules.model.report",
    "igfrules.schema": "igfrules.rendering.schema",
    "igfrules.synthetic": "igfrules.model.synthetic",
    "igfrules.trialstatus": "igfrules.knowledge.trialstatus",
    "igfrules.trusted": "igfrules.model.trusted",
    "igfrules.verdict": "igfrules.model.verdict",
    "igfrules.vocabulary": "igfrules.model.vocabulary",
    "igfrules.worker_server": "igfrules.cohort.worker_server",
}


class _Alias(importlib.abc.Loader):
    def __init__(self, old: str, new: str) -> None:
        self.old, self.new = old, new

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType:
        warnings.warn(f"{self.old} moved to {self.new}; the old name goes in igfrules {REMOVED_IN}",
                      DeprecationWarning, stacklevel=2)
        return importlib.import_module(self.new)

    def exec_module(self, module: ModuleType) -> None:
        """The module is the new one, already executed."""


class MovedModules(importlib.abc.MetaPathFinder):
    """Finds the old names only; every other import goes to Python's own finders."""

    def find_spec(self, fullname: str, path: Sequence[str] | None,
                  target: ModuleType | None = None) -> importlib.machinery.ModuleSpec | None:
        new = MOVED.get(fullname)
        if new is None:
            return None
        return importlib.machinery.ModuleSpec(fullname, _Alias(fullname, new))


def install() -> None:
    if not any(isinstance(finder, MovedModules) for finder in sys.meta_path):
        sys.meta_path.append(MovedModules())
