"""Preloaded by the forkserver that `igfrules batch` starts, never imported anywhere else.

The forkserver imports its preload modules before it saves the signal handlers that every worker
it forks restores, so importing this there makes workers ignore Ctrl-C from their first
instruction: the pool initializer (batch._init_worker) runs a moment later, and a Ctrl-C in
between would print a KeyboardInterrupt traceback from the worker. The parent process handles
Ctrl-C and stops the pool.
"""

import signal

signal.signal(signal.SIGINT, signal.SIG_IGN)
