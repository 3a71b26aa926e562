"""The stage: AJCC stage groups (LOINC- or SNOMED-coded Observations, a Condition's summary) and
the TNM distant-metastasis category (cM0, cM1), with the primary cancer's clinical status.

Policy (docs/fhir.md, "Stage"): a stage-group Observation stands over a Condition's summary; among
Observations the latest stands, pathological over clinical on the same date. Sources that name
different stage groups are a disagreement, with a warning, unless one refines the other (III and
IIIA); sources of equal rank that disagree leave the stage unknown (the Bundle's order never
chooses). The M category says what it says at its own date and nothing more:

- M1 with no stage group read is stage IV (AJCC: any T, any N, M1); M1 dated after a lower stage
  group is distant disease found since, and stage IV stands, with a warning; M1 on or before the
  date of a lower stage group (at any hour of that date) contradicts it, and the stage is unknown, with a warning;
- M0 never lowers a stage or says "no metastasis now": an M0 on the date of a stage IV group
  contradicts it (unknown, with a warning); an M0 before it is the disease before it spread;
- a primary cancer in recurrence or relapse (Condition.clinicalStatus) has no current stage but IV:
  a lower stage group is the stage before the recurrence, and the stage is unknown.
"""

from __future__ import annotations

import re
from typing import Any

from ..model.fields import STAGE_RANGES, UNKNOWN
from ..model.mapping import FieldSource
from .bundle import Resources
from .codes import (
    AJCC,
    M_CATEGORY_OBSERVATIONS,
    M_CATEGORY_SNOMED,
    SNOMED,
    STAGE_GROUP_OBSERVATIONS,
    STAGE_GROUP_SNOMED,
)
from .concepts import codings, day, instant, observation_day, observation_instant, usable
from .findings import negated_or_hedged, read_concept
from .tumour import refuted, unconfirmed

Warnings = list[str]

_ROMAN = {"0": "0", "1": "I", "2": "II", "3": "III", "4": "IV"}
MAX_STAGE_TEXT = 80  # "American Joint Committee on Cancer stage IIB" is 44; a longer text is no stage group
_STAGE_WORDS = re.compile(r"american joint committee on cancer|ajcc|stage|group|\([^()]*\)")
# One group and at most its letter, with an optional c/p/yc/yp prefix; "I-II" (a range) and
# "IIIA/IIIB" are not one group. No nested or lazy quantifier: linear in the text.
_STAGE = re.compile(r"(?:yp|yc|rp|rc|p|c)?[\s_-]*(0[\s_-]*is|is|[0-4]|iv|iii|ii|i)[\s_-]*([abc]?)")
# "cM0", "pM1", "M1a", "cM0(i+)", "American Joint Committee on Cancer cM0 (qualifier value)".
_M_WORDS = re.compile(r"american joint committee on cancer|ajcc|\(qualifier value\)")
_M = re.compile(r"(?:yp|yc|p|c)?m\s*([01])(?:\s*\(i\+\)|[abcd](?:\(\d\))?)?")
_RELAPSED = frozenset({"recurrence", "relapse"})


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


def _stage_code(system: str, code: str) -> str | None:
    if system == AJCC:
        return parse_stage(code)
    return STAGE_GROUP_SNOMED.get(code) if system == SNOMED else None


def stages_in(concept: Any) -> list[str]:
    """Every stage group a concept names: each AJCC or SNOMED CT code, each display, its text. None
    when its text or a display is negated or hedged ("Stage IV (suspected)" beside an AJCC IV
    code): a code does not outweigh the words that doubt it."""
    if concept is None:
        return []
    if any(negated_or_hedged(t) for t in [concept.text or "", *(d for _, _, d in codings(concept))] if t):
        return []
    read = read_concept(concept, _stage_code, parse=parse_stage)
    return list(dict.fromkeys(read.coded + read.parsed))


def stage_of(concept: Any) -> str | None:
    """The one stage group a concept names; None for none, or for codings that disagree."""
    found = stages_in(concept)
    return found[0] if len(found) == 1 else None


def _kind(obs: Any, table: dict[tuple[str, str], str]) -> str | None:
    return next((table[(s, c)] for s, c, _ in codings(obs.code) if (s, c) in table), None)


def stage_group_kind(obs: Any) -> str | None:
    """"clinical", "pathological" or "unstated" for a stage-group Observation; None for any other."""
    return _kind(obs, STAGE_GROUP_OBSERVATIONS)


