"""Batch never loses a case, never half-writes a file, never hangs, and says when it stopped early.

Every test runs igfrules in a subprocess bounded in time; those that need a limit (file size,
address space) set it in the child with `resource`.
"""

from __future__ import annotations

import json
import os
import resource
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import CASES, RULES

IGFRULES = [sys.executable, "-m", "igfrules"]
ROW = '{"er_status": "positive", "stage": "IV"}\n'


def _run(args: list[str], *, timeout: float = 120, limit: Callable[[], None] | None = None,
         **kwargs: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*IGFRULES, *args, "--rules", str(RULES)], capture_output="stdout" not in kwargs,
                          text=True, check=False, timeout=timeout, preexec_fn=limit, **kwargs)  # type: ignore[call-overload]


def _cohort(tmp_path: Path, n: int) -> Path:
    path = tmp_path / "cohort.jsonl"
    path.write_text(ROW * n)
    return path


def _file_size_limit(size: int) -> Callable[[], None]:
    return lambda: resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))


def test_append_redirection_with_workers_loses_nothing(tmp_path: Path) -> None:
    out = tmp_path / "results.jsonl"
    out.write_text('{"earlier": true}\n')
    with out.open("ab") as handle:  # O_APPEND, as `>>` opens it: sendfile refuses it
        result = _run(["batch", str(_cohort(tmp_path, 300)), "--workers", "2"], stdout=handle, stderr=subprocess.PIPE)
    assert result.returncode == 0, result.stderr
    lines = out.read_text().splitlines()
    assert len(lines) == 301 and json.loads(lines[0]) == {"earlier": True}
    assert all(json.loads(line)["research_only"] for line in lines[1:])


@pytest.mark.parametrize("workers", ["1", "2"])
def test_a_full_disk_says_no_space_left(tmp_path: Path, workers: str) -> None:
    with open("/dev/full", "wb") as full:
        result = _run(["batch", str(_cohort(tmp_path, 40)), "--workers", workers], stdout=full,
                      stderr=subprocess.PIPE)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "No space left on device; the batch stopped before any line was written" in result.stderr


@pytest.mark.parametrize("workers", ["1", "2"])
def test_a_failed_run_leaves_the_old_out_file_as_it_was(tmp_path: Path, workers: str) -> None:
    out = tmp_path / "results.jsonl"
    out.write_text("the previous results\n")
    result = _run(["batch", str(_cohort(tmp_path, 60)), "--out", str(out), "--workers", workers],
                  limit=_file_size_limit(200_000))  # writing past 200 kB fails with EFBIG
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "File too large" in result.stderr and "it was left as it was" in result.stderr
    assert out.read_text() == "the previous results\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cohort.jsonl", "results.jsonl"]  # no temporary left


def test_a_completed_run_replaces_the_out_file_with_its_permissions(tmp_path: Path) -> None:
    out = tmp_path / "results.jsonl"
    out.write_text("old\n")
    out.chmod(0o640)
    result = _run(["batch", str(_cohort(tmp_path, 3)), "--out", str(out), "--workers", "1"])
    assert result.returncode == 0
    assert len(out.read_text().splitlines()) == 3 and out.stat().st_mode & 0o777 == 0o640


def _usual_umask() -> None:
    os.umask(0o022)  # in the child: whatever umask pytest runs under


def test_a_new_out_file_gets_the_usual_permissions_and_is_never_executable(tmp_path: Path) -> None:
    """A new --out file is made as a shell's `>` makes one: read and write as the umask allows
    (not the temporary file's 0600, which would hide results from a team that shares them), and
    never executable. Mutation: `0o666 & ~umask` turned into `0o667 & ~umask` (439) in
    ReplacedFile (cohort/output.py)."""
    out = tmp_path / "results.jsonl"
    result = _run(["batch", str(_cohort(tmp_path, 2)), "--out", str(out), "--workers", "1"],
                  limit=_usual_umask)
    assert result.returncode == 0, result.stderr
    assert len(out.read_text().splitlines()) == 2 and out.stat().st_mode & 0o777 == 0o644


