"""The wheel that `pip install igfrules` gets ships exactly rules/ (as igfrules/_rules), the example
cases without their expected outputs (as igfrules/_cases), and igfrules' own data files.

The wheel is built here with hatchling, the project's build backend: under an editable install,
`igfrules` run outside the repository still finds the repository's rules/, so only the wheel's
own contents can show what a pip user gets."""

from __future__ import annotations

import zipfile

import pytest
from hatchling.builders.wheel import WheelBuilder

from igfrules.inputs.examples import list_examples
from tests.conftest import ROOT, RULES


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    folder = tmp_path_factory.mktemp("wheel")
    built = next(iter(WheelBuilder(str(ROOT)).build(directory=str(folder), versions=["standard"])))
    with zipfile.ZipFile(built) as archive:
        return {name: archive.read(name) for name in archive.namelist() if not name.endswith("/")}


def _under(wheel: dict[str, bytes], prefix: str) -> dict[str, bytes]:
    return {name.removeprefix(prefix): data for name, data in wheel.items() if name.startswith(prefix)}


def test_the_wheel_ships_every_rule_file_byte_for_byte(wheel: dict[str, bytes]) -> None:
    """Mutation: the force-include of rules/ dropped or pointed elsewhere in pyproject.toml."""
    rules = {p.relative_to(RULES).as_posix(): p.read_bytes() for p in RULES.rglob("*") if p.is_file()}
    assert rules and _under(wheel, "igfrules/_rules/") == rules


def test_the_wheel_ships_every_earlier_release_byte_for_byte(wheel: dict[str, bytes]) -> None:
    """Mutation: the force-include of releases/ dropped: `--rules 1.1.0` and verify fail for pip users."""
    releases = ROOT / "releases"
    shipped = {p.relative_to(releases).as_posix(): p.read_bytes() for p in releases.rglob("*") if p.is_file()}
    assert "1.1.0/knowledge-base.yaml" in shipped and _under(wheel, "igfrules/_releases/") == shipped


def test_the_wheel_ships_the_example_cases_and_not_their_expected_outputs(wheel: dict[str, bytes]) -> None:
    cases = _under(wheel, "igfrules/_cases/")
    assert set(cases) == {e.path.name for e in list_examples()}
    assert all(cases[name] == (ROOT / "cases" / name).read_bytes() for name in cases)
    assert not [name for name in wheel if "expected" in name]


def test_the_wheel_ships_the_package_and_its_data(wheel: dict[str, bytes]) -> None:
    package = ROOT / "src" / "igfrules"
    sources = {p.relative_to(package).as_posix() for p in package.rglob("*.py")} | {"data/agents.yaml"}
    shipped = set(_under(wheel, "igfrules/"))
    assert sources <= shipped
    assert not [name for name in wheel if name.startswith(("tests/", "benchmarks/"))]
