"""igfrules: a research-only rule engine that explains IGF-axis therapy rationales in breast cancer.

It encodes one review (Ianza et al., Front Cell Dev Biol 2021) as a YAML knowledge base and never
recommends treatment. Typical use::

    import igfrules
    report = igfrules.evaluate({"er_status": "positive", "her2_status": "negative"})
    print(report.model_dump(mode="json"))
"""

from ._version import __version__
from .errors import (
    CaseError,
    EvaluationError,
    IgfrulesError,
    InputError,
    KnowledgeBaseError,
    Problem,
)
from .evaluate import evaluate
from .knowledge.loader import KnowledgeBase, load_knowledge_base
from .patient import PatientProfile, PriorTherapy
from .rendering.registry import RENDERERS
from .report import DISCLAIMER, Report

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
    "evaluate",
    "load_knowledge_base",
]
