"""CDS Hooks client authentication over real HTTP: the service under uvicorn on 127.0.0.1, real
ES384 and RS384 tokens, and a real local server for the JWK Set a token's `jku` names. Every
refusal is checked on discovery, the service and the feedback path alike."""

from __future__ import annotations

import base64
import http.client
import json
import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import jwt
import pytest
from jwt.algorithms import ECAlgorithm

from igfrules.service.auth.trust import Trust, trusted_issuers
from igfrules.service.example import hook_request
from igfrules.service.hooks import SERVICE_ID
from tests.conftest import CASES
from tests.service.conftest import running
from tests.service.signed_clients import (
    EC_KEY,
    OTHER_EC_KEY,
    RSA_KEY,
    JwksServer,
    claims,
    hs256_token,
    jwks_server,
    public_jwk,
    public_pem,
    token,
)

ISS = "https://ehr.example.org/cds-client"  # keys at a jku
INLINE_ISS = "https://board.example.org"  # keys given in the trusted-issuers file
SERVICE = f"/cds-services/{SERVICE_ID}"
FEEDBACK = f"/cds-services/{SERVICE_ID}/feedback"
PATHS = {"discovery": ("GET", "/cds-services"), "service": ("POST", SERVICE), "feedback": ("POST", FEEDBACK)}
BODY = json.dumps(hook_request(json.loads((CASES / "fhir" / "metastatic-hr-positive-pik3ca.json")
                                          .read_text(encoding="utf-8")))).encode("utf-8")


@dataclass(frozen=True)
class Setup:
    host: str
    port: int
    jwks: JwksServer
    jku: str

    def aud(self, path: str) -> str:
        return f"http://{self.host}:{self.port}{path}"

    def call(self, method: str, path: str, bearer: str | None) -> tuple[int, Any, http.client.HTTPResponse]:
        conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
        try:
            headers = {"Content-Type": "application/json"}
            if bearer is not None:
                headers["Authorization"] = f"Bearer {bearer}"
            conn.request(method, path, body=BODY if method == "POST" else None, headers=headers)
            response = conn.getresponse()
            raw = response.read()
        finally:
            conn.close()
        return response.status, json.loads(raw) if raw else None, response


def trust_for(jku: str) -> Trust:
    return trusted_issuers([{"iss": ISS, "jku": jku},
                            {"iss": INLINE_ISS, "jwks": {"keys": [public_jwk(RSA_KEY, "board-rsa")]}}], "<test>")


@pytest.fixture(scope="module")
def setup() -> Iterator[Setup]:
    with jwks_server() as keys:
        jku = keys.serve("/jwks.json", {"keys": [public_jwk(EC_KEY, "ec-1"), public_jwk(RSA_KEY, "rsa-1")]})
        keys.serve("/elsewhere.json", {"keys": [public_jwk(OTHER_EC_KEY, "ec-1")]})
        with running(trust=trust_for(jku)) as server:
            yield Setup(server.host, server.port, keys, jku)


def valid(setup: Setup, path: str, alg: str = "ES384") -> str:
    key, kid = (EC_KEY, "ec-1") if alg.startswith("ES") else (RSA_KEY, "rsa-1")
    return token(key, alg, kid, claims(ISS, setup.aud(path)), jku=setup.jku)


@pytest.mark.parametrize("alg", ["ES384", "RS384"])
def test_a_trusted_clients_token_opens_discovery_and_the_service(setup: Setup, alg: str) -> None:
    status, data, _ = setup.call("GET", "/cds-services", valid(setup, "/cds-services", alg))
    assert status == 200 and data["services"][0]["id"] == SERVICE_ID
    status, data, _ = setup.call("POST", SERVICE, valid(setup, SERVICE, alg))
    assert status == 200 and data["cards"]


def test_keys_given_in_the_file_need_no_jku(setup: Setup) -> None:
    bearer = token(RSA_KEY, "RS384", "board-rsa", claims(INLINE_ISS, setup.aud("/cds-services")))
    assert setup.call("GET", "/cds-services", bearer)[0] == 200


