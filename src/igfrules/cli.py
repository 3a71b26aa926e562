"""The command line: parse, call the library once, render, set the exit code.

Exit codes: 0 evaluated (a case with no rationale is still a success); 1 a case or knowledge-base
error, printed to stderr as `Error: <file>: <field>: <message>`; 2 usage (click's own).

Each command imports what it needs when it runs, and loads the knowledge base through the
per-user cache (knowledge/cache.py), so that `igfrules evaluate` starts at once.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from functools import partial, wraps
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from ._version import __version__
from .errors import IgfrulesError, InputError, Problem, printable

if TYPE_CHECKING:
    from .knowledge.loader import KnowledgeBase
    from .rendering.text import Detail

F = TypeVar("F", bound=Callable[..., Any])
FORMATS = ("html", "json", "markdown", "text")  # rendering.registry.RENDERERS, named without importing them
# How much of a report is shown: to a person (`evaluate --detail`, rendering.text.DETAILS, named
# here without importing the renderers) and in a batch line (`batch --detail`).
REPORT_DETAILS = ("brief", "full")
LINE_DETAILS = ("reference", "full")

# Paths are checked by igfrules, not click: a folder given as a file (or the reverse) is an input
# error with exit 1 and `Error: <file>: ...`, like every other bad input, not a usage error.
RULES_OPTION = click.option(
    "--rules", "rules_dir", type=click.Path(path_type=Path, readable=False), default=None,
    help="A knowledge-base folder (default: the one shipped with igfrules).",
)


def reports_errors(command: F) -> F:
    """Turn an IgfrulesError into `Error: ...` lines on stderr and its exit code; no traceback.

    Every message is escaped (errors.printable): a key or file name holding a newline, ESC or a
    bidirectional override cannot forge a line or drive the terminal.
    """

    @wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except BrokenPipeError:
            raise  # the reader left (`igfrules rules | head`): the group ends quietly
        except IgfrulesError as err:
            for problem in err.problems:
                _error(str(problem))
            sys.exit(err.exit_code)
        except (OSError, UnicodeError) as err:  # a file we were asked to read or write
            where = getattr(err, "filename", None)
            what = getattr(err, "strerror", None) or str(err)
            _error(f"{where}: {what}" if where else what)
            sys.exit(1)

    return wrapper  # type: ignore[return-value]


def _error(text: str) -> None:
    if sys.stderr is not None:  # closed: the exit code is all that can be said
        click.echo(f"Error: {printable(text)}", err=True)


def _require_stdout() -> None:
    """An error, not silence, when standard output was closed (`>&-`): click would print nothing."""
    if sys.stdout is None:
        raise InputError(Problem("<stdout>", "", "standard output is closed; redirect it or use --out"))


def _stdin() -> Any:
    return sys.stdin.buffer if sys.stdin is not None else None


def load_knowledge_base(rules_dir: Path | None) -> KnowledgeBase:
    """The knowledge base, through the per-user cache of parsed knowledge bases."""
    from .knowledge.loader import load_knowledge_base as load

    return load(rules_dir, use_cache=True)


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


class _QuietPipeGroup(click.Group):
    """A reader that closes the pipe early (`igfrules rules | head`) is not an error: exit 0 quietly."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except BrokenPipeError:
            # Point stdout at /dev/null so the interpreter's final flush cannot fail again.
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            ctx.exit(0)


@click.group(cls=_QuietPipeGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="igfrules")
def main() -> None:
    """igfrules: IGF-axis therapy rationales in breast cancer, from Ianza et al. 2021.

    RESEARCH USE ONLY. igfrules explains research rationales; it never recommends treatment.

    \b
    Example (the example cases ship with igfrules; `igfrules examples` lists them):
      igfrules evaluate --example hr-positive-her2-negative-nonvisceral
      igfrules evaluate my-case.yaml --format html > brief.html
    """


@main.command()
@click.argument("case", required=False, type=click.Path(allow_dash=True, path_type=Path, readable=False))
@click.option("--example", "example", metavar="NAME", default=None,
              help="Evaluate a shipped example case by name instead of CASE (see `igfrules examples`).")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True,
              help="Output format.")
@click.option("--detail", type=click.Choice(REPORT_DETAILS), default="brief", show_default=True,
              help="What a person reads. brief: the answer on one page; full: the brief, then every "
              "evidence card (findings, citations, cautions) and the trials in full. JSON is always "
              "the complete report (batch --detail chooses what a JSON line carries).")
@click.option("--show-mapping", is_flag=True,
              help="For a FHIR Bundle, text and Markdown output say where each field came from (JSON always does).")
