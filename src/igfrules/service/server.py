"""Running the app: one process with one event loop and one engine, or N such processes.

Evaluation is CPU-bound Python and durable_rules' host is not thread-safe, so one process uses one
core. `workers=N` runs N independent processes on one listening socket (uvicorn's supervisor,
which restarts a worker that dies): each is started fresh (spawned, never a fork of a serving
process and its threads), loads the same knowledge base the parent checked, and serves its requests
with its own one engine and its own caches. Answers are deterministic, so which process answers
never changes an answer.

Once the knowledge base and the app are built, a server freezes what exists: the garbage collector
no longer walks the knowledge base, the engine and the imported modules on every full collection,
which cut the longest pause a request could meet from about 100 ms to about 20 ms (measured).
"""

from __future__ import annotations

import gc
import os
import socket
from typing import TYPE_CHECKING

import uvicorn
from uvicorn.supervisors import Multiprocess

from ..errors import InputError, KnowledgeBaseError, Problem
from .app import create_app

if TYPE_CHECKING:
    from fastapi import FastAPI

    from ..knowledge.loader import KnowledgeBase  # a type only: the caller loads it

# How the parent tells a spawned worker what to load: the folder, and the sha256 it checked.
RULES_VARIABLE = "IGFRULES_SERVICE_RULES"
SHA256_VARIABLE = "IGFRULES_SERVICE_KB_SHA256"
WORKER_APP = "igfrules.service.server:app_in_worker"
# access_log: request line and status only; bodies, and so patient data, are never logged.
_OPTIONS = {"log_level": "info", "access_log": True, "server_header": False, "lifespan": "off"}


def config(kb: KnowledgeBase, host: str, port: int) -> uvicorn.Config:
    return uvicorn.Config(create_app(kb), host=host, port=port, **_OPTIONS)  # type: ignore[arg-type]


def app_in_worker() -> FastAPI:
    """The app of one worker process: the knowledge base the parent loaded, or no start at all."""
    from ..knowledge.loader import load_knowledge_base  # in the worker only

    rules = os.environ[RULES_VARIABLE]
    kb = load_knowledge_base(rules, use_cache=True)
    if kb.sha256 != os.environ[SHA256_VARIABLE]:
        raise KnowledgeBaseError(Problem(rules, "", "the knowledge base changed on disk after the server "
                                                    "checked it; restart igfrules serve"))
    app = create_app(kb)
    gc.freeze()
    return app


def serve(kb: KnowledgeBase, host: str = "127.0.0.1", port: int = 8080, sock: socket.socket | None = None,
          workers: int = 1) -> None:
    sock = sock if sock is not None else listening_socket(host, port)
    if workers > 1:
        _serve_workers(kb, host, port, workers, sock)
        return
    server = uvicorn.Server(config(kb, host, port))
    gc.freeze()
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


def _serve_workers(kb: KnowledgeBase, host: str, port: int, workers: int, sock: socket.socket) -> None:
    os.environ[RULES_VARIABLE] = str(kb.path.resolve())
    os.environ[SHA256_VARIABLE] = kb.sha256
    settings = uvicorn.Config(WORKER_APP, factory=True, host=host, port=port, workers=workers,
                              **_OPTIONS)  # type: ignore[arg-type]
    Multiprocess(settings, sockets=[sock]).run()
