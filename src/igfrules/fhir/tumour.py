"""The tumour's fields: ER, PR, HER2, stage, visceral disease, and gene variants (PIK3CA, BRCA).

Each reader returns a FieldSource (value, resource ids, how it was read) and adds a warning for
every disagreement between sources, saying which one was chosen and why.
"""

from __future__ import annotations

import re
from typing import Any

from ..model.fields import STAGE_RANGES, UNKNOWN
from ..model.mapping import FieldSource
from .bundle import Resources
from .codes import (
    AJCC,
    BODY_SITE_SNOMED,
    CLINICAL_SIGNIFICANCE,
    EQUIVOCAL_ANSWERS,
    ER_CODES,
    GENE_STUDIED,
    GENOMIC_SOURCE_CLASS,
    GERMLINE,
    HER2_CODES,
    HER2_IHC,
    HER2_INTERPRETATION,
    HGNC,
    ICD10CM,
    LOINC,
    NEGATIVE_ANSWERS,
    NON_VISCERAL_SITES,
    NOT_A_MUTATION,
    POSITIVE_ANSWERS,
    PR_CODES,
    REGION_STUDIED,
    SECONDARY_GENERIC,
    SECONDARY_SNOMED_SITE,
    SITE_WORDS,
    SNOMED,
    STAGE_CODES,
    STAGE_PATHOLOGICAL,
    UNCERTAIN,
    VARIANT_ABSENT,
    VARIANT_ASSESSMENT,
    VARIANT_PRESENT,
    VISCERAL_SITES,
    icd10_secondary_site,
)
from .concepts import code_in, codings, components, day, has_pair, observation_day, usable, words

Warnings = list[str]

# -- receptors -----------------------------------------------------------------------------------


def _answer(obs: Any, ihc: bool) -> tuple[str, str]:
    """("positive" | "negative" | "equivocal" | "", how it was read) from one marker Observation."""
    concept = obs.valueCodeableConcept
    if has_pair(concept, POSITIVE_ANSWERS):
        return "positive", "coded positive"
    if has_pair(concept, NEGATIVE_ANSWERS):
        return "negative", "coded negative"
    if has_pair(concept, EQUIVOCAL_ANSWERS):
        return "equivocal", "coded equivocal"
    text = words(concept) or (obs.valueString or "").casefold()
    if ihc:
        score = obs.valueInteger if obs.valueInteger is not None else _ihc_score(text)
        if score is not None:
            return {3: ("positive", "IHC 3+"), 2: ("equivocal", "IHC 2+ (needs ISH)")}.get(
                score, ("negative", f"IHC {score}+"))
    if obs.valueQuantity is not None and (obs.valueQuantity.unit or obs.valueQuantity.code or "") == "%" \
            and obs.valueQuantity.value is not None:
        value = float(obs.valueQuantity.value)  # ASCO/CAP: ER or PR in at least 1% of nuclei is positive
        return ("positive" if value >= 1 else "negative"), f"{value:g}% of nuclei stained"
    if re.search(r"\b(not amplified|non-?amplified|negative)\b", text):
        return "negative", f"text {text!r}"
    if re.search(r"\b(amplified|positive)\b", text):
        return "positive", f"text {text!r}"
    if "equivocal" in text:
        return "equivocal", f"text {text!r}"
    return "", ""


def _ihc_score(text: str) -> int | None:
    match = re.search(r"(?<!\d)([0-3])\s*\+", text) or re.fullmatch(r"\s*([0-3])\s*", text)
    return int(match.group(1)) if match else None


def receptor(resources: Resources, field: str, codes: dict[str, str], warnings: Warnings) -> FieldSource:
    results = []  # (day, value, label, note)
    for obs in resources.of("Observation"):
        code = code_in(obs.code, LOINC, codes)
        if code is None or not usable(obs):
            continue
        value, how = _answer(obs, ihc=code in HER2_IHC or code in HER2_INTERPRETATION)
        if value:
            results.append((observation_day(obs), value, resources.label(obs), f"LOINC {code}: {how}"))
    if not results:
        return FieldSource(field=field, value=UNKNOWN, note="no final result with a readable value for LOINC "
                           + ", ".join(codes))
    definitive = [r for r in results if r[1] != "equivocal"]
    name = field.removesuffix("_status").upper()
    if not definitive:
        return FieldSource(field=field, value=UNKNOWN, resources=tuple(r[2] for r in results),
                           note="equivocal only (" + "; ".join(r[3] for r in results) + ")")
    definitive.sort(key=lambda r: r[0])
    latest = definitive[-1]
    if len({r[1] for r in definitive}) > 1:
        warnings.append(f"{name} results disagree: " + "; ".join(f"{r[2]} {r[1]} ({r[0] or 'undated'})"
                                                                for r in definitive)
                        + f"; the latest final result stands: {latest[1]}")
    return FieldSource(field=field, value=latest[1], resources=tuple(r[2] for r in results),
                       note=f"latest final result: {latest[3]} ({latest[0] or 'undated'})")


