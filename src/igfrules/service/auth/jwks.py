"""Fetching a client's JWK Set from an allowlisted `jku`: bounded in time and size, and cached.

Only URLs the trusted-issuers file lists are ever fetched (checks.py checks the token's `jku`
against the list before anything here runs), over https, or http on a loopback address (trust.py).
A redirect is not followed: it would fetch a URL nobody allowlisted. The answer is read up to
MAX_JWKS_BYTES and within FETCH_SECONDS, and kept for CACHE_SECONDS, so a client's calls do not
each cost a fetch; a token naming a `kid` the cached set lacks refetches it (a key rotated in), at
most once per REFRESH_SECONDS per URL, so unknown kids cannot make the service hammer a client;
a fetch that failed is not tried again for REFRESH_SECONDS either (the same error is given), so a
client whose URL is down costs one fetch per interval, not one per call.
Keys that cannot verify a CDS Hooks token (symmetric, private, without a kid) are dropped.
Nothing here sees a token.
"""

from __future__ import annotations

import asyncio
import http.client
import logging
import time
import urllib.error
import urllib.request
from typing import Any
from urllib.parse import urlsplit

from ...documents.strict_json import DocumentError, parse_json
from .trust import MAX_JWKS_BYTES, is_loopback, key_problem, public_members

FETCH_SECONDS = 5.0
log = logging.getLogger("igfrules.service")
CACHE_SECONDS = 300.0
REFRESH_SECONDS = 30.0


class JwksUnavailable(Exception):
    """The JWK Set could not be had; the message says why, for the client's error."""


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # urllib then raises HTTPError with the 3xx status


def fetch_jwks(url: str, timeout: float = FETCH_SECONDS) -> list[dict[str, Any]]:
    """The usable public keys at `url` (blocking: run it off the event loop)."""
    handlers: list[Any] = [_NoRedirect()]
    if is_loopback(urlsplit(url).hostname or ""):
        handlers.append(urllib.request.ProxyHandler({}))  # a proxy cannot reach this host's loopback
    opener = urllib.request.build_opener(*handlers)
    request = urllib.request.Request(url, headers={"Accept": "application/json"})  # noqa: S310 - https or loopback http, checked
    try:
        with opener.open(request, timeout=timeout) as response:
            if response.status != 200:
                raise JwksUnavailable(f"the JWK Set URL answered HTTP {response.status}")
            body = _read_within(response, time.monotonic() + 2 * timeout)
    except urllib.error.HTTPError as err:
        err.close()  # the error holds the response: closed now, not when it is collected
        raise JwksUnavailable(f"the JWK Set URL answered HTTP {err.code}") from None
    except (urllib.error.URLError, OSError, ValueError, http.client.HTTPException) as err:  # HTTPException: not HTTP
        # The caller has not yet proved who it is: it learns that the fetch failed, not this host's
        # network errors ('[Errno 111] Connection refused' tells what listens where); the log does.
        reason = getattr(err, "reason", None) or err
        log.warning("the JWK Set URL %s could not be fetched: %s", url, type(reason).__name__)
        raise JwksUnavailable("the JWK Set URL could not be fetched") from None
    if len(body) > MAX_JWKS_BYTES:
        raise JwksUnavailable(f"the JWK Set is over {MAX_JWKS_BYTES:,} bytes")
    try:
        document = parse_json(body.decode("utf-8"))
    except (UnicodeDecodeError, DocumentError):
        raise JwksUnavailable("the JWK Set URL did not answer JSON") from None
    if not isinstance(document, dict) or not isinstance(document.get("keys"), list):
        raise JwksUnavailable('the JWK Set URL did not answer a JWK Set ({"keys": [...]})')
    return [public_members(key) for key in document["keys"] if key_problem(key) is None]


def _read_within(response: Any, deadline: float) -> bytes:
    """The body, at most MAX_JWKS_BYTES + 1 of it, read by what each read brings (read1): the
    socket timeout bounds one read, and `deadline` the whole, so a server that drips its answer a
    byte at a time holds this thread for the deadline, not for hours."""
    parts, size = [], 0
    while size <= MAX_JWKS_BYTES:
        if time.monotonic() > deadline:
            raise JwksUnavailable("the JWK Set URL did not answer in time")
        chunk = response.read1(MAX_JWKS_BYTES + 1 - size)
        if not chunk:
            break
        parts.append(chunk)
        size += len(chunk)
    return b"".join(parts)


class JwksCache:
    """JWK Sets by URL, each kept CACHE_SECONDS; one fetch at a time per URL."""

    def __init__(self, ttl: float = CACHE_SECONDS, refresh: float = REFRESH_SECONDS,
                 timeout: float = FETCH_SECONDS) -> None:
        self.ttl, self.refresh, self.timeout = ttl, refresh, timeout
        self._sets: dict[str, tuple[float, list[dict[str, Any]]]] = {}
        self._locks: dict[str, asyncio.Lock] = {}
        self._failed: dict[str, tuple[float, str]] = {}

    async def key(self, url: str, kid: str) -> dict[str, Any] | None:
        """The key `kid` of the set at `url`, fetched if not cached, stale, or (once per refresh
        interval) missing that kid; None if the set has no such key."""
        lock = self._locks.setdefault(url, asyncio.Lock())
        async with lock:
            now = time.monotonic()
            fetched_at, keys = self._sets.get(url, (float("-inf"), []))
            found = _by_kid(keys, kid)
            stale = now - fetched_at > self.ttl
            if stale or (found is None and now - fetched_at > self.refresh):
                failed = self._failed.get(url)
                if failed is not None and now - failed[0] < self.refresh:
                    raise JwksUnavailable(failed[1])  # not again yet: a client down costs one fetch per interval
                try:
                    keys = await asyncio.to_thread(fetch_jwks, url, self.timeout)
                except JwksUnavailable as err:
                    self._failed[url] = (time.monotonic(), str(err))
                    raise
                self._failed.pop(url, None)
                self._sets[url] = (time.monotonic(), keys)
                found = _by_kid(keys, kid)
            return found


def _by_kid(keys: list[dict[str, Any]], kid: str) -> dict[str, Any] | None:
    return next((key for key in keys if key.get("kid") == kid), None)
