"""`igfrules evaluate` (one case, rendered for a person or as JSON) and `igfrules examples`."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from .error_output import reports_errors, require_stdout
from .options import FORMATS, REPORT_DETAILS, RULES_OPTION, STRICT_OPTION, load_knowledge_base, rules_folder, stdin

if TYPE_CHECKING:
    from ..rendering.text import Detail


@click.command()
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
@click.option("--since", "since", metavar="VERSION|SHA256|FOLDER", default=None,
              help="Add a short section 'changed since knowledge base VERSION' to the brief: what differs "
                   "for this patient, and the record change behind each (only when something changed; "
                   "`igfrules diff` says it in full). Not with --format json.")
@STRICT_OPTION
@RULES_OPTION
@reports_errors
def evaluate(case: Path | None, example: str | None, fmt: str, detail: Detail, show_mapping: bool,
             strict: bool, since: str | None, rules_dir: Path | None) -> None:
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
      igfrules evaluate cases/fhir/early-stage-er-positive.json --strict
      igfrules evaluate --example minimal-unknowns --since 1.1.0
    """
    from ..evaluation.evaluate import evaluate as evaluate_case

    if (case is None) == (example is None):
        raise click.UsageError("give a CASE file or --example NAME (one of them)")
    if since is not None and fmt == "json":
        raise click.UsageError("--since adds a section to the brief; for JSON use `igfrules diff OLD NEW CASE "
                               "--format json`")
    if example is not None:
        from ..inputs.examples import find_example

        case = find_example(example).path
    assert case is not None  # noqa: S101 - checked above
    require_stdout()
    kb = load_knowledge_base(rules_dir)
    if str(case) == "-":  # a case on standard input, YAML or JSON, or a FHIR Bundle
        from ..evaluation.cases import case_from_stream

        read: Any = case_from_stream(stdin(), source="<stdin>", strict=strict)
    else:
        from ..evaluation.cases import read_input

        read = read_input(case, strict=strict)
    report = evaluate_case(read, kb)
    if since is not None:
        from ..versions.since import since_section

        rendered = _renderer(fmt)(report, detail, since_section(read, load_knowledge_base(rules_folder(since)), kb))
    else:
        rendered = _renderer(fmt)(report, detail)
    if show_mapping and fmt in ("text", "markdown"):
        from ..rendering.mapping import with_mapping

        rendered = with_mapping(rendered, report, markdown=fmt == "markdown")
    click.echo(rendered, nl=False)


def _renderer(fmt: str) -> Callable[..., str]:
    if fmt == "text":  # the default: skip importing the HTML renderer
        from ..rendering.text import render_text

        return render_text
    from ..rendering.registry import RENDERERS

    return RENDERERS[fmt]


@click.command()
def examples() -> None:
    """List the example cases that ship with igfrules: name and what each shows.

    \b
    Example:
      igfrules examples
      igfrules evaluate --example minimal-unknowns
    """
    from ..inputs.examples import list_examples

    found = list_examples()
    width = max(len(e.name) for e in found)
    for e in found:
        click.echo(f"{e.name:<{width}}  {e.description}")
