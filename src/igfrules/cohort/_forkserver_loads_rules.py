"""Preloaded by the forkserver that `igfrules batch` starts (worker_server.start), never imported
anywhere else: it loads the knowledge base in the server, before any worker is forked."""

from .worker_server import preload

preload()
