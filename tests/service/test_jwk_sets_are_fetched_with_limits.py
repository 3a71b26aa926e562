"""A client's JWK Set is fetched only from an allowlisted jku, within a size cap, without
following redirects, and kept for a while; the replay cache forgets a token only when it could no
longer be accepted, and refuses calls rather than forget live tokens when full."""

from __future__ import annotations

import asyncio
import http.client
from pathlib import Path

import pytest

from igfrules.service.auth.checks import IAT_WINDOW, Authenticator
from igfrules.service.auth.jwks import MAX_JWKS_BYTES, JwksCache, JwksUnavailable, fetch_jwks
from igfrules.service.auth.replay import PRUNE_EVERY, ReplayCache, ReplayFull, SqliteReplayCache
from igfrules.service.auth.trust import jku_problem, trusted_issuers
from tests.service.conftest import running
from tests.service.signed_clients import EC_KEY, OTHER_EC_KEY, claims, jwks_server, public_jwk, token

ISS = "https://ehr.example.org"


def test_a_jwk_set_is_read_and_unusable_keys_dropped() -> None:
    with jwks_server() as keys:
        url = keys.serve("/k", {"keys": [public_jwk(EC_KEY, "ec-1"), {"kty": "oct", "kid": "s", "k": "eA"},
                                         {**public_jwk(OTHER_EC_KEY, "x"), "kid": None}]})
        assert [k["kid"] for k in fetch_jwks(url)] == ["ec-1"]


@pytest.mark.parametrize(("status", "body", "headers", "why"), [
    (200, b"x" * (MAX_JWKS_BYTES + 1), {}, f"over {MAX_JWKS_BYTES:,} bytes"),
    (302, b"{}", {"Location": "/k"}, "answered HTTP 302"),
    (500, b"{}", {}, "answered HTTP 500"),
    (200, b"<html>", {}, "did not answer JSON"),
    (200, b'{"keys": {}}', {}, "did not answer a JWK Set"),
])
def test_a_jwk_set_that_cannot_be_had_is_refused(status: int, body: bytes, headers: dict[str, str], why: str) -> None:
    with jwks_server() as keys:
        keys.serve("/k", {"keys": [public_jwk(EC_KEY, "ec-1")]})
        url = keys.serve("/bad", body, status, **headers)
        with pytest.raises(JwksUnavailable, match=why):
            fetch_jwks(url)
        assert "/k" not in keys.asked  # a redirect is never followed


def test_an_unreachable_jku_is_refused_without_telling_the_caller_this_hosts_network_errors() -> None:
    with jwks_server() as keys:
        url = keys.base + "/k"
    with pytest.raises(JwksUnavailable, match="could not be fetched") as refused:
        fetch_jwks(url, timeout=5)
    # The 401 goes to a caller who has not proved who it is: no '[Errno 111] Connection refused'.
    assert str(refused.value) == "the JWK Set URL could not be fetched"


def test_a_jwk_set_server_that_drips_its_answer_is_cut_off_at_the_whole_fetchs_deadline() -> None:
    import socket
    import threading

    listener = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def drip() -> None:  # headers, then one byte of body every 0.2 s: each read is quick, the whole is not
        connection, _ = listener.accept()
        with connection:
            connection.recv(65536)
            connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 60000\r\n\r\n")
            while not stop.wait(0.2):
                try:
                    connection.sendall(b" ")
                except OSError:
                    return

    threading.Thread(target=drip, daemon=True).start()
    url = f"http://127.0.0.1:{listener.getsockname()[1]}/k"

    async def run() -> None:
        with pytest.raises(JwksUnavailable, match="did not answer in time"):
            await JwksCache(timeout=0.5).key(url, "ec-1")  # the whole fetch: at most 2 x 0.5 s

    try:
        asyncio.run(run())
    finally:
        stop.set()
        listener.close()


def test_a_cached_set_is_not_fetched_again_but_an_unknown_kid_refetches_it() -> None:
    async def run() -> list[str]:
        with jwks_server() as keys:
            url = keys.serve("/k", {"keys": [public_jwk(EC_KEY, "ec-1")]})
            cache = JwksCache(refresh=0.0)
            assert await cache.key(url, "ec-1") is not None
            assert await cache.key(url, "ec-1") is not None
            keys.serve("/k", {"keys": [public_jwk(EC_KEY, "ec-1"), public_jwk(OTHER_EC_KEY, "ec-2")]})
            assert await cache.key(url, "ec-2") is not None  # rotated in
            return keys.asked
    assert asyncio.run(run()) == ["/k", "/k"]


def test_a_failed_fetch_is_not_retried_on_every_call() -> None:
    async def run() -> tuple[list[str], list[str]]:
        with jwks_server() as keys:
            url = keys.serve("/k", b"{}", 503)
            cache, errors = JwksCache(), []
            for _ in range(3):
                try:
                    await cache.key(url, "ec-1")
                except JwksUnavailable as err:
                    errors.append(str(err))
            return keys.asked, errors
    asked, errors = asyncio.run(run())
    assert asked == ["/k"]
    assert errors == ["the JWK Set URL answered HTTP 503"] * 3


