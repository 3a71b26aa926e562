"""Starting and stopping the real FHIR server (fhir_server.mjs: Medplum's FHIR router over its
in-memory repository) for the service's fetch tests and benchmark, and loading it with test data.

The server runs under Node on 127.0.0.1, on a free port it picks and prints. Its npm packages are
installed from tests/external/package-lock.json (`npm ci`) when node_modules is missing; without npm
or node that is an error, never a skipped test.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
START_SECONDS = 60.0  # loading Medplum's R4 definitions takes one to a few seconds


def install() -> None:
    """`npm ci` into tests/external/node_modules, if it is not there yet."""
    if (HERE / "node_modules" / "@medplum" / "fhir-router").is_dir():
        return
    npm = shutil.which("npm")
    if npm is None:
        raise RuntimeError("npm is needed to install the test FHIR server (tests/external/package.json); "
                           "install Node.js 20 and npm")
    subprocess.run([npm, "ci", "--prefix", str(HERE), "--no-audit", "--no-fund", "--loglevel=error"],
                   check=True, timeout=600)


@dataclass(frozen=True)
class FhirServer:
    base: str  # http://127.0.0.1:PORT/fhir
    token: str

    def _send(self, method: str, path: str, payload: Any = None) -> Any:
        data = None if payload is None else json.dumps(payload).encode("utf-8")
        request = urllib.request.Request(f"{self.base}{path}", data=data, method=method,  # noqa: S310 - loopback
                                         headers={"Authorization": f"Bearer {self.token}",
                                                  "Content-Type": "application/fhir+json"})
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 - our loopback server
            return json.loads(response.read())

    def reset(self) -> None:
        self._send("DELETE", "")

    def load(self, bundle: Mapping[str, Any]) -> None:
        """Every resource of a Bundle, PUT by its own id in one transaction."""
        entries = [{**({"fullUrl": e["fullUrl"]} if "fullUrl" in e else {}), "resource": e["resource"],
                    "request": {"method": "PUT", "url": f"{e['resource']['resourceType']}/{e['resource']['id']}"}}
                   for e in bundle.get("entry", []) if "resource" in e]
        answer = self._send("POST", "", {"resourceType": "Bundle", "type": "transaction", "entry": entries})
        statuses = [e["response"]["status"] for e in answer.get("entry", [])]
        failed = [status for status in statuses if not status.startswith("2")]
        if failed:
            raise RuntimeError(f"the test FHIR server refused {len(failed)} resource(s): {failed}")

    def get(self, path: str) -> Any:
        return self._send("GET", path)


@contextmanager
def started(page_size: int = 50, link_base: str | None = None) -> Iterator[FhirServer]:
    """A running server (fhir_server.mjs), stopped on exit."""
    install()
    node = shutil.which("node")
    if node is None:
        raise RuntimeError("node is needed to run the test FHIR server; install Node.js 20")
    token = secrets.token_urlsafe(24)
    command = [node, str(HERE / "fhir_server.mjs"), "--port", "0", "--page-size", str(page_size)]
    if link_base:
        command += ["--link-base", link_base]
    process = subprocess.Popen(command, cwd=HERE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               env={**os.environ, "FHIR_SERVER_TOKEN": token})
    try:
        server = FhirServer(_ready(process), token)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        for pipe in (process.stdout, process.stderr):
            if pipe is not None:
                pipe.close()


def _ready(process: subprocess.Popen[str]) -> str:
    """The base URL the server printed, once it answers a request."""
    line: list[str] = []
    reader = threading.Thread(target=lambda: line.append(process.stdout.readline() if process.stdout else ""),
                              daemon=True)
    reader.start()
    reader.join(START_SECONDS)
    if not line or not line[0]:
        stderr = process.stderr.read() if process.poll() is not None and process.stderr else ""
        raise RuntimeError(f"the test FHIR server did not start: {stderr.strip()[:2000]}")
    base = json.loads(line[0])["base"]
    deadline = time.monotonic() + START_SECONDS
    while True:
        try:
            urllib.request.urlopen(f"{base}/metadata", timeout=5)  # noqa: S310 - our loopback server
        except urllib.error.HTTPError:  # 401 without a token: it answers
            return str(base)
        except OSError:
            if time.monotonic() > deadline:
                raise RuntimeError("the test FHIR server does not answer") from None
            time.sleep(0.05)
        else:
            return str(base)
