"""The brief's rows, computed once from a Report: the rationales grouped by what their evidence
shows, the studies, the missing fields, what is not considered, the glossary. The text, Markdown and
HTML renderers and the CDS cards draw these same rows (brief.py, html.py, service/cards.py), so
they cannot disagree."""


from __future__ import annotations

import re
from typing import NamedTuple

from ..model.fields import FIELDS, RESEARCH_MEASUREMENTS
from ..model.report import Rationale, Report, TrialMatch
from ..model.verdict import EVIDENCE_GROUPS, evidence_group
from ..model.vocabulary import vocabulary
from .labels import (
    clip,
    direction_class,
    direction_words,
    field_label,
    humanize,
    legend_items,
    level_words,
    profile_items,
)

WIDTH = 100
GLANCE_HEADING = "What the evidence shows for this profile"
TRIALS_HEADING = "Studies that would have enrolled her"
TRIALS_NOTE = "evidence, not a referral; status today first, with its record's date"
MISSING_HEADING = "What would change the answer"
NOT_CONSIDERED_HEADING = "Not considered by this knowledge base"
NO_RATIONALE = "None of the review's rationales matches this profile with what is known."
MISSING_TITLE = 36  # an entry's title in "what would change the answer": shortened, whole in the cards
RESEARCH_MEASUREMENT = "research measurement: no validated assay; not a reason to test"
HARM = "harm reported"
OTHER_TUMOURS = "data from other tumours"
CLOSED = ("completed", "terminated", "withdrawn", "closed", "active, not recruiting", "suspended")


# Rows are NamedTuples, not dataclasses: immutable records all the same, and creating a frozen
# dataclass at import (it compiles its methods) costs `igfrules evaluate` several times more.
class Heightened(NamedTuple):
    title: str
    text: str  # what the heightened caution adds, in full
    because: str  # "heightened because diabetes or insulin resistance is true"


class GlanceRow(NamedTuple):
    id: str
    title: str
    level: str  # "D: preclinical"
    direction: str  # "hypothesis (preclinical)"
    significance: str  # the class of the direction: hypothesis, negative, caution, ...
    why: tuple[str, ...]  # the reasons it applies, with human labels
    heightened: tuple[Heightened, ...]  # heightened cautions, in full
    evidence_from: str = ""  # whom the clinical results come from, when narrower than why it applies
    badges: tuple[str, ...] = ()  # "harm reported", "data from other tumours"
    group: str = "preclinical"  # breast_cancer, other_tumours, preclinical
    subtype_specific: bool = False


class GlanceGroup(NamedTuple):
    key: str
    heading: str
    rows: tuple[GlanceRow, ...]


class TrialRow(NamedTuple):
    nct_id: str
    acronym: str
    phase: str
    design: str
    today: str  # status today with the record's date, or what is known of it
    outcome: str  # the outcome published, with its sources, or "none published"
    reported: str  # the status the review (or the trial's publication) reported, with its date


class MissingRow(NamedTuple):
    field: str  # the human label (or the question to settle)
    affects: tuple[str, ...]  # titles of the entries and trials it would decide
    note: str = ""  # RESEARCH_MEASUREMENT for a field with no validated clinical assay


class NotConsideredRow(NamedTuple):
    name: str  # "palbociclib (CDK4/6 inhibitor)" or a field label
    words: str


def glance_row(r: Rationale) -> GlanceRow:
    heightened = tuple(
        Heightened(c.title, " ".join(c.heightened_text.split()),
                   "heightened because " + "; ".join(_recorded(humanize(b)) for b in c.heightened_because))
        for c in r.cautions if c.heightened)
    badges = tuple(b for b, shown in ((HARM, any(c.kind == "harm" for c in r.cautions)),
                                      (OTHER_TUMOURS, r.evidence.kind == "clinical_other_tumours")) if shown)
    return GlanceRow(r.id, r.title, level_words(r.evidence), direction_words(r.evidence),
                     direction_class(r.evidence), tuple(humanize(b) for b in r.because), heightened,
                     _narrower_population(r.evidence_population), badges, evidence_group(r.evidence.kind),
                     r.subtype_specific)


