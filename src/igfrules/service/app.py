"""The FastAPI app: discovery, one patient-view service, and errors that never carry a traceback.

Every request is evaluated on the event loop's one thread: evaluation is CPU-bound and the rule
engine's C extension never releases the GIL, so a thread pool would add hand-offs and no
parallelism. The knowledge base, and so its one engine, is loaded once by the caller.
Logs hold the method, the path (never its query string) and the status: no body, no patient data.

Answers are deterministic, so the cards of a prefetch seen before (the same chart opened again)
are kept, bounded, and sent again, each with the uuid of the new hook instance; a new or changed
prefetch is evaluated. What the client did not prefetch is fetched from its fhirServer first
(fetch.py), and the answer is kept by the completed prefetch: an answer computed from fetched data
is sent again only for the same data. With a feedback database, every card sent is recorded in it
(its uuid, entry and knowledge base; no patient data) and POST .../feedback stores what clinicians
said about it.
"""

from __future__ import annotations

import hashlib
import json
import logging
import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import Response
from pydantic import ValidationError
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import ClientDisconnect

from .._version import __version__
from ..bounded_cache import BoundedCache
from ..canonical import canonical_json
from ..documents.strict_json import DocumentError, parse_json
from ..errors import IgfrulesError, printable
from ..evaluation.evaluate import evaluate
from ..fhir.deadline import DeadlinePassed, deadline
from ..fhir.profile import map_resources
from ..model.mapping import MappedCase
from .auth import Authenticator, ClientAuthentication, ReplayCache, SqliteReplayCache
from .cards import IssuedCard, make_cards, stamp
from .feedback.endpoint import receive
from .feedback.store import FeedbackStore, Issued
from .fetch import Fetcher, Refused
from .hooks import HOOK, SERVICE_ID, HookRequest, discovery
from .prefetch import SOURCE, MissingPrefetch, WrongPatient, resources_from_prefetch

if TYPE_CHECKING:
    from collections.abc import Sequence

    from ..knowledge.loader import KnowledgeBase  # a type only: the caller loads it
    from .auth import Trust

MAX_BODY = 8 * 1024 * 1024  # a patient's prefetch is kilobytes to a few megabytes
# The longest a request may take to read, validate and map its record: then 503, and the process
# goes on to the next request (fhir/deadline.py). A chart of a few hundred resources takes tens of
# milliseconds; an 8 MiB prefetch of new resources, a few seconds.
MAX_REQUEST_SECONDS = 10.0
# Recent answers: at most 512, and at most 32 MiB of them (an answer is 10-100 KB).
ANSWERS = 512
ANSWER_BYTES = 32 * 1024 * 1024
MAX_FEEDBACK_BODY = 1024 * 1024  # 100 items with comments of 2,000 characters fit
log = logging.getLogger("igfrules.service")


class _TooLarge(Exception):
    pass


async def _body(request: Request, cap: int) -> bytes:
    """The body, read as it arrives and never past `cap` bytes: a larger one (chunked, or with a
    false Content-Length) raises _TooLarge with at most one chunk over the cap in memory."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > cap:
        raise _TooLarge
    parts, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > cap:
            raise _TooLarge
        parts.append(chunk)
    return b"".join(parts)


class _LabelledCors(CORSMiddleware):
    """Starlette's CORS middleware, whose refused preflight is the service's labelled JSON error
    naming what was refused, not a plain-text "Disallowed CORS origin"."""

    def preflight_response(self, request_headers: Headers) -> Response:
        response = super().preflight_response(request_headers)
        if response.status_code != 400:
            return response
        refused = bytes(response.body).decode("utf-8").removeprefix("Disallowed CORS ")
        headers = {k: v for k, v in response.headers.items() if k not in ("content-type", "content-length")}
        hint = " (igfrules serve --cors-origin sets the origins)" if "origin" in refused else ""
        return Response(orjson.dumps({"error": f"the CORS preflight was refused; not allowed here: {refused}{hint}",
                                      "research_only": True}),
                        status_code=400, headers=headers, media_type="application/json")


class _QueryStringsOut(logging.Filter):
    """The access log names the path only: a query string can carry a patient's name or MRN."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str) and "?" in args[2]:
            record.args = (*args[:2], args[2].split("?", 1)[0], *args[3:])
        return True


def hide_query_strings() -> None:
    access = logging.getLogger("uvicorn.access")
    if not any(isinstance(f, _QueryStringsOut) for f in access.filters):
        access.addFilter(_QueryStringsOut())


def _answer_key(hook: HookRequest) -> bytes:
    """Recent answers are kept by a digest of (patient, prefetch); in memory only, never logged.
    The hook instance and anything else a client sends per call are not in it."""
    return hashlib.sha256(canonical_json([hook.context["patientId"], hook.prefetch])).digest()


