"""Figures for issue 20 (hostile FHIR input and the service's limits). No assertions.

    python benchmarks/fhir_hardening_bench.py [--sizes 1000,10000,100000] [--skip-service]

- the library maps Bundles of N Observations whose subject is the Patient's urn:uuid fullUrl
  (each a reference to resolve; the Patient is the last entry): validation and mapping timed
  apart;
- stage texts of 20 KB, 40 KB and 400 KB of "(" (the quadratic case), mapped whole;
- `igfrules serve` in its own process on 127.0.0.1: its peak memory (VmHWM) before and after one
  300 MB chunked POST, how long the server took to answer 413, and the time of a 4 MB request of
  urn:uuid Observations; then 300 half-open connections, and whether a normal request is still
  answered while they are held.

Prints a Markdown table of what it measured.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from igfrules.fhir.bundle import read_bundle
from igfrules.fhir.profile import map_bundle, map_resources
from igfrules.service.example import hook_request
from igfrules.service.hooks import SERVICE_ID

ROOT = Path(__file__).resolve().parents[1]
PATH = f"/cds-services/{SERVICE_ID}"
rows: list[tuple[str, str]] = []


def _observations(count: int, subject: str = "urn:uuid:patient") -> dict[str, Any]:
    entries: list[dict[str, Any]] = []
    for index in range(count):
        entries.append({"fullUrl": f"urn:uuid:obs-{index}", "resource": {
            "resourceType": "Observation", "id": f"o{index}", "status": "final",
            "code": {"coding": [{"system": "http://loinc.org", "code": "39156-5"}]},
            "subject": {"reference": subject}, "effectiveDateTime": "2024-01-01",
            "valueQuantity": {"value": 20 + index % 10, "unit": "kg/m2"}}})
    # The Patient last: a resolver that scans the record meets it last (the quadratic case).
    entries.append({"fullUrl": "urn:uuid:patient", "resource": {"resourceType": "Patient", "id": "p"}})
    return {"resourceType": "Bundle", "id": f"n{count}", "type": "collection", "entry": entries}


def library(sizes: list[int]) -> None:
    for size in sizes:
        data = _observations(size)
        start = time.perf_counter()
        _, resources = read_bundle(data, "bench")
        read = time.perf_counter() - start
        start = time.perf_counter()
        map_resources(resources)
        mapped = time.perf_counter() - start
        rows.append((f"library: Bundle of {size:,} urn:uuid Observations",
                     f"validate {read:.2f} s, map {mapped:.3f} s ({resources.lookups:,} reference lookups)"))
    for kilobytes in (20, 40, 400):
        text = "(" * (kilobytes * 1024) + "Stage IIB"
        data = {"resourceType": "Bundle", "type": "collection", "entry": [{"resource": {
            "resourceType": "Observation", "id": "s", "status": "final",
            "code": {"coding": [{"system": "http://loinc.org", "code": "21908-9"}]},
            "valueCodeableConcept": {"text": text}}}]}
        start = time.perf_counter()
        case = map_bundle(data)
        rows.append((f"library: stage text of {kilobytes} KB", f"{time.perf_counter() - start:.3f} s "
                     f"(stage {case.profile.stage})"))


def _vm(pid: int, key: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1]) // 1024
    return 0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def service() -> None:
    port = _free_port()
    server = subprocess.Popen([sys.executable, "-m", "igfrules", "serve", "--port", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(200):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        chart = hook_request(json.loads((ROOT / "cases/fhir/metastatic-hr-positive-pik3ca.json").read_text()))
        body = json.dumps(chart).encode()
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        conn.request("POST", PATH, body=body, headers={"Content-Type": "application/json"})
        conn.getresponse().read()
        before = _vm(server.pid, "VmHWM")
        sock = socket.create_connection(("127.0.0.1", port), timeout=60)
        sock.sendall(f"POST {PATH} HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n".encode())
        chunk = b"%x\r\n%s\r\n" % (1 << 20, b" " * (1 << 20))
        sent, start, answered = 0, time.perf_counter(), 0.0
        try:
            for _ in range(300):
                sock.sendall(chunk)
                sent += 1
        except OSError:
            answered = time.perf_counter() - start
        sock.close()
        rows.append(("service: one 300 MB chunked POST", f"peak memory {before} MB before, "
                     f"{_vm(server.pid, 'VmHWM')} MB after; the server closed after {sent} MB "
                     f"({answered:.2f} s)" if answered else f"all {sent} MB sent"))
        big = hook_request(_observations(12_000, subject="Patient/p"))
        payload = json.dumps(big).encode()
        start = time.perf_counter()
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        conn.request("POST", PATH, body=payload, headers={"Content-Type": "application/json"})
        status = conn.getresponse().status
        rows.append((f"service: a {len(payload) / 1e6:.1f} MB request of 12,000 Observations",
                     f"{status} in {time.perf_counter() - start:.2f} s"))
        held = [socket.create_connection(("127.0.0.1", port), timeout=10) for _ in range(300)]
        for half in held:
            half.sendall(b"POST / HTTP/1.1\r\nHost: x\r\n")
        start = time.perf_counter()
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        conn.request("GET", "/cds-services")
        status = conn.getresponse().status
        rows.append(("service: a request while 300 half-open connections are held",
                     f"{status} in {time.perf_counter() - start:.3f} s"))
        start = time.perf_counter()
        for half in held:
            half.settimeout(60)
            with contextlib.suppress(OSError):
                half.recv(1024)  # the 408, then the server closes
            half.close()
        rows.append(("service: the 300 half-open connections", f"all answered 408 and closed within "
                     f"{time.perf_counter() - start:.1f} s"))
    finally:
        server.terminate()
        server.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--skip-service", action="store_true")
    args = parser.parse_args()
    library([int(s) for s in args.sizes.split(",")])
    if not args.skip_service:
        service()
    print(f"Measured {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {os.cpu_count()} CPUs, "
          f"load average {os.getloadavg()[0]:.2f}\n")
    print("| what | result |\n|---|---|")
    for what, result in rows:
        print(f"| {what} | {result} |")


if __name__ == "__main__":
    main()
