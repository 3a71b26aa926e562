"""The mCODE IG 4.0.0's own breast-cancer patient, fetched by the service's templates from a real
FHIR server, maps as the command line maps the Bundle: its surgery is found (the Procedure search
has no category filter), so its therapies keep their adjuvant setting."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from igfrules.fhir.profile import map_bundle, map_resources
from igfrules.service.example import hook_request
from igfrules.service.fetch import Fetcher
from igfrules.service.hooks import PREFETCH, HookRequest
from igfrules.service.prefetch import SOURCE, resources_from_prefetch
from tests.external.fhir_server import FhirServer
from tests.external.mcode_ig import example_bundles

JENNY = "Bundle-mcode-patient-bundle-jenny-m.json"


def the_ig_patient() -> dict[str, Any]:
    [path] = [p for p in example_bundles() if p.name == JENNY]
    return json.loads(path.read_text(encoding="utf-8"))


def test_the_ig_patient_fetched_by_the_templates_keeps_its_adjuvant_setting(fhir_server: FhirServer) -> None:
    bundle = the_ig_patient()
    fhir_server.reset()
    fhir_server.load(bundle)
    request = hook_request(bundle)
    del request["prefetch"]
    request |= {"fhirServer": fhir_server.base,
                "fhirAuthorization": {"access_token": fhir_server.token, "token_type": "Bearer"}}
    hook = HookRequest.model_validate(request)
    prefetch = asyncio.run(Fetcher().complete(hook))
    surgery = [e["resource"]["id"] for e in prefetch["procedures"]["entry"]]
    assert "cancer-related-surgical-procedure-jenny-m" in surgery
    resources, _ = resources_from_prefetch(prefetch, hook.context["patientId"])
    fetched = map_resources(resources, source=SOURCE, patient_id=hook.context["patientId"]).profile
    cli = map_bundle(bundle).profile
    assert {t.setting for t in cli.prior_therapies} == {"adjuvant"}
    assert fetched.prior_therapies == cli.prior_therapies


def test_a_category_filter_would_have_lost_the_ig_patients_surgery(fhir_server: FhirServer) -> None:
    bundle = the_ig_patient()
    fhir_server.reset()
    fhir_server.load(bundle)
    patient = hook_request(bundle)["context"]["patientId"]
    template = PREFETCH["procedures"].replace("{{context.patientId}}", patient)
    assert "category" not in template
    everything = fhir_server.get(f"/{template}")
    surgical = fhir_server.get(f"/{template}&category=http://snomed.info/sct|387713003")
    assert "cancer-related-surgical-procedure-jenny-m" in {e["resource"]["id"] for e in everything["entry"]}
    assert surgical["total"] == 0  # the IG's surgical procedure carries no category
