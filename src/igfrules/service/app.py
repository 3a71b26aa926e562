"""The FastAPI app: discovery, one patient-view service, and errors that never carry a traceback.

Every request is evaluated on the event loop's one thread: evaluation is CPU-bound and the rule
engine's C extension never releases the GIL, so a thread pool would add hand-offs and no
parallelism. The knowledge base, and so its one engine, is loaded once by the caller.
Logs hold the method, the path (never its query string) and the status: no body, no patient data.

Answers are deterministic, so the answer to a prefetch seen before (the same chart opened again)
is kept, bounded, and sent again byte for byte; a new or changed prefetch is evaluated. What the
client did not prefetch is fetched from its fhirServer first (fetch.py), and the answer is kept by
the completed prefetch: an answer computed from fetched data is sent again only for the same data.
"""

from __future__ import annotations

import hashlib
import json
import logging
from typing import TYPE_CHECKING, Any

import orjson
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import Response
from pydantic import ValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import ClientDisconnect

from .._version import __version__
from ..bounded_cache import BoundedCache
from ..canonical import canonical_json
from ..documents.strict_json import DocumentError, parse_json
from ..errors import IgfrulesError
from ..evaluation.evaluate import evaluate
from ..fhir.deadline import DeadlinePassed, deadline
from ..fhir.profile import map_resources
from ..model.mapping import MappedCase
from .cards import cards
from .fetch import Fetcher, Refused
from .hooks import HOOK, SERVICE_ID, HookRequest, discovery
from .prefetch import SOURCE, MissingPrefetch, WrongPatient, resources_from_prefetch

if TYPE_CHECKING:
    from ..knowledge.loader import KnowledgeBase  # a type only: the caller loads it

MAX_BODY = 8 * 1024 * 1024  # a patient's prefetch is kilobytes to a few megabytes
# The longest a request may take to read, validate and map its record: then 503, and the process
# goes on to the next request (fhir/deadline.py). A chart of a few hundred resources takes tens of
# milliseconds; an 8 MiB prefetch of new resources, a few seconds.
MAX_REQUEST_SECONDS = 10.0
# Recent answers: at most 512, and at most 32 MiB of them (an answer is 10-100 KB).
ANSWERS = 512
ANSWER_BYTES = 32 * 1024 * 1024
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


def create_app(kb: KnowledgeBase, *, max_request_seconds: float = MAX_REQUEST_SECONDS,
               max_body: int = MAX_BODY, fetcher: Fetcher | None = None) -> FastAPI:
    hide_query_strings()
    fetcher = fetcher or Fetcher()
    app = FastAPI(title="igfrules CDS Hooks service (research use only)", version=__version__,
                  docs_url=None, redoc_url=None, openapi_url=None)
    answers: BoundedCache[bytes, bytes] = BoundedCache(ANSWERS, max_bytes=ANSWER_BYTES)
    # CDS clients and sandboxes call services from the browser: allow any origin, no credentials.
    app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["GET", "POST", "OPTIONS"],
                       allow_headers=["*"], allow_credentials=False)

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

    async def _call(service_id: str, request: Request) -> Response:
        if service_id != SERVICE_ID:
            return _error(404, f"no CDS service {service_id!r}; this server offers {SERVICE_ID!r}")
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
            return _error(400, f"this service answers the {HOOK!r} hook, not {hook.hook!r}")
        try:  # the keys the client did not prefetch, fetched: the answer and its cache key see them
            hook = hook.model_copy(update={"prefetch": await fetcher.complete(hook)})
        except Refused as err:
            return _error(400, str(err))
        except MissingPrefetch as err:
            return _missing(err)
        key = _answer_key(hook)
        cached = answers.get(key)
        if cached is not None:
            return Response(cached, media_type="application/json")
        response = answer(hook, kb, max_request_seconds)
        if response.status_code == 200:
            answers.put(key, bytes(response.body), len(response.body) + len(key))
        return response

    return app


def answer(hook: HookRequest, kb: KnowledgeBase, max_seconds: float | None = MAX_REQUEST_SECONDS) -> Response:
    """The cards for a request whose prefetch is complete (every key a resource, a whole Bundle or null)."""
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
    return _json({"cards": cards(report, no_data)})


def _missing(err: MissingPrefetch) -> Response:
    """412, naming each key igfrules could not have and why (without patient data)."""
    why = "; ".join(f"{key} ({reason})" for key, reason in err.reasons.items())
    return _error(412, f"igfrules could not have the data of prefetch key(s) {why}. Send them in prefetch "
                       "(null for a key the client has no data for), or send fhirServer and fhirAuthorization "
                       "(a Bearer token) for igfrules to fetch them",
                  missing_prefetch=err.keys, reasons=err.reasons)
