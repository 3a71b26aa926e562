"""Which tests run against a mutant: those that executed the mutated line (benchmarks/mutation.py).

Running every relevant test folder against every mutant is what made a run of the modules take
hours: a surviving mutant cost the whole of tests/fhir (25-40 s) although most of those tests
never reach its line. So, once per run, the tests of every module are run under coverage.py, with
each test's node id as the coverage context, in the tests' own process and in every Python
process they start (`igfrules` subprocesses, batch workers, `igfrules serve`): the context comes
from the environment (IGFRULES_MUTATION_TEST, set by the pytest plugin below) through
COVERAGE_PROCESS_START, which coverage.py's .pth file reads at every Python start. The result is a
map: module -> line -> the tests that executed it, and how long each test took.

For each mutant cosmic-ray runs `choose.py run`, which finds the line that differs from
the unmutated module, and runs:

- the tests that executed that line's statement, fastest first, with pytest -x;
- the module's whole test list (modules.MODULES) when the statement runs at import (module level,
  a `def` or `class` line, a decorator, a default argument): its effect reaches tests that never
  execute it again, so coverage cannot say who depends on it;
- the whole list too when the statement was executed only outside any test (by a process that did
  not get the test's environment);
- nothing when no test executed it: no test can notice a change in a line it never runs, and the
  mutant survives (it is reported, never counted as killed).

Before the tests start it waits until the mutated file is SETTLE seconds old: igfrules turns its
knowledge-base cache off when its own code changed less than 2 s before it was imported
(knowledge/file_stamps.py), and a test that needs the cache would otherwise fail for that reason
alone and count a mutant as killed by chance.

    python benchmarks/mutants/choose.py run <module> <copy> <map> <pristine> <tests...>   # what cosmic-ray runs
"""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from itertools import zip_longest
from pathlib import Path

import pytest

CONTEXT_VARIABLE = "IGFRULES_MUTATION_TEST"
SETTLE = 2.2  # seconds: knowledge/file_stamps.py's SETTLED_NS (2 s) and a margin


def coverage_config(data_file: Path, files: list[Path]) -> str:
    """coverage.py's configuration for the measuring run: every process writes its own data file
    (parallel), named by the test that started it (context from the environment)."""
    include = ",\n    ".join(str(f) for f in files)
    return (
        "[run]\n"
        f"data_file = {data_file}\n"
        "parallel = true\n"
        "concurrency = multiprocessing,thread\n"
        "sigterm = true\n"  # a server a test stops with SIGTERM still writes what it executed
        f"context = ${{{CONTEXT_VARIABLE}}}\n"
        f"include =\n    {include}\n"
    )


class ContextPlugin:
    """Loaded with `-p mutants.choose` in the measuring run: each test's node id becomes the
    coverage context of its setup, call and teardown, in this process and (through the
    environment) in every process it starts; the durations are written for the runner's order."""

    def __init__(self) -> None:
        self.durations: dict[str, float] = {}
        self.failed: set[str] = set()

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_protocol(self, item: pytest.Item) -> Iterator[None]:
        import coverage

        current = coverage.Coverage.current()
        os.environ[CONTEXT_VARIABLE] = item.nodeid
        if current is not None:
            current.switch_context(item.nodeid)
        yield
        os.environ[CONTEXT_VARIABLE] = ""
        if current is not None:
            current.switch_context("")

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        self.durations[report.nodeid] = self.durations.get(report.nodeid, 0.0) + report.duration
        if report.failed:
            self.failed.add(report.nodeid)

    def pytest_sessionfinish(self) -> None:
        target = os.environ.get("IGFRULES_MUTATION_DURATIONS")
        if target:
            Path(target).write_text(json.dumps({"durations": self.durations, "failed": sorted(self.failed)},
                                               sort_keys=True), encoding="utf-8")


def pytest_configure(config: pytest.Config) -> None:
    """The entry point of `-p mutants.choose`."""
    config.pluginmanager.register(ContextPlugin(), "igfrules-mutation-contexts")


def measure(repo: Path, modules: list[str], tests: list[str], out: Path, python: str,
            env: dict[str, str]) -> tuple[int, str]:
    """Run `tests` once in `repo` under coverage; write the map (module -> line -> node ids, each
    test's duration, and the tests that failed) to `out`. Returns pytest's exit code and the end
    of its output. A failing test does not stop the run: only the modules it checks lose their
    score."""
    import coverage

    data = out.parent / "coverage-data"
    data.mkdir(parents=True, exist_ok=True)
    for old in data.iterdir():
        old.unlink()
    files = [repo / "src" / "igfrules" / m for m in modules]
    rc = out.parent / "coverage.rc"
    rc.write_text(coverage_config(data / ".coverage", files), encoding="utf-8")
    durations = out.parent / "durations.json"
    run_env = {**env, "COVERAGE_PROCESS_START": str(rc), CONTEXT_VARIABLE: "",
               "IGFRULES_MUTATION_DURATIONS": str(durations),
               "PYTHONPATH": os.pathsep.join([env["PYTHONPATH"], str(Path(__file__).parents[1])])}
    done = subprocess.run([python, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "mutants.choose",
                           *tests], cwd=repo, env=run_env, capture_output=True, text=True, check=False)
    if not durations.exists():  # pytest did not even get to the end (a collection error)
        return done.returncode or 1, done.stdout[-3000:] + done.stderr[-3000:]
    combined = coverage.Coverage(data_file=str(data / ".coverage"), config_file=str(rc))
    combined.combine(data_paths=[str(data)], keep=False)
    measured = combined.get_data()
    lines: dict[str, dict[str, list[str]]] = {}
    for module, path in zip(modules, files, strict=True):
        by_line = measured.contexts_by_lineno(str(path))
        lines[module] = {str(n): sorted(set(c)) for n, c in sorted(by_line.items())}
    outcomes = json.loads(durations.read_text(encoding="utf-8"))
    out.write_text(json.dumps({"lines": lines, **outcomes}, sort_keys=True), encoding="utf-8")
    return done.returncode, done.stdout[-3000:] + done.stderr[-3000:]


