"""One engine serves every request: 16 concurrent clients sending 400 requests all succeed, and
every answer equals the sequential answer to the same case. Each concurrent request differs from
every other (a birth date igfrules does not read), so none is answered from the answer cache: the
engine evaluates all 400. (Speed is measured in benchmarks/service_bench.py, never asserted here.)"""

from __future__ import annotations

import copy
import datetime as dt
import http.client
import json
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from igfrules.service.example import hook_request
from igfrules.service.hooks import SERVICE_ID
from tests.conftest import CASES, RULES
from tests.service.conftest import Server

PATH = f"/cds-services/{SERVICE_ID}"
CLIENTS, REQUESTS = 16, 400


def _requests() -> list[dict[str, Any]]:
    requests = []
    for path in sorted((CASES / "fhir").glob("*.json")):
        request = hook_request(json.loads(path.read_text(encoding="utf-8")))
        requests.append(request)
        less = copy.deepcopy(request)
        less["prefetch"]["observations"] = None  # the same patient, less known
        requests.append(less)
    return requests


def _variant(request: dict[str, Any], number: int) -> bytes:
    """The same case under another birth date: a new prefetch, the same answer."""
    variant = copy.deepcopy(request)
    variant["prefetch"]["patient"]["birthDate"] = (dt.date(1930, 1, 1) + dt.timedelta(days=number)).isoformat()
    return json.dumps(variant).encode("utf-8")


def test_concurrent_answers_equal_sequential_ones(server: Server) -> None:
    requests = _requests()
    sequential = [server.post(PATH, json.dumps(r).encode("utf-8"))[2] for r in requests]
    assert all(json.loads(answer)["cards"] for answer in sequential)
    per_client = REQUESTS // CLIENTS
    bodies = {(i, n): _variant(requests[(i + n) % len(requests)], 1 + i * per_client + n)
              for i in range(CLIENTS) for n in range(per_client)}
    assert len(set(bodies.values())) == REQUESTS

    def client(index: int) -> list[tuple[int, int, bytes]]:
        conn = http.client.HTTPConnection(server.host, server.port, timeout=60)  # keep-alive, as a client would
        out = []
        try:
            for n in range(per_client):
                which = (index + n) % len(requests)
                status, _, raw = server.request("POST", PATH, bodies[index, n], connection=conn)
                out.append((which, status, raw))
        finally:
            conn.close()
        return out

    with ThreadPoolExecutor(CLIENTS) as pool:
        results = [r for chunk in pool.map(client, range(CLIENTS)) for r in chunk]
    assert len(results) == REQUESTS
    assert all(status == 200 for _, status, _ in results)
    assert all(raw == sequential[which] for which, _, raw in results)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Stopped:
    """What a served process printed and how it ended, once Ctrl-C stopped it."""

    output: str = ""
    returncode: int | None = None


@contextmanager
def _serving(*options: str) -> Iterator[tuple[Server, Stopped]]:
    """`igfrules serve` in its own process on a free port, answering before the block runs; stopped
    with Ctrl-C after it, as a person stops it."""
    port = _free_port()
    process = subprocess.Popen([sys.executable, "-m", "igfrules", "serve", "--port", str(port), "--rules", str(RULES),
                                *options], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    stopped = Stopped()
    try:
        deadline = time.monotonic() + 60
        while process.poll() is None and time.monotonic() < deadline:
            try:
                Server("127.0.0.1", port).request("GET", "/cds-services")
                break
            except OSError:
                time.sleep(0.1)
        else:
            raise AssertionError(f"igfrules serve {' '.join(options)} did not answer")
        yield Server("127.0.0.1", port), stopped
    finally:
        process.send_signal(signal.SIGINT)
        try:
            output = process.communicate(timeout=30)[0]
        except subprocess.TimeoutExpired:
            process.kill()
            output = process.communicate()[0]
        stopped.output, stopped.returncode = output.decode("utf-8", "replace"), process.returncode


def test_igfrules_serve_command_starts_answers_and_stops() -> None:
    with _serving() as (served, stopped):
        status, answer, _ = served.request("GET", "/cds-services")
    assert status == 200 and answer["services"][0]["id"] == SERVICE_ID
    assert "Traceback" not in stopped.output
    assert "GET /cds-services" in stopped.output


def test_serve_with_two_workers_answers_as_one_process_does(server: Server) -> None:
    """`--workers 2`: two processes, each with its own engine, on one socket. 16 concurrent
    clients get exactly the answers the one-process server gives, and Ctrl-C stops them all."""
    requests = _requests()
    expected = [server.post(PATH, json.dumps(r).encode("utf-8"))[2] for r in requests]
    with _serving("--workers", "2") as (workers, stopped):

        def client(index: int) -> list[tuple[int, int, bytes]]:
            conn = http.client.HTTPConnection(workers.host, workers.port, timeout=60)
            try:
                return [(which, *workers.request("POST", PATH, _variant(requests[which], 5000 + index * 100 + n),
                                                 connection=conn)[::2])
                        for n in range(REQUESTS // CLIENTS) for which in [(index + n) % len(requests)]]
            finally:
                conn.close()

        with ThreadPoolExecutor(CLIENTS) as pool:
            results = [r for chunk in pool.map(client, range(CLIENTS)) for r in chunk]
    assert len(results) == REQUESTS
    assert all(status == 200 and raw == expected[which] for which, status, raw in results)
    assert stopped.returncode == 0
    assert "Traceback" not in stopped.output
    assert len(set(re.findall(r"Started server process \[(\d+)\]", stopped.output))) == 2  # two engines, two processes
