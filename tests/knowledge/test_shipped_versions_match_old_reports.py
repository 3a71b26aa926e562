"""Every released knowledge base from 1.1.0 on ships byte-identical, so the sha256 an old report
stamps finds it; 1.1.0 is read through a compatibility path, never by editing its bytes."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from igfrules.documents.safe_yaml import read_document
from igfrules.errors import KnowledgeBaseError
from igfrules.evaluation.loading import load_knowledge_base
from igfrules.knowledge.compat import upgrader
from igfrules.knowledge.loader import content_digest
from igfrules.knowledge.releases import current_version, resolve, shipped, unavailable_reason
from tests.conftest import ROOT, RULES

RELEASE_1_1_0 = ROOT / "releases" / "1.1.0"
# The stamp of every report made at commit d96f423 (the last commit of knowledge base 1.1.0, before
# fd48c63 began 1.2.0): `git show d96f423:cases/expected/minimal-unknowns.json`, knowledge_base.sha256.
STAMP_1_1_0 = "321b08acc76f4ddc51509d826579cfb032a976393f1d8e0f6d7208125d8f5012"


def test_the_shipped_1_1_0_has_the_sha256_its_reports_stamp() -> None:
    assert content_digest(RELEASE_1_1_0) == STAMP_1_1_0
    assert load_knowledge_base(RELEASE_1_1_0).sha256 == STAMP_1_1_0


def test_versions_load_by_version_and_by_sha256() -> None:
    # From a clone (editable install) this is releases/1.1.0; from the wheel, igfrules/_releases/1.1.0:
    # either way the very bytes its reports stamp.
    assert resolve("1.1.0").name == "1.1.0" and content_digest(resolve("1.1.0")) == STAMP_1_1_0
    assert load_knowledge_base("1.1.0").meta.version == "1.1.0"
    assert load_knowledge_base(STAMP_1_1_0).meta.version == "1.1.0"
    assert load_knowledge_base(current_version()).sha256 == content_digest(RULES)
    assert list(shipped())[:1] == ["1.1.0"] and current_version() in shipped()


def test_a_folder_keeps_working_as_a_folder() -> None:
    assert resolve(str(RULES)) == RULES


def test_1_0_0_is_said_not_shipped_and_why() -> None:
    with pytest.raises(KnowledgeBaseError, match=r"1\.0\.0 is not shipped.*working note"):
        resolve("1.0.0")
    assert "working note" in (unavailable_reason("1.0.0", "0" * 64) or "")


def test_an_unknown_version_or_sha256_names_what_is_shipped() -> None:
    with pytest.raises(KnowledgeBaseError, match=r"9\.9\.9 is not shipped.*shipped: 1\.1\.0"):
        resolve("9.9.9")
    with pytest.raises(KnowledgeBaseError, match=r"no knowledge base shipped .* has this sha256"):
        resolve("a" * 64)


def test_1_1_0_as_released_lacks_what_1_2_0_requires_and_loads_all_the_same() -> None:
    trials = read_document(RELEASE_1_1_0 / "trials.yaml")
    cautions = read_document(RELEASE_1_1_0 / "cautions.yaml")
    assert not any("criteria" in t or "status_today" in t for t in trials)
    assert not any("kind" in c for c in cautions)
    kb = load_knowledge_base(RELEASE_1_1_0)
    assert all(not t.status_today.verified and "not recorded in knowledge base 1.1.0" in t.status_today.status
               for t in kb.trials.values())
    assert all(len(t.criteria.inclusion) == 1 and t.criteria.inclusion[0].text == t.population_text
               for t in kb.trials.values())
    assert {c.kind for c in kb.cautions.values()} == {"harm", "limitation"}


def test_the_compatibility_path_leaves_a_current_knowledge_base_untouched() -> None:
    meta = read_document(RULES / "knowledge-base.yaml")
    data = read_document(RULES / "trials.yaml")
    assert upgrader(meta)("trials.yaml", data) is data


def test_a_1_1_0_caution_with_no_known_kind_is_still_refused(tmp_path: Path) -> None:
    copy = tmp_path / "kb"
    shutil.copytree(RELEASE_1_1_0, copy)
    text = (copy / "cautions.yaml").read_text().replace("CAU-DOX-SEQUENCE", "CAU-DOX-SEQUENCE-NEW")
    (copy / "cautions.yaml").write_text(text)
    with pytest.raises(KnowledgeBaseError, match="kind: is required"):
        load_knowledge_base(copy)

