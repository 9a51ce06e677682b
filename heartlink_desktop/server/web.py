"""HTTP: the page, its static files, the CA for phones, the health check, and the security
headers of every response. The host attaches Socket.IO to the same application."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from aiohttp import web

from heartlink_desktop import __version__
from heartlink_desktop.paths import resource, socketio_client_dir

CSP = (
    "default-src 'self'; img-src 'self' data: blob:; media-src 'self' blob: mediastream:; "
    "connect-src 'self' wss: https:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
)


def same_origin(origin: str | None, environ: dict[str, Any]) -> bool:
    """Engine.IO's own same-origin check takes every aiohttp request for plain http and so
    refuses the page's https origin; this accepts exactly the origin the page came from."""
    return origin == f"https://{environ.get('HTTP_HOST', '')}"


@web.middleware
async def security_headers(request: web.Request, handler: Any) -> web.StreamResponse:
    response: web.StreamResponse = await handler(request)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "no-referrer")  # the URL carries the token
    response.headers.setdefault("Cache-Control", "no-store")
    if response.content_type == "text/html":
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("Permissions-Policy", "camera=(self), microphone=(self)")
    return response


def build_app(ca_file: Callable[[], Path]) -> web.Application:
    """The routes: `/` the page, `/static/` its modules, `/vendor/` socket.io-client,
    `/ca.crt` the CA a phone may install (`ca_file()` says where it is now), `/healthz`."""

    async def index(request: web.Request) -> web.StreamResponse:
        return web.FileResponse(resource("web", "index.html"), headers={"Content-Type": "text/html"})

    async def ca(request: web.Request) -> web.StreamResponse:
        return web.Response(
            body=ca_file().read_bytes(),
            content_type="application/x-x509-ca-cert",
            headers={"Content-Disposition": 'attachment; filename="heartlink-ca.crt"'},
        )

    async def health(request: web.Request) -> web.StreamResponse:
        return web.json_response({"status": "ok", "version": __version__})

    app = web.Application(middlewares=[security_headers])
    app.router.add_get("/", index)
    app.router.add_get("/ca.crt", ca)
    app.router.add_get("/healthz", health)
    app.router.add_static("/static/", resource("web"), follow_symlinks=False)
    vendor = socketio_client_dir()
    if vendor.is_dir():
        app.router.add_static("/vendor/", vendor, follow_symlinks=False)
    return app
