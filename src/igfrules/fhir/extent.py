"""Where the disease is now and the intent of care: profile 2.0's `metastatic_sites` and
`treatment_intent` from a record, with where each came from.

- Sites come from secondary-cancer Conditions (their codes and body sites, every coding read, words
  read with their negation: tumour.current_secondary_sites). A resolved one (remission, inactive)
  or an unconfirmed one (provisional, differential) leaves the sites unknown, as an unclassified
  site does: it is neither a site now nor the absence of one. A secondary neoplasm of the axillary nodes
  (ICD-10-CM C77.3) is regional disease in breast cancer, not a metastatic site, and is left out. A
  secondary-cancer Condition whose site cannot be classified leaves the sites unknown: a list
  missing a site would let a reader take "not visceral" from it.
- The intent is mCODE's procedure-intent extension (SNOMED 373808002 curative, 363676003
  palliative) on the most recent medication record or procedure that carries one and was given
  (`given`: not entered in error, cancelled, a draft, not done, doNotPerform or a proposal);
  records of that latest date that disagree leave it unknown, with a warning. The primary cancer's
  clinicalStatus is read with it, and never stands in for it: a recurrence or relapse makes a
  recorded curative intent unknown (it was the intent of care before the cancer came back); a
  remission or resolution with no intent recorded leaves the intent unknown (remission follows
  palliative care too, so reading it as curative would make advanced disease false by assumption).
"""

from __future__ import annotations

from typing import Any

from ..model.fields import UNKNOWN
from ..model.mapping import FieldSource
from .bundle import Resources
from .codes import ICD10CM, INTENT_CURATIVE, INTENT_PALLIATIVE, PROCEDURE_INTENT_URL, SNOMED
from .concepts import code_in, codings, day, extensions
from .staging import distant_metastasis
from .tumour import current_secondary_sites, refuted, unconfirmed

Warnings = list[str]

# The record's site words (tumour.py) in the profile's catalogue (model/fields.py SITES).
SITE_OF = {
    "liver": "liver", "lung": "lung", "pleura": "pleura", "peritoneum": "peritoneum", "brain": "brain",
    "meninges": "leptomeninges", "bone": "bone", "lymph node": "lymph_node", "skin": "skin",
    "soft tissue": "soft_tissue", "adrenal gland": "other_visceral", "kidney": "other_visceral",
    "ovary": "other_visceral", "bowel": "other_visceral", "pericardium": "other_visceral",
    "bladder": "other_visceral", "mediastinum": "other_visceral", "other viscera": "other_visceral",
}
_CARE = ("MedicationRequest", "MedicationAdministration", "MedicationStatement", "Procedure")
_REMISSION = {"remission", "resolved", "inactive"}
_RELAPSED = {"recurrence", "relapse"}
# Statuses that say the medicine was not given, or say nothing of whether it was: a request
# revoked (withdrawn before any administration), cancelled, a draft, entered in error; an
# administration or procedure not done; a statement not taken or only intended; and `unknown` on
# any of them (the source does not know, which is not a therapy given). Counted: active, completed,
# and stopped and on-hold (it was begun, then stopped or paused).
_NOT_GIVEN = {"entered-in-error", "cancelled", "not-done", "not-taken", "draft", "intended", "revoked", "unknown"}
_NOT_AN_ORDER = {"proposal", "plan", "option", "directive"}


def given(resource: Any) -> bool:
    """Whether a medication record or procedure says the care was given (or is being given): not
    one entered in error, cancelled, a draft, not done, an order *not* to give it (doNotPerform), or
    a request that is only a proposal, plan or option. Prior therapies and the treatment intent
    both read only these."""
    if (resource.status or "") in _NOT_GIVEN or getattr(resource, "doNotPerform", None):
        return False
    return not (resource.get_resource_type() == "MedicationRequest" and (resource.intent or "") in _NOT_AN_ORDER)


def _axillary_nodes_only(condition: Any) -> bool:
    icd = [code.replace(".", "").upper() for system, code, _ in codings(condition.code) if system == ICD10CM]
    return bool(icd) and all(code.startswith("C773") for code in icd)


