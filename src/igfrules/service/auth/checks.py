"""CDS Hooks client authentication: the signed JWT every call carries, checked before routing.

The checks, in this order, each naming itself in the 401 answer (`check`) and the log, never the
token: `authorization` (a Bearer token is present), `token` (it is a compact JWS), `alg` (an
asymmetric algorithm: ES256/384/512, RS256/384/512, PS256/384/512; `none` and every HMAC
algorithm are refused whatever the key), `typ` (JWT, when given), `kid` (present), `iss` (a
trusted issuer), `jku` (when given, exactly one allowlisted for that issuer), `key` (the issuer's
key with that kid, of the algorithm's type), `signature`, `aud` (the absolute URL called),
`exp`, `iat` (no older than IAT_WINDOW, no more than CLOCK_SKEW ahead), `jti` (present, at most
MAX_JTI_CHARS, and not seen before within the token's life: the replay cache).

The middleware guards every path but a CORS preflight (OPTIONS with Origin and
Access-Control-Request-Method),
which carries no credentials by design: discovery, the service and feedback alike, and answers
401 before any routing, so a path this branch does not serve is guarded the same.
The replay cache (replay.py) is in memory, or in a SQLite file all worker processes share.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import jwt
import orjson
from jwt.algorithms import get_default_algorithms

from ...documents.strict_json import DocumentError, parse_json
from ...errors import printable
from .jwks import JwksCache, JwksUnavailable
from .replay import ReplayCache, ReplayFull, SqliteReplayCache
from .trust import Trust

# CDS Hooks recommends ES384 and RS384; the other asymmetric algorithms PyJWT verifies are
# accepted too. Only these are registered with the verifier, so an HS* token cannot be verified
# with any key, the public key's bytes included (the algorithm-confusion attack).
ALGORITHMS = ("ES256", "ES384", "ES512", "RS256", "RS384", "RS512", "PS256", "PS384", "PS512")
_CURVES = {"ES256": "P-256", "ES384": "P-384", "ES512": "P-521"}
MIN_RSA_BITS = 2048
IAT_WINDOW = 300  # seconds: a token is accepted for at most five minutes after it was issued
CLOCK_SKEW = 30  # seconds of disagreement allowed between the client's clock and ours
MAX_TOKEN_CHARS = 16 * 1024
MAX_JTI_CHARS = 256  # a nonce (a uuid is 36): the replay cache keeps up to REPLAY_ENTRIES of them
_JWS = jwt.PyJWS(algorithms=list(ALGORITHMS))
_VERIFIERS = {name: algorithm for name, algorithm in get_default_algorithms().items() if name in ALGORITHMS}
log = logging.getLogger("igfrules.service")


class AuthFailure(Exception):
    def __init__(self, check: str, message: str, status: int = 401) -> None:
        super().__init__(message)
        self.check, self.message, self.status = check, message, status


@dataclass
class Authenticator:
    """Checks a call's Authorization header against `trust`. `public_url`: the base URL clients
    call (behind a proxy, its public one); None: taken from the request's scheme and Host."""

    trust: Trust
    public_url: str | None = None
    clock: Callable[[], float] = time.time
    jwks: JwksCache = field(default_factory=JwksCache)
    replay: ReplayCache | SqliteReplayCache = field(default_factory=ReplayCache)

    async def verify(self, authorization: str | None, audience: str) -> dict[str, Any]:
        """The verified claims; AuthFailure naming the first check that failed."""
        scheme, _, token = (authorization or "").strip().partition(" ")
        token = token.strip()
        if scheme.casefold() != "bearer" or not token:
            raise AuthFailure("authorization", "every call needs 'Authorization: Bearer <JWT>' (CDS Hooks 2.0, "
                                               "Trusting CDS Clients)")
        if len(token) > MAX_TOKEN_CHARS:
            raise AuthFailure("token", f"the token is over {MAX_TOKEN_CHARS:,} characters")
        try:
            header = _JWS.get_unverified_header(token)
            unverified = parse_json(_JWS.decode_complete(token, options={"verify_signature": False})["payload"]
                                    .decode("utf-8"))
        except (jwt.PyJWTError, UnicodeDecodeError, DocumentError, ValueError):
            raise AuthFailure("token", "the token is not a compact JWS with a JSON header and payload") from None
        if not isinstance(unverified, dict):
            raise AuthFailure("token", "the token's payload is not a JSON object")
        alg = header.get("alg")
        if alg not in ALGORITHMS:
            raise AuthFailure("alg", f"alg {_shown(alg)} is refused: 'none' and symmetric algorithms are never "
                                     f"accepted; allowed: {', '.join(ALGORITHMS)}")
        if "typ" in header and str(header["typ"]).upper() != "JWT":
            raise AuthFailure("typ", f"typ {_shown(header['typ'])} is not JWT")
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid:
            raise AuthFailure("kid", "the token's header has no kid")
        iss = unverified.get("iss")
        issuer = self.trust.issuers.get(iss) if isinstance(iss, str) else None
        if issuer is None:
            raise AuthFailure("iss", f"iss {_shown(unverified.get('iss'))} is not a trusted issuer")
        jku = header.get("jku")
        if jku is not None and jku not in issuer.jku:
            raise AuthFailure("jku", f"jku {_shown(jku)} is not allowlisted for this issuer")
        key = await self._key(issuer.keys, [jku] if jku else list(issuer.jku), kid)
        claims = self._signed(token, alg, key)
        self._claims(claims, audience)
        return claims

    async def _key(self, given: tuple[dict[str, Any], ...], urls: list[str], kid: str) -> dict[str, Any]:
        found = next((k for k in given if k["kid"] == kid), None)
        for url in urls:
            if found is not None:
                break
            try:
                found = await self.jwks.key(url, kid)
            except JwksUnavailable as err:
                raise AuthFailure("jku", str(err)) from None
        if found is None:
            raise AuthFailure("key", f"the issuer has no key with kid {_shown(kid)}")
        return found

    def _signed(self, token: str, alg: str, jwk: dict[str, Any]) -> dict[str, Any]:
        family = "EC" if alg.startswith("ES") else "RSA"
        if jwk["kty"] != family or jwk.get("alg", alg) != alg or (family == "EC" and jwk.get("crv") != _CURVES[alg]):
            raise AuthFailure("key", f"the key {_shown(jwk['kid'])} is not a key for {alg}")
        try:
            key = _VERIFIERS[alg].from_jwk(jwk)
        except (jwt.PyJWTError, ValueError, TypeError):
            raise AuthFailure("key", f"the key {_shown(jwk['kid'])} is not a valid {family} public key") from None
        if family == "RSA" and key.key_size < MIN_RSA_BITS:
            raise AuthFailure("key", f"the key {_shown(jwk['kid'])} is under {MIN_RSA_BITS} bits")
        try:
            payload = _JWS.decode_complete(token, key, algorithms=[alg])["payload"]
        except jwt.InvalidSignatureError:
            raise AuthFailure("signature", "the signature does not verify with the issuer's key") from None
        except jwt.PyJWTError:
            raise AuthFailure("signature", "the token could not be verified") from None
        claims: dict[str, Any] = parse_json(payload.decode("utf-8"))
        return claims

    def _claims(self, claims: dict[str, Any], audience: str) -> None:
        aud = claims.get("aud")
        auds = aud if isinstance(aud, list) else [aud]
        if audience not in auds:
            raise AuthFailure("aud", f"aud must be the URL called, {audience}")
        now = self.clock()
        exp: Any = claims.get("exp")
        iat: Any = claims.get("iat")
        if not _number(exp):
            raise AuthFailure("exp", "exp is required: a number of seconds since the epoch")
        if exp + CLOCK_SKEW < now:
            raise AuthFailure("exp", "the token has expired")
        if not _number(iat):
            raise AuthFailure("iat", "iat is required: a number of seconds since the epoch")
        if iat > now + CLOCK_SKEW:
            raise AuthFailure("iat", f"iat is in the future (more than {CLOCK_SKEW} s of clock skew)")
        if iat < now - IAT_WINDOW - CLOCK_SKEW:
            raise AuthFailure("iat", f"the token was issued more than {IAT_WINDOW} s ago; send a new one per call")
        jti = claims.get("jti")
        if not isinstance(jti, str) or not jti:
            raise AuthFailure("jti", "jti is required: a nonce unique to this token")
        if len(jti) > MAX_JTI_CHARS:
            raise AuthFailure("jti", f"jti is over {MAX_JTI_CHARS} characters; a nonce such as a uuid is enough")
        until = min(exp, iat + IAT_WINDOW) + CLOCK_SKEW
        try:
            first = self.replay.first_use((claims["iss"], jti), until, now)
        except ReplayFull:
            raise AuthFailure("jti", "too many calls in the token window; try again shortly", 503) from None
        if not first:
            raise AuthFailure("jti", "this token was used before (its jti is in the replay cache); send a new "
                                     "token per call")


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _shown(value: Any) -> str:
    """A client's value quoted in a message: escaped, and short."""
    text = printable(repr(value))
    return text if len(text) <= 120 else text[:117] + "..."


