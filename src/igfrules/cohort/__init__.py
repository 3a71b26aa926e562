"""Cohorts: `igfrules batch`, one JSON line per case, in one process or several.

Owns: reading a cohort (folders, files, JSON Lines) and running a job over it in chunks, in order
(batch.py: evaluating; `igfrules diff` brings its own job), its counts (summary.py), the safety of
what it writes: no partial line, a stop record, files that are not what they seem (output.py), and
the worker processes forked from a server that loaded the knowledge base once (worker_server.py
and the two modules its forkserver preloads).

May import: documents, model, inputs, knowledge, evaluation, rendering, errors.
Never imports: service, cli, engine
"""
