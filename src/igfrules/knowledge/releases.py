"""The knowledge-base versions igfrules ships, found by version or by the sha256 a report stamps.

Every release from 1.1.0 on ships byte-identical to its release, so the sha256 of its files is
the one its reports carry: the current one as rules/ (in the wheel: igfrules/_rules), the earlier
ones as releases/<version>/ (igfrules/_releases/<version>). 1.0.0 is not shipped: it cited a
working note, not a publication. A folder path keeps working as it always did, and wins over a
version of the same spelling: `--rules ./1.1.0` with such a folder reads the folder.
"""

from __future__ import annotations

import os
import re
from functools import cache
from pathlib import Path

from ..errors import KnowledgeBaseError, Problem
from .loader import content_digest, packaged_rules

VERSION = re.compile(r"\d+\.\d+\.\d+")
SHA256 = re.compile(r"[0-9a-f]{64}")
# Versions released but not shipped, and why (said plainly wherever one is asked for).
NOT_SHIPPED = {
    "1.0.0": "knowledge base 1.0.0 is not shipped with igfrules: it cited a working note, not a publication; "
             "1.1.0 is the first version shipped",
}


def released_folder() -> Path:
    """Where earlier releases are: inside the wheel, or the repository's releases/ in a checkout."""
    shipped = Path(__file__).resolve().parents[1] / "_releases"
    if shipped.is_dir():
        return shipped
    return Path(__file__).resolve().parents[3] / "releases"


@cache
def shipped() -> dict[str, Path]:
    """Version -> folder, every version igfrules ships (the current one last)."""
    found: dict[str, Path] = {}
    folder = released_folder()
    if folder.is_dir():
        for child in sorted(folder.iterdir(), key=lambda p: _numbers(p.name)):
            if VERSION.fullmatch(child.name) and (child / "knowledge-base.yaml").is_file():
                found[child.name] = child
    current = packaged_rules()
    version = _version_of(current)
    if version is not None:
        found[version] = current
    return found


def current_version() -> str:
    """The version of the knowledge base igfrules uses by default."""
    return _version_of(packaged_rules()) or ""


def by_sha256() -> dict[str, str]:
    """sha256 -> version, for the shipped versions (each folder's files hashed once a process)."""
    return {_sha256(str(path)): version for version, path in shipped().items()}


def is_version_or_sha256(spec: str) -> bool:
    return bool(VERSION.fullmatch(spec) or SHA256.fullmatch(spec.lower()))


def resolve(spec: str | Path) -> Path:
    """The folder that `spec` names: an existing folder as it is, else a shipped version ("1.1.0")
    or the sha256 of one. Anything else is a clear error naming what is shipped."""
    text = str(spec)
    if isinstance(spec, Path) or os.path.isdir(text) or not is_version_or_sha256(text):
        return Path(spec)
    if VERSION.fullmatch(text):
        found = shipped().get(text)
        if found is not None:
            return found
        why = NOT_SHIPPED.get(text, f"knowledge base {text} is not shipped with this igfrules")
        raise KnowledgeBaseError(Problem(text, "", f"{why}; shipped: {', '.join(shipped())}"))
    version = by_sha256().get(text.lower())
    if version is None:
        raise KnowledgeBaseError(Problem(text, "", "no knowledge base shipped with this igfrules has this sha256; "
                                         f"shipped: {', '.join(shipped())}"))
    return shipped()[version]


def unavailable_reason(version: str, sha256: str) -> str | None:
    """Why the knowledge base a report stamps cannot be had here, or None when it is shipped with
    exactly that sha256."""
    if version in NOT_SHIPPED:
        return NOT_SHIPPED[version]
    found = by_sha256().get(sha256)
    if found is not None:
        return None
    if version in shipped():
        return (f"knowledge base {version} is shipped, but with other content than the report's (sha256 "
                f"{sha256[:12]}… is not it): the report was made with an unreleased or edited copy")
    return f"knowledge base {version} is not shipped with this igfrules; shipped: {', '.join(shipped())}"


def _numbers(name: str) -> tuple[int, ...]:
    return tuple(int(p) for p in name.split(".")) if VERSION.fullmatch(name) else (0,)


def _version_of(folder: Path) -> str | None:
    from ..documents.safe_yaml import read_document
    from ..documents.strict_json import DocumentError

    try:
        meta = read_document(folder / "knowledge-base.yaml")
    except (DocumentError, OSError):  # no readable knowledge base there: loading it says why
        return None
    version = meta.get("version") if isinstance(meta, dict) else None
    return str(version) if version is not None else None


@cache
def _sha256(folder: str) -> str:
    return content_digest(Path(folder))
