"""Client authentication's limits hold at their edges, and its refusals say what RFC 6750 and
CDS Hooks ask: a jti of 256 characters passes and 257 does not, a token up to 16 KiB is read, an
RSA key under 2048 bits is refused, a value quoted in a message is clipped at 120 characters, a
call without credentials gets a bare challenge (no error code), and a full replay cache is a 503
with Retry-After, never a 401. (Written for the mutants issue 23's run left alive in
service/auth/checks.py: each test fails against one of them.)"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.warnings import InsecureKeyLengthWarning

from igfrules.service.auth.checks import Authenticator, AuthFailure, ClientAuthentication
from igfrules.service.auth.replay import ReplayCache
from igfrules.service.auth.trust import trusted_issuers
from tests.service.signed_clients import EC_KEY, RSA_KEY, claims, public_jwk, token

ISS = "https://ehr.example.org"
BASE = "https://cds.example.org"
AUD = f"{BASE}/cds-services"
NOW = 1_000_000.0
# The documented limits, written out: taken from the module, a changed limit would move the test too.
MAX_JTI_CHARS = 256
MAX_TOKEN_CHARS = 16 * 1024
MIN_RSA_BITS = 2048
SMALL_RSA_KEY = rsa.generate_private_key(public_exponent=65537, key_size=MIN_RSA_BITS - 1)


def _authenticator(replay: ReplayCache | None = None) -> Authenticator:
    trust = trusted_issuers([{"iss": ISS, "jwks": {"keys": [public_jwk(EC_KEY, "ec-1"), public_jwk(RSA_KEY, "rsa-1"),
                                                            public_jwk(SMALL_RSA_KEY, "rsa-small")]}}], "<test>")
    return Authenticator(trust, BASE, clock=lambda: NOW, replay=replay or ReplayCache())


def _payload(**changed: Any) -> dict[str, Any]:
    return claims(ISS, AUD, iat=int(NOW), exp=int(NOW) + 60, **changed)


def _bearer(**changed: Any) -> str:
    return "Bearer " + token(EC_KEY, "ES384", "ec-1", _payload(**changed))


def _verify(authorization: str, auth: Authenticator | None = None) -> dict[str, Any]:
    return asyncio.run((auth or _authenticator()).verify(authorization, AUD))


def _refused(authorization: str, auth: Authenticator | None = None) -> AuthFailure:
    with pytest.raises(AuthFailure) as refused:
        _verify(authorization, auth)
    return refused.value


def test_a_jti_of_the_longest_allowed_length_passes_and_one_more_character_is_refused() -> None:
    assert _verify(_bearer(jti="n" * MAX_JTI_CHARS))["jti"] == "n" * MAX_JTI_CHARS
    assert _refused(_bearer(jti="m" * (MAX_JTI_CHARS + 1))).check == "jti"


def test_a_token_just_under_16_kib_is_read_and_one_over_is_refused_unread() -> None:
    padded = _bearer(note="x" * 11_500)
    assert 15 * 1024 < len(padded) - len("Bearer ") <= MAX_TOKEN_CHARS
    assert _verify(padded)["iss"] == ISS
    refused = _refused(_bearer(note="x" * 13_000))
    assert (refused.check, refused.message) == ("token", f"the token is over {MAX_TOKEN_CHARS:,} characters")


def test_an_rsa_key_one_bit_under_2048_is_refused_and_a_2048_bit_key_accepted() -> None:
    with pytest.warns(InsecureKeyLengthWarning):  # PyJWT signs with it, and says what igfrules refuses
        small = "Bearer " + token(SMALL_RSA_KEY, "RS384", "rsa-small", _payload())
    refused = _refused(small)
    assert (refused.check, refused.message) == ("key", f"the key 'rsa-small' is under {MIN_RSA_BITS} bits")
    enough = "Bearer " + token(RSA_KEY, "RS384", "rsa-1", _payload())
    assert _verify(enough)["iss"] == ISS


@pytest.mark.parametrize(("length", "shown"), [(118, 120), (119, 120), (300, 120)])
def test_a_value_quoted_in_a_refusal_is_whole_up_to_120_characters_and_clipped_after(length: int, shown: int) -> None:
    kid = "k" * length  # repr adds two quotes: 118 -> 120 shown whole; 119 -> 121, clipped to 117 + '...'
    refused = _refused("Bearer " + token(EC_KEY, "ES384", kid, _payload()))
    quoted = refused.message.split("with kid ", 1)[1]
    assert len(quoted) == shown
    assert quoted == repr(kid) if length + 2 <= 120 else quoted.endswith("...")


def _asgi_call(middleware: ClientAuthentication, authorization: str | None) -> tuple[int, dict[str, str]]:
    """One GET /cds-services through the middleware, as uvicorn would call it."""
    sent: list[dict[str, Any]] = []
    headers = [(b"host", b"cds.example.org")] + ([(b"authorization", authorization.encode())] if authorization else [])
    scope = {"type": "http", "method": "GET", "path": "/cds-services", "scheme": "https", "headers": headers,
             "root_path": ""}

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    asyncio.run(middleware(scope, receive, send))
    start = sent[0]
    return start["status"], {k.decode(): v.decode() for k, v in start["headers"]}


async def _never_reached(scope: Any, receive: Any, send: Any) -> None:
    raise AssertionError("a refused call reached the app")


def test_a_call_without_credentials_gets_a_bare_challenge_and_a_bad_token_an_error_code() -> None:
    middleware = ClientAuthentication(_never_reached, _authenticator())
    status, headers = _asgi_call(middleware, None)
    assert (status, headers["www-authenticate"]) == (401, 'Bearer realm="igfrules"')  # RFC 6750 3.1: no error code
    status, headers = _asgi_call(middleware, _bearer(jti="m" * (MAX_JTI_CHARS + 1)))
    assert status == 401
    assert headers["www-authenticate"] == ('Bearer realm="igfrules", error="invalid_token", '
                                           'error_description="the jti check failed"')
    assert "retry-after" not in headers


def test_a_full_replay_cache_is_a_503_with_retry_after_not_a_401() -> None:
    full = ReplayCache(limit=1)
    middleware = ClientAuthentication(_never_reached, _authenticator(full))
    full.first_use(("someone", "else"), until=NOW + 60, now=NOW)  # a live entry fills it
    status, headers = _asgi_call(middleware, _bearer())
    assert status == 503
    assert headers["retry-after"] == "5"
    assert headers["www-authenticate"] == 'Bearer realm="igfrules"'  # not the token's fault
