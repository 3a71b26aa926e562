"""Running the app: one process, one event loop, one engine (durable_rules is not fork- or thread-safe
except behind the Engine's lock, so uvicorn's workers option is not offered)."""

from __future__ import annotations

import socket
from typing import TYPE_CHECKING

import uvicorn

from .app import create_app

if TYPE_CHECKING:
    from ..knowledge.loader import KnowledgeBase  # a type only: the caller loads it


def config(kb: KnowledgeBase, host: str, port: int) -> uvicorn.Config:
    # access_log: request line and status only; bodies, and so patient data, are never logged.
    return uvicorn.Config(create_app(kb), host=host, port=port, log_level="info", access_log=True,
                          server_header=False, lifespan="off")


def serve(kb: KnowledgeBase, host: str = "127.0.0.1", port: int = 8080, sock: socket.socket | None = None) -> None:
    server = uvicorn.Server(config(kb, host, port))
    server.run(sockets=[sock] if sock is not None else None)