def _json(content: Any, status: int = 200) -> Response:
    # orjson: a card answer is tens of kilobytes, and the standard encoder took a tenth of a request
    try:
        body = orjson.dumps(content)
    except TypeError:  # a lone surrogate a request sent, echoed in a message: escape it
        body = json.dumps(content, separators=(",", ":")).encode("ascii")
    return Response(body, status_code=status, media_type="application/json")


def _error(status: int, message: str, **extra: Any) -> Response:
    return _json({"error": message, "research_only": True, **extra}, status)


def _quoted(text: str) -> str:
    """A client's text named in a message: quoted, escaped and clipped (never megabytes echoed back)."""
    shown = printable(repr(text))
    return shown if len(shown) <= 80 else shown[:76] + "...'"


def _today() -> str:
    return datetime.now(UTC).date().isoformat()


def _issue(made: list[IssuedCard], hook: HookRequest, store: FeedbackStore | None) -> Response:
    """The cards with this hook instance's uuids, recorded first when feedback is kept. A database
    that cannot be written does not cost the clinician the cards: it is logged (the error's type
    only), and feedback on those cards will be answered 404."""
    sent = stamp(made, hook.hookInstance)
    if store is not None:
        try:
            store.record_issued((Issued(card["uuid"], c.entry_id, c.topic, c.knowledge_base.name,
                                        c.knowledge_base.version, c.knowledge_base.sha256)
                                 for c, card in zip(made, sent, strict=True)), _today())
        except sqlite3.Error as exc:
            log.error("could not record the cards issued in the feedback database: %s",  # noqa: TRY400
                      type(exc).__name__)  # the type only: never a traceback
    return _json({"cards": sent})


def create_app(kb: KnowledgeBase, *, max_request_seconds: float = MAX_REQUEST_SECONDS,
               max_body: int = MAX_BODY, trust: Trust | None = None, public_url: str | None = None,
               cors_origins: Sequence[str] = ("*",), replay_db: str | None = None,
               feedback_db: Path | None = None, fetcher: Fetcher | None = None) -> FastAPI:
    """The app. `trust`: the trusted issuers (auth/trust.py); with it every call but a CORS preflight
    needs a valid signed JWT (auth/checks.py), checked against `public_url` (the base URL clients call;
    None: the request's own scheme and Host). Without it nothing is checked: the caller keeps the
    service on loopback, as `igfrules serve` does. `replay_db`: a SQLite file for the replay
    cache, shared by processes serving the same clients; None: this process's memory.
    `feedback_db`: the SQLite file that records the cards issued and the feedback on them
    (feedback/store.py); without it, cards still carry uuids but feedback is not kept. `fetcher`:
    how what the client did not prefetch is fetched from its fhirServer (fetch.py)."""
    hide_query_strings()
    fetcher = fetcher or Fetcher()
    app = FastAPI(title="igfrules CDS Hooks service (research use only)", version=__version__,
                  docs_url=None, redoc_url=None, openapi_url=None)
    answers: BoundedCache[bytes, list[IssuedCard]] = BoundedCache(ANSWERS, max_bytes=ANSWER_BYTES)
    store = FeedbackStore(feedback_db) if feedback_db is not None else None
    if trust is not None:  # added first, so it runs inside CORS: a 401 carries the CORS headers
        replay = SqliteReplayCache(replay_db) if replay_db else ReplayCache()
        app.add_middleware(ClientAuthentication, authenticator=Authenticator(trust, public_url, replay=replay))
    # CDS clients and sandboxes call services from the browser. By default any origin, and never
    # credentials (cookies): CORS is not what keeps callers out, the signed token is (docs/fhir.md).
    app.add_middleware(_LabelledCors, allow_origins=list(cors_origins), allow_methods=["GET", "POST", "OPTIONS"],
                       allow_headers=["Authorization", "Content-Type"], allow_credentials=False)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
        return _error(exc.status_code, str(exc.detail))

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        return _error(400, "the request is not valid")

    @app.get("/cds-services")
    async def services() -> dict[str, Any]:
        return discovery()

    @app.post("/cds-services/{service_id}")
    async def call(service_id: str, request: Request) -> Response:
        # A failure is caught here, not by Starlette: its server-error path logs the exception's
        # text and traceback, and an exception's text can hold patient data.
        try:
            return await _call(service_id, request)
        except ClientDisconnect:  # the client left: nothing failed, and nobody is left to answer
            log.debug("client disconnected while sending a request")
            return Response(status_code=400)
        except Exception as exc:
            # Not log.exception: the traceback and message may hold patient data; the type is enough.
            log.error("unexpected %s while answering %s", type(exc).__name__, request.url.path)  # noqa: TRY400
            return _error(500, "igfrules failed on this request; the failure is logged without patient data")

    @app.post("/cds-services/{service_id}/feedback")
    async def feedback(service_id: str, request: Request) -> Response:
        # Like call(): nothing of the body (a clinician's comment) reaches a log, whatever fails.
        try:
            return await _feedback(service_id, request)
        except ClientDisconnect:
            return Response(status_code=400)
        except sqlite3.OperationalError as exc:  # locked past the busy timeout, disk full, ...
            log.error("the feedback database could not be written: %s", type(exc).__name__)  # noqa: TRY400
            return _error(503, "the feedback database could not be written now; nothing was stored, send it again")
        except Exception as exc:
            log.error("unexpected %s while storing feedback", type(exc).__name__)  # noqa: TRY400
            return _error(500, "igfrules failed on this feedback; the failure is logged without its content")

    async def _feedback(service_id: str, request: Request) -> Response:
        if service_id != SERVICE_ID:
            return _error(404, f"no CDS service {_quoted(service_id)}; this server offers {SERVICE_ID!r}")
        if store is None:
            return _error(404, "this server keeps no feedback: start it with a feedback database "
                               "(igfrules serve --feedback-db PATH)")
        try:
            body = await _body(request, MAX_FEEDBACK_BODY)
        except _TooLarge:
            response = _error(413, f"the feedback is over {MAX_FEEDBACK_BODY:,} bytes")
            response.headers["connection"] = "close"
            return response
        status, content = receive(store, body, _today())
        return _error(status, content.pop("error"), **content) if "error" in content else \
            _json({**content, "research_only": True}, status)

    async def _call(service_id: str, request: Request) -> Response:
        if service_id != SERVICE_ID:
            return _error(404, f"no CDS service {_quoted(service_id)}; this server offers {SERVICE_ID!r}")
        try:
            body = await _body(request, max_body)
        except _TooLarge:
            response = _error(413, f"the request is over {max_body:,} bytes")
            response.headers["connection"] = "close"  # the rest is never read
            return response
        try:
            hook = HookRequest.model_validate(parse_json(body.decode("utf-8")))
        except UnicodeDecodeError:
            return _error(400, "the request body is not UTF-8 JSON")
        except DocumentError as err:
            return _error(400, f"the request body is not JSON: {err}")
        except ValidationError as err:
            problems = [f"{'.'.join(str(p) for p in e['loc']) or 'request'}: {e['msg'].removeprefix('Value error, ')}"
                        for e in err.errors(include_url=False)]
            return _error(400, "the request is not a CDS Hooks request: " + "; ".join(problems))
        if hook.hook != HOOK:
            return _error(400, f"this service answers the {HOOK!r} hook, not {_quoted(hook.hook)}")
        try:  # the keys the client did not prefetch, fetched: the answer and its cache key see them
            hook = hook.model_copy(update={"prefetch": await fetcher.complete(hook)})
        except Refused as err:
            return _error(400, str(err))
        except MissingPrefetch as err:
            return _missing(err)
        key = _answer_key(hook)
        made = answers.get(key)
        if made is None:
            result = answer(hook, kb, max_request_seconds)
            if isinstance(result, Response):
                return result
            made = result
            answers.put(key, made, len(orjson.dumps([c.card for c in made])) + len(key))
        return _issue(made, hook, store)

    return app


