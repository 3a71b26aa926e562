"""CDS clients for the authentication tests: real keys (cryptography), real signed JWTs (PyJWT),
and a real HTTP server on 127.0.0.1 serving their JWK Set for `jku`, which records every path
it was asked for (so a test can see that an unlisted jku was never fetched)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwt.algorithms import ECAlgorithm, RSAAlgorithm

EC_KEY = ec.generate_private_key(ec.SECP384R1())
RSA_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
OTHER_EC_KEY = ec.generate_private_key(ec.SECP384R1())  # a key nobody trusts


def public_jwk(private: Any, kid: str) -> dict[str, Any]:
    algorithm = ECAlgorithm if isinstance(private, ec.EllipticCurvePrivateKey) else RSAAlgorithm
    jwk: dict[str, Any] = algorithm.to_jwk(private.public_key(), as_dict=True)
    return {**jwk, "kid": kid, "use": "sig"}


def public_pem(private: Any) -> bytes:
    return bytes(private.public_key().public_bytes(serialization.Encoding.PEM,
                                                   serialization.PublicFormat.SubjectPublicKeyInfo))


def token(private: Any, alg: str, kid: str, claims: dict[str, Any], **header: Any) -> str:
    return jwt.encode(claims, private, algorithm=alg, headers={"kid": kid, "typ": "JWT", **header})


def claims(iss: str, aud: str, **changed: Any) -> dict[str, Any]:
    now = int(time.time())
    return {"iss": iss, "aud": aud, "iat": now, "exp": now + 300, "jti": str(uuid.uuid4()), **changed}


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def hs256_token(secret: bytes, kid: str, payload: dict[str, Any]) -> str:
    """An HS256 token made by hand: PyJWT itself refuses to HMAC with a PEM public key, which is
    exactly what the algorithm-confusion attack does."""
    signing_input = (_b64(json.dumps({"alg": "HS256", "typ": "JWT", "kid": kid}).encode()) + "."
                     + _b64(json.dumps(payload).encode()))
    signature = hmac.new(secret, signing_input.encode("ascii"), hashlib.sha256).digest()
    return signing_input + "." + _b64(signature)


@dataclass
class JwksServer:
    base: str
    documents: dict[str, tuple[int, bytes, dict[str, str]]]
    asked: list[str] = field(default_factory=list)

    def serve(self, path: str, document: Any, status: int = 200, **headers: str) -> str:
        body = document if isinstance(document, bytes) else json.dumps(document).encode("utf-8")
        self.documents[path] = (status, body, headers)
        return self.base + path


@contextmanager
def jwks_server() -> Iterator[JwksServer]:
    documents: dict[str, tuple[int, bytes, dict[str, str]]] = {}
    asked: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            asked.append(self.path)
            status, body, headers = documents.get(self.path, (404, b"{}", {}))
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield JwksServer(f"http://127.0.0.1:{httpd.server_address[1]}", documents, asked)
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=10)
