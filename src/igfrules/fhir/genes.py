"""Gene variants (PIK3CA, germline BRCA) from mCODE GenomicVariant and GenomicRegionStudied.

An assessment reports a variant only when it says so: the coded answer LA9633-4 (present), or,
with no value at all, a pathogenic significance or a described variant (a DNA or amino-acid
change). An assessment with no answer, a `dataAbsentReason` (not performed, an error), or an
answer that is not a coded one (`valueString` "No mutation detected", `valueBoolean`, an
`interpretation` flag) is not read as a result either way: the field stays unknown, with a warning
naming it. A region studied with a `dataAbsentReason`, a value (a panel has none: "Test failed:
insufficient DNA"), a note of failure, or a status that is not final studied nothing.

A described variant (a DNA or amino-acid change component) counts only when its value names one:
an HGVS expression ("c.3140A>G", "p.His1047Arg"), a protein change ("H1047R") or a ClinVar, dbSNP
or COSMIC id, with no negation or hedge in its words. A component with no value, a
`dataAbsentReason`, or words such as "No variant detected" says nothing.

An assessment of the gene that is not final (preliminary, registered, cancelled, entered in
error) is not a result, and while it stands no panel or other assessment makes the gene absent:
the field is unknown. Each gene answers for itself: several genes (BRCA1, BRCA2) are True when
any has a variant, False only when every one was studied and none has one, else unknown.
"""

from __future__ import annotations

import re
from typing import Any

from ..model.fields import UNKNOWN
from ..model.mapping import FieldSource
from .bundle import Resources
from .codes import (
    BRCA1,
    BRCA2,
    CLINICAL_SIGNIFICANCE,
    GENE_STUDIED,
    GENOMIC_SOURCE_CLASS,
    GERMLINE,
    HGNC_SYSTEMS,
    LOINC,
    NOT_A_MUTATION,
    PATHOGENIC,
    PIK3CA,
    REGION_STUDIED,
    UNCERTAIN,
    VARIANT_ABSENT,
    VARIANT_ASSESSMENT,
    VARIANT_DESCRIBED,
    VARIANT_PRESENT,
)
from .concepts import code_in, codings, components, has_pair, usable
from .findings import MAX_TEXT, read_concept

Warnings = list[str]
_AMINO = r"(?:[A-Z][a-z]{2}|[A-Z*])"
_HGVS = re.compile(  # "c.3140A>G", "c.68_69delAG", "NM_006218.4:c.3140A>G", "p.His1047Arg", "p.(E545K)"
    r"(?<![A-Za-z])(?:[cgmnorCGMNOR]\.[-*+]?\d+(?:[_+-]\*?\d+)*(?:[ACGTUacgtu]>[ACGTUacgtu]|del|dup|ins|inv|=)"
    r"|p\.\(?" + _AMINO + r"\d+(?:" + _AMINO + r"|=|fs|del|dup|ins|_))")
_PROTEIN = re.compile(r"\b" + _AMINO + r"\d{1,5}(?:" + _AMINO + r"|fs|del|dup|ins)(?![a-z0-9])")  # "H1047R"
_VARIANT_SYSTEMS = ("clinvar", "dbsnp", "snp", "cosmic", "hgvs", "varnomen")
_NOT_A_VARIANT = re.compile(
    r"\b(?:no|not|none|non|without|negative|absent|wild[- ]?type|wt|normal|undetected|unknown|failed|"
    r"failure|indeterminate|equivocal|possible|possibly|suspected|probable|uncertain|pending)\b|\?",
    re.IGNORECASE)
_FAILED = re.compile(
    r"\b(?:fail|failed|failure|insufficient|inadequate|unsuccessful|not performed|cancel+ed|qns|"
    r"quantity not sufficient|no result|unable|invalid|rejected)\b", re.IGNORECASE)
_OTHER_VALUES = ("valueString", "valueBoolean", "valueInteger", "valueQuantity", "valueRange", "valueRatio",
                 "valueSampledData", "valueTime", "valueDateTime", "valuePeriod")


