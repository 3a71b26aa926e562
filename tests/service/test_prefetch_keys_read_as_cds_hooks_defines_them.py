"""A prefetch key sent as null holds no data; omitted, or holding a failed fetch's OperationOutcome,
it is data the client could not have: fetched, or 412 naming it (CDS Hooks 2.0, Prefetch)."""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest

from igfrules.service.example import hook_request
from igfrules.service.fetch import needs_fetching, same_base, server_base
from igfrules.service.hooks import PREFETCH, SERVICE_ID
from igfrules.service.prefetch import failed
from tests.conftest import CASES
from tests.service.conftest import Server

PATH = f"/cds-services/{SERVICE_ID}"
CASE = CASES / "fhir" / "metastatic-hr-positive-pik3ca.json"
FAILED = {"resourceType": "OperationOutcome", "issue": [{"severity": "error", "code": "exception"}]}
WARNING = {"resourceType": "OperationOutcome", "issue": [{"severity": "warning", "code": "incomplete"}]}


def request() -> dict[str, Any]:
    return hook_request(json.loads(CASE.read_text(encoding="utf-8")))


def test_a_null_key_holds_no_data_and_its_fields_stay_unknown(server: Server) -> None:
    sent = request()
    sent["prefetch"]["observations"] = None
    sent["prefetch"]["patient"] = None  # a read the client has nothing for
    status, data, _ = server.post(PATH, sent)
    assert status == 200
    missing = next(c for c in data["cards"] if "missing field(s)" in c["summary"])
    assert "the client has no data for: observations, patient" in missing["detail"]
    assert "could not prefetch" not in missing["detail"]
    assert "**ER status**" in missing["detail"]


def test_a_key_holding_an_operation_outcome_is_a_failed_fetch_412_without_a_server(server: Server) -> None:
    sent = request()
    sent["prefetch"]["conditions"] = FAILED
    status, data, _ = server.post(PATH, sent)
    assert status == 412
    assert data["missing_prefetch"] == ["conditions"]
    assert data["reasons"]["conditions"].startswith("the client's fetch failed (an OperationOutcome)")


def test_a_searchset_with_an_error_outcome_entry_is_a_failed_fetch(server: Server) -> None:
    sent = request()
    sent["prefetch"]["procedures"]["entry"].append({"resource": FAILED, "search": {"mode": "outcome"}})
    status, data, _ = server.post(PATH, sent)
    assert status == 412
    assert data["missing_prefetch"] == ["procedures"]


def test_a_warning_outcome_entry_is_a_note_not_a_record_and_not_a_failure(server: Server) -> None:
    plain = server.post(PATH, request())[2]
    sent = request()
    sent["prefetch"]["procedures"]["entry"].append({"resource": WARNING, "search": {"mode": "outcome"}})
    status, _, raw = server.post(PATH, sent)
    assert status == 200
    assert raw == plain


def test_what_needs_fetching() -> None:
    prefetch = request()["prefetch"]
    assert needs_fetching(prefetch) == []
    prefetch["observations"] = None
    assert needs_fetching(prefetch) == []  # null: nothing to fetch
    del prefetch["conditions"]
    prefetch["patient"] = FAILED
    prefetch["procedures"]["link"] = [{"relation": "next", "url": "https://ehr.example.org/fhir/Procedure?page=2"}]
    assert needs_fetching(prefetch) == ["patient", "conditions", "procedures"]
    assert needs_fetching(None) == list(PREFETCH)
    assert failed(FAILED) and failed(WARNING)  # an OperationOutcome in place of the data: the fetch failed
    assert not failed({"resourceType": "Bundle", "entry": [{"resource": WARNING}]})


@pytest.mark.parametrize("url", ["https://ehr.example.org/fhir", "https://ehr.example.org/fhir/",
                                 "http://127.0.0.1:8080/fhir", "http://127.5.6.7/r4", "http://[::1]:9000/fhir",
                                 "http://localhost/fhir", "http://LOCALHOST:1/fhir"])
