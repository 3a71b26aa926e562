"""Running the app: one process with one event loop and one engine, or N such processes.

Evaluation is CPU-bound Python and durable_rules' host is not thread-safe, so one process uses one
core. `workers=N` runs N independent processes on one listening socket (uvicorn's supervisor,
which restarts a worker that dies): each is started fresh (spawned, never a fork of a serving
process and its threads), takes the knowledge base the parent checked (from the per-user cache when
the command line runs it, so a worker restarted after the rules were edited still serves the
same), and serves its requests with its own one engine and its own caches. Answers are
deterministic, so which process answers never changes an answer.

Once the knowledge base and the app are built, a server freezes what exists: the garbage collector
no longer walks the knowledge base, the engine and the imported modules on every full collection,
which cut the longest pause a request could meet from about 100 ms to about 20 ms (measured).
"""

from __future__ import annotations

import gc
import json
import logging
import os
import shutil
import socket
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import uvicorn
from uvicorn.config import STARTUP_FAILURE
from uvicorn.supervisors import Multiprocess

from ..errors import IgfrulesError, InputError, KnowledgeBaseError, Problem, printable
from .app import create_app
from .auth import Trust, is_loopback, trusted_issuers
from .limits import KEEP_ALIVE_SECONDS, LimitedHttpToolsProtocol

if TYPE_CHECKING:
    from fastapi import FastAPI

    from ..knowledge.loader import KnowledgeBase  # a type only: the caller loads it

# How the parent tells a spawned worker what to load: the folder, the sha256 it checked, and
# whether the per-user cache may be used (the command line: yes; a library caller: only if it said).
RULES_VARIABLE = "IGFRULES_SERVICE_RULES"
SHA256_VARIABLE = "IGFRULES_SERVICE_KB_SHA256"
CACHE_VARIABLE = "IGFRULES_SERVICE_CACHE"
FEEDBACK_VARIABLE = "IGFRULES_SERVICE_FEEDBACK_DB"  # the one SQLite file every worker writes
# ... and the client authentication it checked: the trusted issuers (keys inlined), the public URL
# and the CORS origins, as JSON.
AUTH_VARIABLE = "IGFRULES_SERVICE_AUTH"
_APP_OPTIONS = ("max_request_seconds", "max_body", "feedback_db", "trust", "public_url", "cors_origins", "replay_db")
NO_AUTH_WARNING = ("--no-auth: the service listens on {host} and checks no client: anyone who reaches this "
                   "address can call it. Give --trusted-issuers for CDS Hooks client authentication")
WORKER_APP = "igfrules.service.server:app_in_worker"
# access_log: method, path (never the query string: app.py) and status; bodies, and so patient
# data, are never logged. http: uvicorn's C parser with header limits and read and idle timeouts
# (limits.py). limit_concurrency: over this many open connections or running requests, a new
# request is answered 503 at once rather than waiting for a file descriptor.
MAX_CONNECTIONS = 512
_OPTIONS = {"log_level": "info", "access_log": True, "server_header": False, "lifespan": "off",
            "http": LimitedHttpToolsProtocol, "timeout_keep_alive": KEEP_ALIVE_SECONDS,
            "limit_concurrency": MAX_CONNECTIONS}
log = logging.getLogger("uvicorn.error")


def config(kb: KnowledgeBase, host: str, port: int, **options: Any) -> uvicorn.Config:
    """The server's settings; `options` override uvicorn's (tests give shorter timeouts) or, for
    `max_request_seconds`, `max_body`, `feedback_db`, `trust`, `public_url`, `cors_origins` and `replay_db`,
    the app's."""
    app_options = {name: options.pop(name) for name in _APP_OPTIONS if name in options}
    return uvicorn.Config(create_app(kb, **app_options), host=host, port=port,
                          **{**_OPTIONS, **options})


def app_in_worker() -> FastAPI:
    """The app of one worker process, with the knowledge base the parent checked; a worker that
    cannot have it says so in one line and exits with uvicorn's start-up failure code, on which
    the supervisor stops the service instead of restarting the worker again and again."""
    try:
        kb = worker_knowledge_base(os.environ[RULES_VARIABLE], os.environ[SHA256_VARIABLE],
                                   use_cache=os.environ.get(CACHE_VARIABLE) == "1")
        auth = _auth_from_parent()
    except IgfrulesError as err:
        log.error("worker %d cannot start: %s", os.getpid(), printable(str(err)))  # noqa: TRY400 - one line, no traceback
        sys.exit(STARTUP_FAILURE)
    feedback = os.environ.get(FEEDBACK_VARIABLE)
    app = create_app(kb, feedback_db=Path(feedback) if feedback else None, **auth)
    _settle()
    return app


def worker_knowledge_base(rules: str, sha256: str, *, use_cache: bool) -> KnowledgeBase:
    """The knowledge base the parent checked. From the per-user cache entry of that sha256 when
    there is one, whatever the files hold now: a worker restarted after the rules were edited
    serves what its siblings serve. Else from the files, which must still have that sha256."""
    from ..evaluation.loading import kept_knowledge_base, load_knowledge_base

    kept = kept_knowledge_base(Path(rules), sha256) if use_cache else None
    kb = kept if kept is not None else load_knowledge_base(rules, use_cache=use_cache)
    if kb.sha256 != sha256:
        raise KnowledgeBaseError(Problem(rules, "", "the knowledge base changed on disk after the server "
                                                    "checked it; restart igfrules serve"))
    return kb


