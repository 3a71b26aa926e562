"""Only a searchset entry that holds a resource and is not the search's outcome is a record. An
entry with no resource is passed over, as it is in a Bundle given as a file (fhir/bundle.py); an
entry the server marks `search.mode: outcome` tells about the search, whatever its resource, and is
never read as the patient's data. Either way the cards are those of the record without it."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from igfrules.service.example import hook_request
from igfrules.service.hooks import SERVICE_ID
from tests.conftest import CASES
from tests.service.conftest import Server

PATH = f"/cds-services/{SERVICE_ID}"
CASE = CASES / "fhir" / "metastatic-hr-positive-pik3ca.json"


def request() -> dict[str, Any]:
    return hook_request(json.loads(CASE.read_text(encoding="utf-8")))


def _er_negative_marked_outcome() -> dict[str, Any]:
    er = next(e["resource"] for e in request()["prefetch"]["observations"]["entry"] if e["resource"]["id"] == "er")
    later = copy.deepcopy(er) | {"id": "er-outcome", "effectiveDateTime": "2024-08-01"}
    later["valueCodeableConcept"] = {"coding": [{"system": "http://loinc.org", "code": "LA6577-6",
                                                 "display": "Negative"}]}
    return {"resource": later, "search": {"mode": "outcome"}}


@pytest.mark.parametrize(("key", "entry"), [
    ("procedures", {"fullUrl": "https://ehr.example.org/fhir/Procedure/withheld"}),
    ("observations", _er_negative_marked_outcome()),
], ids=["no-resource", "marked-outcome"])
def test_an_entry_that_is_not_a_record_changes_no_card(server: Server, key: str, entry: dict[str, Any]) -> None:
    """Mutations in service/prefetch.py _items(): `"resource" in entry and not outcome` turned into
    `or` (an entry with no resource then reported as an invalid resource skipped, and an outcome
    entry read as a record: here a later ER-negative result that is not the patient's), and
    `mode == "outcome") or (an OperationOutcome)` into `and` (an entry marked outcome then read
    unless its resource is an OperationOutcome); and in failed(), `not isinstance(resource,
    Mapping) or ...` into `and` (an entry with no resource then looked into: a 500)."""
    plain = server.post(PATH, request())
    sent = request()
    sent["prefetch"][key]["entry"].append(entry)
    status, data, raw = server.post(PATH, sent)
    assert status == 200, data
    assert raw == plain[2]
