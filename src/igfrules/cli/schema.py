"""`igfrules schema`: the JSON Schema of the case file, the report or a batch line."""

from __future__ import annotations

import json

import click


@click.command()
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
        from ..model.report import Report

        click.echo(json.dumps(Report.model_json_schema(mode="serialization"), indent=2))
        return
    from ..rendering.schema import case_schema, line_schema

    click.echo(json.dumps(line_schema() if line else case_schema(), indent=2))