def _auth_options(auth: dict[str, Any], replay_db: str | None) -> dict[str, str]:
    trust: Trust | None = auth["trust"]
    handed = {"trust": json.loads(trust.to_json()) if trust else None, "source": trust.source if trust else "",
              "public_url": auth["public_url"], "cors_origins": list(auth["cors_origins"]), "replay_db": replay_db}
    return {AUTH_VARIABLE: json.dumps(handed)}


def _auth_from_parent() -> dict[str, Any]:
    handed = json.loads(os.environ.get(AUTH_VARIABLE) or '{"trust": null, "cors_origins": ["*"]}')
    trust = trusted_issuers(handed["trust"], handed.get("source", "")) if handed["trust"] else None
    return {"trust": trust, "public_url": handed.get("public_url"), "cors_origins": tuple(handed["cors_origins"]),
            "replay_db": handed.get("replay_db")}


def check_exposure(host: str, trust: Trust | None, no_auth: bool, public_url: str | None) -> None:
    """Refuse to serve beyond this machine without client authentication, unless told to
    (`no_auth`, which is warned about); with it, a non-loopback service must know its public URL,
    since a token's aud is checked against it."""
    if trust is not None and no_auth:
        raise InputError(Problem("--no-auth", "", "cannot be given with --trusted-issuers; choose one"))
    if is_loopback(host):
        return
    if trust is None and not no_auth:
        raise InputError(Problem(f"--host {host}", "", "a non-loopback address needs client authentication: give "
                                 "--trusted-issuers FILE (CDS Hooks signed JWTs), or --no-auth to serve anyone "
                                 "who can reach it"))
    if trust is not None and public_url is None:
        raise InputError(Problem(f"--host {host}", "", "give --public-url, the base URL clients call (https://...): "
                                 "each token's aud is checked against it"))


def _settle() -> None:
    # Collect first, so that no garbage is frozen with the rest and kept for good.
    gc.collect()
    gc.freeze()


def serve(kb: KnowledgeBase, host: str = "127.0.0.1", port: int = 8080, sock: socket.socket | None = None,
          workers: int = 1, *, use_cache: bool = False, trust: Trust | None = None, no_auth: bool = False,
          public_url: str | None = None, cors_origins: tuple[str, ...] = ("*",),
          feedback_db: Path | None = None) -> None:
    """Serve until Ctrl-C or SIGTERM. `use_cache`: workers may read the per-user knowledge-base
    cache (and write it), as the command line lets them; a library caller decides. `trust`: the
    trusted issuers; without it only a loopback `host` is served, unless `no_auth`. `feedback_db`:
    the SQLite file of issued cards and feedback, shared by every worker (none: not kept)."""
    check_exposure(host, trust, no_auth, public_url)
    if feedback_db is not None:  # opened (or made) here first: a bad file is one clear error, exit 1
        from .feedback.store import FeedbackStore

        FeedbackStore(feedback_db).close()
    sock = sock if sock is not None else listening_socket(host, port)
    auth = {"trust": trust, "public_url": public_url, "cors_origins": cors_origins}
    if workers > 1:
        _serve_workers(kb, host, port, workers, sock, use_cache, auth, no_auth, feedback_db)
        return
    server = uvicorn.Server(config(kb, host, port, feedback_db=feedback_db, **auth))
    if no_auth:
        log.warning(NO_AUTH_WARNING.format(host=host))
    _settle()
    server.run(sockets=[sock])


def listening_socket(host: str, port: int) -> socket.socket:
    """The socket every process serves, bound here so that a port in use is a clear error (exit 1)."""
    try:
        family = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0][0]
        sock = socket.socket(family, socket.SOCK_STREAM)
    except OSError as err:
        raise InputError(Problem(f"--host {host}", "", f"cannot listen on this address: {err.strerror or err}")) \
            from None
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as err:
        sock.close()
        raise InputError(Problem(f"--host {host} --port {port}", "", f"cannot listen here: "
                                 f"{(err.strerror or str(err)).lower()}; choose another --port")) from None
    sock.set_inheritable(True)  # the worker processes serve it too
    return sock


def _serve_workers(kb: KnowledgeBase, host: str, port: int, workers: int, sock: socket.socket,
                   use_cache: bool, auth: dict[str, Any], no_auth: bool, feedback_db: Path | None = None) -> None:
    # The workers share one replay cache: a SQLite file in a folder only this user can read,
    # removed when the service stops (it holds issuers and nonces, never a token).
    folder = tempfile.mkdtemp(prefix="igfrules-replay-") if auth["trust"] else None
    handed = {RULES_VARIABLE: str(kb.path.resolve()), SHA256_VARIABLE: kb.sha256, CACHE_VARIABLE: "01"[use_cache],
              FEEDBACK_VARIABLE: str(feedback_db.resolve()) if feedback_db is not None else "",
              **_auth_options(auth, str(Path(folder) / "replay.sqlite") if folder else None)}
    before = {name: os.environ.get(name) for name in handed}
    os.environ.update(handed)  # read by the spawned workers; given back as it was after
    try:
        settings = uvicorn.Config(WORKER_APP, factory=True, host=host, port=port, workers=workers,
                                  **_OPTIONS)  # type: ignore[arg-type]
        supervisor = Multiprocess(settings, sockets=[sock])
        if no_auth:
            log.warning(NO_AUTH_WARNING.format(host=host))
        supervisor.run()
    finally:
        if folder:
            shutil.rmtree(folder, ignore_errors=True)
        for name, value in before.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
    if any(process.exitcode == STARTUP_FAILURE for process in supervisor.processes):
        raise KnowledgeBaseError(Problem(str(kb.path), "", "a worker could not load the knowledge base the "
                                                           "server checked (the log says why); the service stopped"))
