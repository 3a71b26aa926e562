"""When this process began reading igfrules' code: the package imports this module first.

The per-user knowledge-base cache trusts the stamps of igfrules' own files only if none of them
changed after this moment (knowledge/cache.py, _code_fingerprint): a file changed later may not be the
code this process runs.
"""

import time

IMPORTED_NS = time.time_ns()
