"""The record must be breast cancer: its primary cancer Conditions, and where each one is.

igfrules explains rationales from a review of breast cancer; a colon cancer staged IV must never
become a breast-cancer rationale. So each primary cancer Condition (mCODE's primary-cancer-condition
profile, or a Condition whose code is a cancer and not a secondary one) is placed by its codes and
its body sites:

- **breast**: a SNOMED CT code of `BREAST_SNOMED`, ICD-10-CM C50 and its descendants, or D05
  (carcinoma in situ of breast), or a body site of `BREAST_SITE_SNOMED`, or "breast" asserted in the
  code's or body site's words;
- **another site**: a SNOMED CT code of `OTHER_SITE_SNOMED`, or ICD-10-CM C00-C75 (C4A, C7A too) other
  than C50 (C76 and C80, ill-defined and unspecified sites, say no site), C81-C96, or D00-D09 other than
  D05;
- otherwise (or when codes name breast and another site) the site is **not confirmed**.

A record whose primary cancers are all of another site is refused, naming the first one (a
CaseError: exit 1, an error line in a batch, 422 from the service). A record with a breast primary
and one of another site is read, with a warning, and the other's stage summary is not read. A
primary whose site is not confirmed, or no primary at all, is read with a warning: a true breast
cancer whose code is missing from these lists is never refused.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..errors import CaseError, Problem
from .bundle import Resources
from .codes import ICD10CM, SECONDARY_GENERIC, SECONDARY_SNOMED_SITE, SNOMED, icd10_secondary_site
from .concepts import codings, display_text
from .findings import read_concept
from .tumour import refuted, secondary_sites

# SNOMED CT breast-cancer disorders named with confidence: the general concept, its female-breast
# child, the IG's own example (left breast) and invasive ductal carcinoma of breast.
BREAST_SNOMED = {
    "254837009": "malignant neoplasm of breast", "372064008": "malignant neoplasm of female breast",
    "353431000119107": "primary malignant neoplasm of female left breast",
    "408643008": "infiltrating duct carcinoma of breast",
}
# SNOMED CT body structures: breast, left breast, right breast.
BREAST_SITE_SNOMED = {"76752008": "breast", "80248007": "left breast", "73056007": "right breast"}
# SNOMED CT cancers recognisably of another organ.
OTHER_SITE_SNOMED = {
    "363406005": "colon", "363358000": "lung", "363443007": "ovary", "363418001": "pancreas",
    "399068003": "prostate",
}
_WORDS = {"breast": "breast", "mammary": "breast"}
_CANCER_WORDS = {"cancer": "cancer", "carcinoma": "cancer", "malignant": "cancer", "malignancy": "cancer",
                 "adenocarcinoma": "cancer", "sarcoma": "cancer", "lymphoma": "cancer", "leukemia": "cancer",
                 "leukaemia": "cancer", "melanoma": "cancer"}
_PRIMARY_PROFILE = "primary-cancer-condition"


def _icd_site(code: str) -> str | None:
    """"breast", another site ("a site other than breast (ICD-10-CM C18)"), or None (secondary,
    ill-defined, not a cancer)."""
    code = code.replace(".", "").upper()
    if code.startswith(("C50", "D05")):
        return "breast"
    if code.startswith(("C4A", "C7A")):  # Merkel cell carcinoma; malignant neuroendocrine tumours (C7B: secondary)
        return f"a site other than breast (ICD-10-CM {code[:3]})"
    if len(code) < 3 or not code[1:3].isdigit():
        return None
    block = int(code[1:3])
    if code[0] == "C" and (block <= 75 or 81 <= block <= 96):
        return f"a site other than breast (ICD-10-CM {code[:3]})"
    if code[0] == "D" and block <= 9:
        return f"a site other than breast (ICD-10-CM {code[:3]}, in situ)"
    return None


def _code_site(system: str, code: str) -> str | None:
    if system == SNOMED:
        if code in BREAST_SNOMED:
            return "breast"
        return f"the {OTHER_SITE_SNOMED[code]} (SNOMED CT {code})" if code in OTHER_SITE_SNOMED else None
    return _icd_site(code) if system == ICD10CM else None


def _body_site(system: str, code: str) -> str | None:
    return "breast" if system == SNOMED and code in BREAST_SITE_SNOMED else None


@dataclass
class Primaries:
    """The record's primary cancers by where they are (labels), and the warnings to give."""

    conditions: list[Any] = field(default_factory=list)
    breast: list[str] = field(default_factory=list)
    other: dict[str, str] = field(default_factory=dict)  # label -> the site its code names
    unconfirmed: list[str] = field(default_factory=list)

    def of_this_cancer(self, resources: Resources) -> list[Any]:
        """The primaries whose clinical status is this cancer's: the breast ones when the record has
        one (a melanoma's recurrence is not the breast cancer's), else every one not of another site."""
        wanted = set(self.breast) if self.breast else None
        return [c for c in self.conditions if (resources.label(c) in wanted if wanted is not None
                                               else resources.label(c) not in self.other)]


def site(condition: Any) -> str:
    """"breast", the other site a code names, or "" when neither is confirmed."""
    read = read_concept(condition.code, _code_site, _WORDS)
    named = set(read.coded)
    for body in condition.bodySite or []:
        at = read_concept(body, _body_site, _WORDS)
        named |= set(at.coded) | set(at.words.asserted())
    if not named:
        named = set(read.words.asserted())  # words confirm breast only when no code places it
    if named == {"breast"}:
        return "breast"
    others = sorted(n for n in named if n != "breast")
    return others[0] if len(others) >= 1 and "breast" not in named else ""


