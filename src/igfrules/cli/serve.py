"""`igfrules serve`: the CDS Hooks service (needs the service extra)."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import SplitResult, urlsplit

import click

from ..documents.safe_yaml import read_document
from ..documents.strict_json import DocumentError
from ..errors import InputError, Problem
from .error_output import reports_errors
from .options import RULES_OPTION, load_knowledge_base


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on. A non-loopback one needs --trusted-issuers (or --no-auth).")
@click.option("--port", default=8080, show_default=True, type=click.IntRange(0, 65535), help="Port to listen on.")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64),
              help="Processes, each with its own engine, on one socket: up to one per core.")
@click.option("--trusted-issuers", "trusted_file", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="YAML or JSON list of trusted CDS clients ({iss, jku} / {iss, jwks} / {iss, jwks_file}): "
                   "every call must then carry a JWT signed by one of them.")
@click.option("--public-url", default=None, metavar="URL",
              help="The base URL clients call (behind a proxy, its public one); each token's aud is checked "
                   "against it. Needed with --trusted-issuers on a non-loopback --host.")
@click.option("--no-auth", is_flag=True, help="Serve a non-loopback --host without client authentication (warned).")
@click.option("--cors-origin", "cors_origins", multiple=True, metavar="ORIGIN",
              help="A browser origin allowed to call the service (repeatable). Default: any origin (*).")
@click.option("--feedback-db", type=click.Path(path_type=Path), default=None,
              help="SQLite file of the cards issued and the feedback on them, shared by every worker "
                   "(default: $XDG_DATA_HOME/igfrules/feedback.sqlite3, else ~/.local/share/igfrules/).")
@RULES_OPTION
@reports_errors
def serve(host: str, port: int, workers: int, trusted_file: Path | None, public_url: str | None, no_auth: bool,
          cors_origins: tuple[str, ...], feedback_db: Path | None, rules_dir: Path | None) -> None:
    """Run the CDS Hooks 2.0 service (patient-view) over FHIR R4 / mCODE prefetch. RESEARCH USE ONLY.

    GET /cds-services is the discovery document; POST /cds-services/igfrules-igf-axis answers with
    cards; POST /cds-services/igfrules-igf-axis/feedback keeps what clinicians said about a card
    in the feedback database (`igfrules feedback` reads it). Needs the service extra:
    pip install 'igfrules[service]'.

    Without --trusted-issuers the service checks no client and listens on loopback only.

    \b
    Example:
      igfrules serve --port 8080 --feedback-db /srv/igfrules/feedback.sqlite3
      curl http://127.0.0.1:8080/cds-services
      igfrules serve --host 0.0.0.0 --trusted-issuers clients.yaml \\
        --public-url https://cds.example.org
    """
    try:
        from ..service.auth.trust import trusted_issuers
        from ..service.server import NO_AUTH_WARNING, check_exposure
        from ..service.server import serve as run_server
    except ImportError:
        raise InputError(Problem("igfrules serve", "", "the service needs its extra: "
                                                       "pip install 'igfrules[service]'")) from None
    from ..service.feedback.store import default_path

    trust = None
    if trusted_file is not None:
        try:
            document: Any = read_document(trusted_file)
        except DocumentError as err:
            raise InputError(Problem(str(trusted_file), "", str(err))) from None
        trust = trusted_issuers(document, str(trusted_file), trusted_file.parent)
    if public_url is not None:
        public_url = _public_url(public_url)
    for origin in cors_origins:
        _check_origin(origin)
    check_exposure(host, trust, no_auth, public_url)  # before the knowledge base is loaded: fail fast
    if no_auth:
        click.echo(f"Warning: {NO_AUTH_WARNING.format(host=host)}", err=True)
    kb = load_knowledge_base(rules_dir)  # with the per-user cache, which worker processes then read
    run_server(kb, host, port, workers=workers, use_cache=True, trust=trust, no_auth=no_auth,
               public_url=public_url, cors_origins=cors_origins or ("*",),
               feedback_db=feedback_db or default_path())


def _split(url: str) -> SplitResult | None:
    try:
        return urlsplit(url)
    except ValueError:  # 'https://[::1': not a URL; an error naming the option, not a traceback
        return None


def _public_url(url: str) -> str:
    parts = _split(url)
    if parts is None or parts.scheme not in ("https", "http") or not parts.netloc or parts.query or parts.fragment:
        raise InputError(Problem("--public-url", "", f"{url!r} is not a base URL; expected e.g. "
                                                     "https://cds.example.org (no query or fragment)"))
    return url.rstrip("/")


def _check_origin(origin: str) -> None:
    parts = _split(origin)
    if origin != "*" and (parts is None or parts.scheme not in ("https", "http") or not parts.netloc or parts.path):
        raise InputError(Problem("--cors-origin", "", f"{origin!r} is not an origin; expected e.g. "
                                                      "https://sandbox.cds-hooks.org (scheme and host, no path) or *"))
