"""The trusted-issuers file: which CDS clients may call the service, and where their keys are.

CDS Hooks 2.0 ("Trusting CDS Clients") has every call carry a JWT signed with the client's private
key, and services SHOULD allowlist `iss` and `jku`. The file is that allowlist: a list of issuers,
each with exactly one source of public keys:

- `jku`: one URL or a list of URLs of the client's JWK Set (https; http only on a loopback address,
  for local testing). A token's `jku` header must be one of them, exactly; a token without one is
  checked against the keys at these URLs (the set was "communicated out-of-band": here).
- `jwks`: the JWK Set itself, inline.
- `jwks_file`: a JSON file holding the JWK Set, relative to the trusted-issuers file.

The file is read once, strictly: any unknown field, a missing `kid`, a symmetric (`oct`) key or a
private key is an error naming the file and the field, so a mistake stops the service at start
rather than letting a client in or out by surprise. The parsed document comes from the caller
(the command line reads YAML or JSON; a library caller may hand in plain data), so this module
reads JSON only (a `jwks_file`) and never needs the YAML loader.
"""

from __future__ import annotations

import ipaddress
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ...documents.bounded_read import ReadError, read_limited
from ...documents.strict_json import DocumentError, parse_json
from ...errors import InputError, Problem

MAX_JWKS_BYTES = 64 * 1024  # a JWK Set of a few public keys is a few KiB
_ISSUER_FIELDS = {"iss", "jku", "jwks", "jwks_file"}
_KEY_SOURCES = ("jku", "jwks", "jwks_file")
# What a public JWK may carry for each key type; private members (`d`, `p`, ...) are refused.
USABLE_KTY = {"EC": {"crv", "x", "y"}, "RSA": {"n", "e"}}
PRIVATE_MEMBERS = frozenset({"d", "p", "q", "dp", "dq", "qi", "oth", "k"})


@dataclass(frozen=True)
class TrustedIssuer:
    iss: str
    jku: tuple[str, ...] = ()  # allowlisted JWK Set URLs; empty when the keys are given
    keys: tuple[dict[str, Any], ...] = ()  # the public JWKs given in the file (jwks or jwks_file)


@dataclass(frozen=True)
class Trust:
    """The trusted issuers by `iss`, as checked at start; `source` names the file in messages."""

    issuers: dict[str, TrustedIssuer]
    source: str = "<trusted issuers>"

    def to_json(self) -> str:
        """The checked allowlist, keys inlined: what the parent hands a worker process, so every
        worker trusts what the parent checked even if the file changes afterwards."""
        return json.dumps([{"iss": i.iss, **({"jku": list(i.jku)} if i.jku else {"jwks": {"keys": list(i.keys)}})}
                           for i in self.issuers.values()], sort_keys=True)


