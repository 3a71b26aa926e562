"""The forkserver's hook for a worker that fails while it starts: silent when the batch had already
stopped (its semaphore or pipe gone), a traceback for anything else."""

from __future__ import annotations

import importlib
import signal
import sys
from typing import Any

import pytest


def _raise_in_spawn_main(error: BaseException) -> Any:
    # A function named _main in a file named spawn.py, as multiprocessing's start of a worker is.
    namespace: dict[str, Any] = {}
    exec(compile("def _main(error):\n    raise error\n", "/usr/lib/python3/multiprocessing/spawn.py", "exec"),  # noqa: S102
         namespace)
    try:
        namespace["_main"](error)
    except BaseException:  # the hook gets whatever was raised
        return sys.exc_info()
    raise AssertionError("not raised")


@pytest.fixture
def hook() -> Any:
    handler = signal.getsignal(signal.SIGINT)
    hook_before = sys.excepthook
    module = importlib.import_module("igfrules._forkserver_ignores_sigint")
    try:
        yield module._started_after_the_batch_stopped
    finally:
        signal.signal(signal.SIGINT, handler)
        sys.excepthook = hook_before


@pytest.mark.parametrize("error", [FileNotFoundError(2, "No such file or directory"), EOFError(),
                                   BrokenPipeError()])
def test_a_worker_that_starts_after_the_batch_stopped_is_silent(hook: Any, error: BaseException,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    hook(*_raise_in_spawn_main(error))
    assert capsys.readouterr().err == ""


def test_any_other_failure_of_a_starting_worker_keeps_its_traceback(hook: Any,
                                                                    capsys: pytest.CaptureFixture[str]) -> None:
    hook(*_raise_in_spawn_main(ValueError("a real bug")))
    err = capsys.readouterr().err
    assert "Traceback" in err and "ValueError: a real bug" in err
    try:
        open("/no/such/file")  # noqa: SIM115 - it fails: FileNotFoundError outside a worker's start
    except FileNotFoundError:
        hook(*sys.exc_info())
    assert "FileNotFoundError" in capsys.readouterr().err
