"""CDS Hooks client authentication: who may call the service, and the signed JWT each call carries.

Owns: the trusted-issuers allowlist (trust.py), JWK Sets fetched from an allowlisted jku
(jwks.py), the JWT checks and the middleware that applies them before routing (checks.py), and the
replay cache of jti values (replay.py). docs/fhir.md, "Client authentication", says the checks in
order and the trust model.

May import: documents.strict_json, documents.bounded_read (a JWK Set file), errors.
Never imports: engine, knowledge, evaluation, fhir, cli, cohort, documents.safe_yaml, the rest of
service (the app wires authentication in; authentication knows nothing of hooks or cards).
"""

from .checks import IAT_WINDOW, Authenticator, ClientAuthentication
from .replay import ReplayCache, ReplayFull, SqliteReplayCache
from .trust import Trust, is_loopback, trusted_issuers

__all__ = ["IAT_WINDOW", "Authenticator", "ClientAuthentication", "ReplayCache", "ReplayFull",
           "SqliteReplayCache", "Trust", "is_loopback", "trusted_issuers"]
