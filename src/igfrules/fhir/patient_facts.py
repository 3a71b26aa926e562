"""Fields about the patient rather than the tumour: sex, diabetes, BMI, serum IGF-1, menopausal status."""

from __future__ import annotations

from typing import Any

from ..model.fields import FIELDS, UNKNOWN
from ..model.mapping import FieldSource
from .bundle import Resources
from .codes import (
    BMI,
    COMORBIDITIES,
    DIABETES_ICD10_PREFIXES,
    DIABETES_SNOMED,
    ICD10CM,
    LOINC,
    NOT_DIABETES_WORDS,
    RELATED_CONDITION_ABSENT_URL,
    RELATED_CONDITION_URL,
    SERUM_IGF1,
    SNOMED,
)
from .concepts import code_in, codings, extensions, observation_day, observation_instant, usable
from .findings import read_concept
from .tumour import unconfirmed

Warnings = list[str]


_DIABETES_TERMS = {"diabetes mellitus": "diabetes", "type 2 diabetes": "diabetes", "type 1 diabetes": "diabetes",
                   "type ii diabetes": "diabetes", "type i diabetes": "diabetes",
                   "t2dm": "diabetes", "t1dm": "diabetes",
                   # words that make the term another condition; negation, hedges and relatives are
                   # the reader's (findings.py). Insulin resistance is not diabetes (it names no term
                   # here), nor is borderline diabetes (prediabetes).
                   "borderline": "not diabetes",
                   **{word: "not diabetes" for word in NOT_DIABETES_WORDS if word not in ("family history", "screening",
                                                                                          "risk of")}}

# Beside a diabetes coding, "diabetes" alone is enough for its text to deny it ("No diabetes").
_CODED_DIABETES_TERMS = {**_DIABETES_TERMS, "diabetes": "diabetes"}


def is_diabetes(concept: Any) -> bool:
    """Diabetes coded (any coding), or asserted in words: "No diabetes mellitus", "diabetes
    mellitus ruled out", "denies diabetes", "diabetes mellitus in mother", "borderline diabetes"
    are not diabetes. A coding whose words deny or doubt it (E11.9 with the text "No diabetes")
    is not read: the record disagrees with itself."""
    if concept is None:
        return False
    read = read_concept(concept, _diabetes_code, _DIABETES_TERMS)
    if any(m.meaning == "not diabetes" for m in read.words.mentions):
        return False
    if read.coded:  # its words are read for any mention of diabetes, however short, that denies or doubts it
        said = read_concept(concept, _diabetes_code, _CODED_DIABETES_TERMS).words
        return not any(m.meaning == "not diabetes" or not m.asserted for m in said.mentions)
    return "diabetes" in read.words.asserted()


def _diabetes_code(system: str, code: str) -> str | None:
    if (system == SNOMED and code in DIABETES_SNOMED) or (
            system == ICD10CM and code.replace(".", "").upper().startswith(DIABETES_ICD10_PREFIXES)):
        return "diabetes"
    return None


def diabetes(resources: Resources, warnings: Warnings) -> FieldSource:
    present, absent, doubted = [], [], []
    for condition in resources.of("Condition"):
        if not is_diabetes(condition.code):
            continue
        verification = {code for _, code, _ in codings(condition.verificationStatus)}
        clinical = {code for _, code, _ in codings(condition.clinicalStatus)}
        label = resources.label(condition)
        if "entered-in-error" in verification:
            continue
        if unconfirmed(condition):  # unconfirmed, provisional, differential: neither present nor absent
            doubted.append(label)
        elif "refuted" in verification:
            absent.append(label)
        elif not clinical & {"inactive", "resolved", "remission"}:
            present.append(label)
    for obs in resources.of("Observation"):
        if not (code_in(obs.code, SNOMED, [COMORBIDITIES]) and usable(obs)):
            continue
        label = resources.label(obs)
        for extension in extensions(obs, RELATED_CONDITION_URL):
            if is_diabetes(extension.valueCodeableConcept):
                present.append(label)
            elif extension.valueReference is not None:
                referenced = resources.resolve(obs, "extension.valueReference", extension.valueReference, "Condition")
                if referenced is not None and is_diabetes(referenced.code):
                    present.append(label)
        if any(is_diabetes(e.valueCodeableConcept) for e in extensions(obs, RELATED_CONDITION_ABSENT_URL)):
            absent.append(label)
    labels = tuple(dict.fromkeys(present + absent))
    if present:
        if absent:
            warnings.append(f"diabetes recorded present ({', '.join(present)}) and absent or refuted "
                            f"({', '.join(absent)}); present stands")
        return FieldSource(field="diabetes", value=True, resources=labels, note="diabetes recorded present")
    if doubted:
        if absent:
            warnings.append(f"diabetes recorded absent or refuted ({', '.join(absent)}) and unconfirmed "
                            f"({', '.join(doubted)}); not read")
        return FieldSource(field="diabetes", value=UNKNOWN, resources=tuple(dict.fromkeys(absent + doubted)),
                           note="diabetes recorded only as unconfirmed, provisional or differential")
    if absent:
        return FieldSource(field="diabetes", value=False, resources=labels,
                           note="diabetes recorded absent (comorbidities) or refuted")
    return FieldSource(field="diabetes", value=UNKNOWN,
                       note="no diabetes Condition and no comorbidity Observation that records it")


