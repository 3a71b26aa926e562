"""Cohorts: `igfrules batch`, one JSON line per case, in one process or several.

Owns: reading a cohort (folders, files, JSON Lines) and evaluating it (batch.py), the safety of
what it writes: no partial line, a stop record, files that are not what they seem (output.py), and
the worker processes forked from a server that loaded the knowledge base once (worker_server.py
and the two modules its forkserver preloads).

May import: documents, model, inputs, knowledge, evaluation, rendering, errors.
Never imports: service, cli, engine
"""