class ClientAuthentication:
    """ASGI middleware: every HTTP request but a CORS preflight must carry a valid token."""

    def __init__(self, app: Any, authenticator: Authenticator) -> None:
        self.app, self.authenticator = app, authenticator

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {name.decode("latin-1").lower(): value.decode("latin-1") for name, value in scope["headers"]}
        # A preflight has both headers; with only one, CORSMiddleware passes the request on to the routes.
        if scope["method"] == "OPTIONS" and "origin" in headers and "access-control-request-method" in headers:
            await self.app(scope, receive, send)  # the CORS middleware outside answers it
            return
        try:
            claims = await self.authenticator.verify(headers.get("authorization"), self._audience(scope, headers))
        except Exception as exc:  # a token no check foresaw: refused, and never a 500 with a traceback
            failure = exc if isinstance(exc, AuthFailure) else AuthFailure("token", "the token could not be checked")
            if not isinstance(exc, AuthFailure):
                log.error("unexpected %s while checking a client's token", type(exc).__name__)  # noqa: TRY400
            log.warning("client authentication refused on %s %s: %s check failed", scope["method"],
                        printable(scope["path"]), failure.check)
            await _refuse(send, failure, "authorization" in headers)
            return
        scope.setdefault("state", {})["cds_client"] = {"iss": claims["iss"], "tenant": claims.get("tenant")}
        await self.app(scope, receive, send)

    def _audience(self, scope: dict[str, Any], headers: dict[str, str]) -> str:
        base = self.authenticator.public_url
        if base is None:
            base = f"{scope.get('scheme', 'http')}://{headers.get('host', '')}{scope.get('root_path', '')}"
        return base.rstrip("/") + str(scope["path"])


async def _refuse(send: Any, failure: AuthFailure, had_token: bool) -> None:
    body = orjson.dumps({"error": f"client authentication failed: {failure.message}", "check": failure.check,
                         "research_only": True})
    challenge = 'Bearer realm="igfrules"'
    if had_token and failure.status == 401:
        challenge += f', error="invalid_token", error_description="the {failure.check} check failed"'
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
               (b"www-authenticate", challenge.encode("ascii"))]
    if failure.status == 503:
        headers.append((b"retry-after", b"5"))
    await send({"type": "http.response.start", "status": failure.status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
