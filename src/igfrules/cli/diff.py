"""`igfrules diff OLD NEW [CASE...]`: what changed between two knowledge-base versions, and for whom."""

from __future__ import annotations

import json
import sys

import click

from .error_output import reports_errors, require_stdout
from .options import load_knowledge_base, rules_folder, stdin

DIFF_FORMATS = ("json", "markdown", "text")


@click.command()
@click.argument("old")
@click.argument("new")
@click.argument("cases", nargs=-1)
@click.option("--format", "fmt", type=click.Choice(DIFF_FORMATS), default="text", show_default=True,
              help="text and Markdown for people; json: one document without cases, JSON Lines with them "
                   "(the record changes, one line per case in input order, the cohort summary last).")
@click.option("--workers", "-w", type=click.IntRange(min=1), default=1, show_default=True,
              help="Worker processes for the cases, as `igfrules batch --workers`.")
@reports_errors
def diff(old: str, new: str, cases: tuple[str, ...], fmt: str, workers: int) -> None:
    """Compare knowledge base OLD with NEW: each version shipped ("1.1.0"), a sha256 a report
    stamps, or a folder.

    Without cases: every record that changed (rationale, context note, trial, caution, reference),
    aspect by aspect, before and after in words: the population, grade, direction, trials and
    their criteria, citations, cautions, status.

    With cases (case files, FHIR Bundles, JSON Lines files, folders or '-', as `igfrules batch`
    reads them): for each patient, what changed in her report (rationales, context notes, trials
    gained or lost, what missing data would decide, cautions, the verdict) and the record change
    that caused each; then how many patients each record change affected. A bad case is the same
    error record batch writes, and never stops the others; the exit code is 1 if any case failed.

    \b
    Example:
      igfrules diff 1.1.0 1.2.0
      igfrules diff 1.1.0 1.2.0 cases/
      igfrules diff 1.1.0 1.2.0 cases/ --format json --workers 2 > changes.jsonl
    """
    from ..cohort import worker_server
    from ..cohort.batch import read_items, run_job
    from ..cohort.output import BatchOutput, BatchStopped
    from ..versions.cohort import DiffTally, Pair, diff_job
    from ..versions.words import changes_json, changes_text, dumps, summary_json, summary_text

    require_stdout()
    old_path, new_path = rules_folder(old), rules_folder(new)
    if cases and workers > 1:  # the workers' server loads the new rules while this process loads both
        worker_server.start(str(new_path))
    pair = Pair.of(load_knowledge_base(old_path), load_knowledge_base(new_path))
    markdown = fmt == "markdown"
    if fmt == "json":
        head = dumps(changes_json(pair.diff)) + "\n" if cases else json.dumps(changes_json(pair.diff), indent=2) + "\n"
    else:
        head = changes_text(pair.diff, markdown=markdown)
    click.echo(head, nl=False)
    if not cases:
        return
    if fmt != "json":
        click.echo("## Patients\n" if markdown else "Patients\n")
    sys.stdout.flush()
    out = BatchOutput(sys.stdout.fileno(), "<stdout>")
    items = read_items(cases, stdin=stdin() if "-" in cases else None)
    try:
        tally = run_job(items, out, DiffTally(), diff_job(pair, fmt), workers=workers)
    except BatchStopped as err:
        out.write_trailer(err)
        raise
    summary = summary_json(tally.by_change, tally.cases, tally.changed, tally.failed, pair.diff)
    click.echo(dumps(summary) if fmt == "json" else summary_text(summary, markdown=markdown), nl=fmt == "json")
    click.echo(f"{tally.cases:,} cases: {tally.changed:,} changed, {tally.failed:,} failed", err=True)
    if tally.failed:
        sys.exit(1)
