"""The floor for rule matching in Python: the knowledge base's conditions compiled to one plain
Python function over the same fact durable_rules sees (three-valued, as the engine's).

Used by bench.py only, to show what matching costs without an engine; checked there against
the engine on every case it times.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from igfrules.engine.compiler import includes_key
from igfrules.engine.durable_engine import Engine
from igfrules.model.conditions import AllOf, AnyOf, Compare, Condition, Includes, Not
from igfrules.model.fields import FIELDS, STAGE_RANGES, Kind

Matcher = Callable[[Mapping[str, Any]], dict[str, bool | None]]


class _Writer:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.lines: list[str] = []
        self.names: dict[str, str] = {}  # expression -> temporary holding its value

    def value(self, expression: str) -> str:
        name = self.names.get(expression)
        if name is None:
            name = self.names[expression] = f"t{len(self.names)}"
            self.lines.append(f"    {name} = {expression}")
        return name

    def key(self, name: str) -> str:
        return repr(self.engine.fact_key(name))

    def node(self, c: Condition) -> str:
        if isinstance(c, Not):
            inner = self.node(c.part)
            return self.value(f"None if {inner} is None else not {inner}")
        if isinstance(c, AllOf | AnyOf):
            parts = [self.node(p) for p in c.parts]
            decisive, other = ("False", "True") if isinstance(c, AllOf) else ("True", "False")
            return self.value(f"{decisive} if ({' or '.join(f'{p} is {decisive}' for p in parts)}) else "
                              f"(None if ({' or '.join(f'{p} is None' for p in parts)}) else {other})")
        if isinstance(c, Includes):
            state = self.value(f"g({self.key(includes_key(c))})")
            return self.value(f"None if {state} is None or {state} == 'maybe' else {state} == 'yes'")
        return self.compare(c)

    def compare(self, c: Compare) -> str:
        field = FIELDS[c.field]
        presence = "stage_lo" if field.kind is Kind.STAGE else "pt_known" if field.kind is Kind.THERAPIES else c.field
        if c.op in ("is_known", "is_unknown"):
            return self.value(f"(g({self.key(presence)}) is not None) is {c.op == 'is_known'}")
        if field.kind is Kind.STAGE:
            low, high = self.value(f"g({self.key('stage_lo')})"), self.value(f"g({self.key('stage_hi')})")
            if c.op == "at_least":
                rank = STAGE_RANGES[c.value][0]
                return self.value(f"None if {low} is None else (True if {low} >= {rank} else "
                                  f"(False if {high} < {rank} else None))")
            rank = STAGE_RANGES[c.value][1]
            return self.value(f"None if {low} is None else (True if {high} <= {rank} else "
                              f"(False if {low} > {rank} else None))")
        value = self.value(f"g({self.key(c.field)})")
        if c.op == "equals":
            wanted = ("true" if c.value else "false") if field.kind is Kind.FLAG else c.value
            return self.value(f"None if {value} is None else {value} == {wanted!r}")
        if c.op == "one_of":
            return self.value(f"None if {value} is None else {value} in {tuple(c.value)!r}")
        operator = ">=" if c.op == "at_least" else "<="
        return self.value(f"None if {value} is None else {value} {operator} {c.value!r}")


def generated_matcher(conditions: Mapping[str, Condition], engine: Engine) -> Matcher:
    writer = _Writer(engine)
    results = [f"{name!r}: {writer.node(c)}" for name, c in conditions.items()]
    source = "\n".join(["def match(fact):", "    g = fact.get", *writer.lines,
                        f"    return {{{', '.join(results)}}}"])
    namespace: dict[str, Any] = {}
    exec(compile(source, "<generated matcher>", "exec"), namespace)  # noqa: S102 - our own generated code
    return namespace["match"]  # type: ignore[no-any-return]