def test_a_token_without_jku_uses_the_issuers_listed_jku(setup: Setup) -> None:
    bearer = token(EC_KEY, "ES384", "ec-1", claims(ISS, setup.aud("/cds-services")))
    assert setup.call("GET", "/cds-services", bearer)[0] == 200


def test_a_valid_token_passes_the_guard_of_the_feedback_path(setup: Setup) -> None:
    status, data, _ = setup.call("POST", FEEDBACK, valid(setup, FEEDBACK))
    assert status != 401, data  # routed: the feedback endpoint answers, or 404 where it is not served


def _bad_signature(setup: Setup, path: str) -> str:
    return token(OTHER_EC_KEY, "ES384", "ec-1", claims(ISS, setup.aud(path)), jku=setup.jku)


def _none(setup: Setup, path: str) -> str:
    return jwt.encode(claims(ISS, setup.aud(path)), None, algorithm="none", headers={"kid": "ec-1"})


def _hs256(setup: Setup, path: str) -> str:
    return hs256_token(b"a-shared-secret-the-service-never-agreed-to", "ec-1", claims(ISS, setup.aud(path)))


def _hs256_with_public_key(setup: Setup, path: str) -> str:
    return hs256_token(public_pem(RSA_KEY), "board-rsa", claims(INLINE_ISS, setup.aud(path)))


def _wrong_aud(setup: Setup, path: str) -> str:
    return token(EC_KEY, "ES384", "ec-1", claims(ISS, setup.aud("/cds-services/another-service")), jku=setup.jku)


def _expired(setup: Setup, path: str) -> str:
    now = int(time.time())
    return token(EC_KEY, "ES384", "ec-1", claims(ISS, setup.aud(path), iat=now - 200, exp=now - 100), jku=setup.jku)


def _iat_too_old(setup: Setup, path: str) -> str:
    now = int(time.time())
    return token(EC_KEY, "ES384", "ec-1", claims(ISS, setup.aud(path), iat=now - 600, exp=now + 300), jku=setup.jku)


def _iat_in_the_future(setup: Setup, path: str) -> str:
    now = int(time.time())
    return token(EC_KEY, "ES384", "ec-1", claims(ISS, setup.aud(path), iat=now + 600, exp=now + 900), jku=setup.jku)


def _unlisted_iss(setup: Setup, path: str) -> str:
    return token(EC_KEY, "ES384", "ec-1", claims("https://stranger.example.org", setup.aud(path)), jku=setup.jku)


def _unlisted_jku(setup: Setup, path: str) -> str:
    return token(OTHER_EC_KEY, "ES384", "ec-1", claims(ISS, setup.aud(path)),
                 jku=setup.jwks.base + "/elsewhere.json")


def _iss_not_a_string(setup: Setup, path: str) -> str:
    payload = json.dumps({**claims(ISS, setup.aud(path)), "iss": [ISS]}).encode()  # PyJWT's encode refuses it
    return jwt.PyJWS().encode(payload, EC_KEY, "ES384", {"kid": "ec-1", "typ": "JWT", "jku": setup.jku})


def _no_jti(setup: Setup, path: str) -> str:
    payload = claims(ISS, setup.aud(path))
    del payload["jti"]
    return token(EC_KEY, "ES384", "ec-1", payload, jku=setup.jku)


def _jti_too_long(setup: Setup, path: str) -> str:
    # The replay cache keeps every jti for the token's life: 100,000 of 10,000 characters would be 1 GB.
    return token(EC_KEY, "ES384", "ec-1", claims(ISS, setup.aud(path), jti="n" * 10_000), jku=setup.jku)


def _jku_spelled_otherwise(setup: Setup, path: str) -> str:
    # string equality: a trailing slash, user info or another case is another URL, never fetched
    variants = (setup.jku + "/", setup.jku.replace("http://", "http://ehr@"), setup.jku.replace("jwks", "JWKS"))
    return token(EC_KEY, "ES384", "ec-1", claims(ISS, setup.aud(path)), jku=variants[len(path) % 3])


def _jku_for_an_issuer_with_given_keys(setup: Setup, path: str) -> str:
    return token(RSA_KEY, "RS384", "board-rsa", claims(INLINE_ISS, setup.aud(path)), jku=setup.jku)