def metastatic_sites(resources: Resources, warnings: Warnings) -> FieldSource:
    found: dict[str, list[str]] = {}  # site -> the Conditions it came from
    seen, unclassified = current_secondary_sites(resources)  # an unconfirmed one: like an unclassified site
    axillary = {resources.label(c) for c in resources.of("Condition") if _axillary_nodes_only(c)}
    for site, label in seen:
        if label in axillary:
            continue
        if site in SITE_OF:
            found.setdefault(SITE_OF[site], []).append(label)
        else:
            unclassified.append(label)
    labels = tuple(dict.fromkeys(label for labels in found.values() for label in labels))
    unclassified = list(dict.fromkeys(unclassified))
    if unclassified:
        known = ", ".join(sorted(found)) or "none"
        return FieldSource(field="metastatic_sites", value=UNKNOWN, resources=(*labels, *unclassified),
                           note="a secondary-cancer Condition not confirmed, resolved, or whose site is not classified "
                                f"({', '.join(unclassified)}); sites classified: {known}")
    if not found:
        m_read = distant_metastasis(resources)
        said = "".join(f"; {m[3]} says {m[2]} ({m[5] or 'undated'})" for m in sorted(m_read))
        if any(m[2] == "M1" for m in m_read):
            said += ": distant metastasis with no site recorded"
        elif m_read:
            said += ": no distant metastasis at that staging, not a record of none now"
        return FieldSource(field="metastatic_sites", value=UNKNOWN, resources=tuple(m[3] for m in sorted(m_read)),
                           note="no secondary-cancer Condition (no record of a site is not a record of none)" + said)
    sites = sorted(found)
    return FieldSource(field="metastatic_sites", value=sites, resources=labels,
                       note="secondary-cancer Conditions: " + "; ".join(f"{s} ({', '.join(found[s])})" for s in sites))


def procedure_intents(resource: Any) -> set[str]:
    """Every intent a record's mCODE procedure-intent extensions state: curative, palliative."""
    said = set()
    for extension in extensions(resource, PROCEDURE_INTENT_URL):
        if code_in(extension.valueCodeableConcept, SNOMED, [INTENT_CURATIVE]):
            said.add("curative")
        if code_in(extension.valueCodeableConcept, SNOMED, [INTENT_PALLIATIVE]):
            said.add("palliative")
    return said


def _intent_of(resource: Any) -> str:
    said = procedure_intents(resource)
    return said.pop() if len(said) == 1 else ("both" if said else "")


def _when(resource: Any) -> str:
    for name in ("authoredOn", "effectiveDateTime", "performedDateTime", "dateAsserted"):
        value = getattr(resource, name, None)
        if value is not None:
            return day(value)
    for name in ("effectivePeriod", "performedPeriod"):
        period = getattr(resource, name, None)
        if period is not None and period.start is not None:
            return day(period.start)
    return ""


def treatment_intent(resources: Resources, warnings: Warnings, primaries: list[Any] | None = None) -> FieldSource:
    status = {code for c in primaries or [] if not refuted(c) and not unconfirmed(c)
              for _, code, _ in codings(c.clinicalStatus)}
    primary_labels = tuple(resources.label(c) for c in primaries or [])
    stated = []  # (date, intent, label)
    for kind in _CARE:
        for resource in resources.of(kind):
            if not given(resource):  # entered in error, cancelled, a draft, not done, a proposal
                continue
            intent = _intent_of(resource)
            if intent:
                stated.append((_when(resource), intent, resources.label(resource)))
    if stated:
        latest = max(date for date, _, _ in stated)
        current = [(intent, label) for date, intent, label in stated if date == latest]
        intents = {intent for intent, _ in current}
        labels = tuple(label for _, label in current)
        if len(intents) == 1 and "both" not in intents:
            intent = intents.pop()
            relapsed = sorted(status & _RELAPSED)
            if intent == "curative" and relapsed:
                return FieldSource(field="treatment_intent", value=UNKNOWN, resources=labels + primary_labels,
                                   note=f"curative intent recorded ({latest or 'undated'}), but the primary cancer "
                                        f"is in {'/'.join(relapsed)} (clinicalStatus): the intent of care since is "
                                        "not recorded")
            return FieldSource(field="treatment_intent", value=intent, resources=labels,
                               note=f"mCODE procedure intent {intent} on the latest record that states one "
                                    f"({latest or 'undated'})")
        warnings.append(f"treatment intent: the latest records ({', '.join(labels)}) say curative and palliative; "
                        "not read")
        return FieldSource(field="treatment_intent", value=UNKNOWN, resources=labels,
                           note="the latest records that state an intent disagree")
    if status & _REMISSION:
        return FieldSource(field="treatment_intent", value=UNKNOWN, resources=primary_labels,
                           note="no intent recorded; the primary cancer is in remission or resolved (clinicalStatus), "
                                "which does not say the intent of care")
    return FieldSource(field="treatment_intent", value=UNKNOWN,
                       note="no mCODE procedure-intent extension on a medication record or procedure")
