"""A trial's status in words: what the review reported, with its date, beside what was published since.

One function so that every place a trial appears (the trials table, a rationale, `igfrules
trials`, the knowledge-base docs) says the same thing, e.g. "recruiting per the review
(2021-03-22); since reported negative, no PFS improvement, central review HR about 1.19 (Schmid et
al., 2023)". A reader in 2026 must not take a 2021 status for today's.
"""

from __future__ import annotations

from collections.abc import Mapping

from .models import Reference, Trial


def status_words(trial: Trial, references: Mapping[str, Reference], review: Reference) -> str:
    """The reported status with its date, then the outcome published since, with its citations."""
    if trial.in_review_table:
        words = f"{trial.status} per the review ({trial.status_as_of})"
    else:
        words = f"not in the review's Table 1; {trial.status} as of {trial.status_as_of}"
    if trial.since is None:
        return words
    cited = [references[c] for c in trial.since.citations]
    cites = "; ".join(r.short for r in cited)
    # "Since" only for a paper dated after the review's year; an earlier one the review simply omits.
    after = any(r.year > review.year for r in cited)
    lead = "since reported" if after else "published outside the review:"
    return f"{words}; {lead} {trial.since.outcome} ({cites})"
