"""The HTML page, read structurally with the stdlib parser: what it shows, in what order, escaped,
self-contained and deterministic. tests/browser checks what a real browser shows of it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

import pytest

import igfrules
from igfrules.model.report import Report
from igfrules.rendering.brief_rows import MISSING_TITLE, glance_groups, glance_rows, missing_rows
from igfrules.rendering.html import render_html
from igfrules.rendering.labels import BANNER, FIELD_LABELS, clip, direction_words, doi_url, nct_url
from tests.conftest import CASES

CASE_FILES = sorted(p for p in CASES.iterdir() if p.suffix in {".yaml", ".json"})
HOSTILE = "<script>alert(1)</script>"
VOID = {"meta", "br", "hr", "img", "link", "input", "wbr", "source", "col"}


# -- a small DOM built with html.parser ----------------------------------------------------------

@dataclass
class Node:
    tag: str
    attrs: dict[str, str]
    children: list[Node | str] = field(default_factory=list)

    @property
    def classes(self) -> set[str]:
        return set(self.attrs.get("class", "").split())

    def text(self) -> str:
        parts = [c if isinstance(c, str) else c.text() for c in self.children]
        return " ".join("".join(parts).split())

    def elements(self) -> list[Node]:
        return [c for c in self.children if isinstance(c, Node)]

    def iter(self) -> Iterator[Node]:
        for child in self.elements():
            yield child
            yield from child.iter()

    def find_all(self, tag: str, cls: str | None = None) -> list[Node]:
        return [n for n in self.iter() if n.tag == tag and (cls is None or cls in n.classes)]

    def find(self, tag: str, cls: str | None = None) -> Node:
        found = self.find_all(tag, cls)
        assert found, f"no <{tag} class={cls}>"
        return found[0]


class _Builder(HTMLParser):
    """Builds the tree and insists that every element closes in order: the page is well formed."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", {})
        self.stack = [self.root]
        self.doctype = ""

    def handle_decl(self, decl: str) -> None:
        self.doctype = decl

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, {k: v or "" for k, v in attrs})
        self.stack[-1].children.append(node)
        if tag not in VOID:
            self.stack.append(node)

    def handle_endtag(self, tag: str) -> None:
        assert self.stack[-1].tag == tag, f"</{tag}> closes <{self.stack[-1].tag}>"
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


def parse(page: str) -> tuple[Node, str]:
    builder = _Builder()
    builder.feed(page)
    builder.close()
    assert builder.stack == [builder.root], f"unclosed: {[n.tag for n in builder.stack]}"
    return builder.root, builder.doctype


# -- a report built by hand, so these tests do not depend on the knowledge base's content ---------

def _cite(cid: str, text: str, post_review: bool = False) -> dict[str, Any]:
    return {"id": cid, "citation": text, "doi": "", "post_review": post_review}


