"""One way to read a coded-or-text finding: every coding, then the words, negation-aware and in
bounded time (`read_concept`).

Receptors, stage, metastatic sites, diabetes and genes are coded where the record codes them, and
read from words where it does not. Every coding of a concept is read, not the first: a caller
gives what each (system, code) means, and codings that mean different things are the caller's to
call a disagreement, never a choice. Words are where an unknown most easily becomes a value: "no
liver metastasis" names the liver, "diabetes mellitus in mother" names diabetes, "not positive"
says positive. So every reader of words goes through `mentions`, which finds the terms a text
names and says of each whether the text asserts it of this patient:

- the text is cut into clauses at punctuation (`. , ; /` and line breaks; not at a colon,
  which introduces what a heading says: "Family history: diabetes") and at "but",
  "however", "although", "except", "whereas"; a bracket is no break, and nothing inside one is:
  what is bracketed belongs to the clause it follows ("Liver metastasis (ruled out)", "Positive
  (not confirmed)" say it of the liver, of positive);
- in its clause, a term is **negated** by a cue before it ("no", "not", "without", "denies",
  "negative for", "free of", "absence of", "rule out", ...) or after it ("ruled out", "excluded",
  "absent", "not detected", "not seen", ...);
- it is **uncertain** beside a hedge ("possible", "suspected", "suspicious for", "questionable",
  "probable", "provisional", "versus") or a negated exclusion ("not excluded", "not ruled out",
  "cannot be excluded", "can't be ruled out": a doubt, never a negation) and **someone else's** when its clause names a
  relative or family history ("mother", "sister", "family history", ...).

Only an asserted mention is a finding; the others are reported so that a reader can say why a
field stayed unknown. Nothing here is a value by default.

Time: every pattern is a single alternation or a character class, with no nested or lazy
quantifier, so each pass is linear in the text; and no text longer than MAX_TEXT characters is
read at all (a concept's text is a few words; a longer one is noted and left unread). A 400 KB
text therefore costs one length check.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any

from .concepts import codings

MAX_TEXT = 1024  # characters; a coded concept's text or display is a few words

_CLAUSE_BREAK = re.compile(r"[.,;/\n\r]|\b(?:but|however|although|except|whereas)\b")
# A bracketed part, not nested: breaks inside one do not cut its clause. Linear (a class, no nesting).
_BRACKETED = re.compile(r"\([^()]*\)|\[[^\[\]]*\]")
# "not excluded", "not ruled out", "cannot be excluded", "can't be ruled out", "could not be
# excluded": the exclusion is denied, so the term is in doubt, not negated.
_NOT_EXCLUDED = re.compile(
    r"\b(?:not|cannot|can ?not|can['\u2019]t|could not|couldn['\u2019]t|not yet)\s+(?:be\s+|been\s+)?"
    r"(?:excluded|ruled out|r_o)\b")
_BEFORE = re.compile(
    r"\b(?:no|not|non|never|without|denies|denied|deny|negative for|free of|absence of|absent|"
    r"rule out|r_o|ruled out|excluded|exclude|neither|nor|resolved|history negative for)\b")
_AFTER = re.compile(
    r"\b(?:ruled out|excluded|absent|not (?:seen|found|detected|present|identified|confirmed)|"
    r"negative|unlikely|denied|resolved)\b")
# "Diabetes mellitus: no", "Liver metastasis - none": a term given a negative answer.
_ANSWERED_NO = re.compile(r"\s*[:=-]\s*(?:no|none|nil|negative|absent|denied|n)\b")
_HEDGE = re.compile(
    r"\b(?:possible|possibly|suspected|suspect|suspicious|suspicion|questionable|query|probable|"
    r"probably|likely|versus|vs|equivocal|indeterminate|provisional|presumed|presumptive|tentative|"
    r"unconfirmed|risk of|screening|at risk)\b|\?")
_SOMEONE_ELSE = re.compile(
    r"\b(?:mother|father|sister|brother|aunt|uncle|grandmother|grandfather|daughter|son|sibling|"
    r"cousin|parent|parents|maternal|paternal|family history|family hx|fh|fhx|relative|niece|"
    r"nephew)\b")


@dataclass(frozen=True)
class Mention:
    """One term found in a text, and what the text says of it."""

    term: str
    meaning: str  # what the caller mapped the term to (a site, "positive", ...)
    negated: bool = False
    uncertain: bool = False
    someone_else: bool = False

    @property
    def asserted(self) -> bool:
        return not (self.negated or self.uncertain or self.someone_else)


@dataclass(frozen=True)
class Reading:
    """Every mention of the terms in a text; `too_long` when the text was not read."""

    mentions: tuple[Mention, ...] = ()
    too_long: bool = False

    def asserted(self) -> list[str]:
        """What the text asserts, each meaning once, in the order first found."""
        return list(dict.fromkeys(m.meaning for m in self.mentions if m.asserted))

    def not_asserted(self) -> list[Mention]:
        return [m for m in self.mentions if not m.asserted]


@cache
def _pattern(terms: tuple[str, ...]) -> re.Pattern[str]:
    # Longest first, so "not amplified" is found before "amplified" inside it. A term is a word
    # start ("metasta" finds "metastases"); one alternation, so one linear pass.
    ordered = sorted(terms, key=len, reverse=True)
    return re.compile(r"(?<![0-9a-z])(?:" + "|".join(re.escape(t) for t in ordered) + ")")


def mentions(text: str, terms: dict[str, str]) -> Reading:
    """The terms (text -> meaning, lower case) that `text` names, each with what the text says
    of it. Words are matched case-insensitively from a word's start."""
    if not text or not terms:
        return Reading()
    if len(text) > MAX_TEXT:
        return Reading(too_long=True)
    # Every offset below is into `folded` itself, so casefolding may change the length: a ligature
    # pasted from a PDF ("con\ufb01rmed" -> "confirmed") must still be read as the cue it spells.
    folded = text.casefold().replace("r/o", "r_o")  # "r/o" (rule out) is one cue, not a clause break
    breaks = _breaks(folded)
    found = []
    for match in _pattern(tuple(terms)).finditer(folded):
        term = match.group(0)
        found.append(_said_of(folded, breaks, match.start(), match.end(), term, terms[term]))
    return Reading(tuple(found))


