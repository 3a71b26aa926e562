"""`igfrules serve` serves beyond this machine only with client authentication, or when told
plainly not to (--no-auth, warned); a wrong trusted-issuers file stops it with the file and field."""

from __future__ import annotations

import http.client
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import yaml
from click.testing import CliRunner

from igfrules.cli import main
from tests.conftest import RULES
from tests.service.signed_clients import EC_KEY, claims, public_jwk, token

ISS = "https://board.example.org"


def serve(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["serve", "--rules", str(RULES), *args])
    return result.exit_code, result.stderr


def trusted_file(tmp_path: Path) -> Path:
    path = tmp_path / "clients.yaml"
    path.write_text(yaml.safe_dump([{"iss": ISS, "jwks": {"keys": [public_jwk(EC_KEY, "ec-1")]}}]), encoding="utf-8")
    return path


def test_a_non_loopback_host_without_authentication_is_refused() -> None:
    code, stderr = serve("--host", "0.0.0.0")  # noqa: S104 - the address being refused
    assert code == 1
    assert stderr.startswith("Error: --host 0.0.0.0: a non-loopback address needs client authentication: give "
                             "--trusted-issuers FILE")
    assert "--no-auth" in stderr and "Traceback" not in stderr


def test_a_wrong_trusted_issuers_file_is_named_with_its_field(tmp_path: Path) -> None:
    path = tmp_path / "clients.yaml"
    path.write_text("- iss: https://ehr.example.org\n  jku: http://ehr.example.org/jwks\n", encoding="utf-8")
    code, stderr = serve("--trusted-issuers", str(path))
    assert code == 1
    assert stderr == (f"Error: {path}: [0].jku: 'http://ehr.example.org/jwks' must be an https:// URL "
                      "(http:// only on a loopback address, for local testing)\n")


def test_an_unreadable_trusted_issuers_file_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "clients.yaml"
    path.write_text("- iss: [unclosed\n", encoding="utf-8")
    code, stderr = serve("--trusted-issuers", str(path))
    assert code == 1 and stderr.startswith(f"Error: {path}: line ") and "invalid YAML" in stderr
    code, stderr = serve("--trusted-issuers", str(tmp_path / "absent.yaml"))
    assert code == 1 and "absent.yaml" in stderr


def test_authentication_and_no_auth_are_exclusive(tmp_path: Path) -> None:
    code, stderr = serve("--trusted-issuers", str(trusted_file(tmp_path)), "--no-auth")
    assert (code, stderr) == (1, "Error: --no-auth: cannot be given with --trusted-issuers; choose one\n")


def test_an_authenticated_service_off_loopback_needs_its_public_url(tmp_path: Path) -> None:
    code, stderr = serve("--host", "0.0.0.0", "--trusted-issuers", str(trusted_file(tmp_path)))  # noqa: S104
    assert code == 1 and "give --public-url" in stderr


def test_a_public_url_and_origins_must_be_urls() -> None:
    assert serve("--public-url", "cds.example.org")[0] == 1
    assert serve("--public-url", "https://cds.example.org/?x=1")[0] == 1
    code, stderr = serve("--cors-origin", "https://board.example/path")
    assert code == 1 and "is not an origin" in stderr
    # URLs urlsplit cannot read: the same one-line error, never a traceback
    code, stderr = serve("--public-url", "https://[::1")
    assert code == 1 and stderr.startswith("Error: --public-url: ") and "Traceback" not in stderr
    code, stderr = serve("--cors-origin", "https://[board")
    assert code == 1 and stderr.startswith("Error: --cors-origin: ") and "Traceback" not in stderr


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serving(*options: str) -> Iterator[tuple[int, list[str]]]:
    """`igfrules serve` in its own process, answering on 127.0.0.1 before the block runs; its
    combined output is in the list once it has been stopped with Ctrl-C."""
    port = _free_port()
    process = subprocess.Popen([sys.executable, "-m", "igfrules", "serve", "--port", str(port), "--rules", str(RULES),
                                *options], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    output: list[str] = []
    try:
        deadline = time.monotonic() + 60
        while process.poll() is None and time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                time.sleep(0.1)
        else:
            raise AssertionError(f"igfrules serve {' '.join(options)} did not start")
        yield port, output
    finally:
        process.send_signal(signal.SIGINT)
        try:
            out = process.communicate(timeout=30)[0]
        except subprocess.TimeoutExpired:
            process.kill()
            out = process.communicate()[0]
        output.append(out.decode("utf-8", "replace"))


def _get(port: int, bearer: str | None = None) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", "/cds-services", headers={"Authorization": f"Bearer {bearer}"} if bearer else {})
    status = conn.getresponse().status
    conn.close()
    return status


def test_no_auth_serves_an_open_host_and_says_so_on_stderr_and_in_the_log() -> None:
    with serving("--host", "0.0.0.0", "--no-auth") as (port, output):  # noqa: S104 - the point of the test
        assert _get(port) == 200
    [printed] = output
    assert "Warning: --no-auth: the service listens on 0.0.0.0 and checks no client" in printed
    assert "WARNING:  --no-auth: the service listens on 0.0.0.0" in printed  # the log's line


def test_every_worker_checks_the_clients_the_parent_checked(tmp_path: Path) -> None:
    with serving("--workers", "2", "--trusted-issuers", str(trusted_file(tmp_path))) as (port, output):
        refused = [_get(port) for _ in range(4)]
        aud = f"http://127.0.0.1:{port}/cds-services"
        accepted = [_get(port, token(EC_KEY, "ES384", "ec-1", claims(ISS, aud))) for _ in range(4)]
        replayed = token(EC_KEY, "ES384", "ec-1", claims(ISS, aud))
        replays = [_get(port, replayed) for _ in range(8)]  # new connections, spread over both workers
    assert refused == [401] * 4 and accepted == [200] * 4
    assert replays == [200] + [401] * 7  # the workers share one replay cache
    assert "Traceback" not in output[0]
