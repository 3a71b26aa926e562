"""Every card has a stable uuid, a topic, override reasons, no empty array, a summary that leads with
the finding and ends on a word with the research-only label, and (a rationale's) its evidence as an
extension; every answer is valid against the CDS Hooks 2.0 response schema."""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest

import igfrules
from igfrules.model.report import Report
from igfrules.model.verdict import evidence_group
from igfrules.rendering.labels import direction_words
from igfrules.service.cards import EVIDENCE_EXTENSION, cards, fit_words, short_title
from igfrules.service.feedback.codes import OVERRIDE_REASONS, OVERRIDE_SYSTEM, TOPIC_SYSTEM, TOPICS
from tests.conftest import CASES

SCHEMA = json.loads((Path(__file__).parent / "cds_hooks_2_0_response.schema.json").read_text(encoding="utf-8"))
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
CASE_FILES = sorted(CASES.glob("*.yaml")) + sorted(CASES.glob("*.json")) + sorted((CASES / "fhir").glob("*.json"))
INSTANCE = "d1577c69-dfbe-44ad-ba6d-3e05e953b2ea"


@pytest.fixture(scope="module")
def reports(kb: igfrules.KnowledgeBase) -> dict[str, Report]:
    return {p.name: igfrules.evaluate(p, kb) for p in CASE_FILES}


def walk(value: Any, where: str = "") -> Iterator[tuple[str, Any]]:
    yield where, value
    if isinstance(value, dict):
        for key, item in value.items():
            yield from walk(item, f"{where}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from walk(item, f"{where}[{index}]")


def test_every_answer_is_valid_cds_hooks_2_0_and_has_no_empty_array(reports: dict[str, Report]) -> None:
    for name, report in reports.items():
        answer = {"cards": cards(report, ["observations"], INSTANCE)}
        errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in VALIDATOR.iter_errors(answer)]
        assert not errors, (name, errors)
        empty = [where for where, value in walk(answer) if value == [] or value == {}]
        assert not empty, (name, empty)


def test_the_schema_refuses_what_the_specification_refuses() -> None:
    card = {"summary": "x", "indicator": "info", "source": {"label": "igfrules"}}
    assert VALIDATOR.is_valid({"cards": [card]})
    assert not VALIDATOR.is_valid({"cards": [{**card, "indicator": "hard-stop"}]})
    assert not VALIDATOR.is_valid({"cards": [{**card, "summary": "x" * 140}]})
    assert not VALIDATOR.is_valid({"cards": [{**card, "overrideReasons": [{"system": "s", "code": "c"}]}]})
    assert not VALIDATOR.is_valid({"cards": [{**card, "colour": "red"}]})
    assert not VALIDATOR.is_valid({"cards": [{**card, "uuid": "not-a-uuid"}]})


def test_uuids_are_the_same_in_another_process(reports: dict[str, Report]) -> None:
    name = "metastatic-hr-positive-pik3ca.json"
    here = [c["uuid"] for c in cards(reports[name], [], INSTANCE)]
    script = ("import sys, igfrules; from igfrules.service.cards import cards; "
              f"r = igfrules.evaluate(sys.argv[1]); print(' '.join(c['uuid'] for c in cards(r, [], {INSTANCE!r})))")
    src = Path(igfrules.__file__).parents[1]
    done = subprocess.run([sys.executable, "-c", script, str(CASES / "fhir" / name)], capture_output=True, text=True,
                          check=True, env={"PYTHONPATH": str(src), "PATH": "/usr/bin:/bin"})
    assert done.stdout.split() == here
    assert all(uuid.UUID(u).version == 5 for u in here)


