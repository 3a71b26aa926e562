"""`igfrules verify REPORT.json`: evaluate a report's stamped profile again and compare."""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
from pathlib import Path

import click

from .error_output import reports_errors, require_stdout


@click.command()
@click.argument("reports", nargs=-1, required=True, type=click.Path(path_type=Path, readable=False))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@reports_errors
def verify(reports: tuple[Path, ...], fmt: str) -> None:
    """Re-evaluate the profile stamped in each JSON report (`evaluate --format json`) with the
    knowledge base and engine it names, and say "identical" or list every difference.

    The knowledge base is found by the sha256 the report stamps among the versions shipped with
    igfrules (1.1.0 on). When it is not shipped (1.0.0 never is), or the engine version differs,
    this says so plainly. Exit 0 when every report is identical, 1 otherwise.

    \b
    Example:
      igfrules evaluate --example minimal-unknowns --format json > report.json
      igfrules verify report.json
    """
    from ..versions.verify import verify_report

    require_stdout()
    results = [verify_report(path) for path in reports]
    if fmt == "json":
        click.echo(json.dumps([{"research_only": True, **asdict(r), "identical": r.identical} for r in results],
                              indent=2, ensure_ascii=False))
    else:
        for result in results:
            click.echo(_text(result), nl=False)
    if not all(r.identical for r in results):
        sys.exit(1)


def _text(result: object) -> str:
    from ..versions.verify import Verification

    assert isinstance(result, Verification)  # noqa: S101 - verify_report's own result
    head = f"{result.report}: knowledge base {result.version} (sha256 {result.sha256[:12]}…)"
    if result.unavailable is not None:
        return f"{head}: cannot be verified: {result.unavailable}\n"
    lines = []
    if result.engine_stamped != result.engine_now:
        lines.append(f"  the report was made by igfrules {result.engine_stamped}; this is igfrules "
                     f"{result.engine_now}: it was evaluated again with {result.engine_now}, and a difference "
                     "below may be the engine's, not the knowledge base's")
    if result.identical:
        return f"{head}: identical\n"
    if not result.applies_differently:
        lines.append("  what applies is the same: the same rationales, context notes, trials and entries that "
                     "missing data would decide; the differences are in what the report says of them")
    for part, only_report, only_now in result.applies_differently:
        lines.append(f"  {part}: only in the report: {', '.join(only_report) or 'none'}; only now: "
                     f"{', '.join(only_now) or 'none'}")
    if not result.differences:
        lines.append("  no difference in content")
    for d in result.differences:
        lines.append(f"  {d.where}: report {d.stamped or '(absent)'}; now {d.now or '(absent)'}")
    return f"{head}: {len(result.differences)} difference(s)\n" + "\n".join(lines) + "\n"
