"""The trusted-issuers file is read strictly: every mistake is refused at start, naming the file
and the field, so no client is let in or kept out by a typo."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from igfrules.errors import InputError
from igfrules.service.auth.trust import trusted_issuers
from tests.service.signed_clients import EC_KEY, RSA_KEY, public_jwk

EC = public_jwk(EC_KEY, "ec-1")
RSA = public_jwk(RSA_KEY, "rsa-1")


def problems(document: Any, folder: Path | None = None) -> list[str]:
    with pytest.raises(InputError) as raised:
        trusted_issuers(document, "clients.yaml", folder)
    return [str(p) for p in raised.value.problems]


def test_each_source_of_keys_is_read() -> None:
    trust = trusted_issuers([{"iss": "https://a.example", "jku": "https://a.example/jwks.json"},
                             {"iss": "https://b.example", "jku": ["https://b.example/1", "https://b.example/2"]},
                             {"iss": "https://c.example", "jwks": {"keys": [EC, RSA]}}], "clients.yaml")
    assert trust.issuers["https://a.example"].jku == ("https://a.example/jwks.json",)
    assert trust.issuers["https://b.example"].jku == ("https://b.example/1", "https://b.example/2")
    assert [k["kid"] for k in trust.issuers["https://c.example"].keys] == ["ec-1", "rsa-1"]


def test_a_jwks_file_is_read_beside_the_trusted_issuers_file(tmp_path: Path) -> None:
    (tmp_path / "board.jwks.json").write_text(json.dumps({"keys": [EC]}), encoding="utf-8")
    trust = trusted_issuers([{"iss": "https://board.example", "jwks_file": "board.jwks.json"}], "clients.yaml",
                            tmp_path)
    assert trust.issuers["https://board.example"].keys[0]["kid"] == "ec-1"


@pytest.mark.parametrize(("document", "expected"), [
    ([], "clients.yaml: expected a non-empty list of trusted issuers"),
    ({"iss": "x"}, "clients.yaml: expected a non-empty list"),
    (["https://a.example"], "clients.yaml: [0]: expected a mapping"),
    ([{"jku": "https://a.example/k"}], "clients.yaml: [0].iss: required"),
    ([{"iss": "https://a.example"}], "clients.yaml: [0]: give exactly one of jku, jwks, jwks_file"),
    ([{"iss": "https://a.example", "jku": "https://a.example/k", "jwks": {"keys": [EC]}}],
     "give exactly one of jku, jwks, jwks_file (found jku, jwks)"),
    ([{"iss": "https://a.example", "jku": "https://a.example/k", "jwk_url": "x"}],
     "clients.yaml: [0].jwk_url: unknown field; allowed: iss, jku, jwks, jwks_file"),
    ([{"iss": "https://a.example", "jku": "http://a.example/k"}],
     "clients.yaml: [0].jku: 'http://a.example/k' must be an https:// URL (http:// only on a loopback address"),
    ([{"iss": "https://a.example", "jku": []}], "clients.yaml: [0].jku: expected a URL or a non-empty list"),
    ([{"iss": "https://a.example", "jwks": {"keys": [{**EC, "kid": ""}]}}],
     "clients.yaml: [0].jwks.keys[0]: needs a kid"),
    ([{"iss": "https://a.example", "jwks": {"keys": [{"kty": "oct", "kid": "s", "k": "c2VjcmV0"}]}}],
     "clients.yaml: [0].jwks.keys[0]: a symmetric (oct) key"),
    ([{"iss": "https://a.example", "jwks": {"keys": [{**EC, "d": "cHJpdmF0ZQ"}]}}],
     "clients.yaml: [0].jwks.keys[0]: holds private key members"),
    ([{"iss": "https://a.example", "jwks": {"keys": [EC, {**RSA, "kid": "ec-1"}]}}],
     "clients.yaml: [0].jwks.keys[1]: kid 'ec-1' is given twice"),
    ([{"iss": "https://a.example", "jwks": {"keys": [{**EC, "use": "enc"}]}}],
     "clients.yaml: [0].jwks.keys[0]: use 'enc': only signing keys"),
    ([{"iss": "https://a.example", "jwks": {"keys": [{"kty": "RSA", "kid": "r", "e": "AQAB"}]}}],
     "clients.yaml: [0].jwks.keys[0]: an RSA key needs n"),
    ([{"iss": "https://a.example", "jwks": [EC]}], "clients.yaml: [0].jwks: expected a JWK Set"),
    ([{"iss": "https://a.example", "jku": "https://a.example/k"}, {"iss": "https://a.example", "jwks": {"keys": [EC]}}],
     "clients.yaml: [1].iss: 'https://a.example' is listed twice"),
])
def test_a_mistake_is_named_by_file_and_field(document: Any, expected: str) -> None:
    assert any(expected in p for p in problems(document)), problems(document)


def test_every_mistake_is_named_at_once() -> None:
    found = problems([{"iss": "https://a.example"}, {"jku": "https://b.example/k"}])
    assert len(found) == 2


def test_an_unreadable_jwks_file_names_both_files(tmp_path: Path) -> None:
    (tmp_path / "bad.json").write_text("{not json", encoding="utf-8")
    [missing] = problems([{"iss": "https://a.example", "jwks_file": "absent.json"}], tmp_path)
    assert missing.startswith("clients.yaml: [0].jwks_file: ") and "absent.json" in missing
    [bad] = problems([{"iss": "https://a.example", "jwks_file": "bad.json"}], tmp_path)
    assert "bad.json: cannot read a JSON JWK Set" in bad


def test_a_bad_key_in_a_jwks_file_is_named_in_that_file(tmp_path: Path) -> None:
    (tmp_path / "board.json").write_text(json.dumps({"keys": [{"kty": "oct", "kid": "s", "k": "eA"}]}),
                                         encoding="utf-8")
    [found] = problems([{"iss": "https://a.example", "jwks_file": "board.json"}], tmp_path)
    assert found.startswith(f"{tmp_path / 'board.json'}: keys[0]: a symmetric (oct) key")


def test_the_allowlist_handed_to_workers_is_the_one_checked() -> None:
    trust = trusted_issuers([{"iss": "https://a.example", "jku": "https://a.example/k"},
                             {"iss": "https://c.example", "jwks": {"keys": [EC]}}], "clients.yaml")
    again = trusted_issuers(json.loads(trust.to_json()), "clients.yaml")
    assert again == trust
