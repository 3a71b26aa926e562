"""Mutation testing of the modules where a silent error harms a patient or loses data (issue 23).

    .venv/bin/python benchmarks/mutation.py                 # every module below, in 55 minutes
    .venv/bin/python benchmarks/mutation.py model/verdict.py knowledge/cache.py
    .venv/bin/python benchmarks/mutation.py --total-minutes 120 --resume
    .venv/bin/python benchmarks/mutation.py --list

Tool: cosmic-ray (pip install 'igfrules[mutation]'). It writes each mutant into the module's file
on disk and runs an ordinary test command, so the tests that start `igfrules` as a subprocess, the
batch's forkserver workers and `igfrules serve` all run the mutant too; it keeps its sessions in
SQLite, so a run that stops can be resumed (--resume). (mutmut 3 switches mutants inside the
pytest process and a copied tree, which a subprocess, a forkserver worker or uvicorn started by a
test does not see, and it leaves module-level code and decorated functions alone.)

Each module is mutated in a copy of the repository under --workdir (never in this clone, which
may be edited meanwhile); the copy comes first on PYTHONPATH, so the tests import the mutant.
The relevant tests (MODULES) first run once under coverage, which records which test executes
which line (mutants/choose.py); each mutant then runs only the tests that executed its statement
(the whole list for a statement run at import), fastest first, with pytest -x. Operators are a
fixed, deterministic subset (KEPT_OPERATORS: negated and boundary comparisons, and/or, not,
True/False, numbers, +/-, loops, break/continue, exceptions); cosmic-ray's random variable
replacers and its other operators are left out so that a run of every module fits in an hour on
two cores.

A mutant is killed when its tests fail or run past a minute and 5x their time under coverage
(taken to loop; --resume tries such a kill again).
Survivors listed in EQUIVALENT (by module, operator and the source line's text, with the reason)
are counted as equivalent; the score is killed / (mutants - equivalent). Every other survivor is
printed with its diff in <workdir>/<module>/survivors.txt. Not part of .ci/run: it takes long.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import json
import os
import re
import shlex
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent

from mutants.choose import SETTLE, measure, under  # noqa: E402 - benchmarks/ is sys.path[0] for this script
from mutants.confirm import confirm  # noqa: E402
from mutants.equivalent import EQUIVALENT  # noqa: E402
from mutants.modules import KEPT_OPERATORS, MODULES  # noqa: E402

COPIED = ("src", "tests", "rules", "cases", "docs", "benchmarks", "pyproject.toml", "README.md", "CHANGELOG.md")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("modules", nargs="*", help="modules under src/igfrules/ (default: all in MODULES)")
    parser.add_argument("--total-minutes", type=float, default=55.0,
                        help="wall-clock budget of the whole run (default 55), shared out evenly: what a "
                             "module leaves unused goes to the ones after it; mutants not reached are "
                             "counted as 'not run', never as killed")
    parser.add_argument("--jobs", type=int, default=2,
                        help="modules mutated at once, each in its own copy (default 2, one per core: a mutant's "
                             "runner also waits 2.2 s for its file to settle, time another module can use)")
    parser.add_argument("--minutes", type=float, default=None, help="at most this long per module")
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "igfrules-mutation")
    parser.add_argument("--resume", action="store_true",
                        help="continue the sessions in --workdir: the tests are copied again, mutants not run "
                             "yet are run and survivors are run again (against the tests as they are now)")
    parser.add_argument("--list", action="store_true", help="print the modules and their tests, and stop")
    parser.add_argument("--confirm", action="store_true",
                        help="run each survivor of the sessions in --workdir against its module's whole test "
                             "list (a survivor it kills was missed by the tests chosen for it), then print the "
                             "table; runs no new mutants")
    parser.add_argument("--report", action="store_true",
                        help="print the table of the sessions in --workdir (equivalent mutants as listed now), "
                             "run nothing")
    args = parser.parse_args()
    modules = args.modules or list(MODULES)
    unknown = [m for m in modules if m not in MODULES]
    if unknown:
        parser.error(f"not a module this command knows: {', '.join(unknown)} (known: {', '.join(MODULES)})")
    if args.list:
        for module in modules:
            print(f"{module}: {' '.join(MODULES[module])}")
        return 0
    if args.report or args.confirm:
        done = [m for m in modules if (args.workdir / _slug(m) / "session.sqlite").exists()]
        if args.confirm:
            for module in done:
                _confirm(module, args.workdir)
        _print_table([_tally(m, args.workdir / _slug(m) / "session.sqlite", args.workdir / _slug(m) / "survivors.txt")
                      for m in done])
        return 0
    if shutil.which("cosmic-ray", path=str(BIN)) is None:
        print("cosmic-ray is not installed: pip install -e '.[mutation]'", file=sys.stderr)
        return 2
    deadline = time.monotonic() + args.total_minutes * 60
    measured = _measure(modules, args.workdir)
    if measured is None:
        return 1
    begun, lock = [0], threading.Lock()

    def one(module: str) -> dict[str, object]:
        # What is left of the budget, shared among the modules not begun, `jobs` at a time.
        with lock:
            left = len(modules) - begun[0]
            begun[0] += 1
        budget = (deadline - time.monotonic()) * min(args.jobs, left) / left
        if args.minutes is not None:
            budget = min(budget, args.minutes * 60)
        started = time.monotonic()
        row = run_module(module, args.workdir, max(budget, 0.0), measured, resume=args.resume)
        print(f"   {module}: {(time.monotonic() - started) / 60:.1f} min", flush=True)
        return row

    with ThreadPoolExecutor(args.jobs) as pool:  # each module's tests run in processes of their own
        rows = list(pool.map(one, modules))
    _print_table(rows)
    return 0


def _environment(repo: Path, workdir: Path) -> dict[str, str]:
    """The tests' environment: the copy's code first, a cache folder of the run's own (the mutants'
    knowledge-base cache entries never reach the user's), Ctrl-C as usual."""
    return {**os.environ, "PYTHONPATH": str(repo / "src"), "PYTHONDONTWRITEBYTECODE": "1",
            "IGFRULES_NO_CACHE": "", "XDG_CACHE_HOME": str(workdir / "xdg-cache"),
            "HYPOTHESIS_PROFILE": os.environ.get("HYPOTHESIS_PROFILE", "ci")}


