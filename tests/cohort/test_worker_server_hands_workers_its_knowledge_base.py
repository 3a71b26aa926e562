"""The batch workers' server loads the knowledge base it is handed once, and a worker takes it only
when it is the one the parent loaded; anything wrong in the server is left to the worker."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import igfrules
from igfrules.cohort import worker_server
from tests.conftest import RULES


@pytest.fixture(autouse=True)
def _no_server_state(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(worker_server, "preloaded", None)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))  # the server reads the per-user cache
    monkeypatch.delenv(worker_server.RULES_VARIABLE, raising=False)


def test_the_server_loads_the_rules_it_is_handed_and_workers_take_them(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(worker_server.RULES_VARIABLE, str(RULES))
    worker_server.preload()
    kb = igfrules.load_knowledge_base(RULES)
    assert worker_server.knowledge_base(str(kb.path), kb.sha256) is worker_server.preloaded is not None
    assert worker_server.RULES_VARIABLE not in os.environ  # workers never see it


def test_a_worker_loads_the_files_itself_when_they_are_not_the_ones_the_parent_loaded(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(worker_server.RULES_VARIABLE, str(RULES))
    worker_server.preload()
    kb = igfrules.load_knowledge_base(RULES)
    assert worker_server.knowledge_base(str(kb.path), "0" * 64) is None
    assert worker_server.knowledge_base(str(kb.path / "elsewhere"), kb.sha256) is None


def test_a_server_without_rules_or_with_broken_ones_preloads_nothing(monkeypatch: pytest.MonkeyPatch,
                                                                    tmp_path: Path) -> None:
    worker_server.preload()
    assert worker_server.preloaded is None
    monkeypatch.setenv(worker_server.RULES_VARIABLE, str(tmp_path))  # not a knowledge base
    worker_server.preload()
    assert worker_server.preloaded is None
