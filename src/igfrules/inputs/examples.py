"""The example cases that ship with igfrules: list them and find one by name.

They live in the repository's cases/ and inside the wheel (igfrules/_cases), so a pip user can run
`igfrules examples` and `igfrules evaluate --example NAME` without a clone.
"""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from ..errors import InputError, Problem

SUFFIXES = (".yaml", ".yml", ".json")


@dataclass(frozen=True, slots=True)
class Example:
    name: str  # the file name without its suffix
    path: Path
    description: str  # the file's leading comment (YAML), or its case_id (JSON)


def examples_folder() -> Path:
    """The example cases shipped in the wheel, or the repository's cases/ in a source checkout."""
    shipped = Path(str(resources.files("igfrules").joinpath("_cases")))
    if shipped.is_dir():
        return shipped
    return Path(__file__).resolve().parents[3] / "cases"


def _description(path: Path) -> str:
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".json":
        return f"case {json.loads(text).get('case_id', path.stem)}"
    comment = []
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        comment.append(line.lstrip("#").strip())
    return " ".join(comment)


def list_examples() -> list[Example]:
    folder = examples_folder()
    paths = sorted(p for p in folder.iterdir() if p.suffix in SUFFIXES and p.is_file())
    return [Example(p.stem, p, _description(p)) for p in paths]


def find_example(name: str) -> Example:
    """An example by name (case-insensitive; a suffix may be given); a clear error names the closest."""
    wanted = Path(name.strip()).stem.casefold() if name.strip().endswith(SUFFIXES) else name.strip().casefold()
    known = list_examples()
    for example in known:
        if example.name.casefold() == wanted:
            return example
    names = [e.name for e in known]
    close = [n for n in names if n.startswith(wanted)] or difflib.get_close_matches(wanted, names, n=3, cutoff=0.4)
    hint = f"did you mean {', '.join(close)}?" if close else "see `igfrules examples`"
    raise InputError(Problem("--example", name, "no example case has this name", hint))
