"""Secondary cancers and visceral disease (stage: staging.py; receptors: receptors.py; genes: genes.py).

Each reader returns a FieldSource (value, resource ids, how it was read) and adds a warning for
every disagreement between sources, saying which one was chosen and why.
"""

from __future__ import annotations

from typing import Any

from ..model.fields import UNKNOWN
from ..model.mapping import FieldSource
from .bundle import Resources
from .codes import (
    BODY_SITE_SNOMED,
    ICD10CM,
    NON_VISCERAL_SITES,
    SECONDARY_GENERIC,
    SECONDARY_SNOMED_SITE,
    SITE_WORDS,
    SNOMED,
    VISCERAL_SITES,
    icd10_secondary_site,
)
from .concepts import codings
from .findings import read_concept

Warnings = list[str]

# -- visceral disease ----------------------------------------------------------------------------


_SECONDARY_WORDS = {"secondary malignant": "secondary", "metasta": "secondary"}
_SITE_TERMS = {word: site for word, site in SITE_WORDS}


_UNCLASSIFIED = "?"  # a secondary-cancer code whose site is not recorded (C79.9)


def _secondary_code(system: str, code: str) -> str | None:
    """What a Condition code says: a site, "secondary" (no site), _UNCLASSIFIED, or nothing."""
    if system == SNOMED:
        return SECONDARY_SNOMED_SITE.get(code) or ("secondary" if code in SECONDARY_GENERIC else None)
    if system == ICD10CM:
        site = icd10_secondary_site(code)
        return None if site is None else (site or _UNCLASSIFIED)
    return None


def _body_site_code(system: str, code: str) -> str | None:
    return BODY_SITE_SNOMED.get(code) if system == SNOMED else None


def secondary_sites(condition: Any) -> list[str] | None:
    """Sites of a secondary-cancer Condition ("" for a site not recorded or not classified); None if
    it is not one. Every coding and every body site is read, not only the first; words are read
    with their negation ("Breast cancer, no liver metastasis" is not one)."""
    read = read_concept(condition.code, _secondary_code, {**_SECONDARY_WORDS, **_SITE_TERMS})
    said = read.words.asserted()
    profiled = any("secondary-cancer-condition" in (p or "") for p in
                   ((condition.meta.profile or []) if condition.meta else []))
    if not read.coded and "secondary" not in said and not profiled:
        return None
    named = list(dict.fromkeys([site for site in [*read.coded, *said] if site != "secondary"]))
    sites: list[str] = []
    for body in condition.bodySite or []:
        at = read_concept(body, _body_site_code, _SITE_TERMS)
        sites.extend(list(at.coded) or at.words.asserted() or [""])
    if not sites:
        sites = named or [""]
    elif not set(named) <= set(sites):  # the code says liver, the body site bone: neither is read
        sites = [""]
    return [site if site != _UNCLASSIFIED else "" for site in sites]


def visceral(resources: Resources, stage_value: str, warnings: Warnings, site_source: FieldSource) -> FieldSource:
    """Visceral disease when the sites cannot say it: with `metastatic_sites` known, the profile
    derives it from them (one definition: the brain is not visceral) and nothing is recorded here."""
    if site_source.value != UNKNOWN:
        return FieldSource(field="visceral_disease", value=UNKNOWN, resources=site_source.resources,
                           note="derived from metastatic_sites")
    seen, unconfirmed = current_secondary_sites(resources)
    labels = tuple(dict.fromkeys(label for _, label in seen))
    visceral_sites = sorted({s for s, _ in seen if s in VISCERAL_SITES})
    if visceral_sites:
        return FieldSource(field="visceral_disease", value=True, resources=labels,
                           note="secondary cancer in " + ", ".join(visceral_sites))
    if unconfirmed:  # a suspected metastasis could be visceral: neither yes nor no
        return FieldSource(field="visceral_disease", value=UNKNOWN, resources=(*labels, *unconfirmed),
                           note="a secondary cancer not confirmed or resolved (" + ", ".join(unconfirmed) + ")")
    if seen and all(s in NON_VISCERAL_SITES for s, _ in seen):
        return FieldSource(field="visceral_disease", value=False, resources=labels,
                           note="secondary cancer only in " + ", ".join(sorted({s for s, _ in seen})))
    if seen:
        return FieldSource(field="visceral_disease", value=UNKNOWN, resources=labels,
                           note="a secondary-cancer Condition with no site that igfrules can classify")
    why = "stage IV with no metastatic site recorded" if stage_value == "IV" else "no secondary-cancer Condition"
    return FieldSource(field="visceral_disease", value=UNKNOWN, note=why)


_UNCONFIRMED = frozenset({"unconfirmed", "provisional", "differential"})
_NOT_CURRENT = frozenset({"resolved", "remission", "inactive"})


def current_secondary_sites(resources: Resources) -> tuple[list[tuple[str, str]], list[str]]:
    """The sites of the secondary cancers the record asserts now, as (site, label), and the labels of
    those it does not confirm. A refuted or entered-in-error Condition says nothing; a resolved one
    (in remission, inactive) and an unconfirmed, provisional or differential one are neither a site
    now nor the absence of one: a resolved liver or brain metastasis must not make the other sites
    read as "not visceral" or "no brain metastases"."""
    seen: list[tuple[str, str]] = []
    doubted: list[str] = []
    for condition in resources.of("Condition"):
        if refuted(condition):
            continue
        sites = secondary_sites(condition)
        label = resources.label(condition)
        if {c for _, c, _ in codings(condition.clinicalStatus)} & _NOT_CURRENT:
            if sites is not None:  # a brain metastasis treated and resolved: no site now, nor a "none"
                doubted.append(label)
            continue
        if sites is None:
            if _doubted_secondary(condition):  # "Liver metastasis not excluded": neither one nor none
                doubted.append(label)
            continue
        if unconfirmed(condition):
            doubted.append(label)
        else:
            seen.extend((site, label) for site in sites)
    return seen, doubted


def _doubted_secondary(condition: Any) -> bool:
    """Whether a Condition that is not read as a secondary cancer names one in words with a doubt
    ("suspected", "not excluded", "cannot be ruled out"), not negated and not someone else's."""
    read = read_concept(condition.code, _secondary_code, _SECONDARY_WORDS)
    return any(m.meaning == "secondary" and m.uncertain and not m.negated and not m.someone_else
               for m in read.words.mentions)


def unconfirmed(condition: Any) -> bool:
    """Whether a Condition's verificationStatus is unconfirmed, provisional or differential."""
    return bool({c for _, c, _ in codings(condition.verificationStatus)} & _UNCONFIRMED)


def refuted(condition: Any) -> bool:
    status = {code for _, code, _ in codings(condition.verificationStatus)}
    return bool(status & {"refuted", "entered-in-error"})
