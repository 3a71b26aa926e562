"""`igfrules feedback`: the curators' review queue from the service's feedback database."""

from __future__ import annotations

from pathlib import Path

import click

from .error_output import reports_errors, require_stdout


@click.command()
@click.option("--db", "db", type=click.Path(path_type=Path), default=None,
              help="The feedback database igfrules serve writes (default: the one serve uses by default, "
                   "$XDG_DATA_HOME/igfrules/feedback.sqlite3, else ~/.local/share/igfrules/).")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown"]), default="text", show_default=True,
              help="How to print the queue.")
@click.option("--comments", is_flag=True, help="Also print clinicians' comments (free text they typed).")
@reports_errors
def feedback(db: Path | None, fmt: str, comments: bool) -> None:
    """Overrides of the service's cards per entry and reason: a review queue for curators.
    RESEARCH USE ONLY.

    Reads the SQLite database that `igfrules serve --feedback-db` fills from
    POST .../feedback; most overridden entries first. Exit 1 when the database is missing or is
    not igfrules' own.

    \b
    Example:
      igfrules feedback --db /srv/igfrules/feedback.sqlite3
      igfrules feedback --db feedback.sqlite3 --format markdown > review.md
    """
    from ..service.feedback.review import RENDERERS, review_queue
    from ..service.feedback.store import FeedbackStore, default_path

    require_stdout()
    store = FeedbackStore(db or default_path(), create=False)
    try:
        queue = review_queue(store)
    finally:
        store.close()
    click.echo(RENDERERS[fmt](queue, comments=comments), nl=False)
