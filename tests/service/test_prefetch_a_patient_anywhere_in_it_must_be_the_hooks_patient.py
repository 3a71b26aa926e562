"""A Patient anywhere in the prefetch (the `patient` key as a searchset, or one a search included)
must be the patient the hook is about; another is refused (422) by saying which Patient it is and
whose record the hook asked for (context.patientId), so the client can see the mix-up. igfrules
reads one patient's record."""

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


def _as_patient_searchset(sent: dict[str, Any], other: dict[str, Any]) -> None:
    sent["prefetch"]["patient"] = {"resourceType": "Bundle", "type": "searchset", "entry": [{"resource": other}]}


def _included_with_conditions(sent: dict[str, Any], other: dict[str, Any]) -> None:
    sent["prefetch"]["conditions"]["entry"].append({"resource": other, "search": {"mode": "include"}})


@pytest.mark.parametrize("place", [_as_patient_searchset, _included_with_conditions],
                         ids=["patient-searchset", "included-with-conditions"])
def test_another_patient_in_a_searchset_is_refused_by_name(server: Server, place: Any) -> None:
    """Mutation: the loop over the record's Patients turned into a loop over `[]` in
    service/prefetch.py resources_from_prefetch() (the refusal then came later and vaguer: "more
    than one Patient", or not naming context.patientId)."""
    sent = request()
    other = copy.deepcopy(sent["prefetch"]["patient"]) | {"id": "someone-else"}
    place(sent, other)
    status, data, _ = server.post(PATH, sent)
    assert status == 422
    assert data["error"] == ("the prefetched record was refused: Patient/someone-else: is not the patient the hook "
                             "is about (context.patientId 'metastatic-hr-positive-pik3ca')")
