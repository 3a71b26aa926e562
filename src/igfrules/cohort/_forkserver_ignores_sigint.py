"""Preloaded by the forkserver that `igfrules batch` starts, never imported anywhere else.

The forkserver imports its preload modules before it saves the signal handlers that every worker
it forks restores, so importing this there makes workers ignore Ctrl-C from their first
instruction: the pool initializer (batch._init_worker) runs a moment later, and a Ctrl-C in
between would print a KeyboardInterrupt traceback from the worker. The parent process handles
Ctrl-C and stops the pool.

A worker still starting when the parent stops finds the pool's semaphore already removed (or its
pipe closed), and the forkserver would print that error's traceback under the parent's own clear
message. Nothing went wrong that the user must know about: those two cases, recognised by where
they are raised, are silent; any other failure of a starting worker (a missing file while it
prepares, say) keeps its traceback. (Only a start can reach this hook: once started, a worker
reports its own exceptions.)
"""

import signal
import sys
import traceback
from types import TracebackType

signal.signal(signal.SIGINT, signal.SIG_IGN)


def _started_after_the_batch_stopped(kind: type[BaseException], error: BaseException,
                                     trace: TracebackType | None) -> None:
    frames = traceback.extract_tb(trace)
    innermost = frames[-1] if frames else None
    stopping = innermost is not None and (
        # the pool's semaphore, already removed by the parent, rebuilt as the worker reads its start data
        (issubclass(kind, FileNotFoundError) and innermost.name == "__setstate__"
         and innermost.filename.endswith("synchronize.py"))
        # the parent's end of the pipe closed while the worker read its start data from it
        or (issubclass(kind, EOFError | ConnectionError) and innermost.name == "_main"
            and innermost.filename.endswith("spawn.py")))
    if not stopping:
        sys.__excepthook__(kind, error, trace)


sys.excepthook = _started_after_the_batch_stopped
