"""The knowledge base: its models, its loader and checks, its cache, and its trials' status in words.

Owns: the pydantic models of the YAML files (models.py), loading them with every problem located
(loader.py, lines.py) and their cross-references checked (references.py), `igfrules check`
(check.py, verify.py), the per-user cache of loaded knowledge bases (cache.py, file_stamps.py),
a trial's status in words (trialstatus.py), the released versions igfrules ships, found by version
or sha256 (releases.py), and reading a release of an older schema as released (compat.py).

The knowledge base never imports what is built from it: the cache stores the derived views it is
given by name (the compiled rules, the report catalog) without importing their builders.

May import: documents, model, engine (to compile its conditions at load), errors.
Never imports: inputs, fhir, evaluation, rendering, cohort, service, cli
"""
