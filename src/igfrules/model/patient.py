"""The patient profile: strict, closed, and with "unknown" as a value of every field.

A field left out of a case is unknown; `prior_therapies: []` is known to be none. Enumerated
words are case-insensitive, agent names are resolved to canonical agents, and a field name that
is not in the contract is an error, so a typo never silently becomes "unknown".
"""

# No `from __future__ import annotations` in this module: pydantic would have to evaluate every
# annotation string when it creates each model class, about a third of this module's import
# time on every start; real annotations are read as they are.

import re
from typing import Any, Literal, TypeAlias

from pydantic import BaseModel, ConfigDict, ValidationInfo, field_validator

from ..errors import is_unsafe_char
from .fields import FIELDS, STAGE_RANGES, UNKNOWN
from .vocabulary import UnknownAgent, vocabulary

Receptor: TypeAlias = Literal["positive", "negative", "unknown"]
Flag: TypeAlias = bool | Literal["unknown"]
Setting: TypeAlias = Literal["neoadjuvant", "adjuvant", "metastatic", "unknown"]

_STAGE_BY_KEY = {key.casefold(): key for key in STAGE_RANGES}
_FLAG_WORDS = {"true": True, "false": False, "unknown": UNKNOWN}


def _fold(value: Any) -> Any:
    if isinstance(value, bool):  # YAML reads yes/no/on/off as booleans before we see them
        raise ValueError(f"{value!r} is not a word this field takes (YAML reads yes/no/on/off as "
                         "true/false: write the word, quoted if need be)")
    return value.strip().casefold() if isinstance(value, str) else value


def _flag(value: Any) -> Any:
    if isinstance(value, str):
        folded = value.strip().casefold()
        if folded in _FLAG_WORDS:
            return _FLAG_WORDS[folded]
        raise ValueError(f"{value!r} is not one of true, false, unknown")
    if value is None:
        return UNKNOWN
    if not isinstance(value, bool):
        raise ValueError(f"{value!r} is not one of true, false, unknown")
    return value