def _breaks(folded: str) -> list[int]:
    """Where clauses end: a break inside brackets does not count (a bracket belongs to its clause)."""
    inside = [(m.start(), m.end()) for m in _BRACKETED.finditer(folded)]
    return [m.start() for m in _CLAUSE_BREAK.finditer(folded) if not _within(m.start(), inside)]


def _said_of(folded: str, breaks: list[int], begin: int, finish: int, term: str, meaning: str) -> Mention:
    """What the clause around folded[begin:finish] says of it (cues before and after, in the clause)."""
    left = bisect.bisect_left(breaks, begin)
    start = breaks[left - 1] + 1 if left else 0
    right = bisect.bisect_left(breaks, finish)
    end = breaks[right] if right < len(breaks) else len(folded)
    before, after = folded[start:begin], folded[finish:end]
    doubt = bool(_NOT_EXCLUDED.search(before) or _NOT_EXCLUDED.search(after))
    # A denied exclusion is a doubt: its words are not read again as a negation.
    before, after = _NOT_EXCLUDED.sub(" ", before), _NOT_EXCLUDED.sub(" ", after)
    return Mention(
        term=term, meaning=meaning,
        negated=bool(_BEFORE.search(before) or _AFTER.search(after) or _ANSWERED_NO.match(after)),
        uncertain=doubt or bool(_HEDGE.search(before) or _HEDGE.search(after)),
        someone_else=bool(_SOMEONE_ELSE.search(before) or _SOMEONE_ELSE.search(after)))