def m_category_kind(obs: Any) -> str | None:
    """"clinical", "pathological" or "unstated" for a distant-metastasis category Observation."""
    return _kind(obs, M_CATEGORY_OBSERVATIONS)


def _parse_m(text: str) -> str | None:
    if len(text) > MAX_STAGE_TEXT or negated_or_hedged(text.replace("(i+)", "")):
        return None
    match = _M.fullmatch(_M_WORDS.sub(" ", text.casefold()).strip())
    return f"M{match.group(1)}" if match else None


def _m_code(system: str, code: str) -> str | None:
    if system == SNOMED:
        return M_CATEGORY_SNOMED.get(code)
    return _parse_m(code) if system == AJCC else None


def m_value(concept: Any) -> str | None:
    """M0 or M1 from every coding and word of a concept; None for MX, none, or codings that disagree."""
    if concept is None:
        return None
    read = read_concept(concept, _m_code, parse=_parse_m)
    found = set(read.coded + read.parsed)
    return found.pop() if len(found) == 1 else None


def compatible(a: str, b: str) -> bool:
    """Whether one stage group refines the other (III and IIIA; IIIA and IIIA), so they do not disagree."""
    (a_low, a_high), (b_low, b_high) = STAGE_RANGES[a], STAGE_RANGES[b]
    return (a_low <= b_low and b_high <= a_high) or (b_low <= a_low and a_high <= b_high)


def distant_metastasis(resources: Resources) -> list[tuple[str, bool, str, str, str, str]]:
    """Every final M-category Observation that reads M0 or M1: (instant, pathological, value, label,
    kind, day), each resource once."""
    found = {}
    for obs in resources.of("Observation"):
        kind = m_category_kind(obs)
        if kind is None or not usable(obs) or obs.dataAbsentReason is not None:
            continue
        value = m_value(obs.valueCodeableConcept)
        if value:
            label = resources.label(obs)
            found[label] = (observation_instant(obs), kind == "pathological", value, label, f"{kind} M category",
                            observation_day(obs))
    return list(found.values())


def primary_status(conditions: list[Any]) -> set[str]:
    """The clinical statuses (active, remission, recurrence, ...) of the primary cancer Conditions given."""
    return {code for c in conditions if not refuted(c) and not unconfirmed(c)
            for _, code, _ in codings(c.clinicalStatus)}