def sample_report(case_id: str | None = "tb-html-sample", **changes: Any) -> Report:
    review = _cite("ianza2021", "Ianza et al., 2021")
    rugo = _cite("rugo2017", "Rugo et al., 2017", post_review=True)
    evidence = {"level": "B", "kind": "nonrandomised_clinical", "direction": "supports",
                "statement": "Clinical benefit in 21.7% of breast-cancer patients (phase I).",
                "escat": None}
    data: dict[str, Any] = {
        "case_id": case_id,
        "knowledge_base": {"name": "ianza-2021-igf1-axis", "version": "1.0.0", "sha256": "ab" * 32},
        "engine_version": igfrules.__version__,
        "profile": {"case_id": case_id, "er_status": "positive", "stage": "IV", "diabetes": True,
                    "prior_therapies": [{"agent": "anastrozole", "setting": "metastatic",
                                         "progressed": True}]},
        "rationales": [
            {"id": "RAT-RIDA-DALO", "title": "Ridaforolimus + dalotuzumab <in ER+ & advanced>",
             "summary": "A candidate research rationale.",
             "strategy": {"igf_axis": "igf1r_antibody", "partners": ["mtor_inhibitor"],
                          "sequence": ""},
             "agents": [{"name": "dalotuzumab", "drug_class": "igf1r_antibody",
                         "class_label": "anti-IGF-1R antibody"}],
             "evidence": evidence,
             "findings": [{"statement": "Dual inhibition increased antitumour activity.",
                           "direction": "supports", "citations": [review]},
                          {"statement": "NCT01605396 did not improve PFS.",
                           "direction": "does_not_support", "citations": [rugo],
                           "post_review": True}],
             "citations": [review, rugo], "trials": ["NCT01605396"],
             "because": ["er_status is positive", "stage IV is at least IIIB"],
             "cautions": [{"id": "CAU-HYPERGLYCAEMIA", "kind": "harm", "title": "Hyperglycaemia",
                           "text": "IGF-1R blockade raises glucose.", "citations": [review],
                           "heightened": True, "heightened_because": ["diabetes is true"],
                           "heightened_text": "Diabetes makes this weigh more."},
                          {"id": "CAU-STOMATITIS-MTOR", "kind": "harm", "title": "Stomatitis",
                           "text": "mTOR inhibitors cause stomatitis.", "citations": [review]}]},
            {"id": "RAT-IR-TAMR", "title": "IR blockade in tamoxifen resistance",
             "summary": "Preclinical.",
             "strategy": {"igf_axis": "ir_inhibitor", "partners": [], "sequence": ""},
             "agents": [], "evidence": {**evidence, "level": "D", "kind": "preclinical",
                                        "direction": "caution", "escat": "IV"},
             "findings": [], "citations": [review], "trials": [],
             "because": ["tamoxifen progressed"],
             "cautions": []},
        ],
        "context": [{"id": "CTX-SERUM-IGF1", "title": "Serum IGF-1", "summary": "Risk context.",
                     "evidence": evidence, "findings": [], "citations": [review],
                     "because": ["serum_igf1 is high"]}],
        "trials": [
            {"nct_id": "NCT01605396", "acronym": "",
             "title": "Ridaforolimus + dalotuzumab + exemestane",
             "phase": "2", "design": "randomised", "status": "completed", "status_as_of": "2021-03-22",
             "status_words": "completed per the review (2021-03-22); since reported negative (Rugo)",
             "since": {"statement": "negative, no PFS improvement, HR 1.18", "direction": "does_not_support",
                       "citations": [rugo], "post_review": True},
             "regimen": "ridaforolimus + dalotuzumab + exemestane", "primary_outcome": "PFS",
             "breast_cancer_only": True, "population": "ER+ advanced",
             "results": [{"statement": "No PFS benefit (HR about 1.18).",
                          "direction": "does_not_support", "citations": [rugo],
                          "post_review": True}],
             "because": ["er_status is positive"]},
            {"nct_id": "NCT00730379", "acronym": "MK-0646", "title": "Phase I in solid tumours",
             "phase": "1", "design": "single arm", "status": "completed", "status_as_of": "2021-03-22",
             "status_words": "completed per the review (2021-03-22)",
             "regimen": "ridaforolimus + dalotuzumab", "primary_outcome": "safety",
             "breast_cancer_only": False, "population": "advanced solid tumours", "results": [],
             "because": ["stage IV"]},
        ],
        "needs_information": [{"rule_id": "RAT-GAN-ALP-PIK3CA", "title": "Ganitumab + alpelisib",
                               "kind": "rationale", "missing": ["pik3ca_mutation"]},
                              {"rule_id": "NCT01234857", "title": "Exemestane trial",
                               "kind": "trial", "missing": ["menopausal_status", "her2_status"]}],
        "warnings": ["PR positive with ER negative is unusual; check the pathology report."],
        "conclusion": "No IGF-axis trial showed a benefit in breast cancer.",
    }
    data.update(changes)
    return Report.model_validate(data)


def _words(text: str) -> str:
    return " ".join(text.split())


def real_report(kb: igfrules.KnowledgeBase, case: str) -> Report:
    return igfrules.evaluate(CASES / case, kb)


# -- what every page must satisfy ------------------------------------------------------------------

