"""The CDS Hooks 2.0 service: `igfrules serve`.

Owns: the discovery document and its prefetch templates (hooks.py), fetching what the client did
not prefetch from its fhirServer (fetch.py), reading a hook request's prefetch into resources
(prefetch.py), turning a Report into cards (cards.py), and the FastAPI app and its server (app.py,
server.py); client authentication is its own subpackage (auth/: the trusted issuers, JWK Sets,
the JWT checks and the replay cache), and so is the feedback on cards (feedback/).

May import: model, fhir, evaluation, rendering, documents.strict_json, documents.bounded_read (a
JWK Set file), errors; the knowledge base's type and cache only to hand workers the knowledge base
the parent checked.
Never imports: engine, cli, cohort, documents.safe_yaml, knowledge.loader
"""
