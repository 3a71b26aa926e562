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

import igfrules  # noqa: E402
from igfrules.synthetic import synthetic_cases  # noqa: E402
from igfrules.caseio import profile_from_mapping  # noqa: E402
from igfrules.conditions import evaluate as reference_evaluate  # noqa: E402

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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=20_000)
    parser.add_argument("--memory", type=int, default=200_000)
    parser.add_argument("--cli-runs", type=int, default=10)
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core

    kb = igfrules.load_knowledge_base()
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
    cli = [sys.executable, "-m", "igfrules", "evaluate", str(case_file)]
    walls = []
    for _ in range(args.cli_runs):
        start = time.perf_counter()
        subprocess.run(cli, check=True, capture_output=True)
        walls.append(time.perf_counter() - start)
    print(f"| `igfrules evaluate` one case, cold start (median / max of {args.cli_runs}) | "
          f"{statistics.median(walls):.3f} s / {max(walls):.3f} s |")

    if args.memory:
        pool = synthetic_cases(5_000, seed=7)
        done, at_10k = 0, None
        while done < args.memory:
            igfrules.evaluate(pool[done % len(pool)], kb)
            done += 1
            if done == 10_000:
                at_10k = rss_mib()
        end = rss_mib()
        assert at_10k is not None
        print(f"| resident memory after 10,000 / {args.memory:,} evaluations | {at_10k:.1f} MiB / {end:.1f} MiB "
              f"({(end - at_10k) / at_10k:+.1%}) |")


if __name__ == "__main__":
    main()
