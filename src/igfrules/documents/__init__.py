"""Reading documents safely: bounded in size, strict JSON, safe and strict YAML.

Owns: reading a file or a stream without ever holding more than the limit (bounded_read.py), strict
JSON (strict_json.py: repeated keys, NaN and infinities refused) and safe, strict YAML
(safe_yaml.py: no tags, no aliases, repeated keys refused). Case files, rule files, cohort lines and
CDS Hooks bodies are all read through here, so the knowledge base and the service read documents
without depending on the case readers.

May import: errors and the standard library, PyYAML.
Never imports: model, inputs, fhir, knowledge, engine, evaluation, rendering, cohort, service, cli
"""
