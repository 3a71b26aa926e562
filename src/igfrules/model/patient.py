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

from pydantic import BaseModel, ConfigDict, ValidationInfo, field_validator, model_validator

from ..errors import is_unsafe_char
from .fields import CNS_SITES, FIELDS, NON_VISCERAL_SITES, NOT_APPLICABLE, STAGE_RANGES, UNKNOWN, VISCERAL_SITES
from .vocabulary import UnknownAgent, vocabulary
from .words import MENOPAUSE_SHORTHAND, SEX_SHORTHAND, flag_word, fold, receptor_word, sites_words, stage_word

Receptor: TypeAlias = Literal["positive", "negative", "unknown"]
Flag: TypeAlias = bool | Literal["unknown"]
Setting: TypeAlias = Literal["neoadjuvant", "adjuvant", "metastatic", "unknown"]
Site: TypeAlias = Literal["bone", "liver", "lung", "pleura", "peritoneum", "brain", "leptomeninges", "lymph_node",
                          "soft_tissue", "skin", "other_visceral", "other"]

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
        return UNKNOWN if value is None else fold(value)

    @field_validator("progressed", mode="before")
    @classmethod
    def _progressed(cls, value: Any) -> Any:
        return flag_word(value)

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
    sex: Literal["female", "male", "unknown"] = UNKNOWN
    menopausal_status: Literal["premenopausal", "perimenopausal", "postmenopausal", "unknown"] = UNKNOWN
    er_status: Receptor = UNKNOWN
    pr_status: Receptor = UNKNOWN
    her2_status: Receptor = UNKNOWN
    her2_low: Flag = UNKNOWN
    stage: str = UNKNOWN
    treatment_intent: Literal["curative", "palliative", "unknown"] = UNKNOWN
    metastatic_sites: tuple[Site, ...] | Literal["unknown"] = UNKNOWN
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
        folded = UNKNOWN if value is None else fold(value)
        return MENOPAUSE_SHORTHAND.get(folded, folded) if isinstance(folded, str) else folded

    @field_validator("serum_igf1", "igf1r_expression", mode="before")
    @classmethod
    def _fold_words(cls, value: Any) -> Any:
        return UNKNOWN if value is None else fold(value)

    @field_validator("her2_low", "visceral_disease", "pik3ca_mutation", "high_proliferation", "diabetes",
                     "brca_mutation", mode="before")
    @classmethod
    def _flags(cls, value: Any) -> Any:
        return flag_word(value)

    @model_validator(mode="before")
    @classmethod
    def _her2_low_shorthand(cls, data: Any) -> Any:
        """`her2_status: low` (HER2-low, her2-low) is HER2-negative with her2_low true."""
        if not isinstance(data, dict):
            return data
        status = data.get("her2_status")
        if isinstance(status, str) and re.sub(r"[\s_-]", "", status.casefold()) in ("low", "her2low"):
            low = flag_word(data.get("her2_low"))
            if low is False:
                raise ValueError("her2_status: low means HER2-low, but her2_low is false: give one of them")
            data = {**data, "her2_status": "negative", "her2_low": True}
        return data

    @model_validator(mode="after")
    def _her2_low_is_her2_negative(self) -> "PatientProfile":
        if self.her2_low is True and self.her2_status == "positive":
            raise ValueError("her2_low is true but her2_status is positive: HER2-low (IHC 1+, or 2+ with a "
                             "negative ISH) is a kind of HER2-negative disease; check the HER2 result")
        return self

    @field_validator("sex", "treatment_intent", mode="before")
    @classmethod
    def _fold_enum(cls, value: Any, info: ValidationInfo) -> Any:
        folded = UNKNOWN if value is None else fold(value)
        if not isinstance(folded, str):
            return folded
        folded = re.sub(r"[\s_-]+intent$", "", folded)  # "curative intent", "palliative-intent"
        return SEX_SHORTHAND.get(folded, folded) if info.field_name == "sex" else folded

    @field_validator("metastatic_sites", mode="before")
    @classmethod
    def _sites(cls, value: Any) -> Any:
        return sites_words(value)

    @field_validator("stage", mode="before")
    @classmethod
    def _stage(cls, value: Any) -> str:
        return stage_word(value)

    @field_validator("bmi", mode="before")
    @classmethod
    def _bmi(cls, value: Any) -> Any:
        if value is None or fold(value) == UNKNOWN:
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
        if value is None or fold(value) == UNKNOWN:
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

    # -- the values conditions read: implied and derived facts ---------------------------------------
    # A recorded value stands; where none is recorded, another recorded value may imply it (a
    # menopausal status implies a woman; HER2-low implies HER2-negative; the sites imply whether
    # disease is visceral). Nothing is ever assumed from a missing value.

    @property
    def effective_sex(self) -> str:
        if self.sex != UNKNOWN:
            return self.sex
        return "female" if self.menopausal_status != UNKNOWN else UNKNOWN

    @property
    def on_ovarian_suppression(self) -> bool:
        """Premenopausal and a GnRH agonist (goserelin, leuprorelin, triptorelin) is recorded."""
        if self.menopausal_status != "premenopausal" or self.prior_therapies == UNKNOWN:
            return False
        return any(t.drug_class == "ovarian_suppression" for t in self.prior_therapies)

    @property
    def effective_menopausal_status(self) -> str:
        if self.effective_sex == "male":
            return NOT_APPLICABLE  # a man is neither pre- nor postmenopausal: never asked
        if self.on_ovarian_suppression:
            return UNKNOWN  # treated as postmenopausal for endocrine therapy: a trial's own question
        return self.menopausal_status

    @property
    def effective_her2_status(self) -> str:
        if self.her2_status == UNKNOWN and self.her2_low is True:
            return "negative"
        return self.her2_status

    @property
    def effective_her2_low(self) -> Flag:
        return False if self.her2_status == "positive" else self.her2_low

    @property
    def effective_visceral_disease(self) -> Flag:
        if self.visceral_disease != UNKNOWN or self.metastatic_sites == UNKNOWN:
            return self.visceral_disease
        return any(site in VISCERAL_SITES for site in self.metastatic_sites)

    @property
    def cns_metastases(self) -> Flag:
        if self.metastatic_sites == UNKNOWN:
            return UNKNOWN
        return any(site in CNS_SITES for site in self.metastatic_sites)

    @property
    def non_visceral_metastases(self) -> Flag:
        if self.metastatic_sites == UNKNOWN:
            return UNKNOWN
        return any(site in NON_VISCERAL_SITES for site in self.metastatic_sites)

    @property
    def advanced_disease(self) -> Flag:
        """Inoperable locally advanced or metastatic disease (fields.py says how it is derived). It
        reads the stage, the intent of care and the therapies only: learning a value never turns a
        decided answer into its opposite, and a contradiction (a therapy for advanced disease with
        a stage of 0-IIIA) is a question, never a guess."""
        if self.stage == UNKNOWN:
            return UNKNOWN
        low, high = STAGE_RANGES[self.stage]
        if low >= _STAGE_IV:
            return True
        if high <= _STAGE_IIIA:
            return UNKNOWN if self._therapies_for_advanced_disease() else False
        if self.treatment_intent == "palliative":  # "III" also covers IIIA, which is not advanced
            return True if low > _STAGE_IIIA else UNKNOWN
        if self.treatment_intent == "curative":
            return False
        return UNKNOWN

    def _therapies_for_advanced_disease(self) -> list[str]:
        if self.prior_therapies == UNKNOWN:
            return []
        return sorted({t.agent for t in self.prior_therapies if t.setting == "metastatic"})

    def value(self, field: str) -> Any:
        """The value of any catalogued field as conditions read it: implied and derived ones included."""
        getter = _EFFECTIVE.get(field)
        return getter(self) if getter is not None else getattr(self, field)

    def explanation_key(self, field: str) -> tuple[Any, ...]:
        """What explaining a derived field depends on beyond its value (which of its sources are
        unknown, the question it raises): evaluation shares an explanation between cases with the
        same key, so it holds no more than that (never the whole therapy list)."""
        if field == "advanced_disease":
            return (self.stage, self.treatment_intent, tuple(self._therapies_for_advanced_disease()),
                    self.advanced_disease)
        return (*(self.value(f) == UNKNOWN for f in FIELDS[field].derived_from), self.value(field))

    def missing_for(self, field: str) -> list[str]:
        """What to record (field names) or settle (a question) so that an unknown `field` is decided."""
        question = self.open_question(field)
        if question is not None:
            return [question]
        if field == "advanced_disease":
            return self._missing_for_advanced_disease()
        if field == "sex":
            return ["sex"]  # a menopausal status would imply it, but sex is what to record
        sources = FIELDS[field].derived_from or (field,)
        return [f for f in sources if self.value(f) == UNKNOWN] or [field]  # known but imprecise: stage "I"

    def _missing_for_advanced_disease(self) -> list[str]:
        if self.stage == UNKNOWN:
            return ["stage"]
        treated = self._therapies_for_advanced_disease()
        if treated and STAGE_RANGES[self.stage][1] <= _STAGE_IIIA:
            return [f"the current stage: stage {self.stage} is recorded, with therapy given for advanced disease "
                    f"({', '.join(treated)})"]
        if STAGE_RANGES[self.stage][0] <= _STAGE_IIIA:  # "III": IIIA, or IIIB-IIIC by intent
            return ["stage"] if self.treatment_intent == "palliative" else ["stage", "treatment_intent"]
        return ["treatment_intent"]

    def open_question(self, field: str) -> str | None:
        """The question to settle when a field is recorded yet reads as unknown to the rules."""
        if field == "menopausal_status" and self.effective_menopausal_status == UNKNOWN and self.on_ovarian_suppression:
            return ("premenopausal on ovarian suppression: whether the trial or study admitted women made "
                    "postmenopausal by ovarian suppression")
        return None

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
            elif name == "metastatic_sites":
                case[name] = list(value)
            else:
                case[name] = value
        return case


_STAGE_IV = STAGE_RANGES["IV"][0]
_STAGE_IIIA = STAGE_RANGES["IIIA"][1]
_EFFECTIVE = {
    "sex": lambda p: p.effective_sex,
    "menopausal_status": lambda p: p.effective_menopausal_status,
    "her2_status": lambda p: p.effective_her2_status,
    "her2_low": lambda p: p.effective_her2_low,
    "visceral_disease": lambda p: p.effective_visceral_disease,
}

IMPLIED_FIELDS = frozenset(_EFFECTIVE)  # recorded fields whose value conditions read may be implied
# The recorded fields each implied value also depends on (what a reader of the field reads too).
IMPLIED_BY: dict[str, tuple[str, ...]] = {
    "sex": ("menopausal_status",),
    "menopausal_status": ("sex", "prior_therapies"),
    "her2_status": ("her2_low",),
    "her2_low": ("her2_status",),
    "visceral_disease": ("metastatic_sites",),
}
