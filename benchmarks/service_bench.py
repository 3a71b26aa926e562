"""Benchmark of the CDS Hooks service: requests/s, p50/p99 latency at 16 concurrent clients, and
the server's CPU time per request.

    python benchmarks/service_bench.py [--clients 16] [--seconds 10] [--workers 1,2] [--load auto|wrk|python]

Starts `igfrules serve` in its own process on 127.0.0.1 (a free port), once per workload and
number of worker processes, and sends it the example Bundles of cases/fhir/ as patient-view
requests, as a client prefetches them:

- repeat: the three charts opened again and again (answers come from the answer cache);
- new answer: every request a prefetch not seen before (the Patient has a new meta.versionId), so
  each is mapped and evaluated; its other resources were validated before (the validation cache);
- cold: every resource new (each gets a new meta.versionId), so each request is validated,
  mapped and evaluated.

The load: wrk (Debian's package), a C load generator, when it is installed: 16 connections from
2 threads, each request made from a template with a fresh version number, so no request
repeats. Otherwise (or with --load python), 16 Python client threads, whose own work under the
GIL adds to the latency they measure. One single-client row per workload (Python, sequential)
gives the latency of a request on an idle server. Server CPU per request is read from /proc for
the server and its workers: it does not depend on what else the machine runs.

Prints a Markdown table; no assertions (the issue's target: p99 under 50 ms at 16 clients).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from igfrules.service.example import hook_request
from igfrules.service.hooks import SERVICE_ID

ROOT = Path(__file__).resolve().parents[1]
PATH = f"/cds-services/{SERVICE_ID}"
WORKLOADS = ("repeat", "new answer", "cold")
VERSION = "@@VERSION@@"  # the placeholder a new request is made from
WRK_SCRIPT = """
local templates, count, next_id = {}, 0, 0
function setup(thread)
  thread:set("tid", next_id)
  next_id = next_id + 1
