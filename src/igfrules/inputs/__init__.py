"""Reading what a user gives: a case file, bytes or standard input, and the packaged example cases.

Owns: turning a path, bytes or a stream into one document with errors that name the file
(caseio.py) and the example cases shipped in the wheel (examples.py). Deciding whether a document
is case fields or a FHIR Bundle is evaluation/cases.py's, so that inputs/ and fhir/ never import
each other.

May import: documents, model, errors.
Never imports: engine, rendering, fhir, knowledge, evaluation, cohort, service, cli
"""
