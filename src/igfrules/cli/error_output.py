"""How a command fails: `Error: ...` lines on stderr and the error's exit code, never a traceback."""

from __future__ import annotations

import sys
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

import click

from ..errors import IgfrulesError, InputError, Problem, printable

F = TypeVar("F", bound=Callable[..., Any])


def reports_errors(command: F) -> F:
    """Turn an IgfrulesError into `Error: ...` lines on stderr and its exit code; no traceback.

    Every message is escaped (errors.printable): a key or file name holding a newline, ESC or a
    bidirectional override cannot forge a line or drive the terminal.
    """

    @wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except BrokenPipeError:
            raise  # the reader left (`igfrules rules | head`): the group ends quietly
        except IgfrulesError as err:
            for problem in err.problems:
                error(str(problem))
            sys.exit(err.exit_code)
        except (OSError, UnicodeError) as err:  # a file we were asked to read or write
            where = getattr(err, "filename", None)
            what = getattr(err, "strerror", None) or str(err)
            error(f"{where}: {what}" if where else what)
            sys.exit(1)

    return wrapper  # type: ignore[return-value]


def error(text: str) -> None:
    if sys.stderr is not None:  # closed: the exit code is all that can be said
        click.echo(f"Error: {printable(text)}", err=True)


def require_stdout() -> None:
    """An error, not silence, when standard output was closed (`>&-`): click would print nothing."""
    if sys.stdout is None:
        raise InputError(Problem("<stdout>", "", "standard output is closed; redirect it or use --out"))
