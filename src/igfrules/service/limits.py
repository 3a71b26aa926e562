"""What one connection may cost the server: header size and count, and how long it may take.

uvicorn's C parser (httptools) accepts headers of any size and waits for a request's headers and
body for ever; a few hundred slow or half-open connections then hold every file descriptor, and
one client can send 100 MB of headers. This protocol is uvicorn's own with production limits:

- headers (request line and header fields together) of at most MAX_HEADER_BYTES, and at most
  MAX_HEADERS fields: over either, 431 and the connection is closed;
- a connection that sends nothing is closed after the keep-alive timeout, as an idle one is after
  a response (uvicorn armed that timer only after a first response);
- a request's headers must arrive within HEADER_SECONDS of its first byte, and its body within
  READ_SECONDS of its headers: a slower one gets 408 (if nothing was answered yet) and the
  connection is closed, so a half-open connection holds its file descriptor for seconds, not for
  ever.

The body's size is the app's to limit (app.py reads it as a stream and stops at its cap).
Nothing here logs a request's content.
"""

from __future__ import annotations

import asyncio
from typing import Any

import httptools
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

MAX_HEADER_BYTES = 64 * 1024
MAX_HEADERS = 100
HEADER_SECONDS = 10.0
READ_SECONDS = 30.0
KEEP_ALIVE_SECONDS = 5


class _Refused(Exception):
    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status, self.reason = status, reason


class LimitedHttpToolsProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol, with header limits and read and idle timeouts (the class
    attributes; a subclass may change them)."""

    max_header_bytes = MAX_HEADER_BYTES
    max_headers = MAX_HEADERS
    header_seconds = HEADER_SECONDS
    read_seconds = READ_SECONDS

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._header_bytes = 0
        self._header_count = 0
        self._reading: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        # Idle from the start: closed after the keep-alive timeout unless a request begins.
        self.timeout_keep_alive_task = self.loop.call_later(self.timeout_keep_alive, self.timeout_keep_alive_handler)

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_reading_timer()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        self._unset_keepalive_if_required()
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserCallbackError as err:
            refused = err.__context__
            if isinstance(refused, _Refused):
                self._refuse(refused.status, refused.reason)
            else:
                self._invalid()
        except httptools.HttpParserError:
            self._invalid()
        except httptools.HttpParserUpgrade:
            if self._should_upgrade():
                self.handle_websocket_upgrade()
            else:
                self._unsupported_upgrade_warning()

    def _invalid(self) -> None:
        message = "Invalid HTTP request received."
        self.logger.warning(message)
        self.send_400_response(message)

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._header_bytes = 0
        self._header_count = 0
        self._arm(self.header_seconds)

    def on_headers_complete(self) -> None:
        self._arm(self.read_seconds)  # before the app starts, which may answer at once
        super().on_headers_complete()

    def _arm(self, seconds: float) -> None:
        self._stop_reading_timer()
        self._reading = self.loop.call_later(seconds, self._read_timed_out)

    def on_url(self, url: bytes) -> None:
        self._count(len(url), 0)
        super().on_url(url)

    def on_header(self, name: bytes, value: bytes) -> None:
        self._count(len(name) + len(value), 1)
        super().on_header(name, value)

    def on_message_complete(self) -> None:
        self._stop_reading_timer()
        super().on_message_complete()

    def _count(self, size: int, fields: int) -> None:
        self._header_bytes += size
        self._header_count += fields
        if self._header_bytes > self.max_header_bytes:
            raise _Refused(431, f"request headers over {self.max_header_bytes:,} bytes")
        if self._header_count > self.max_headers:
            raise _Refused(431, f"more than {self.max_headers} request headers")

    def _stop_reading_timer(self) -> None:
        if self._reading is not None:
            self._reading.cancel()
            self._reading = None

    def _read_timed_out(self) -> None:
        self._reading = None
        if self.transport.is_closing():
            return
        if self.cycle is None or self.cycle.response_complete or not self.cycle.response_started:
            self._refuse(408, "the request did not arrive in time")
        else:
            self.transport.close()

    def _refuse(self, status: int, reason: str) -> None:
        """Answer `status` with a short JSON error and close: the rest of the request is not read."""
        if self.cycle is not None:
            self.cycle.disconnected = True  # the app, if it runs, must not answer on this connection
            self.cycle.message_event.set()
        body = b'{"error":"' + reason.encode("ascii") + b'","research_only":true}'
        phrase = {408: b"Request Timeout", 431: b"Request Header Fields Too Large"}[status]
        self.transport.write(b"HTTP/1.1 %d %s\r\ncontent-type: application/json\r\ncontent-length: %d\r\n"
                             b"connection: close\r\n\r\n%s" % (status, phrase, len(body), body))
        self.transport.close()
