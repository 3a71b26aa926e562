"""A CDS Hooks patient-view request built from a FHIR Bundle, as a client would prefetch it: for
trying the service and for its tests and benchmark.

Each entry keeps the Bundle's own fullUrl (references in the record may name it). A `urn:uuid:`
reference, which exists only inside a transaction or collection Bundle, becomes `Type/id`, as a
FHIR server rewrites it when it stores the Bundle: a server's prefetch never holds one, and the
Patient, sent on its own under `patient`, has no fullUrl to match it.

    python -m igfrules.service.example cases/fhir/metastatic-hr-positive-pik3ca.json > request.json
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .hooks import HOOK, PREFETCH

_KEY_OF_TYPE = {"Condition": "conditions", "Observation": "observations", "Procedure": "procedures",
                "MedicationRequest": "medicationRequests", "MedicationAdministration": "medicationAdministrations",
                "MedicationStatement": "medicationStatements", "Medication": "medicationRequests"}


EXAMPLE_INSTANCE = "00000000-0000-4000-8000-000000000000"


def _stored(value: Any, ids: Mapping[str, str]) -> Any:
    """`value` with each urn:uuid reference to an entry of the Bundle as that entry's `Type/id`."""
    if isinstance(value, Mapping):
        return {k: (ids.get(v, v) if k == "reference" and isinstance(v, str) else _stored(v, ids))
                for k, v in value.items()}
    if isinstance(value, list):
        return [_stored(v, ids) for v in value]
    return value


def hook_request(bundle: Mapping[str, Any], hook_instance: str = EXAMPLE_INSTANCE) -> dict[str, Any]:
    ids = {e["fullUrl"]: f"{e['resource'].get('resourceType')}/{e['resource'].get('id')}"
           for e in bundle.get("entry", []) if isinstance(e.get("fullUrl"), str)
           and e["fullUrl"].startswith("urn:uuid:") and isinstance(e.get("resource"), Mapping)}
    entries = [_stored(e, ids) if ids else e for e in bundle.get("entry", []) if "resource" in e]
    patient = next((e["resource"] for e in entries if e["resource"].get("resourceType") == "Patient"), None)
    patient_id = patient["id"] if patient else "unknown-patient"
    prefetch: dict[str, Any] = {key: {"resourceType": "Bundle", "type": "searchset", "entry": []}
                                for key in PREFETCH if key != "patient"}
    prefetch["patient"] = patient
    for entry in entries:
        key = _KEY_OF_TYPE.get(entry["resource"].get("resourceType", ""))
        if key is not None:  # the Bundle's own fullUrl: references in the record may use it
            item = {"fullUrl": entry["fullUrl"]} if "fullUrl" in entry else {}
            prefetch[key]["entry"].append({**item, "resource": entry["resource"], "search": {"mode": "match"}})
    for key, value in prefetch.items():
        if key != "patient":
            value["total"] = len(value["entry"])
    return {"hook": HOOK, "hookInstance": hook_instance, "context": {"userId": "Practitioner/example",
                                                                      "patientId": patient_id},
            "prefetch": prefetch}


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m igfrules.service.example BUNDLE.json", file=sys.stderr)
        return 2
    bundle = json.loads(Path(argv[0]).read_text(encoding="utf-8"))
    print(json.dumps(hook_request(bundle), indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
