"""A case mapping already in canonical form becomes a PatientProfile without pydantic's validators.

Registries, `to_case()` and our own synthetic cohorts write cases whose every value is already
canonical: `"positive"`, `true`, `"IIIA"`, `27.5`, a canonical agent name. For such a mapping the
validators would only hand each value back, so it is built directly (`trusted.construct`), with
the same values, types and fields-set. Anything else (another spelling, a wrong value, an unknown
field, a mapping that is not a plain dict) returns None, and the caller validates it with
`PatientProfile.model_validate`, so normalisation and every error message stay exactly as they
are. The tests compare both paths on generated cases in every accepted spelling.
"""

from __future__ import annotations

from typing import Any

from .fields import FIELDS, SETTINGS, SITES, STAGE_RANGES, UNKNOWN, Kind
from .patient import PatientProfile, PriorTherapy
from .trusted import build, construct, template
from .vocabulary import vocabulary

_WORDS: dict[str, frozenset[str]] = {
    name: frozenset((*(STAGE_RANGES if f.kind is Kind.STAGE else f.values), UNKNOWN))
    for name, f in FIELDS.items() if f.kind in (Kind.ENUM, Kind.STAGE) and not f.derived_from
}
_FLAGS = frozenset(name for name, f in FIELDS.items() if f.kind is Kind.FLAG and not f.derived_from)
_SITES = frozenset(SITES)
_SITE_ORDER = list(SITES)
_BMI_LOW, _BMI_HIGH = FIELDS["bmi"].bounds or (0.0, 0.0)
_SETTINGS = frozenset((*SETTINGS, UNKNOWN))
_ITEM_KEYS = frozenset(("agent", "setting", "progressed"))
_canonical_agents: frozenset[str] | None = None


def _agents() -> frozenset[str]:
    global _canonical_agents
    if _canonical_agents is None:
        vocab = vocabulary()
        # A name the vocabulary resolves to itself: exactly what the agent validator returns.
        _canonical_agents = frozenset(a for a in vocab.agents if vocab.resolve(a).name == a)
    return _canonical_agents


_TEMPLATE = template(PatientProfile)  # every field optional: all have a default


def typed_profile(data: Any) -> PatientProfile | None:
    """The profile for an already-canonical plain dict, or None to validate it the usual way."""
    if type(data) is not dict:
        return None
    fields = _TEMPLATE.copy()  # field order, defaults; a field given keeps its place
    for name, given in data.items():
        value = given
        words = _WORDS.get(name)
        if words is not None:
            if type(value) is not str or value not in words:
                return None
        elif name in _FLAGS:
            if value is not True and value is not False and value != UNKNOWN:
                return None
        elif name == "bmi":
            if value == UNKNOWN:
                pass
            elif (type(value) is float or type(value) is int) and _BMI_LOW <= value <= _BMI_HIGH:
                value = float(value)
            else:
                return None
        elif name == "prior_therapies":
            if value == UNKNOWN:
                pass
            elif type(value) is list or type(value) is tuple:
                value = _therapies(value)
                if value is None:
                    return None
            else:
                return None
        elif name == "metastatic_sites":
            if value == UNKNOWN:
                pass
            elif type(value) is list and all(type(s) is str and s in _SITES for s in value) \
                    and value == sorted(set(value), key=_SITE_ORDER.index):
                value = tuple(value)  # canonical: known sites, in the catalogue's order, each once
            else:
                return None
        elif name == "case_id":
            # Plain printable ASCII is what the validator hands back unchanged (no control characters).
            if value is not None and not (type(value) is str and value.isascii() and value.isprintable()):
                return None
        else:
            return None  # not a field: the validator names it and suggests the closest
        fields[name] = value
    if fields["her2_low"] is True and fields["her2_status"] == "positive":
        return None  # a contradiction: the validator refuses it with the reason
    return build(PatientProfile, fields, set(data))


def _therapies(items: list[Any] | tuple[Any, ...]) -> tuple[PriorTherapy, ...] | None:
    agents = _agents()
    therapies = []
    for item in items:
        if type(item) is str:
            if item not in agents:
                return None
            key: tuple[Any, ...] = (item,)
        elif type(item) is dict and "agent" in item and _ITEM_KEYS.issuperset(item):
            agent, setting, progressed = item["agent"], item.get("setting", UNKNOWN), item.get("progressed", UNKNOWN)
            if type(agent) is not str or agent not in agents:
                return None
            if setting is None:
                setting = UNKNOWN
            elif type(setting) is not str or setting not in _SETTINGS:
                return None
            if progressed is None:
                progressed = UNKNOWN
            elif progressed is not True and progressed is not False and progressed != UNKNOWN:
                return None
            # Checked values only (bools are bools here, so True never stands in for 1), and which
            # keys were given: the fields-set differs between "setting: null" and no setting.
            key = (agent, setting, progressed, "setting" in item, "progressed" in item)
        else:
            return None
        therapy = _therapy_cache.get(key)
        if therapy is None:
            therapy = _therapy_cache[key] = _therapy(key)
        therapies.append(therapy)
    return tuple(sorted(therapies, key=PriorTherapy.sort_key))


# A therapy is a frozen value drawn from a finite set (agents x settings x progression x which keys
# were given), so each distinct one is built once and shared.
_therapy_cache: dict[tuple[Any, ...], PriorTherapy] = {}


def _therapy(key: tuple[Any, ...]) -> PriorTherapy:
    if len(key) == 1:
        return construct(PriorTherapy, {"agent": key[0]})
    agent, setting, progressed, has_setting, has_progressed = key
    values = {"agent": agent}
    if has_setting:
        values["setting"] = setting
    if has_progressed:
        values["progressed"] = progressed
    return construct(PriorTherapy, values)
