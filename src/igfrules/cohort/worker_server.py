"""The forkserver that `igfrules batch` forks its workers from: started early, warmed once.

Each worker used to start from a bare interpreter's state: import igfrules, load the knowledge
base (unpickle it from the per-user cache, compile its durable rules) and build the report
builder on its first case, about 0.15 s of CPU each, all of it on the path to its first line.
The command line now starts the server before it loads the knowledge base itself (the server's
imports run on the other core meanwhile), and the server loads the same knowledge base once
before it forks anyone: workers are born with it. The folder is handed over in an environment
variable set only while the server is spawned (a preload module takes no arguments).

A worker still checks the sha256 the parent computed, and loads the files itself when the server
had none or another (the server's own failure is silent: the worker reports it, as before).
"""

from __future__ import annotations

import os
from multiprocessing import forkserver

from ..evaluation.loading import load_knowledge_base
from ..knowledge.loader import KnowledgeBase

RULES_VARIABLE = "IGFRULES_FORKSERVER_RULES"
_PRELOAD = ["igfrules.cohort._forkserver_ignores_sigint", "igfrules.cohort.batch",
            "igfrules.cohort._forkserver_loads_rules"]

preloaded: KnowledgeBase | None = None  # in the server, and so in every worker forked from it


def start(rules: str) -> None:
    """Start the server now, in this process's forkserver context, with `rules` loaded in it."""
    forkserver.set_forkserver_preload(_PRELOAD)
    previous = os.environ.get(RULES_VARIABLE)
    os.environ[RULES_VARIABLE] = rules
    try:
        forkserver.ensure_running()
    finally:
        if previous is None:
            del os.environ[RULES_VARIABLE]
        else:
            os.environ[RULES_VARIABLE] = previous


def preload() -> None:
    """In the server: load the knowledge base it was handed, and evaluate an empty case once so
    that the report builder and the line writer's shared fragments are built before the fork."""
    global preloaded
    rules = os.environ.pop(RULES_VARIABLE, None)
    if rules is None:
        return
    try:
        from ..evaluation.evaluate import evaluate
        from ..rendering.reference_line import reference_line_bytes

        kb = load_knowledge_base(rules, use_cache=True)
        reference_line_bytes(evaluate({}, kb))
    except Exception:
        return
    preloaded = kb


def knowledge_base(rules: str, sha256: str) -> KnowledgeBase | None:
    """The server's knowledge base, if it is the one the parent loaded."""
    if preloaded is not None and str(preloaded.path) == rules and preloaded.sha256 == sha256:
        return preloaded
    return None