def check_page(report: Report, page: str) -> None:
    root, doctype = parse(page)
    assert doctype.lower() == "doctype html" and page.startswith("<!DOCTYPE html>")
    html = root.find("html")
    assert html.attrs.get("lang") == "en"
    assert any(m.attrs.get("charset", "").lower() == "utf-8" for m in root.find_all("meta"))
    body = root.find("body")
    first, closing = body.elements()[0], body.elements()[-1]
    assert "closing" in closing.classes  # the review's conclusion and the disclaimer, kept together
    last = closing.elements()[-1]
    assert "banner" in first.classes and first.text() == BANNER
    assert first.text().startswith("RESEARCH USE ONLY")
    assert "disclaimer" in last.classes and last.text() == report.disclaimer
    assert page.rstrip().endswith("</footer>\n</div>\n</body>\n</html>")

    cards = root.find_all("section", "rationale")
    assert [c.attrs["id"] for c in cards] == [r.id for r in report.rationales]
    for card, r in zip(cards, report.rationales, strict=True):
        assert card.find("h3").text() == _words(r.title)
        badge = card.find("header").find("span", "badge")
        assert badge.text() == direction_words(r.evidence)
        findings = card.find_all("ul", "findings")
        items = findings[0].find_all("li") if findings else []
        assert len([i for i in items if i.find_all("span", "ftag")]) == len(r.findings)
        for item, f in zip(items, r.findings, strict=True):
            tags = {t.text() for t in item.find_all("span", "tag")}
            assert ("post-review" in tags) == f.post_review
        heightened = card.find_all("div", "heightened")
        assert len(heightened) == sum(c.heightened for c in r.cautions)
        for div, c in zip(heightened, [c for c in r.cautions if c.heightened], strict=True):
            assert "Heightened for this patient" in div.text() and _words(c.heightened_text) in div.text()
        hrefs = {a.attrs["href"] for a in card.find_all("a")}
        assert {doi_url(c.doi) for c in r.citations if c.doi} <= hrefs
        assert {nct_url(t) for t in r.trials} <= hrefs

    # the glance tables: one per group of evidence, one row per rationale, each linking to its card
    glance = root.find("section", "glance")
    rows = [row for body in glance.find_all("tbody") for row in body.find_all("tr")
            if not {"heightened-row", "from"} & row.classes]
    by_id = {r.id: r for r in report.rationales}
    assert [row.find("a").attrs["href"] for row in rows] == [f"#{g.id}" for g in glance_rows(report)]
    headings = [h.text() for h in glance.find_all("h3", "group")]
    assert headings == [f"{g.heading} ({len(g.rows)})" for g in glance_groups(report)]
    for row in rows:
        r = by_id[row.find("a").attrs["href"][1:]]
        cells = row.elements()
        assert cells[2].text().startswith(direction_words(r.evidence))
        assert cells[1].text().startswith(f"{r.evidence.level}")
        assert "…" not in cells[3].text()  # why it applies, in full
    assert "Evidence levels:" in glance.find("p", "legend").text()

    notes = root.find_all("article", "context-note")
    assert [n.attrs["id"] for n in notes] == [c.id for c in report.context]
    if report.context:
        assert "not treatment rationales" in root.find("section", "context").find("h2").text()

    tables = root.find_all("table", "trials")
    trial_rows = tables[0].find("tbody").find_all("tr") if tables else []
    assert [r.find("a").text() for r in trial_rows] == [t.nct_id for t in report.trials]
    for row, t in zip(trial_rows, report.trials, strict=True):
        assert row.find("a").attrs["href"] == nct_url(t.nct_id)
        reported = row.elements()[1].text()  # today's status, then the review's, dated
        assert t.status_as_of in reported if t.in_review_table else reported.endswith("not in the review's Table 1")

    needs = root.find("section", "needs-information")
    missing = {m for n in report.needs_information for m in n.missing}
    shown = [li.find("strong").text() for li in needs.find_all("li")]
    assert shown == [m.field for m in missing_rows(report)]
    assert len(shown) == len(missing)
    for n in report.needs_information:
        assert (n.rule_id if n.kind == "trial" else clip(n.title, MISSING_TITLE)) in needs.text()
    warnings = root.find_all("section", "warnings")
    assert len([li for w in warnings for li in w.find_all("li")]) == len(report.warnings)
    conclusion = root.find("section", "conclusion").find("blockquote")
    assert conclusion.text() == _words(report.conclusion)
    verdict = root.find("p", "verdict")
    assert verdict.text() == report.verdict

    check_self_contained(page)
    detail = "full" if "<body class=\"full\">" in page else "brief"
    assert render_html(report, detail) == page, "the same report must give the same bytes"


LINK = re.compile(r'href="([^"]*)"')
ALLOWED_LINKS = re.compile(r"#[A-Z][A-Z0-9-]+|https://doi\.org/10\.\S+|https://clinicaltrials\.gov/study/NCT\d{8}")


def check_self_contained(page: str) -> None:
    """Links a reader opens (DOIs, ClinicalTrials.gov, the page's own cards); nothing the page loads."""
    lowered = page.lower()
    forbidden = ("<script", "http://", "src=", "@import", "url(", "<link", "<img", "<iframe")
    for reference in forbidden:
        assert reference not in lowered, reference
    for target in LINK.findall(page):
        assert ALLOWED_LINKS.fullmatch(target), target
    assert lowered.count("https://") == len([t for t in LINK.findall(page) if t.startswith("https://")])
    assert "@page { size: A4; margin: 9mm 10mm; }" in page
    assert "break-inside: avoid" in page


# -- tests ---------------------------------------------------------------------------------------