def stage(resources: Resources, warnings: Warnings, *, primaries: list[Any] | None = None,
          skip: frozenset[str] = frozenset()) -> FieldSource:
    """The current stage group. `primaries`: the primary cancer Conditions (their clinical status);
    `skip`: labels of Conditions whose summary is not this cancer's (breast.unstaged)."""
    observed = {}  # label -> (instant, pathological first at equal instants, value, label, kind, day)
    unread = []  # stage-group Observations whose value names no one stage group
    for obs in resources.of("Observation"):
        kind = stage_group_kind(obs)
        if kind is None or not usable(obs):
            continue
        label = resources.label(obs)
        # A dataAbsentReason says there is no value: whatever value it carries is not read.
        value = None if obs.dataAbsentReason is not None else _one_stage(obs.valueCodeableConcept, label, warnings)
        if not value:
            unread.append(label)
        else:
            observed[label] = (observation_instant(obs), kind == "pathological", value, label, kind,
                               observation_day(obs))
    summaries = {}
    for condition in resources.of("Condition"):
        label = resources.label(condition)
        if refuted(condition) or unconfirmed(condition) or label in skip:  # not this cancer's stage to use
            continue
        for item in condition.stage or []:
            value = _one_stage(item.summary, label, warnings)
            if value:
                when = condition.recordedDate or condition.onsetDateTime
                summaries[(label, value)] = (instant(when), False, value, label, "Condition.stage.summary", day(when))
    everything = list(observed.values()) + list(summaries.values())
    m_read = distant_metastasis(resources)
    if not everything:
        m1 = [m for m in m_read if m[2] == "M1"]
        if m1:
            latest = max(m1, key=lambda m: (m[0], m[1]))
            return FieldSource(field="stage", value="IV", resources=tuple(m[3] for m in m1),
                               note=f"{latest[4]} M1 ({latest[5] or 'undated'}): AJCC stage IV (any T, any N, M1); "
                                    "no stage group recorded")
        if unread:
            return FieldSource(field="stage", value=UNKNOWN, resources=tuple(unread),
                               note="no value read as one AJCC stage group (a dataAbsentReason, a range, a negated "
                                    f"or hedged text, a text over {MAX_STAGE_TEXT} characters, or none): "
                                    + ", ".join(unread))
        return FieldSource(field="stage", value=UNKNOWN,
                           note="no stage-group Observation (LOINC 21908-9, 21902-2; SNOMED CT 399537006, "
                                "399588009, 399390009) or Condition.stage.summary")
    ranked = list(observed.values() or summaries.values())
    top = max((s[0], s[1]) for s in ranked)
    tied = [s for s in ranked if (s[0], s[1]) == top]  # equal rank: the Bundle's order must not choose
    chosen = min(tied, key=lambda s: (STAGE_RANGES[s[2]][1] - STAGE_RANGES[s[2]][0], s[3]))  # the finest
    labels = tuple(dict.fromkeys(s[3] for s in everything))
    values = list(dict.fromkeys(s[2] for s in everything))
    split = any(not compatible(a[2], b[2]) for a in tied for b in tied)
    if any(not compatible(a, b) for a in values for b in values):
        warnings.append("stage sources disagree: " + "; ".join(f"{s[3]} ({s[4]}, {s[5] or 'undated'}) {s[2]}"
                                                               for s in everything)
                        + ("; none stands (sources of equal rank disagree)" if split else
                           f"; {chosen[2]} stands (the latest stage-group Observation; pathological over "
                           "clinical on the same date; a Condition's summary only without one)"))
    if split:
        return FieldSource(field="stage", value=UNKNOWN, resources=labels,
                           note="stage groups of equal rank (same date and kind) disagree: "
                                + ", ".join(f"{s[3]} {s[2]}" for s in tied))
    value, note = chosen[2], f"{chosen[4]} stage group {chosen[2]} ({chosen[5] or 'undated'})"
    value, note = _with_m(value, note, chosen, m_read, warnings)
    if m_read:
        labels = tuple(dict.fromkeys([*labels, *(m[3] for m in m_read)]))
    relapsed = primary_status(primaries or []) & _RELAPSED
    if relapsed and value not in (UNKNOWN, "IV"):
        return FieldSource(field="stage", value=UNKNOWN, resources=labels,
                           note=f"the primary cancer is in {'/'.join(sorted(relapsed))} (clinicalStatus): "
                                f"{note} is the stage before it, not the current extent")
    return FieldSource(field="stage", value=value, resources=labels, note=note)


def _with_m(value: str, note: str, chosen: tuple[Any, ...], m_read: list[tuple[Any, ...]],
            warnings: Warnings) -> tuple[str, str]:
    """The stage group chosen, checked against the M categories (the module's docstring)."""
    when = chosen[0]
    if value != "IV":
        m1 = [m for m in m_read if m[2] == "M1"]
        before = [m for m in m1 if not _after(m[0], when)]
        if before:
            warnings.append(f"stage: {', '.join(m[3] for m in before)} says M1 (distant metastasis) on or before "
                            f"{chosen[3]}'s stage group {value}; stage left unknown")
            return UNKNOWN, f"{note} contradicted by M1 ({', '.join(m[3] for m in before)})"
        if m1:
            latest = max(m1, key=lambda m: m[0])
            warnings.append(f"stage: {latest[3]} says M1 on {latest[5]}, after {chosen[3]}'s stage group {value}; "
                            "stage IV stands (distant disease since)")
            return "IV", f"{latest[4]} M1 ({latest[5]}) after stage group {value}: stage IV"
        return value, note
    same = [m for m in m_read if m[2] == "M0" and m[0] and when and m[0][:10] == when[:10]]
    if same:
        warnings.append(f"stage: {', '.join(m[3] for m in same)} says M0 on the date of {chosen[3]}'s stage IV; "
                        "stage left unknown")
        return UNKNOWN, f"{note} contradicted by M0 ({', '.join(m[3] for m in same)})"
    return value, note


def _after(later: str, when: str) -> bool:
    """Whether `later` is on a date after `when`'s: the same date (at any hour, or a date given only
    to the year or month that holds the other) is not after."""
    a, b = later[:10], when[:10]
    return bool(a and b) and a > b and not a.startswith(b)


def _one_stage(concept: Any, label: str, warnings: Warnings) -> str | None:
    found = stages_in(concept)
    if len(found) > 1:
        warnings.append(f"{label}: its codings and text name {', '.join(found)}; not read as a stage group")
    return found[0] if len(found) == 1 else None
