"""Profile 2.0's derived facts, on every generated profile: (a) curative intent never adds an
advanced-only entry, (b) a man never fits a women-only criterion and is never asked his menopausal
status, (c) each derived fact agrees with its definition, written here again from the issue's
words (not by calling the code it checks)."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

import igfrules
from igfrules.model.patient import PatientProfile
from igfrules.model.validation import profile_from_mapping
from tests.strategies import cases

KB = igfrules.load_knowledge_base()
STAGE_RANK = {"0": (0, 0), "I": (1, 2), "IA": (1, 1), "IB": (2, 2), "II": (3, 4), "IIA": (3, 3), "IIB": (4, 4),
              "III": (5, 7), "IIIA": (5, 5), "IIIB": (6, 6), "IIIC": (7, 7), "IV": (8, 8), "early": (0, 5),
              "locally_advanced": (6, 7), "metastatic": (8, 8)}
# entries and trials that require advanced disease (the prognosis notes require early disease instead)
ADVANCED_ONLY = sorted(name for name, c in KB.conditions.items()
                       if "'advanced_disease', op='equals', value=True" in repr(c))
EARLY_ONLY = sorted(name for name, c in KB.conditions.items()
                    if "'advanced_disease', op='equals', value=False" in repr(c))
WOMEN_ONLY = sorted(name for name, c in KB.conditions.items()
                    if "'sex', op='equals', value='female'" in repr(c) or "'postmenopausal'" in repr(c))
assert ADVANCED_ONLY and EARLY_ONLY and WOMEN_ONLY  # the properties below would hold vacuously otherwise


def definition_of_advanced(p: PatientProfile) -> Any:
    metastatic_line = p.prior_therapies != "unknown" and any(t.setting == "metastatic" for t in p.prior_therapies)
    if p.stage == "unknown":
        return "unknown"
    low, high = STAGE_RANK[p.stage]
    if low == 8:
        return True
    if high <= 5:
        return "unknown" if metastatic_line else False
    if p.treatment_intent == "curative":
        return False
    return True if p.treatment_intent == "palliative" and low >= 6 else "unknown"


@settings(max_examples=300, deadline=None)
@given(cases())
def test_derived_facts_agree_with_their_definitions(case: dict[str, Any]) -> None:
    p = profile_from_mapping(case)
    sites = p.metastatic_sites
    assert p.value("advanced_disease") == definition_of_advanced(p)
    cns = "unknown" if sites == "unknown" else bool({"brain", "leptomeninges"} & set(sites))
    assert p.value("cns_metastases") == cns
    visceral = {"liver", "lung", "pleura", "peritoneum", "other_visceral"}
    expected_visceral = p.visceral_disease if p.visceral_disease != "unknown" or sites == "unknown" \
        else bool(visceral & set(sites))
    assert p.value("visceral_disease") == expected_visceral
    expected_sex = p.sex if p.sex != "unknown" else ("female" if p.menopausal_status != "unknown" else "unknown")
    assert p.value("sex") == expected_sex
    if expected_sex == "male":
        assert p.value("menopausal_status") == "not_applicable"


@settings(max_examples=200, deadline=None)
@given(cases())
def test_curative_intent_never_adds_an_advanced_only_entry(case: dict[str, Any]) -> None:
    case = {**case, "stage": "IIIB"}
    before = KB.engine.evaluate(profile_from_mapping(case))
    after = KB.engine.evaluate(profile_from_mapping({**case, "treatment_intent": "curative"}))
    for name in ADVANCED_ONLY:
        assert not (after[name] is True and before[name] is not True), name
    palliative = KB.engine.evaluate(profile_from_mapping({**case, "treatment_intent": "palliative"}))
    for name in EARLY_ONLY:  # an early-disease note never fires for stage IIIB under palliative intent
        assert palliative[name] is not True, name


@settings(max_examples=200, deadline=None)
@given(cases(), st.booleans())
def test_a_man_never_fits_a_women_only_criterion_nor_is_asked_his_menopausal_status(
        case: dict[str, Any], record_status: bool) -> None:
    case = {**case, "sex": "male"}
    if not record_status:
        case.pop("menopausal_status", None)
    report = igfrules.evaluate(case, KB)
    fitting = {t.nct_id for t in report.trials} | {r.id for r in report.rationales}
    assert not {name.split(":", 1)[1] for name in WOMEN_ONLY} & fitting
    assert all("menopausal_status" not in n.missing for n in report.needs_information)
