"""The forkserver's hook for a worker that fails while it starts: silent when the batch had already
stopped (its semaphore or pipe gone), a traceback for anything else."""

from __future__ import annotations

import importlib
import signal
import sys
from typing import Any

import pytest


def _raised_in(filename: str, function: str, error: BaseException) -> Any:
    # A function of that name in a file of that name, as multiprocessing's start of a worker has them.
    namespace: dict[str, Any] = {}
    exec(compile(f"def {function}(error):\n    raise error\n", f"/usr/lib/python3/multiprocessing/{filename}",  # noqa: S102
                 "exec"), namespace)
    try:
        namespace[function](error)
    except BaseException:  # the hook gets whatever was raised
        return sys.exc_info()
    raise AssertionError("not raised")


@pytest.fixture
def hook() -> Any:
    handler = signal.getsignal(signal.SIGINT)
    hook_before = sys.excepthook
    module = importlib.import_module("igfrules.cohort._forkserver_ignores_sigint")
    try:
        yield module._started_after_the_batch_stopped
    finally:
        signal.signal(signal.SIGINT, handler)
        sys.excepthook = hook_before


@pytest.mark.parametrize(("where", "error"), [
    (("synchronize.py", "__setstate__"), FileNotFoundError(2, "No such file or directory")),  # the semaphore
    (("spawn.py", "_main"), EOFError()),  # the pipe, closed
    (("spawn.py", "_main"), BrokenPipeError()),
])
def test_a_worker_that_starts_after_the_batch_stopped_is_silent(
        hook: Any, where: tuple[str, str], error: BaseException, capsys: pytest.CaptureFixture[str]) -> None:
    hook(*_raised_in(*where, error))
    assert capsys.readouterr().err == ""


@pytest.mark.parametrize(("where", "error"), [
    (("spawn.py", "_main"), FileNotFoundError(2, "the main script is gone")),  # e.g. while preparing
    (("spawn.py", "prepare"), EOFError()),
])
def test_the_same_errors_raised_elsewhere_keep_their_traceback(
        hook: Any, where: tuple[str, str], error: BaseException, capsys: pytest.CaptureFixture[str]) -> None:
    hook(*_raised_in(*where, error))
    assert "Traceback" in capsys.readouterr().err


def test_any_other_failure_of_a_starting_worker_keeps_its_traceback(hook: Any,
                                                                    capsys: pytest.CaptureFixture[str]) -> None:
    hook(*_raised_in("spawn.py", "_main", ValueError("a real bug")))
    err = capsys.readouterr().err
    assert "Traceback" in err and "ValueError: a real bug" in err
    try:
        open("/no/such/file")  # noqa: SIM115 - it fails: FileNotFoundError outside a worker's start
    except FileNotFoundError:
        hook(*sys.exc_info())
    assert "FileNotFoundError" in capsys.readouterr().err
