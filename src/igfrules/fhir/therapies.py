"""Prior therapies from MedicationRequest, MedicationAdministration and MedicationStatement.

A medicine is matched by its RxNorm ingredient code (agents.yaml `rxcui`), else by the agent names
found in its text or displays, so a product code's display ("doxorubicin hydrochloride 20 MG per
10 ML Injection") still resolves. A cancer-related medicine that matches no agent is listed as not
recognised and never fails the evaluation. The setting comes from the mCODE treatment intent and
from dates; progression from cancer-disease-status Observations dated in the therapy's window.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from ..model.fields import UNKNOWN
from ..model.mapping import FieldSource, UnrecognisedMedicine
from ..model.vocabulary import vocabulary
from .bundle import Resources
from .codes import (
    BREAST_SURGERY_WORDS,
    DISEASE_STATUS_CODES,
    LOINC,
    MCODE,
    RXNORM,
    SNOMED,
    STATUS_NOT_WORSENED,
    STATUS_WORSENED,
    SURGICAL_PROCEDURE,
    VISCERAL_SITES,
)
from .concepts import code_in, codings, day, display_text, observation_day, usable, words
from .extent import given as _given
from .extent import procedure_intents
from .staging import m_category_kind, m_value, stage_group_kind, stage_of
from .tumour import refuted, secondary_sites, unconfirmed

DISTANT_SITES = VISCERAL_SITES | {"bone"}


@dataclass
class _Given:
    agent: str
    start: str
    intent: str  # "curative", "palliative" or ""
    labels: list[str] = field(default_factory=list)


@cache
def _name_index() -> tuple[dict[tuple[str, ...], str], int]:
    """Every spelling of every agent as a word sequence: ("trastuzumab", "emtansine") -> agent;
    and the most words a spelling has."""
    vocab = vocabulary()
    index = {tuple(_tokens(spelling)): agent.name for agent in vocab.agents.values()
             for spelling in (agent.name, *agent.synonyms)}
    return index, max((len(k) for k in index), default=0)


def _tokens(text: str) -> list[str]:
    return re.findall(r"[0-9a-z]+", text.casefold())


def agents_in_text(text: str) -> list[str]:
    """Agents named in free text, longest spelling first, without overlaps ("ado-trastuzumab
    emtansine" is one agent; "pertuzumab and trastuzumab" are two)."""
    tokens, (index, longest) = _tokens(text), _name_index()
    found, position = [], 0
    while position < len(tokens):
        for size in range(min(longest, len(tokens) - position), 0, -1):
            agent = index.get(tuple(tokens[position:position + size]))
            if agent is not None:
                found.append(agent)
                position += size
                break
        else:
            position += 1
    return list(dict.fromkeys(found))


def match_medicine(concept: Any) -> tuple[list[str], str]:
    """(agents, how) for a medication CodeableConcept: RxNorm ingredient codes first, then words.
    A formulation that shares its ingredient's code ("doxorubicin hydrochloride 2 MG/ML Injectable
    Liposomal Suspension", coded 3639) is told apart by its words."""
    by_rxcui = vocabulary().by_rxcui
    coded = [by_rxcui[code] for system, code, _ in codings(concept) if system == RXNORM and code in by_rxcui]
    text = words(concept)
    if coded:
        agents = _formulations(coded, text)
        same = agents == list(dict.fromkeys(coded))
        return agents, "RxNorm ingredient" if same else "RxNorm ingredient, form in words"
    named = agents_in_text(text)
    return _formulations(named, text), "name in text" if named else ""


def _formulations(agents: list[str], text: str) -> list[str]:
    forms = vocabulary().formulations
    return list(dict.fromkeys(
        next((f.name for f in forms.get(agent, ()) if _form_named(f.name, agent).search(text)), agent)
        for agent in agents))


_DOSE_FORMS = ("injection", "injectable", "suspension", "infusion", "solution", "for injection")
_NOT = r"(?<!\bnon[\s-])(?<!\bnot\s)(?<!\bno\s)"  # "non-liposomal", "not pegylated" say the opposite


@cache
def _form_named(form: str, agent: str) -> re.Pattern[str]:
    """A form word that belongs to the agent: beside its name ("doxorubicin liposomal",
    "liposomal doxorubicin hydrochloride") or inside the product's dose form ("Injectable Liposomal
    Suspension"), never negated, and never one that belongs to another drug in the same text
    ("doxorubicin + liposomal irinotecan")."""
    spec = vocabulary().agents[form]
    word = "(?:" + "|".join(re.escape(w) for w in spec.form_words) + ")"
    names = sorted({agent, *vocabulary().agents[agent].synonyms}, key=len, reverse=True)
    name = "(?:" + "|".join(re.escape(n.casefold()) for n in names) + r")(?:[\s-]+(?:hydrochloride|hcl))?"
    dose = "(?:" + "|".join(_DOSE_FORMS) + ")"
    return re.compile(rf"\b{name}[\s-]+{_NOT}{word}\b|\b{_NOT}{word}[\s-]+{name}\b"
                      rf"|\b{dose}[\s-]+{_NOT}{word}\b|\b{_NOT}{word}[\s-]+{dose}\b")


def _concept(resource: Any, resources: Resources) -> Any:
    """The medicine: its CodeableConcept, or the code of the Medication it references (in the
    record, or contained in the resource as `#id`); a reference to anything but a Medication is
    an error naming the resource and the element."""
    if resource.medicationCodeableConcept is not None:
        return resource.medicationCodeableConcept
    medication = resources.resolve(resource, "medicationReference", resource.medicationReference, "Medication")
    return medication.code if medication is not None else None


def _start(resource: Any) -> str:
    kind = resource.get_resource_type()
    if kind == "MedicationRequest":
        return day(resource.authoredOn)
    period = resource.effectivePeriod
    return day(resource.effectiveDateTime) or (day(period.start) if period else "")


def _intent(resource: Any) -> str:
    """The treatment intent, read from every intent extension and coding; "" for none, or for a
    record that says both (a guess either way would set the setting)."""
    found = procedure_intents(resource)
    return found.pop() if len(found) == 1 else ""


def _cancer_related(resource: Any, intent: str, cancer_labels: set[str], resources: Resources) -> bool:
    profiles = (resource.meta.profile or []) if resource.meta else []
    if intent or any(str(p).startswith(MCODE) for p in profiles):
        return True
    for reason in getattr(resource, "reasonReference", None) or []:
        found = resources.by_reference(reason.reference, within=resource)
        if found is not None and resources.labels.get(id(found)) in cancer_labels:
            return True
    return False


def _metastatic_since(resources: Resources) -> str:
    """The earliest date the record shows distant disease: a secondary-cancer Condition, stage IV or M1."""
    # Lymph nodes alone are not distant disease here: node-positive early cancer is often coded as
    # a secondary neoplasm of axillary nodes (ICD-10-CM C77.3). Nor is a site not recorded, nor a
    # metastasis not confirmed (provisional, differential): neither is distant disease recorded.
    dates = [day(c.onsetDateTime) or day(c.recordedDate) for c in resources.of("Condition")
             if not refuted(c) and not unconfirmed(c) and set(secondary_sites(c) or ()) & DISTANT_SITES]
    dates += [observation_day(o) for o in resources.of("Observation")
              if usable(o) and o.dataAbsentReason is None
              and ((stage_group_kind(o) and stage_of(o.valueCodeableConcept) == "IV")
                   or (m_category_kind(o) and m_value(o.valueCodeableConcept) == "M1"))]
    dates = [d for d in dates if d]
    return min(dates) if dates else ""


def _surgery(resources: Resources) -> str:
    dates = []
    for procedure in resources.of("Procedure"):
        if procedure.status != "completed":
            continue
        surgical = code_in(procedure.category, SNOMED, [SURGICAL_PROCEDURE]) is not None
        if surgical or any(w in words(procedure.code) for w in BREAST_SURGERY_WORDS):
            period = procedure.performedPeriod
            dates.append(day(procedure.performedDateTime) or (day(period.start) if period else ""))
    dates = [d for d in dates if d]
    return min(dates) if dates else ""


def _setting(given: _Given, metastatic_since: str, surgery: str) -> tuple[str, str]:
    if given.intent == "palliative":
        return "metastatic", "palliative intent"
    if given.start and metastatic_since and given.start >= metastatic_since:
        return "metastatic", f"began {given.start}, on or after distant disease was recorded ({metastatic_since})"
    if given.intent == "curative" and given.start and surgery:
        return ("neoadjuvant", "curative, before surgery") if given.start < surgery else \
            ("adjuvant", "curative, after surgery")
    return UNKNOWN, ""


def _statuses(resources: Resources) -> list[tuple[str, bool, str]]:
    """(day, worsened?, label) of every readable cancer-disease-status Observation."""
    out = []
    for obs in resources.of("Observation"):
        if code_in(obs.code, LOINC, DISEASE_STATUS_CODES) is None or not usable(obs) or obs.dataAbsentReason:
            continue
        when = observation_day(obs)
        worse = code_in(obs.valueCodeableConcept, SNOMED, [STATUS_WORSENED]) is not None
        better = code_in(obs.valueCodeableConcept, SNOMED, STATUS_NOT_WORSENED) is not None
        if worse != better:  # codings that say both say nothing
            out.append((when, worse, resources.label(obs)))
    return out


def prior_therapies(resources: Resources, cancer_labels: set[str]) -> tuple[FieldSource, list[UnrecognisedMedicine]]:
    given: dict[tuple[str, str, str], _Given] = {}
    unrecognised: list[UnrecognisedMedicine] = []
    notes: list[str] = []
    other = 0
    for kind in ("MedicationRequest", "MedicationAdministration", "MedicationStatement"):
        for resource in resources.of(kind):
            if not _given(resource):
                continue
            concept, intent = _concept(resource, resources), _intent(resource)
            agents, how = match_medicine(concept)
            label = resources.label(resource)
            if not agents:
                if _cancer_related(resource, intent, cancer_labels, resources):
                    coded = ", ".join(f"{system} {code}" for system, code, _ in codings(concept) if code)
                    text = display_text(concept) or coded or "(no code or text)"
                    unrecognised.append(UnrecognisedMedicine(resource=label, text=text))
                else:
                    other += 1
                continue
            for agent in agents:
                start = _start(resource)
                item = given.setdefault((agent, intent, start), _Given(agent, start, intent))
                item.labels.append(label)
                notes.append(f"{agent}: {label} ({how})")
    if not given:
        why = "no medication resource names an agent igfrules knows"
        if unrecognised:
            why += f"; {len(unrecognised)} cancer-related medicine(s) not recognised"
        return FieldSource(field="prior_therapies", value=UNKNOWN, note=why), unrecognised
    metastatic_since, surgery = _metastatic_since(resources), _surgery(resources)
    statuses = _statuses(resources)
    # One therapy per agent and setting, however many resources (cycles, orders, statements) name it;
    # it began at its earliest start. A new agent or a new setting is what starts a new line.
    groups: dict[tuple[str, str], dict[str, Any]] = {}
    for item in sorted(given.values(), key=lambda g: (g.agent, g.start)):
        setting, why = _setting(item, metastatic_since, surgery)
        group = groups.setdefault((item.agent, setting), {"start": "", "labels": []})
        if item.start and (not group["start"] or item.start < group["start"]):
            group["start"] = item.start
        group["labels"].extend(item.labels)
        if why:
            notes.append(f"{item.agent} setting {setting}: {why}")
    starts = sorted({g["start"] for g in groups.values() if g["start"]})
    therapies: dict[tuple[str, str], dict[str, Any]] = {}
    labels: list[str] = []
    for (agent, setting), group in groups.items():
        progressed, status_labels = _progressed(group["start"], starts, statuses)
        therapies[agent, setting] = {"agent": agent, "setting": setting, "progressed": progressed}
        labels.extend(group["labels"] + status_labels)
    value = [{k: v for k, v in t.items() if v != UNKNOWN} for t in therapies.values()]
    if other:
        notes.append(f"{other} other medicine(s) not marked cancer-related and not in the vocabulary: ignored")
    return (FieldSource(field="prior_therapies", value=value, resources=tuple(dict.fromkeys(labels)),
                        note="; ".join(notes)), unrecognised)


def _progressed(start: str, starts: list[str], statuses: list[tuple[str, bool, str]]) -> tuple[Any, list[str]]:
    """A therapy's window runs from the day after it began to the day the next therapy (another
    agent, or the same in another setting) began; a status dated the day a new line starts is the
    one that ended the line before. A "worsened" status in it means progressed; only "improved" or
    "stable" means not progressed."""
    if not start:
        return UNKNOWN, []
    end = next((s for s in starts if s > start), "")
    inside = [s for s in statuses if s[0] and s[0] > start and (not end or s[0] <= end)]
    if any(worse for _, worse, _ in inside):
        return True, [label for _, worse, label in inside if worse]
    if inside:
        return False, [label for _, _, label in inside]
    return UNKNOWN, []