def test_https_and_loopback_http_servers_are_accepted(url: str) -> None:
    assert server_base(url) == url.rstrip("/")


@pytest.mark.parametrize(("link", "ok"), [
    ("https://ehr.example.org/fhir/Observation?_offset=2", True),
    ("https://ehr.example.org:443/fhir?_getpages=abc", True),
    ("https://ehr.example.org/fhir-evil/Observation", False),
    ("https://ehr.example.org/other/Observation", False),
    ("http://ehr.example.org/fhir/Observation", False),
    ("https://ehr.example.org:8443/fhir/Observation", False),
    ("https://evil.example.org/fhir/Observation", False),
    ("https://user@ehr.example.org/fhir/Observation", False),
    ("https://ehr.example.org:x/fhir/Observation", False),
    ("https://ehr.example.org/fhir/../other/Observation", False),  # under the base as text, not once resolved
    ("https://ehr.example.org/fhir/%2e%2e/other", False),
    ("https://ehr.example.org/fhir/Observation/..", False),
])
def test_a_link_is_followed_only_under_the_fhir_server_base(link: str, ok: bool) -> None:
    assert same_base(link, "https://ehr.example.org/fhir") is ok


@pytest.mark.parametrize("full_urls", ["absolute", "urn:uuid"])
def test_the_example_module_builds_a_request_the_service_accepts_with_the_bundles_own_full_urls(
        server: Server, tmp_path: Path, full_urls: str) -> None:
    bundle = json.loads(CASE.read_text(encoding="utf-8"))
    if full_urls == "urn:uuid":  # a transaction Bundle's form: every reference names an entry's fullUrl
        names = {f"{e['resource']['resourceType']}/{e['resource']['id']}": f"urn:uuid:{uuid.uuid4()}"
                 for e in bundle["entry"]}
        for entry in bundle["entry"]:
            entry["fullUrl"] = names[f"{entry['resource']['resourceType']}/{entry['resource']['id']}"]
        text = json.dumps(bundle)
        for name, urn in names.items():
            text = text.replace(f'"reference": "{name}"', f'"reference": "{urn}"')
        bundle = json.loads(text)
    path = tmp_path / "bundle.json"
    path.write_text(json.dumps(bundle), encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "igfrules.service.example", str(path)], capture_output=True,
                          text=True, timeout=120, check=True)
    sent = json.loads(done.stdout)
    given = {e["fullUrl"] for e in bundle["entry"]}
    kept = {e["fullUrl"] for key in PREFETCH if key != "patient" for e in sent["prefetch"][key]["entry"]}
    assert kept and kept <= given
    status, data, raw = server.post(PATH, sent)
    assert status == 200, data
    assert raw == server.post(PATH, request())[2]  # the same record, the same cards


def test_a_resource_about_another_patient_is_refused_by_saying_so(server: Server) -> None:
    sent = request()
    sent["prefetch"]["observations"]["entry"][0]["resource"]["subject"] = {"reference": "Patient/SOMEONE-ELSE"}
    status, data, _ = server.post(PATH, sent)
    assert status == 422
    assert data["error"].startswith("the prefetched record was refused: Observation/")
    assert "SOMEONE-ELSE" in data["error"]
    assert "FHIR R4" not in data["error"]


# What a prefetch value holds besides its records (issue 23: the prefetch.py survivors).

def test_a_link_other_than_next_is_no_page_to_fetch(server: Server) -> None:
    """A searchset's `self` link names the search itself, not a page after it: the record is whole,
    with no fhirServer to fetch from. Mutations in next_link: either `and` of `isinstance(link,
    Mapping) and relation == "next" and isinstance(url, str)` turned into `or` (the self link
    followed: 412)."""
    sent = request()
    sent["prefetch"]["procedures"]["link"] = [{"relation": "self", "url": "https://ehr.example.org/fhir/Procedure"}]
    status, _, raw = server.post(PATH, sent)
    assert status == 200
    assert raw == server.post(PATH, request())[2]