_KNOWN = (PIK3CA, BRCA1, BRCA2)


def _genes(concept: Any) -> set[str]:
    """HGNC ids ("HGNC:8975") and symbols a gene-studied value names. A coding whose id is one gene's
    and display another's ("HGNC:8975" shown as "BRCA1") names neither (a panel lists its genes as
    codings of one value, so each coding is checked alone)."""
    names = set()
    for system, code, display in codings(concept):
        said = set()
        if system in HGNC_SYSTEMS and code:
            said.add(code if code.startswith("HGNC:") else f"HGNC:{code}")
        if display:
            said.add(display.strip().upper())
        if len({gene for gene in _KNOWN if said & set(gene)}) <= 1:
            names |= said
    if concept is not None and concept.text:
        names.add(concept.text.strip().upper())
    return names


def _absent_reason(obs: Any) -> str:
    """"dataAbsentReason" and what it says (its codes, else its text), for a warning; "" for none."""
    reason = obs.dataAbsentReason
    if reason is None:
        return ""
    said = ", ".join(c or d for _, c, d in codings(reason) if c or d) or reason.text or ""
    return f"dataAbsentReason {said}".rstrip()


def _names_a_variant(component: Any) -> bool:
    """Whether a described-variant component's value names a variant: a value, no absent reason,
    an HGVS expression, a protein change or a variant database id, and no negation or hedge."""
    if component.dataAbsentReason is not None:
        return False
    concept = component.valueCodeableConcept
    texts = [t for t in [component.valueString, concept.text if concept is not None else None] if t]
    found = codings(concept)
    texts += [d for _, _, d in found if d]
    if any(len(t) > MAX_TEXT or _NOT_A_VARIANT.search(t) for t in texts):  # a long text is not read
        return False
    by_id = any(code and any(name in system.lower() for name in _VARIANT_SYSTEMS) for system, code, _ in found)
    texts += [code for _, code, _ in found if code]
    return by_id or any(_HGVS.search(t) or _PROTEIN.search(t) for t in texts)


def _panel_failed(obs: Any) -> str:
    """Why a region-studied panel studied nothing, or ""."""
    if why := _absent_reason(obs):
        return why
    value = next((name for name in ("valueCodeableConcept", *_OTHER_VALUES) if getattr(obs, name, None) is not None),
                 None)
    if value:
        return f"a value ({value}); a panel that studied its genes has none"
    if any(_FAILED.search(note.text or "") for note in obs.note or []):
        return "a note of failure"
    return ""


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
        described = [c for c in obs.component or [] if code_in(c.code, LOINC, VARIANT_DESCRIBED)]
        if significance & set(PATHOGENIC) or any(_names_a_variant(c) for c in described):
            return "present", ""
        if described:
            return "", "a described variant whose value names none (no value, an absent reason, or words)"
        flags = ", ".join(code for c in obs.interpretation or [] for _, code, _ in codings(c) if code)
        return "", f"no answer{f' (interpretation {flags})' if flags else ''}"
    return "", f"an answer that is not LA9633-4 or LA9634-2 ({other or 'another code'})"


