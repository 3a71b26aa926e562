"""`igfrules serve`: the CDS Hooks service (needs the service extra)."""

from __future__ import annotations

from pathlib import Path

import click

from ..errors import InputError, Problem
from .error_output import reports_errors
from .options import RULES_OPTION, load_knowledge_base


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8080, show_default=True, type=click.IntRange(0, 65535), help="Port to listen on.")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64),
              help="Processes, each with its own engine, on one socket: up to one per core.")
@click.option("--feedback-db", type=click.Path(path_type=Path), default=None,
              help="SQLite file of the cards issued and the feedback on them, shared by every worker "
                   "(default: $XDG_DATA_HOME/igfrules/feedback.sqlite3, else ~/.local/share/igfrules/).")
@RULES_OPTION
@reports_errors
def serve(host: str, port: int, workers: int, feedback_db: Path | None, rules_dir: Path | None) -> None:
    """Run the CDS Hooks 2.0 service (patient-view) over FHIR R4 / mCODE prefetch. RESEARCH USE ONLY.

    GET /cds-services is the discovery document; POST /cds-services/igfrules-igf-axis answers with
    cards; POST /cds-services/igfrules-igf-axis/feedback keeps what clinicians said about a card
    in the feedback database (`igfrules feedback` reads it). Needs the service extra:
    pip install 'igfrules[service]'.

    \b
    Example:
      igfrules serve --port 8080 --feedback-db /srv/igfrules/feedback.sqlite3
      curl http://127.0.0.1:8080/cds-services
    """
    try:
        from ..service.server import serve as run_server
    except ImportError:
        raise InputError(Problem("igfrules serve", "", "the service needs its extra: "
                                                       "pip install 'igfrules[service]'")) from None
    from ..service.feedback.store import default_path

    kb = load_knowledge_base(rules_dir)  # with the per-user cache, which worker processes then read
    run_server(kb, host, port, workers=workers, use_cache=True, feedback_db=feedback_db or default_path())