def _recorded(reason: str) -> str:
    """'diabetes or insulin resistance is true' reads 'diabetes or insulin resistance is recorded'."""
    return reason.removesuffix(" is true") + " is recorded" if reason.endswith(" is true") else reason


def _narrower_population(text: str) -> str:
    """Whom the evidence comes from, without a lead-in such as 'The results come from ...:'."""
    text = " ".join(text.split())
    lead, colon, rest = text.partition(": ")
    # Only a lead-in that says where the results come from goes ("... come from narrower
    # populations than ...: "); a colon after a trial's name ("XENERA-1: ...") is part of the text.
    if colon and len(lead) < 120 and "come from" in lead:
        return rest[:1].upper() + rest[1:]
    return text


def glance_rows(report: Report) -> list[GlanceRow]:
    return [row for group in glance_groups(report) for row in group.rows]


def glance_groups(report: Report) -> list[GlanceGroup]:
    """The rationales by what their evidence shows, in the verdict's groups and order; within a
    group, those specific to the patient's subtype first, then strongest evidence first."""
    rows = [glance_row(r) for r in report.rationales]
    groups = []
    for key, heading in EVIDENCE_GROUPS:
        members = [row for row in rows if row.group == key]
        members.sort(key=lambda row: not row.subtype_specific)  # stable: the report's order within
        if members:
            groups.append(GlanceGroup(key, heading, tuple(members)))
    return groups


def today_words(t: TrialMatch) -> str:
    """The status today with the date of its record ('completed (record of 2021)'), marked when the
    sources name it but no dated record."""
    today = t.status_today
    if today is None:
        return "not recorded in this knowledge base"
    if today.as_of == "not verified":
        said = _first_clause(today.status)
        return "not verified (no dated record)" if said == "not verified" else f"{said} (no dated record; not verified)"
    when = today.as_of.replace(" (year only)", "")
    return f"{_first_clause(today.status)} (record of {when}{'' if today.verified else ', not verified'})"


def _first_clause(status: str) -> str:
    """'completed, results published in full' reads 'completed': what was published is the outcome."""
    return re.split(r"[,;]", status, maxsplit=1)[0].strip()


def reported_status(t: TrialMatch) -> str:
    """The status the review reported, with its date; a trial outside its Table 1 says so (its status
    then comes from its own publication, which the status today and the outcome already give)."""
    if not t.in_review_table:
        return "not in the review's Table 1"
    reported = _first_clause(t.status)
    if t.status_today is not None and _first_clause(t.status_today.status).casefold() == reported.casefold():
        return f"as in the review ({t.status_as_of})"
    return f"the review reported: {reported} ({t.status_as_of})"


def since_words(t: TrialMatch) -> str:
    """The outcome published, with its sources, or 'none published'."""
    if t.since is None:
        return "none recorded"
    return f"{t.since.statement} ({'; '.join(c.citation for c in t.since.citations)})"


def trial_rows(report: Report) -> list[TrialRow]:
    return [TrialRow(t.nct_id, t.acronym, t.phase, t.design, today_words(t), since_words(t), reported_status(t))
            for t in report.trials]


def all_closed(report: Report) -> bool:
    """Every study's registry record says it is closed (a study with no dated record is not counted
    as closed: its status today is unknown)."""
    return all(t.status_today is not None and t.status_today.status.casefold().startswith(CLOSED)
               for t in report.trials)


