"""Text and Markdown renderings of a Report. Renderers return strings and never print.

The default is the tumour-board brief (rendering/brief.py): banner, verdict, warnings, at a glance,
trials, what would change the answer, disclaimer. `detail="full"` appends the full evidence cards
(rendering/cards.py) before the disclaimer, so RESEARCH USE ONLY still opens the page and the
disclaimer still closes it.
"""

from __future__ import annotations

from typing import Literal

from ..model.report import Report
from .brief import brief_markdown_lines, brief_text_lines, disclaimer_text_lines, markdown_disclaimer
from .cards import full_markdown_lines, full_text_lines
from .since import Since, since_markdown_lines, since_text_lines

Detail = Literal["brief", "full"]
DETAILS: tuple[Detail, ...] = ("brief", "full")

__all__ = ["DETAILS", "Detail", "render_json", "render_markdown", "render_text"]


def render_text(report: Report, detail: Detail = "brief", since: Since | None = None) -> str:
    """`since`: the "changed since knowledge base X" section, after the brief (none when empty)."""
    lines = brief_text_lines(report) + since_text_lines(since)
    if detail == "full":  # the cards go before the disclaimer, which stays last
        lines += full_text_lines(report)
    return "\n".join([*lines, *disclaimer_text_lines(report)]) + "\n"


def render_markdown(report: Report, detail: Detail = "brief", since: Since | None = None) -> str:
    lines = brief_markdown_lines(report) + since_markdown_lines(since)
    if detail == "full":
        lines += full_markdown_lines(report)
    return "\n".join([*lines, *markdown_disclaimer(report)]) + "\n"


def render_json(report: Report, detail: Detail = "brief") -> str:
    """JSON is always complete: machines get every part whatever the detail asked for people."""
    return report.to_json()
