"""The exception hierarchy and the Problem record every error carries.

Callers catch ``IgfrulesError`` and nothing else: every error raised for bad input or a
failed evaluation is one of its subclasses, and each subclass owns its exit code.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with an input: where it is and what would fix it."""

    source: str  # a file path, or "<case>" for an in-memory mapping
    location: str  # a dotted field path ("her2_status", "prior_therapies[1].agent") or "" for the whole file
    message: str  # what is wrong and what is allowed
    hint: str = ""  # a suggestion ("did you mean ...") when there is one
    line: int | None = None  # 1-based line in the file, when known

    def __str__(self) -> str:
        parts = [f"{self.source}:{self.line}" if self.line else self.source]
        if self.location:
            parts.append(self.location)
        text = ": ".join(parts) + ": " + self.message
        return f"{text} ({self.hint})" if self.hint else text


def field_path(loc: tuple[Any, ...], prefix: str = "") -> str:
    """A pydantic error location as a field path: ("prior_therapies", 0, "agent") ->
    "prior_therapies[0].agent". Union branch labels ("literal['unknown']") are not fields."""
    text = prefix
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        elif "[" in part or "`" in part:
            continue
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