def missing_rows(report: Report) -> list[MissingRow]:
    """Each missing field (or question) once, by label, with the titles of what it would decide."""
    affects: dict[str, list[str]] = {}
    for n in report.needs_information:
        title = f"{n.rule_id} ({clip(n.title, 35)})" if n.kind == "trial" else clip(n.title, MISSING_TITLE)
        for name in n.missing:
            affects.setdefault(name, []).append(title)
    rows = []
    for name, titles in affects.items():
        head = name.partition(".")[0]
        note = RESEARCH_MEASUREMENT if head in RESEARCH_MEASUREMENTS else ""
        label = field_label(name) if head in FIELDS else f"to settle by hand: {name}"
        rows.append(MissingRow(label, tuple(titles), note))
    # Fields a board can act on first; research measurements last.
    return sorted(rows, key=lambda m: bool(m.note))


def not_considered_rows(report: Report) -> list[NotConsideredRow]:
    vocab = vocabulary()
    rows = []
    for name in report.not_considered:
        agent = vocab.agents.get(name)
        if agent is not None:
            label = vocab.classes[agent.drug_class].label
            rows.append(NotConsideredRow(f"{name} ({label})", "no entry's condition reads this therapy or its "
                                         "class: the report says nothing about it, which is not 'no effect'"))
        else:
            rows.append(NotConsideredRow(field_label(name), "recorded, but no entry's condition reads it"))
    return rows


def profile_line(report: Report) -> str:
    return "; ".join(f"{label}: {words}" for label, words in profile_items(report)) or "no field known"


def legend_line() -> str:
    levels = "; ".join(f"{level} {meaning}" for level, meaning in legend_items())
    return f"Levels: {levels}; * post-review."


def kb_line(report: Report) -> str:
    kb = report.knowledge_base
    return (f"igfrules {report.engine_version}; knowledge base {kb.name} {kb.version} "
            f"(sha256 {kb.sha256[:12]})")


def footer_line(report: Report) -> str:
    count = len(report.context)
    return (f"The full evidence cards and {count} context note{'s' if count != 1 else ''}: "
            "igfrules evaluate CASE --detail full.")


# Abbreviations and terms a brief may use, in full (the glossary lists only those it uses).
GLOSSARY: tuple[tuple[str, str, str], ...] = (
    (r"\bPFS\b", "PFS", "progression-free survival"),
    (r"\bOS\b", "OS", "overall survival"),
    (r"\bDFS\b", "DFS", "disease-free survival"),
    (r"\bORR\b", "ORR", "objective response rate"),
    (r"\bHR (about|of|=|\d)", "HR", "hazard ratio"),
    (r"\bHR[+-]", "HR+/-", "hormone receptor +/-"),
    (r"\bRPTD\b", "RPTD", "recommended phase II dose"),
    (r"\bMTD\b", "MTD", "maximum tolerated dose"),
    (r"\bDLTs?\b", "DLT", "dose-limiting toxicity"),
    (r"\bESCAT\b", "ESCAT", "ESMO Scale for Clinical Actionability of molecular Targets"),
    (r"\bIGF-1R\b", "IGF-1R", "IGF-1 receptor"),
    (r"\bIHC\b", "IHC", "immunohistochemistry"),
    (r"\bISH\b", "ISH", "in situ hybridisation"),
    (r"\bTKIs?\b", "TKI", "tyrosine kinase inhibitor"),
    (r"\bmTOR\b", "mTOR", "mechanistic target of rapamycin"),
    (r"\bT-DXd\b", "T-DXd", "trastuzumab deruxtecan"),
    (r"\bT-DM1\b", "T-DM1", "trastuzumab emtansine"),
    (r"\bCDK4/6\b", "CDK4/6", "cyclin-dependent kinase 4/6"),
    (r"\bpost-review\b", "post-review", "published after the review or not in it"),
    (r"igfrules' curation", "igfrules' curation", "this knowledge base's choice, not the review's"),
)


def glossary_line(text: str) -> str:
    used = [f"{term} {meaning}" for pattern, term, meaning in GLOSSARY if re.search(pattern, text)]
    return "Glossary: " + "; ".join(used) + "." if used else ""


