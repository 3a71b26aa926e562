"""Diffing a cohort against one batch over it (issue 22's target: at most 2.5x).

    python benchmarks/diff_bench.py [--cases 10000] [--rounds 3] [--workers 1] [--old 1.1.0] [--new 1.2.0]

Writes a synthetic cohort (model/synthetic.py, seeded) as JSON Lines, then runs, interleaved and
each `--rounds` times, `igfrules batch COHORT --out FILE` (lines by reference, the default) with
the new knowledge base and `igfrules diff OLD NEW COHORT --format json` with both, each in a
process of its own. The machine is shared, so the ratio is of CPU seconds (user + system of the
process and its workers, from getrusage), median over the rounds; wall seconds are printed beside
it. Exit 1 when the ratio is over 2.5.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from igfrules.model.synthetic import synthetic_cases

TARGET = 2.5


def _run(command: list[str], stdout: Path) -> tuple[float, float]:
    """Wall and CPU seconds (user + system, with the workers) of one run."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    with stdout.open("wb") as handle:
        done = subprocess.run(command, stdout=handle, stderr=subprocess.DEVNULL, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)}: exit {done.returncode}")
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--old", default="1.1.0")
    parser.add_argument("--new", default="1.2.0")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="igfrules-diff-bench-") as folder:
        cohort = Path(folder) / "cohort.jsonl"
        cohort.write_text("".join(json.dumps(case) + "\n" for case in synthetic_cases(args.cases)))
        igfrules = [sys.executable, "-m", "igfrules"]
        workers = ["--workers", str(args.workers)]
        batch = [*igfrules, "batch", str(cohort), "--rules", args.new, "--out", os.path.join(folder, "b.jsonl"),
                 *workers]
        diff = [*igfrules, "diff", args.old, args.new, str(cohort), "--format", "json", *workers]
        _run(batch, Path(folder) / "warm.out")  # the per-user cache holds both knowledge bases from here on
        _run(diff, Path(folder) / "warm.out")
        runs: dict[str, list[tuple[float, float]]] = {"batch": [], "diff": []}
        for _ in range(args.rounds):
            runs["batch"].append(_run(batch, Path(folder) / "batch.out"))
            runs["diff"].append(_run(diff, Path(folder) / "diff.out"))
        lines = sum(1 for _ in (Path(folder) / "diff.out").open("rb"))
        assert lines == args.cases + 2, lines  # the record changes, one line per case, the summary
    cpu = {name: statistics.median(c for _, c in found) for name, found in runs.items()}
    wall = {name: statistics.median(w for w, _ in found) for name, found in runs.items()}
    ratio = cpu["diff"] / cpu["batch"]
    print(f"{args.cases:,} cases, {args.workers} worker(s), median of {args.rounds} rounds")
    for name in ("batch", "diff"):
        print(f"  {name:<5}  CPU {cpu[name]:7.2f} s   wall {wall[name]:7.2f} s")
    verdict = "met" if ratio <= TARGET else "NOT met"
    print(f"  diff / batch, CPU: {ratio:.2f}x (target at most {TARGET}x: {verdict}); wall: "
          f"{wall['diff'] / wall['batch']:.2f}x")
    return 0 if ratio <= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
