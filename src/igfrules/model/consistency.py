"""Inconsistencies within one profile, reported as warnings (they never change which rules fire)."""

from __future__ import annotations

from collections import defaultdict

from .fields import STAGE_RANGES, UNKNOWN, VISCERAL_SITES
from .patient import PatientProfile, PriorTherapy
from .vocabulary import vocabulary

_METASTATIC_RANK = STAGE_RANGES["IV"][0]
_EARLY_RANK = STAGE_RANGES["IIIA"][1]  # stage 0-IIIA: no therapy for advanced disease is expected
HER2_LOW_ACTIVE = frozenset({"trastuzumab deruxtecan"})  # HER2-directed agents given for HER2-low disease


def profile_warnings(profile: PatientProfile) -> tuple[str, ...]:
    therapies = profile.prior_therapies if profile.prior_therapies != UNKNOWN else ()
    warnings: list[str] = [*_person_warnings(profile), *_extent_warnings(profile, therapies)]
    if not therapies:
        return tuple(warnings)  # every check below needs a therapy
    ancestors = _ancestors()

    def received(class_id: str) -> list[str]:
        return sorted({t.agent for t in therapies if class_id in ancestors[t.agent]})

    # Each therapy scan runs only when the status it is checked against could contradict it.
    if profile.value("her2_status") == "negative":
        warnings.extend(_her2_directed_warnings(profile, received("anti_her2_therapy")))
    endocrine = received("endocrine_therapy") if profile.hormone_receptor_status == "negative" else []
    if endocrine:
        warnings.append(
            f"prior_therapies include endocrine therapy ({', '.join(endocrine)}) but ER and PR "
            "are both negative: check the receptor status or the therapy list"
        )
    warnings.extend(_repeated_therapies(therapies))
    if profile.menopausal_status == "premenopausal" and profile.effective_sex != "male":
        ai_only = received("aromatase_inhibitor")
        if ai_only and not received("ovarian_suppression"):
            warnings.append(
                f"premenopausal with an aromatase inhibitor ({', '.join(ai_only)}) and no ovarian "
                "suppression listed: check menopausal status or the therapy list"
            )
    return tuple(warnings)


def _person_warnings(profile: PatientProfile) -> list[str]:
    if profile.sex == "male" and profile.menopausal_status != UNKNOWN:
        return [f"sex is male and menopausal_status is {profile.menopausal_status}: menopausal status does not "
                "apply to a man and is ignored; check the record"]
    return []


def _her2_directed_warnings(profile: PatientProfile, agents: list[str]) -> list[str]:
    """HER2-directed therapy with HER2-negative disease. An agent active in HER2-low disease
    (trastuzumab deruxtecan, DESTINY-Breast04) contradicts only disease known not to be HER2-low;
    the others (trastuzumab, pertuzumab, T-DM1, the TKIs) are not given for HER2-low disease."""
    low_active = [a for a in agents if a in HER2_LOW_ACTIVE]
    others = [a for a in agents if a not in HER2_LOW_ACTIVE]
    if profile.value("her2_low") is False:
        others = agents
    elif profile.value("her2_low") is True and low_active and not others:
        return []
    if not others:
        return []
    return [f"prior_therapies include HER2-directed therapy ({', '.join(others)}) but her2_status is negative"
            f"{' and not HER2-low' if profile.value('her2_low') is False else ''}: check the HER2 status (a "
            "later biopsy may differ) or the therapy list"]


def _extent_warnings(profile: PatientProfile, therapies: tuple[PriorTherapy, ...]) -> list[str]:
    """The stage is the current extent of disease: what contradicts it, said plainly."""
    warnings = []
    sites = profile.metastatic_sites
    visceral = profile.visceral_disease
    if visceral != UNKNOWN and sites != UNKNOWN and visceral != any(s in VISCERAL_SITES for s in sites):
        listed = ", ".join(sites) or "none"
        warnings.append(f"visceral_disease is {str(visceral).lower()} but metastatic_sites are {listed}: "
                        "visceral_disease stands; check which holds")
    if profile.stage == UNKNOWN:
        return warnings
    high = STAGE_RANGES[profile.stage][1]
    if profile.value("visceral_disease") is True and high < _METASTATIC_RANK:
        warnings.append(
            f"visceral_disease is true but stage is {profile.stage}: visceral metastases mean stage IV"
        )
    if sites != UNKNOWN and sites and high < _METASTATIC_RANK:
        warnings.append(f"metastatic_sites ({', '.join(sites)}) are recorded but stage is {profile.stage}: "
                        "which holds? stage is the current extent of disease (IV for distant metastases)")
    if sites == () and STAGE_RANGES[profile.stage][0] >= _METASTATIC_RANK:
        warnings.append("stage is IV but metastatic_sites is empty (no site): which holds? record the sites, "
                        "or leave them unknown")
    if high > _EARLY_RANK:
        return warnings
    metastatic_lines = sorted({t.agent for t in therapies if t.setting == "metastatic"})
    if metastatic_lines:
        warnings.append(
            f"therapy in the metastatic setting ({', '.join(metastatic_lines)}) but stage is "
            f"{profile.stage}: stage is the current extent of disease; record the current stage"
        )
    relapsed = sorted({t.agent for t in therapies if t.setting in ("adjuvant", "neoadjuvant") and t.progressed is True})
    if relapsed:
        warnings.append(
            f"progression on adjuvant or neoadjuvant therapy ({', '.join(relapsed)}) with stage "
            f"{profile.stage}: progression on adjuvant therapy means recurrence: record the current stage "
            "(IV for a distant relapse)"
        )
    return warnings


def _repeated_therapies(therapies: tuple[PriorTherapy, ...]) -> list[str]:
    """The same agent in the same setting listed twice: a copy, or (progressed once and not once)
    a contradiction. With the setting unknown, two entries may be two lines of therapy: only exact
    copies are reported."""
    by_line: dict[tuple[str, str], list[PriorTherapy]] = defaultdict(list)
    for therapy in therapies:
        by_line[(therapy.agent, therapy.setting)].append(therapy)
    found = []
    for (agent, setting), listed in sorted(by_line.items()):
        items = [t for t in listed if listed.count(t) > 1] if setting == UNKNOWN else listed
        if len(items) < 2:
            continue
        outcomes = {t.progressed for t in items} - {UNKNOWN}
        if len(outcomes) > 1:
            found.append(f"prior_therapies list {agent} ({setting} setting) as progressed and as not progressed: "
                         "check the therapy list")
        else:
            found.append(f"prior_therapies list {agent} ({setting} setting) {len(items)} times: check the therapy list")
    return found


_agent_ancestors: dict[str, frozenset[str]] = {}


def _ancestors() -> dict[str, frozenset[str]]:
    """Every class each agent belongs to (its own and those above it), built once."""
    if not _agent_ancestors:
        vocab = vocabulary()
        _agent_ancestors.update({name: frozenset(vocab.classes[a.drug_class].ancestors)
                                 for name, a in vocab.agents.items()})
    return _agent_ancestors
