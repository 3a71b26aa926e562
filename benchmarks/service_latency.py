"""Latency of the CDS Hooks service when the client prefetches everything, and when the service
fetches everything from the client's FHIR server: p50 and p99 at 1 and at 16 concurrent clients.

    python benchmarks/service_latency.py [--requests 10] [--page-size 50]

Starts the real FHIR server of the tests (tests/external/fhir_server.mjs: Medplum's router over its
in-memory repository, under Node) and `igfrules serve` (uvicorn, one worker), both on 127.0.0.1.
Each client has its own patient, a copy of one of the three example Bundles of cases/fhir/ under
new ids (every resource id and reference renamed), loaded into the FHIR server, which holds only the
clients' patients (its search is a linear scan). Every request is about a version of the patient not
seen before, so the answer cache never answers and every request is read, mapped and evaluated:

- prefetch: the client sends every prefetch key (as igfrules.service.example builds it), the
  Patient with a new meta.versionId;
- fetch: the client sends no prefetch, only fhirServer and a Bearer token; the Patient is stored
  again on the server first (untimed; the server gives it a new version), and the service runs the
  discovery document's seven searches against the FHIR server (pages of --page-size).

A row "FHIR server alone" times one patient's seven searches sent straight to the server, one after
another: the server's own share. Each client is a Python thread, with a new connection per request
(making the next body can outlast the service's 5 s keep-alive); latency is measured by the client,
from sending the request to the last byte of the answer. Prints a Markdown table; no assertions.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # tests.external: the FHIR server the tests start

from benchmarks.service_bench import free_port, start_server  # noqa: E402 - one way to start the service
from igfrules.service.example import hook_request  # noqa: E402
from igfrules.service.hooks import PREFETCH, SERVICE_ID  # noqa: E402
from tests.external.fhir_server import FhirServer, started  # noqa: E402

PATH = f"/cds-services/{SERVICE_ID}"
CASES = sorted((ROOT / "cases" / "fhir").glob("*.json"))


def renamed(bundle: dict[str, Any], suffix: str) -> dict[str, Any]:
    """The Bundle with every resource id, fullUrl and reference given `suffix`: another patient."""
    text = json.dumps(bundle)
    for entry in bundle["entry"]:
        name = f"{entry['resource']['resourceType']}/{entry['resource']['id']}"
        text = text.replace(f'"{name}"', f'"{name}{suffix}"').replace(f'/{name}"', f'/{name}{suffix}"')
        text = text.replace(f'"id": "{entry["resource"]["id"]}"', f'"id": "{entry["resource"]["id"]}{suffix}"')
    return json.loads(text)


def patients(count: int, start: int) -> Iterator[dict[str, Any]]:
    originals = [json.loads(p.read_text(encoding="utf-8")) for p in CASES]
    for n in range(start, start + count):
        yield renamed(originals[n % len(originals)], f"-b{n}")


def prefetch_body(bundle: dict[str, Any], version: int) -> bytes:
    """The full prefetch, its Patient at a version not sent before."""
    request = hook_request(bundle, hook_instance=f"00000000-0000-4000-8000-{version:012d}")
    request["prefetch"]["patient"]["meta"] = {"versionId": str(version)}
    return json.dumps(request).encode("utf-8")


def fetch_body(bundle: dict[str, Any], version: int, fhir: FhirServer) -> bytes:
    """No prefetch, fhirServer and a token; the Patient stored again first (untimed), so the server
    holds a version the service has not seen."""
    patient = next(e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Patient")
    fhir.load({"entry": [{"resource": patient}]})
    request = hook_request(bundle, hook_instance=f"00000000-0000-4000-8000-{version:012d}")
    del request["prefetch"]
    request["fhirServer"] = fhir.base
    request["fhirAuthorization"] = {"access_token": fhir.token, "token_type": "Bearer", "expires_in": 300,
                                    "scope": "user/*.read", "subject": "igfrules-benchmark"}
    return json.dumps(request).encode("utf-8")


def run(port: int, clients: int, each: int, body: Callable[[int, int], bytes]) -> tuple[list[float], int]:
    """`each` requests from each of `clients` threads, the body of request i of client c made by
    body(c, i) before the clock starts; the latencies in ms and the failures."""
    latencies: list[float] = []
    failures = [0]
    lock = threading.Lock()
    barrier = threading.Barrier(clients)

    def client(index: int) -> None:
        mine, bad = [], 0
        barrier.wait()
        for i in range(each):
            payload = body(index, i)
            # A new connection each time: making the next body can outlast the service's keep-alive.
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
            began = time.perf_counter()
            try:
                conn.request("POST", PATH, body=payload, headers={"Content-Type": "application/json"})
                response = conn.getresponse()
                response.read()
                bad += response.status != 200
            except OSError:
                bad += 1
            mine.append((time.perf_counter() - began) * 1000)
            conn.close()
        with lock:
            latencies.extend(mine)
            failures[0] += bad

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, failures[0]


def searches_alone(fhir: FhirServer, bundle: dict[str, Any], times: int) -> list[float]:
    """The FHIR server's own time for one patient's seven searches, sent one after another."""
    patient = hook_request(bundle)["context"]["patientId"]
    latencies = []
    for _ in range(times):
        began = time.perf_counter()
        for template in PREFETCH.values():
            fhir.get("/" + template.replace("{{context.patientId}}", patient))
        latencies.append((time.perf_counter() - began) * 1000)
    return latencies


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=10, help="requests per client per row (default 10)")
    parser.add_argument("--page-size", type=int, default=50, help="the FHIR server's page size (default 50)")
    args = parser.parse_args()
    rows = []
    with started(page_size=args.page_size) as fhir:
        port = free_port()
        service = start_server(port, workers=1)
        try:
            for clients in (1, 16):
                fhir.reset()  # the repository holds the clients' patients only: its search is a linear scan
                mine = list(patients(clients, clients))
                for bundle in mine:
                    fhir.load(bundle)
                rows.append(("FHIR server alone: one patient's 7 searches", 1, *summary(
                    searches_alone(fhir, mine[0], args.requests), 0)))
                for workload in ("prefetch", "fetch"):
                    run(port, clients, 1, bodies(workload, mine, fhir, 5_000))  # warm-up: one request per client
                    timed = run(port, clients, args.requests, bodies(workload, mine, fhir, 0))
                    rows.append((workload, clients, *summary(*timed)))
        finally:
            service.terminate()
            service.wait(timeout=30)
    print(f"igfrules service latency, {platform.python_implementation()} {platform.python_version()}, "
          f"{platform.machine()}, {os.cpu_count()} cores; FHIR server page size {args.page_size}\n")
    print("| workload | clients | requests | failed | p50 ms | p99 ms |")
    print("|---|---:|---:|---:|---:|---:|")
    for workload, clients, count, failed, p50, p99 in rows:
        print(f"| {workload} | {clients} | {count} | {failed} | {p50:.1f} | {p99:.1f} |")


def bodies(workload: str, mine: list[dict[str, Any]], fhir: FhirServer, first: int) -> Callable[[int, int], bytes]:
    """Request i of client c: its own patient, at a version no other request has."""
    def body(c: int, i: int) -> bytes:
        version = 1 + first + c * 10_000 + i
        return prefetch_body(mine[c], version) if workload == "prefetch" else fetch_body(mine[c], version, fhir)
    return body


def summary(latencies: list[float], failed: int) -> tuple[int, int, float, float]:
    return len(latencies), failed, percentile(latencies, 0.5), percentile(latencies, 0.99)


if __name__ == "__main__":
    main()
