"""A trial's status in words: what the review reported, with its date, beside what was published since.

One function so that every place a trial appears (the trials table, a rationale, `igfrules
trials`, the knowledge-base docs) says the same thing, e.g. "recruiting per the review
(2021-03-22); since reported negative, ... (Schmid et al., 2023); today completed, results
published (as of 2023 (year only); source: ...)". A reader in 2026 must not take a 2021 status for
today's, so today's status, with the date of its source, closes every status.
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
    if trial.since is not None:
        cited = [references[c] for c in trial.since.citations]
        cites = "; ".join(r.short for r in cited)
        # "Since" only for a paper dated after the review's year; an earlier one the review simply omits.
        after = any(r.year > review.year for r in cited)
        lead = "since reported" if after else "published outside the review:"
        words = f"{words}; {lead} {trial.since.outcome} ({cites})"
    return f"{words}; {today_words(trial)}"


def today_words(trial: Trial) -> str:
    """Where the trial stands today, with the date of the record it comes from."""
    today = trial.status_today
    dated = f"as of {today.as_of}" if today.verified else "date not verified"
    return f"today {today.status} ({dated}; source: {' '.join(today.source.split())})"
