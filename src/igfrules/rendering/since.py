"""The brief's "changed since knowledge base X" section (`igfrules evaluate --since X`).

It receives its sentences already written (versions/words.py writes them from the patient's
diff): a renderer never evaluates. No section at all when nothing changed for her.
"""

from __future__ import annotations

import html
import textwrap
from typing import NamedTuple

from .labels import markdown_literal

WIDTH = 100


class Since(NamedTuple):
    version: str  # the earlier knowledge base's version
    current: str  # this report's
    changes: tuple[str, ...]  # one sentence each, naming the record change behind it

    @property
    def heading(self) -> str:
        return f"Changed since knowledge base {self.version} (this report: {self.current})"


def since_text_lines(since: Since | None) -> list[str]:
    if since is None or not since.changes:
        return []
    lines = ["", since.heading.upper().replace("THIS REPORT", "this report")]
    for sentence in since.changes:
        lines += textwrap.wrap(f"- {sentence}", WIDTH, subsequent_indent="  ", break_long_words=False)
    return lines


def since_markdown_lines(since: Since | None) -> list[str]:
    if since is None or not since.changes:
        return []
    return ["", f"## {since.heading}", "", *(f"- {markdown_literal(s)}" for s in since.changes)]


def since_html_lines(since: Since | None) -> list[str]:
    if since is None or not since.changes:
        return []
    return ['<section class="since">', f"<h2>{html.escape(since.heading)}</h2>", "<ul>",
            *(f"<li>{html.escape(s)}</li>" for s in since.changes), "</ul></section>"]
