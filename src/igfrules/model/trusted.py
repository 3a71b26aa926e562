"""Pydantic models built from values already known to be valid, without pydantic's per-field walk.

`model_construct` looks up aliases and defaults field by field on every call; on the per-case
path that walk cost more than the values it stores. `construct` does the same work from a plan
made once per model class: the same `__dict__` (every field, in field order, defaults filled in)
and the same fields-set, so the object equals and serialises exactly as `model_construct` makes it
(tested). Only for values the caller has validated, or built from validated parts.
"""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel

M = TypeVar("M", bound=BaseModel)

_MISSING = object()
_set = object.__setattr__
_plans: dict[type[BaseModel], tuple[tuple[tuple[str, Any], ...], frozenset[str], frozenset[str]]] = {}


def _plan(cls: type[BaseModel]) -> tuple[tuple[tuple[str, Any], ...], frozenset[str], frozenset[str]]:
    plan = _plans.get(cls)
    if plan is None:
        fields = cls.model_fields
        if cls.__pydantic_post_init__ or cls.model_config.get("extra") == "allow" or any(
                f.alias or f.validation_alias or f.default_factory for f in fields.values()):
            raise TypeError(f"{cls.__name__} needs model_construct")  # not a shape this shortcut covers
        plan = _plans[cls] = (tuple((name, _MISSING if f.is_required() else f.default) for name, f in fields.items()),
                              frozenset(name for name, f in fields.items() if f.is_required()),
                              frozenset(fields))
    return plan


def construct(cls: type[M], values: dict[str, Any]) -> M:
    """`cls.model_construct(**values)`, faster; `values` holds every required field and no other name."""
    plan, required, known = _plan(cls)
    if not (required.issubset(values) and known.issuperset(values)):
        raise TypeError(f"{cls.__name__}: missing {', '.join(sorted(required - values.keys())) or 'nothing'}; "
                        f"unknown {', '.join(sorted(values.keys() - known)) or 'nothing'}")
    obj = cls.__new__(cls)
    _set(obj, "__dict__", {name: values.get(name, default) for name, default in plan})
    _set(obj, "__pydantic_fields_set__", set(values))
    _set(obj, "__pydantic_extra__", None)
    _set(obj, "__pydantic_private__", None)
    return obj


def template(cls: type[BaseModel]) -> dict[str, Any]:
    """Every field of `cls` in field order, a required one as a placeholder: copy it, set the
    fields (a key keeps its place), then `build`. For the per-case path, where even `construct`'s
    checks show."""
    plan, _, _ = _plan(cls)
    return dict(plan)


def build(cls: type[M], fields: dict[str, Any], fields_set: set[str]) -> M:
    """A model from a filled copy of `template(cls)`; `fields_set` names the fields given."""
    if _MISSING in fields.values():
        raise TypeError(f"{cls.__name__}: a required field was not set")
    obj = cls.__new__(cls)
    _set(obj, "__dict__", fields)
    _set(obj, "__pydantic_fields_set__", fields_set)
    _set(obj, "__pydantic_extra__", None)
    _set(obj, "__pydantic_private__", None)
    return obj