def said_of(text: str, begin: int, finish: int, meaning: str = "") -> Mention:
    """What `text` says of its span text[begin:finish] (a value a caller found by its own pattern:
    an IHC score, say), read as `mentions` reads a term: negated, uncertain, someone else's. A text
    over MAX_TEXT characters, or one whose case-folding changes its length, is not read: the span
    is then uncertain, never asserted."""
    term = text[begin:finish]
    folded = text.casefold()
    if len(text) > MAX_TEXT or len(folded) != len(text):
        return Mention(term=term, meaning=meaning, uncertain=True)
    folded = folded.replace("r/o", "r_o")
    return _said_of(folded, _breaks(folded), begin, finish, term, meaning)


def _within(at: int, spans: list[tuple[int, int]]) -> bool:
    """Whether offset `at` lies in one of `spans` (sorted, not overlapping)."""
    i = bisect.bisect_right([start for start, _ in spans], at) - 1
    return i >= 0 and at < spans[i][1]


def negated_or_hedged(text: str) -> bool:
    """Whether a text, brackets and all, carries any negation or hedge cue ("Stage IV (suspected)",
    "IV (ruled out)", "not confirmed"): for a value read from the whole text, such as a stage group.
    A text over MAX_TEXT characters is not read and counts as doubtful."""
    if len(text) > MAX_TEXT:
        return True
    folded = text.casefold().replace("r/o", "r_o")
    return bool(_NOT_EXCLUDED.search(folded) or _BEFORE.search(folded) or _AFTER.search(folded)
                or _HEDGE.search(folded))


def read_all(texts: Iterable[str], terms: dict[str, str]) -> Reading:
    """`mentions` over several texts (a concept's text and each display), as one reading."""
    out: list[Mention] = []
    too_long = False
    for text in texts:
        reading = mentions(text, terms)
        out.extend(reading.mentions)
        too_long = too_long or reading.too_long
    return Reading(tuple(out), too_long)


def why_not(reading: Reading) -> str:
    """Why a text's mentions were not taken as findings, for a mapping note."""
    if reading.too_long:
        return f"text over {MAX_TEXT} characters not read"
    reasons = []
    for mention in reading.not_asserted():
        how = "negated" if mention.negated else "someone else's" if mention.someone_else else "uncertain"
        reasons.append(f"{mention.term!r} {how}")
    return "; ".join(dict.fromkeys(reasons))


CodeMeaning = Callable[[str, str], "str | None"]


@dataclass(frozen=True)
class ConceptReading:
    """What a concept says: by its codings (every one), by its words, and by a parser of values."""

    coded: tuple[str, ...] = ()  # the meanings of its codings, each once, in order
    words: Reading = Reading()  # what its text and displays assert and do not (terms given)
    parsed: tuple[str, ...] = ()  # values a parser found in its text and displays (parse given)


def read_concept(concept: Any, code_meaning: CodeMeaning, terms: dict[str, str] | None = None, *,
                 parse: Callable[[str], str | None] | None = None,
                 texts: Iterable[str] = ()) -> ConceptReading:
    """Read a CodeableConcept: `code_meaning(system, code)` for every coding; `terms` (word ->
    meaning) in its text, its displays and `texts` (a valueString, say) with `mentions`; and
    `parse` (a bounded parser: a stage group, say) on the same texts."""
    found = codings(concept)
    coded = tuple(dict.fromkeys(m for system, code, _ in found if (m := code_meaning(system, code))))
    words = [concept.text or ""] if concept is not None else []
    words += [display for _, _, display in found] + list(texts)
    words = [w for w in words if w]
    reading = read_all(words, terms) if terms else Reading()
    parsed = tuple(dict.fromkeys(v for w in words if (v := parse(w)))) if parse else ()
    return ConceptReading(coded, reading, parsed)
