"""Completing a hook request's prefetch from the client's FHIR server, as CDS Hooks 2.0 asks.

A key the client omitted, or whose fetch it reports as failed (prefetch.py), is fetched from
`fhirServer` with the discovery document's own template, {{context.patientId}} filled in; a
searchset with a `next` link, prefetched or fetched, is read to its last page. The result is a
prefetch with every key a resource, a whole searchset Bundle (its pages' entries in order, no
`next` link), or null: what the client would have sent had it prefetched everything. The answer
cache keys on that, so an answer computed from fetched data is served again only for the same data.

Trust:
- fhirServer must be `https`, or `http` on a loopback address (127.0.0.0/8, ::1, localhost) for
  local development and tests; anything else is refused (400) before a byte is sent.
- The token is `fhirAuthorization.access_token` with `token_type` Bearer. It is sent only to URLs
  under the fhirServer base: a `next` link elsewhere (another host, port, scheme or path, or a
  path with '.' or '..' segments) is refused, and redirects are not followed. It is never logged,
  cached, or put in an error text; it lives in this request's local variables only. Cookies a
  server sets are never kept.
- Bounded: at most MAX_PAGES pages per key, MAX_RESOURCES entries and MAX_BYTES of responses per
  request, FETCH_SECONDS in all. Over a cap, the request gets 412: a record cut short is never
  evaluated as if whole.

Why a key could not be had is said without patient data: no URL (it holds the patient id), no
server text; only the key, the HTTP status or the kind of failure.
"""

from __future__ import annotations

import asyncio
import functools
import ipaddress
import logging
import re
import ssl
from collections.abc import Mapping
from http.cookiejar import CookieJar, DefaultCookiePolicy
from typing import Any
from urllib.parse import quote, unquote, urljoin, urlsplit

import certifi
import httpx

from ..documents.strict_json import DocumentError, parse_json
from .auth.trust import is_loopback
from .hooks import PREFETCH
from .prefetch import MissingPrefetch, cut_short, failed, next_link

MAX_PAGES = 20  # per key: a chart's searches fit in one to a few pages of any server's default size
MAX_RESOURCES = 10_000  # per request, over every key and page
MAX_BYTES = 16 * 1024 * 1024  # per request, the responses' bodies together
FETCH_SECONDS = 20.0  # the whole fetch of one request, every key and page
TIMEOUT = httpx.Timeout(10.0, connect=5.0)  # one response; FETCH_SECONDS bounds them all
LIMITS = httpx.Limits(max_connections=8, max_keepalive_connections=8)  # per request: its keys at once
FHIR_JSON = "application/fhir+json, application/json;q=0.9"
_HOST = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*\.?")
_FHIR_ID = re.compile(r"[A-Za-z0-9\-.]{1,64}")
_PATIENT_ID = "{{context.patientId}}"  # the one prefetch token the templates use

# httpx logs each request's URL at INFO, and a URL names the patient: never.
for _name in ("httpx", "httpcore"):
    logging.getLogger(_name).setLevel(logging.WARNING)


class Refused(Exception):
    """A request igfrules will not act on (400): the message names the field and what is allowed."""


class _Failed(Exception):
    """One key could not be had; the text says why without patient data."""


def needs_fetching(prefetch: Mapping[str, Any] | None) -> list[str]:
    """The keys to fetch or complete: omitted, failed, or one page of a longer searchset."""
    prefetch = prefetch or {}
    return [key for key in PREFETCH
            if key not in prefetch or failed(prefetch[key]) or next_link(prefetch[key]) is not None]