def _measure(modules: list[str], workdir: Path) -> Path | None:
    """Run every test of these modules once under coverage (mutants/choose.py): which test
    executes which line, and whether the tests pass unmutated. Done on every invocation, resumed
    or not, since the tests may have changed."""
    tests = list(dict.fromkeys(t for m in modules for t in MODULES[m]))
    base = workdir / "measure"
    shutil.rmtree(base, ignore_errors=True)
    _copy_repository(base / "repo")
    time.sleep(SETTLE)  # the copy's files must have settled before igfrules is imported (mutants/choose.py)
    print(f"== measuring which test runs which line: {' '.join(tests)}", flush=True)
    started = time.monotonic()
    code, tail = measure(base / "repo", modules, tests, base / "map.json", str(BIN / "python"),
                         _environment(base / "repo", workdir))
    if not (base / "map.json").exists():
        print(tail, f"   the tests could not run (exit {code}); nothing measured", sep="\n", flush=True)
        return None
    print(f"   {time.monotonic() - started:.0f} s under coverage (pytest exit {code})", flush=True)
    return base / "map.json"


def _slug(module: str) -> str:
    return module.replace("/", "-").removesuffix(".py")


def _print_table(rows: list[dict[str, object]]) -> None:
    print()
    print(f"Mutation scores, {datetime.date.today().isoformat()} (cosmic-ray, benchmarks/mutation.py); "
          "score = killed / (killed + survived), equivalent mutants left out")
    print()
    print("| module | mutants | killed | survived | equivalent | not run | score |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for row in rows:
        print("| {module} | {mutants} | {killed} | {survived} | {equivalent} | {pending} | {score} |".format(**row))


def run_module(module: str, workdir: Path, budget: float, measured: Path, *, resume: bool) -> dict[str, object]:
    base = workdir / _slug(module)
    repo, session, config = base / "repo", base / "session.sqlite", base / "config.toml"
    target = f"src/igfrules/{module}"
    if resume and session.exists() and _mutated_text(base, module) != (ROOT / target).read_text(encoding="utf-8"):
        print(f"   {module} changed since its session began: starting again", flush=True)
        resume = False  # the session's mutants name places in the old text
    resumed_timeout = None
    if not (resume and session.exists()):
        shutil.rmtree(base, ignore_errors=True)
        _copy_repository(repo)
    else:  # the rest of the repository may have changed since: survivors get another chance
        shutil.rmtree(repo)
        _copy_repository(repo)
        with sqlite3.connect(session) as db:  # survivors run again, but not those listed as equivalent
            survivors = db.execute(
                "SELECT r.job_id, m.start_pos_row, r.diff FROM work_results r JOIN mutation_specs m "
                "ON m.job_id = r.job_id WHERE r.test_outcome = 'SURVIVED'").fetchall()
            source = (ROOT / target).read_text(encoding="utf-8").splitlines()
            for job, row, diff in survivors:
                if _equivalent(module, source, row, diff) is None:
                    db.execute("DELETE FROM work_results WHERE job_id = ?", (job,))
            # and a kill by time alone is tried again: a loaded machine, not the mutant, may have slowed it
            db.execute("DELETE FROM work_results WHERE output = 'timeout' OR output LIKE '%ran past % s: the mutant%'")
        found = re.search(r"^timeout = ([0-9.]+)$", config.read_text(encoding="utf-8"), re.MULTILINE)
        resumed_timeout = float(found.group(1)) if found else None
    shutil.copy2(ROOT / target, repo / target)  # never a mutant left behind by a stopped run
    shutil.copy2(ROOT / target, base / "pristine.py")  # what the runner compares each mutant with
    env = _environment(repo, workdir)
    tests = MODULES[module]
    print(f"== {module}: {' '.join(tests)}", flush=True)
    outcome = json.loads(measured.read_text(encoding="utf-8"))
    mine = [n for n in outcome["durations"] if under(n, tests)]
    failed = [n for n in outcome["failed"] if under(n, tests)]
    if failed or not mine:  # a score would be meaningless: every mutant would look killed
        print(f"   {module}: its tests fail without any mutant ({', '.join(failed[:5]) or 'none ran'}); no score",
              flush=True)
        return {"module": module, "mutants": "-", "killed": "-", "survived": "-", "equivalent": "-",
                "pending": "-", "score": "tests fail unmutated"}
    # Each mutant runs only the tests that execute its line (mutants/choose.py), which stops them
    # at a minute and 5x their time under coverage; cosmic-ray's own limit is past that.
    whole = sum(outcome["durations"][n] for n in mine)
    timeout = resumed_timeout or 120 + 5 * whole
    command = [str(BIN / "python"), str(ROOT / "benchmarks" / "mutants" / "choose.py"), "run", module, str(repo),
               str(measured), str(base / "pristine.py"), *tests]
    config.write_text(_config(target, shlex.join(command), timeout), encoding="utf-8")
    if resumed_timeout is None:
        _cosmic("cosmic-ray", "init", str(config), str(session), cwd=repo, env=env)
        _cosmic("cr-filter-operators", str(session), str(config), cwd=repo, env=env)
        print(f"   {len(mine)} tests, {whole:.0f} s under coverage; timeout per mutant {timeout:.0f} s", flush=True)
    process = subprocess.Popen([str(BIN / "cosmic-ray"), "exec", str(config), str(session)], cwd=repo, env=env,
                               start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               preexec_fn=_default_sigint)
    try:
        process.wait(timeout=budget)
    except subprocess.TimeoutExpired:
        _stop_tree(process.pid)  # cosmic-ray starts each test run in a session of its own
        process.wait()
        print(f"   stopped after {budget / 60:.0f} min: the rest are 'not run' (--resume continues)", flush=True)
    finally:
        shutil.copy2(ROOT / target, repo / target)
    return _tally(module, session, base / "survivors.txt")


def _confirm(module: str, workdir: Path) -> None:
    base = workdir / _slug(module)
    found = re.search(r"^timeout = ([0-9.]+)$", (base / "config.toml").read_text(encoding="utf-8"), re.MULTILINE)
    source = _mutated_text(base, module).splitlines()
    print(f"== {module}: survivors against {' '.join(MODULES[module])}", flush=True)
    tried, killed = confirm(module, base, MODULES[module], _environment(base / "repo", workdir),
                            float(found.group(1)) if found else 600.0,
                            lambda row, diff: _equivalent(module, source, row, diff))
    print(f"   {tried} survivors tried, {killed} killed by the whole list", flush=True)


def _default_sigint() -> None:
    """Ctrl-C as usual in the tests' processes: a job started in the background by a shell ignores
    SIGINT, its children inherit that, and the tests that stop a batch or a server with SIGINT
    would then see it ignored."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _stop_tree(pid: int) -> None:
    """SIGTERM to a process and every process below it (Linux: read from /proc)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            children.setdefault(int(fields[1]), []).append(int(entry.name))
    tree, todo = [], [pid]
    while todo:
        current = todo.pop()
        tree.append(current)
        todo.extend(children.get(current, []))
    for member in tree:
        with contextlib.suppress(ProcessLookupError):
            os.kill(member, signal.SIGTERM)


def _copy_repository(repo: Path) -> None:
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", ".venv", ".ci-venv", "*.egg-info")
    repo.mkdir(parents=True)
    for name in COPIED:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, repo / name, ignore=ignore, symlinks=True)
        elif source.exists():
            shutil.copy2(source, repo / name)


