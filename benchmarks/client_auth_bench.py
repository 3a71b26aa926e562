"""What checking a CDS client's JWT costs a call: p50/p99 of the whole check (auth.py), in process,
for ES384 and RS384 tokens whose keys are cached (the common case: a jku's set is kept 5 minutes).

    python benchmarks/client_auth_bench.py [--calls 2000]

Each call gets a new token (a new jti, as a client sends), signed before timing; the timing covers
parsing, the allowlist, the key, the signature, the claims and the replay cache. Prints a Markdown
table; no assertions.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
import uuid

import jwt
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwt.algorithms import ECAlgorithm, RSAAlgorithm

from igfrules.service.auth import Authenticator
from igfrules.service.auth.trust import trusted_issuers

ISS = "https://ehr.example.org"
AUD = "https://cds.example.org/cds-services/igfrules-igf-axis"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=2000)
    calls = parser.parse_args().calls
    keys = {"ES384": (ec.generate_private_key(ec.SECP384R1()), ECAlgorithm),
            "RS384": (rsa.generate_private_key(public_exponent=65537, key_size=2048), RSAAlgorithm)}
    jwks = [{**algorithm.to_jwk(key.public_key(), as_dict=True), "kid": alg} for alg, (key, algorithm) in keys.items()]
    auth = Authenticator(trusted_issuers([{"iss": ISS, "jwks": {"keys": jwks}}], "<bench>"), "https://cds.example.org")
    print("| alg | calls | p50 ms | p99 ms |\n|---|---|---|---|")
    for alg, (key, _) in keys.items():
        now = int(time.time())
        tokens = [jwt.encode({"iss": ISS, "aud": AUD, "iat": now, "exp": now + 300, "jti": str(uuid.uuid4())},
                             key, algorithm=alg, headers={"kid": alg}) for _ in range(calls)]
        took = asyncio.run(_timed(auth, tokens))
        cuts = statistics.quantiles(took, n=100)
        print(f"| {alg} | {calls} | {cuts[49]:.3f} | {cuts[98]:.3f} |")


async def _timed(auth: Authenticator, tokens: list[str]) -> list[float]:
    took = []
    for token in tokens:
        start = time.perf_counter()
        await auth.verify(f"Bearer {token}", AUD)
        took.append((time.perf_counter() - start) * 1000)
    return took


if __name__ == "__main__":
    main()
