"""The `igfrules` click group: finds each command in its module when the command is invoked."""

from __future__ import annotations

import importlib
import os
import sys
from typing import Any

import click

from .._version import __version__

# Command name -> (module of this package, function): a command's module, with its options and
# their click types, is imported only when that command runs or help lists it.
_COMMANDS = {
    "batch": ("batch", "batch"),
    "check": ("knowledge", "check"),
    "diff": ("diff", "diff"),
    "docs": ("knowledge", "docs"),
    "evaluate": ("evaluate", "evaluate"),
    "examples": ("evaluate", "examples"),
    "explain": ("knowledge", "explain"),
    "feedback": ("feedback", "feedback"),
    "rules": ("knowledge", "list_rules"),
    "schema": ("schema", "schema"),
    "serve": ("serve", "serve"),
    "trials": ("knowledge", "trials"),
    "verify": ("verify", "verify"),
}

# Commands whose answer is what they print: with standard output closed (`>&-`) they would print
# nothing and exit 0, so they refuse to start (exit 1). `evaluate` and `batch` check for themselves
# (batch can write --out instead); `serve` prints nothing of its answers.
_PRINTS = frozenset({"check", "docs", "examples", "explain", "feedback", "rules", "schema", "trials"})


class _Group(click.Group):
    """Loads commands on demand; a reader that closes the pipe early (`igfrules rules | head`) is
    not an error: exit 0 quietly."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(_COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands:
            if cmd_name not in _COMMANDS:  # a misspelt name: click suggests from every command
                for name in _COMMANDS:
                    self.get_command(ctx, name)
                return None
            module, function = _COMMANDS[cmd_name]
            command = getattr(importlib.import_module(f"{__package__}.{module}"), function)
            self.add_command(command, cmd_name)
        return self.commands[cmd_name]

    def resolve_command(self, ctx: click.Context, args: list[str]) -> tuple[str | None, click.Command | None,
                                                                            list[str]]:
        name, command, rest = super().resolve_command(ctx, args)
        if name in _PRINTS and sys.stdout is None:
            raise click.ClickException("<stdout>: standard output is closed; redirect it to a file or a pipe")
        return name, command, rest

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except BrokenPipeError:
            # Point stdout at /dev/null so the interpreter's final flush cannot fail again.
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            ctx.exit(0)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="igfrules")
def main() -> None:
    """igfrules: IGF-axis therapy rationales in breast cancer, from Ianza et al. 2021.

    RESEARCH USE ONLY. igfrules explains research rationales; it never recommends treatment.

    \b
    Example (the example cases ship with igfrules; `igfrules examples` lists them):
      igfrules evaluate --example hr-positive-her2-negative-nonvisceral
      igfrules evaluate my-case.yaml --format html > brief.html
    """