def changed_line(pristine: str, mutated: str) -> int | None:
    """The first line (1-based) where the mutant differs from the module as written."""
    for number, (old, new) in enumerate(zip_longest(pristine.splitlines(), mutated.splitlines()), start=1):
        if old != new:
            return number
    return None


def statement_of(source: str, line: int) -> tuple[range, bool]:
    """The lines of the innermost statement holding `line` (for a compound statement, of its
    header: `if ...:`, `for ...:`, `except ...:`), and whether that statement runs when the module
    is imported (it is not inside a function's body: module level, a class body, a decorator)."""
    found: tuple[range, bool] = (range(line, line + 1), True)

    def visit(node: ast.AST, in_body: bool) -> None:
        nonlocal found
        for child in ast.iter_child_nodes(node):
            start, end = getattr(child, "lineno", None), getattr(child, "end_lineno", None)
            if start is not None and end is not None and not start <= line <= end:
                continue
            if isinstance(child, ast.stmt | ast.excepthandler) and start is not None and end is not None:
                body = getattr(child, "body", None)
                header_end = body[0].lineno - 1 if isinstance(body, list) and body else end
                if line <= max(header_end, start):
                    found = (range(start, max(header_end, start) + 1), not in_body)
                else:
                    found = (range(line, line + 1), not in_body)
            inner = in_body or (isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef)
                                and child.body[0].lineno <= line)
            visit(child, inner)

    visit(ast.parse(source), False)
    return found


def choose(mapping: dict[str, list[str]], durations: dict[str, float], lines: range,
           at_import: bool) -> list[str] | None:
    """The node ids to run, fastest first; None for the module's whole list."""
    if at_import:
        return None
    contexts = {c for n in lines for c in mapping.get(str(n), [])}
    named = [c for c in contexts if c]
    if not named:
        return None if contexts else []
    return sorted(named, key=lambda n: (durations.get(n, 0.0), n))


def run(module: str, repo: Path, map_file: Path, pristine_file: Path, whole: list[str]) -> int:
    target = repo / "src" / "igfrules" / module
    pristine = pristine_file.read_text(encoding="utf-8")
    mutated = target.read_text(encoding="utf-8")
    line = changed_line(pristine, mutated)
    measured = json.loads(map_file.read_text(encoding="utf-8"))
    durations: dict[str, float] = measured["durations"]
    if line is None:
        chosen: list[str] | None = None
        print("no line differs: running the whole list")
    else:
        lines, at_import = statement_of(pristine, line)
        chosen = choose(measured["lines"].get(module, {}), durations, lines, at_import)
        if chosen:  # the module's own tests only: a score must not depend on which modules were measured together
            chosen = [n for n in chosen if under(n, whole)]
        print(f"line {line} (statement at {lines.start}{', run at import' if at_import else ''}): "
              f"{'the whole list' if chosen is None else f'{len(chosen)} tests'}")
    if chosen == []:
        print("no test of this module executes this line: the mutant survives")
        return 0
    settled = max(target.stat().st_mtime, target.stat().st_ctime) + SETTLE
    time.sleep(max(0.0, settled - time.time()))
    tests = whole if chosen is None else chosen
    # A minute and five times what these tests took under coverage (itself slower than a plain
    # run): a mutant past that has made them loop, not merely run on a busy machine.
    limit = 60 + 5 * sum(d for n, d in durations.items() if (n in tests if chosen else under(n, whole)))
    command = [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", *tests]
    try:
        return subprocess.run(command, cwd=repo, check=False, timeout=limit).returncode
    except subprocess.TimeoutExpired:
        print(f"the tests ran past {limit:.0f} s: the mutant is taken to loop (killed)")
        return 1


def under(nodeid: str, tests: list[str]) -> bool:
    """Whether a test's node id is one of `tests` (files or folders)."""
    path = nodeid.split("::", 1)[0]
    return any(path == t or path.startswith(t.rstrip("/") + "/") for t in tests)


def main() -> int:
    if len(sys.argv) >= 2 and sys.argv[1] == "run":
        module, repo, map_file, pristine = sys.argv[2:6]
        return run(module, Path(repo), Path(map_file), Path(pristine), sys.argv[6:])
    print(__doc__)
    return 2


if __name__ == "__main__":
    raise SystemExit(main())
