"""Reading a released knowledge base written for an older schema, without touching its bytes.

A released version ships byte-identical to its release (releases/, knowledge/releases.py), so
that its sha256 is the one old reports stamp. Its files may lack what today's schema requires:
1.1.0 predates a trial's registered `criteria` and `status_today` and a caution's `kind` (all
three came with 1.2.0). The loader hands each file's parsed data through `upgrader()` first,
which fills in only those keys, each with a value that says it was not recorded, never a fact
the release did not hold. A knowledge base of the current schema passes through unchanged.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

# The first version whose files carry criteria, status_today and a caution's kind.
CURRENT_SCHEMA = (1, 2, 0)
# A caution's kind was introduced in 1.2.0, which classed each caution 1.1.0 already held; an older
# release's caution takes the class its id was given then (the id, never reused, is the same
# caution). A caution not listed here stays without a kind, and the loader says so.
KIND_GIVEN_IN_1_2_0 = {
    "CAU-HYPERGLYCAEMIA-IR": "harm",
    "CAU-STOMATITIS-MTOR": "harm",
    "CAU-TRIPLET-TOXICITY": "harm",
    "CAU-DOX-SEQUENCE": "limitation",
    "CAU-INSULIN-ESCAPE-IGF1R-ANTIBODY": "limitation",
}

Upgrade = Callable[[str, Any], Any]


def schema_of(meta: Any) -> tuple[int, ...] | None:
    """The version a knowledge-base.yaml names, as numbers; None when it names none readably."""
    version = meta.get("version") if isinstance(meta, dict) else None
    found = re.fullmatch(r"(\d+)\.(\d+)\.(\d+)", str(version)) if version is not None else None
    return tuple(int(part) for part in found.groups()) if found else None


def upgrader(meta: Any) -> Upgrade:
    """What the loader applies to each top file's data (name, data) -> data."""
    version = schema_of(meta)
    if version is None or version >= CURRENT_SCHEMA:
        return _unchanged
    label = ".".join(map(str, version))

    def upgrade(name: str, data: Any) -> Any:
        step = _UPGRADES.get(name)
        return data if step is None else step(data, label)

    return upgrade


def _unchanged(name: str, data: Any) -> Any:
    return data


def _trials(data: Any, version: str) -> Any:
    if not isinstance(data, list):
        return data  # the loader reports a file of the wrong shape
    return [_trial(raw, version) if isinstance(raw, dict) else raw for raw in data]


def _trial(raw: dict[str, Any], version: str) -> dict[str, Any]:
    upgraded = dict(raw)
    citations = raw.get("citations")
    if "criteria" not in raw and "population_text" in raw and citations:
        # The release held one statement of whom the trial enrolled, encoded as its population.
        upgraded["criteria"] = {"inclusion": [{"text": raw["population_text"], "citations": citations,
                                               "encoded": True}]}
    if "status_today" not in raw and citations:
        upgraded["status_today"] = {
            "status": f"not recorded in knowledge base {version} (it kept the status the review reported)",
            "as_of": "not verified", "source": f"knowledge base {version}", "citations": citations,
            "verified": False}
    return upgraded


def _cautions(data: Any, version: str) -> Any:
    if not isinstance(data, list):
        return data
    return [{**raw, "kind": KIND_GIVEN_IN_1_2_0[raw["id"]]}
            if isinstance(raw, dict) and "kind" not in raw and raw.get("id") in KIND_GIVEN_IN_1_2_0 else raw
            for raw in data]


_UPGRADES: dict[str, Callable[[Any, str], Any]] = {"trials.yaml": _trials, "cautions.yaml": _cautions}