def answer(hook: HookRequest, kb: KnowledgeBase,
           max_seconds: float | None = MAX_REQUEST_SECONDS) -> Response | list[IssuedCard]:
    """The cards for a request whose prefetch is complete (every key a resource, a whole Bundle or
    null), before their uuids, or the error's response."""
    patient_id = hook.context["patientId"]
    try:
        with deadline(max_seconds):
            resources, no_data = resources_from_prefetch(hook.prefetch, patient_id)
            mapped: MappedCase = map_resources(resources, source=SOURCE, patient_id=patient_id)
        report = evaluate(mapped, kb)
    except DeadlinePassed:
        return _error(503, f"the record took longer than {max_seconds:g} s to read; nothing was evaluated. "
                           "Send fewer resources; the service is ready for the next request")
    except MissingPrefetch as err:
        return _missing(err)
    except WrongPatient as err:
        return _error(422, str(err))
    except IgfrulesError as err:
        problems = [f"{p.location}: {p.message}" if p.location else p.message for p in err.problems]
        more = f" (and {len(problems) - 1} more problem(s), in problems)" if len(problems) > 1 else ""
        return _error(422, f"the prefetched record was refused: {problems[0] if problems else err}{more}",
                      problems=problems)
    return make_cards(report, no_data)


def _missing(err: MissingPrefetch) -> Response:
    """412, naming each key igfrules could not have and why (without patient data)."""
    why = "; ".join(f"{key} ({reason})" for key, reason in err.reasons.items())
    return _error(412, f"igfrules could not have the data of prefetch key(s) {why}. Send them in prefetch "
                       "(null for a key the client has no data for), or send fhirServer and fhirAuthorization "
                       "(a Bearer token) for igfrules to fetch them",
                  missing_prefetch=err.keys, reasons=err.reasons)
