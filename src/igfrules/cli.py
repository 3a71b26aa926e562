"""The command line: parse, call the library once, render, set the exit code.

Exit codes: 0 evaluated (a case with no rationale is still a success); 1 a case or knowledge-base
error, printed to stderr as `Error: <file>: <field>: <message>`; 2 usage (click's own).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import click

from . import __version__
from .errors import IgfrulesError
from .evaluate import evaluate as evaluate_case
from .knowledge.check import check_knowledge_base
from .knowledge.loader import KnowledgeBase, load_knowledge_base
from .render import RENDERERS
from .schema import case_schema

F = TypeVar("F", bound=Callable[..., Any])

RULES_OPTION = click.option(
    "--rules", "rules_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
    help="A knowledge-base folder (default: the one shipped with igfrules).",
)


def reports_errors(command: F) -> F:
    """Turn an IgfrulesError into `Error: ...` lines on stderr and its exit code; no traceback."""

    @wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except IgfrulesError as err:
            for problem in err.problems:
                click.echo(f"Error: {problem}", err=True)
            sys.exit(err.exit_code)

    return wrapper  # type: ignore[return-value]


def load_rules(rules_dir: Path | None) -> KnowledgeBase:
    return load_knowledge_base(rules_dir)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="igfrules")
def main() -> None:
    """igfrules: IGF-axis therapy rationales in breast cancer, from Ianza et al. 2021.

    RESEARCH USE ONLY. igfrules explains research rationales; it never recommends treatment.

    \b
    Example:
      igfrules evaluate cases/hr-positive-nonvisceral.yaml --format markdown
    """


@main.command()
@click.argument("case", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(sorted(RENDERERS)), default="text", show_default=True,
              help="Output format.")
@RULES_OPTION
@reports_errors
def evaluate(case: Path, fmt: str, rules_dir: Path | None) -> None:
    """Evaluate one case file (YAML or JSON) and print the report.

    \b
    Example:
      igfrules evaluate cases/her2-trastuzumab-pretreated.yaml --format json
    """
    kb = load_rules(rules_dir)
    click.echo(RENDERERS[fmt](evaluate_case(case, kb)), nl=False)


@main.command()
def schema() -> None:
    """Print the JSON Schema of the case file.

    \b
    Example:
      igfrules schema > case.schema.json
    """
    click.echo(json.dumps(case_schema(), indent=2))


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
    kb, problems = check_knowledge_base(rules_dir)
    for problem in problems:
        click.echo(f"Error: {problem}", err=True)
    if problems:
        click.echo(f"{len(problems)} problem(s) found.", err=True)
        sys.exit(1)
    assert kb is not None  # noqa: S101 - no problems means it loaded
    click.echo(f"{kb.meta.name} {kb.meta.version}: {len(kb.active_entries)} entries, "
               f"{len(kb.trials)} trials, {len(kb.cautions)} cautions; no problems.")
