"""The patient and report model: what a case is and what an evaluation says.

Owns: the strict pydantic PatientProfile (unknown is a value, never a default) and its fields
(fields.py, patient.py), turning a mapping into a profile or a list of problems (validation.py, with
the fast path for canonical input, typed_input.py), the drug vocabulary (vocabulary.py), the
condition language the knowledge base writes its criteria in (conditions.py), the words of evidence
grading (evidence.py), the consistency warnings of a profile (consistency.py), where each field of
a FHIR-read profile came from (mapping.py), the Report and its verdict (report.py, verdict.py),
building trusted models without revalidation (trusted.py) and seeded synthetic profiles
(synthetic.py).

May import: errors and the standard library, pydantic and PyYAML (the vocabulary's data file).
Never imports: documents, inputs, fhir, knowledge, engine, evaluation, rendering, cohort, service, cli
"""
