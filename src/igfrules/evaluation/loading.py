"""Loading a knowledge base ready to evaluate: parsed, compiled, with the report catalog built.

The knowledge base (knowledge/) does not import what is built from it; this is the place that
knows what an evaluation builds from it, so that the per-user cache keeps those views too and
`igfrules evaluate` starts without rebuilding them.
"""

from __future__ import annotations

from pathlib import Path

from ..knowledge import cache, loader
from ..knowledge.loader import KnowledgeBase
from .catalog import CATALOG, Catalog
from .considered import CONSIDERED, considered_by


def load_knowledge_base(path: str | Path | None = None, *, use_cache: bool = False) -> KnowledgeBase:
    """Load, validate and compile a knowledge-base folder (None: the packaged one).

    `use_cache=True` reads and writes a per-user cache of parsed knowledge bases, keyed by the
    files' sha256 (knowledge/cache.py): what the command line does, so that it starts at once.
    A version shipped with igfrules ("1.1.0") or the sha256 a report stamps loads that release
    (knowledge/releases.py); a folder of that name wins.
    """
    if isinstance(path, str):
        from ..knowledge.releases import resolve

        path = resolve(path)
    return loader.load_knowledge_base(path, use_cache=use_cache, views={CATALOG: Catalog, CONSIDERED: considered_by})


def kept_knowledge_base(path: Path, content_sha256: str) -> KnowledgeBase | None:
    """The knowledge base with these files from the per-user cache (with its views), or None; None
    too when the cache is turned off (IGFRULES_NO_CACHE=1)."""
    return loader.cached_knowledge_base(path, content_sha256) if cache.enabled() else None