def server_base(url: Any) -> str:
    """fhirServer without a trailing slash, if igfrules may send a token there; else Refused."""
    if not isinstance(url, str) or not url:
        raise Refused("fhirServer must be the FHIR server's base URL (text)")
    if not url.isprintable():  # a control character, or a lone surrogate httpx cannot encode (a 500 otherwise)
        raise Refused("fhirServer must be a URL without control characters or unpaired surrogates")
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number from 0 to 65535
    except ValueError:  # '[::1', ':x', ':99999'
        raise Refused("fhirServer must be a URL with a valid host and port") from None
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise Refused("fhirServer must be an https URL of the FHIR server's base")
    if parts.username is not None or parts.password is not None or parts.query or parts.fragment:
        raise Refused("fhirServer must be a base URL without user name, password, query or fragment")
    host = parts.hostname
    if len(host) > 253 or not (_HOST.fullmatch(host) or _is_ip(host)):  # the length first: the regex backtracks
        raise Refused("fhirServer must name its host by a DNS name (letters, digits, '-' and '.', at most 253) "
                      "or an IP address")
    if parts.scheme == "http" and not is_loopback(host):
        raise Refused("fhirServer must use https: http is accepted only on a loopback address "
                      "(127.0.0.0/8, ::1, localhost) for local development and tests")
    return url.rstrip("/")


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _is_id(text: str) -> bool:
    """A FHIR id that names one resource in a URL: '.' and '..' match the id pattern, but as a path
    segment `Patient/.` is `Patient/`, a search of every Patient on the server."""
    return bool(_FHIR_ID.fullmatch(text)) and text not in (".", "..")


def bearer_token(authorization: Any) -> str:
    """fhirAuthorization's access token, if it is a Bearer token; else Refused (naming the field,
    never echoing the token)."""
    if not isinstance(authorization, Mapping):
        raise Refused("fhirAuthorization must be an object with access_token and token_type")
    if not isinstance(authorization.get("token_type"), str) or authorization["token_type"].lower() != "bearer":
        raise Refused("fhirAuthorization.token_type must be Bearer")
    token = authorization.get("access_token")
    if not isinstance(token, str) or not token or not token.isprintable() or not token.isascii():
        raise Refused("fhirAuthorization.access_token must be a non-empty token of printable ASCII characters")
    return token


def same_base(url: str, base: str) -> bool:
    """Whether `url` lies under `base`: the same scheme, host and port, and a path below the base's.
    A path with a '.' or '..' segment (percent-encoded too) is not: the HTTP client or the server
    resolves it, and `{base}/../x` would leave the base it starts with."""
    link, root = urlsplit(url), urlsplit(base)
    if any(unquote(segment) in (".", "..") for segment in link.path.split("/")):
        return False
    try:
        ports = (link.port or _DEFAULT_PORTS.get(link.scheme), root.port or _DEFAULT_PORTS.get(root.scheme))
    except ValueError:  # a port that is not a number
        return False
    return (link.scheme == root.scheme and (link.hostname or "") == (root.hostname or "") and ports[0] == ports[1]
            and link.username is None and link.password is None
            and (link.path + "/").startswith(root.path.rstrip("/") + "/"))


_DEFAULT_PORTS = {"https": 443, "http": 80}


@functools.cache
def _tls() -> ssl.SSLContext:
    """The TLS settings every client shares (certificates verified against certifi's CA bundle, as
    httpx does by default): made once, as loading the CA bundle took 40 ms (measured)."""
    return ssl.create_default_context(cafile=certifi.where())


class Fetcher:
    """The caps, and an HTTP client made for each request's fetch and closed after it: pooled
    connections within the request (its keys are fetched at once), nothing shared between requests
    with different tokens, no cookie kept, no environment proxy (the token goes to fhirServer and
    nowhere else), and nothing left open when the server's event loop closes."""

    def __init__(self, *, max_pages: int = MAX_PAGES, max_resources: int = MAX_RESOURCES,
                 max_bytes: int = MAX_BYTES, seconds: float = FETCH_SECONDS) -> None:
        self.max_pages, self.max_resources, self.max_bytes, self.seconds = max_pages, max_resources, max_bytes, seconds

    @staticmethod
    def client() -> httpx.AsyncClient:
        never_kept = CookieJar(DefaultCookiePolicy(allowed_domains=[]))
        return httpx.AsyncClient(timeout=TIMEOUT, limits=LIMITS, follow_redirects=False, trust_env=False,
                                 cookies=never_kept, verify=_tls())


    async def complete(self, hook: Any) -> dict[str, Any]:
        """The request's prefetch with every key whole (module docstring). Raises Refused (400) for
        a fhirServer or fhirAuthorization igfrules may not use, MissingPrefetch (412) naming each
        key that cannot be had and why."""
        prefetch: dict[str, Any] = dict(hook.prefetch or {})
        keys = needs_fetching(prefetch)
        if not keys:
            return prefetch
        if hook.fhirServer is None or getattr(hook, "fhirAuthorization", None) is None:
            raise MissingPrefetch({key: _why_not_fetched(prefetch, key) for key in keys})
        base = server_base(hook.fhirServer)
        token = bearer_token(hook.fhirAuthorization)
        patient_id = hook.context["patientId"]
        if not _is_id(patient_id):
            raise Refused("context.patientId must be a FHIR id (letters, digits, '-' and '.', at most 64, "
                          "not '.' or '..') for igfrules to fetch from fhirServer")
        async with self.client() as client:
            run = _Run(self, client, base, {"Authorization": f"Bearer {token}", "Accept": FHIR_JSON})
            results = await _bounded(self.seconds, [run.key(key, prefetch.get(key), patient_id) for key in keys])
        reasons = {key: str(result) for key, result in zip(keys, results, strict=True) if isinstance(result, _Failed)}
        if reasons:
            raise MissingPrefetch(reasons)
        prefetch.update(zip(keys, results, strict=True))
        return prefetch


