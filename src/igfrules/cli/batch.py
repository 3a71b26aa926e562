"""`igfrules batch`: a cohort in, one JSON line per case out, a bad case never stopping the others."""

from __future__ import annotations

import json
import sys
from functools import partial
from pathlib import Path
from typing import Any

import click

from ..errors import InputError, Problem
from .error_output import reports_errors, require_stdout
from .options import LINE_DETAILS, RULES_OPTION, STRICT_OPTION, load_knowledge_base, stdin


def _refuse_overwriting_inputs(out_path: Path, inputs: tuple[str, ...]) -> None:
    """Writing the output over an input (or into an input folder, where it would be read as a
    case) would destroy the cohort: refuse before opening anything."""
    target = out_path.resolve()
    for name in inputs:
        if name == "-":
            continue
        source = Path(name).resolve()
        if target == source or (source.is_dir() and source in target.parents):
            raise InputError(Problem(str(out_path), "", f"the output would overwrite or join the input {name}; "
                                                          "choose another output path"))


@click.command()
@click.argument("inputs", nargs=-1, required=True)
@click.option("--out", "-o", "out_path", type=click.Path(path_type=Path, readable=False), default=None,
              help="Write one JSON line per case here (default: standard output, unless --summary).")
@click.option("--workers", "-w", type=click.IntRange(min=1), default=None,
              help="Worker processes (default: the number of cores).")
@click.option("--summary", is_flag=True, help="Print a cohort table: patients per rationale, per trial, "
              "and per missing field.")
@click.option("--summary-format", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--detail", type=click.Choice(LINE_DETAILS), default="reference", show_default=True,
              help="What each JSON line carries. reference: every fact of the case, with entries, trials "
                   "and cautions by id (about 3 KB a case; resolve with `igfrules rules --format json`); "
                   "full: the complete report, as `evaluate --format json` writes it.")
@click.option("--compact", is_flag=True, hidden=True,
              help="Deprecated: lines by reference are now the default (--detail reference).")
@STRICT_OPTION
@RULES_OPTION
@reports_errors
def batch(inputs: tuple[str, ...], out_path: Path | None, workers: int | None, summary: bool,
          summary_format: str, detail: str, compact: bool, strict: bool, rules_dir: Path | None) -> None:
    """Evaluate a cohort: folders of case files, JSON Lines files, or '-' for standard input.

    One output line per case, in input order: the case by reference (every per-case fact, with
    the knowledge base's entries by id; docs/batch-lines.md, `igfrules schema --line`), or with
    --detail full the whole report; or an error record with the case's position and the same
    message a single evaluation gives. A bad case never stops the others; the exit code is 1 if
    any case failed.

    \b
    Example:
      igfrules batch cohort.jsonl --out results.jsonl --summary
      cat cohort.jsonl | igfrules batch - --workers 2 > results.jsonl
      igfrules batch cases/ --detail full > reports.jsonl
    """
    from ..cohort import worker_server
    from ..cohort.batch import default_workers, read_items, run_batch, summary_json, summary_text
    from ..cohort.output import BatchOutput, BatchStopped, ReplacedFile
    from ..knowledge.loader import packaged_rules

    if compact:
        if detail == "full":
            raise click.UsageError("--compact (deprecated) means --detail reference; it cannot go with --detail full")
        click.echo("igfrules: --compact is deprecated: lines by reference are the default now "
                   "(--detail reference; docs/batch-lines.md)", err=True)
    workers = workers or default_workers()
    if workers > 1:  # the workers' server starts, and loads the same rules, while this process does
        worker_server.start(str(rules_dir if rules_dir is not None else packaged_rules()))
    kb = load_knowledge_base(rules_dir)
    if out_path is not None:
        _refuse_overwriting_inputs(out_path, inputs)
    interactive = sys.stderr is not None and sys.stderr.isatty()

    def progress(tally: Any) -> None:
        click.echo(f"\r{tally.cases:,} cases, {tally.failed:,} failed", err=True, nl=False)

    items = read_items(inputs, stdin=stdin() if "-" in inputs else None)
    run = partial(run_batch, items, workers=workers, kb=kb, detail=detail, use_cache=True, strict=strict,
                  progress=progress if interactive else None)
    if out_path is not None:
        # Written beside the file and renamed over it only when the run completes; chunks spool
        # in the same folder (same filesystem, a place the user chose).
        target = ReplacedFile(out_path)
        out = BatchOutput(target.fd, str(out_path))
        try:
            tally = run(out, spool_dir=target.spool_dir)
        except BatchStopped as err:
            replaced = target.replaces
            target.discard()
            if not replaced:  # a device or FIFO: the lines went straight out
                raise
            kept = "it was left as it was" if out_path.exists() else "it was not written"
            raise BatchStopped(str(out_path), err.lines, err.why, interrupted=err.interrupted,
                               discarded=kept) from None
        except BaseException:
            target.discard()
            raise
        target.commit()
    elif summary:
        tally = run(None)
    else:
        require_stdout()
        out = BatchOutput(sys.stdout.fileno(), "<stdout>")
        sys.stdout.flush()
        try:
            tally = run(out)
        except BatchStopped as err:
            out.write_trailer(err)  # the stream says itself that it is incomplete
            raise
    if interactive:
        click.echo("", err=True)
    if summary:
        if summary_format == "json":
            click.echo(json.dumps(summary_json(tally, kb), indent=2))
        else:
            click.echo(summary_text(tally, kb), nl=False)
    click.echo(f"{tally.cases:,} cases: {tally.cases - tally.failed:,} evaluated, {tally.failed:,} failed",
               err=True)
    if tally.failed:
        sys.exit(1)