def _kid_of_another_issuers_key(setup: Setup, path: str) -> str:
    return token(RSA_KEY, "RS384", "rsa-1", claims(INLINE_ISS, setup.aud(path)))  # rsa-1 is ISS's key


def _es512_on_a_p384_key(setup: Setup, path: str) -> str:
    signing_input = (_b64url(json.dumps({"alg": "ES512", "kid": "ec-1", "jku": setup.jku}).encode()) + "."
                     + _b64url(json.dumps(claims(ISS, setup.aud(path))).encode()))
    signature = ECAlgorithm(ECAlgorithm.SHA512).sign(signing_input.encode(), EC_KEY)  # PyJWT's encode refuses it
    return signing_input + "." + _b64url(signature)


def _crit_header(setup: Setup, path: str) -> str:
    return token(EC_KEY, "ES384", "ec-1", claims(ISS, setup.aud(path)), jku=setup.jku, crit=["exp"])


def _nested_jwt(setup: Setup, path: str) -> str:
    inner = valid(setup, path).encode()
    return jwt.PyJWS().encode(inner, EC_KEY, "ES384", {"kid": "ec-1", "cty": "JWT", "jku": setup.jku})


def _iat_as_text(setup: Setup, path: str) -> str:
    return token(EC_KEY, "ES384", "ec-1", claims(ISS, setup.aud(path), iat=str(int(time.time()))), jku=setup.jku)


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _key_of_another_type(setup: Setup, path: str) -> str:
    return token(RSA_KEY, "RS384", "ec-1", claims(ISS, setup.aud(path)), jku=setup.jku)


REFUSED = {"bad signature": (_bad_signature, "signature"), "alg none": (_none, "alg"), "HS256": (_hs256, "alg"),
           "HS256 signed with the public key": (_hs256_with_public_key, "alg"), "wrong aud": (_wrong_aud, "aud"),
           "expired": (_expired, "exp"), "iat too old": (_iat_too_old, "iat"),
           "iat in the future": (_iat_in_the_future, "iat"), "unlisted iss": (_unlisted_iss, "iss"),
           "iss not a string": (_iss_not_a_string, "iss"),
           "unlisted jku": (_unlisted_jku, "jku"), "no jti": (_no_jti, "jti"), "jti too long": (_jti_too_long, "jti"),
           "kid of a key of another type": (_key_of_another_type, "key"),
           "jku spelled otherwise": (_jku_spelled_otherwise, "jku"),
           "jku for an issuer with given keys": (_jku_for_an_issuer_with_given_keys, "jku"),
           "kid of another issuer's key": (_kid_of_another_issuers_key, "key"),
           "ES512 on a P-384 key": (_es512_on_a_p384_key, "key"), "crit header": (_crit_header, "token"),
           "nested JWT": (_nested_jwt, "token"), "iat as text": (_iat_as_text, "iat")}


@pytest.mark.parametrize("where", PATHS)
@pytest.mark.parametrize("case", REFUSED)
def test_every_failed_check_is_refused_with_401_on_every_path(setup: Setup, case: str, where: str) -> None:
    method, path = PATHS[where]
    make, check = REFUSED[case]
    status, data, response = setup.call(method, path, make(setup, path))
    assert status == 401
    assert data["check"] == check
    assert data["research_only"] is True
    assert data["error"].startswith("client authentication failed: ")
    assert response.getheader("www-authenticate") == (
        f'Bearer realm="igfrules", error="invalid_token", error_description="the {check} check failed"')


def test_an_unlisted_jku_is_never_fetched(setup: Setup) -> None:
    setup.call("GET", "/cds-services", _unlisted_jku(setup, "/cds-services"))
    assert "/elsewhere.json" not in setup.jwks.asked
    assert "/jwks.json" in setup.jwks.asked  # the listed one was


@pytest.mark.parametrize("where", PATHS)
def test_a_replayed_token_is_refused(setup: Setup, where: str) -> None:
    method, path = PATHS[where]
    bearer = valid(setup, path)
    first, _, _ = setup.call(method, path, bearer)
    assert first != 401
    status, data, _ = setup.call(method, path, bearer)
    assert (status, data["check"]) == (401, "jti")


