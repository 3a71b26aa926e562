"""Every output format by name: what `--format` offers and what a library user can look up.

Each renderer takes a Report and `detail` ("brief", the default, or "full") and returns a string.
JSON ignores `detail`: it is always complete.
"""

from __future__ import annotations

from typing import Protocol

from ..model.report import Report
from .html import render_html
from .text import Detail, render_json, render_markdown, render_text


class Renderer(Protocol):
    def __call__(self, report: Report, detail: Detail = "brief") -> str: ...


RENDERERS: dict[str, Renderer] = {
    "text": render_text,
    "markdown": render_markdown,
    "json": render_json,
    "html": render_html,
}
