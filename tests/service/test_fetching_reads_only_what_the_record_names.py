"""What a fetched record names is read by id only: a reference whose id is a dot segment
(`Medication/.`) would resolve to a search of every resource of that type on fhirServer. The
server here is a plain HTTP server on 127.0.0.1 that records every path it was asked for: it
answers what a misbehaving record needs, which the real FHIR server would not hold."""

from __future__ import annotations

from igfrules.service.example import hook_request
from tests.service.conftest import Server
from tests.service.signed_clients import jwks_server
from tests.service.test_fetching_from_a_real_fhir_server import CASE, PATH, bundle, fetching_from


def test_a_medication_reference_whose_id_is_a_dot_segment_is_not_read(server: Server) -> None:
    with jwks_server() as recorder:
        request = fetching_from(f"{recorder.base}/fhir", "a-token")
        request["prefetch"] = hook_request(bundle(CASE))["prefetch"]
        del request["prefetch"]["medicationRequests"]
        search = f"/fhir/MedicationRequest?patient=Patient/{CASE}&_include=MedicationRequest:medication"
        for n, ident in enumerate((".", "..")):
            recorder.serve(search, {"resourceType": "Bundle", "type": "searchset", "entry": [{"resource": {
                "resourceType": "MedicationRequest", "id": f"m{n}", "status": "active", "intent": "order",
                "subject": {"reference": f"Patient/{CASE}"},
                "medicationReference": {"reference": f"Medication/{ident}"},
            }}]})
            recorder.asked.clear()
            status, _, _ = server.post(PATH, request)
            assert status == 200
            assert recorder.asked == [search]  # never /fhir/Medication (every Medication) nor /fhir
