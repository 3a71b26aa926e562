"""The feedback endpoint's work, without the web framework: check a CDS Hooks 2.0 feedback body
strictly, store it, and say what happened as (HTTP status, JSON body).

Strict, because what is stored is what curators act on: every key is one the specification
defines (or `extension`), `outcome` is `accepted` or `overridden`, `outcomeTimestamp` is an RFC
3339 date-time with its offset, a reason from igfrules' own system must be one of its codes, and a
comment is at most COMMENT_LIMIT characters. Messages name the item and the key, never a value a
clinician typed.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from ...documents.strict_json import DocumentError, parse_json
from ...errors import printable
from .codes import OVERRIDE_REASONS, OVERRIDE_SYSTEM
from .store import Feedback, FeedbackStore, UnknownCards

MAX_ITEMS = 100  # one dismissal is one item; a client batching a session's worth stays well under
COMMENT_LIMIT = 2000  # characters: a few sentences, not a pasted note
CODE_LIMIT = 256  # a code or a system URI of another system
MAX_PROBLEMS = 10  # a 400 lists this many problems, then how many more
KEY_SHOWN = 40  # characters of a key a message names
_RFC3339 = re.compile(r"\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    extension: dict[str, Any] | None = None  # CDS Hooks reserves `extension` everywhere; not stored


class _Coding(_Strict):
    system: str = Field(min_length=1, max_length=CODE_LIMIT)
    code: str = Field(min_length=1, max_length=CODE_LIMIT)
    display: str | None = Field(default=None, max_length=CODE_LIMIT)

    @model_validator(mode="after")
    def _ours_is_known(self) -> _Coding:
        if self.system == OVERRIDE_SYSTEM and self.code not in OVERRIDE_REASONS:
            raise ValueError(f"code is not one of igfrules' override reasons: {', '.join(OVERRIDE_REASONS)}")
        return self


class _OverrideReason(_Strict):
    reason: _Coding | None = None
    userComment: str | None = Field(default=None, max_length=COMMENT_LIMIT)

    @model_validator(mode="after")
    def _something(self) -> _OverrideReason:
        if self.reason is None and self.userComment is None:  # CDS Hooks invariant cds-fb-3
            raise ValueError("give reason, userComment or both")
        return self


class _AcceptedSuggestion(_Strict):
    id: str


class _Item(_Strict):
    card: str
    outcome: Literal["accepted", "overridden"]
    acceptedSuggestions: list[_AcceptedSuggestion] | None = None
    overrideReason: _OverrideReason | None = None
    outcomeTimestamp: str

    @field_validator("card")
    @classmethod
    def _uuid(cls, value: str) -> str:
        try:
            return str(UUID(value.removeprefix("urn:uuid:")))
        except ValueError:
            raise ValueError("card is not a uuid (the card.uuid of an igfrules card)") from None

    @field_validator("outcomeTimestamp")
    @classmethod
    def _timestamp(cls, value: str) -> str:
        if not _RFC3339.fullmatch(value):
            raise ValueError("outcomeTimestamp is not an RFC 3339 date-time with its offset, "
                             "such as 2024-05-01T10:05:31Z")
        try:
            # OverflowError: a real local time whose UTC is outside years 1-9999 (0001-01-01T00:00:00+01:00)
            when = datetime.fromisoformat(value.upper()).astimezone(UTC)
        except (ValueError, OverflowError):
            raise ValueError("outcomeTimestamp is not a real date and time") from None
        return when.isoformat(timespec="microseconds").replace("+00:00", "Z")

    @model_validator(mode="after")
    def _consistent(self) -> _Item:
        if self.acceptedSuggestions:
            raise ValueError("igfrules cards carry no suggestions, so acceptedSuggestions must be left out")
        if self.overrideReason is not None and self.outcome != "overridden":
            raise ValueError("overrideReason is only for the outcome 'overridden'")
        return self


class _Body(_Strict):
    feedback: list[_Item] = Field(min_length=1, max_length=MAX_ITEMS)


def receive(store: FeedbackStore, body: bytes, today: str) -> tuple[int, dict[str, Any]]:
    """(status, answer) for one POST. All or nothing: one bad or unknown item stores none."""
    try:
        document = parse_json(body.decode("utf-8"))
    except UnicodeDecodeError:
        return 400, {"error": "the feedback body is not UTF-8 JSON"}
    except DocumentError as err:
        return 400, {"error": f"the feedback body is not JSON: {err}"}
    try:
        checked = _Body.model_validate(document)
    except ValidationError as err:
        problems = [f"{'.'.join(_key(p) for p in e['loc']) or 'body'}: {e['msg'].removeprefix('Value error, ')}"
                    for e in err.errors(include_url=False, include_input=False)]
        more = f"; and {len(problems) - MAX_PROBLEMS} more" if len(problems) > MAX_PROBLEMS else ""
        return 400, {"error": "the body is not CDS Hooks feedback as igfrules accepts it: "
                              + "; ".join(problems[:MAX_PROBLEMS]) + more}
    items = [_feedback(item) for item in checked.feedback]
    try:
        stored, already = store.add_feedback(items, today)
    except UnknownCards as err:
        return 404, {"error": f"no card with uuid {', '.join(err.uuids)} was issued by this service with this "
                              "feedback database; nothing of this request was stored", "unknown_cards": err.uuids}
    return 200, {"stored": stored, "already_stored": already}


def _key(part: str | int) -> str:
    """A key of the body as a message names it: an unknown key is the client's text, so it is
    escaped and clipped (a megabyte of keys is not echoed back)."""
    text = printable(str(part))
    return text if len(text) <= KEY_SHOWN else text[: KEY_SHOWN - 1] + "…"


def _feedback(item: _Item) -> Feedback:
    reason = item.overrideReason.reason if item.overrideReason else None
    return Feedback(card=item.card, outcome=item.outcome, outcome_timestamp=item.outcomeTimestamp,
                    reason_system=reason.system if reason else None, reason_code=reason.code if reason else None,
                    comment=item.overrideReason.userComment if item.overrideReason else None)