def _latest(resources: Resources, code: str) -> Any:
    found = [o for o in resources.of("Observation") if code_in(o.code, LOINC, [code]) and usable(o)
             and o.dataAbsentReason is None and o.valueQuantity is not None and o.valueQuantity.value is not None]
    return max(found, key=observation_instant) if found else None


def bmi(resources: Resources, warnings: Warnings) -> FieldSource:
    obs = _latest(resources, BMI)
    if obs is None:
        return FieldSource(field="bmi", value=UNKNOWN, note=f"no final LOINC {BMI} (body mass index)")
    value = float(obs.valueQuantity.value)
    low, high = FIELDS["bmi"].bounds or (0.0, 0.0)
    label = resources.label(obs)
    if obs.valueQuantity.comparator:  # "<18.5" is not a BMI
        note = f"{obs.valueQuantity.comparator}{value:g} kg/m2 is a bound, not a value: not used"
        warnings.append(f"{label}: BMI {note}")
        return FieldSource(field="bmi", value=UNKNOWN, resources=(label,), note=note)
    if not low <= value <= high:
        warnings.append(f"{label}: BMI {value:g} kg/m2 is outside {low:g}-{high:g}; not used")
        return FieldSource(field="bmi", value=UNKNOWN, resources=(label,),
                           note=f"{value:g} kg/m2 is outside {low:g}-{high:g}: not used")
    return FieldSource(field="bmi", value=round(value, 1), resources=(label,),
                       note=f"latest LOINC {BMI}: {value:g} kg/m2 ({observation_day(obs) or 'undated'})")


def serum_igf1(resources: Resources, warnings: Warnings) -> FieldSource:
    """Against the laboratory's own reference range or interpretation flag: the review gives no
    cut-off. Every flag is read (H and L together: unknown, with a warning); a value with a
    comparator ("<25") is judged only where the whole bound is on one side of the range."""
    obs = _latest(resources, SERUM_IGF1)
    if obs is None:
        return FieldSource(field="serum_igf1", value=UNKNOWN, note=f"no final LOINC {SERUM_IGF1} (IGF-1)")
    label, value = resources.label(obs), float(obs.valueQuantity.value)
    comparator = obs.valueQuantity.comparator or ""
    flags = {code for c in (obs.interpretation or []) for _, code, _ in codings(c)}
    levels = {level for level, codes in (("high", {"H", "HH", "HU"}), ("low", {"L", "LL", "LU"}), ("normal", {"N"}))
              if flags & codes}
    if len(levels) > 1:
        warnings.append(f"{label}: IGF-1 flagged {' and '.join(sorted(levels))}; not read")
        return FieldSource(field="serum_igf1", value=UNKNOWN, resources=(label,), note="flags that disagree")
    level = levels.pop() if levels else ""
    how = "interpretation flag"
    if not level and obs.referenceRange:
        ref = obs.referenceRange[0]
        high = float(ref.high.value) if ref.high is not None and ref.high.value is not None else None
        low = float(ref.low.value) if ref.low is not None and ref.low.value is not None else None
        above = comparator in ("", ">", ">=")  # the true value may be this one or above it
        below = comparator in ("", "<", "<=")
        if high is not None and ((value > high and above) or (comparator == ">" and value >= high)):
            level = "high"
        elif low is not None and ((value < low and below) or (comparator == "<" and value <= low)):
            level = "low"
        elif high is not None and low is not None and not comparator:
            level = "normal"
        how = "the laboratory's reference range"
    if not level:
        return FieldSource(field="serum_igf1", value=UNKNOWN, resources=(label,),
                           note="no reference range or interpretation to judge the value against")
    return FieldSource(field="serum_igf1", value=level, resources=(label,), note=f"{value:g}, {level} by {how}")


def sex(patients: list[Any], resources: Resources) -> FieldSource:
    """Patient.gender: `female` and `male` are the recorded sex; `other`, `unknown` or no gender
    leave it unknown (administrative gender is what US Core's Patient carries)."""
    if not patients:
        return FieldSource(field="sex", value=UNKNOWN, note="no Patient resource")
    gender = getattr(patients[0], "gender", None)
    label = resources.label(patients[0])
    if gender in ("female", "male"):
        return FieldSource(field="sex", value=gender, resources=(label,), note=f"Patient.gender {gender}")
    return FieldSource(field="sex", value=UNKNOWN, resources=(label,),
                       note=f"Patient.gender is {gender or 'absent'}: sex left unknown")


def menopausal_status() -> FieldSource:
    return FieldSource(field="menopausal_status", value=UNKNOWN,
                       note="mCODE has no element for menopausal status; igfrules reads none and leaves it unknown")
