"""What the client did not prefetch, the service fetches from its fhirServer: over real HTTP, against
a real FHIR server (Medplum's router, tests/external/fhir_server.mjs) that runs the discovery
document's searches, pages them and checks the bearer token."""

from __future__ import annotations

import copy
import json
import logging
import re
from collections.abc import Iterator
from typing import Any

import pytest

from igfrules.service.example import hook_request
from igfrules.service.fetch import Fetcher
from igfrules.service.hooks import PREFETCH, SERVICE_ID
from tests.conftest import CASES
from tests.external.fhir_server import FhirServer, started
from tests.service.conftest import Server, running
from tests.service.signed_clients import jwks_server

PATH = f"/cds-services/{SERVICE_ID}"
CASE = "metastatic-hr-positive-pik3ca"


def bundle(name: str) -> dict[str, Any]:
    return json.loads((CASES / "fhir" / f"{name}.json").read_text(encoding="utf-8"))


@pytest.fixture
def loaded(fhir_server: FhirServer) -> FhirServer:
    fhir_server.reset()
    fhir_server.load(bundle(CASE))
    return fhir_server


def fetching(fhir: FhirServer, token: str | None = None, **changes: Any) -> dict[str, Any]:
    """The example's request with no prefetch, and fhirServer and fhirAuthorization to fetch with."""
    return {**fetching_from(fhir.base, token or fhir.token), **changes}


def fetching_from(base: str, token: str) -> dict[str, Any]:
    request = hook_request(bundle(CASE))
    del request["prefetch"]
    request["fhirServer"] = base
    request["fhirAuthorization"] = {"access_token": token, "token_type": "Bearer", "expires_in": 300,
                                    "scope": "user/*.read", "subject": "igfrules"}
    return request


@pytest.fixture
def logs() -> Iterator[list[str]]:
    """Every log record of the process while the test runs, as text."""
    records: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record.getMessage() + (str(record.exc_info) if record.exc_info else ""))

    handler = Collect(level=logging.DEBUG)
    names = ("", "uvicorn", "uvicorn.access", "uvicorn.error", "igfrules.service", "httpx", "httpcore")
    loggers = [logging.getLogger(name) for name in names]
    for logger in loggers:
        logger.addHandler(handler)
    try:
        yield records
    finally:
        for logger in loggers:
            logger.removeHandler(handler)


def test_every_key_fetched_from_the_fhir_server_gives_the_cards_of_the_full_prefetch(
        server: Server, loaded: FhirServer) -> None:
    prefetched = server.post(PATH, hook_request(bundle(CASE)))
    fetched = server.post(PATH, fetching(loaded))
    assert prefetched[0] == fetched[0] == 200
    assert fetched[2] == prefetched[2]


def test_the_searches_are_paged_by_the_server_and_every_page_is_read(server: Server, loaded: FhirServer) -> None:
    first = loaded.get(f"/{PREFETCH['observations'].replace('{{context.patientId}}', CASE)}")
    assert first["total"] > 2 and len(first["entry"]) == 2  # the server pages by 2
    assert any(link["relation"] == "next" for link in first["link"])
    request = fetching(loaded)
    request["prefetch"] = {key: value for key, value in hook_request(bundle(CASE))["prefetch"].items()
                           if key != "observations"}
    request["prefetch"]["observations"] = first  # the client prefetched one page: the service reads the rest
    _, data, raw = server.post(PATH, request)
    assert raw == server.post(PATH, hook_request(bundle(CASE)))[2]
    assert data["cards"]


def test_a_paged_prefetch_without_a_server_to_read_the_rest_from_is_412(server: Server, loaded: FhirServer) -> None:
    request = hook_request(bundle(CASE))
    request["prefetch"]["observations"] = loaded.get(
        f"/{PREFETCH['observations'].replace('{{context.patientId}}', CASE)}")
    status, data, _ = server.post(PATH, request)
    assert status == 412
    assert data["missing_prefetch"] == ["observations"]
    assert data["reasons"]["observations"].startswith("a searchset with more pages (a next link)")


