"""Knowledge-base versions compared: what changed in the knowledge base, for a patient, for a cohort,
and whether a report made earlier is what its stamped knowledge base and engine say today.

Owns: the record-by-record changes between two knowledge bases, in words (changes.py); what they
changed in one patient's report, each change tied to the record change that caused it
(patients.py); a cohort streamed like `igfrules batch`, through cohort/'s reading, chunking,
workers and error records (cohort.py); re-verifying a JSON report (verify.py); and these results
in text, Markdown and JSON (words.py). The shipped versions themselves are found by
knowledge/releases.py, below this.

May import: documents, model, inputs, fhir, knowledge, engine (through evaluation), evaluation,
rendering, cohort, errors.
Never imports: service, cli, engine.durable_engine
"""
