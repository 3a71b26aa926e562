"""The service's limits, as a production server has them: a body cap that stops reading, header
size and count limits, read and idle timeouts, caches bounded by bytes, a maximum request time
after which 503 and the next request is answered; and what the logs never hold. Every server
here listens on 127.0.0.1 only; every wait is bounded by a socket timeout, never asserted."""

from __future__ import annotations

import asyncio
import json
import logging
import socket
from collections.abc import Iterator
from typing import Any

import pytest

import igfrules
from igfrules.bounded_cache import BoundedCache
from igfrules.service.app import create_app
from igfrules.service.limits import LimitedHttpToolsProtocol
from tests.conftest import RULES
from tests.service.conftest import Server, running
from tests.service.test_cds_hooks_over_http import PATH, request_for

SOCKET_TIMEOUT = 30  # a bound on a wait, never a measurement


def _raw(server: Server, data: bytes) -> socket.socket:
    sock = socket.create_connection((server.host, server.port), timeout=SOCKET_TIMEOUT)
    sock.sendall(data)
    return sock


def _read_all(sock: socket.socket) -> bytes:
    """Everything until the server closes; a server that never closes fails the test (TimeoutError)."""
    out = b""
    try:
        while chunk := sock.recv(65536):
            out += chunk
    except ConnectionResetError:
        pass
    return out


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def logged() -> Iterator[_Collect]:
    handler = _Collect()
    loggers = [logging.getLogger(name) for name in ("uvicorn.access", "uvicorn.error", "igfrules.service")]
    for logger in loggers:
        logger.addHandler(handler)
    try:
        yield handler
    finally:
        for logger in loggers:
            logger.removeHandler(handler)


def test_a_null_patient_prefetch_cannot_answer_with_another_patients_resources(server: Server) -> None:
    request = request_for("metastatic-hr-positive-pik3ca")
    own = request["context"]["patientId"]
    request["prefetch"]["patient"] = None
    request["context"]["patientId"] = "patient-a"
    status, data, _ = server.post(PATH, request)
    assert status == 422
    assert "Patient/patient-a" in json.dumps(data)
    request["context"]["patientId"] = own
    assert server.post(PATH, request)[0] == 200


def test_a_wrong_type_reference_is_a_422_naming_the_resource_and_element(server: Server) -> None:
    request = request_for("metastatic-hr-positive-pik3ca")
    resource = next(e["resource"] for e in request["prefetch"]["medicationRequests"]["entry"]
                    if e["resource"]["resourceType"] == "MedicationRequest")
    resource.pop("medicationCodeableConcept", None)
    resource["medicationReference"] = {"reference": f"Patient/{request['context']['patientId']}"}
    status, data, raw = server.post(PATH, request)
    assert status == 422
    assert any("medicationReference" in p and "a Medication is needed" in p for p in data["problems"])
    assert b"Traceback" not in raw


def test_a_long_stage_text_is_answered_at_once(server: Server) -> None:
    request = request_for("metastatic-hr-positive-pik3ca")
    stage = next(e["resource"] for e in request["prefetch"]["observations"]["entry"]
                 if e["resource"]["code"]["coding"][0]["code"] in ("21908-9", "21902-2"))
    stage["valueCodeableConcept"] = {"text": "(" * 60_000 + "Stage IV"}
    status, _, _ = server.post(PATH, request)
    assert status == 200


def test_a_chunked_body_over_the_cap_stops_being_read() -> None:
    """The app takes the body chunk by chunk and stops at the cap: it never holds the rest."""
    app = create_app(igfrules.load_knowledge_base(RULES), max_body=1_000_000)
    taken, sent = 0, []
    chunk = b"x" * 65_536

    async def receive() -> dict[str, Any]:
        nonlocal taken
        taken += 1
        return {"type": "http.request", "body": chunk, "more_body": taken < 5_000}  # 327 MB offered

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "POST", "path": PATH, "raw_path": PATH.encode(), "query_string": b"",
             "headers": [(b"content-type", b"application/json"), (b"transfer-encoding", b"chunked")],
             "http_version": "1.1", "scheme": "http", "server": ("127.0.0.1", 1), "client": ("127.0.0.1", 2),
             "root_path": ""}
    asyncio.run(app(scope, receive, send))
    assert sent[0]["status"] == 413
    assert (b"connection", b"close") in sent[0]["headers"]
    assert taken <= 1_000_000 // len(chunk) + 2


