"""Benchmarks for the speed targets, as ratios measured side by side in one run. No assertions.

    python benchmarks/bench.py [--cases N] [--batch N] [--cli-runs N] [--memory N]

Prints one Markdown table. The machines are shared and noisy, so every target is a ratio of two
figures taken in the same run: in-process measures are pinned to one core, interleaved round by
round, and timed in CPU seconds of this process (best round of each kept), so that a round in
which other work took the core does not count against it; batch runs and the one-process
evaluate() loop they are compared with are separate processes over the same JSON Lines cohort,
timed by the wall clock (workers run in parallel) and interleaved (best of --batch-rounds); the
command-line start is interleaved with its import floor (median of each, wall and CPU). Rows:
- rule matching: a generated plain-Python function of the same conditions (the floor), the
  reference evaluator, durable_rules; then igfrules.evaluate() (dict -> Report), and with the
  batch line by reference written;
- `igfrules batch` end to end in each mode (summary only, lines by reference, full reports), with
  --workers N (default 2) and with one worker, against one in-process evaluate() loop;
- `igfrules evaluate CASE` from a cold process, against `python -c "import pydantic, yaml, click,
  durable"`, first without and then with the per-user knowledge-base cache;
- resident memory over many evaluations.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import igfrules
from igfrules.engine.reference import evaluate as reference_evaluate
from igfrules.model.synthetic import synthetic_cases
from igfrules.model.validation import profile_from_mapping
from igfrules.rendering.reference_line import reference_line_bytes

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generated_matcher import generated_matcher

ROOT = Path(__file__).resolve().parents[1]
CASE_FILE = ROOT / "cases" / "hr-positive-her2-negative-nonvisceral.yaml"


def interleaved(work: dict[str, Callable[[], Any]], rounds: int) -> dict[str, float]:
    """Best time of each piece of work over `rounds` rounds, the pieces taking turns in each."""
    best = dict.fromkeys(work, float("inf"))
    for _ in range(rounds):
        for name, job in work.items():
            start = time.process_time()
            job()
            best[name] = min(best[name], time.process_time() - start)
    return best


def rss_mib() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def tree_rss_mib(pid: int) -> float:
    """Resident memory of a process and all its descendants (workers may hang off a forkserver)."""
    total, pending = 0.0, [pid]
    while pending:
        each = pending.pop()
        try:  # each thread lists the children it started
            children = [c for task in Path(f"/proc/{each}/task").iterdir()
                        for c in (task / "children").read_text().split()]
            status = Path(f"/proc/{each}/status").read_text().splitlines()
        except OSError:
            continue
        pending += [int(child) for child in children]
        total += sum(int(line.split()[1]) / 1024 for line in status if line.startswith("VmRSS:"))
    return total


def fast_start_env(folder: str) -> dict[str, str]:
    """The environment of an installed igfrules: its modules byte-compiled (pip does that at
    install; this checkout may run with PYTHONDONTWRITEBYTECODE), a private cache folder."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env.update(PYTHONPYCACHEPREFIX=os.path.join(folder, "pycache"), XDG_CACHE_HOME=os.path.join(folder, "xdg"))
    return env


def batch_run(cohort: Path, count: int, workers: int, cores: set[int], rules: str | None,
              mode: str, folder: Path, env: dict[str, str]) -> tuple[float, float, int]:
    """Wall time, peak memory and output size of `igfrules batch` over the cohort."""
    out = folder / "results.jsonl"
    target = ["--summary"] if mode == "summary" else ["--out", str(out), "--detail", mode]
    command = [sys.executable, "-m", "igfrules", "batch", str(cohort), *target,
               "--workers", str(workers), *(["--rules", rules] if rules else [])]
    start = time.perf_counter()
    process = subprocess.Popen(command, stderr=subprocess.DEVNULL, stdout=subprocess.DEVNULL, env=env,
                               preexec_fn=(lambda: os.sched_setaffinity(0, cores)) if cores else None)
    peak = 0.0
    while process.poll() is None:
        peak = max(peak, tree_rss_mib(process.pid))
        time.sleep(0.1)
    seconds = time.perf_counter() - start
    size = 0
    if mode != "summary":
        size = out.stat().st_size
        with out.open("rb") as handle:
            lines = sum(1 for _ in handle)
        assert lines == count, (lines, count)
        out.unlink()
    return seconds, peak, size


