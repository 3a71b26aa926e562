"""The two code systems igfrules' cards carry, with their URIs, codes and displays (docs/fhir.md).

igfrules owns no web domain, so each system is a URN in an `igfrules` namespace: a URI nobody else
will mint, and one that does not pretend to resolve. Codes are never reused or renamed: feedback
stored under a code must keep its meaning.
"""

from __future__ import annotations

from typing import Final

TOPIC_SYSTEM: Final = "urn:igfrules:codesystem:card-topic"
OVERRIDE_SYSTEM: Final = "urn:igfrules:codesystem:override-reason"

# What a card is about (`source.topic`): the CDS client may sort or filter by it.
TOPICS: Final = {
    "rationale": "IGF-axis research rationale",
    "no-rationale": "No IGF-axis research rationale applies",
    "trials": "Studies whose population the patient fits",
    "missing-information": "Information that would change the answer",
    "record-check": "Sources in the record that disagree",
}

# Why a clinician dismisses a card (`overrideReasons`), as a tumour board would say it. Each is a
# different signal to the curators: the first is no signal about the entry, the second is about the
# record (the FHIR mapping), the third about the entry's conditions, the fourth about its evidence.
OVERRIDE_REASONS: Final = {
    "discussed-at-board": "Discussed at the tumour board already",
    "record-data-wrong": "The record's data are wrong",
    "not-relevant": "Not relevant to this patient",
    "evidence-outdated": "The evidence is outdated",
}


def topic(code: str) -> dict[str, str]:
    return {"system": TOPIC_SYSTEM, "code": code, "display": TOPICS[code]}


def override_reasons() -> list[dict[str, str]]:
    """Every reason, in the order above; CDS Hooks 2.0 requires a display on each."""
    return [{"system": OVERRIDE_SYSTEM, "code": code, "display": display} for code, display in OVERRIDE_REASONS.items()]
