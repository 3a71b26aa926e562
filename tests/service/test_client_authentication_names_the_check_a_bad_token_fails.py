"""Client authentication refuses each bad token by the check that names its fault, and never lets
one through or escape as an unexpected error: a valid token under another scheme (authorization),
a token of exactly 16 KiB passing the length check, text that is not UTF-8 (token), an empty kid
(kid), a JWK Set URL that cannot be fetched (jku), a key for another algorithm or not a valid key
(key), a PyJWT error other than a bad signature (signature), an empty or non-text jti (jti).

Each `check` is what the 401 answer and the log name (docs/fhir.md, "Client authentication"), so
a token refused by the wrong check is a defect too. (Written for the mutants issue 23's run left
alive in service/auth/checks.py: each test's docstring names those it fails against.)"""

from __future__ import annotations

import asyncio
from typing import Any

import jwt
import pytest

from igfrules.service.auth import checks
from igfrules.service.auth.checks import Authenticator, AuthFailure
from igfrules.service.auth.trust import trusted_issuers
from tests.service.signed_clients import EC_KEY, RSA_KEY, claims, jwks_server, public_jwk, token

ISS = "https://ehr.example.org"
BASE = "https://cds.example.org"
AUD = f"{BASE}/cds-services"
NOW = 1_000_000
MAX_TOKEN_CHARS = 16 * 1024  # docs: a token is read up to 16 KiB; written out, not imported
NOT_A_JWS = "the token is not a compact JWS with a JSON header and payload"
RSA_JWK = public_jwk(RSA_KEY, "rsa-1")
KEYS = [public_jwk(EC_KEY, "ec-1"), RSA_JWK,
        {**RSA_JWK, "kid": "rsa-for-rs256", "alg": "RS256"},  # a JWK may name its one algorithm
        {**RSA_JWK, "kid": "rsa-e-1", "e": "AQ"},  # e = 1: cryptography refuses it (ValueError)
        {**RSA_JWK, "kid": "rsa-e-number", "e": 65537}]  # e as a JSON number, not base64url (TypeError)


def _authenticator() -> Authenticator:
    trust = trusted_issuers([{"iss": ISS, "jwks": {"keys": KEYS}}], "<test>")
    return Authenticator(trust, BASE, clock=lambda: NOW)


def _payload(**changed: Any) -> dict[str, Any]:
    return claims(ISS, AUD, iat=NOW, exp=NOW + 60, **changed)


def _token(alg: str = "ES384", kid: str = "ec-1", **changed: Any) -> str:
    return token(EC_KEY if alg.startswith("ES") else RSA_KEY, alg, kid, _payload(**changed))


def _verify(authorization: str, auth: Authenticator | None = None) -> dict[str, Any]:
    return asyncio.run((auth or _authenticator()).verify(authorization, AUD))


def _refused(authorization: str, auth: Authenticator | None = None) -> tuple[str, str]:
    with pytest.raises(AuthFailure) as refused:
        _verify(authorization, auth)
    return refused.value.check, refused.value.message


@pytest.mark.parametrize("authorization", [f"Basic {_token()}", f"Token {_token()}", "Bearer", "Bearer   "])
def test_a_token_under_another_scheme_or_a_bearer_without_one_fails_the_authorization_check(
        authorization: str) -> None:
    """Fails with `scheme != "bearer" and not token` (line 73): a valid token under Basic passes,
    and a bare Bearer is refused by the token check instead."""
    check, message = _refused(authorization)
    assert (check, message.startswith("every call needs 'Authorization: Bearer <JWT>'")) == ("authorization", True)


