"""A prefetched searchset is one page of a longer answer only when a `next` link says so (CDS Hooks
2.0, FHIR search paging): its `self` link, or a link a client wrote in another form, is not a page
to fetch, and the record is read as sent. Reading a whole answer as cut would refuse the request
(412) for want of a fhirServer it does not need. A searchset with no `entry` at all is how FHIR
servers send a search that matched nothing (total 0): an empty answer, read as one."""

from __future__ import annotations

import json
from typing import Any

import pytest

from igfrules.service.example import hook_request
from igfrules.service.hooks import SERVICE_ID
from tests.conftest import CASES
from tests.service.conftest import Server

PATH = f"/cds-services/{SERVICE_ID}"
CASE = CASES / "fhir" / "metastatic-hr-positive-pik3ca.json"
SELF = "https://ehr.example.org/fhir/Procedure?patient=Patient/example"


def request() -> dict[str, Any]:
    return hook_request(json.loads(CASE.read_text(encoding="utf-8")))


@pytest.mark.parametrize("links", [
    [{"relation": "self", "url": SELF}],
    [{"relation": "self", "url": SELF}, {"relation": "previous", "url": SELF + "&page=1"}],
], ids=["self", "self-and-previous"])
def test_a_searchset_with_links_but_no_next_is_read_whole(server: Server, links: list[dict[str, Any]]) -> None:
    """Mutations in service/prefetch.py next_link(): `relation == "next" and isinstance(url, str)`
    turned into `or`, and `isinstance(link, Mapping) and relation == "next"` into `or` (any link
    with a URL, or any link at all, then taken for the next page: 412)."""
    plain = server.post(PATH, request())
    sent = request()
    sent["prefetch"]["procedures"]["link"] = links
    status, data, raw = server.post(PATH, sent)
    assert status == 200, data
    assert raw == plain[2]


def test_a_searchset_without_an_entry_element_is_an_empty_answer(server: Server) -> None:
    """Mutation: `resourceType != "Bundle" or not isinstance(entry, list)` turned into `and` in
    service/prefetch.py failed() (a Bundle without `entry` then indexed for one: a 500)."""
    sent = request()
    sent["prefetch"]["procedures"] = {"resourceType": "Bundle", "type": "searchset", "entry": []}
    empty = server.post(PATH, sent)
    assert empty[0] == 200, empty[1]
    sent["prefetch"]["procedures"] = {"resourceType": "Bundle", "type": "searchset", "total": 0}
    status, data, raw = server.post(PATH, sent)
    assert status == 200, data
    assert raw == empty[2]


@pytest.mark.parametrize("link", [
    {"relation": "next"},
    {"relation": "next", "url": ""},
    {"relation": "next", "url": 7},
], ids=["no-url", "empty-url", "url-not-text"])
def test_a_next_link_without_a_url_is_a_clear_error_never_a_record_read_as_whole(
        server: Server, link: dict[str, Any]) -> None:
    """A `next` link says the searchset continues; without a URL igfrules cannot fetch the rest,
    and reading the page as the whole record would evaluate a record cut short in silence (its
    therapies or metastases on the next page). It was read as whole (200); an empty URL was taken
    for a page to fetch (412 for want of a fhirServer)."""
    sent = request()
    sent["prefetch"]["procedures"]["link"] = [{"relation": "self", "url": SELF}, link]
    status, data, raw = server.post(PATH, sent)
    assert status == 422, data
    text = raw.decode("utf-8")
    assert "procedures.link: has a next link without a URL" in text and "cut short" in text
