"""Only a CORS preflight (OPTIONS with Origin and Access-Control-Request-Method) passes client
authentication without a token; a GET or POST carrying the same two headers is an ordinary call
and needs one. And an error no check foresaw is refused like any bad token (401, the token check)
but logged at ERROR, where an ordinary refusal is a WARNING only: an operator must see the one
and not be flooded by the other.

In process: the app through httpx's ASGI transport, and the middleware called as uvicorn calls it.
(Written for the mutants issue 23's run left alive in service/auth/checks.py, lines 194 and 201:
each test's docstring names those it fails against.)"""

from __future__ import annotations

import asyncio
import json
import logging
from pathlib import Path
from typing import Any

import httpx
import pytest

import igfrules
from igfrules.service.app import create_app
from igfrules.service.auth.checks import Authenticator, ClientAuthentication
from igfrules.service.auth.replay import SqliteReplayCache
from igfrules.service.auth.trust import trusted_issuers
from igfrules.service.hooks import SERVICE_ID
from tests.service.signed_clients import EC_KEY, claims, public_jwk, token

ISS = "https://ehr.example.org"
BASE = "https://cds.example.org"
NOW = 1_000_000
PREFLIGHT = {"Origin": "https://sandbox.cds-hooks.org", "Access-Control-Request-Method": "POST"}
TRUST = trusted_issuers([{"iss": ISS, "jwks": {"keys": [public_jwk(EC_KEY, "ec-1")]}}], "<test>")


def _through_the_app(kb: igfrules.KnowledgeBase, method: str, path: str) -> tuple[int, Any]:
    async def call() -> httpx.Response:
        transport = httpx.ASGITransport(app=create_app(kb, trust=TRUST, public_url=BASE))
        async with httpx.AsyncClient(transport=transport, base_url=BASE) as client:
            return await client.request(method, path, headers=PREFLIGHT, json={} if method == "POST" else None)
    response = asyncio.run(call())
    return response.status_code, response.json()


@pytest.mark.parametrize(("method", "path"), [("GET", "/cds-services"), ("POST", f"/cds-services/{SERVICE_ID}")])
def test_a_get_or_post_carrying_the_preflight_headers_still_needs_a_token(kb: igfrules.KnowledgeBase, method: str,
                                                                         path: str) -> None:
    """The CORS middleware outside passes a GET or POST on whatever headers it carries, so this
    check is all that stands between it and the routes. Fails with `scope["method"] != "OPTIONS"`
    and with `not scope["method"] == "OPTIONS"` (line 194): the call is let through without a
    token (discovery answers 200)."""
    status, data = _through_the_app(kb, method, path)
    assert status == 401, data  # not routed
    assert data["check"] == "authorization"


class _Inner:
    """The app inside the middleware: records what reached it, and answers 204."""

    def __init__(self) -> None:
        self.reached: list[str] = []

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        self.reached.append(scope["method"])
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})


def _call(middleware: ClientAuthentication, method: str, headers: dict[str, str]) -> tuple[int, Any]:
    """One request to /cds-services through the middleware, as uvicorn would make it."""
    sent: list[dict[str, Any]] = []
    scope = {"type": "http", "method": method, "path": "/cds-services", "scheme": "https", "root_path": "",
             "headers": [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()]}

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    asyncio.run(middleware(scope, receive, send))
    body = b"".join(m.get("body", b"") for m in sent[1:])
    return sent[0]["status"], json.loads(body) if body else None


def test_a_real_preflight_is_passed_on_without_a_token_and_an_options_call_without_origin_is_not() -> None:
    """Fails with `scope["method"] != "OPTIONS"` and with `not scope["method"] == "OPTIONS"` (line
    194): the preflight is refused 401, and the browser never sends the call it asked about."""
    inner = _Inner()
    middleware = ClientAuthentication(inner, Authenticator(TRUST, BASE, clock=lambda: NOW))
    assert _call(middleware, "OPTIONS", PREFLIGHT) == (204, None)
    assert inner.reached == ["OPTIONS"]
    status, data = _call(middleware, "OPTIONS", {"Access-Control-Request-Method": "POST"})
    assert (status, data["check"]) == (401, "authorization")
    assert inner.reached == ["OPTIONS"]


def _errors(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "igfrules.service" and r.levelno >= logging.ERROR]


def test_an_unexpected_error_is_logged_at_error_and_an_ordinary_refusal_is_not(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """A replay store that cannot be opened (a SQLite file in a folder that does not exist) raises
    sqlite3.OperationalError, which no check expects. Fails with `if isinstance(exc, AuthFailure)`
    and with `if not not isinstance(exc, AuthFailure)` (line 201): the refusal without a token is
    logged at ERROR, and the unexpected error is not."""
    broken = SqliteReplayCache(tmp_path / "no-such-folder" / "replay.sqlite")
    middleware = ClientAuthentication(_Inner(), Authenticator(TRUST, BASE, clock=lambda: NOW, replay=broken))
    with caplog.at_level(logging.INFO, logger="igfrules.service"):
        status, data = _call(middleware, "GET", {})
        assert (status, data["check"]) == (401, "authorization")
        assert _errors(caplog) == []
        assert "authorization check failed" in caplog.text  # a WARNING, as every refusal
        bearer = token(EC_KEY, "ES384", "ec-1", claims(ISS, f"{BASE}/cds-services", iat=NOW, exp=NOW + 60))
        status, data = _call(middleware, "GET", {"Authorization": f"Bearer {bearer}"})
    assert (status, data["check"]) == (401, "token")
    assert _errors(caplog) == ["unexpected OperationalError while checking a client's token"]