def is_loopback(host: str) -> bool:
    """A loopback address (127.0.0.0/8, ::1) or the name `localhost`."""
    host = host.strip("[]")
    if host.casefold() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def jku_problem(url: str) -> str | None:
    """Why `url` may not be fetched as a JWK Set, or None: https, or http on a loopback address."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
    except ValueError:
        return "is not a URL"
    if parts.scheme == "https" and host:
        return None
    if parts.scheme == "http" and host and is_loopback(host):
        return None
    return "must be an https:// URL (http:// only on a loopback address, for local testing)"


def trusted_issuers(document: Any, source: str, folder: Path | None = None) -> Trust:
    """The allowlist from a parsed trusted-issuers document; `folder` resolves `jwks_file`.
    Raises InputError listing every problem, each naming `source` and the field."""
    problems: list[Problem] = []
    issuers: dict[str, TrustedIssuer] = {}
    if not isinstance(document, list) or not document:
        raise InputError(Problem(source, "", "expected a non-empty list of trusted issuers, each "
                                             "{iss, jku} or {iss, jwks} or {iss, jwks_file}"))
    for index, entry in enumerate(document):
        where = f"[{index}]"
        try:
            issuer = _issuer(entry, source, where, folder)
        except InputError as err:
            problems.extend(err.problems)
            continue
        if issuer.iss in issuers:
            problems.append(Problem(source, f"{where}.iss", f"{issuer.iss!r} is listed twice; give each issuer "
                                                            "once, with a list of jku URLs if it has several"))
        issuers[issuer.iss] = issuer
    if problems:
        raise InputError(problems)
    return Trust(issuers, source)


def _issuer(entry: Any, source: str, where: str, folder: Path | None) -> TrustedIssuer:
    if not isinstance(entry, dict):
        raise InputError(Problem(source, where, "expected a mapping {iss, jku} or {iss, jwks} or {iss, jwks_file}"))
    problems = [Problem(source, f"{where}.{name}", "unknown field; allowed: iss, jku, jwks, jwks_file")
                for name in sorted(set(entry) - _ISSUER_FIELDS, key=str)]
    iss = entry.get("iss")
    if not isinstance(iss, str) or not iss.strip():
        problems.append(Problem(source, f"{where}.iss", "required: the issuer's URI, exactly as its tokens' iss"))
    given = [name for name in _KEY_SOURCES if name in entry]
    if len(given) != 1:
        problems.append(Problem(source, where, "give exactly one of jku, jwks, jwks_file"
                                               + (f" (found {', '.join(given)})" if given else "")))
    if problems:
        raise InputError(problems)
    assert isinstance(iss, str)  # noqa: S101 - checked above; for the type checker
    if given == ["jku"]:
        urls = entry["jku"] if isinstance(entry["jku"], list) else [entry["jku"]]
        if not urls or not all(isinstance(u, str) for u in urls):
            raise InputError(Problem(source, f"{where}.jku", "expected a URL or a non-empty list of URLs"))
        bad = [Problem(source, f"{where}.jku", f"{url!r} {why}") for url in urls if (why := jku_problem(url))]
        if bad:
            raise InputError(bad)
        return TrustedIssuer(iss, jku=tuple(dict.fromkeys(urls)))
    if given == ["jwks"]:
        return TrustedIssuer(iss, keys=checked_jwks(entry["jwks"], source, f"{where}.jwks"))
    name = entry["jwks_file"]
    if not isinstance(name, str) or not name:
        raise InputError(Problem(source, f"{where}.jwks_file", "expected the path of a JSON JWK Set file"))
    path = (folder or Path()) / name
    try:
        document = parse_json(read_limited(path, MAX_JWKS_BYTES).decode("utf-8"))
    except (ReadError, DocumentError, UnicodeDecodeError) as err:
        raise InputError(Problem(source, f"{where}.jwks_file", f"{path}: cannot read a JSON JWK Set: {err}")) from None
    return TrustedIssuer(iss, keys=checked_jwks(document, str(path), ""))


def checked_jwks(document: Any, source: str, where: str) -> tuple[dict[str, Any], ...]:
    """A JWK Set's public signing keys, strictly: each key needs a `kid`, an EC or RSA `kty`, no
    private members and, if given, `use` sig. Raises InputError naming `source` and the key."""
    if not isinstance(document, dict) or not isinstance(document.get("keys"), list) or not document["keys"]:
        raise InputError(Problem(source, where or "keys", 'expected a JWK Set: {"keys": [ ...public keys... ]}'))
    problems: list[Problem] = []
    keys: list[dict[str, Any]] = []
    kids: set[str] = set()
    for index, key in enumerate(document["keys"]):
        at = f"{where}.keys[{index}]" if where else f"keys[{index}]"
        why = key_problem(key)
        if why is None and key["kid"] in kids:
            why = f"kid {key['kid']!r} is given twice; a kid must pick one key"
        if why is not None:
            problems.append(Problem(source, at, why))
            continue
        kids.add(key["kid"])
        keys.append(public_members(key))
    if problems:
        raise InputError(problems)
    return tuple(keys)


def key_problem(key: Any) -> str | None:
    """Why a JWK cannot verify a client's tokens, or None."""
    if not isinstance(key, dict):
        return "expected a JWK (a JSON object)"
    if not isinstance(key.get("kid"), str) or not key["kid"]:
        return "needs a kid: tokens pick their key by kid"
    kty = key.get("kty")
    if kty == "oct":
        return "a symmetric (oct) key: CDS Hooks refuses symmetric signatures; give the client's public key"
    if kty not in USABLE_KTY:
        return f"kty {kty!r} is not accepted; allowed: EC, RSA"
    if PRIVATE_MEMBERS & set(key):
        return "holds private key members; give the public key only, and treat this private key as exposed"
    missing = sorted(USABLE_KTY[kty] - set(key))
    if missing:
        return f"an {kty} key needs {', '.join(missing)}"
    if key.get("use", "sig") != "sig":
        return f"use {key['use']!r}: only signing keys (use sig) verify tokens"
    return None


def public_members(key: dict[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in key.items() if name not in PRIVATE_MEMBERS}
