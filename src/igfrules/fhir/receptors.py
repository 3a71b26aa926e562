"""ER, PR and HER2 from mCODE TumorMarkerTest Observations.

One Observation gives positive, negative, equivocal, or nothing; nothing is never a value:

- coded answers are read from every coding; codings that disagree give nothing, with a warning;
- a percentage of stained nuclei (`valueQuantity` in %, or `valueRange`) is positive when all of
  it is at least 1% and negative when all of it is under 1% (ASCO/CAP), with its comparator
  ("<1%" is under 1%); one that straddles 1% gives nothing; one outside 0-100% gives nothing,
  with a warning;
- a HER2 IHC score is 0, 1+, 2+ or 3+; any other integer, or a boolean, gives nothing, with a
  warning;
- a HER2 percentage (`valueQuantity` or `valueRange` in %) gives nothing, with a warning: the 1%
  cut-off is ER's and PR's, and a percentage alone is not a HER2 status;
- a HER2 IHC score in text is read only when the text gives one score, asserted: a score that is
  negated or hedged in its clause ("not 3+", "3+ not confirmed", "3+ ?"), a range ("2-3+", "0-1+"),
  a comparator ("<1+"), or a status word that disagrees with it ("3+ negative") gives nothing;
- a text that says the test was not performed, or speaks of a control, gives nothing;
- words go through the negation-aware reader (findings.py): "not positive" is not positive,
  "not amplified" is negative; a text that says two things gives nothing; a text that gives a
  percentage or a comparator ("0% positive", "<1% of nuclei positive") is not read by its words
  and gives nothing (its words would say positive of a negative result).
"""

from __future__ import annotations

import re
from typing import Any

from ..model.fields import UNKNOWN
from ..model.mapping import FieldSource
from .bundle import Resources
from .codes import (
    EQUIVOCAL_ANSWERS,
    HER2_CODES,
    HER2_IHC,
    HER2_INTERPRETATION,
    HER2_ISH,
    LOINC,
    NEGATIVE_ANSWERS,
    POSITIVE_ANSWERS,
)
from .concepts import code_in, codings, observation_day, observation_instant, usable
from .findings import MAX_TEXT, read_concept, said_of, why_not

Warnings = list[str]

_TERMS = {"positive": "positive", "amplified": "positive", "negative": "negative", "not amplified": "negative",
          "non-amplified": "negative", "nonamplified": "negative", "non amplified": "negative",
          "equivocal": "equivocal", "borderline": "equivocal"}
_IHC = {3: ("positive", "IHC 3+"), 2: ("equivocal", "IHC 2+ (needs ISH)"), 1: ("negative", "IHC 1+"),
        0: ("negative", "IHC 0")}
_SCORE = re.compile(r"(?<![\d.])([0-9]+)\s*\+(?:\s*\(?\s*(positive|negative|equivocal)\b\)?)?", re.IGNORECASE)
# A score given as a range ("2-3+", "2+ to 3+", "1+/2+") or with a comparator ("<1+", "less than 2+").
_SCORE_RANGE = re.compile(r"[0-9]\s*\+?\s*(?:-|\u2013|\u2014|/|\bto\b|\bor\b)\s*[0-9]\s*\+", re.IGNORECASE)
_SCORE_COMPARED = re.compile(
    r"(?:[<>\u2264\u2265]|\b(?:less|more|greater|fewer) than|\bat (?:least|most)|\bup to|\bunder|\bover|\babove|"
    r"\bbelow)\s*=?\s*[0-9]\s*\+", re.IGNORECASE)
# A text that does not report this patient's result: the test was not done, or it speaks of a control.
_NOT_A_RESULT = re.compile(
    r"\b(?:not (?:performed|done|tested|assessed|evaluated|evaluable|available|reported)|controls?|cancell?ed|"
    r"insufficient|unsatisfactory|inadequate|failed|pending|no result)\b", re.IGNORECASE)
# A text that gives a number as a percentage or with a comparator: its words are not its result.
_PERCENT_OR_COMPARED = re.compile(
    r"%|\bper ?cent\b|[<>\u2264\u2265]|\b(?:less|more|greater|fewer) than\b|\bat (?:least|most)\b|\bup to\b",
    re.IGNORECASE)


class _Answer:
    """What one Observation says: a value ("" for nothing), how it was read, and a warning."""

    def __init__(self, value: str = "", how: str = "", warning: str = "") -> None:
        self.value, self.how, self.warning = value, how, warning


_ANSWERS = {**dict.fromkeys(POSITIVE_ANSWERS, "positive"), **dict.fromkeys(NEGATIVE_ANSWERS, "negative"),
            **dict.fromkeys(EQUIVOCAL_ANSWERS, "equivocal")}


def _answer_code(system: str, code: str) -> str | None:
    return _ANSWERS.get((system, code))


def _percent(quantity: Any) -> float | None:
    if quantity is None or quantity.value is None or (quantity.unit or quantity.code or "") != "%":
        return None
    return float(quantity.value)