def test_more_pages_than_the_cap_is_412_never_a_record_cut_short(loaded: FhirServer) -> None:
    with running(fetcher=Fetcher(max_pages=2)) as capped:
        status, data, _ = capped.post(PATH, fetching(loaded))
    assert status == 412
    assert "observations" in data["missing_prefetch"]
    assert data["reasons"]["observations"].startswith("more than 2 pages")
    with running(fetcher=Fetcher(max_resources=3)) as capped:
        status, data, _ = capped.post(PATH, fetching(loaded))
    assert status == 412
    assert any(reason.startswith("more than 3 resources") for reason in data["reasons"].values())


def test_the_token_is_sent_to_the_server_and_never_logged(server: Server, loaded: FhirServer, logs: list[str]) -> None:
    status, _, raw = server.post(PATH, fetching(loaded))
    assert status == 200  # the server answers only with the token: it was sent
    assert logs, "the service logs its requests"
    text = "\n".join(logs)
    assert loaded.token not in text
    assert CASE not in text  # the fetched URLs name the patient: never logged
    assert loaded.token.encode() not in raw


def test_the_token_is_not_logged_even_with_httpx_and_uvicorn_at_debug(
        server: Server, loaded: FhirServer, logs: list[str]) -> None:
    """An operator debugging a fetch turns the HTTP client's loggers up: its records carry URLs and
    response headers, never the request's Authorization header."""
    names = ("httpx", "httpcore", "uvicorn", "uvicorn.error", "uvicorn.access", "igfrules.service")
    before = {name: logging.getLogger(name).level for name in names}
    try:
        for name in names:
            logging.getLogger(name).setLevel(logging.DEBUG)
        status, _, _ = server.post(PATH, fetching(loaded))
    finally:
        for name, level in before.items():
            logging.getLogger(name).setLevel(level)
    assert status == 200
    assert any("send_request_headers" in r for r in logs), "httpcore's debug records were captured"
    assert loaded.token not in "\n".join(logs)


def test_a_wrong_token_is_412_naming_every_key_and_never_echoing_the_token(
        server: Server, loaded: FhirServer, logs: list[str]) -> None:
    wrong = "not-the-token-" + "x" * 20
    status, data, raw = server.post(PATH, fetching(loaded, token=wrong))
    assert status == 412
    assert data["missing_prefetch"] == list(PREFETCH)
    assert set(data["reasons"].values()) == {"fhirServer refused the token (HTTP 401)"}
    assert wrong.encode() not in raw
    assert wrong not in "\n".join(logs)
    assert CASE.encode() not in raw.replace(json.dumps(fetching(loaded)["context"]).encode(), b"")


def test_a_fhir_server_that_is_not_running_is_412_naming_the_keys(server: Server, loaded: FhirServer) -> None:
    request = fetching(loaded, fhirServer="http://127.0.0.1:9/fhir")  # the discard port: nothing listens
    status, data, _ = server.post(PATH, request)
    assert status == 412
    assert data["missing_prefetch"] == list(PREFETCH)
    assert all(reason.startswith("fhirServer could not be reached") for reason in data["reasons"].values())


@pytest.mark.parametrize("url", ["http://example.org/fhir", "http://10.0.0.8/fhir", "http://localhost.example.org/fhir",
                                 "ftp://127.0.0.1/fhir", "https://user:pw@ehr.example.org/fhir", "fhir",
                                 "https://ehr example.org/fhir",
                                 # a URL urlsplit cannot read, or whose port is not a port: 400 too, never a 500
                                 "http://[::1/fhir", "https://ehr.example.org:x/fhir", "http://127.0.0.1:99999/fhir",
                                 # a control character, or a lone surrogate httpx cannot encode
                                 "http://127.0.0.1/fhir\x00", "http://127.0.0.1/fhir/\ud800",
                                 "https://ehr.example.org/fhir?_format=json", "https://ehr.example.org/fhir#top"])
