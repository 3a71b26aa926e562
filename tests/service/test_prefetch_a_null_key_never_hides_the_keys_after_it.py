"""A prefetch key sent as null holds no data (CDS Hooks 2.0): the fields it would inform stay
unknown, and every other key is read as sent, whatever its place in the prefetch template. A null
patient read must not cost a tumour board the record's receptors, stage and genes."""

from __future__ import annotations

import json
from typing import Any

from igfrules.service.example import hook_request
from igfrules.service.hooks import SERVICE_ID
from tests.conftest import CASES
from tests.service.conftest import Server

PATH = f"/cds-services/{SERVICE_ID}"
CASE = CASES / "fhir" / "metastatic-hr-positive-pik3ca.json"


def request() -> dict[str, Any]:
    return hook_request(json.loads(CASE.read_text(encoding="utf-8")))


def test_a_null_patient_read_leaves_the_searches_after_it_read(server: Server) -> None:
    """`patient` is the template's first key. Mutation: `continue` past a null key turned into
    `break` in service/prefetch.py _items() (every key after a null one then went unread, and the
    record's ER status, PIK3CA variant, stage and prior therapies became missing fields)."""
    sent = request()
    sent["prefetch"]["patient"] = None
    status, data, _ = server.post(PATH, sent)
    assert status == 200, data
    missing = next(c for c in data["cards"] if "missing field(s)" in c["summary"])
    assert "the client has no data for: patient" in missing["detail"]
    for field in ("**ER status**", "**PIK3CA mutation**", "**stage**", "**metastatic sites**", "**prior therapies**"):
        assert field not in missing["detail"]
    assert any(c["summary"].startswith("Ganitumab + alpelisib in PIK3CA-mutant HR+ advanced disease")
               for c in data["cards"])