end
function init(args)
  for line in io.lines(args[1]) do templates[#templates + 1] = line end
  threads, first = tonumber(args[2]), tonumber(args[3])
end
function request()
  local n = first + count * threads + tid
  count = count + 1
  local body = templates[(n % #templates) + 1]:gsub("@@VERSION@@", tostring(n))
  return wrk.format("POST", "PATH", {["Content-Type"] = "application/json"}, body)
end
""".replace("PATH", PATH)


@dataclass
class Run:
    workload: str
    workers: int
    clients: int
    load: str
    requests: int
    failed: int
    seconds: float
    p50: float
    p99: float
    worst: float
    cpu_per_request: float | None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(port: int, workers: int) -> subprocess.Popen[bytes]:
    process = subprocess.Popen([sys.executable, "-m", "igfrules", "serve", "--port", str(port),
                                "--workers", str(workers)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/cds-services")
            conn.getresponse().read()
            conn.close()
        except OSError:
            time.sleep(0.1)
        else:
            if workers > 1:
                time.sleep(3)  # every worker up, not only the first
            return process
    process.kill()
    raise SystemExit("the server did not start")


def cpu_seconds(pid: int) -> float:
    """CPU time of a process and of its children that are still running (the workers)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        children = []
    for each in [pid, *map(int, children)]:
        try:
            fields = Path(f"/proc/{each}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / ticks
    return total


def charts() -> list[dict[str, Any]]:
    return [hook_request(json.loads(p.read_text(encoding="utf-8")))
            for p in sorted((ROOT / "cases" / "fhir").glob("*.json"))]


def templates(workload: str) -> list[bytes]:
    """One request per chart, with placeholders for what makes each request new."""
    out = []
    for request in charts():
        new = [request["prefetch"]["patient"]] if workload == "new answer" else []
        if workload == "cold":
            new = [value if value.get("resourceType") != "Bundle" else entry["resource"]
                   for value in request["prefetch"].values() for entry in value.get("entry", [value])]
        for resource in new:
            resource["meta"] = {**resource.get("meta", {}), "versionId": VERSION}
        out.append(json.dumps(request).encode("utf-8"))
    return out


def body(template: bytes, number: int) -> bytes:
    return template.replace(VERSION.encode(), str(number).encode())


def send_once(port: int, payload: bytes) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    conn.request("POST", PATH, body=payload, headers={"Content-Type": "application/json"})
    conn.getresponse().read()
    conn.close()


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def python_load(port: int, clients: int, seconds: float, bodies: list[bytes],
                first: int) -> tuple[list[float], float, int]:
    """N client threads, each on its own keep-alive connection, for `seconds`."""
    latencies: list[float] = []
    failures = [0]
    lock = threading.Lock()
    barrier = threading.Barrier(clients + 1)
    stop = time.perf_counter() + seconds + 1e9  # set when all are ready

    def client(index: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        mine, bad, n = [], 0, 0
        barrier.wait()
        while time.perf_counter() < stop:
            number = first + n * clients + index
            payload = body(bodies[number % len(bodies)], number)
            n += 1
            start = time.perf_counter()
            conn.request("POST", PATH, body=payload, headers={"Content-Type": "application/json"})
            response = conn.getresponse()
            response.read()
            mine.append(time.perf_counter() - start)
            bad += response.status != 200
        conn.close()
        with lock:
            latencies.extend(mine)
            failures[0] += bad

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    stop = time.perf_counter() + seconds
    barrier.wait()
    start = time.perf_counter()
    for thread in threads:
        thread.join()
    return latencies, time.perf_counter() - start, failures[0]


_UNITS = {"us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0}


def _seconds(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()  # type: ignore[union-attr]
    return float(number) * _UNITS[unit]


def wrk_load(port: int, clients: int, seconds: float, template_file: Path, script: Path,
             first: int) -> tuple[int, int, float, float, float, float]:
    """(requests, failed, seconds, p50, p99, max) from wrk --latency."""
    wrk = shutil.which("wrk") or "wrk"
    command = [wrk, "-t2", f"-c{clients}", f"-d{seconds:g}s", "--latency", "--timeout", "30s", "-s", str(script),
               f"http://127.0.0.1:{port}", "--", str(template_file), "2", str(first)]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    requests_done, took = re.search(r"(\d+) requests in ([\d.]+)(s|m)", out).groups()[:2]  # type: ignore[union-attr]
    failed = sum(int(n) for n in re.findall(r"Non-2xx or 3xx responses: (\d+)", out))
    failed += sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", out))
    latency = re.search(r"^\s*Latency\s+\S+\s+\S+\s+(\S+)", out, re.MULTILINE).group(1)  # type: ignore[union-attr]
    p50 = re.search(r"^\s*50%\s+(\S+)", out, re.MULTILINE).group(1)  # type: ignore[union-attr]
    p99 = re.search(r"^\s*99%\s+(\S+)", out, re.MULTILINE).group(1)  # type: ignore[union-attr]
    return int(requests_done), failed, float(took), _seconds(p50), _seconds(p99), _seconds(latency)


def measure(workload: str, workers: int, args: argparse.Namespace, folder: Path, load: str) -> list[Run]:
    bodies = templates(workload)
    template_file = folder / f"{workload.replace(' ', '-')}.jsonl"
    template_file.write_bytes(b"\n".join(bodies) + b"\n")
    script = folder / "post.lua"
    script.write_text(WRK_SCRIPT, encoding="utf-8")
    port = free_port()
    server = start_server(port, workers)
    runs = []
    try:
        for request in templates("repeat"):  # every chart once: "new answer" finds its resources validated
            send_once(port, request)
        python_load(port, args.clients, 2, bodies, 10**6)  # warm up every worker
        # one client, sequential: a request's latency on an idle server
        before = cpu_seconds(server.pid)
        lat, took, failed = python_load(port, 1, args.seconds / 2, bodies, 2 * 10**6)
        cpu = (cpu_seconds(server.pid) - before) / max(len(lat), 1)
        runs.append(Run(workload, workers, 1, "python", len(lat), failed, took, statistics.median(lat),
                        percentile(lat, 0.99), max(lat), cpu))
        before = cpu_seconds(server.pid)
        if load == "wrk":
            done, failed, took, p50, p99, worst = wrk_load(port, args.clients, args.seconds, template_file, script,
                                                           3 * 10**6)
        else:
            lat, took, failed = python_load(port, args.clients, args.seconds, bodies, 3 * 10**6)
            done, p50, p99, worst = len(lat), statistics.median(lat), percentile(lat, 0.99), max(lat)
        cpu = (cpu_seconds(server.pid) - before) / max(done, 1)
        runs.append(Run(workload, workers, args.clients, load, done, failed, took, p50, p99, worst, cpu))
    finally:
        server.terminate()
        server.wait(timeout=30)
    return runs


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--workers", default="1,2", help="comma-separated numbers of server processes")
    parser.add_argument("--load", choices=("auto", "wrk", "python"), default="auto")
    parser.add_argument("--workloads", default=",".join(WORKLOADS))
    args = parser.parse_args()
    load = args.load if args.load != "auto" else ("wrk" if shutil.which("wrk") else "python")
    runs: list[Run] = []
    with tempfile.TemporaryDirectory() as folder:
        for workload in args.workloads.split(","):
            for workers in [int(w) for w in args.workers.split(",")]:
                runs += measure(workload, workers, args, Path(folder), load)
    print(f"igfrules CDS Hooks service, {platform.python_implementation()} {platform.python_version()}, "
          f"{os.cpu_count()} CPUs visible; server and load generator on this machine; "
          f"load average {os.getloadavg()[0]:.2f} at the end\n")
    print("| workload | server processes | clients | load from | requests | failed | requests/s | p50 | p99 | max "
          "| server CPU per request |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for r in runs:
        cpu = f"{r.cpu_per_request * 1000:.2f} ms" if r.cpu_per_request is not None else "n/a"
        print(f"| {r.workload} | {r.workers} | {r.clients} | {r.load} | {r.requests:,} | {r.failed} | "
              f"{r.requests / r.seconds:,.0f} | {r.p50 * 1000:.1f} ms | {r.p99 * 1000:.1f} ms | "
              f"{r.worst * 1000:.1f} ms | {cpu} |")


if __name__ == "__main__":
    main()