def test_a_fhir_server_igfrules_may_not_send_a_token_to_is_400_naming_fhirserver(
        server: Server, loaded: FhirServer, url: str) -> None:
    status, data, raw = server.post(PATH, fetching(loaded, fhirServer=url))
    assert status == 400
    assert data["error"].startswith("fhirServer must")
    assert loaded.token.encode() not in raw


@pytest.mark.parametrize("patient_id", [".", ".."])
def test_a_patient_id_that_is_a_dot_segment_is_400_and_never_turns_the_read_into_a_search(
        server: Server, loaded: FhirServer, patient_id: str) -> None:
    """`Patient/.` resolves to `Patient/`: a search of every Patient on the server, whose ids the
    refusal would then name."""
    request = fetching(loaded)
    request["context"]["patientId"] = patient_id
    status, data, raw = server.post(PATH, request)
    assert status == 400
    assert data["error"].startswith("context.patientId must be a FHIR id")
    assert CASE.encode() not in raw


@pytest.mark.parametrize(("authorization", "words"), [
    ({"access_token": "abc", "token_type": "MAC"}, "fhirAuthorization.token_type must be Bearer"),
    ({"token_type": "Bearer"}, "fhirAuthorization.access_token must be"),
    ("Bearer abc", "fhirAuthorization must be an object"),
])
def test_an_authorization_that_is_not_a_bearer_token_is_400_naming_the_field(
        server: Server, loaded: FhirServer, authorization: Any, words: str) -> None:
    request = fetching(loaded)
    request["fhirAuthorization"] = authorization
    status, data, raw = server.post(PATH, request)
    assert status == 400
    assert data["error"].startswith(words)
    assert b"abc" not in raw


def test_a_next_link_to_another_origin_is_refused_and_the_token_not_sent_there(loaded: FhirServer) -> None:
    port = loaded.base.split(":")[2].split("/")[0]
    # The links name "localhost": the same server, but not the fhirServer base the client gave.
    with started(page_size=2, link_base=f"http://localhost:{port}/fhir") as elsewhere, running() as service:
        elsewhere.load(bundle(CASE))
        status, data, _ = service.post(PATH, fetching(elsewhere))
    assert status == 412
    assert data["reasons"]["observations"] == ("a next link leads outside fhirServer; the token is sent to "
                                               "fhirServer only")


def test_a_prefetched_next_link_to_another_host_is_refused(server: Server, loaded: FhirServer) -> None:
    request = fetching(loaded)
    request["prefetch"] = hook_request(bundle(CASE))["prefetch"]
    request["prefetch"]["procedures"]["link"] = [
        {"relation": "next", "url": "https://ehr.example.org/fhir/Procedure?patient=x&_offset=2"}]
    status, data, _ = server.post(PATH, request)
    assert status == 412
    assert data["missing_prefetch"] == ["procedures"]


@pytest.mark.parametrize("tail", ["/../secret", "/%2e%2e/secret", "/%2E./secret", "/./../secret"])
def test_a_next_link_climbing_out_of_the_base_path_is_refused_and_nothing_sent(server: Server, tail: str) -> None:
    """`{fhirServer}/../secret` starts with the base, but the HTTP client (or the server, for %2e%2e)
    resolves it to /secret: the token would leave the base path the client named."""
    with jwks_server() as recorder:  # a plain HTTP server on 127.0.0.1 that records every path asked
        recorder.serve("/secret", {"resourceType": "Bundle", "type": "searchset", "entry": []})
        request = fetching_from(f"{recorder.base}/fhir", "a-token")
        request["prefetch"] = hook_request(bundle(CASE))["prefetch"]
        request["prefetch"]["procedures"]["link"] = [{"relation": "next", "url": f"{recorder.base}/fhir{tail}"}]
        status, data, _ = server.post(PATH, request)
        assert recorder.asked == []
    assert status == 412
    assert data["reasons"] == {"procedures": "a next link leads outside fhirServer; the token is sent to "
                                             "fhirServer only"}


