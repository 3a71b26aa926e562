"""evaluate() shares one explanation between cases whose explanation is the same, never between
cases whose missing details differ (the order cases arrive in changes nothing)."""

from __future__ import annotations

import igfrules
from igfrules.model.validation import profile_from_mapping
from tests.conftest import RULES
from tests.oracle.report_oracle import oracle_report

# The phase I trials ask for progression on systemic therapy given for advanced disease: one case
# leaves the setting unknown, the other the setting and the progression. Neither records a therapy
# for advanced disease, so everything else an explanation reads is the same.
SETTING_UNKNOWN = {"er_status": "positive", "stage": "IV", "prior_therapies": [{"agent": "paclitaxel",
                                                                                 "progressed": True}]}
BOTH_UNKNOWN = {"er_status": "positive", "stage": "IV", "prior_therapies": [{"agent": "paclitaxel"}]}


def missing(report: igfrules.Report, rule_id: str) -> tuple[str, ...]:
    return next(n.missing for n in report.needs_information if n.rule_id == rule_id)


def test_two_cases_that_miss_different_details_are_explained_apart_in_either_order() -> None:
    for first, second in ((SETTING_UNKNOWN, BOTH_UNKNOWN), (BOTH_UNKNOWN, SETTING_UNKNOWN)):
        kb = igfrules.load_knowledge_base(RULES)  # a fresh memo
        for case in (first, second):
            report = igfrules.evaluate(case, kb)
            assert report == oracle_report(profile_from_mapping(case), kb)
    kb = igfrules.load_knowledge_base(RULES)
    assert missing(igfrules.evaluate(SETTING_UNKNOWN, kb), "NCT01062620") == ("prior_therapies.setting",)
    assert missing(igfrules.evaluate(BOTH_UNKNOWN, kb), "NCT01062620") == ("prior_therapies.progressed",
                                                                         "prior_therapies.setting")
