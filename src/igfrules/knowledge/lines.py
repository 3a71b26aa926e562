"""Line numbers for field paths in a YAML file, computed only when a problem needs one."""

from __future__ import annotations

import re
from typing import Any

import yaml

from ..documents.bounded_read import MAX_BYTES, ReadError, read_limited
from ..errors import Problem

_PART = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def with_line(problem: Problem) -> Problem:
    """The problem with the line of its location in its file, read only now that it is needed."""
    if problem.line is not None:
        return problem
    try:
        text = read_limited(problem.source, MAX_BYTES).decode("utf-8-sig")
    except (ReadError, UnicodeError):
        return problem
    return Problem(problem.source, problem.location, problem.message, problem.hint,
                   line_of(text, problem.location))


def line_of(text: str, location: str) -> int | None:
    """The 1-based line where `location` ("when.all[1].field") starts, or the nearest parent's."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return None
    line = node.start_mark.line + 1 if node is not None else None
    for name, index in _PART.findall(location):
        node = _child(node, name, index)
        if node is None:
            break
        line = node.start_mark.line + 1
    return line


def _child(node: Any, name: str, index: str) -> Any:
    if index and isinstance(node, yaml.SequenceNode):
        position = int(index)
        return node.value[position] if position < len(node.value) else None
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if key.value == name:
                return value
    return None