@pytest.mark.parametrize("link", ["http://[::1", "//[x/", "\ud800"])
def test_a_next_link_that_is_not_a_url_is_412_naming_the_link_not_a_500(server: Server, link: str) -> None:
    with jwks_server() as recorder:
        request = fetching_from(f"{recorder.base}/fhir", "a-token")
        request["prefetch"] = hook_request(bundle(CASE))["prefetch"]
        request["prefetch"]["procedures"]["link"] = [{"relation": "next", "url": link}]
        status, data, _ = server.post(PATH, request)
        assert recorder.asked == []
    assert status == 412
    assert data["reasons"] == {"procedures": "a next link is not a valid URL"}


@pytest.mark.parametrize(("status", "body", "headers", "reason"), [
    (200, b'{"resourceType": "Bundle", "type": "searchset", "entry": [' + b"{}," * 2000 + b"{}]}", {},
     "fhirServer's answers are over 4,096 bytes"),
    (200, b"<html>not FHIR</html>", {}, "fhirServer's answer is not JSON"),
    (200, b'{"resourceType": "Patient", "id": "p"}', {}, "fhirServer's answer is not a searchset Bundle"),
    (302, b"", {"Location": "/secret"}, "fhirServer answered HTTP 302"),  # never followed
])
def test_a_next_page_that_is_not_a_searchset_page_is_412_naming_why(
        status: int, body: bytes, headers: dict[str, str], reason: str) -> None:
    with jwks_server() as recorder, running(fetcher=Fetcher(max_bytes=4096)) as service:
        recorder.serve("/fhir/Procedure/page-2", body, status, **headers)
        request = fetching_from(f"{recorder.base}/fhir", "a-token")
        request["prefetch"] = hook_request(bundle(CASE))["prefetch"]
        request["prefetch"]["procedures"]["link"] = [{"relation": "next", "url": "Procedure/page-2"}]
        code, data, _ = service.post(PATH, request)
        assert recorder.asked == ["/fhir/Procedure/page-2"]
    assert code == 412
    assert data["reasons"] == {"procedures": reason}


@pytest.mark.parametrize(("leads_back", "reason"), [
    (True, "a next link leads back to a page already read"),
    (False, "fhirServer's searchset has a next link without a URL: igfrules does not evaluate a record cut short"),
], ids=["a-loop", "no-url"])
def test_a_fetched_page_whose_next_link_cannot_be_followed_is_412_after_one_fetch(
        server: Server, leads_back: bool, reason: str) -> None:
    """A page whose next link is itself is not 20 pages of the same entries: it is read once. A
    page that says the searchset goes on without saying where (no URL) is a record cut short: 412
    naming why, never its pages so far read as all of it (they were)."""
    with jwks_server() as recorder:
        page = f"{recorder.base}/fhir/Procedure/page-2"
        onward = {"relation": "next", "url": page} if leads_back else {"relation": "next"}
        recorder.serve("/fhir/Procedure/page-2", {"resourceType": "Bundle", "type": "searchset", "entry": [],
                                                   "link": [onward]})
        request = fetching_from(f"{recorder.base}/fhir", "a-token")
        request["prefetch"] = hook_request(bundle(CASE))["prefetch"]
        request["prefetch"]["procedures"]["link"] = [{"relation": "next", "url": page}]
        status, data, _ = server.post(PATH, request)
        assert recorder.asked == ["/fhir/Procedure/page-2"]
    assert status == 412
    assert data["reasons"] == {"procedures": reason}


