"""Matching: evaluating the condition language for a profile.

Owns: the plain-Python reference evaluator and its explanations (reference.py), the compilation of
conditions into durable_rules patterns (compiler.py, layout.py) and durable_engine.py, the one
module that imports durable_rules. The condition language itself is model/conditions.py: the
knowledge base, the engine and the renderers all read it.

May import: model, errors.
Never imports: documents, inputs, fhir, knowledge, evaluation, rendering, cohort, service, cli
"""
