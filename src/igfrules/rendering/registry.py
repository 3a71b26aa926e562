"""Every output format by name: what `--format` offers and what a library user can look up."""

from __future__ import annotations

from collections.abc import Callable

from ..report import Report
from .html import render_html
from .text import render_json, render_markdown, render_text

RENDERERS: dict[str, Callable[[Report], str]] = {
    "text": render_text,
    "markdown": render_markdown,
    "json": render_json,
    "html": render_html,
}
