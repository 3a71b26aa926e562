"""A real uvicorn server on 127.0.0.1 (a free port), started and stopped by the tests, and a small
HTTP client: the service is tested over the wire, not only in process."""

from __future__ import annotations

import http.client
import json
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pytest
import uvicorn

import igfrules
from igfrules.service.app import create_app
from igfrules.service.fetch import Fetcher
from igfrules.service.server import _OPTIONS, config
from tests.conftest import RULES
from tests.external.fhir_server import FhirServer, started


@dataclass(frozen=True)
class Server:
    host: str
    port: int

    def request(self, method: str, path: str, body: bytes | None = None,
                connection: http.client.HTTPConnection | None = None) -> tuple[int, Any, bytes]:
        conn = connection or http.client.HTTPConnection(self.host, self.port, timeout=30)
        try:
            headers = {"Content-Type": "application/json"} if body is not None else {}
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            raw = response.read()
        finally:
            if connection is None:
                conn.close()
        try:
            data = json.loads(raw)
        except ValueError:
            data = None
        return response.status, data, raw

    def post(self, path: str, payload: Any) -> tuple[int, Any, bytes]:
        body = payload if isinstance(payload, bytes) else json.dumps(payload).encode("utf-8")
        return self.request("POST", path, body)


@contextmanager
def running(fetcher: Fetcher | None = None, **options: Any) -> Iterator[Server]:
    """A server on a free port of 127.0.0.1, with uvicorn's or the app's settings overridden, and
    the fetcher's caps if one is given."""
    kb = igfrules.load_knowledge_base(RULES)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    settings = (config(kb, "127.0.0.1", port, **options) if fetcher is None else
                uvicorn.Config(create_app(kb, fetcher=fetcher), host="127.0.0.1", port=port,
                               **{**_OPTIONS, **options}))
    uv = uvicorn.Server(settings)
    thread = threading.Thread(target=uv.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not uv.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.02)
    try:
        yield Server("127.0.0.1", port)
    finally:
        uv.should_exit = True
        thread.join(timeout=20)
        sock.close()


@pytest.fixture(scope="session")
def server() -> Iterator[Server]:
    with running() as started:
        yield started


@pytest.fixture(scope="session")
def fhir_server() -> Iterator[FhirServer]:
    """The real FHIR server (tests/external/fhir_server.mjs), with pages of at most 2 entries so
    that a patient's searches are paged."""
    with started(page_size=2) as server:
        yield server