@pytest.mark.parametrize("where", PATHS)
@pytest.mark.parametrize("authorization", [None, "Basic dXNlcjpwYXNz", "Bearer ", "Bearer not-a-jwt"])
def test_a_call_without_a_usable_bearer_token_is_refused(setup: Setup, where: str, authorization: str | None) -> None:
    method, path = PATHS[where]
    conn = http.client.HTTPConnection(setup.host, setup.port, timeout=30)
    headers = {"Authorization": authorization} if authorization is not None else {}
    conn.request(method, path, body=BODY if method == "POST" else None, headers=headers)
    response = conn.getresponse()
    data = json.loads(response.read())
    conn.close()
    assert response.status == 401
    assert data["check"] in ("authorization", "token") and data["research_only"] is True
    assert response.getheader("www-authenticate", "").startswith('Bearer realm="igfrules"')


def test_a_cors_preflight_needs_no_token_and_allows_the_authorization_header(setup: Setup) -> None:
    conn = http.client.HTTPConnection(setup.host, setup.port, timeout=30)
    conn.request("OPTIONS", SERVICE, headers={"Origin": "https://sandbox.cds-hooks.org",
                                              "Access-Control-Request-Method": "POST",
                                              "Access-Control-Request-Headers": "authorization, content-type"})
    response = conn.getresponse()
    response.read()
    conn.close()
    assert response.status == 200
    assert "authorization" in response.getheader("access-control-allow-headers", "").lower()


@pytest.mark.parametrize("where", PATHS)
def test_an_options_request_that_is_not_a_preflight_needs_a_token(setup: Setup, where: str) -> None:
    """A CORS preflight carries Origin and Access-Control-Request-Method; without Origin the CORS
    middleware passes the request on, and it reached the routes without a token."""
    conn = http.client.HTTPConnection(setup.host, setup.port, timeout=30)
    conn.request("OPTIONS", PATHS[where][1], headers={"Access-Control-Request-Method": "POST"})
    response = conn.getresponse()
    data = json.loads(response.read())
    conn.close()
    assert (response.status, data["check"]) == (401, "authorization")


def test_a_refusal_is_readable_by_a_browser_client(setup: Setup) -> None:
    conn = http.client.HTTPConnection(setup.host, setup.port, timeout=30)
    conn.request("GET", "/cds-services", headers={"Origin": "https://sandbox.cds-hooks.org"})
    response = conn.getresponse()
    response.read()
    conn.close()
    assert response.status == 401
    assert response.getheader("access-control-allow-origin") == "*"


def test_the_log_names_the_check_and_never_the_token(setup: Setup, caplog: pytest.LogCaptureFixture) -> None:
    bearer = _expired(setup, "/cds-services")
    with caplog.at_level(logging.INFO):
        setup.call("GET", "/cds-services", bearer)
        setup.call("GET", "/cds-services", valid(setup, "/cds-services"))
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "exp check failed" in logged
    for part in bearer.split("."):
        assert part not in logged


def test_allowed_origins_can_be_narrowed() -> None:
    with running(cors_origins=("https://board.example.org",)) as server:
        answers, bodies = {}, {}
        for origin in ("https://board.example.org", "https://elsewhere.example"):
            conn = http.client.HTTPConnection(server.host, server.port, timeout=30)
            conn.request("OPTIONS", SERVICE, headers={"Origin": origin, "Access-Control-Request-Method": "POST",
                                                      "Access-Control-Request-Headers": "authorization"})
            response = conn.getresponse()
            bodies[origin] = response.read()
            conn.close()
            answers[origin] = (response.status, response.getheader("access-control-allow-origin"))
    assert answers == {"https://board.example.org": (200, "https://board.example.org"),
                       "https://elsewhere.example": (400, None)}
    # The refusal is the service's JSON error, labelled, naming what was refused (not "Disallowed CORS origin")
    assert json.loads(bodies["https://elsewhere.example"]) == {
        "error": "the CORS preflight was refused; not allowed here: origin (igfrules serve --cors-origin sets the "
                 "origins)",
        "research_only": True}
