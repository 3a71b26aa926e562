from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

import igfrules

ROOT = Path(__file__).resolve().parents[1]
CASES = ROOT / "cases"
RULES = ROOT / "rules"

# "ci": fixed and derandomised, so a run is reproducible and bounded in time on two cores.
# "thorough": for local runs before changing the engine or the knowledge base.
settings.register_profile("ci", max_examples=150, derandomize=True, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow], print_blob=True)
settings.register_profile("thorough", max_examples=3000, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("dev", max_examples=60, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture(autouse=True, scope="session")
def _private_cache_folder(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Commands the tests run cache knowledge bases here, never in the user's own cache folder."""
    os.environ["XDG_CACHE_HOME"] = str(tmp_path_factory.mktemp("xdg-cache"))


@pytest.fixture(scope="session")
def kb() -> igfrules.KnowledgeBase:
    return igfrules.load_knowledge_base(RULES)
