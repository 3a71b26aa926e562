"""The CDS Hooks service over real HTTP: discovery, cards, and every error a client can cause."""

from __future__ import annotations

import copy
import http.client
import json
import logging
import socket
from pathlib import Path
from typing import Any

import pytest

import igfrules
from igfrules.service.example import hook_request
from igfrules.service.hooks import PREFETCH, SERVICE_ID
from tests.conftest import CASES, RULES
from tests.service.conftest import Server

PATH = f"/cds-services/{SERVICE_ID}"
BUNDLES = sorted((CASES / "fhir").glob("*.json"))


def request_for(name: str) -> dict[str, Any]:
    return hook_request(json.loads((CASES / "fhir" / f"{name}.json").read_text(encoding="utf-8")))


def test_discovery_lists_one_patient_view_service(server: Server) -> None:
    status, data, _ = server.request("GET", "/cds-services")
    assert status == 200
    [service] = data["services"]
    assert service["hook"] == "patient-view"
    assert service["id"] == SERVICE_ID
    assert "RESEARCH USE ONLY" in service["description"]
    assert set(service["prefetch"]) == {"patient", "conditions", "observations", "procedures", "medicationRequests",
                                        "medicationAdministrations", "medicationStatements"}
    assert all("{{context.patientId}}" in template for template in service["prefetch"].values())
    assert "http://loinc.org|97509-4" in service["prefetch"]["observations"]


@pytest.mark.parametrize("path", BUNDLES, ids=[p.stem for p in BUNDLES])
def test_every_card_is_research_only_short_and_sourced(server: Server, path: Path) -> None:
    status, data, _ = server.post(PATH, request_for(path.stem))
    assert status == 200
    assert data["cards"]
    for card in data["cards"]:
        assert len(card["summary"]) < 140  # CDS Hooks: "<140-character"; the issue: at most 140
        assert card["summary"].endswith(" (research only)")
        assert "RESEARCH USE ONLY" in card["detail"]
        assert card["indicator"] in ("info", "warning")
        assert card["source"]["label"].startswith("igfrules ")
        assert "igfrules-ianza-2021" in card["source"]["label"]


def test_cards_for_the_metastatic_pik3ca_patient(server: Server) -> None:
    _, data, _ = server.post(PATH, request_for("metastatic-hr-positive-pik3ca"))
    summaries = [c["summary"] for c in data["cards"]]
    assert any("Ganitumab + alpelisib in PIK3CA-mutant" in s for s in summaries)
    trials = next(c for c in data["cards"] if "that would have enrolled this patient" in c["summary"])
    assert all(link["url"].startswith("https://clinicaltrials.gov/study/NCT") for link in trials["links"])
    missing = next(c for c in data["cards"] if "missing field(s)" in c["summary"])
    assert "menopausal status" in missing["detail"]  # a human label, not the case-file key
    assert "denosumab" in missing["detail"]  # an unrecognised medicine is shown, never fatal
    check = next(c for c in data["cards"] if "in the record to check" in c["summary"])
    assert check["indicator"] == "warning"
    assert "stage sources disagree" in check["detail"]


def test_a_heightened_caution_makes_the_card_a_warning(server: Server) -> None:
    request = request_for("metastatic-hr-positive-pik3ca")
    observations = request["prefetch"]["observations"]["entry"]
    comorbidity = next(e for e in observations if e["resource"]["id"] == "comorbidities")["resource"]
    comorbidity["extension"][0]["url"] = "http://hl7.org/fhir/us/mcode/StructureDefinition/mcode-related-condition"
    _, data, _ = server.post(PATH, request)
    warned = [c for c in data["cards"] if c["indicator"] == "warning" and "Heightened" in c["detail"]]
    assert warned, "diabetes heightens the hyperglycaemia caution of the IGF-1R rationales"


def test_early_stage_patient_gets_a_no_rationale_card(server: Server) -> None:
    _, data, _ = server.post(PATH, request_for("early-stage-er-positive"))
    assert data["cards"][0]["summary"].startswith("No IGF-axis research rationale")


def test_missing_prefetch_is_412_and_names_the_keys(server: Server) -> None:
    request = request_for("early-stage-er-positive")
    del request["prefetch"]["observations"]
    status, data, _ = server.post(PATH, request)
    assert status == 412
    assert data["missing_prefetch"] == ["observations"]
    assert data["reasons"] == {"observations": "omitted from prefetch, and the request has no fhirServer and "
                                               "fhirAuthorization to fetch it with"}
    assert "fhirServer" in data["error"] and "null for a key the client has no data for" in data["error"]
    del request["prefetch"]
    status, data, _ = server.post(PATH, request)
    assert status == 412
    assert data["missing_prefetch"] == list(PREFETCH)