class PriorTherapy(BaseModel):
    """One therapy the patient received."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    agent: str
    setting: Setting = UNKNOWN
    progressed: Flag = UNKNOWN

    @field_validator("agent", mode="before")
    @classmethod
    def _canonical_agent(cls, value: Any) -> str:
        if not isinstance(value, str) or not value.strip():
            raise ValueError("an agent name is required (a generic name, brand name or code)")
        try:
            return vocabulary().resolve(value).name
        except UnknownAgent as err:
            hint = f"; did you mean {', '.join(err.suggestions)}?" if err.suggestions else ""
            raise ValueError(f"{value!r} is not a known agent{hint}") from None

    @field_validator("setting", mode="before")
    @classmethod
    def _fold_setting(cls, value: Any) -> Any:
        return UNKNOWN if value is None else _fold(value)

    @field_validator("progressed", mode="before")
    @classmethod
    def _progressed(cls, value: Any) -> Any:
        return _flag(value)

    @property
    def drug_class(self) -> str:
        return vocabulary().agents[self.agent].drug_class

    def to_item(self) -> dict[str, Any]:
        """`model_dump(exclude_defaults=True)`: the agent, and setting and progression when known."""
        item: dict[str, Any] = {"agent": self.agent}
        if self.setting != UNKNOWN:
            item["setting"] = self.setting
        if self.progressed != UNKNOWN:
            item["progressed"] = self.progressed
        return item

    def sort_key(self) -> tuple[str, str, str]:
        return (self.agent, self.setting, str(self.progressed))


class PatientProfile(BaseModel):
    """A patient profile as the rules see it. Build one with `PatientProfile.model_validate`."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    case_id: str | None = None
    menopausal_status: Literal["premenopausal", "perimenopausal", "postmenopausal", "unknown"] = UNKNOWN
    er_status: Receptor = UNKNOWN
    pr_status: Receptor = UNKNOWN
    her2_status: Receptor = UNKNOWN
    stage: str = UNKNOWN
    visceral_disease: Flag = UNKNOWN
    pik3ca_mutation: Flag = UNKNOWN
    high_proliferation: Flag = UNKNOWN
    diabetes: Flag = UNKNOWN
    brca_mutation: Flag = UNKNOWN
    bmi: float | Literal["unknown"] = UNKNOWN
    serum_igf1: Literal["high", "normal", "low", "unknown"] = UNKNOWN
    igf1r_expression: Literal["high", "low", "unknown"] = UNKNOWN
    prior_therapies: tuple[PriorTherapy, ...] | Literal["unknown"] = UNKNOWN

    @field_validator("case_id", mode="before")
    @classmethod
    def _case_id_text(cls, value: Any) -> Any:
        # JSON may give an identifier as a whole number; YAML files keep it as written (safe_yaml).
        if isinstance(value, int) and not isinstance(value, bool):
            return str(value)
        # The one free-text field: everything else is checked against a list of words. It is
        # written into every output: a line break of any kind (U+0085, U+2028 too) would split a
        # JSON line, a bidirectional override would reorder what a reader sees.
        if isinstance(value, str) and not value.isprintable():
            if any(0xD800 <= ord(c) <= 0xDFFF for c in value):
                raise ValueError("contains text that is not valid Unicode (a lone surrogate)")
            if any(is_unsafe_char(c) for c in value):
                raise ValueError("contains control characters (line breaks, tabs, escape, bidirectional "
                                 "or invisible format characters); give plain text")
        if value is not None and not isinstance(value, str):
            raise ValueError(f"{value!r} is not text")
        return value

    @field_validator("er_status", "pr_status", "her2_status", mode="before")
    @classmethod
    def _receptor(cls, value: Any, info: ValidationInfo) -> Any:
        return receptor_word(value, info.field_name or "")

    @field_validator("menopausal_status", mode="before")
    @classmethod
    def _menopause(cls, value: Any) -> Any:
        folded = UNKNOWN if value is None else _fold(value)
        return _MENOPAUSE_SHORTHAND.get(folded, folded) if isinstance(folded, str) else folded

    @field_validator("serum_igf1", "igf1r_expression", mode="before")
    @classmethod
    def _fold_words(cls, value: Any) -> Any:
        return UNKNOWN if value is None else _fold(value)

    @field_validator("visceral_disease", "pik3ca_mutation", "high_proliferation", "diabetes", "brca_mutation",
        mode="before",)
    @classmethod
    def _flags(cls, value: Any) -> Any:
        return _flag(value)

    @field_validator("stage", mode="before")
    @classmethod
    def _stage(cls, value: Any) -> str:
        if value is None:
            return UNKNOWN
        if isinstance(value, int) and not isinstance(value, bool) and str(value) in _ARABIC_STAGE:
            return _ARABIC_STAGE[str(value)]  # `stage: 4` is stage IV
        if not isinstance(value, str):
            raise ValueError(f"{value!r} is not a stage; {_STAGE_HELP}")
        key = re.sub(r"^stage[\s_-]*", "", value.strip().casefold()).replace(" ", "_").replace("-", "_")
        arabic = re.fullmatch(r"([0-4])([abc]?)", key)  # `stage 4`, `3a`: Arabic digits for the group
        if arabic and (arabic.group(1) != "0" or not arabic.group(2)):
            key = (_ARABIC_STAGE[arabic.group(1)] + arabic.group(2)).casefold()
        if key == UNKNOWN:
            return UNKNOWN
        if key not in _STAGE_BY_KEY:
            raise ValueError(f"{value!r} is not a stage; {_STAGE_HELP}")
        return _STAGE_BY_KEY[key]

    @field_validator("bmi", mode="before")
    @classmethod
    def _bmi(cls, value: Any) -> Any:
        if value is None or _fold(value) == UNKNOWN:
            return UNKNOWN
        low, high = FIELDS["bmi"].bounds or (0.0, 0.0)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError(f"{value!r} is not a number; a BMI in kg/m2 between {low:g} and {high:g}")
        if not low <= value <= high:
            raise ValueError(f"{value!r} is outside {low:g}-{high:g} kg/m2")
        return float(value)

    @field_validator("prior_therapies", mode="before")
    @classmethod
    def _therapies(cls, value: Any) -> Any:
        if value is None or _fold(value) == UNKNOWN:
            return UNKNOWN
        if not isinstance(value, list | tuple):
            raise ValueError("must be a list of agents or {agent, setting, progressed} mappings, or unknown")
        items = []
        for index, item in enumerate(value):
            if not isinstance(item, str | dict):
                raise ValueError(
                    f"item {index}: {item!r} is neither an agent name nor a mapping "
                    "{agent, setting, progressed}"
                )
            items.append({"agent": item} if isinstance(item, str) else item)
        return items

    @field_validator("prior_therapies", mode="after")
    @classmethod
    def _canonical_order(cls, value: Any) -> Any:
        # Order carries no meaning; sorting makes every output independent of how it was typed.
        if isinstance(value, tuple):
            return tuple(sorted(value, key=PriorTherapy.sort_key))
        return value

    @property
    def hormone_receptor_status(self) -> str:
        if "positive" in (self.er_status, self.pr_status):
            return "positive"
        if self.er_status == "negative" and self.pr_status == "negative":
            return "negative"
        return UNKNOWN

    def value(self, field: str) -> Any:
        """The value of any catalogued field, derived ones included."""
        return getattr(self, field)

    def to_case(self) -> dict[str, Any]:
        """The case mapping this profile was read from, in canonical form (unknowns left out).

        Every report echoes it, so it reads the stored fields directly (in field order) instead of
        iterating the model and dumping each therapy; the result is the same (tested).
        """
        case: dict[str, Any] = {}
        for name, value in self.__dict__.items():
            if value == UNKNOWN or value is None:
                continue
            if name == "prior_therapies":
                case[name] = [t.to_item() for t in value]
            else:
                case[name] = value
        return case