def test_out_to_a_device_is_written_straight_to_it_and_the_run_succeeds(tmp_path: Path) -> None:
    """`--out /dev/null`, a device, is written directly (it cannot be replaced) and the run exits
    0: fsync, which puts a replaced file's data on disk before its new name points at it, is not
    asked of a device, which refuses it (EINVAL). Mutation: `if self.temp is not None:` before
    the fsync turned into `if not self.temp is not None:` in ReplacedFile.commit (cohort/output.py)."""
    result = _run(["batch", str(_cohort(tmp_path, 2)), "--out", "/dev/null", "--workers", "1"])
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "2 cases: 2 evaluated, 0 failed\n")


def _sigint_as_usual() -> None:
    """In the batch's process: Ctrl-C acts, even when pytest runs as a shell's background job
    (which ignores SIGINT, and its children inherit that)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _interrupt(args: list[str], out: Path, after_lines: int) -> subprocess.CompletedProcess[str]:
    """Start a batch writing to a pipe, read until `after_lines` lines have come out, then send
    SIGINT and keep everything it writes in `out`. No sleep: the moment is the output itself."""
    process = subprocess.Popen([*IGFRULES, *args, "--rules", str(RULES)], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, preexec_fn=_sigint_as_usual)  # noqa: PLW1509 - one signal() call
    assert process.stdout is not None
    received = bytearray()
    while received.count(b"\n") < after_lines:
        block = process.stdout.read1(1 << 16)  # blocks until the batch writes (or ends)
        if not block:
            break
        received += block
    process.send_signal(signal.SIGINT)
    rest, stderr = process.communicate(timeout=60)
    out.write_bytes(bytes(received + rest))
    return subprocess.CompletedProcess(args, process.returncode, "", stderr.decode())


def test_ctrl_c_during_a_multi_worker_batch_never_prints_a_traceback(tmp_path: Path) -> None:
    cohort = _cohort(tmp_path, 4_000)
    for attempt, after_lines in enumerate((1, 1_500)):  # a regression of the old race (1 run in 70) needs
        out = tmp_path / f"run{attempt}.jsonl"                # many runs: see the issue note
        result = _interrupt(["batch", *[str(cohort)] * 5, "--workers", "2"], out, after_lines)
        assert "Traceback" not in result.stderr and "KeyboardInterrupt" not in result.stderr, result.stderr
        assert result.returncode == 130
        lines = out.read_text().splitlines()
        records = [json.loads(line) for line in lines]  # every line whole
        trailer = records[-1]
        assert trailer["source"] == "<batch>" and trailer["position"] == len(lines)
        assert f"after {len(lines) - 1:,} complete lines" in trailer["error"]["message"]
        assert f"Error: <stdout>: interrupted; the batch stopped after {len(lines) - 1:,}" in result.stderr


def test_an_interrupted_run_leaves_the_old_out_file_as_it_was(tmp_path: Path) -> None:
    out = tmp_path / "results.jsonl"
    out.write_text("the previous results\n")
    cohort = _cohort(tmp_path, 4_000)
    process = subprocess.Popen([*IGFRULES, "batch", *[str(cohort)] * 5, "--out", str(out), "--workers", "2",
                                "--rules", str(RULES)], stderr=subprocess.PIPE, text=True,
                               preexec_fn=_sigint_as_usual)  # noqa: PLW1509 - one signal() call
    deadline = time.monotonic() + 60  # until the first chunk is in the temporary file: the batch is under way
    while not any(p.name.endswith(".partial") and p.stat().st_size for p in tmp_path.iterdir()) \
            and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.01)  # a poll of the folder (no inotify in the standard library), not a guessed delay
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130 and "Traceback" not in stderr
    assert "it was left as it was" in stderr and out.read_text() == "the previous results\n"


def test_dangling_symlinks_loops_and_fifos_in_a_folder_get_error_records(tmp_path: Path) -> None:
    folder = tmp_path / "cases"
    folder.mkdir()
    (folder / "a.yaml").write_text("er_status: positive\n")
    (folder / "b.yaml").symlink_to(tmp_path / "absent.yaml")
    (folder / "c.yaml").symlink_to(folder / "c.yaml")
    os.mkfifo(folder / "d.yaml")
    result = _run(["batch", str(folder), "--workers", "1"], timeout=60)
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r.get("error", {}).get("message", "ok").split(": ", 1)[-1] for r in records] == [
        "ok", "No such file or directory", "Too many levels of symbolic links",
        "is a named pipe (FIFO), not a regular file; give a file (or '-' for standard input)"]
    assert result.returncode == 1


@pytest.mark.parametrize("command", [["evaluate", "/dev/zero"], ["explain", "RAT-XEN-EVE-EXE", "/dev/zero"],
                                     ["batch", "/dev/zero", "--workers", "1"]])
def test_devices_are_refused_without_reading_them(command: list[str]) -> None:
    def cap_memory() -> None:  # reading /dev/zero unbounded would hit this at once
        resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))

    result = _run(command, timeout=60, limit=cap_memory)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "/dev/zero: is a device, not a regular file" in result.stderr + result.stdout


def test_a_fifo_with_no_writer_never_blocks(tmp_path: Path) -> None:
    fifo = tmp_path / "case.yaml"
    os.mkfifo(fifo)
    result = _run(["evaluate", str(fifo)], timeout=60)
    assert result.returncode == 1 and "named pipe (FIFO)" in result.stderr


@pytest.mark.parametrize(
    ("command", "message"),
    [
        (["evaluate", "{tmp}"], "{tmp}: is a folder, not a regular file"),
        (["evaluate", "/proc/self/mem"], "/proc/self/mem: Input/output error"),  # unreadable, also as root
        (["check", "--rules", "{case}"], "{case}: not a folder holding a knowledge base"),
        (["batch", "{case}", "--out", "{tmp}"], "{tmp}: is a folder; give a file path for the output"),
    ],
)
def test_wrong_kinds_of_path_exit_1_with_the_file_named(tmp_path: Path, command: list[str], message: str) -> None:
    case = str(CASES / "hr-positive-her2-negative-nonvisceral.yaml")
    args = [a.format(tmp=tmp_path, case=case) for a in command]
    result = subprocess.run([*IGFRULES, *args], capture_output=True, text=True, check=False, timeout=60)
    assert result.returncode == 1 and result.stderr.startswith("Error: ")
    assert message.format(tmp=tmp_path, case=case) in result.stderr


@pytest.mark.parametrize(("shell", "message"), [
    ("evaluate - <&-", "<stdin>: standard input is closed"),
    ("batch - <&-", "<stdin>: standard input is closed"),
    ("batch {case} >&-", "<stdout>: standard output is closed"),
    ("evaluate {case} >&-", "<stdout>: standard output is closed"),
])
def test_closed_standard_streams_are_clean_errors(shell: str, message: str) -> None:
    command = " ".join([*IGFRULES, shell.format(case=CASES / "hr-positive-her2-negative-nonvisceral.yaml")])
    result = subprocess.run(["sh", "-c", command], capture_output=True, text=True, check=False, timeout=60)
    assert result.returncode == 1 and result.stderr.startswith(f"Error: {message}"), result.stderr


@pytest.mark.parametrize("workers", ["1", "2"])
def test_a_write_that_fails_mid_chunk_leaves_only_whole_lines_and_counts_them(tmp_path: Path, workers: str) -> None:
    # A file-size limit part-way through the first chunk: the chunk is truncated away, not left
    # cut, and the stop record says how many complete lines are there (none here) on a line of its own.
    out = tmp_path / "results.jsonl"
    with out.open("wb") as stdout:
        result = _run(["batch", str(_cohort(tmp_path, 300)), "--workers", workers, "--detail", "full"],
                      limit=_file_size_limit(200 * 1024), stdout=stdout, stderr=subprocess.PIPE)
    assert result.returncode == 1
    lines = out.read_bytes().splitlines()
    records = [json.loads(line) for line in lines]  # every line parses: none was cut
    assert records[-1]["error"]["type"] == "BatchStopped"
    assert records[-1]["position"] == len(records)  # the first case not written


def test_out_into_a_folder_that_does_not_exist_names_the_path_and_the_reason_only(tmp_path: Path) -> None:
    """The error says why in the system's words, once: not the temporary file's random name, which
    means nothing to the user and differs on every run. Mutation: `err.strerror or err` turned
    into `and` in cohort/output.py (the whole OSError, temporary name and all, was printed)."""
    out = tmp_path / "missing" / "out.jsonl"
    done = _run(["batch", str(_cohort(tmp_path, 2)), "--out", str(out)])
    assert done.returncode == 1
    assert done.stderr.strip() == f"Error: {out}: cannot write beside it: No such file or directory"
    assert not out.parent.exists()