def _config(target: str, command: str, timeout: float) -> str:
    every = subprocess.run([str(BIN / "cosmic-ray"), "operators"], capture_output=True, text=True,
                           check=True).stdout.split()
    excluded = [re.escape(name) + "$" for name in every if name not in KEPT_OPERATORS]
    return "\n".join([
        "[cosmic-ray]",
        f"module-path = {_toml(target)}",
        f"timeout = {timeout:.1f}",
        "excluded-modules = []",
        f"test-command = {_toml(command)}",
        "",
        "[cosmic-ray.distributor]",
        'name = "local"',
        "",
        "[cosmic-ray.filters.operators-filter]",
        "exclude-operators = [" + ", ".join(_toml(e) for e in excluded) + "]",
        "",
    ])


def _toml(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _cosmic(*command: str, cwd: Path, env: dict[str, str]) -> None:
    subprocess.run([str(BIN / command[0]), *command[1:]], cwd=cwd, env=env, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _equivalent(module: str, source: list[str], row: int, diff: str | None) -> str | None:
    """The reason a surviving mutant is listed as equivalent, or None."""
    line = source[row - 1].strip() if 0 < row <= len(source) else ""
    # (a mutant of a module's last line also shows its blank end again: only lines with text count)
    mutated = [d[1:].strip() for d in (diff or "").splitlines()
               if d.startswith("+") and not d.startswith("+++") and d[1:].strip()]
    listed = {(old, new): why for old, new, why in EQUIVALENT.get(module, [])}
    return listed.get((line, mutated[0] if len(mutated) == 1 else ""))


def _mutated_text(base: Path, module: str) -> str:
    """The module as the session found it: pristine.py, kept beside the session. Not the copy in
    the session's repository, which holds a mutant if a run was killed mid-test."""
    pristine = base / "pristine.py"
    copied = base / "repo" / "src" / "igfrules" / module
    return (pristine if pristine.exists() else copied).read_text(encoding="utf-8")


def _tally(module: str, session: Path, survivors_file: Path) -> dict[str, object]:
    source = _mutated_text(session.parent, module).splitlines()
    with sqlite3.connect(session) as db:
        rows = db.execute(
            "SELECT m.operator_name, m.start_pos_row, r.worker_outcome, r.test_outcome, r.diff "
            "FROM mutation_specs m LEFT JOIN work_results r ON r.job_id = m.job_id").fetchall()
    killed = survived = equivalents = pending = 0
    report = []
    for operator, row, stored_worker, stored_outcome, diff in rows:
        worker = (stored_worker or "").lower() or None  # stored as the enums' names
        outcome = (stored_outcome or "").lower()
        if worker == "skipped":  # an operator left out (KEPT_OPERATORS)
            continue
        if worker is None:
            pending += 1
        elif outcome == "survived":
            why = _equivalent(module, source, row, diff)
            if why is not None:
                equivalents += 1
            else:
                survived += 1
                report.append(f"--- line {row}: {operator}\n{diff}\n")
        else:  # killed, a timeout, or incompetent (the mutant could not even be imported)
            killed += 1
    survivors_file.write_text("\n".join(report), encoding="utf-8")
    mutants = killed + survived + equivalents + pending
    counted = killed + survived
    score = f"{100 * killed / counted:.1f}%" if counted else "-"
    print(f"   {module}: {mutants} mutants: {killed} killed, {survived} survived, {equivalents} equivalent, "
          f"{pending} not run; score {score}; survivors in {survivors_file}", flush=True)
    return {"module": module, "mutants": mutants, "killed": killed, "survived": survived,
            "equivalent": equivalents, "pending": pending, "score": score}


if __name__ == "__main__":
    raise SystemExit(main())