def _why_not_fetched(prefetch: Mapping[str, Any], key: str) -> str:
    value = prefetch.get(key)
    if key not in prefetch:
        what = "omitted from prefetch"
    elif failed(value):
        what = "the client's fetch failed (an OperationOutcome)"
    else:
        what = "a searchset with more pages (a next link)"
    return f"{what}, and the request has no fhirServer and fhirAuthorization to fetch it with"


def _read(found: Any, kind: str) -> Any:
    """A read's answer: the resource of the type asked for, or None; else _Failed, so a 412 never
    blames the client for igfrules' own fetch nor takes another answer (a Bundle) as the resource."""
    if found is None or (isinstance(found, Mapping) and found.get("resourceType") == kind):
        return found
    if failed(found):
        raise _Failed("fhirServer reported an error (an OperationOutcome)")
    raise _Failed(f"fhirServer's answer is not a {kind}")


async def _bounded(seconds: float, work: list[Any]) -> list[Any]:
    """Every key's result (a value or _Failed), all within `seconds`; then the rest fail."""
    tasks = [asyncio.ensure_future(w) for w in work]
    done, pending = await asyncio.wait(tasks, timeout=seconds)
    for task in pending:
        task.cancel()
    if pending:
        await asyncio.gather(*pending, return_exceptions=True)
    late = _Failed(f"fhirServer did not answer within {seconds:g} s")
    return [task.result() if task in done else late for task in tasks]


