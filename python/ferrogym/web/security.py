"""Who may talk to the server, and how much a request may send.

- **Host**: every HTTP request and WebSocket must name this server in its
  ``Host`` header (the bound address, the loopback names on a loopback bind,
  or :attr:`Settings.hostnames`). A page on another site whose DNS name is
  re-pointed at 127.0.0.1 (DNS rebinding) sends its own name, and is refused.
  A wildcard bind (``0.0.0.0``) takes any Host: it needs a token anyway.
- **Token**: with a token (required for non-loopback binds) an ``/api``
  request must carry ``Authorization: Bearer <token>`` or, for WebSockets and
  links where a browser cannot set headers, ``?token=<token>``.
- **Origin**: a browser request that changes state (POST, PUT, PATCH, DELETE)
  and every WebSocket must come from the served page's origin; clients that
  send no Origin (scripts, curl) pass. Browsers apply no CORS to WebSockets
  or to "simple" POSTs, so this check is what stops another site's page.
- **Body size**: the bytes actually received are counted, so a chunked
  request without Content-Length is cut off at the cap like any other.
"""

from __future__ import annotations

import hmac

from starlette.exceptions import HTTPException
from starlette.requests import HTTPConnection
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ferrogym.web.settings import Settings, is_wildcard

#: Methods that change state: their Origin must be the served page's.
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
#: The upload of a ticket export: its body is capped by ``max_upload_bytes``, every other by ``max_message_bytes``.
UPLOAD_PATH = "/api/calibrations"


def body_limit(scope: Scope, settings: Settings) -> tuple[int, str]:
    """The byte cap of a request's body, and the name of the limit that sets it."""
    if scope.get("method") == "POST" and scope.get("path", "").rstrip("/") == UPLOAD_PATH:
        return settings.limits.max_upload_bytes, "max_upload_bytes"
    return settings.limits.max_message_bytes, "max_message_bytes"


def token_ok(conn: HTTPConnection, settings: Settings) -> bool:
    """Returns whether the request carries the server's token (query ``token`` or a Bearer header), or none is set."""
    if not settings.token:
        return True
    given = conn.query_params.get("token", "")
    auth = conn.headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        given = auth[7:].strip()
    return hmac.compare_digest(given.encode(), settings.token.encode())


def host_name(host_header: str) -> str:
    """The name part of a Host header: ``[::1]:8765`` -> ``::1``, ``Example.org:80`` -> ``example.org``."""
    host = host_header.strip().lower()
    if host.startswith("["):
        return host[1:].split("]", 1)[0]
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def host_ok(conn: HTTPConnection, settings: Settings) -> bool:
    """Returns whether the request's ``Host`` header names this server (any name on a wildcard bind)."""
    if is_wildcard(settings.host):
        return True
    return host_name(conn.headers.get("host", "")) in settings.host_names


def origin_ok(conn: HTTPConnection, settings: Settings) -> bool:
    """No Origin passes; otherwise it must be a served origin, or the origin
    the request itself names in its (already checked) Host header."""
    origin = conn.headers.get("origin")
    if origin is None:
        return True
    return origin in settings.origins or origin == f"http://{conn.headers.get('host', '')}"


class BodyTooLarge(HTTPException):
    """Raised from ``receive`` past the cap (413)."""

    def __init__(self, limit: int, name: str = "max_message_bytes") -> None:
        """A 413 naming the cap ``limit`` and the limit ``name`` that sets it."""
        super().__init__(413, f"request body above the cap of {limit} bytes ({name})")


class Guard:
    """Pure ASGI middleware applying the checks above before any route runs."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        """Guards ``app`` with the checks of ``settings``."""
        self.app = app
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Refuses a request that fails the host, token or size checks; passes the others to the app."""
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        conn = HTTPConnection(scope)
        refusal = self._refusal(conn, scope)
        if refusal is not None:
            status, detail = refusal
            if scope["type"] == "websocket":
                await send({"type": "websocket.close", "code": 4000 + status, "reason": detail[:120]})
            else:
                await JSONResponse({"detail": detail}, status)(scope, receive, send)
            return
        if scope["type"] == "websocket":
            await self.app(scope, receive, send)
            return
        await self._limited(scope, receive, send)

    def _refusal(self, conn: HTTPConnection, scope: Scope) -> tuple[int, str] | None:
        s = self.settings
        if not host_ok(conn, s):
            host = conn.headers.get("host", "")
            return 400, f"Host {host!r} is not this server; expected one of {sorted(s.host_names)}"
        if scope["type"] == "websocket" or not conn.url.path.startswith("/api"):
            return None  # the WebSocket route answers token and Origin itself (with a message)
        if not token_ok(conn, s):
            return 401, "missing or wrong token (Authorization: Bearer ...)"
        if scope["method"] in UNSAFE_METHODS and not origin_ok(conn, s):
            return 403, f"Origin {conn.headers.get('origin')!r} may not change this server's state"
        length = conn.headers.get("content-length")
        limit, name = body_limit(scope, s)
        if length is not None and (not length.isdigit() or int(length) > limit):
            return 413, f"request body of {length} bytes is above the cap of {limit} ({name})"
        return None

    async def _limited(self, scope: Scope, receive: Receive, send: Send) -> None:
        limit, name = body_limit(scope, self.settings)
        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    # An HTTPException: FastAPI's body parsing re-raises it, the app's handler answers 413,
                    # and the server stops reading (it drops the connection with the rest unread).
                    raise BodyTooLarge(limit, name)
            return message

        await self.app(scope, counted, send)
