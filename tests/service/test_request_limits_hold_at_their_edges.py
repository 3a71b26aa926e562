"""The service's request checks at their edges, called in process (ASGI, no server): the body caps,
the deadline, the answer cache's bound, the feedback endpoint's refusals, the access-log filter,
the quoted text in messages and the 422 naming a refused record's problems. Each test's docstring
names the mutation of service/app.py it kills (benchmarks/mutation.py)."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import orjson
import pytest

import igfrules
from igfrules.bounded_cache import BoundedCache
from igfrules.errors import IgfrulesError, Problem
from igfrules.knowledge.loader import KnowledgeBase
from igfrules.service import app as service
from igfrules.service.app import _QueryStringsOut, create_app, hide_query_strings
from igfrules.service.hooks import SERVICE_ID
from tests.conftest import RULES
from tests.service.test_cds_hooks_over_http import request_for

PATH = f"/cds-services/{SERVICE_ID}"
FEEDBACK = f"{PATH}/feedback"


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return igfrules.load_knowledge_base(RULES)


def _post(app: Any, path: str, body: bytes | None, *, declare_length: bool = True) -> tuple[int, dict[str, Any]]:
    """POST `body` to the app in process: with a Content-Length, or chunked without one; None: the
    client leaves before sending anything."""
    sent: list[dict[str, Any]] = []
    given = False

    async def receive() -> dict[str, Any]:
        nonlocal given
        if body is None:
            return {"type": "http.disconnect"}
        if given:
            return {"type": "http.disconnect"}
        given = True
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    headers = [(b"content-type", b"application/json")]
    if declare_length and body is not None:
        headers.append((b"content-length", str(len(body)).encode()))
    else:
        headers.append((b"transfer-encoding", b"chunked"))
    scope = {"type": "http", "method": "POST", "path": path, "raw_path": path.encode(), "query_string": b"",
             "headers": headers, "http_version": "1.1", "scheme": "http", "server": ("127.0.0.1", 1),
             "client": ("127.0.0.1", 2), "root_path": ""}
    asyncio.run(app(scope, receive, send))
    raw = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return sent[0]["status"], (orjson.loads(raw) if raw else {})


@pytest.mark.parametrize("declare_length", [True, False])
def test_a_body_of_exactly_8_mib_is_read_and_one_byte_more_is_413(kb: KnowledgeBase, declare_length: bool) -> None:
    """MAX_BODY = 8 * 1024 * 1024 (kills 7, 9 and 1023/1025 in either factor), and the cap is
    "over", not "at" (kills `int(declared) > cap` -> `>=` with a Content-Length, and `size > cap`
    -> `>=` without one)."""
    app = create_app(kb)
    status, data = _post(app, PATH, b"x" * 8_388_608, declare_length=declare_length)
    assert status == 400 and "not JSON" in data["error"]  # read, then refused as what it is
    status, data = _post(app, PATH, b"x" * 8_388_609, declare_length=declare_length)
    assert status == 413 and data["error"] == "the request is over 8,388,608 bytes"


@pytest.mark.parametrize("declare_length", [True, False])
def test_feedback_of_exactly_1_mib_is_read_and_one_byte_more_is_413(kb: KnowledgeBase, tmp_path: Path,
                                                                   declare_length: bool) -> None:
    """MAX_FEEDBACK_BODY = 1024 * 1024 (kills 1023 and 1025), and its refusal is 413 (kills 412)."""
    app = create_app(kb, feedback_db=tmp_path / "feedback.sqlite")
    status, _ = _post(app, FEEDBACK, b"x" * 1_048_576, declare_length=declare_length)
    assert status == 400
    status, data = _post(app, FEEDBACK, b"x" * 1_048_577, declare_length=declare_length)
    assert status == 413 and data["error"] == "the feedback is over 1,048,576 bytes"


@pytest.mark.parametrize("path", [PATH, FEEDBACK])
def test_a_client_that_leaves_before_its_body_is_answered_a_bare_400(kb: KnowledgeBase, tmp_path: Path,
                                                                     path: str) -> None:
    """A ClientDisconnect while reading a request or feedback: a bare 400 (kills the request's
    `Response(status_code=400)` -> 401)."""
    app = create_app(kb, feedback_db=tmp_path / "feedback.sqlite")
    assert _post(app, path, None) == (400, {})


def test_a_feedback_database_that_cannot_be_written_is_503(kb: KnowledgeBase, tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """sqlite3.OperationalError while storing feedback: 503, send it again (kills the except
    clause's exception replaced, which answers 500, and 503 -> 504)."""
    app = create_app(kb, feedback_db=tmp_path / "feedback.sqlite")

    def locked(*_: Any) -> Any:
        raise sqlite3.OperationalError("database is locked")

    monkeypatch.setattr(service, "receive", locked)
    status, data = _post(app, FEEDBACK, b"{}")
    assert status == 503 and "send it again" in data["error"]


def test_cards_are_sent_when_the_feedback_database_cannot_record_them(kb: KnowledgeBase, tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """sqlite3.Error while recording the cards issued: the cards are still sent (kills the except
    clause's exception replaced, which answers 500)."""
    app = create_app(kb, feedback_db=tmp_path / "feedback.sqlite")

    def full(*_: Any) -> None:
        raise sqlite3.OperationalError("disk full")

    monkeypatch.setattr(service.FeedbackStore, "record_issued", full)
    status, data = _post(app, PATH, orjson.dumps(request_for("early-stage-er-positive")))
    assert status == 200 and data["cards"]


@contextmanager
def _recording_caches(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[BoundedCache[Any, Any]]]:
    made: list[BoundedCache[Any, Any]] = []

    class Recorded(BoundedCache[Any, Any]):
        def __init__(self, limit: int, max_bytes: int | None = None) -> None:
            super().__init__(limit, max_bytes)
            made.append(self)

    monkeypatch.setattr(service, "BoundedCache", Recorded)
    yield made


def test_answers_are_kept_up_to_32_mib_counting_each_key(kb: KnowledgeBase, monkeypatch: pytest.MonkeyPatch) -> None:
    """ANSWER_BYTES = 32 * 1024 * 1024 (kills 31, 33 and 1023/1025), and an answer is counted as
    its cards' JSON plus its 32-byte key (kills `+ len(key)` -> `- len(key)`)."""
    with _recording_caches(monkeypatch) as made:
        app = create_app(kb)
    (answers,) = made
    assert answers.max_bytes == 33_554_432
    assert answers.limit == 512
    status, data = _post(app, PATH, orjson.dumps(request_for("early-stage-er-positive")))
    assert status == 200 and data["cards"]
    (made_cards,) = [value for value, _ in answers._items.values()]
    assert answers.bytes == len(orjson.dumps([c.card for c in made_cards])) + 32


def test_a_request_has_10_seconds(kb: KnowledgeBase, monkeypatch: pytest.MonkeyPatch) -> None:
    """MAX_REQUEST_SECONDS = 10.0 (kills 9.0): the deadline a request is read under by default."""
    given: list[float | None] = []
    real = service.deadline

    def recorded(seconds: float | None) -> Any:
        given.append(seconds)
        return real(seconds)

    monkeypatch.setattr(service, "deadline", recorded)
    status, _ = _post(create_app(kb), PATH, orjson.dumps(request_for("early-stage-er-positive")))
    assert status == 200 and given == [10.0]


@pytest.mark.parametrize(("length", "shown"), [(78, "'" + "a" * 78 + "'"), (79, "'" + "a" * 75 + "...'")])
def test_a_service_name_is_quoted_whole_up_to_80_characters(kb: KnowledgeBase, length: int, shown: str) -> None:
    """_quoted keeps a text of 80 characters with its quotes (kills `<= 80` -> `< 80` and -> `<= 79`)
    and clips a longer one to 76 and "...'" (kills `shown[:76]` -> `shown[:75]`)."""
    status, data = _post(create_app(kb), f"/cds-services/{'a' * length}", b"{}")
    assert status == 404
    assert data["error"] == f"no CDS service {shown}; this server offers {SERVICE_ID!r}"


@pytest.mark.parametrize(("problems", "error"), [
    (["first"], "the prefetched record was refused: first"),
    (["first", "second"], "the prefetched record was refused: first (and 1 more problem(s), in problems)"),
    (["first", "second", "third"],
     "the prefetched record was refused: first (and 2 more problem(s), in problems)"),
])
def test_a_refused_record_names_its_first_problem_and_counts_the_others(
        kb: KnowledgeBase, monkeypatch: pytest.MonkeyPatch, problems: list[str], error: str) -> None:
    """The 422's message: the first problem, and how many more when there are more (kills `> 1` ->
    `>= 1`, `> 0` and `<= 1`, `- 1` -> `- 0` and `- 2`, and `problems[0]` -> `problems[-1]`)."""
    def refuse(*_: Any, **__: Any) -> Any:
        raise IgfrulesError([Problem("<case>", "", text) for text in problems])

    monkeypatch.setattr(service, "map_resources", refuse)
    status, data = _post(create_app(kb), PATH, orjson.dumps(request_for("early-stage-er-positive")))
    assert status == 422
    assert data["error"] == error and data["problems"] == problems


def _filtered(args: Any) -> Any:
    record = logging.LogRecord("uvicorn.access", logging.INFO, __file__, 1, "%s", None, None)
    record.args = args
    assert _QueryStringsOut().filter(record) is True
    return record.args


def test_the_access_log_filter_takes_the_query_string_off_the_third_argument() -> None:
    """The path is the third argument: a record of exactly three has it cut (kills `len(args) >= 3`
    -> `>= 4` and `> 3`); one of two, one, or a mapping is left as it is (kills `>= 2`, and each
    `and` -> `or`, which read an argument that is not there)."""
    assert _filtered(("127.0.0.1:1", "GET", "/cds-services?mrn=12345")) == ("127.0.0.1:1", "GET", "/cds-services")
    assert _filtered(("127.0.0.1:1", "GET", "/x?mrn=1", "1.1", 200)) == ("127.0.0.1:1", "GET", "/x", "1.1", 200)
    assert _filtered(("127.0.0.1:1", "GET?")) == ("127.0.0.1:1", "GET?")
    assert _filtered(("GET?",)) == ("GET?",)
    assert _filtered({"path": "/x?mrn=1"}) == {"path": "/x?mrn=1"}


def test_the_access_log_filter_is_added_once() -> None:
    """hide_query_strings adds its filter when the access log has none, and never a second
    (kills `not any(...)` -> `any(...)`, which never adds it)."""
    access = logging.getLogger("uvicorn.access")
    before = list(access.filters)
    try:
        for f in before:
            access.removeFilter(f)
        hide_query_strings()
        hide_query_strings()
        assert [type(f) for f in access.filters] == [_QueryStringsOut]
    finally:
        for f in list(access.filters):
            access.removeFilter(f)
        for f in before:
            access.addFilter(f)