def test_a_null_prefetch_key_leaves_its_fields_unknown(server: Server) -> None:
    request = request_for("metastatic-hr-positive-pik3ca")
    request["prefetch"]["observations"] = None
    status, data, _ = server.post(PATH, request)
    assert status == 200
    missing = next(c for c in data["cards"] if "missing field(s)" in c["summary"])
    assert "the client has no data for: observations" in missing["detail"]
    assert "**ER status**" in missing["detail"]


@pytest.mark.parametrize(("body", "status", "words"), [
    (b"{not json", 400, "not JSON"),
    (b"\xff\xfe", 400, "not UTF-8"),
    (b"[]", 400, "not a CDS Hooks request"),
    (b'{"hook": "patient-view"}', 400, "hookInstance"),
    (b'{"hook": "patient-view", "hookInstance": "x", "context": {}}', 400, "context.patientId"),
    (b'{"hook": "order-select", "hookInstance": "x", "context": {"patientId": "p"}}', 400, "patient-view"),
    (b'{"a": 1, "a": 2}', 400, "given twice"),
])
def test_malformed_requests_are_4xx_with_a_message(server: Server, body: bytes, status: int, words: str) -> None:
    got, data, raw = server.post(PATH, body)
    assert got == status
    assert words in data["error"]
    assert b"Traceback" not in raw


def test_a_long_hook_name_is_not_echoed_back_whole(server: Server) -> None:
    """The hook's name is the client's text: the 400 names it clipped, not megabytes of it."""
    body = b'{"hook": "' + b"q" * 1_000_000 + b'", "hookInstance": "x", "context": {"patientId": "p"}}'
    status, data, raw = server.post(PATH, body)
    assert status == 400
    assert data["error"].startswith("this service answers the 'patient-view' hook, not 'qqq")
    assert len(raw) < 1000


def test_unknown_service_and_paths_are_404(server: Server) -> None:
    status, data, _ = server.post("/cds-services/nope", request_for("early-stage-er-positive"))
    assert status == 404
    assert SERVICE_ID in data["error"]
    status, _, _ = server.request("GET", "/nowhere")
    assert status == 404


def test_an_invalid_resource_is_skipped_with_a_card_naming_resource_and_element(server: Server) -> None:
    """The service reads leniently (issue 21): the resource is skipped, what it could inform is unknown."""
    request = request_for("early-stage-er-positive")
    entry = request["prefetch"]["observations"]["entry"][0]["resource"]
    entry["effectiveDateTime"] = "2024-13-99"
    status, data, raw = server.post(PATH, request)
    assert status == 200
    details = " ".join(card.get("detail", "") for card in data["cards"])
    assert f"Observation/{entry['id']} skipped" in details and "Observation.effectiveDateTime" in details
    assert b"Traceback" not in raw


def test_a_prefetched_patient_who_is_not_the_context_patient_is_refused_for_what_it_is(server: Server) -> None:
    request = request_for("early-stage-er-positive")
    request["context"]["patientId"] = "someone-else"
    status, data, _ = server.post(PATH, request)
    assert status == 422
    assert data["error"].startswith("prefetch.patient is Patient/early-stage-er-positive, not the patient the hook is "
                                    "about (context.patientId 'someone-else')")
    assert "FHIR R4" not in data["error"]


