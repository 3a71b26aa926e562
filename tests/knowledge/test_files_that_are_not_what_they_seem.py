"""Rule files that are not what they seem, and profiles that contradict themselves."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

import igfrules
from igfrules import KnowledgeBaseError
from igfrules.cli import main
from tests.conftest import RULES

SHADOW_LIKE = "root:$6$secret-hash:19000:0:99999:7:::\ndaemon:*:19000:0:99999:7:::\n"


def _copy(tmp_path: Path) -> Path:
    target = tmp_path / "rules"
    shutil.copytree(RULES, target)
    return target


def test_a_rule_file_resolving_outside_the_folder_is_refused_and_never_echoed(tmp_path: Path) -> None:
    secret = tmp_path / "shadow"
    secret.write_text(SHADOW_LIKE)
    rules = _copy(tmp_path)
    (rules / "rationales" / "evil.yaml").symlink_to(secret)
    result = CliRunner().invoke(main, ["check", "--rules", str(rules)])
    assert result.exit_code == 1
    assert "evil.yaml: resolves to a file outside the knowledge-base folder" in result.stderr
    assert "secret" not in result.output + result.stderr and "daemon" not in result.stderr


def test_a_file_that_is_no_record_of_its_kind_is_not_echoed(tmp_path: Path) -> None:
    rules = _copy(tmp_path)
    (rules / "context" / "ctx-stray.yaml").write_text("hunter2: x\nsecretkey: y\n")
    with pytest.raises(KnowledgeBaseError, match="not an entry record: none of its 2 keys is one of id,") as caught:
        igfrules.load_knowledge_base(rules)
    assert "hunter2" not in str(caught.value) and "secretkey" not in str(caught.value)


def test_an_entry_that_conflicts_with_itself_fails_check(tmp_path: Path) -> None:
    rules = _copy(tmp_path)
    entry = rules / "rationales" / "rat-xen-eve-exe.yaml"
    entry.write_text(entry.read_text().replace("conflicts_with: []", "conflicts_with: [RAT-XEN-EVE-EXE]", 1))
    result = CliRunner().invoke(main, ["check", "--rules", str(rules)])
    assert result.exit_code == 1
    line = next(i for i, text in enumerate(entry.read_text().splitlines(), 1) if text.startswith("conflicts_with:"))
    assert f"rat-xen-eve-exe.yaml:{line}: conflicts_with[0]: an entry cannot conflict with itself" in result.stderr


@pytest.mark.parametrize(
    ("therapies", "warning"),
    [
        ([{"agent": "tamoxifen", "setting": "adjuvant", "progressed": True},
          {"agent": "Nolvadex", "setting": "adjuvant", "progressed": False}],
         "prior_therapies list tamoxifen (adjuvant setting) as progressed and as not progressed"),
        ([{"agent": "everolimus", "setting": "metastatic"}, {"agent": "RAD001", "setting": "metastatic"}],
         "prior_therapies list everolimus (metastatic setting) 2 times"),
        (["letrozole", "letrozole"], "prior_therapies list letrozole (unknown setting) 2 times"),
    ],
)
def test_repeated_or_contradictory_prior_therapies_are_warned(therapies: list[object], warning: str) -> None:
    report = igfrules.evaluate({"prior_therapies": therapies})
    assert any(w.startswith(warning) for w in report.warnings), report.warnings


def test_two_lines_of_one_agent_in_unknown_settings_are_not_a_repeat() -> None:
    therapies = ["letrozole", {"agent": "letrozole", "progressed": True},
                 {"agent": "tamoxifen", "setting": "adjuvant"}, {"agent": "tamoxifen", "setting": "metastatic"}]
    assert not any("prior_therapies list" in w for w in igfrules.evaluate({"prior_therapies": therapies}).warnings)