def _by_percent(low: float, high: float, low_open: bool, high_open: bool, written: str, label: str) -> _Answer:
    """ASCO/CAP: at least 1% of nuclei stained is positive. The whole interval must be on one side."""
    if not (0 <= low <= 100 and 0 <= high <= 100):
        return _Answer(warning=f"{label}: {written} of nuclei stained is outside 0-100%; not read")
    if low >= 1:
        return _Answer("positive", f"{written} of nuclei stained")
    if high < 1 or (high == 1 and high_open):
        return _Answer("negative", f"{written} of nuclei stained")
    return _Answer(how=f"{written} of nuclei stained straddles 1%")


def _quantity(obs: Any, label: str) -> _Answer | None:
    quantity = obs.valueQuantity
    value = _percent(quantity)
    if value is not None:
        comparator = quantity.comparator or ""
        written = f"{comparator}{value:g}%"
        if comparator in ("", None):
            return _by_percent(value, value, False, False, written, label)
        if not 0 <= value <= 100:
            return _Answer(warning=f"{label}: {written} of nuclei stained is outside 0-100%; not read")
        if comparator in ("<", "<="):
            return _by_percent(0, value, False, comparator == "<", written, label)
        if comparator in (">", ">="):
            return _by_percent(value, 100, comparator == ">", False, written, label)
        return _Answer(how=f"comparator {comparator!r} not read")
    ranged = obs.valueRange
    if ranged is not None and (ranged.low is not None or ranged.high is not None):
        low, high = _percent(ranged.low), _percent(ranged.high)
        if (ranged.low is not None and low is None) or (ranged.high is not None and high is None):
            return None
        low, high = 0.0 if low is None else low, 100.0 if high is None else high
        return _by_percent(low, high, False, False, f"{low:g}-{high:g}%", label)
    return None


def _ihc(obs: Any, texts: list[str], label: str) -> _Answer | None:
    if obs.valueInteger is not None:
        score = int(obs.valueInteger)
        if score not in _IHC:
            return _Answer(warning=f"{label}: HER2 IHC score {score} is not 0, 1+, 2+ or 3+; not read")
        return _Answer(*_IHC[score])
    scores = set()
    for text in texts:
        if len(text) > MAX_TEXT:
            continue
        found = list(_SCORE.finditer(text))
        if not found:
            continue
        why = ("more than one score" if len(found) > 1 else
               "a range of scores" if _SCORE_RANGE.search(text) else
               "a score with a comparator" if _SCORE_COMPARED.search(text) else "")
        match = found[0]
        score, word = int(match.group(1)), (match.group(2) or "").lower()
        if not why and word and score in _IHC and _IHC[score][0] != word:
            why = f"{score}+ called {word}"
        if not why:
            said = said_of(text, match.start(), match.end())
            why = "a negated score" if said.negated else "a hedged score" if said.uncertain else ""
        if why:
            return _Answer(warning=f"{label}: HER2 IHC text {text[:80]!r} gives {why}, not one score; not read")
        scores.add(score)
    scores |= {int(text.strip()) for text in texts if text.strip().isdigit() and len(text.strip()) <= 3}
    if not scores:
        return None
    if len(scores) > 1 or not scores <= set(_IHC):
        listed = ", ".join(f"{s}+" for s in sorted(scores))
        return _Answer(warning=f"{label}: HER2 IHC text gives {listed}, not one score of 0-3+; not read")
    return _Answer(*_IHC[scores.pop()])


def answer(obs: Any, ihc: bool, label: str, her2: bool = False) -> _Answer:
    """What one marker Observation says. `her2`: a HER2 code, whose percentage is no status."""
    if obs.dataAbsentReason is not None:
        return _Answer(how="dataAbsentReason")
    concept = obs.valueCodeableConcept
    all_texts = [t for t in ([concept.text or ""] + [d for _, _, d in codings(concept)] if concept else []) if t]
    all_texts += [obs.valueString] if obs.valueString else []
    for text in all_texts:
        if len(text) <= MAX_TEXT and (cue := _NOT_A_RESULT.search(text)):
            return _Answer(warning=f"{label}: text {text[:80]!r} says {cue.group(0)!r}, not a result; not read")
    read = read_concept(concept, _answer_code, _TERMS, texts=[obs.valueString or ""])
    if len(read.coded) > 1:
        return _Answer(warning=f"{label}: its codings say {' and '.join(sorted(read.coded))}; not read")
    if read.coded:
        return _Answer(read.coded[0], f"coded {read.coded[0]}")
    if obs.valueBoolean is not None:
        return _Answer(warning=f"{label}: a true/false value ({str(obs.valueBoolean).lower()}) is not a receptor "
                               "status; not read")
    texts = all_texts
    if ihc and (found := _ihc(obs, texts, label)) is not None:
        return found
    if her2:
        if _percent(obs.valueQuantity) is not None or obs.valueRange is not None:
            return _Answer(warning=f"{label}: a HER2 result given as a percentage or range is not a HER2 status; "
                                   "not read")
    elif (found := _quantity(obs, label)) is not None:
        return found
    for text in texts:
        if len(text) <= MAX_TEXT and _PERCENT_OR_COMPARED.search(text):
            return _Answer(warning=f"{label}: text {text[:80]!r} gives a percentage or a comparator; its words "
                                   "are not read as a status; not read")
    reading = read.words
    said = reading.asserted()
    named = {m.meaning for m in reading.mentions} - {"equivocal"}
    if len(said) > 1 or len(named) > 1:  # "positive and negative": the cue words are the answers
        said = sorted(named | set(said))
        return _Answer(how=f"text says {' and '.join(said)}: not read")
    if said:
        return _Answer(said[0], "text " + repr(" ".join(texts)[:80]))
    return _Answer(how=why_not(reading))


