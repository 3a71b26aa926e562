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
from concurrent.futures import ThreadPoolExecutor
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


def test_igfrules_serve_command_starts_answers_and_stops() -> None:
    port = _free_port()
    process = subprocess.Popen([sys.executable, "-m", "igfrules", "serve", "--port", str(port), "--rules", str(RULES)],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline, answer = time.monotonic() + 30, None
        while answer is None and time.monotonic() < deadline and process.poll() is None:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                conn.request("GET", "/cds-services")
                answer = json.loads(conn.getresponse().read())
                conn.close()
            except OSError:
                time.sleep(0.1)
        assert answer is not None, "igfrules serve did not answer"
        assert answer["services"][0]["id"] == SERVICE_ID
    finally:
        process.send_signal(signal.SIGINT)
        try:
            output = process.communicate(timeout=20)[0].decode("utf-8", "replace")
        except subprocess.TimeoutExpired:
            process.kill()
            output = process.communicate()[0].decode("utf-8", "replace")
    assert "Traceback" not in output
    assert "GET /cds-services" in output


def _started(port: int, process: subprocess.Popen[bytes]) -> bool:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/cds-services")
            conn.getresponse().read()
            conn.close()
        except OSError:
            time.sleep(0.1)
        else:
            return True
    return False


def test_serve_with_two_workers_answers_as_one_process_does(server: Server) -> None:
    """`--workers 2`: two processes, each with its own engine, on one socket. 16 concurrent
    clients get exactly the answers the one-process server gives, and Ctrl-C stops them all."""
    requests = _requests()
    expected = [server.post(PATH, json.dumps(r).encode("utf-8"))[2] for r in requests]
    port = _free_port()
    process = subprocess.Popen([sys.executable, "-m", "igfrules", "serve", "--port", str(port), "--workers", "2",
                                "--rules", str(RULES)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        assert _started(port, process), "igfrules serve --workers 2 did not answer"
        workers = Server("127.0.0.1", port)

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
    finally:
        process.send_signal(signal.SIGINT)
        try:
            output = process.communicate(timeout=30)[0].decode("utf-8", "replace")
        except subprocess.TimeoutExpired:
            process.kill()
            output = process.communicate()[0].decode("utf-8", "replace")
    assert len(results) == REQUESTS
    assert all(status == 200 and raw == expected[which] for which, status, raw in results)
    assert process.returncode == 0
    assert "Traceback" not in output
    assert len(set(re.findall(r"Started server process \[(\d+)\]", output))) == 2  # two engines, two processes