def test_sample_report_page() -> None:
    report = sample_report()
    check_page(report, render_html(report))


def test_post_review_and_heightened_caution_are_marked() -> None:
    root, _ = parse(render_html(sample_report()))
    card = root.find("section", "rationale")
    post = [li for li in card.find("ul", "findings").find_all("li") if "post-review" in li.text()]
    assert len(post) == 1 and "NCT01605396 did not improve PFS." in post[0].text()
    assert "diabetes or insulin resistance is true" in card.find("div", "heightened").text()
    assert card.find_all("div", "caution-note")[1].classes == {"caution-note"}  # not heightened
    assert "post-review" in root.find("section", "trials-full").find("ul", "findings").text()
    since = root.find("table", "trials").find("tbody").find_all("tr")[0].elements()[2].text()
    assert since == "negative, no PFS improvement, HR 1.18 (Rugo et al., 2017)"  # beside the status


def test_direction_words_keep_hypotheses_apart_from_clinical_results() -> None:
    """CIViC: direction is not significance. A preclinical 'supports' is a hypothesis, not green."""
    page = render_html(sample_report())
    root, _ = parse(page)
    badges = {b.text(): b.classes for table in root.find_all("table", "glance-table")
              for b in table.find_all("span", "badge")}
    assert badges == {"positive clinical result (breast cancer)": {"badge", "clinical-positive"},
                      "caution": {"badge", "caution"}}
    for colour in re.findall(r"#([0-9a-f]{6})\b", page):  # no green anywhere, not even for a clinical result
        r, g, b = (int(colour[i:i + 2], 16) for i in (0, 2, 4))
        assert not (g > r + 16 and g > b + 16), colour


def test_profile_uses_human_labels() -> None:
    page = render_html(sample_report())
    profile = parse(page)[0].find("p", "sub").text()
    assert profile == ("Profile: ER status: positive; stage: IV; diabetes or insulin resistance: true; "
                       "prior therapies: anastrozole (metastatic, progressed)")
    text_only = re.sub(r"<[^>]+>", " ", page)
    for raw in (name for name in FIELD_LABELS if "_" in name):
        assert raw not in text_only, raw


def test_case_id_and_knowledge_base_text_are_escaped() -> None:
    report = sample_report(case_id=HOSTILE)
    page = render_html(report)
    assert HOSTILE not in page and "<script" not in page.lower()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    root, _ = parse(page)
    assert root.find("h1").text() == f"Tumour-board brief: {HOSTILE}"  # shown as text, not run
    title = root.find("section", "rationale").find("h3").text()
    assert title == "Ridaforolimus + dalotuzumab <in ER+ & advanced>"
    check_page(report, page)


def test_empty_report_says_none() -> None:
    report = sample_report(case_id=None, profile={}, rationales=[], context=[], trials=[],
                           needs_information=[], warnings=[])
    page = render_html(report)
    check_page(report, page)
    root, _ = parse(page)
    assert "(no case id)" in root.find("h1").text()
    assert "no field known" in root.find("p", "sub").text()
    assert "None of the review's rationales matches" in root.find("section", "glance").text()
    assert not root.find_all("table", "trials") and not root.find_all("section", "context")


def test_deterministic_across_a_json_round_trip() -> None:
    report = sample_report()
    again = Report.model_validate_json(report.to_json())
    assert render_html(report).encode() == render_html(again).encode()


@pytest.mark.parametrize("case", [p.name for p in CASE_FILES])
def test_real_cases(kb: igfrules.KnowledgeBase, case: str) -> None:
    report = real_report(kb, case)
    check_page(report, render_html(report))


def test_real_case_with_hostile_case_id(kb: igfrules.KnowledgeBase) -> None:
    profile = {"case_id": HOSTILE, "er_status": "positive", "her2_status": "negative",
               "stage": "IV"}
    page = render_html(igfrules.evaluate(profile, kb))
    assert HOSTILE not in page and "&lt;script&gt;" in page
    check_self_contained(page)


def test_brief_order_and_the_cards_print_only_in_full_detail() -> None:
    report = sample_report()
    page = render_html(report)
    order = ['class="banner"', 'class="verdict"', 'class="warnings"', '<section class="glance">',
             '<section class="trials-section">', '<section class="needs-information">', 'class="evidence"',
             'class="disclaimer"']
    positions = [page.index(marker) for marker in order]
    assert positions == sorted(positions)
    assert '<body class="brief-only">' in page and ".brief-only .evidence { display: none; }" in page
    full = render_html(report, "full")
    assert '<body class="full">' in full
    check_page(report, full)
