"""The words of a case file: shorthand a coordinator types, folded into the profile's canonical values.

Unambiguous shorthand is accepted (`ER+`, `pos`, `stage 4`, `de novo stage IV`, `HER2-low`, `bone
only`, `curative intent`); what is ambiguous (an IHC score for a status, yes/no for a word) is
refused with the reason. The patient model (patient.py) calls these from its validators.
"""

import re
from typing import Any

from .fields import SITES, STAGE_RANGES, UNKNOWN

_STAGE_BY_KEY = {key.casefold(): key for key in STAGE_RANGES}
_FLAG_WORDS = {"true": True, "false": False, "unknown": UNKNOWN}


def fold(value: Any) -> Any:
    if isinstance(value, bool):  # YAML reads yes/no/on/off as booleans before we see them
        raise ValueError(f"{value!r} is not a word this field takes (YAML reads yes/no/on/off as "
                         "true/false: write the word, quoted if need be)")
    return value.strip().casefold() if isinstance(value, str) else value


def flag_word(value: Any) -> Any:
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


_ARABIC_STAGE = {"0": "0", "1": "I", "2": "II", "3": "III", "4": "IV"}
SEX_SHORTHAND = {"f": "female", "woman": "female", "m": "male", "man": "male"}
_SITE_SHORTHAND = {"bones": "bone", "lymph_nodes": "lymph_node", "nodes": "lymph_node",
                   "leptomeningeal": "leptomeninges"}
MENOPAUSE_SHORTHAND = {"pre": "premenopausal", "peri": "perimenopausal", "post": "postmenopausal"}
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
    folded = fold(value)
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


def stage_word(value: Any) -> str:
    """A stage from what a coordinator types: IIIA, 3a, stage 4, de novo stage IV, metastatic."""
    if value is None:
        return UNKNOWN
    if isinstance(value, int) and not isinstance(value, bool) and str(value) in _ARABIC_STAGE:
        return _ARABIC_STAGE[str(value)]  # `stage: 4` is stage IV
    if not isinstance(value, str):
        raise ValueError(f"{value!r} is not a stage; {_STAGE_HELP}")
    key = re.sub(r"^(de[\s_-]*novo[\s_-]+)?stage[\s_-]*", "", value.strip().casefold())  # "de novo stage IV"
    key = key.replace(" ", "_").replace("-", "_")
    arabic = re.fullmatch(r"([0-4])([abc]?)", key)  # `stage 4`, `3a`: Arabic digits for the group
    if arabic and (arabic.group(1) != "0" or not arabic.group(2)):
        key = (_ARABIC_STAGE[arabic.group(1)] + arabic.group(2)).casefold()
    if key == UNKNOWN:
        return UNKNOWN
    if key not in _STAGE_BY_KEY:
        raise ValueError(f"{value!r} is not a stage; {_STAGE_HELP}")
    return _STAGE_BY_KEY[key]


def sites_words(value: Any) -> Any:
    """Metastatic sites from a list of words, or `bone only`: canonical, sorted, each once."""
    if value is None or fold(value) == UNKNOWN:
        return UNKNOWN
    if isinstance(value, str):
        only = re.fullmatch(r"([a-z_ ]+?)[\s_-]+only", value.strip().casefold())
        if only:  # "bone only", "bone-only"
            value = [only.group(1)]
        else:
            raise ValueError("must be a list of sites (" + ", ".join(SITES) + "), [] for none, or unknown")
    if not isinstance(value, list | tuple):
        raise ValueError("must be a list of sites (" + ", ".join(SITES) + "), [] for none, or unknown")
    sites = []
    for index, item in enumerate(value):
        word = fold(item) if isinstance(item, str) else None
        word = word.replace(" ", "_").replace("-", "_") if word is not None else None
        word = _SITE_SHORTHAND.get(word, word) if word is not None else None
        if word not in SITES:
            raise ValueError(f"item {index}: {item!r} is not one of {', '.join(SITES)}")
        sites.append(word)
    return tuple(sorted(set(sites), key=SITES.index))  # order and repeats carry no meaning
