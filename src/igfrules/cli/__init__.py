"""The command line: parse, call the library once, render, set the exit code.

Exit codes: 0 evaluated (a case with no rationale is still a success); 1 a case or knowledge-base
error, printed to stderr as `Error: <file>: <field>: <message>`; 2 usage (click's own).

Owns the click group (group.py), the options and error handling every command shares
(options.py, error_output.py) and one module per family of commands. It may import anything in
igfrules, but only when a command runs: the group imports a command's module when that command
is invoked, and each command imports the library code it calls, so that `igfrules evaluate` loads
only what a text report needs and starts at once (the knowledge base comes from the per-user
cache, knowledge/cache.py).

Never imports: engine.durable_engine
"""

from .group import main
from .options import FORMATS, LINE_DETAILS, REPORT_DETAILS

__all__ = ["FORMATS", "LINE_DETAILS", "REPORT_DETAILS", "main"]
