"""Card feedback: the two small code systems the cards carry (card topics, override reasons), the
SQLite store of the cards issued and the feedback received about them, the feedback endpoint's body
checks, and the curators' review queue read from that store.

Kept apart from the cards so that a curator's command (`igfrules feedback`) reads the store without
the web framework, and the service writes it without the command line.

May import: the standard library (sqlite3), pydantic, errors.
Never imports: engine, cli, cohort, fhir, evaluation, rendering, documents.safe_yaml, knowledge.loader
"""
