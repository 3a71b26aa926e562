"""The tumour's stage and visceral disease (receptors: receptors.py; gene variants: genes.py).

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
    ICD10CM,
    LOINC,
    NON_VISCERAL_SITES,
    SECONDARY_GENERIC,
    SECONDARY_SNOMED_SITE,
    SITE_WORDS,
    SNOMED,
    STAGE_CODES,
    STAGE_PATHOLOGICAL,
    VISCERAL_SITES,
    icd10_secondary_site,
)
from .concepts import code_in, codings, day, instant, observation_day, observation_instant, usable
from .findings import negated_or_hedged, read_concept

Warnings = list[str]

# -- stage ---------------------------------------------------------------------------------------

_ROMAN = {"0": "0", "1": "I", "2": "II", "3": "III", "4": "IV"}
MAX_STAGE_TEXT = 80  # "American Joint Committee on Cancer stage IIB" is 44; a longer text is no stage group
_STAGE_WORDS = re.compile(r"american joint committee on cancer|ajcc|stage|group|\([^()]*\)")
# One group and at most its letter, with an optional c/p/yc/yp prefix; "I-II" (a range) and
# "IIIA/IIIB" are not one group. No nested or lazy quantifier: linear in the text.
_STAGE = re.compile(r"(?:yp|yc|rp|rc|p|c)?[\s_-]*(0[\s_-]*is|is|[0-4]|iv|iii|ii|i)[\s_-]*([abc]?)")


def parse_stage(text: str) -> str | None:
    """An AJCC stage group as the profile spells it: "2B" / "IIB" / "Stage IIB" / "pIIB" -> "IIB".
    A text with a negation or hedge anywhere, brackets included ("Stage IV (suspected)", "IV (ruled
    out)", "Stage IIB (provisional)"), names no stage group: bracketed words are dropped only after."""
    if len(text) > MAX_STAGE_TEXT or negated_or_hedged(text):
        return None
    key = _STAGE_WORDS.sub(" ", text.casefold()).strip(" \t\n_-")
    match = _STAGE.fullmatch(key)
    if not match:
        return None
    if "is" in match.group(1):
        return "0" if not match.group(2) else None
    group = _ROMAN.get(match.group(1), match.group(1).upper())
    stage = group + match.group(2).upper()
    return stage if stage in STAGE_RANGES else None


def stages_in(concept: Any) -> list[str]:
    """Every stage group a concept names: each AJCC code, each display, its text. None when its text
    or a display is negated or hedged ("Stage IV (suspected)" beside an AJCC IV code): a code
    does not outweigh the words that doubt it."""
    if concept is None:
        return []
    if any(negated_or_hedged(t) for t in [concept.text or "", *(d for _, _, d in codings(concept))] if t):
        return []
    read = read_concept(concept, _ajcc_code, parse=parse_stage)
    return list(dict.fromkeys(read.coded + read.parsed))


def _ajcc_code(system: str, code: str) -> str | None:
    return parse_stage(code) if system == AJCC else None


def stage_of(concept: Any) -> str | None:
    """The one stage group a concept names; None for none, or for codings that disagree."""
    found = stages_in(concept)
    return found[0] if len(found) == 1 else None


def stage(resources: Resources, warnings: Warnings) -> FieldSource:
    observed = []  # (instant, pathological first at equal instants, value, label, kind, day)
    unread = []  # stage-group Observations whose value names no one stage group
    for obs in resources.of("Observation"):
        code = code_in(obs.code, LOINC, STAGE_CODES)
        if code is None or not usable(obs):
            continue
        value = _one_stage(obs.valueCodeableConcept, resources.label(obs), warnings)
        if not value:
            unread.append(resources.label(obs))
        else:
            observed.append((observation_instant(obs), code == STAGE_PATHOLOGICAL, value, resources.label(obs),
                             STAGE_CODES[code], observation_day(obs)))
    summaries = []
    for condition in resources.of("Condition"):
        if refuted(condition) or unconfirmed(condition):  # its stage is not the record's to use
            continue
        for item in condition.stage or []:
            value = _one_stage(item.summary, resources.label(condition), warnings)
            if value:
                when = condition.recordedDate or condition.onsetDateTime
                summaries.append((instant(when), False, value, resources.label(condition), "Condition.stage.summary",
                                  day(when)))
    everything = observed + summaries
    if not everything:
        if unread:
            return FieldSource(field="stage", value=UNKNOWN, resources=tuple(unread),
                               note="no value read as one AJCC stage group (a range, a negated or hedged "
                                    f"text, a text over {MAX_STAGE_TEXT} characters, or none): " + ", ".join(unread))
        return FieldSource(field="stage", value=UNKNOWN,
                           note="no stage-group Observation (LOINC 21908-9, 21902-2) or Condition.stage.summary")
    # Policy: a stage-group Observation over a Condition's summary; the latest date over earlier;
    # pathological over clinical on the same date.
    chosen = max(observed or summaries, key=lambda s: (s[0], s[1]))
    labels = tuple(dict.fromkeys(s[3] for s in everything))
    if len({s[2] for s in everything}) > 1:
        warnings.append("stage sources disagree: " + "; ".join(f"{s[3]} ({s[4]}, {s[5] or 'undated'}) {s[2]}"
                                                               for s in everything)
                        + f"; {chosen[2]} stands (the latest stage-group Observation; pathological over "
                          "clinical on the same date; a Condition's summary only without one)")
    return FieldSource(field="stage", value=chosen[2], resources=labels,
                       note=f"{chosen[4]} stage group {chosen[2]} ({chosen[5] or 'undated'})")


def _one_stage(concept: Any, label: str, warnings: Warnings) -> str | None:
    found = stages_in(concept)
    if len(found) > 1:
        warnings.append(f"{label}: its codings and text name {', '.join(found)}; not read as a stage group")
    return found[0] if len(found) == 1 else None


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
                           note="a secondary cancer not confirmed (" + ", ".join(unconfirmed) + ")")
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
    (in remission, inactive) is not where the disease is now; an unconfirmed, provisional or
    differential one is neither a site nor the absence of one."""
    seen: list[tuple[str, str]] = []
    doubted: list[str] = []
    for condition in resources.of("Condition"):
        if refuted(condition) or {c for _, c, _ in codings(condition.clinicalStatus)} & _NOT_CURRENT:
            continue
        sites = secondary_sites(condition)
        label = resources.label(condition)
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