def _token_of_length(length: int) -> str:
    """A valid token of exactly `length` characters: a filler claim sizes the payload, and a header
    member of 0-2 characters evens out base64's steps of 4 characters for 3 bytes."""
    for extra in range(3):
        def signed(fill: int, extra: int = extra) -> str:
            return token(EC_KEY, "ES384", "ec-1", _payload(note="x" * fill), pad="p" * extra)
        fill = max(0, (length - len(signed(0))) * 3 // 4 - 3)
        while len(signed(fill)) < length:
            fill += 1
        if len(signed(fill)) == length:
            return signed(fill)
    raise AssertionError(f"no token of {length} characters")


def test_a_token_of_exactly_16_kib_passes_the_length_check_and_one_character_more_does_not() -> None:
    """len(token) > MAX_TOKEN_CHARS. Fails with `>=` (line 76): the 16,384-character token is
    refused as over the limit."""
    longest = _token_of_length(MAX_TOKEN_CHARS)
    assert len(longest) == 16_384
    assert _verify(f"Bearer {longest}")["iss"] == ISS
    assert _refused(f"Bearer {_token_of_length(MAX_TOKEN_CHARS + 1)}") == (
        "token", "the token is over 16,384 characters")


def _raw(payload: bytes) -> str:
    return jwt.PyJWS().encode(payload, EC_KEY, "ES384", {"kid": "ec-1", "typ": "JWT"})


@pytest.mark.parametrize("bad", ["a lone surrogate", "a payload not UTF-8", "a payload not JSON"])
def test_a_token_that_is_not_utf_8_json_fails_the_token_check(bad: str) -> None:
    """A caller of Authenticator.verify may hand in any str: one with a lone surrogate cannot be
    encoded as UTF-8 (a UnicodeEncodeError, which only the ValueError in line 82's tuple catches).
    Fails with that ValueError replaced (line 82): the UnicodeEncodeError escapes. (The payload
    that is not UTF-8 and the payload that is not JSON are refused the same way; replacing
    UnicodeDecodeError or DocumentError there changes nothing, both being ValueErrors.)"""
    valid = _token()
    made = {"a lone surrogate": valid[:5] + "\ud800" + valid[5:], "a payload not UTF-8": _raw(b"\xff\xfe{}"),
            "a payload not JSON": _raw(b'{"iss": 1, "iss": 2}')}
    assert _refused(f"Bearer {made[bad]}") == ("token", NOT_A_JWS)


def test_an_empty_kid_fails_the_kid_check() -> None:
    """Fails with `not isinstance(kid, str) and not kid` (line 93): the empty kid passes, and the
    token is refused by the key check instead (no key has kid '')."""
    assert _refused(f"Bearer {_token(kid='')}") == ("kid", "the token's header has no kid")
    no_kid = jwt.encode(_payload(), EC_KEY, algorithm="ES384", headers={"typ": "JWT"})
    assert _refused(f"Bearer {no_kid}") == ("kid", "the token's header has no kid")


def test_a_jwk_set_url_that_cannot_be_fetched_fails_the_jku_check() -> None:
    """The issuer's keys are at a jku answering 503. Fails with JwksUnavailable replaced by an
    exception never raised (line 114): JwksUnavailable escapes verify instead of a 401 on jku."""
    with jwks_server() as keys:
        url = keys.serve("/jwks.json", {"keys": []}, 503)
        auth = Authenticator(trusted_issuers([{"iss": ISS, "jku": url}], "<test>"), BASE, clock=lambda: NOW)
        assert _refused(f"Bearer {_token()}", auth) == ("jku", "the JWK Set URL answered HTTP 503")
        assert keys.asked == ["/jwks.json"]


def test_a_key_for_another_algorithm_fails_the_key_check() -> None:
    """A JWK naming RS256 does not verify an RS384 token, and an EC key does not verify an RSA one.
    Fails with `kty != family and jwk alg != alg or ...` (line 122): the RS256 key verifies the
    RS384 token, and the EC key is refused only later, as 'not a valid RSA public key'."""
    assert _verify(f"Bearer {_token('RS256', 'rsa-for-rs256')}")["iss"] == ISS  # its own algorithm
    assert _refused(f"Bearer {_token('RS384', 'rsa-for-rs256')}") == (
        "key", "the key 'rsa-for-rs256' is not a key for RS384")
    assert _refused(f"Bearer {_token('RS384', 'ec-1')}") == ("key", "the key 'ec-1' is not a key for RS384")


@pytest.mark.parametrize(("kid", "raised"), [("rsa-e-1", "ValueError"), ("rsa-e-number", "TypeError")])
def test_a_jwk_that_is_not_a_valid_key_fails_the_key_check(kid: str, raised: str) -> None:
    """PyJWT's from_jwk raises ValueError for an exponent of 1 and TypeError for an exponent given
    as a number. Fails with ValueError, or TypeError, replaced by an exception never raised (line
    126): that error escapes verify instead of a 401 on key."""
    assert _refused(f"Bearer {_token('RS384', kid)}") == ("key", f"the key {kid!r} is not a valid RSA public key")


class _KeyRefusingJws(jwt.PyJWS):
    """Verifies nothing: raises InvalidKeyError whenever a key is given, as PyJWT does for a key
    that does not fit the algorithm (its curve check). The checks before it make that unreachable
    with today's PyJWT; the handler is there for whatever PyJWT error another version raises."""

    def decode_complete(self, compact: Any, key: Any = "", *args: Any, **kwargs: Any) -> dict[str, Any]:
        if not isinstance(key, str):
            raise jwt.InvalidKeyError("the key does not fit the algorithm")
        return super().decode_complete(compact, key, *args, **kwargs)


def test_a_pyjwt_error_other_than_a_bad_signature_fails_the_signature_check(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fails with `except jwt.PyJWTError` replaced by an exception never raised (line 134): the
    InvalidKeyError escapes verify instead of a 401 on signature."""
    monkeypatch.setattr(checks, "_JWS", _KeyRefusingJws(algorithms=list(checks.ALGORITHMS)))
    assert _refused(f"Bearer {_token()}") == ("signature", "the token could not be verified")


@pytest.mark.parametrize("jti", ["", 12345])
def test_an_empty_or_non_text_jti_fails_the_jti_check(jti: Any) -> None:
    """Fails with `not isinstance(jti, str) and not jti` (line 158): the empty jti is accepted,
    and the numeric one raises TypeError (len of an int) instead of a 401 on jti."""
    assert _refused(f"Bearer {_token(jti=jti)}") == ("jti", "jti is required: a nonce unique to this token")
