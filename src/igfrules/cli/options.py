"""What several commands share: the --rules option, the choices they offer, the knowledge base."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from ..knowledge.loader import KnowledgeBase

FORMATS = ("html", "json", "markdown", "text")  # rendering.registry.RENDERERS, named without importing them
# How much of a report is shown: to a person (`evaluate --detail`, rendering.text.DETAILS, named
# here without importing the renderers) and in a batch line (`batch --detail`).
REPORT_DETAILS = ("brief", "full")
LINE_DETAILS = ("reference", "full")

# Paths are checked by igfrules, not click: a folder given as a file (or the reverse) is an input
# error with exit 1 and `Error: <file>: ...`, like every other bad input, not a usage error.


def _rules_folder(ctx: click.Context, param: click.Parameter, value: str | None) -> Path | None:
    """A folder as given; a shipped version ("1.1.0") or the sha256 a report stamps, as its folder."""
    if value is None:
        return None
    return rules_folder(value)


def rules_folder(spec: str) -> Path:
    """The folder a --rules value or a diff argument names (knowledge/releases.py); a version that
    is not shipped is an input error (exit 1) that names the versions shipped."""
    from ..errors import KnowledgeBaseError
    from ..knowledge.releases import resolve

    try:
        return resolve(spec)
    except KnowledgeBaseError as err:
        raise click.ClickException(str(err)) from None


RULES_OPTION = click.option(
    "--rules", "rules_dir", metavar="FOLDER|VERSION|SHA256", default=None, callback=_rules_folder,
    help="A knowledge-base folder, or a version shipped with igfrules (`--rules 1.1.0`), or the sha256 a "
         "report stamps (default: the current knowledge base).",
)


# FHIR Bundles are read leniently (docs/fhir.md, "Lenient by default"); --strict refuses instead.
STRICT_OPTION = click.option(
    "--strict", is_flag=True,
    help="Refuse a FHIR Bundle with any invalid resource or envelope (exit 1, naming each element), "
         "instead of skipping the resource with a warning and leaving what it could inform unknown.",
)


def load_knowledge_base(rules_dir: Path | None) -> KnowledgeBase:
    """The knowledge base, through the per-user cache of parsed knowledge bases."""
    from ..evaluation.loading import load_knowledge_base as load

    return load(rules_dir, use_cache=True)


def stdin() -> Any:
    return sys.stdin.buffer if sys.stdin is not None else None
