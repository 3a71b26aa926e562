"""An Observation the gene readers set aside never hides those the record lists after it. A multi-gene
panel does not say whether it reports germline variants, so it never answers the germline BRCA
field, but the germline assessments after it do, True or False; so do those after a somatic finding
of the same gene, which says nothing of the germline. A panel that is not final studied nothing, and
a final one after it still did. A variant reported in a gene the record does not name readably could
be PIK3CA (so no panel makes PIK3CA absent while it stands), but a PIK3CA variant reported after it
is still present."""

from __future__ import annotations

from typing import Any

import pytest

from tests.fhir.builders import LOINC, cc, gene_component, mapped, observation

PIK3CA = ("HGNC:8975", "PIK3CA")
BRCA1 = ("HGNC:1100", "BRCA1")
BRCA2 = ("HGNC:1101", "BRCA2")
PRESENT, ABSENT = "LA9633-4", "LA9634-2"


def panel() -> dict[str, Any]:
    return observation("panel", "53041-0", component=[gene_component(*BRCA1), gene_component(*BRCA2)])


def germline(oid: str, gene: tuple[str, str], answer: str, source_class: str = "LA6683-2") -> dict[str, Any]:
    source = {"code": cc(LOINC, "48002-0"), "valueCodeableConcept": cc(LOINC, source_class)}  # LA6684-0: somatic
    return observation(oid, "69548-6", component=[gene_component(*gene), source],
                       valueCodeableConcept=cc(LOINC, answer))


@pytest.mark.parametrize(("answers", "expected", "resources"), [
    ((PRESENT, ABSENT), True, ("Observation/b1",)),  # the gene with the variant
    ((ABSENT, ABSENT), False, ("Observation/b1", "Observation/b2")),
], ids=["present", "absent"])
def test_germline_assessments_after_a_panel_answer_the_brca_field(answers: tuple[str, str], expected: Any,
                                                                   resources: tuple[str, ...]) -> None:
    """Mutation: `continue` after a panel read for a germline field turned into `break` in
    fhir/genes.py _one_gene() (every Observation after the panel then went unread, and the field
    was left unknown as if only the panel had studied the genes)."""
    case = mapped(panel(), germline("b1", BRCA1, answers[0]), germline("b2", BRCA2, answers[1]))
    assert case.profile.brca_mutation is expected
    assert case.mapping.source("brca_mutation").resources == resources


def test_a_pik3ca_variant_after_one_in_a_gene_not_named_readably_is_present() -> None:
    """Mutation: `continue` after a variant in an unnamed gene turned into `break` in fhir/genes.py
    _one_gene() (the PIK3CA variant after it then went unread, and the field was left unknown)."""
    unnamed = observation("unnamed", "69548-6", valueCodeableConcept=cc(LOINC, PRESENT), component=[
        {"code": cc(LOINC, "48018-6"), "valueCodeableConcept": cc("https://www.ncbi.nlm.nih.gov/gene", "5290")}])
    named = observation("v", "69548-6", component=[gene_component(*PIK3CA)], valueCodeableConcept=cc(LOINC, PRESENT))
    case = mapped(unnamed, named)
    assert case.profile.pik3ca_mutation is True
    assert case.mapping.source("pik3ca_mutation").resources == ("Observation/v",)


def test_a_germline_brca1_variant_after_a_somatic_brca1_finding_is_present() -> None:
    """Mutation: `continue` past a somatic finding for a germline field turned into `break` in
    fhir/genes.py _one_gene() (the germline BRCA1 assessment after it then went unread)."""
    somatic = germline("somatic", BRCA1, ABSENT, source_class="LA6684-0")
    case = mapped(somatic, germline("b1", BRCA1, PRESENT))
    assert case.profile.brca_mutation is True
    assert case.mapping.source("brca_mutation").resources == ("Observation/b1",)


def test_a_final_panel_after_a_preliminary_one_makes_pik3ca_absent() -> None:
    """Mutation: `continue` past a panel that is not final turned into `break` in fhir/genes.py
    _one_gene() (the final panel after it then went unread, and PIK3CA was left unknown)."""
    preliminary = observation("prelim", "53041-0", status="preliminary", component=[gene_component(*PIK3CA)])
    case = mapped(preliminary, observation("final", "53041-0", component=[gene_component(*PIK3CA)]))
    assert case.profile.pik3ca_mutation is False
    assert case.mapping.source("pik3ca_mutation").resources == ("Observation/final",)