def test_a_bug_is_500_without_traceback_and_logs_hold_no_patient_data(
        server: Server, monkeypatch: pytest.MonkeyPatch) -> None:
    records: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record.getMessage() + (str(record.exc_info) if record.exc_info else ""))

    handler = Collect()
    loggers = [logging.getLogger(name) for name in ("uvicorn.access", "uvicorn.error", "igfrules.service", "")]
    for logger in loggers:
        logger.addHandler(handler)

    def explode(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("early-stage-er-positive anastrozole")  # patient data in the exception text

    try:
        request = request_for("early-stage-er-positive")
        assert server.post(PATH, copy.deepcopy(request))[0] == 200
        request["prefetch"]["patient"]["birthDate"] = "1961-04-13"  # a new prefetch: not an answer seen before
        monkeypatch.setattr("igfrules.service.app.evaluate", explode)
        status, data, raw = server.post(PATH, request)
    finally:
        for logger in loggers:
            logger.removeHandler(handler)
    assert status == 500
    assert b"Traceback" not in raw
    assert "anastrozole" not in data["error"]
    assert records, "the server logs its requests"
    text = "\n".join(records)
    assert "RuntimeError" in text
    for patient_data in ("early-stage-er-positive", "anastrozole", "1961-04-1", "Synthetic"):
        assert patient_data not in text


def test_a_chart_opened_again_gets_the_same_answer_and_a_changed_one_a_new_answer(server: Server) -> None:
    request = request_for("metastatic-hr-positive-pik3ca")
    first = server.post(PATH, request)[2]
    assert server.post(PATH, request)[2] == first  # byte for byte, uuids included
    request["hookInstance"] = "another-instance"
    again = server.post(PATH, request)[1]["cards"]
    before = json.loads(first)["cards"]
    assert [{**c, "uuid": ""} for c in again] == [{**c, "uuid": ""} for c in before]  # only the uuids differ
    assert not {c["uuid"] for c in again} & {c["uuid"] for c in before}
    observations = request["prefetch"]["observations"]["entry"]
    request["prefetch"]["observations"]["entry"] = [e for e in observations if e["resource"]["id"] != "pik3ca-variant"]
    changed = server.post(PATH, request)[2]
    assert changed != first
    assert b"PIK3CA-mutant" not in changed.split(b"missing field")[0]


def test_browser_clients_get_cors_headers(server: Server) -> None:
    conn = http.client.HTTPConnection(server.host, server.port, timeout=30)
    conn.request("OPTIONS", PATH, headers={"Origin": "https://sandbox.cds-hooks.org",
                                           "Access-Control-Request-Method": "POST",
                                           "Access-Control-Request-Headers": "content-type"})
    response = conn.getresponse()
    response.read()
    conn.close()
    assert response.status == 200
    assert response.getheader("access-control-allow-origin") == "*"


def test_another_patients_resource_in_the_prefetch_is_refused(server: Server) -> None:
    request = request_for("metastatic-hr-positive-pik3ca")
    observation = request["prefetch"]["observations"]["entry"][0]["resource"]
    observation["subject"] = {"reference": "Patient/SOMEONE-ELSE"}
    status, data, _ = server.post(PATH, request)
    assert 400 <= status < 500  # never cards built from someone else's data
    assert "SOMEONE-ELSE" in json.dumps(data)


def test_a_worker_that_cannot_have_the_checked_knowledge_base_says_so_in_one_line_and_stops(
        monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    from uvicorn.config import STARTUP_FAILURE

    from igfrules.service import server

    monkeypatch.setattr(server, "_settle", lambda: None)  # never freeze the test process's heap
    monkeypatch.setenv(server.RULES_VARIABLE, str(RULES))
    monkeypatch.setenv(server.SHA256_VARIABLE, "0" * 64)
    monkeypatch.setenv(server.CACHE_VARIABLE, "0")
    with caplog.at_level(logging.ERROR, logger="uvicorn.error"), pytest.raises(SystemExit) as stopped:
        server.app_in_worker()
    assert stopped.value.code == STARTUP_FAILURE  # uvicorn's supervisor stops, never restarts it in a loop
    (record,) = caplog.records
    assert "changed on disk" in record.getMessage() and record.exc_info is None
    monkeypatch.setenv(server.SHA256_VARIABLE, igfrules.load_knowledge_base(RULES).sha256)
    assert server.app_in_worker().title.startswith("igfrules CDS Hooks service")


def test_a_worker_restarted_after_the_rules_were_edited_serves_what_the_server_checked(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import os
    import shutil
    import time

    from igfrules.errors import KnowledgeBaseError
    from igfrules.service.server import worker_knowledge_base

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.delenv("IGFRULES_NO_CACHE", raising=False)
    rules = tmp_path / "rules"
    shutil.copytree(RULES, rules)
    settled = time.time() - 60
    for path in rules.rglob("*"):
        os.utime(path, (settled, settled))
    checked = igfrules.load_knowledge_base(rules, use_cache=True)  # the server's load, as the command line does it
    edited = next(rules.glob("rationales/*.yaml"))
    edited.write_text(edited.read_text(encoding="utf-8").replace("title: ", "title: Edited ", 1), encoding="utf-8")
    assert igfrules.load_knowledge_base(rules).sha256 != checked.sha256
    kept = worker_knowledge_base(str(rules), checked.sha256, use_cache=True)
    assert kept.sha256 == checked.sha256 and kept.entries == checked.entries
    with pytest.raises(KnowledgeBaseError, match="changed on disk"):  # no cache: the files must still match
        worker_knowledge_base(str(rules), checked.sha256, use_cache=False)


@pytest.mark.parametrize("workers", ["1", "2"])
def test_a_port_in_use_is_a_clear_error_exit_1(workers: str) -> None:
    import subprocess
    import sys

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        done = subprocess.run([sys.executable, "-m", "igfrules", "serve", "--port", port, "--workers", workers],
                              capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 1
    assert done.stderr.startswith(f"Error: --host 127.0.0.1 --port {port}: cannot listen here: address already in use")
    assert "Traceback" not in done.stderr
