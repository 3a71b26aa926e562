"""A report igfrules 0.1.0 made with knowledge base 1.1.0 is verified against the shipped 1.1.0."""

from __future__ import annotations

from pathlib import Path

from tests.knowledge.test_shipped_versions_match_old_reports import STAMP_1_1_0


def test_a_report_made_with_1_1_0_by_igfrules_0_1_0_is_verified_against_the_shipped_1_1_0() -> None:
    """The report is `git show d96f423:cases/expected/hr-positive-her2-negative-nonvisceral.json`,
    as igfrules 0.1.0 wrote it: its stamp finds the shipped 1.1.0, the engine difference is said,
    and today's engine reading 1.1.0 finds the same rationales, notes, trials and questions."""
    from igfrules.versions.verify import verify_report

    result = verify_report(Path(__file__).parent / "reports" / "made-with-1.1.0-and-engine-0.1.0.json")
    assert result.unavailable is None and result.sha256 == STAMP_1_1_0
    assert (result.engine_stamped, result.identical) == ("0.1.0", False)
    assert result.applies_differently == ()
    assert any(d.where == "engine_version" for d in result.differences)