_ARABIC_STAGE = {"0": "0", "1": "I", "2": "II", "3": "III", "4": "IV"}
_MENOPAUSE_SHORTHAND = {"pre": "premenopausal", "peri": "perimenopausal", "post": "postmenopausal"}
_RECEPTOR_SHORTHAND = {"pos": "positive", "+": "positive", "neg": "negative", "-": "negative"}
_RECEPTOR_PREFIX = {"er_status": "er", "pr_status": "pr", "her2_status": "her2"}


def receptor_word(value: Any, field: str) -> Any:
    """A receptor status from what a coordinator types: positive/pos/+/ER+, negative/neg/-/ER-.

    A number is refused: `her2_status: 0` could be an IHC score of 0 or a "no", and an IHC score is
    not a status (IHC 2+ needs ISH); the pathology report's conclusion is.
    """
    if value is None:
        return UNKNOWN
    if isinstance(value, int | float) and not isinstance(value, bool):
        raise ValueError(f"{value!r} is ambiguous (an IHC score, or yes/no?): write positive or negative as the "
                         "pathology report concludes, or unknown")
    folded = _fold(value)
    if not isinstance(folded, str):
        return folded
    prefix = _RECEPTOR_PREFIX.get(field, "")
    if prefix and folded.startswith(prefix) and folded[len(prefix):].strip() in ("+", "-", "pos", "neg"):
        folded = folded[len(prefix):].strip()  # ER+, her2-, "PR pos"
    if re.fullmatch(r"[0-3]\+?", folded):
        raise ValueError(f"{value!r} is ambiguous (an IHC score is not a status): write positive or negative as the "
                         "pathology report concludes, or unknown")
    return _RECEPTOR_SHORTHAND.get(folded, folded)


_STAGE_HELP = (
    "allowed: " + ", ".join(k for k in STAGE_RANGES) + ", unknown (case-insensitive)"
)