@pytest.mark.parametrize(("answer", "reason"), [
    ({"resourceType": "OperationOutcome", "issue": [{"severity": "error", "code": "exception"}]},
     "fhirServer reported an error (an OperationOutcome)"),
    ({"resourceType": "Bundle", "type": "searchset", "entry": []}, "fhirServer's answer is not a Patient"),
    ([1, 2], "fhirServer's answer is not a Patient"),
])
def test_a_read_answered_with_something_else_than_the_patient_names_the_server(
        server: Server, answer: Any, reason: str) -> None:
    """The service's own read failed: the 412 does not blame the client's fetch."""
    with jwks_server() as recorder:
        recorder.serve(f"/fhir/Patient/{CASE}", answer)
        request = fetching_from(f"{recorder.base}/fhir", "a-token")
        request["prefetch"] = {k: v for k, v in hook_request(bundle(CASE))["prefetch"].items() if k != "patient"}
        status, data, _ = server.post(PATH, request)
    assert status == 412
    assert data["reasons"] == {"patient": reason}


def test_a_key_the_client_failed_to_fetch_is_fetched_from_the_server(server: Server, loaded: FhirServer) -> None:
    request = fetching(loaded)
    request["prefetch"] = hook_request(bundle(CASE))["prefetch"]
    full = server.post(PATH, copy.deepcopy(request))[2]
    request["prefetch"]["observations"] = {"resourceType": "OperationOutcome", "issue": [
        {"severity": "error", "code": "timeout", "diagnostics": "the lab system did not answer"}]}
    status, _, raw = server.post(PATH, request)
    assert status == 200
    assert raw == full


def test_an_answer_from_fetched_data_is_not_served_again_when_the_servers_data_changed(
        server: Server, loaded: FhirServer) -> None:
    first = server.post(PATH, fetching(loaded))[2]
    assert server.post(PATH, fetching(loaded))[2] == first  # the same data: the kept answer
    changed = bundle(CASE)
    changed["entry"] = [e for e in changed["entry"] if e["resource"].get("id") != "pik3ca-variant"]
    loaded.reset()
    loaded.load(changed)
    second = server.post(PATH, fetching(loaded))[2]
    assert second != first
    assert b"PIK3CA-mutant" not in second.split(b"missing field")[0]


def test_a_fhir_server_that_never_answers_is_412_within_the_fetch_time(loaded: FhirServer) -> None:
    import socket

    with socket.socket() as silent, running(fetcher=Fetcher(seconds=1.0)) as service:
        silent.bind(("127.0.0.1", 0))
        silent.listen()  # connections are accepted by the kernel and never answered
        request = fetching(loaded, fhirServer=f"http://127.0.0.1:{silent.getsockname()[1]}/fhir")
        status, data, _ = service.post(PATH, request)
    assert status == 412
    assert set(data["reasons"].values()) == {"fhirServer did not answer within 1 s"}


def test_medications_the_server_did_not_include_are_read_and_recognised(
        server: Server, fhir_server: FhirServer) -> None:
    record = bundle(CASE)
    for entry in record["entry"]:  # every medicine named by a reference to a Medication resource
        resource = entry["resource"]
        if resource["resourceType"] in ("MedicationRequest", "MedicationStatement", "MedicationAdministration"):
            medication = {"resourceType": "Medication", "id": f"med-{resource['id']}",
                          "code": resource.pop("medicationCodeableConcept")}
            resource["medicationReference"] = {"reference": f"Medication/{medication['id']}"}
            record["entry"].append({"fullUrl": f"http://example.org/fhir/Medication/{medication['id']}",
                                    "resource": medication})
    fhir_server.reset()
    fhir_server.load(record)
    search = PREFETCH["medicationRequests"].replace("{{context.patientId}}", CASE)
    found = fhir_server.get(f"/{search}")
    assert {e["resource"]["resourceType"] for e in found["entry"]} == {"MedicationRequest"}  # _include ignored
    prefetched = server.post(PATH, hook_request(record))  # the client sends the Medications
    request = fetching(fhir_server)
    status, data, raw = server.post(PATH, request)
    assert status == prefetched[0] == 200
    assert raw == prefetched[2]
    unrecognised = set(re.findall(r"medicine not recognised: [^(]*\((\w+/[\w-]+)\)", json.dumps(data)))
    assert unrecognised == {"MedicationAdministration/denosumab"}  # as in the record; the rest were read