def test_uuids_differ_across_hook_instances_cards_and_knowledge_bases(reports: dict[str, Report]) -> None:
    report = reports["metastatic-hr-positive-pik3ca.json"]
    first = [c["uuid"] for c in cards(report, [], INSTANCE)]
    assert len(set(first)) == len(first) >= 4  # one per card: rationales, trials, missing, record
    other_instance = [c["uuid"] for c in cards(report, [], "another-instance")]
    assert not set(first) & set(other_instance)
    edited = report.model_copy(update={"knowledge_base": report.knowledge_base.model_copy(update={"sha256": "0" * 64})})
    assert not set(first) & {c["uuid"] for c in cards(edited, [], INSTANCE)}
    every = [c["uuid"] for r in reports.values() for c in cards(r, [], INSTANCE)]
    by_card = {(c["source"]["topic"]["code"], c.get("extension", {}).get(EVIDENCE_EXTENSION, {}).get("entry"))
               for r in reports.values() for c in cards(r, [], INSTANCE)}
    assert len(set(every)) == len(by_card)  # the same card of one instance is one uuid; two cards never share one


def test_summaries_lead_with_the_finding_end_on_a_word_and_keep_the_label(reports: dict[str, Report]) -> None:
    shortened = 0
    for report in reports.values():
        made = cards(report, [], INSTANCE)
        for card in made:
            summary = card["summary"]
            assert len(summary) < 140
            assert summary.endswith(" (research only)")
            assert "RESEARCH USE ONLY" in card["detail"]
        for r, card in zip(report.rationales, made, strict=False):
            group = evidence_group(r.evidence.kind)
            words = direction_words(r.evidence) + {"breast_cancer": " (breast cancer)",
                                                    "other_tumours": " (other tumours only)"}.get(group, "")
            finding, _, rest = card["summary"].partition(" — ")
            assert rest == f"{words} (research only)"
            if finding.endswith("…"):
                shortened += 1
                kept = finding.removesuffix("…")
                title = short_title(r.title)
                assert title.startswith(kept) and not kept.endswith((" ", ",", "(")), finding
                assert title[len(kept)] in " ,;:", f"cut inside a word: {finding!r}"
            else:
                assert finding in (r.title, short_title(r.title))
    assert shortened, "some titles are long enough to be shortened: the cut is tested"


@pytest.mark.parametrize(("text", "room", "fitted"), [
    ("Ridaforolimus + dalotuzumab (mTOR + IGF-1R blockade) in ER+ disease", 40, "Ridaforolimus + dalotuzumab…"),
    ("in endocrine-resistant ER+ advanced disease", 28, "in endocrine-resistant ER+…"),
    ("short", 10, "short"),
    ("Antidisestablishmentarianism", 10, ""),
    ("one, two three", 8, "one…"),
    ("one, two three", 9, "one, two…"),
])
def test_a_shortened_text_ends_on_a_whole_word_and_an_ellipsis(text: str, room: int, fitted: str) -> None:
    assert fit_words(text, room) == fitted
    assert len(fit_words(text, room)) <= room


def test_each_card_has_a_topic_and_the_four_override_reasons(reports: dict[str, Report]) -> None:
    topics = set()
    for report in reports.values():
        for card in cards(report, [], INSTANCE):
            topic = card["source"]["topic"]
            assert topic["system"] == TOPIC_SYSTEM and topic["display"] == TOPICS[topic["code"]]
            topics.add(topic["code"])
            assert card["overrideReasons"] == [{"system": OVERRIDE_SYSTEM, "code": code, "display": display}
                                               for code, display in OVERRIDE_REASONS.items()]
    assert topics == set(TOPICS)
    assert set(OVERRIDE_REASONS) == {"discussed-at-board", "record-data-wrong", "not-relevant", "evidence-outdated"}


def test_a_rationale_card_carries_its_evidence_and_the_knowledge_base(reports: dict[str, Report]) -> None:
    report = reports["metastatic-hr-positive-pik3ca.json"]
    made = cards(report, [], INSTANCE)
    for r, card in zip(report.rationales, made, strict=False):
        evidence = card["extension"][EVIDENCE_EXTENSION]
        assert evidence["entry"] == r.id
        assert (evidence["level"], evidence["kind"], evidence["direction"]) == (
            r.evidence.level, r.evidence.kind, r.evidence.direction)
        assert evidence["dois"] == sorted({c.doi for c in r.citations if c.doi})
        kb = report.knowledge_base
        assert evidence["knowledgeBase"] == {"name": kb.name, "version": kb.version, "sha256": kb.sha256}
    assert all("extension" not in c for c in made[len(report.rationales):])  # only rationales have evidence