def test_a_chunked_body_over_the_cap_is_413_over_the_wire() -> None:
    with running(max_body=100_000) as small:
        sock = _raw(small, f"POST {PATH} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                           "Transfer-Encoding: chunked\r\n\r\n".encode())
        try:
            for _ in range(100):  # up to 1.6 MB offered; the server stops reading at 100 KB
                sock.sendall(b"4000\r\n" + b"x" * 0x4000 + b"\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass
        answer = _read_all(sock)
        sock.close()
        assert answer.startswith(b"HTTP/1.1 413")


@pytest.mark.parametrize("headers", [b"X-Big: " + b"a" * 70_000 + b"\r\n",
                                     b"".join(b"X-%d: a\r\n" % i for i in range(150))])
def test_headers_over_the_limits_are_431_and_the_connection_closes(server: Server, headers: bytes) -> None:
    sock = _raw(server, b"GET /cds-services HTTP/1.1\r\nHost: x\r\n" + headers + b"\r\n")
    answer = _read_all(sock)
    sock.close()
    assert answer.startswith(b"HTTP/1.1 431")
    assert b"research_only" in answer
    assert server.request("GET", "/cds-services")[0] == 200


class _Quick(LimitedHttpToolsProtocol):
    header_seconds = 0.5
    read_seconds = 0.5


def test_a_half_sent_request_gets_408_and_the_connection_closes() -> None:
    with running(http=_Quick, timeout_keep_alive=1) as quick:
        sock = _raw(quick, f"POST {PATH} HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n{{".encode())
        answer = _read_all(sock)  # returns when the server closes, well before the socket timeout
        sock.close()
        assert answer.startswith(b"HTTP/1.1 408")
        headers_only = _raw(quick, b"GET /cds-services HTTP/1.1\r\nHost: x\r\n")
        assert _read_all(headers_only).startswith(b"HTTP/1.1 408")
        headers_only.close()


def test_a_connection_that_sends_nothing_is_closed() -> None:
    with running(http=_Quick, timeout_keep_alive=1) as quick:
        sock = _raw(quick, b"")
        assert _read_all(sock) == b""  # closed by the server: recv returned, not the socket timeout
        sock.close()


def test_a_request_over_the_maximum_time_is_503_and_the_next_is_answered() -> None:
    with running(max_request_seconds=-1.0) as hurried:  # a deadline already passed: any record is over
        status, data, _ = hurried.post(PATH, request_for("early-stage-er-positive"))
        assert status == 503
        assert data["research_only"] is True and "ready for the next request" in data["error"]
        assert hurried.request("GET", "/cds-services")[0] == 200


def test_caches_are_bounded_by_bytes() -> None:
    cache: BoundedCache[int, bytes] = BoundedCache(1000, max_bytes=10_000)
    for key in range(100):
        cache.put(key, b"x" * 3_000, 3_000)
        assert cache.bytes <= 10_000
    assert len(cache) == 3 and cache.get(99) is not None and cache.get(0) is None
    cache.put(-1, b"x" * 20_000, 20_000)  # larger than the whole cache: not kept
    assert cache.get(-1) is None and cache.bytes <= 10_000


def test_validated_resources_are_bounded_by_bytes() -> None:
    from igfrules.fhir import bundle as fhir_bundle

    note = "x" * 1_000_000
    for index in range(20):
        data = {"resourceType": "Observation", "id": f"big-{index}", "status": "final", "code": {"text": note}}
        fhir_bundle.read_resources([("r", data, None)], "t")
    assert fhir_bundle._validated.bytes <= fhir_bundle.VALIDATED_MAX_JSON_BYTES


def test_a_client_that_leaves_mid_request_is_not_logged_as_a_failure(server: Server, logged: _Collect) -> None:
    for _ in range(5):
        sock = _raw(server, f"POST {PATH} HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n{{\"hook\"".encode())
        sock.close()
    assert server.request("GET", "/cds-services")[0] == 200
    assert server.post(PATH, request_for("early-stage-er-positive"))[0] == 200
    assert not [r for r in logged.records if r.levelno >= logging.ERROR]


def test_the_access_log_holds_no_query_string(server: Server, logged: _Collect) -> None:
    assert server.request("GET", "/cds-services?patient=Jane%20Doe&mrn=12345")[0] == 200
    lines = [r.getMessage() for r in logged.records if r.name == "uvicorn.access"]
    assert any("/cds-services" in line for line in lines)
    assert not any("Jane" in line or "mrn" in line or "12345" in line for line in lines)
