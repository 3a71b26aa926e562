"""Where each compiled rule hangs in durable_rules' alpha network, so that no knowledge base of a
realistic size meets durable's limits (plain JSON; this module never imports durable).

durable_rules 2.0.28 matches a fact by walking its alpha network depth-first with a stack of 64
nodes (error 303 when more tests pending at once match), and keeps a node's children in an
open-addressed table of 512 slots (`create_ruleset` never returns once one node has 512 children;
measured: an `any` of 511 comparisons compiles in 0.1 s, one of 512 hangs). durable expands a
pattern's `$or` into separate paths; compiler.pattern_width bounds how many of a pattern's nodes
can be pending at once, which also bounds how many children any of its nodes has.

Every rule is anchored on a chain of up to three group tests (`a0d == 1`, `a1d == 1`, `a2d == 1`,
eight a level), present in every case fact and absent from durable's own state fact. A group holds
rules whose widths total at most GROUP_WIDTH. The stack then never holds more than 7 pending
anchors a level plus one group's nodes (3 * 7 + 40 + 1 = 62 < 64), and no node has more than 40
children (< 512). Capacity: 512 groups of rules; the packaged knowledge base needs a handful.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from ..errors import KnowledgeBaseError, Problem
from .compiler import MAX_PATTERN_WIDTH, Json, and_, pattern_width

GROUP_WIDTH = MAX_PATTERN_WIDTH  # pending nodes a group of rules may add; also the most one rule may
FAN_OUT = 8  # anchors a level
MAX_LEVELS = 3
MAX_GROUPS = FAN_OUT**MAX_LEVELS
MAX_RULES = 4_096  # durable's MAX_ACTIONS: one more fails create_ruleset with error 106 (measured)


# A NamedTuple, not a frozen dataclass: as immutable, and far cheaper to create at every start.
class Rule(NamedTuple):
    name: str  # the durable rule name
    condition: str  # the condition it belongs to ("entry:RAT-X"), for messages
    pattern: Json


def lay_out(rules: Sequence[Rule]) -> tuple[dict[str, Json], dict[str, int]]:
    """The ruleset definition (rule name -> durable rule) and the anchor fields a case fact carries."""
    if len(rules) > MAX_RULES:
        raise KnowledgeBaseError(Problem("<knowledge base>", rules[MAX_RULES].condition, (
            f"the knowledge base compiles to {len(rules):,} durable_rules rules; one ruleset holds at most "
            f"{MAX_RULES:,} (two per condition, more for a condition split into branches); the conditions "
            "from this one on do not fit: split the knowledge base")))
    groups: list[list[Rule]] = [[]]
    used = 0
    for rule in rules:
        width = pattern_width(rule.pattern)
        if width > GROUP_WIDTH:  # compiler.branches splits such patterns: this guards against a bug
            raise KnowledgeBaseError(Problem("<knowledge base>", rule.condition, (
                f"compiles to a durable_rules pattern of width {width}; at most {GROUP_WIDTH} fit "
                "(its matching stack holds 64 nodes); split the condition")))
        if used + width > GROUP_WIDTH:
            groups.append([])
            used = 0
        groups[-1].append(rule)
        used += width
    if len(groups) > MAX_GROUPS:
        first = groups[MAX_GROUPS][0].condition
        raise KnowledgeBaseError(Problem("<knowledge base>", first, (
            f"the knowledge base compiles to {len(rules):,} durable_rules rules in {len(groups):,} groups; "
            f"at most {MAX_GROUPS} groups fit under durable's 64-node matching stack; the conditions "
            "from this one on do not fit: split the knowledge base")))
    levels = 1 if len(groups) <= FAN_OUT else 2 if len(groups) <= FAN_OUT**2 else 3
    definition: Json = {}
    for index, group in enumerate(groups):
        anchors = [{field: 1} for field in _anchor_fields(index, levels)]
        for rule in group:
            definition[rule.name] = {"all": [{"m": and_([*anchors, rule.pattern])}]}
    fields = {f"a{level}{digit}": 1 for level in range(levels) for digit in range(FAN_OUT)}
    return definition, fields


def _anchor_fields(index: int, levels: int) -> list[str]:
    digits = []
    for _ in range(levels):
        index, digit = divmod(index, FAN_OUT)
        digits.append(digit)
    return [f"a{level}{digit}" for level, digit in enumerate(reversed(digits))]
