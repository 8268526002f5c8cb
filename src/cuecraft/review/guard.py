"""What every request to the review app passes before any route sees it (an ASGI middleware): bodies
are limited in size before they are read (413), a body of unknown length is refused (411), and a
request that changes state must come from the app's own page — its Origin (or Referer) must be the
app's, and one without either must carry a Bearer token (a script, not a browser riding a cookie)."""

from __future__ import annotations

import json
from urllib.parse import urlsplit

MAX_BODY = 64 * 1024
STATE_CHANGING = ("POST", "PUT", "PATCH", "DELETE")
NO_ORIGIN_NEEDED = ("/api/login",)  # a login carries no session to ride; a foreign Origin is still refused


class RequestGuard:
    def __init__(self, app) -> None:  # noqa: ANN001 - an ASGI app
        self.app = app

    async def __call__(self, scope, receive, send) -> None:  # noqa: ANN001
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        if scope["method"] in STATE_CHANGING:
            problem = _cross_site(scope, headers) or _body_problem(headers)
            if problem:
                return await _reply(send, *problem)
        return await self.app(scope, receive, send)


def _cross_site(scope: dict, headers: dict[str, str]) -> tuple[int, str] | None:
    source = headers.get("origin") or _origin_of(headers.get("referer", ""))
    own = f"{scope.get('scheme', 'http')}://{headers.get('host', '')}"
    if source and source != own:
        return 403, "cross-site request refused: it does not come from this app's page"
    if not source and not headers.get("authorization", "").startswith("Bearer ") and scope["path"] not in NO_ORIGIN_NEEDED:
        return 403, "request refused: a browser request must say where it comes from (Origin)"
    return None


def _body_problem(headers: dict[str, str]) -> tuple[int, str] | None:
    length = headers.get("content-length")
    if length is None:
        return (411, "a request body needs a Content-Length") if "transfer-encoding" in headers else None
    if not length.isdigit() or int(length) > MAX_BODY:
        return 413, f"request body too large (at most {MAX_BODY // 1024} KiB)"
    return None


def _origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


async def _reply(send, status: int, detail: str) -> None:  # noqa: ANN001
    body = json.dumps({"detail": detail}).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})  # fmt: skip
    await send({"type": "http.response.body", "body": body})