@RULES_OPTION
@reports_errors
def evaluate(case: Path | None, example: str | None, fmt: str, detail: Detail, show_mapping: bool,
             rules_dir: Path | None) -> None:
    """Evaluate one case file (YAML or JSON; '-' reads standard input) and print the brief.

    A FHIR R4 Bundle in JSON ("resourceType": "Bundle", US Core + mCODE) is read as a case too
    (needs the fhir extra); its JSON report carries `mapping`, the resources each field came from.

    The brief (the default) is the answer on one page: verdict, warnings, each rationale's level
    and direction in words, the trials, what would change the answer. --detail full appends every
    evidence card. --format html prints one self-contained page for a tumour-board meeting (one A4
    page; its links open DOIs and ClinicalTrials.gov). JSON is always the complete report.

    \b
    Example:
      igfrules evaluate --example her2-trastuzumab-pretreated --format html > tb-002.html
      igfrules evaluate --example her2-trastuzumab-pretreated --detail full
      igfrules evaluate my-case.yaml --format json
      igfrules evaluate cases/fhir/metastatic-hr-positive-pik3ca.json --show-mapping
    """
    from .evaluate import evaluate as evaluate_case

    if (case is None) == (example is None):
        raise click.UsageError("give a CASE file or --example NAME (one of them)")
    if example is not None:
        from .examples import find_example

        case = find_example(example).path
    assert case is not None  # noqa: S101 - checked above
    _require_stdout()
    kb = load_knowledge_base(rules_dir)
    if str(case) == "-":  # a case on standard input, YAML or JSON, or a FHIR Bundle
        from .inputs.caseio import case_from_stream

        report = evaluate_case(case_from_stream(_stdin(), source="<stdin>"), kb)
    else:
        report = evaluate_case(case, kb)
    rendered = _renderer(fmt)(report, detail)
    if show_mapping and fmt in ("text", "markdown"):
        from .rendering.mapping import with_mapping

        rendered = with_mapping(rendered, report, markdown=fmt == "markdown")
    click.echo(rendered, nl=False)


def _renderer(fmt: str) -> Callable[[Any, Detail], str]:
    if fmt == "text":  # the default: skip importing the HTML renderer
        from .rendering.text import render_text

        return render_text
    from .rendering.registry import RENDERERS

    return RENDERERS[fmt]


@main.command()
@click.option("--report", "of_report", is_flag=True,
              help="The JSON Schema of the report (the JSON output), with every field described.")
@click.option("--line", is_flag=True, help="The JSON Schema of a batch line by reference (the batch default).")
def schema(of_report: bool, line: bool) -> None:
    """Print the JSON Schema of the case file (or, with --report, of the report; with --line, of a
    batch line by reference).

    \b
    Example:
      igfrules schema > case.schema.json
      igfrules schema --report > report.schema.json
      igfrules schema --line > batch-line.schema.json
    """
    if of_report and line:
        raise click.UsageError("--report and --line print different schemas: give one of them")
    if of_report:
        from .report import Report

        click.echo(json.dumps(Report.model_json_schema(mode="serialization"), indent=2))
        return
    from .schema import case_schema, line_schema

    click.echo(json.dumps(line_schema() if line else case_schema(), indent=2))


@main.command()
def examples() -> None:
    """List the example cases that ship with igfrules: name and what each shows.

    \b
    Example:
      igfrules examples
      igfrules evaluate --example minimal-unknowns
    """
    from .examples import list_examples

    found = list_examples()
    width = max(len(e.name) for e in found)
    for e in found:
        click.echo(f"{e.name:<{width}}  {e.description}")


@main.command()
@RULES_OPTION
@reports_errors
def check(rules_dir: Path | None) -> None:
    """Validate a knowledge base: schema, references, agents, conditions and every example.

    Prints every problem as `file:line: field: message` and exits 1 if there is any.

    \b
    Example:
      igfrules check --rules rules/
    """
    from .knowledge.check import check_knowledge_base, coverage

    kb, problems = check_knowledge_base(rules_dir)
    for problem in problems:
        click.echo(f"Error: {problem}", err=True)
    if kb is not None:
        cov = coverage(kb)
        click.echo(f"coverage: {len(cov.fired_on_examples)}/{cov.entries} entries fire on their examples, "
                   f"{len(cov.fired_on_generated)}/{cov.entries} on {cov.generated:,} generated profiles")
        for entry_id in sorted(cov.never_fired):
            problems.append(Problem(kb.files[entry_id], entry_id, "never fires on any example or generated profile"))
            click.echo(f"Error: {problems[-1]}", err=True)
    if problems:
        click.echo(f"{len(problems)} problem(s) found.", err=True)
        sys.exit(1)
    assert kb is not None  # noqa: S101 - no problems means it loaded
    click.echo(f"{kb.meta.name} {kb.meta.version}: {len(kb.active_entries)} entries, "
               f"{len(kb.trials)} trials, {len(kb.cautions)} cautions; no problems.")


@main.command(name="rules")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="json: every entry, trial and caution by id with the records a full report carries; "
                   "batch lines by reference resolve against it.")