def receptors(resources: Resources, warnings: Warnings) -> list[FieldSource]:
    return [receptor(resources, "er_status", ER_CODES, warnings),
            receptor(resources, "pr_status", PR_CODES, warnings),
            receptor(resources, "her2_status", HER2_CODES, warnings)]


# -- stage ---------------------------------------------------------------------------------------

_ROMAN = {"0": "0", "1": "I", "2": "II", "3": "III", "4": "IV"}


def parse_stage(text: str) -> str | None:
    """An AJCC stage group as the profile spells it: "2B" / "IIB" / "Stage IIB" / "pIIB" -> "IIB"."""
    key = re.sub(r"(american joint committee on cancer|ajcc|stage|group|\(.*?\))", " ", text.casefold())
    key = re.sub(r"[\s_-]+", "", key)
    key = re.sub(r"^(yp|yc|rp|rc|p|c)(?=[0-4iv])", "", key)
    if key in ("0is", "is", "0"):
        return "0"
    match = re.fullmatch(r"([0-4]|iv|iii|ii|i)([abc]?)", key)
    if not match:
        return None
    group = _ROMAN.get(match.group(1), match.group(1).upper())
    stage = group + match.group(2).upper()
    return stage if stage in STAGE_RANGES else None


def stage_of(concept: Any) -> str | None:
    for system, code, display in codings(concept):
        if system == AJCC and (found := parse_stage(code)):
            return found
        if found := parse_stage(display):
            return found
    return parse_stage(concept.text or "") if concept is not None else None


def stage(resources: Resources, warnings: Warnings) -> FieldSource:
    observed = []  # (day, pathological first at equal days, value, label, kind)
    for obs in resources.of("Observation"):
        code = code_in(obs.code, LOINC, STAGE_CODES)
        if code is None or not usable(obs):
            continue
        value = stage_of(obs.valueCodeableConcept)
        if value:
            observed.append((observation_day(obs), code == STAGE_PATHOLOGICAL, value, resources.label(obs),
                             STAGE_CODES[code]))
    summaries = []
    for condition in resources.of("Condition"):
        for item in condition.stage or []:
            value = stage_of(item.summary)
            if value:
                summaries.append((day(condition.recordedDate) or day(condition.onsetDateTime), False, value,
                                  resources.label(condition), "Condition.stage.summary"))
    everything = observed + summaries
    if not everything:
        return FieldSource(field="stage", value=UNKNOWN,
                           note="no stage-group Observation (LOINC 21908-9, 21902-2) or Condition.stage.summary")
    # Policy: a stage-group Observation over a Condition's summary; the latest date over earlier;
    # pathological over clinical on the same date.
    chosen = max(observed or summaries, key=lambda s: (s[0], s[1]))
    labels = tuple(dict.fromkeys(s[3] for s in everything))
    if len({s[2] for s in everything}) > 1:
        warnings.append("stage sources disagree: " + "; ".join(f"{s[3]} ({s[4]}, {s[0] or 'undated'}) {s[2]}"
                                                               for s in everything)
                        + f"; {chosen[2]} stands (the latest stage-group Observation; pathological over "
                          "clinical on the same date; a Condition's summary only without one)")
    return FieldSource(field="stage", value=chosen[2], resources=labels,
                       note=f"{chosen[4]} stage group {chosen[2]} ({chosen[0] or 'undated'})")


# -- visceral disease ----------------------------------------------------------------------------


def _site_from_words(text: str) -> str | None:
    for word, site in SITE_WORDS:
        if word in text:
            return site or None
    return None


def secondary_sites(condition: Any) -> list[str] | None:
    """Sites of a secondary-cancer Condition ("" for a site not recorded); None if it is not one."""
    snomed_site = code_in(condition.code, SNOMED, SECONDARY_SNOMED_SITE)
    icd_sites = [icd10_secondary_site(code) for system, code, _ in codings(condition.code) if system == ICD10CM]
    icd_site = next((s for s in icd_sites if s is not None), None)
    text = words(condition.code)
    generic = code_in(condition.code, SNOMED, SECONDARY_GENERIC) is not None or "secondary malignant" in text \
        or "metasta" in text
    profiled = any("secondary-cancer-condition" in (p or "") for p in
                   ((condition.meta.profile or []) if condition.meta else []))
    if snomed_site is None and icd_site is None and not generic and not profiled:
        return None
    sites = []
    for site in condition.bodySite or []:
        code = code_in(site, SNOMED, BODY_SITE_SNOMED)
        sites.append(BODY_SITE_SNOMED[code] if code else (_site_from_words(words(site)) or ""))
    if not sites:
        found = (SECONDARY_SNOMED_SITE[snomed_site] if snomed_site else icd_site) or _site_from_words(text)
        sites.append(found or "")
    return sites