def is_primary_cancer(condition: Any) -> bool:
    """A primary cancer Condition: mCODE's profile, or a cancer code or asserted word, never a secondary one.
    Words alone do not make a Condition secondary when its code or profile says primary: "Metastatic
    carcinoma of breast" coded C50.911 is the breast primary, spread (it may be a secondary site too)."""
    if refuted(condition):
        return False
    profiles = [str(p) for p in ((condition.meta.profile or []) if condition.meta else [])]
    read = read_concept(condition.code, _code_site, _CANCER_WORDS)
    if secondary_sites(condition) is not None and (_secondary_coded(condition, profiles) or not (
            read.coded or any(_PRIMARY_PROFILE in p for p in profiles))):
        return False
    if any(_PRIMARY_PROFILE in p for p in profiles):
        return True
    return bool(read.coded) or "cancer" in read.words.asserted()


def _secondary_coded(condition: Any, profiles: list[str]) -> bool:
    """Whether a code or the profile (not only words) says the Condition is a secondary cancer."""
    return any("secondary-cancer-condition" in p for p in profiles) or any(
        (system == SNOMED and (code in SECONDARY_SNOMED_SITE or code in SECONDARY_GENERIC))
        or (system == ICD10CM and icd10_secondary_site(code) is not None)
        for system, code, _ in codings(condition.code))


def primaries(resources: Resources) -> Primaries:
    found = Primaries()
    for condition in resources.of("Condition"):
        if not is_primary_cancer(condition):
            continue
        label = resources.label(condition)
        found.conditions.append(condition)
        where = site(condition)
        if where == "breast":
            found.breast.append(label)
        elif where:
            found.other[label] = where
        else:
            found.unconfirmed.append(label)
    return found


def _skipped_conditions(resources: Resources, found: Primaries) -> dict[str, str]:
    """Invalid Conditions (skipped) whose raw code still places a cancer: an invalid colon-cancer
    Condition must not let the record pass as breast cancer, and one that could be the breast
    primary must not let another site's cancer refuse the record. label -> what its codes name."""
    named = {}
    for item in resources.skipped:
        if item.kind != "Condition":
            continue
        places = [where for system, code in item.codes or () if (where := _code_site(system, code))]
        if not places:
            # Its code unreadable, or one these lists do not place (a SNOMED CT descendant, a local
            # code): it could be the breast primary, so it keeps the record from being refused.
            # ICD-10-CM places every breast cancer (C50, D05); a diabetes or a SNOMED CT secondary-cancer
            # code is no primary.
            secondary = any(s == SNOMED and (c in SECONDARY_SNOMED_SITE or c in SECONDARY_GENERIC)
                            for s, c in item.codes or ())
            if not any(s == ICD10CM for s, _ in item.codes or ()) and item.fields() != ("diabetes",) \
                    and not secondary:
                found.unconfirmed.append(f"{item.label} (skipped as not valid FHIR R4)")
            continue
        if places == ["breast"] * len(places):
            found.breast.append(item.label)
        elif "breast" not in places:
            found.other[item.label] = places[0]
            named[item.label] = ", ".join(code for _, code in item.codes or ())
    return named


def check_breast(resources: Resources, warnings: list[str]) -> Primaries:
    """The record's primary cancers; a CaseError when every one is of another site than breast."""
    found = primaries(resources)
    skipped = _skipped_conditions(resources, found)
    if found.other and not found.breast and not found.unconfirmed:
        label, where = next(iter(found.other.items()))
        condition = next((c for c in found.conditions if resources.label(c) == label), None)
        named = (skipped[label] + " (a Condition skipped as not valid FHIR R4)" if condition is None else
                 display_text(condition.code) or ", ".join(code for _, code, _ in codings(condition.code)))
        raise CaseError(Problem(resources.source, f"{label}: Condition.code", (
            f"the primary cancer is {named!r}, a cancer of {where}, not breast cancer; igfrules reads "
            "breast-cancer records only (breast: SNOMED CT breast-cancer codes, ICD-10-CM C50 or D05, or a "
            "breast body site; docs/fhir.md lists them)")))
    for label, where in found.other.items():
        warnings.append(f"{label}: a primary cancer of {where}, beside "
                        f"{'the breast cancer' if found.breast else 'a cancer not placed'}; its stage is not read")
    if not found.conditions:
        warnings.append("no primary cancer Condition: the record does not confirm breast cancer; read as one")
    elif not found.breast:
        warnings.append(f"{', '.join(found.unconfirmed)}: breast cancer could not be confirmed from its code or "
                        "body site; read as breast cancer")
    return found


def unstaged(resources: Resources, found: Primaries) -> frozenset[str]:
    """Conditions whose stage summary is not the breast cancer's: with a breast primary, every other
    Condition (a cancer not placed may be another site's: a melanoma under a SNOMED CT code not
    listed); without one, every Condition but the primaries not of another site (a history of
    melanoma or a chronic kidney disease "stage 3" is no stage group of this cancer)."""
    staged = set(found.breast) if found.breast else {resources.label(c) for c in found.conditions} - set(found.other)
    return frozenset(resources.label(c) for c in resources.of("Condition")) - staged
