"""Gene variants (PIK3CA, germline BRCA) from mCODE GenomicVariant and GenomicRegionStudied.

An assessment reports a variant only when it says so: the coded answer LA9633-4 (present), or,
with no value at all, a pathogenic significance or a described variant (a DNA or amino-acid
change). An assessment with no answer, a `dataAbsentReason` (not performed, an error), or an
answer that is not a coded one (`valueString` "No mutation detected", `valueBoolean`, an
`interpretation` flag) is not read as a result either way: the field stays unknown, with a warning
naming it. A region studied with a `dataAbsentReason` did not study anything.
"""

from __future__ import annotations

from typing import Any

from ..model.fields import UNKNOWN
from ..model.mapping import FieldSource
from .bundle import Resources
from .codes import (
    CLINICAL_SIGNIFICANCE,
    GENE_STUDIED,
    GENOMIC_SOURCE_CLASS,
    GERMLINE,
    HGNC,
    LOINC,
    NOT_A_MUTATION,
    PATHOGENIC,
    REGION_STUDIED,
    UNCERTAIN,
    VARIANT_ABSENT,
    VARIANT_ASSESSMENT,
    VARIANT_DESCRIBED,
    VARIANT_PRESENT,
)
from .concepts import code_in, codings, components, has_pair, usable
from .findings import read_concept

Warnings = list[str]
_OTHER_VALUES = ("valueString", "valueBoolean", "valueInteger", "valueQuantity", "valueRange", "valueRatio",
                 "valueSampledData", "valueTime", "valueDateTime", "valuePeriod")


def _genes(concept: Any) -> set[str]:
    """HGNC ids ("HGNC:8975") and symbols a gene-studied value names."""
    names = set()
    for system, code, display in codings(concept):
        if system == HGNC and code:
            names.add(code if code.startswith("HGNC:") else f"HGNC:{code}")
        if display:
            names.add(display.strip().upper())
    if concept is not None and concept.text:
        names.add(concept.text.strip().upper())
    return names


def _absent_reason(obs: Any) -> str:
    reason = obs.dataAbsentReason
    return "" if reason is None else ("dataAbsentReason " + ", ".join(
        c or d for _, c, d in codings(reason) if c or d) or reason.text or "dataAbsentReason")


def _variant_answer(system: str, code: str) -> str | None:
    return {VARIANT_PRESENT: "present", VARIANT_ABSENT: "absent"}.get((system, code))


def assessment(obs: Any) -> tuple[str, str]:
    """("present" | "absent" | "uncertain" | "", why it was not read) for one variant assessment."""
    if why := _absent_reason(obs):
        return "", why
    concept = obs.valueCodeableConcept
    significance = {code for c in components(obs, LOINC, CLINICAL_SIGNIFICANCE)
                    for s, code, _ in codings(c.valueCodeableConcept) if s == LOINC}
    answer = read_concept(concept, _variant_answer).coded  # every coding; codes only: words are not an answer
    present, absent = "present" in answer, "absent" in answer
    if present and absent:
        return "", "codings say both present and absent"
    if absent or significance & set(NOT_A_MUTATION):
        return "absent", ""
    if significance & set(UNCERTAIN):
        return "uncertain", ""
    if present:
        return "present", ""
    other = next((name for name in _OTHER_VALUES if getattr(obs, name, None) is not None), None)
    if concept is None and other is None:
        described = any(code_in(c.code, LOINC, VARIANT_DESCRIBED) for c in obs.component or [])
        if significance & set(PATHOGENIC) or described:
            return "present", ""
        flags = ", ".join(code for c in obs.interpretation or [] for _, code, _ in codings(c) if code)
        return "", f"no answer{f' (interpretation {flags})' if flags else ''}"
    return "", f"an answer that is not LA9633-4 or LA9634-2 ({other or 'another code'})"


def gene_status(resources: Resources, field: str, genes: tuple[tuple[str, str], ...], *,
                germline: bool, warnings: Warnings) -> FieldSource:
    """True for a reported variant of the gene (not benign); False when the gene was studied and no
    such variant found; unknown when no panel studied the gene, or an assessment could not be read."""
    wanted = {name for gene in genes for name in gene}
    label_of = " or ".join(symbol for _, symbol in genes)
    present: list[str] = []
    absent: list[str] = []
    uncertain: list[str] = []
    studied: list[str] = []
    unread: list[str] = []
    for obs in resources.of("Observation"):
        if not usable(obs):
            continue
        named = set().union(*(_genes(c.valueCodeableConcept) for c in components(obs, LOINC, GENE_STUDIED)))
        if not named & wanted:
            continue
        label = resources.label(obs)
        if code_in(obs.code, LOINC, [REGION_STUDIED]):
            if not germline and not _absent_reason(obs):  # a panel does not say whether it would report germline
                studied.append(label)
        elif code_in(obs.code, LOINC, [VARIANT_ASSESSMENT]):
            if germline and not any(has_pair(c.valueCodeableConcept, [GERMLINE])
                                    for c in components(obs, LOINC, GENOMIC_SOURCE_CLASS)):
                continue  # a somatic (or unstated) finding says nothing of a germline field
            result, why = assessment(obs)
            {"present": present, "absent": absent, "uncertain": uncertain}.get(result, unread).append(label)
            if not result:
                warnings.append(f"{label}: a {label_of} variant assessment with {why}; not read as a result")
    labels = tuple(dict.fromkeys(present + uncertain + absent + studied + unread))
    if present:
        if absent:
            warnings.append(f"{label_of}: a variant is reported present ({', '.join(present)}) and absent or "
                            f"benign ({', '.join(absent)}); present stands")
        return FieldSource(field=field, value=True, resources=labels, note=f"{label_of} variant present")
    if uncertain:
        return FieldSource(field=field, value=UNKNOWN, resources=labels,
                           note=f"{label_of} variant of uncertain significance only")
    if unread and not absent:
        return FieldSource(field=field, value=UNKNOWN, resources=labels,
                           note=f"{label_of}: an assessment that cannot be read ({', '.join(unread)}), and none "
                                "that reports the gene absent")
    if absent or studied:
        return FieldSource(field=field, value=False, resources=labels,
                           note=f"{label_of} studied, no pathogenic variant reported")
    return FieldSource(field=field, value=UNKNOWN, note=f"{label_of} not among the genes studied")
