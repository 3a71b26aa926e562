"""Client authentication's time checks hold to the second: a token expired 30 s ago passes and
31 s ago does not, an iat 30 s ahead passes and 31 s ahead does not, an iat 330 s old (the
5-minute window plus the skew) passes and 331 s does not, and a used token stays refused as a
replay up to the last second any other check would still accept it.

The clock is the Authenticator's `clock` (a fixed, settable time), so no test sleeps or depends on
how fast it runs. The window and the skew are the documented ones (docs/fhir.md, "Client
authentication": 30 s of clock skew, an iat no older than 5 minutes), written out here: taken from
the module, a changed constant would move its own test. (Written for the mutants issue 23's run
left alive in service/auth/checks.py, lines 43-44 and 149-162: each test's docstring names those
it fails against.)"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from igfrules.service.auth.checks import Authenticator, AuthFailure
from igfrules.service.auth.trust import trusted_issuers
from tests.service.signed_clients import EC_KEY, claims, public_jwk, token

ISS = "https://ehr.example.org"
BASE = "https://cds.example.org"
AUD = f"{BASE}/cds-services"
NOW = 1_000_000
CLOCK_SKEW = 30  # seconds, docs/fhir.md: "30 s of clock skew allowed"
IAT_WINDOW = 300  # seconds, docs/fhir.md: an iat "no older than 5 minutes"


class Clock:
    """The time the authenticator reads: fixed until a test moves it."""

    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def _authenticator(clock: Clock) -> Authenticator:
    trust = trusted_issuers([{"iss": ISS, "jwks": {"keys": [public_jwk(EC_KEY, "ec-1")]}}], "<test>")
    return Authenticator(trust, BASE, clock=clock)


def _bearer(iat: int, exp: int, **changed: Any) -> str:
    return "Bearer " + token(EC_KEY, "ES384", "ec-1", claims(ISS, AUD, iat=iat, exp=exp, **changed))


def _verify(auth: Authenticator, bearer: str) -> dict[str, Any]:
    return asyncio.run(auth.verify(bearer, AUD))


def _refused(auth: Authenticator, bearer: str) -> tuple[str, str]:
    with pytest.raises(AuthFailure) as refused:
        _verify(auth, bearer)
    return refused.value.check, refused.value.message


def test_a_token_expired_30_seconds_ago_passes_and_31_seconds_ago_is_refused() -> None:
    """exp + CLOCK_SKEW < now. Fails with `exp - CLOCK_SKEW < now` and with `<=` (line 149: both
    refuse the token at exactly 30 s), with CLOCK_SKEW = 29 (refuses it at 30 s) and with
    CLOCK_SKEW = 31 (accepts it at 31 s)."""
    auth = _authenticator(Clock(NOW))
    assert _verify(auth, _bearer(iat=NOW - 60, exp=NOW - CLOCK_SKEW))["exp"] == NOW - 30
    assert _refused(auth, _bearer(iat=NOW - 60, exp=NOW - CLOCK_SKEW - 1)) == ("exp", "the token has expired")


def test_an_iat_30_seconds_ahead_passes_and_31_seconds_ahead_is_refused() -> None:
    """iat > now + CLOCK_SKEW. Fails with `>=` (line 153: refuses an iat exactly 30 s ahead), with
    CLOCK_SKEW = 29 (refuses it) and CLOCK_SKEW = 31 (accepts one 31 s ahead, and says 31 s)."""
    auth = _authenticator(Clock(NOW))
    assert _verify(auth, _bearer(iat=NOW + CLOCK_SKEW, exp=NOW + 90))["iat"] == NOW + 30
    assert _refused(auth, _bearer(iat=NOW + CLOCK_SKEW + 1, exp=NOW + 90)) == (
        "iat", "iat is in the future (more than 30 s of clock skew)")


def test_an_iat_330_seconds_old_passes_and_331_seconds_old_is_refused() -> None:
    """iat < now - IAT_WINDOW - CLOCK_SKEW: the 5-minute window plus the skew. Fails with
    `now - IAT_WINDOW + CLOCK_SKEW` and with `<=` (line 155: both refuse an iat 330 s old), with
    IAT_WINDOW = 299 (refuses it) and IAT_WINDOW = 301 (accepts one 331 s old, and says 301 s)."""
    auth = _authenticator(Clock(NOW))
    oldest = NOW - IAT_WINDOW - CLOCK_SKEW
    assert _verify(auth, _bearer(iat=oldest, exp=NOW + 60))["iat"] == NOW - 330
    assert _refused(auth, _bearer(iat=oldest - 1, exp=NOW + 60)) == (
        "iat", "the token was issued more than 300 s ago; send a new one per call")


def test_a_used_token_is_a_replay_until_its_exp_plus_the_skew_has_passed() -> None:
    """The replay cache keeps a jti until min(exp, iat + IAT_WINDOW) + CLOCK_SKEW: here exp comes
    first, so at exp + 30 s, the last second the exp check still passes the token, it must be
    refused as a replay. Fails with `min(...) - CLOCK_SKEW` (line 162: the entry lapses at exp -
    30 s and the replay is accepted)."""
    clock = Clock(NOW)
    auth = _authenticator(clock)
    bearer = _bearer(iat=NOW, exp=NOW + 60)
    _verify(auth, bearer)
    clock.now = NOW + 60 + CLOCK_SKEW
    assert _refused(auth, bearer)[0] == "jti"
    clock.now += 1
    assert _refused(auth, bearer)[0] == "exp"  # from here on the exp check refuses it anyway


def test_a_used_token_is_a_replay_until_its_iat_window_plus_the_skew_has_passed() -> None:
    """A token valid for a day is still good for one call only within its iat window: its jti is
    kept until iat + IAT_WINDOW + CLOCK_SKEW (330 s), the last second the iat check passes it, and
    then forgotten. Fails with `min(...) - CLOCK_SKEW` (line 162: the entry lapses at 270 s and
    the replay at 330 s is accepted)."""
    clock = Clock(NOW)
    auth = _authenticator(clock)
    bearer = _bearer(iat=NOW, exp=NOW + 86_400, jti="one-call")
    _verify(auth, bearer)
    clock.now = NOW + IAT_WINDOW + CLOCK_SKEW
    assert _refused(auth, bearer)[0] == "jti"
    clock.now += 1
    assert _refused(auth, bearer)[0] == "iat"
    # The entry is gone once no check could accept the token: a new token may reuse the nonce.
    assert _verify(auth, _bearer(iat=int(clock.now), exp=int(clock.now) + 60, jti="one-call"))["jti"] == "one-call"
