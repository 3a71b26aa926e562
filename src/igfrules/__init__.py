"""igfrules: a research-only rule engine that explains IGF-axis therapy rationales in breast cancer.

It encodes one review (Ianza et al., Front Cell Dev Biol 2021) as a YAML knowledge base and never
recommends treatment. Typical use::

    import igfrules
    report = igfrules.evaluate({"er_status": "positive", "her2_status": "negative"})
    print(report.model_dump(mode="json"))
"""

from typing import TYPE_CHECKING, Any

from . import (
    _moved,
    _started,  # noqa: F401 - first of igfrules' modules: notes when its code began to be read
)
from ._version import __version__
from .errors import (
    CaseError,
    EvaluationError,
    IgfrulesError,
    InputError,
    KnowledgeBaseError,
    Problem,
)
from .evaluation.evaluate import evaluate
from .evaluation.loading import load_knowledge_base
from .knowledge.loader import KnowledgeBase
from .model.patient import PatientProfile, PriorTherapy
from .model.report import DISCLAIMER, Report

if TYPE_CHECKING:
    from .rendering.registry import RENDERERS
    from .versions.library import diff

_moved.install()  # the import paths of 0.1.0 (igfrules.patient, ...), for one more release


def __getattr__(name: str) -> Any:
    # The renderers (HTML among them) load on first use: `igfrules evaluate` prints text; so does
    # the diff of knowledge-base versions.
    if name == "RENDERERS":
        from .rendering.registry import RENDERERS

        return RENDERERS
    if name == "diff":
        from .versions.library import diff

        return diff
    raise AttributeError(f"module 'igfrules' has no attribute {name!r}")


__all__ = [
    "DISCLAIMER",
    "RENDERERS",
    "CaseError",
    "EvaluationError",
    "IgfrulesError",
    "InputError",
    "KnowledgeBase",
    "KnowledgeBaseError",
    "PatientProfile",
    "PriorTherapy",
    "Problem",
    "Report",
    "__version__",
    "diff",
    "evaluate",
    "load_knowledge_base",
]