def _one_gene(resources: Resources, gene: tuple[str, str], *, germline: bool,
              warnings: Warnings) -> tuple[Any, tuple[str, ...], str]:
    """(True | False | UNKNOWN, resources, note) for one gene."""
    wanted = set(gene)
    label_of = gene[1]
    present: list[str] = []
    absent: list[str] = []
    uncertain: list[str] = []
    studied: list[str] = []
    unread: list[str] = []
    pending: list[str] = []
    panels: list[str] = []  # panels that studied the gene without saying they report germline variants
    for obs in resources.of("Observation"):
        named = set().union(*(_genes(c.valueCodeableConcept) for c in components(obs, LOINC, GENE_STUDIED)))
        if not named and code_in(obs.code, LOINC, [VARIANT_ASSESSMENT]) and usable(obs) \
                and assessment(obs)[0] in ("present", "uncertain") \
                and (not germline or any(has_pair(c.valueCodeableConcept, [GERMLINE])
                                         for c in components(obs, LOINC, GENOMIC_SOURCE_CLASS))):
            # A variant reported in a gene the record does not name readably (no HGNC id or symbol)
            # could be this gene's: no panel makes this gene absent while it stands.
            pending.append(resources.label(obs))
            continue
        if not named & wanted:
            continue
        label = resources.label(obs)
        if code_in(obs.code, LOINC, [REGION_STUDIED]):
            if not usable(obs):
                continue
            if germline:  # a panel does not say whether it would report a germline variant
                panels.append(label)
                continue
            if why := _panel_failed(obs):
                warnings.append(f"{label}: a panel studying {label_of} with {why}; it studied nothing")
            else:
                studied.append(label)
        elif code_in(obs.code, LOINC, [VARIANT_ASSESSMENT]):
            if germline and not any(has_pair(c.valueCodeableConcept, [GERMLINE])
                                    for c in components(obs, LOINC, GENOMIC_SOURCE_CLASS)):
                continue  # a somatic (or unstated) finding says nothing of a germline field
            if not usable(obs):
                pending.append(label)
                warnings.append(f"{label}: a {label_of} variant assessment with status {obs.status or 'none'}; "
                                "not a result, and no other makes the gene absent while it stands")
                continue
            result, why = assessment(obs)
            {"present": present, "absent": absent, "uncertain": uncertain}.get(result, unread).append(label)
            if not result:
                warnings.append(f"{label}: a {label_of} variant assessment with {why}; not read as a result")
    if present:
        if absent:
            warnings.append(f"{label_of}: a variant is reported present ({', '.join(present)}) and absent or "
                            f"benign ({', '.join(absent)}); present stands")
        labels = tuple(dict.fromkeys(present + uncertain + absent + studied + unread))
        return True, labels, f"{label_of} variant present"
    labels = tuple(dict.fromkeys(uncertain + absent + studied + unread + pending))
    if uncertain:
        return UNKNOWN, labels, f"{label_of} variant of uncertain significance only"
    if pending:
        return UNKNOWN, labels, f"{label_of}: an assessment that is not final or names no gene ({', '.join(pending)})"
    if unread and not absent:
        return UNKNOWN, labels, (f"{label_of}: an assessment that cannot be read ({', '.join(unread)}), and none "
                                 "that reports the gene absent")
    if absent or studied:
        return False, labels, f"{label_of} studied, no pathogenic variant reported"
    if panels:
        return UNKNOWN, tuple(panels), (f"{label_of} studied ({', '.join(panels)}), by a panel that does not say it "
                                        "reports germline variants, and no germline assessment of it")
    return UNKNOWN, labels, f"{label_of} not among the genes studied"


def gene_status(resources: Resources, field: str, genes: tuple[tuple[str, str], ...], *,
                germline: bool, warnings: Warnings) -> FieldSource:
    """True for a reported variant of any of the genes (not benign); False when every gene was
    studied and no such variant found; unknown otherwise (a gene no panel studied, an assessment
    that could not be read or is not final)."""
    results = [_one_gene(resources, gene, germline=germline, warnings=warnings) for gene in genes]
    if len(results) == 1:
        value, labels, note = results[0]
        return FieldSource(field=field, value=value, resources=labels, note=note)
    found = [r for r in results if r[0] is True]
    if found:
        labels = tuple(dict.fromkeys(label for r in found for label in r[1]))
        return FieldSource(field=field, value=True, resources=labels, note="; ".join(r[2] for r in found))
    labels = tuple(dict.fromkeys(label for r in results for label in r[1]))
    if not labels:  # no gene studied at all: one note, as for one gene
        return FieldSource(field=field, value=UNKNOWN,
                           note=f"{' or '.join(symbol for _, symbol in genes)} not among the genes studied")
    note = "; ".join(r[2] for r in results)
    if all(r[0] is False for r in results):
        return FieldSource(field=field, value=False, resources=labels, note=note)
    return FieldSource(field=field, value=UNKNOWN, resources=labels, note=note)