def test_an_entry_without_a_resource_or_with_an_outcome_alone_is_no_record(server: Server) -> None:
    """A searchset entry with no resource, or an OperationOutcome entry not marked search.mode
    "outcome", holds no record: the cards are the plain request's. Mutations in _items: `"resource"
    in entry and not outcome` turned into `or`; `not isinstance(resource, Mapping) or resourceType
    != "OperationOutcome"` in _failed_outcome turned into `and` (None.get: a 500)."""
    sent = request()
    sent["prefetch"]["procedures"]["entry"] += [{"fullUrl": "urn:uuid:b7e3c1a0-0000-4000-8000-000000000001",
                                                 "search": {"mode": "match"}},
                                                {"resource": WARNING}]
    status, _, raw = server.post(PATH, sent)
    assert status == 200
    assert raw == server.post(PATH, request())[2]


def test_an_entry_marked_as_the_searchs_outcome_is_no_record_whatever_it_holds(server: Server) -> None:
    """An entry of search.mode "outcome" is about the search, not the patient: a Condition there,
    even one about someone else, is not read (the same entry as a match is refused). Mutation in
    _items: the two ways to be an outcome entry (its mode, or an OperationOutcome resource) joined
    with `and` instead of `or`."""
    sent = request()
    other = {"resourceType": "Condition", "id": "outcome-c", "subject": {"reference": "Patient/SOMEONE-ELSE"},
             "code": {"coding": [{"system": "http://snomed.info/sct", "code": "94381002"}]}}
    sent["prefetch"]["conditions"]["entry"].append({"resource": other, "search": {"mode": "outcome"}})
    status, _, raw = server.post(PATH, sent)
    assert status == 200
    assert raw == server.post(PATH, request())[2]
    sent["prefetch"]["conditions"]["entry"][-1]["search"]["mode"] = "match"
    assert server.post(PATH, sent)[0] == 422


def test_a_bundle_whose_entry_is_not_a_list_is_refused_by_saying_so(server: Server) -> None:
    """Mutation in failed: `resourceType != "Bundle" or not isinstance(entry, list)` turned into
    `and` (the number iterated: a 500)."""
    sent = request()
    sent["prefetch"]["procedures"]["entry"] = 5
    status, data, _ = server.post(PATH, sent)
    assert status == 422
    assert "procedures.entry: must be a list" in data["error"]


def test_an_entry_whose_resource_is_not_an_object_is_not_a_failed_fetch(server: Server) -> None:
    """An entry's resource given as text is no OperationOutcome: it is read leniently, never a
    crash. Mutation in _failed_outcome: `not isinstance(resource, Mapping) or resourceType !=
    "OperationOutcome"` turned into `and` ("x".get: a 500)."""
    sent = request()
    sent["prefetch"]["procedures"]["entry"].append({"resource": "x"})
    assert server.post(PATH, sent)[0] == 200


def test_a_null_patient_key_leaves_the_other_keys_read(server: Server) -> None:
    """The patient key comes first: sent as null, the keys after it are still read (ER is not
    missing). Mutation in _items: `continue` past a null key turned into `break`."""
    sent = request()
    sent["prefetch"]["patient"] = None
    status, data, _ = server.post(PATH, sent)
    assert status == 200
    missing = next(c for c in data["cards"] if "missing field(s)" in c["summary"])
    assert "the client has no data for: patient" in missing["detail"]
    assert "**ER status**" not in missing["detail"]


def test_a_patient_in_a_searchset_who_is_someone_else_is_refused(server: Server) -> None:
    """Mutation in resources_from_prefetch: the loop over the prefetched Patients made empty."""
    sent = request()
    sent["prefetch"]["conditions"]["entry"].append({"resource": {"resourceType": "Patient", "id": "SOMEONE-ELSE"}})
    status, data, _ = server.post(PATH, sent)
    assert status == 422
    assert data["error"] == ("the prefetched record was refused: Patient/SOMEONE-ELSE: is not the patient the hook "
                             "is about (context.patientId 'metastatic-hr-positive-pik3ca')")
