"""The CDS Hooks 2.0 service: `igfrules serve`.

Owns: the discovery document and its prefetch templates (hooks.py), reading a hook request's
prefetch into resources (prefetch.py), turning a Report into cards (cards.py), and the FastAPI
app and its server (app.py, server.py).

May import the library's public functions (evaluate, the Report, the fhir mapping, errors); never
durable_rules or the knowledge-base loader: the caller loads the knowledge base once and hands it
in, and one engine serves every request. FastAPI and uvicorn are an install extra
(`igfrules[service]`).
"""
