"""The exception hierarchy and the Problem record every error carries.

Callers catch ``IgfrulesError`` and nothing else: every error raised for bad input or a
failed evaluation is one of its subclasses, and each subclass owns its exit code.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

# What must never reach a terminal or a line-oriented consumer raw: C0/C1 controls (newline, CR,
# ESC starting ANSI/OSC sequences), Unicode line and paragraph separators, and format characters
# (bidirectional overrides and isolates, zero-width characters). Lone surrogates come from file
# names that are not UTF-8.
_UNSAFE_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})
_NAMED_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*\Z")


def is_unsafe_char(char: str) -> bool:
    """A character that can forge a line, move the cursor or reorder text when printed."""
    return unicodedata.category(char) in _UNSAFE_CATEGORIES


def printable(text: str) -> str:
    """`text` with every unsafe character written as an escape (\\n, \\x1b, \\u202e): one line,
    shown as it is, on any terminal and to any consumer that splits on Unicode line breaks."""
    if text.isprintable():
        return text
    out = []
    for char in text:
        if char in _NAMED_ESCAPES:
            out.append(_NAMED_ESCAPES[char])
        elif is_unsafe_char(char):
            code = ord(char)
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}")
        else:
            out.append(char)
    return "".join(out)


def json_line_safe(text: str) -> str:
    """Serialised JSON with DEL, C1 controls, non-ASCII line breaks and format characters escaped
    as \\uXXXX (the same JSON value; json.dumps already escapes the C0 controls): a consumer that
    splits on U+2028, or shows bidi overrides, sees one plain line."""
    if text.isprintable():
        return text
    return "".join(_json_escape(c) if ord(c) >= 0x7F and is_unsafe_char(c) else c for c in text)


def _json_escape(char: str) -> str:
    code = ord(char)
    if code < 0x10000:
        return f"\\u{code:04x}"
    code -= 0x10000  # outside the BMP, JSON writes a surrogate pair
    return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with an input: where it is and what would fix it."""

    source: str  # a file path, or "<case>" for an in-memory mapping
    location: str  # a dotted field path ("her2_status", "prior_therapies[1].agent") or "" for the whole file
    message: str  # what is wrong and what is allowed
    hint: str = ""  # a suggestion ("did you mean ...") when there is one
    line: int | None = None  # 1-based line in the file, when known

    def __str__(self) -> str:
        """One line, whatever the file name, key or value it quotes: every part is escaped."""
        parts = [f"{self.source}:{self.line}" if self.line else self.source]
        if self.location:
            parts.append(self.location)
        text = ": ".join(parts) + ": " + self.message
        return printable(f"{text} ({self.hint})" if self.hint else text)


_NO_DATA = object()


def field_path(loc: tuple[Any, ...], prefix: str = "", data: Any = _NO_DATA) -> str:
    """A pydantic error location as a field path: ("prior_therapies", 0, "agent") ->
    "prior_therapies[0].agent".

    pydantic puts union branch labels ("literal['unknown']", "tuple[...]") into locations; they are
    not fields. Given the validated `data`, the path follows it, so a key is kept whatever it holds
    (a key with `[`, a backtick or a dot is shown quoted: `['a[b']`). Without it, labels are
    recognised by their brackets alone.
    """
    text = prefix
    node = data
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
            node = node[part] if isinstance(node, list | tuple) and -len(node) <= part < len(node) else _NO_DATA
            continue
        if isinstance(node, dict) and part in node:
            node = node[part]  # a key of the data, whatever it holds
        elif isinstance(part, str) and ("[" in part or "`" in part):
            continue  # a branch label
        else:
            node = _NO_DATA  # a key the data lacks (a required field): no deeper data to follow
        if not isinstance(part, str) or not _IDENTIFIER.match(part):
            text += f"[{part!r}]"
        else:
            text += f".{part}" if text else part
    return text


class IgfrulesError(Exception):
    """Root of every error igfrules raises on purpose."""

    exit_code = 1

    def __init__(self, problems: list[Problem] | Problem | str) -> None:
        if isinstance(problems, str):
            problems = [Problem("<igfrules>", "", problems)]
        elif isinstance(problems, Problem):
            problems = [problems]
        self.problems: tuple[Problem, ...] = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class InputError(IgfrulesError):
    """A user's file or mapping is wrong."""


class CaseError(InputError):
    """A case does not fit the patient-profile schema."""


class KnowledgeBaseError(InputError):
    """A knowledge-base file is wrong: schema, unknown field or agent, dangling reference."""


class EvaluationError(IgfrulesError):
    """The inputs were valid but evaluation failed: a bug, reported plainly."""
