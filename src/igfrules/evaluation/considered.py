"""What this knowledge base does not consider, for one patient: recorded therapies and fields that
no condition reads.

A board must tell "not considered" from "considered, no effect": a patient who progressed on
palbociclib gets the same report as one who did not, because no entry reads CDK4/6 inhibitors. This
is computed from the knowledge base's conditions, never listed by hand.
"""

from __future__ import annotations

from typing import NamedTuple

from ..knowledge.loader import KnowledgeBase
from ..model.conditions import Compare, Includes, leaves
from ..model.fields import FIELDS, UNKNOWN
from ..model.patient import IMPLIED_BY, PatientProfile
from ..model.vocabulary import vocabulary

CONSIDERED = "considered"  # the knowledge base's derived view holding its Considered


class Considered(NamedTuple):
    agents: frozenset[str]  # agents an `includes` test names
    classes: frozenset[str]  # drug classes an `includes` test names, the root class left out
    fields: frozenset[str]  # recorded fields a condition reads, directly or through a derived fact


def considered_by(kb: KnowledgeBase) -> Considered:
    agents: set[str] = set()
    classes: set[str] = set()
    fields: set[str] = set()
    roots = {cid for cid, c in vocabulary().classes.items() if len(c.ancestors) == 1}
    for condition in kb.conditions.values():
        for leaf in leaves(condition):
            if isinstance(leaf, Includes):
                fields.add("prior_therapies")
                if leaf.agent:
                    agents.add(leaf.agent)
                if leaf.drug_class and leaf.drug_class not in roots:
                    classes.add(leaf.drug_class)
            elif isinstance(leaf, Compare):
                fields.update(FIELDS[leaf.field].derived_from or (leaf.field,))
    for name in list(fields):
        fields.update(IMPLIED_BY.get(name, ()))
    return Considered(frozenset(agents), frozenset(classes), frozenset(fields))


def not_considered(profile: PatientProfile, considered: Considered) -> tuple[str, ...]:
    """Recorded agents no condition reads (by name or by a class above it but the root), then
    recorded fields no condition reads, each once, sorted."""
    vocab = vocabulary()
    agents: set[str] = set()
    if profile.prior_therapies != UNKNOWN:
        for therapy in profile.prior_therapies:
            ancestors = vocab.classes[therapy.drug_class].ancestors
            if therapy.agent not in considered.agents and not considered.classes & set(ancestors):
                agents.add(therapy.agent)
    fields = {name for name, value in profile.__dict__.items()
              if name != "case_id" and value not in (UNKNOWN, None) and name not in considered.fields}
    return (*sorted(agents), *sorted(fields))
