"""Inconsistencies within one profile, reported as warnings (they never change which rules fire)."""

from __future__ import annotations

from collections import defaultdict

from .fields import STAGE_RANGES, UNKNOWN
from .patient import PatientProfile, PriorTherapy
from .vocabulary import vocabulary

_METASTATIC_RANK = STAGE_RANGES["IV"][0]


def profile_warnings(profile: PatientProfile) -> tuple[str, ...]:
    therapies = profile.prior_therapies if profile.prior_therapies != UNKNOWN else ()
    if not therapies and profile.visceral_disease is not True:
        return ()  # every check below needs a therapy, except visceral disease against the stage
    warnings: list[str] = []
    ancestors = _ancestors()

    def received(class_id: str) -> list[str]:
        return sorted({t.agent for t in therapies if class_id in ancestors[t.agent]})

    # Each therapy scan runs only when the status it is checked against could contradict it.
    her2_directed = received("anti_her2_therapy") if profile.her2_status == "negative" else []
    if her2_directed:
        warnings.append(
            f"prior_therapies include HER2-directed therapy ({', '.join(her2_directed)}) "
            "but her2_status is negative: check the HER2 status or the therapy list"
        )
    endocrine = received("endocrine_therapy") if profile.hormone_receptor_status == "negative" else []
    if endocrine:
        warnings.append(
            f"prior_therapies include endocrine therapy ({', '.join(endocrine)}) but ER and PR "
            "are both negative: check the receptor status or the therapy list"
        )
    if profile.stage != UNKNOWN:
        high = STAGE_RANGES[profile.stage][1]
        if profile.visceral_disease is True and high < _METASTATIC_RANK:
            warnings.append(
                f"visceral_disease is true but stage is {profile.stage}: visceral metastases mean stage IV"
            )
        metastatic_lines = (sorted({t.agent for t in therapies if t.setting == "metastatic"})
                            if high < _METASTATIC_RANK else [])
        if metastatic_lines:
            warnings.append(
                f"therapy in the metastatic setting ({', '.join(metastatic_lines)}) but stage is "
                f"{profile.stage}: check the stage"
            )
    warnings.extend(_repeated_therapies(therapies))
    if profile.menopausal_status == "premenopausal":
        ai_only = received("aromatase_inhibitor")
        if ai_only and not received("ovarian_suppression"):
            warnings.append(
                f"premenopausal with an aromatase inhibitor ({', '.join(ai_only)}) and no ovarian "
                "suppression listed: check menopausal status or the therapy list"
            )
    return tuple(warnings)


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
