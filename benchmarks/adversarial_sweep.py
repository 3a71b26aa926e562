"""Adversarial sweep (issue 12): hostile inputs by class, and how each run ends. No assertions.

    python benchmarks/adversarial_sweep.py [--sigint-runs N]

Every input runs igfrules in a subprocess with a 3 GiB address-space cap and a timeout, and is
tallied by how it ended: "exit N, Error: line" (a clean error), an error record on stdout, "exit 0",
TRACEBACK or HANG. Takes a few minutes: one class pipes a 1.5 GB line through `batch -`, another
starts N two-worker batches and interrupts each with SIGINT at a random moment.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import random
import re
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RULES = str(ROOT / "rules")
CASE = str(ROOT / "cases" / "hr-positive-her2-negative-nonvisceral.yaml")
IGFRULES = [sys.executable, "-m", "igfrules"]
ENTRY = ROOT / "rules" / "rationales" / "rat-xen-eve-exe.yaml"
Tally = collections.defaultdict[str, collections.Counter[str]]


def _cap_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (3 << 30, 3 << 30))


def _ending(returncode: int, stdout: bytes, stderr: bytes) -> str:
    err = stderr.decode("utf-8", "replace")
    if "Traceback" in err:
        return "TRACEBACK"
    if returncode == 0:
        return "exit 0"
    if err.startswith("Error: ") or "\nError: " in err:
        return f"exit {returncode}, Error: line"
    if b'"error"' in stdout:
        return f"exit {returncode}, error record"
    return f"exit {returncode}, nothing said" + (" (stderr closed)" if not err else f": {err[:60]!r}")


def run(tally: Tally, cls: str, args: list[str], *, timeout: float = 60, stdout: object = subprocess.PIPE,
        pipe_from: list[str] | None = None) -> None:
    try:
        if pipe_from is None:
            done = subprocess.run([*IGFRULES, *args], stdout=stdout, stderr=subprocess.PIPE, timeout=timeout,  # type: ignore[call-overload]
                                  preexec_fn=_cap_memory, check=False)
            ending = _ending(done.returncode, done.stdout or b"", done.stderr)
        else:
            source = subprocess.Popen(pipe_from, stdout=subprocess.PIPE)
            done = subprocess.run([*IGFRULES, *args], stdin=source.stdout, capture_output=True, timeout=timeout,
                                  preexec_fn=_cap_memory, check=False)
            source.kill()
            source.wait()
            ending = _ending(done.returncode, done.stdout, done.stderr)
    except subprocess.TimeoutExpired:
        ending = "HANG"
    tally[cls][ending] += 1


def _shell(tally: Tally, cls: str, command: str) -> None:
    done = subprocess.run(["/bin/sh", "-c", " ".join(IGFRULES) + " " + command], capture_output=True, timeout=60,
                          check=False)
    tally[cls][_ending(done.returncode, done.stdout, done.stderr)] += 1


def _kb_with_entry(folder: Path, text: str) -> str:
    shutil.rmtree(folder, ignore_errors=True)
    shutil.copytree(RULES, folder)
    (folder / "rationales" / ENTRY.name).write_text(text)
    return str(folder)


def devices(tally: Tally, tmp: Path) -> None:
    os.mkfifo(tmp / "f.yaml")
    os.mkfifo(tmp / "f.jsonl")
    targets = ["/dev/zero", "/dev/urandom", "/dev/null", str(tmp / "f.yaml"), str(tmp / "f.jsonl"),
               "/proc/self/mem", "/"]
    for target in targets:
        for command in (["evaluate", target], ["explain", "RAT-XEN-EVE-EXE", target], ["batch", target, "-w", "1"]):
            run(tally, "devices, FIFOs, folders, unreadable files as input", command)


def huge_lines(tally: Tally, tmp: Path) -> None:
    cls = "one huge JSONL line"
    run(tally, cls, ["batch", "-", "-w", "1"], timeout=300,
        pipe_from=["/bin/sh", "-c", "head -c 1500000000 /dev/zero | tr '\\0' a"])
    for size in (1_048_576, 1_048_577, 5_000_000):
        (tmp / "h.jsonl").write_bytes(b'{"case_id":"' + b"x" * size + b'"}\n{"er_status":"positive"}\n')
        run(tally, cls, ["batch", str(tmp / "h.jsonl"), "-w", "1"])


def uncompilable(tally: Tally, tmp: Path) -> None:
    base = ENTRY.read_text()
    for op in ("any", "all"):
        for n in (30, 100, 300, 511, 512, 600, 1000):
            leaves = "".join(f"    - {{field: bmi, op: at_least, value: {10 + i * 0.01:.2f}}}\n" for i in range(n))
            text = re.sub(r"^when:\n(  .*\n)+", f"when:\n  {op}:\n" + leaves, base, count=1, flags=re.M)
            run(tally, "conditions durable_rules cannot compile", ["evaluate", CASE, "--rules",
                                                                     _kb_with_entry(tmp / "kb", text)], timeout=120)


TAGS = ["!!bool maybe", "!!timestamp notadate", "!!set [a]", "!!map [a]", "!!int abc", "!!float x", "!!str [a]",
        "!!timestamp 2020-13-45", "!!omap [a]", "!!pairs {a: 1}", "!!python/name:os.system", "!foo x",
        "!!binary '!!'", "!!seq {a: 1}", "!!int " + "9" * 5000]


def yaml_tags(tally: Tally, tmp: Path) -> None:
    base = ENTRY.read_text()
    for tag in TAGS:
        (tmp / "t.yaml").write_text(f"er_status: positive\ndiabetes: {tag}\n")
        run(tally, "malformed explicit YAML tags (case and rule files)", ["evaluate", str(tmp / "t.yaml")])
        rules = _kb_with_entry(tmp / "kb", base.replace("\nnotes:", f"\nx: {tag}\nnotes:", 1))
        run(tally, "malformed explicit YAML tags (case and rule files)", ["rules", "--rules", rules])


def closed_streams(tally: Tally) -> None:
    for command in ("evaluate - <&-", "batch - <&-", f"batch {CASE} >&-", f"evaluate {CASE} >&-",
                    f"batch {CASE} -w 2 >&-", "evaluate - 2>&- <&-"):
        _shell(tally, "closed standard streams", command)


LIBRARY_CALLS = ["igfrules.evaluate('/tmp/a\\x00b.yaml')", "igfrules.load_knowledge_base(123)",
                 "igfrules.evaluate({}, kb=123)", "igfrules.evaluate(123)", "igfrules.evaluate('/dev/zero')",
                 "igfrules.load_knowledge_base(b'rules')", "igfrules.evaluate(None)",
                 "igfrules.evaluate({'case_id': 5.5})", "igfrules.load_knowledge_base('/dev/null')",
                 "igfrules.evaluate([1, 2])"]


def library(tally: Tally) -> None:
    for call in LIBRARY_CALLS:
        script = f"import igfrules\ntry:\n    {call}\nexcept igfrules.IgfrulesError:\n    print('IgfrulesError')\n"
        done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=False)
        ending = "IgfrulesError" if done.stdout.startswith("IgfrulesError") else f"other: {done.stderr[-80:]!r}"
        tally["library calls with bad arguments"][ending] += 1


def batch_output(tally: Tally, tmp: Path) -> None:
    cls = "batch output: >>, full disk, failed or interrupted --out"
    cohort = tmp / "c.jsonl"
    cohort.write_text('{"er_status": "positive"}\n' * 600)
    for workers in ("1", "2"):
        out = tmp / f"append{workers}.jsonl"
        out.write_text("earlier\n")
        with out.open("ab") as handle:
            run(tally, cls, ["batch", str(cohort), "-w", workers], stdout=handle)
        tally[cls][f"  (>> kept all 601 lines: {len(out.read_text().splitlines()) == 601})"] += 1
        with open("/dev/full", "wb") as full:
            run(tally, cls, ["batch", str(cohort), "-w", workers], stdout=full)
        run(tally, cls, ["batch", str(cohort), "-w", workers, "--out", "/dev/full"])
    folder = tmp / "cases"
    folder.mkdir()
    (folder / "a.yaml").write_text("er_status: positive\n")
    (folder / "b.yaml").symlink_to(tmp / "nothing")
    (folder / "c.yaml").symlink_to(folder / "c.yaml")
    os.mkfifo(folder / "d.yaml")
    done = subprocess.run([*IGFRULES, "batch", str(folder), "-w", "1"], capture_output=True, text=True, timeout=60,
                          check=False)
    records = len(done.stdout.splitlines())
    tally["folder: a case, a dangling link, a loop, a FIFO"][f"{records} records, exit {done.returncode}"] += 1


HOSTILE = ["a\nError: forged", "\x1b]0;pwned\x07", "a\rb", "\u202eevil", "x\u2028y", "\x85", "a[b", "x`y", "\x1b[2J"]


def forgery(tally: Tally, tmp: Path) -> None:
    cls = "keys and case_ids that could forge output"
    for text in HOSTILE:
        (tmp / "k.json").write_text(json.dumps({text: 1}))
        done = subprocess.run([*IGFRULES, "evaluate", str(tmp / "k.json")], capture_output=True, text=True,
                              check=False)
        raw = any(c in done.stderr for c in "\r\x1b\u202e\u2028\x85") or done.stderr.count("\n") != 1
        tally[cls]["key: raw in stderr" if raw else "key: one escaped Error: line naming it"] += 1
        script = (f"import igfrules\ntry:\n    igfrules.evaluate({{'case_id': {text!r}}})\n"
                  "except igfrules.CaseError:\n    print('refused')\nelse:\n    print('accepted')\n")
        done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=False)
        tally[cls][f"case_id {done.stdout.strip()}"] += 1


def interrupts(tally: Tally, tmp: Path, runs: int) -> None:
    big = tmp / "big.jsonl"
    big.write_text('{"er_status": "positive", "stage": "IV"}\n' * 3000)
    rnd = random.Random(1)
    for _ in range(runs):
        out = tmp / "interrupted.jsonl"
        with out.open("wb") as handle:
            process = subprocess.Popen([*IGFRULES, "batch", *[str(big)] * 5, "-w", "2"], stdout=handle,
                                       stderr=subprocess.PIPE, text=True)
            deadline = time.monotonic() + 60
            while out.stat().st_size == 0 and time.monotonic() < deadline and process.poll() is None:
                time.sleep(0.01)
            time.sleep(rnd.uniform(0, 1.0))
            process.send_signal(signal.SIGINT)
            _, err = process.communicate(timeout=60)
        lines = out.read_text().splitlines()
        final = json.loads(lines[-1])
        whole = all(json.loads(line) for line in lines) and final["position"] == len(lines)
        ending = "TRACEBACK" if "Traceback" in err else f"exit {process.returncode}, Error: line"
        tally["Ctrl-C during a two-worker batch"][f"{ending}, whole lines, final record in place: {whole}"] += 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sigint-runs", type=int, default=20)
    args = parser.parse_args()
    os.chdir(ROOT)
    tally: Tally = collections.defaultdict(collections.Counter)
    with tempfile.TemporaryDirectory(prefix="igfrules-sweep-") as folder:
        tmp = Path(folder)
        devices(tally, tmp)
        huge_lines(tally, tmp)
        uncompilable(tally, tmp)
        yaml_tags(tally, tmp)
        closed_streams(tally)
        library(tally)
        batch_output(tally, tmp)
        forgery(tally, tmp)
        interrupts(tally, tmp, args.sigint_runs)
    print("| class | inputs tried | how each ends now |")
    print("|---|---|---|")
    for cls, endings in tally.items():
        tried = sum(n for ending, n in endings.items() if not ending.startswith("  "))
        print(f"| {cls} | {tried} | " + "; ".join(f"{e.strip()}: {n}" for e, n in endings.items()) + " |")


if __name__ == "__main__":
    main()