class _Run:
    """One request's fetch: its base, its headers (with the token), and its running totals."""

    def __init__(self, fetcher: Fetcher, client: httpx.AsyncClient, base: str, headers: dict[str, str]) -> None:
        self.fetcher, self.client, self.base, self.headers = fetcher, client, base, headers
        self.resources = 0
        self.bytes = 0

    async def key(self, key: str, given: Any, patient_id: str) -> Any:
        """One key: the prefetched first page completed, or the template fetched; _Failed if not."""
        try:
            if given is not None and not failed(given) and next_link(given) is not None:
                entries = given.get("entry")
                self.resources += len(entries) if isinstance(entries, list) else 0
                return await self._pages(given)
            url = f"{self.base}/{PREFETCH[key].replace(_PATIENT_ID, quote(patient_id, safe=''))}"
            if "?" not in PREFETCH[key]:  # a read: a resource, or null when the server has none
                return _read(await self._get(url, read=True), PREFETCH[key].split("/", 1)[0])
            return await self._search(url, includes="_include=" in PREFETCH[key])
        except _Failed as err:
            return err
        except httpx.InvalidURL:
            return _Failed("a next link is not a valid URL")
        except httpx.TimeoutException:
            return _Failed("fhirServer did not answer in time")
        except httpx.HTTPError as err:  # the type only: an error's text can hold the URL
            return _Failed(f"fhirServer could not be reached ({type(err).__name__})")

    async def _pages(self, first: Any) -> dict[str, Any]:
        """A searchset read to its last page, as one Bundle."""
        page, entries, pages, read = first, [], 1, set()
        while True:
            if not isinstance(page, Mapping) or page.get("resourceType") != "Bundle" or failed(page):
                raise _Failed("fhirServer's answer is not a searchset Bundle" if not failed(page)
                              else "fhirServer reported an error (an OperationOutcome in the searchset)")
            found = page.get("entry", [])
            if not isinstance(found, list):
                raise _Failed("fhirServer's searchset has an entry that is not a list")
            entries.extend(found)
            link = next_link(page)
            if link is None:
                if cut_short(page):
                    raise _Failed("fhirServer's searchset has a next link without a URL: igfrules does not "
                                  "evaluate a record cut short")
                break
            if pages >= self.fetcher.max_pages:
                raise _Failed(f"more than {self.fetcher.max_pages} pages: igfrules does not evaluate a record "
                              "cut short")
            try:  # '[::1' or a lone surrogate: urljoin, urlsplit or httpx's encoding raises ValueError
                url = urljoin(self.base + "/", link)
                url.encode("utf-8")  # a lone surrogate cannot be sent
                inside = same_base(url, self.base)
            except ValueError:
                raise _Failed("a next link is not a valid URL") from None
            if not inside:
                raise _Failed("a next link leads outside fhirServer; the token is sent to fhirServer only")
            if url in read:  # a loop: the same entries again, until the page cap
                raise _Failed("a next link leads back to a page already read")
            read.add(url)
            page = await self._get(url)
            pages += 1
        bundle = {k: v for k, v in first.items() if k not in ("link", "entry")}
        bundle["entry"] = entries
        return bundle

    async def _search(self, url: str, *, includes: bool) -> dict[str, Any]:
        bundle = await self._pages(await self._get(url))
        if includes:
            await self._included(bundle)
        return bundle

    async def _included(self, bundle: dict[str, Any]) -> None:
        """The Medications the search's entries name and the server did not include (a server may
        ignore `_include`; Medplum's in-memory repository does): read one by one, each added as an
        included entry; one the server does not have stays unresolved (a medicine not recognised)."""
        entries = bundle["entry"]
        present = {f"{r.get('resourceType')}/{r.get('id')}" for e in entries if isinstance(e, Mapping)
                   and isinstance(r := e.get("resource"), Mapping)}
        wanted: list[str] = []
        for entry in entries:
            resource = entry.get("resource") if isinstance(entry, Mapping) else None
            reference = resource.get("medicationReference") if isinstance(resource, Mapping) else None
            text = reference.get("reference") if isinstance(reference, Mapping) else None
            if not isinstance(text, str):
                continue
            if text.startswith(self.base + "/"):
                text = text[len(self.base) + 1:]
            kind, _, ident = text.partition("/")
            if kind == "Medication" and _is_id(ident) and text not in present and text not in wanted:
                wanted.append(text)
        for name in wanted:
            found = await self._get(f"{self.base}/{name}", read=True)
            if isinstance(found, Mapping) and found.get("resourceType") == "Medication":
                self.resources += 1
                entries.append({"fullUrl": f"{self.base}/{name}", "resource": found, "search": {"mode": "include"}})
        if self.resources > self.fetcher.max_resources:
            raise _Failed(f"more than {self.fetcher.max_resources:,} resources: igfrules does not evaluate a "
                          "record cut short")

    async def _get(self, url: str, *, read: bool = False) -> Any:
        fetcher = self.fetcher
        async with self.client.stream("GET", url, headers=self.headers) as response:
            if read and response.status_code in (404, 410):
                return None
            if response.status_code in (401, 403):
                raise _Failed(f"fhirServer refused the token (HTTP {response.status_code})")
            if response.status_code != 200:
                raise _Failed(f"fhirServer answered HTTP {response.status_code}")
            chunks = []
            async for chunk in response.aiter_bytes():
                self.bytes += len(chunk)
                if self.bytes > fetcher.max_bytes:
                    raise _Failed(f"fhirServer's answers are over {fetcher.max_bytes:,} bytes")
                chunks.append(chunk)
        try:
            data = parse_json(b"".join(chunks).decode("utf-8"))
        except (UnicodeDecodeError, DocumentError):
            raise _Failed("fhirServer's answer is not JSON") from None
        if isinstance(data, Mapping) and data.get("resourceType") == "Bundle":
            entries = data.get("entry")
            self.resources += len(entries) if isinstance(entries, list) else 0
        if self.resources > fetcher.max_resources:
            raise _Failed(f"more than {fetcher.max_resources:,} resources: igfrules does not evaluate a record "
                          "cut short")
        return data
