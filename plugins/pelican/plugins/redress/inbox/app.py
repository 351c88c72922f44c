"""The inbox's HTTP side: Starlette, served by uvicorn.

Starlette is a small, well-kept ASGI toolkit and uvicorn a production ASGI
server; together they take a few hundred posts a second on two cores with
nothing else to run. The order of checks is cheapest first: size, rate,
origin, encoding; then the model's own checks in :mod:`.intake`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import os
import time
from collections import OrderedDict
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import parse_qsl

import anyio
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from ..content.rules import CONTROL_RE
from ..content.shop import load_shop
from .config import InboxConfig
from .intake import KINDS, Intake
from .notify import Notifier
from .pages import FormPages
from .store import Store

logger = logging.getLogger("redress.inbox")

MAX_FIELDS = 40


class BadRequest(Exception):
    def __init__(self, status: int, message: str):
        self.status = status
        self.message = message


class RateLimiter:
    """A token bucket per client address: `per_minute` posts, refilled steadily."""

    def __init__(self, per_minute: int, max_clients: int = 10000):
        self.per_minute = per_minute
        self.buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()
        self.max_clients = max_clients

    def allow(self, client: str, now: float | None = None) -> bool:
        if self.per_minute <= 0:
            return True
        now = time.monotonic() if now is None else now
        tokens, last = self.buckets.pop(client, (float(self.per_minute), now))
        tokens = min(float(self.per_minute), tokens + (now - last) * self.per_minute / 60)
        allowed = tokens >= 1
        self.buckets[client] = (tokens - 1 if allowed else tokens, now)
        while len(self.buckets) > self.max_clients:
            self.buckets.popitem(last=False)
        return allowed


def parse_form(body: bytes) -> dict[str, str]:
    """A urlencoded body, strictly: valid UTF-8, no control characters, few fields."""
    try:
        pairs = parse_qsl(body.decode("ascii"), keep_blank_values=True, encoding="utf-8", errors="strict")
    except UnicodeDecodeError as err:
        raise BadRequest(400, "the form data is not valid UTF-8") from err
    if len(pairs) > MAX_FIELDS:
        raise BadRequest(400, "too many fields")
    fields: dict[str, str] = {}
    for name, value in pairs:
        if CONTROL_RE.search(name) or CONTROL_RE.search(value):
            raise BadRequest(400, "the form data contains control characters")
        fields.setdefault(name, value)
    return fields


def create_app(config: InboxConfig, store: Store | None = None, notify: bool = True) -> Starlette:
    store = store or Store(config.db_path, config.synchronous)
    shop = load_shop(config.settings)
    intake = Intake(
        store, config.secret, config.rs["REVIEWS_SCALE"], set(shop.products), config.settings["DEFAULT_LANG"]
    )
    pages = FormPages(config, shop)
    limiter = RateLimiter(config.rate_per_minute)
    notifier = Notifier(config, store) if notify else None

    def client_of(request: Request) -> str:
        # Behind a trusted proxy (REVIEWS_INBOX_TRUST_PROXY) the proxy middleware below has
        # already put the address the proxy saw here: the right-most X-Forwarded-For entry
        # not from a trusted host. The left-most entry is whatever the client chose to send.
        return request.client.host if request.client else "unknown"

    def cors(request: Request, response: Response) -> Response:
        origin = request.headers.get("origin")
        if origin and origin in config.origins:
            response.headers["Access-Control-Allow-Origin"] = origin
            response.headers["Vary"] = "Origin"
        return response

    async def read_body(request: Request) -> bytes:
        length = request.headers.get("content-length")
        if length and (not length.isdigit() or int(length) > config.max_bytes):
            raise BadRequest(413, "the form is too large")
        body = bytearray()
        async for chunk in request.stream():
            body += chunk
            if len(body) > config.max_bytes:
                raise BadRequest(413, "the form is too large")
        return bytes(body)

    def error(request: Request, status: int, message: str, wants_json: bool) -> Response:
        response: Response = (
            JSONResponse({"ok": False, "message": message}, status_code=status)
            if wants_json
            else PlainTextResponse(message + "\n", status_code=status)
        )
        if status == 429:
            response.headers["Retry-After"] = "60"
        return cors(request, response)

    async def receive(request: Request) -> Response:
        kind = request.path_params["kind"]
        started = time.perf_counter()
        wants_json = "application/json" in request.headers.get("accept", "")
        client = client_of(request)
        try:
            if kind not in ("reviews", "follow-ups"):
                raise BadRequest(404, "not found")
            kind = "review" if kind == "reviews" else "follow-up"
            origin = request.headers.get("origin")
            # "null" says nothing about the page: Chromium sends it for every form posted
            # to another origin from a page with `referrer: same-origin` (all our forms).
            if origin and origin != "null" and origin not in config.origins:
                raise BadRequest(403, "this form was sent from a site the inbox does not know")
            if not limiter.allow(client):
                raise BadRequest(429, "too many submissions from your address; please try again in a minute")
            content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
            if content_type != "application/x-www-form-urlencoded":
                raise BadRequest(415, "send the form as application/x-www-form-urlencoded")
            fields = parse_form(await read_body(request))
        except BadRequest as bad:
            log(kind, "refused", bad.status, started, reason=bad.message)
            return error(request, bad.status, bad.message, wants_json)
        outcome = await anyio.to_thread.run_sync(
            lambda: intake.receive(
                kind,
                fields,
                client=client,
                referer=request.headers.get("referer", ""),
                user_agent=request.headers.get("user-agent", ""),
            )
        )
        if outcome.ok:
            if notifier and outcome.result == "accepted":
                notifier.wake()
            log(kind, outcome.result, 303, started, id=outcome.submission_id)
            if wants_json:
                title, message = pages.thanks_text(kind, outcome.lang)
                return cors(request, JSONResponse({"ok": True, "title": title, "message": message}))
            return cors(request, RedirectResponse(config.thanks_urls[kind], status_code=303))
        log(kind, "rejected", 400, started, id=outcome.submission_id, fields=sorted(outcome.errors))
        if wants_json:
            return cors(request, JSONResponse({"ok": False, "errors": outcome.errors}, status_code=400))
        html = pages.render(kind, outcome.lang, outcome.values, outcome.errors)
        return cors(request, HTMLResponse(html, status_code=400))

    async def preflight(request: Request) -> Response:
        response = Response(status_code=204)
        origin = request.headers.get("origin")
        if origin and origin in config.origins:
            response.headers.update(
                {
                    "Access-Control-Allow-Origin": origin,
                    "Access-Control-Allow-Methods": "POST",
                    "Access-Control-Allow-Headers": "Accept, Content-Type",
                    "Access-Control-Max-Age": "600",
                    "Vary": "Origin",
                }
            )
        return response

    async def health(request: Request) -> Response:
        counts = await anyio.to_thread.run_sync(store.count)
        waiting = await anyio.to_thread.run_sync(store.count_waiting)
        return JSONResponse({"ok": True, "submissions": counts, "waiting": waiting})

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if notifier:
            notifier.start()
        logger.info(json.dumps({"event": "start", "origins": sorted(config.origins)}))
        yield
        if notifier:
            notifier.stop()

    def log(kind: str, result: str, status: int, started: float, **extra: Any) -> None:
        record = {
            "time": dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds"),
            "event": "submission",
            "kind": kind,
            "result": result,
            "status": status,
            "ms": round((time.perf_counter() - started) * 1000, 1),
            **extra,
        }
        logger.info(json.dumps(record, ensure_ascii=False))

    return Starlette(
        routes=[
            Route("/health", health, methods=["GET"]),
            Route("/{kind}", receive, methods=["POST"]),
            Route("/{kind}", preflight, methods=["OPTIONS"]),
        ],
        lifespan=lifespan,
        middleware=proxy_middleware(config),
    )


def proxy_middleware(config: InboxConfig) -> list[Middleware]:
    """Trust X-Forwarded-For only when told to, and only from the proxy's own address.

    The app does this itself rather than leaving it to the server's options, so
    the rate limit behind a proxy is the same wherever the app runs: under
    `redress inbox serve` and in the tests. As uvicorn does, the proxy's address
    is 127.0.0.1 unless FORWARDED_ALLOW_IPS names others (or "*").
    """
    if not config.trust_proxy:
        return []
    trusted = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
    return [Middleware(ProxyHeadersMiddleware, trusted_hosts=trusted)]


__all__ = ["KINDS", "create_app"]