def receptor(resources: Resources, field: str, codes: dict[str, str], warnings: Warnings) -> FieldSource:
    results = []  # (instant, value, label, note, day)
    unread = []
    for obs in resources.of("Observation"):
        code = code_in(obs.code, LOINC, codes)
        if code is None or not usable(obs):
            continue
        label = resources.label(obs)
        found = answer(obs, ihc=code in HER2_IHC or code in HER2_INTERPRETATION, label=label,
                       her2=code in HER2_CODES)
        if found.warning:
            warnings.append(found.warning)
        if found.value:
            results.append((observation_instant(obs), found.value, label, f"LOINC {code}: {found.how}",
                            observation_day(obs)))
        elif found.how or found.warning:
            unread.append(f"{label}: {found.how or 'not read'}")
    if not results:
        note = "no final result with a readable value for LOINC " + ", ".join(codes)
        return FieldSource(field=field, value=UNKNOWN, note=note + (f" ({'; '.join(unread)})" if unread else ""))
    definitive = [r for r in results if r[1] != "equivocal"]
    name = field.removesuffix("_status").upper()
    if not definitive:
        return FieldSource(field=field, value=UNKNOWN, resources=tuple(r[2] for r in results),
                           note="equivocal only (" + "; ".join(r[3] for r in results) + ")")
    definitive.sort(key=lambda r: r[0])
    latest = definitive[-1]
    if len({r[1] for r in definitive}) > 1:
        warnings.append(f"{name} results disagree: " + "; ".join(f"{r[2]} {r[1]} ({r[4] or 'undated'})"
                                                                for r in definitive)
                        + f"; the latest final result stands: {latest[1]}")
    return FieldSource(field=field, value=latest[1], resources=tuple(r[2] for r in results),
                       note=f"latest final result: {latest[3]} ({latest[4] or 'undated'})")


_SCORE_OF = {how: score for score, (_, how) in _IHC.items()}


def _latest(resources: Resources, codes: dict[str, str], ihc: bool) -> tuple[str, _Answer] | None:
    """The latest final Observation of these codes that says something: (label, answer)."""
    read = []
    for obs in resources.of("Observation"):
        if code_in(obs.code, LOINC, codes) is None or not usable(obs):
            continue
        found = answer(obs, ihc=ihc, label=resources.label(obs), her2=True)
        if found.value:
            read.append((observation_instant(obs), resources.label(obs), found))
    if not read:
        return None
    read.sort(key=lambda r: r[0])
    return read[-1][1], read[-1][2]


def her2_low(resources: Resources, her2_status: FieldSource) -> FieldSource:
    """HER2-low: IHC 1+, or IHC 2+ with a negative ISH (the latest final result of each). IHC 0 or
    3+, or a positive ISH, is not HER2-low; IHC 2+ with no ISH result says nothing. When the HER2
    status the record stands on is positive (results that disagree, the latest standing: a warning
    says so), the disease is not HER2-low, whatever an older IHC score said."""
    if her2_status.value == "positive":
        return FieldSource(field="her2_low", value=False, resources=her2_status.resources,
                           note="HER2 status is positive: not HER2-low")
    ihc = _latest(resources, HER2_IHC, ihc=True)
    score = _SCORE_OF.get(ihc[1].how) if ihc else None
    if ihc is None or score is None:
        return FieldSource(field="her2_low", value=UNKNOWN, note="no final HER2 IHC score (LOINC "
                           + ", ".join(HER2_IHC) + ")")
    ish = _latest(resources, HER2_ISH, ihc=False)
    labels = (ihc[0], *((ish[0],) if ish else ()))
    ish_value = ish[1].value if ish else ""
    if score in (0, 3) or ish_value == "positive":
        why = f"IHC {score}{'+' if score else ''}" + (f", ISH {ish_value}" if ish_value else "")
        return FieldSource(field="her2_low", value=False, resources=labels, note=f"{why}: not HER2-low")
    if score == 1:
        return FieldSource(field="her2_low", value=True, resources=labels, note="IHC 1+: HER2-low")
    if ish_value == "negative":
        return FieldSource(field="her2_low", value=True, resources=labels, note="IHC 2+ with a negative ISH: HER2-low")
    return FieldSource(field="her2_low", value=UNKNOWN, resources=labels,
                       note="IHC 2+ with no final ISH result: HER2-low or HER2-positive is not settled")