def cpu_seconds(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall and CPU (user + system) seconds of one run of a command."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


class Table:
    def __init__(self) -> None:
        print("| measure | result | ratio | target |\n|---|---|---|---|")

    def row(self, measure: str, result: str, ratio: str = "", target: str = "") -> None:
        print(f"| {measure} | {result} | {ratio} | {target} |", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=10_000, help="synthetic cases for the in-process measures")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--batch", type=int, default=50_000, help="JSONL cases for each batch run (0: skip)")
    parser.add_argument("--batch-rounds", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--cli-runs", type=int, default=15)
    parser.add_argument("--memory", type=int, default=100_000, help="evaluations for the memory row (0: skip)")
    parser.add_argument("--rules", default=None, help="a knowledge-base folder (default: the packaged one)")
    parser.add_argument("--memory-only", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--loop-only", default="", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.memory_only:
        memory_only(args.memory_only, args.rules)
        return
    if args.loop_only:
        loop_only(Path(args.loop_only), args.rules)
        return
    cores = os.sched_getaffinity(0) if hasattr(os, "sched_getaffinity") else set()
    if cores:
        os.sched_setaffinity(0, {min(cores)})  # one core for the in-process measures

    kb = igfrules.load_knowledge_base(args.rules)
    cases = synthetic_cases(args.cases)
    profiles = [profile_from_mapping(c) for c in cases]
    conditions = list(kb.conditions.items())
    engine = kb.engine
    match = generated_matcher(kb.conditions, engine)
    facts = [engine.fact(p) for p in profiles]
    disagree = sum(match(engine.fact(p)) != engine.evaluate(p) for p in profiles)
    assert disagree == 0, f"the generated matcher disagrees with the engine on {disagree} cases"
    print(f"# igfrules {igfrules.__version__} benchmarks, one run\n")
    print(f"{time.strftime('%Y-%m-%d', time.gmtime())}; {platform.machine()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}; knowledge base {kb.meta.name} {kb.meta.version}: "
          f"{len(conditions)} conditions, {engine.rule_count} durable rules; {len(cases):,} synthetic cases "
          f"(seeded), in-process rows on one core, CPU time, best of {args.rounds} interleaved rounds.\n")

    n = len(cases)
    best = interleaved({
        "floor_fact": lambda: [match(f) for f in facts],
        "floor": lambda: [match(engine.fact(p)) for p in profiles],
        "reference": lambda: [{name: reference_evaluate(c, p) for name, c in conditions} for p in profiles],
        "durable": lambda: [engine.evaluate(p) for p in profiles],
        "evaluate": lambda: [igfrules.evaluate(c, kb) for c in cases],
        "evaluate_line": lambda: [reference_line_bytes(igfrules.evaluate(c, kb)) for c in cases],
        "evaluate_full": lambda: [igfrules.evaluate(c, kb).model_dump_json() for c in cases],
    }, args.rounds)
    rate = {k: n / v for k, v in best.items()}
    durable = rate["durable"]
    table = Table()

    def in_process(key: str, measure: str, target: str = "") -> None:
        table.row(measure, f"{rate[key]:,.0f} cases/s", f"{rate[key] / durable:.2f}x durable", target)

    in_process("floor_fact", "rule matching, generated plain-Python function, from the fact (matching alone)")
    in_process("floor", "rule matching, generated plain-Python function, from the profile (fact built)")
    in_process("reference", "rule matching, reference evaluator (conditions.py), from the profile")
    in_process("durable", "rule matching, durable_rules (profile -> fact -> every condition's value)")
    in_process("evaluate", "`igfrules.evaluate()`, dict -> Report", ">= 0.6x durable")
    in_process("evaluate_line", "`igfrules.evaluate()` + batch line by reference")
    in_process("evaluate_full", "`igfrules.evaluate()` + full report JSON")

    with tempfile.TemporaryDirectory(prefix="igfrules-bench-") as folder:
        env = fast_start_env(folder)
        if args.batch:
            batch_rows(table, args, cores, env, Path(folder))
        cli_rows(table, args, env)
    if args.memory:
        # In a fresh process, so that nothing measured above weighs on the figure.
        result = subprocess.run([sys.executable, __file__, "--memory-only", str(args.memory),
                                 *(["--rules", args.rules] if args.rules else [])],
                                capture_output=True, text=True, check=True)
        print(result.stdout, end="")


def batch_rows(table: Table, args: argparse.Namespace, cores: set[int], env: dict[str, str], folder: Path) -> None:
    cohort = folder / "cohort.jsonl"
    pool = synthetic_cases(10_000, seed=11)
    with cohort.open("w") as handle:
        for i in range(args.batch):
            handle.write(json.dumps({**pool[i % len(pool)], "case_id": f"c{i}"}) + "\n")
    # One command warms the knowledge-base cache and the byte-compiled modules, as a first use does.
    subprocess.run([sys.executable, "-m", "igfrules", "rules", *(["--rules", args.rules] if args.rules else [])],
                   env=env, stdout=subprocess.DEVNULL, check=True)
    one_core = {min(cores)} if cores else set()
    loop = [sys.executable, __file__, "--loop-only", str(cohort), *(["--rules", args.rules] if args.rules else [])]
    runs: dict[tuple[str, int], list[tuple[float, float, int]]] = {}
    for _ in range(args.batch_rounds):
        start = time.perf_counter()
        pin = (lambda: os.sched_setaffinity(0, one_core)) if cores else None
        subprocess.run(loop, env=env, check=True, preexec_fn=pin)
        runs.setdefault(("loop", 1), []).append((time.perf_counter() - start, 0.0, 0))
        for mode, workers in [(m, args.workers) for m in ("summary", "reference", "full")] + [("reference", 1)]:
            runs.setdefault((mode, workers), []).append(batch_run(
                cohort, args.batch, workers, cores if workers > 1 else one_core, args.rules, mode, folder, env))
    best = {key: min(results) for key, results in runs.items()}
    loop_rate = args.batch / best[("loop", 1)][0]
    table.row(f"one process: read the {args.batch:,} JSONL cases, `igfrules.evaluate()` each (one core)",
              f"{loop_rate:,.0f} cases/s", "1x")
    for (mode, workers), (seconds, peak, size) in best.items():
        if mode == "loop":
            continue
        speed = args.batch / seconds
        what = {"summary": "--summary only", "reference": "lines by reference (default)",
                "full": "--detail full reports"}[mode]
        written = f"; {size / args.batch / 1024:.1f} KiB a case" if size else ""
        target = ">= 1.6x" if (mode, workers) == ("reference", args.workers) else ""
        table.row(f"`igfrules batch` {args.batch:,} JSONL cases, {what}, {workers} worker{'s' * (workers > 1)}, "
                  f"end to end", f"{speed:,.0f} cases/s{written}; peak {peak:.0f} MiB",
                  f"{speed / loop_rate:.2f}x the one-process loop", target)


def loop_only(cohort: Path, rules: str | None) -> None:
    kb = igfrules.load_knowledge_base(rules, use_cache=True)
    with cohort.open("rb") as handle:
        for line in handle:
            igfrules.evaluate(json.loads(line), kb)


def cli_rows(table: Table, args: argparse.Namespace, env: dict[str, str]) -> None:
    rules = ["--rules", args.rules] if args.rules else []
    floor = [sys.executable, "-c", "import pydantic, yaml, click, durable"]
    evaluate = [sys.executable, "-m", "igfrules", "evaluate", str(CASE_FILE), *rules]
    uncached = {**env, "IGFRULES_NO_CACHE": "1"}
    cpu_seconds(evaluate, env)  # byte-compile once and write the cache, as a first use does
    walls: dict[str, list[float]] = {"floor": [], "cached": [], "uncached": []}
    cpus: dict[str, list[float]] = {"floor": [], "cached": [], "uncached": []}
    for _ in range(args.cli_runs):
        for name, command, environment in (("floor", floor, env), ("cached", evaluate, env),
                                           ("uncached", evaluate, uncached)):
            wall, cpu = cpu_seconds(command, environment)
            walls[name].append(wall)
            cpus[name].append(cpu)
    wall = {k: statistics.median(v) for k, v in walls.items()}
    cpu = {k: statistics.median(v) for k, v in cpus.items()}
    table.row("import floor: `python -c \"import pydantic, yaml, click, durable\"` (median)",
              f"{wall['floor']:.3f} s wall, {cpu['floor']:.3f} s CPU", "1x")
    for name, what in (("uncached", "knowledge base parsed (`IGFRULES_NO_CACHE=1`)"),
                       ("cached", "knowledge base from the per-user cache")):
        table.row(f"`igfrules evaluate CASE`, cold process, {what} (median of {args.cli_runs})",
                  f"{wall[name]:.3f} s wall, {cpu[name]:.3f} s CPU",
                  f"{wall[name] / wall['floor']:.2f}x wall, {cpu[name] / cpu['floor']:.2f}x CPU",
                  "<= 2.5x" if name == "cached" else "")


def memory_only(evaluations: int, rules: str | None) -> None:
    kb = igfrules.load_knowledge_base(rules)
    pool = synthetic_cases(5_000, seed=7)
    first = min(10_000, evaluations // 10) or 1  # the baseline: after the caches have filled
    at_first = 0.0
    for done in range(1, evaluations + 1):
        reference_line_bytes(igfrules.evaluate(pool[done % len(pool)], kb))
        if done == first:
            at_first = rss_mib()
    end = rss_mib()
    print(f"| resident memory after {first:,} / {evaluations:,} evaluations (+ lines) in one process | "
          f"{at_first:.1f} / {end:.1f} MiB | {(end - at_first) / at_first:+.1%} | flat |")


if __name__ == "__main__":
    main()
