"""A deadline for reading one record, which the service sets per request (the library sets none).

Reading is checked against it between resources: validating a resource is the longest step and
is itself bounded, so a request over its time stops within one resource of the deadline and the
service answers 503, ready for the next request. Without a deadline nothing is ever stopped.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_deadline: ContextVar[float | None] = ContextVar("igfrules_fhir_deadline", default=None)


class DeadlinePassed(Exception):
    """Reading a record took longer than the time it was given: not the record's fault."""


@contextmanager
def deadline(seconds: float | None) -> Iterator[None]:
    """Within this block, reading a record stops with DeadlinePassed after `seconds` (None: never)."""
    token = _deadline.set(None if seconds is None else time.monotonic() + seconds)
    try:
        yield
    finally:
        _deadline.reset(token)


def check_deadline() -> None:
    until = _deadline.get()
    if until is not None and time.monotonic() > until:
        raise DeadlinePassed