@RULES_OPTION
@reports_errors
def list_rules(fmt: str, rules_dir: Path | None) -> None:
    """List the knowledge base's entries: id, kind, evidence level, direction, title.

    A level marked * rests on a result the review does not report (post-review).
    --format json prints the catalog that batch lines by reference resolve against
    (docs/batch-lines.md).

    \b
    Example:
      igfrules rules
      igfrules rules --format json > catalog.json
    """
    kb = load_knowledge_base(rules_dir)
    if fmt == "json":
        from .catalog import catalog

        click.echo(json.dumps(catalog(kb).to_json(), indent=2, ensure_ascii=False))
        return
    from .rendering.labels import BANNER, entry_direction_words

    click.echo(BANNER)
    for e in kb.entries.values():
        status = "" if e.status == "active" else " (retired)"
        post = "*" if e.evidence.post_review else " "
        # The brief's words: a preclinical "supports" is a hypothesis, never a bare "supports".
        direction = entry_direction_words(e.evidence)
        click.echo(f"{e.id:<34} {e.kind:<9} {e.evidence.level}{post} {direction:<30} {e.title}{status}")


@main.command()
@RULES_OPTION
@reports_errors
def trials(rules_dir: Path | None) -> None:
    """List the trial registry: NCT id, phase, regimen, the status the review reported (and when) and since.

    \b
    Example:
      igfrules trials
    """
    from .rendering.labels import BANNER
    from .trialstatus import status_words

    kb = load_knowledge_base(rules_dir)
    click.echo(BANNER)
    review = kb.references[kb.meta.review]
    for t in kb.trials.values():
        acronym = f" ({t.acronym})" if t.acronym else ""
        click.echo(f"{t.nct_id}{acronym}  phase {t.phase}  {t.regimen}")
        click.echo(f"    status: {status_words(t, kb.references, review)}")
        for result in t.results:
            mark = "post-review " if result.post_review else ""
            click.echo(f"    {mark}{result.direction}: {result.statement.strip()}")


@main.command()
@click.argument("rule_id")
@click.argument("case", required=False, type=click.Path(path_type=Path, readable=False))
@RULES_OPTION
@reports_errors
def explain(rule_id: str, case: Path | None, rules_dir: Path | None) -> None:
    """Print one entry (or trial) in prose; given a CASE, the value of each of its conditions.

    \b
    Example:
      igfrules explain RAT-XEN-EVE-EXE cases/hr-positive-her2-negative-nonvisceral.yaml
    """
    from .explain import explain_text

    kb = load_knowledge_base(rules_dir)
    click.echo(explain_text(kb, rule_id, case), nl=False)


@main.command()
@click.option("--output", "-o", default="-", show_default=True,
              help="The file to write the Markdown to; '-' (the default) prints it.")
@click.option("--check", "check_only", is_flag=True,
              help="Exit 1 if the --output file is not up to date; write nothing.")
@RULES_OPTION
@reports_errors
def docs(output: str, check_only: bool, rules_dir: Path | None) -> None:
    """Render the knowledge base as Markdown prose for reviewers; writes only to --output.

    \b
    Example:
      igfrules docs | less
      igfrules docs -o docs/knowledge-base.md && git diff docs/knowledge-base.md
    """
    from .rendering.kbdocs import render_knowledge_base

    if check_only and output == "-":
        raise click.UsageError("--check compares a file: give it with --output FILE")
    text = render_knowledge_base(load_knowledge_base(rules_dir))
    if output == "-":
        click.echo(text, nl=False)
        return
    path = Path(output)
    if check_only:
        current = path.read_text(encoding="utf-8") if path.exists() else ""
        if current != text:
            click.echo(f"Error: {path}: out of date; run `igfrules docs`", err=True)
            sys.exit(1)
        click.echo(f"{path} is up to date.")
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    click.echo(f"wrote {path}")


@main.command()
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
@RULES_OPTION
@reports_errors
def batch(inputs: tuple[str, ...], out_path: Path | None, workers: int | None, summary: bool,
          summary_format: str, detail: str, compact: bool, rules_dir: Path | None) -> None:
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
    from . import worker_server
    from .batch import default_workers, read_items, run_batch, summary_json, summary_text
    from .batch_output import BatchOutput, BatchStopped, ReplacedFile
    from .knowledge.loader import packaged_rules

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

    items = read_items(inputs, stdin=_stdin() if "-" in inputs else None)
    run = partial(run_batch, items, workers=workers, kb=kb, detail=detail, use_cache=True,
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
        _require_stdout()
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


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8080, show_default=True, type=click.IntRange(0, 65535), help="Port to listen on.")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64),
              help="Processes, each with its own engine, on one socket: up to one per core.")
@RULES_OPTION
@reports_errors
def serve(host: str, port: int, workers: int, rules_dir: Path | None) -> None:
    """Run the CDS Hooks 2.0 service (patient-view) over FHIR R4 / mCODE prefetch. RESEARCH USE ONLY.

    GET /cds-services is the discovery document; POST /cds-services/igfrules-igf-axis answers with
    cards. Needs the service extra: pip install 'igfrules[service]'.

    \b
    Example:
      igfrules serve --port 8080
      curl http://127.0.0.1:8080/cds-services
    """
    try:
        from .service.server import serve as run_server
    except ImportError:
        raise InputError(Problem("igfrules serve", "", "the service needs its extra: "
                                                       "pip install 'igfrules[service]'")) from None
    kb = load_knowledge_base(rules_dir)  # with the per-user cache, which worker processes then read
    run_server(kb, host, port, workers=workers)
