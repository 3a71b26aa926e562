"""The per-case path: a case and a knowledge base become a Report.

Owns: telling a case file from a FHIR Bundle (cases.py), loading a knowledge base ready to evaluate
(loading.py), the parts of a report no case changes (catalog.py), `evaluate()` itself, which runs
the engine and builds the Report (evaluate.py), and `igfrules explain` (explain.py).

It sits above inputs, fhir, knowledge and engine, and below the two ways igfrules is driven
(cohort/, service/) and the command line.

May import: documents, model, inputs, fhir, knowledge, engine, rendering (explain's words), errors.
Never imports: cohort, service, cli
"""