@pytest.mark.parametrize(("url", "allowed"), [
    ("https://ehr.example.org/jwks", True), ("http://127.0.0.1:8000/jwks", True), ("http://[::1]/jwks", True),
    ("http://localhost/jwks", True), ("http://ehr.example.org/jwks", False), ("file:///etc/keys", False),
    ("ftp://ehr.example.org/jwks", False), ("https:///jwks", False),
])
def test_only_https_or_loopback_http_may_be_a_jku(url: str, allowed: bool) -> None:
    assert (jku_problem(url) is None) is allowed


def _caches(tmp_path: Path) -> list[ReplayCache | SqliteReplayCache]:
    return [ReplayCache(limit=2), SqliteReplayCache(tmp_path / "replay.sqlite", limit=2, prune_every=1)]


@pytest.mark.parametrize("kind", [0, 1], ids=["memory", "sqlite"])
def test_a_replayed_jti_is_caught_until_the_token_expires(tmp_path: Path, kind: int) -> None:
    cache = _caches(tmp_path)[kind]
    assert cache.first_use(("iss", "a"), until=100.0, now=50.0)
    assert not cache.first_use(("iss", "a"), until=100.0, now=99.0)
    assert cache.first_use(("iss", "a"), until=200.0, now=101.0)  # expired: the token is refused by exp/iat anyway
    assert cache.first_use(("other-iss", "a"), until=200.0, now=101.0)  # jti is unique per issuer


@pytest.mark.parametrize("kind", [0, 1], ids=["memory", "sqlite"])
def test_a_full_replay_cache_refuses_rather_than_forgets_a_live_token(tmp_path: Path, kind: int) -> None:
    cache = _caches(tmp_path)[kind]
    for name in "ab":
        assert cache.first_use(("iss", name), until=100.0, now=0.0)
    with pytest.raises(ReplayFull):
        cache.first_use(("iss", "c"), until=100.0, now=1.0)
    assert not cache.first_use(("iss", "a"), until=100.0, now=2.0)  # full, and still a replay
    assert cache.first_use(("iss", "c"), until=300.0, now=150.0)  # the expired ones made room
    assert not cache.first_use(("iss", "c"), until=300.0, now=151.0)


def test_processes_sharing_the_sqlite_store_catch_each_others_replays(tmp_path: Path) -> None:
    one, other = SqliteReplayCache(tmp_path / "r.sqlite"), SqliteReplayCache(tmp_path / "r.sqlite")
    assert one.first_use(("iss", "a"), until=100.0, now=0.0)
    assert not other.first_use(("iss", "a"), until=100.0, now=1.0)
    for n in range(PRUNE_EVERY + 1):  # pruning keeps live entries
        other.first_use(("iss", f"n{n}"), until=50.0, now=float(n % 40))
    assert not one.first_use(("iss", "a"), until=100.0, now=60.0)


def test_a_replay_entry_lives_no_longer_than_the_iat_window() -> None:
    trust = trusted_issuers([{"iss": ISS, "jwks": {"keys": [public_jwk(EC_KEY, "ec-1")]}}], "<test>")
    now = 1_000_000.0
    auth = Authenticator(trust, "https://cds.example.org", clock=lambda: now)
    bearer = token(EC_KEY, "ES384", "ec-1", claims(ISS, "https://cds.example.org/cds-services", iat=int(now),
                                                    exp=int(now) + 86_400))
    asyncio.run(auth.verify(f"Bearer {bearer}", "https://cds.example.org/cds-services"))
    [until] = auth.replay._until.values()
    assert until <= now + IAT_WINDOW + 60


def test_behind_a_proxy_aud_is_the_public_url() -> None:
    public = "https://cds.example.org/igf"
    trust = trusted_issuers([{"iss": ISS, "jwks": {"keys": [public_jwk(EC_KEY, "ec-1")]}}], "<test>")
    with running(trust=trust, public_url=public) as server:
        statuses = []
        for aud in (f"{public}/cds-services", f"http://{server.host}:{server.port}/cds-services"):
            bearer = token(EC_KEY, "ES384", "ec-1", claims(ISS, aud))
            conn = http.client.HTTPConnection(server.host, server.port, timeout=30)
            conn.request("GET", "/cds-services", headers={"Authorization": f"Bearer {bearer}"})
            statuses.append(conn.getresponse().status)
            conn.close()
    assert statuses == [200, 401]  # the address it listens on is not the URL clients call


def test_a_jku_that_does_not_answer_http_is_refused_and_not_asked_again_on_every_call() -> None:
    """http.client raises BadStatusLine (an HTTPException, not an OSError) for an answer that is
    not HTTP: it must be the jku refusal, remembered like any failed fetch, not an error no check
    expects (a 401 on 'token', logged at ERROR, and a fetch on every call)."""
    import socket
    import threading

    listener = socket.create_server(("127.0.0.1", 0))
    accepted: list[int] = []

    def answer_garbage() -> None:
        while True:
            try:
                connection, _ = listener.accept()
            except OSError:
                return
            with connection:
                accepted.append(1)
                connection.recv(65536)
                connection.sendall(b"NOT HTTP AT ALL\r\n\r\n")

    threading.Thread(target=answer_garbage, daemon=True).start()
    url = f"http://127.0.0.1:{listener.getsockname()[1]}/k"

    async def run() -> list[str]:
        cache, errors = JwksCache(), []
        for _ in range(2):
            try:
                await cache.key(url, "ec-1")
            except JwksUnavailable as err:
                errors.append(str(err))
        return errors

    try:
        assert asyncio.run(run()) == ["the JWK Set URL could not be fetched"] * 2
    finally:
        listener.close()
    assert accepted == [1]
