"""Whatever a library caller passes, igfrules raises an IgfrulesError (never TypeError, ValueError...)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

import igfrules
from igfrules import CaseError, IgfrulesError, InputError, KnowledgeBaseError


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: igfrules.evaluate("/tmp/a\x00b.yaml"), CaseError, "NUL character"),
        (lambda: igfrules.load_knowledge_base(123), KnowledgeBaseError, "not int"),  # type: ignore[arg-type]
        (lambda: igfrules.load_knowledge_base("/tmp/\x00"), KnowledgeBaseError, "NUL character"),
        (lambda: igfrules.evaluate({}, kb=123), InputError, "not int"),  # type: ignore[arg-type]
        (lambda: igfrules.evaluate(123), CaseError, "must be a mapping"),  # type: ignore[arg-type]
        (lambda: igfrules.evaluate("/dev/zero"), CaseError, "is a device"),
        (lambda: igfrules.evaluate("/"), CaseError, "is a folder"),
    ],
)
def test_bad_arguments_raise_igfrules_errors(call: Callable[[], Any], error: type[IgfrulesError],
                                             message: str) -> None:
    with pytest.raises(error, match=message):
        call()
