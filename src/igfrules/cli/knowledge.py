"""The commands that show or check the knowledge base: check, rules, trials, explain, docs."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from ..errors import Problem
from .error_output import reports_errors
from .options import RULES_OPTION, load_knowledge_base


@click.command()
@RULES_OPTION
@reports_errors
def check(rules_dir: Path | None) -> None:
    """Validate a knowledge base: schema, references, agents, conditions and every example.

    Prints every problem as `file:line: field: message` and exits 1 if there is any.

    \b
    Example:
      igfrules check --rules rules/
    """
    from ..knowledge.check import check_knowledge_base, coverage

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


@click.command(name="rules")
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
        from ..evaluation.catalog import catalog

        click.echo(json.dumps(catalog(kb).to_json(), indent=2, ensure_ascii=False))
        return
    from ..rendering.labels import BANNER, entry_direction_words

    click.echo(BANNER)
    for e in kb.entries.values():
        status = "" if e.status == "active" else " (retired)"
        post = "*" if e.evidence.post_review else " "
        # The brief's words: a preclinical "supports" is a hypothesis, never a bare "supports".
        direction = entry_direction_words(e.evidence)
        click.echo(f"{e.id:<34} {e.kind:<9} {e.evidence.level}{post} {direction:<30} {e.title}{status}")


@click.command()
@RULES_OPTION
@reports_errors
def trials(rules_dir: Path | None) -> None:
    """List the trial registry: NCT id, phase, regimen, the status the review reported (and when) and since.

    \b
    Example:
      igfrules trials
    """
    from ..knowledge.trialstatus import status_words
    from ..rendering.labels import BANNER

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


@click.command()
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
    from ..evaluation.explain import explain_text

    kb = load_knowledge_base(rules_dir)
    click.echo(explain_text(kb, rule_id, case), nl=False)


@click.command()
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
    from ..rendering.kbdocs import render_knowledge_base

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
