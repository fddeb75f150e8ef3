"""Token and Origin checks on every HTTP request under /api and every WebSocket.

With a token (required for non-loopback binds) a request must carry
``Authorization: Bearer <token>`` or, for WebSockets and links where a browser
cannot set headers, ``?token=<token>``. WebSockets must also come from the
served origin: browsers apply no CORS to them, so the Origin check is what
stops another site's page from connecting.
"""

from __future__ import annotations

import hmac

from starlette.requests import HTTPConnection

from ferrogym.web.settings import Settings


def token_ok(conn: HTTPConnection, settings: Settings) -> bool:
    if not settings.token:
        return True
    given = conn.query_params.get("token", "")
    auth = conn.headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        given = auth[7:].strip()
    return hmac.compare_digest(given.encode(), settings.token.encode())


def origin_ok(conn: HTTPConnection, settings: Settings) -> bool:
    """Clients that send no Origin (scripts, curl) pass; browsers must match."""
    origin = conn.headers.get("origin")
    return origin is None or origin in settings.origins
