"""Benchmarks for the speed targets of the issues. Prints a Markdown table; no assertions.

    python benchmarks/bench.py [--cases N] [--memory N] [--cli-runs N]

Measures, on one core: rule matching through durable_rules and through the reference evaluator,
igfrules.evaluate() from a dict to a Report, the CLI's cold start for one case, and resident
memory between 10,000 evaluations and --memory evaluations in one process.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

import igfrules
from igfrules.engine.conditions import evaluate as reference_evaluate
from igfrules.inputs.caseio import profile_from_mapping
from igfrules.synthetic import synthetic_cases

ROOT = Path(__file__).resolve().parents[1]


def rate(count: int, seconds: float) -> str:
    return f"{count / seconds:,.0f} cases/s"


def best_of(runs: int, work) -> float:  # type: ignore[no-untyped-def]
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        timings.append(time.perf_counter() - start)
    return min(timings)


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


def batch_run(count: int, workers: int, cores: set[int], rules: str | None,
              mode: str) -> tuple[float, float, int]:
    """Wall time, peak memory and output size of `igfrules batch` over `count` synthetic cases."""
    import json
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        cohort, out = Path(folder) / "cohort.jsonl", Path(folder) / "results.jsonl"
        pool = synthetic_cases(10_000, seed=11)
        with cohort.open("w") as handle:
            for i in range(count):
                handle.write(json.dumps({**pool[i % len(pool)], "case_id": f"c{i}"}) + "\n")
        target = ["--summary"] if mode == "--summary" else ["--out", str(out), *([mode] if mode else [])]
        command = [sys.executable, "-m", "igfrules", "batch", str(cohort), *target,
                   "--workers", str(workers), *(["--rules", rules] if rules else [])]
        start = time.perf_counter()
        process = subprocess.Popen(command, stderr=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                   preexec_fn=(lambda: os.sched_setaffinity(0, cores)) if cores else None)
        peak = 0.0
        while process.poll() is None:
            peak = max(peak, tree_rss_mib(process.pid))
            time.sleep(0.2)
        seconds = time.perf_counter() - start
        size = out.stat().st_size if out.exists() else 0
        if mode != "--summary":
            lines = sum(1 for _ in out.open("rb"))
            assert lines == count, (lines, count)
    return seconds, peak, size


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=20_000)
    parser.add_argument("--memory", type=int, default=200_000)
    parser.add_argument("--cli-runs", type=int, default=10)
    parser.add_argument("--batch", type=int, default=200_000, help="JSONL cases for the batch run (0: skip)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rules", default=None, help="a knowledge-base folder (default: the packaged one)")
    parser.add_argument("--memory-only", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.memory_only:
        memory_only(args.memory_only, args.rules)
        return
    cores = os.sched_getaffinity(0) if hasattr(os, "sched_getaffinity") else set()
    if cores:
        os.sched_setaffinity(0, {min(cores)})  # one core for the in-process measures

    kb = igfrules.load_knowledge_base(args.rules)
    cases = synthetic_cases(args.cases)
    profiles = [profile_from_mapping(c) for c in cases]
    conditions = list(kb.conditions.items())
    engine = kb.engine
    print(f"# igfrules {igfrules.__version__} benchmarks")
    print(f"machine: {platform.machine()}, {platform.processor() or 'cpu'}, Python {platform.python_version()}, "
          f"pinned to one core; knowledge base {kb.meta.name} {kb.meta.version}: {len(conditions)} conditions "
          f"({len(kb.active_entries)} entries, {len(kb.trials)} trials, cautions), "
          f"compiled to {engine.rule_count} durable rules in one ruleset\n")
    print("| measure | result |\n|---|---|")

    seconds = best_of(3, lambda: [engine.evaluate(p) for p in profiles])
    print(f"| rule matching, durable_rules (profile -> every condition's value) | {rate(len(profiles), seconds)} |")
    seconds = best_of(3, lambda: [{n: reference_evaluate(c, p) for n, c in conditions} for p in profiles])
    print(f"| rule matching, reference evaluator (same work) | {rate(len(profiles), seconds)} |")
    seconds = best_of(3, lambda: [profile_from_mapping(c) for c in cases])
    print(f"| case validation only (dict -> PatientProfile) | {rate(len(cases), seconds)} |")
    seconds = best_of(3, lambda: [igfrules.evaluate(c, kb) for c in cases])
    print(f"| igfrules.evaluate() dict -> Report | {rate(len(cases), seconds)} |")
    seconds = best_of(3, lambda: [igfrules.evaluate(c, kb).to_json() for c in cases])
    print(f"| igfrules.evaluate() dict -> Report -> JSON text | {rate(len(cases), seconds)} |")

    case_file = ROOT / "cases" / "hr-positive-her2-negative-nonvisceral.yaml"
    rules = ["--rules", args.rules] if args.rules else []
    cli = [sys.executable, "-m", "igfrules", "evaluate", str(case_file), *rules]
    walls = []
    for _ in range(args.cli_runs):
        start = time.perf_counter()
        subprocess.run(cli, check=True, capture_output=True)
        walls.append(time.perf_counter() - start)
    print(f"| `igfrules evaluate` one case, cold start (median / max of {args.cli_runs}) | "
          f"{statistics.median(walls):.3f} s / {max(walls):.3f} s |")

    if args.batch:
        for count in sorted({args.batch // 4, args.batch}):
            for mode in ("--summary", "--compact", ""):
                seconds, peak, size = batch_run(count, args.workers, cores, args.rules, mode)
                what = {"--summary": "summary only", "--compact": "compact lines", "": "full reports"}[mode]
                print(f"| `igfrules batch {mode or '--out'}` {count:,} JSONL cases, {what}, {args.workers} workers, "
                      f"end to end | {rate(count, seconds)}; {size / 2**20:,.0f} MiB written; peak resident "
                      f"memory {peak:.0f} MiB (parent + workers) |")

    if args.memory:
        # In a fresh process, so that nothing measured above weighs on the figure.
        rules = ["--rules", args.rules] if args.rules else []
        result = subprocess.run([sys.executable, __file__, "--memory-only", str(args.memory), *rules],
                                capture_output=True, text=True, check=True)
        print(result.stdout, end="")


def memory_only(evaluations: int, rules: str | None) -> None:
    kb = igfrules.load_knowledge_base(rules)
    pool = synthetic_cases(5_000, seed=7)
    at_10k = 0.0
    for done in range(1, evaluations + 1):
        igfrules.evaluate(pool[done % len(pool)], kb)
        if done == 10_000:
            at_10k = rss_mib()
    end = rss_mib()
    print(f"| resident memory after 10,000 / {evaluations:,} evaluations in one process | "
          f"{at_10k:.1f} MiB / {end:.1f} MiB ({(end - at_10k) / at_10k:+.1%}) |")

if __name__ == "__main__":
    main()