def visceral(resources: Resources, stage_value: str, warnings: Warnings) -> FieldSource:
    seen: list[tuple[str, str]] = []  # (site, label)
    for condition in resources.of("Condition"):
        if refuted(condition):
            continue
        sites = secondary_sites(condition)
        if sites is not None:
            seen.extend((site, resources.label(condition)) for site in sites)
    labels = tuple(dict.fromkeys(label for _, label in seen))
    visceral_sites = sorted({s for s, _ in seen if s in VISCERAL_SITES})
    if visceral_sites:
        return FieldSource(field="visceral_disease", value=True, resources=labels,
                           note="secondary cancer in " + ", ".join(visceral_sites))
    if seen and all(s in NON_VISCERAL_SITES for s, _ in seen):
        return FieldSource(field="visceral_disease", value=False, resources=labels,
                           note="secondary cancer only in " + ", ".join(sorted({s for s, _ in seen})))
    if seen:
        return FieldSource(field="visceral_disease", value=UNKNOWN, resources=labels,
                           note="a secondary-cancer Condition with no site that igfrules can classify")
    why = "stage IV with no metastatic site recorded" if stage_value == "IV" else "no secondary-cancer Condition"
    return FieldSource(field="visceral_disease", value=UNKNOWN, note=why)


def refuted(condition: Any) -> bool:
    status = {code for _, code, _ in codings(condition.verificationStatus)}
    return bool(status & {"refuted", "entered-in-error"})


# -- gene variants -------------------------------------------------------------------------------


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


def gene_status(resources: Resources, field: str, genes: tuple[tuple[str, str], ...], *,
                germline: bool, warnings: Warnings) -> FieldSource:
    """True for a reported variant of the gene (not benign); False when the gene was studied and no
    such variant found; unknown when no panel studied the gene."""
    wanted = {name for gene in genes for name in gene}
    label_of = " or ".join(symbol for _, symbol in genes)
    present, absent, uncertain, studied = [], [], [], []
    for obs in resources.of("Observation"):
        if not usable(obs):
            continue
        named = set().union(*(_genes(c.valueCodeableConcept) for c in components(obs, LOINC, GENE_STUDIED)))
        if not named & wanted:
            continue
        label = resources.label(obs)
        if code_in(obs.code, LOINC, [REGION_STUDIED]):
            if not germline:  # a panel does not say whether it would have reported germline findings
                studied.append(label)
        elif code_in(obs.code, LOINC, [VARIANT_ASSESSMENT]):
            if germline and not any(has_pair(c.valueCodeableConcept, [GERMLINE])
                                    for c in components(obs, LOINC, GENOMIC_SOURCE_CLASS)):
                continue  # a somatic (or unstated) finding says nothing of a germline field
            significance = {code for c in components(obs, LOINC, CLINICAL_SIGNIFICANCE)
                            for s, code, _ in codings(c.valueCodeableConcept) if s == LOINC}
            if has_pair(obs.valueCodeableConcept, [VARIANT_ABSENT]) or significance & set(NOT_A_MUTATION):
                absent.append(label)
            elif significance & set(UNCERTAIN):
                uncertain.append(label)
            elif has_pair(obs.valueCodeableConcept, [VARIANT_PRESENT]) or obs.valueCodeableConcept is None:
                present.append(label)
    labels = tuple(dict.fromkeys(present + uncertain + absent + studied))
    if present:
        if absent:
            warnings.append(f"{label_of}: a variant is reported present ({', '.join(present)}) and absent or "
                            f"benign ({', '.join(absent)}); present stands")
        return FieldSource(field=field, value=True, resources=labels, note=f"{label_of} variant present")
    if uncertain:
        return FieldSource(field=field, value=UNKNOWN, resources=labels,
                           note=f"{label_of} variant of uncertain significance only")
    if absent or studied:
        return FieldSource(field=field, value=False, resources=labels,
                           note=f"{label_of} studied, no pathogenic variant reported")
    return FieldSource(field=field, value=UNKNOWN, note=f"{label_of} not among the genes studied")
