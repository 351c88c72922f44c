"""The inbox's HTTP side: Starlette, served by uvicorn.

Starlette is a small, well-kept ASGI toolkit and uvicorn a production ASGI
server; together they take a few hundred posts a second on two cores with
nothing else to run. The order of checks is cheapest first: the declared
size, the origin, the rate, the encoding; then the model's own checks in
:mod:`.intake`. What the server itself does about slow clients (header
deadlines, a connection limit) is in :mod:`.server`; the body's deadline is
here, where the body is read, so a client that sends it too slowly gets an
answer (408) rather than a closed connection.

Several instances of this app may serve one shop on one PostgreSQL
database: nothing a promise depends on is kept in a process's memory (the
rate limit's buckets are in the database too). A database that does not
answer gets the customer a 503 ("try again in a minute"), never a thank-you
for a post that was not stored.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import os
import time
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import parse_qsl

import anyio
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import ClientDisconnect, Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from ..content.rules import CONTROL_RE
from ..content.shop import Shop
from .catalog import Catalog
from .config import InboxConfig, origin_of
from .intake import KINDS, Intake
from .notify import Notifier
from .pages import FormPages
from .store import Store, StoreUnavailable, address_key, open_store

logger = logging.getLogger("redress.inbox")

MAX_FIELDS = 40


class BadRequest(Exception):
    def __init__(self, status: int, message: str, close: bool = False):
        self.status = status
        self.message = message
        #: Answer with `Connection: close`: the rest of the request is not worth waiting for.
        self.close = close


class RateLimiter:
    """A token bucket per client address: `per_minute` posts, refilled steadily.

    The buckets are in the database (:meth:`Store.take_token`), so every
    instance of the inbox counts the same posts: a client cannot get twice the
    allowance by being sent to two instances in turn. The database keeps a
    hash of the address, not the address.
    """

    def __init__(self, store: Store, per_minute: int):
        self.store = store
        self.per_minute = per_minute

    def allow(self, client: str, now: float | None = None) -> bool:
        if self.per_minute <= 0:
            return True
        return self.store.take_token(
            address_key(client), self.per_minute, time.time() if now is None else now
        )


def parse_form(body: bytes) -> dict[str, str]:
    """A urlencoded body, strictly: valid UTF-8, few fields, no control characters in a name.

    Browsers percent-encode every byte outside ASCII, but some clients send
    UTF-8 as it is; both are the same text. The body must be UTF-8 as sent
    and once its %XX escapes are decoded. A control character in a value (a
    vertical tab or form feed pasted from a word processor) is left out, as
    the reader leaves it out of a file: the customer cannot see it to take it
    out, and refusing the whole review for it would lose what they wrote.
    """
    try:
        pairs = parse_qsl(body.decode("utf-8"), keep_blank_values=True, encoding="utf-8", errors="strict")
    except UnicodeDecodeError as err:
        raise BadRequest(400, "the form data is not valid UTF-8") from err
    if len(pairs) > MAX_FIELDS:
        raise BadRequest(400, "too many fields")
    fields: dict[str, str] = {}
    for name, value in pairs:
        if CONTROL_RE.search(name):
            raise BadRequest(400, "the form data contains control characters")
        fields.setdefault(name, CONTROL_RE.sub("", value))
    return fields


def from_our_site(config: InboxConfig, origin: str | None, referer: str | None) -> bool:
    """Did the post come from one of the shop's pages, as far as the browser tells?

    A browser names the page's origin in `Origin`, and a page cannot change
    it. `Origin: null` names none: a page anywhere sends it from a sandboxed
    frame, or with `referrer: no-referrer`, and so can make its visitors'
    browsers post to the inbox from their own addresses, past the per-address
    limit. So "null", like no Origin at all, counts as a foreign origin
    unless the Referer names one of ours, or the owner allows it
    (REVIEWS_INBOX_ALLOW_NULL_ORIGIN; only for an inbox on another origin than
    its pages, where Chromium sends "null" for our own forms, which say
    `referrer: same-origin`).
    """
    origin = (origin or "").strip()
    if origin and origin != "null":
        return origin.rstrip("/") in config.origins
    if referer:
        return origin_of(referer.strip()) in config.origins
    return config.allow_null_origin


def create_app(config: InboxConfig, store: Store | None = None, notify: bool = True) -> Starlette:
    """The inbox's app on `store`, or on a store of its own that it closes when it stops."""
    owned = store is None
    store = store or open_store(config.database, config.synchronous)
    # The content as it is now, and as it changes while the service runs; a mistake in it
    # never stops the inbox (see .catalog).
    catalog = Catalog(config.settings)
    catalog.refresh()
    intake = Intake(
        store,
        config.secret,
        config.rs["REVIEWS_SCALE"],
        catalog.products,
        config.settings["DEFAULT_LANG"],
        shop_names=(config.rs["REVIEWS_SHOP_NAME"] or "", config.settings.get("SITENAME") or ""),
    )
    pages = FormPages(config, catalog.shop or Shop(settings=config.rs))
    limiter = RateLimiter(store, config.rate_per_minute)
    notifier = Notifier(config, store) if notify else None

    async def follow_content() -> None:
        """Re-read the content if its files changed (looked at most every few seconds)."""
        if catalog.due() and await anyio.to_thread.run_sync(catalog.refresh):
            intake.products = catalog.products
            pages.shop = catalog.shop

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

    def check_declared_size(request: Request) -> None:
        length = request.headers.get("content-length")
        if length and (not length.isdigit() or int(length) > config.max_bytes):
            raise BadRequest(413, "the form is too large")

    async def read_body(request: Request) -> bytes:
        """The body, within REVIEWS_INBOX_MAX_BYTES and REVIEWS_INBOX_BODY_TIMEOUT.

        A body that trickles in holds a connection and a request; after the
        deadline it gets 408 and the connection is closed, whatever is still
        on its way.
        """
        body = bytearray()
        try:
            with anyio.fail_after(config.body_timeout):
                async for chunk in request.stream():
                    body += chunk
                    if len(body) > config.max_bytes:
                        raise BadRequest(413, "the form is too large")
        except TimeoutError:
            message = "the form took too long to arrive; please send it again"
            raise BadRequest(408, message, close=True) from None
        except ClientDisconnect:
            raise BadRequest(400, "the connection closed before the whole form arrived", close=True) from None
        return bytes(body)

    def error(request: Request, status: int, message: str, wants_json: bool, close: bool = False) -> Response:
        response: Response = (
            JSONResponse({"ok": False, "message": message}, status_code=status)
            if wants_json
            else PlainTextResponse(message + "\n", status_code=status)
        )
        if status in (429, 503):
            response.headers["Retry-After"] = "60"
        if close:
            response.headers["Connection"] = "close"
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
            check_declared_size(request)
            # Before the rate limit: a foreign page's posts do not use up its visitors' allowance.
            if not from_our_site(config, request.headers.get("origin"), request.headers.get("referer")):
                raise BadRequest(403, "this form was sent from a site the inbox does not know")
            if limiter.per_minute > 0 and not await anyio.to_thread.run_sync(limiter.allow, client):
                raise BadRequest(429, "too many submissions from your address; please try again in a minute")
            content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
            if content_type != "application/x-www-form-urlencoded":
                raise BadRequest(415, "send the form as application/x-www-form-urlencoded")
            fields = parse_form(await read_body(request))
            await follow_content()
            outcome = await anyio.to_thread.run_sync(
                lambda: intake.receive(
                    kind,
                    fields,
                    client=client,
                    referer=request.headers.get("referer", ""),
                    user_agent=request.headers.get("user-agent", ""),
                )
            )
        except BadRequest as bad:
            log(kind, "refused", bad.status, started, reason=bad.message)
            return error(request, bad.status, bad.message, wants_json, close=bad.close)
        except StoreUnavailable as down:
            # Nothing was stored: the customer must not read "thank you", and may simply send again.
            log(kind, "unavailable", 503, started, reason=str(down))
            message = "the inbox cannot keep what you sent right now; please send it again in a minute"
            return error(request, 503, message, wants_json)
        if outcome.ok:
            if notifier and outcome.result == "accepted":
                notifier.wake()
            log(kind, outcome.result, 200 if wants_json else 303, started, id=outcome.submission_id)
            if wants_json:
                title, message = pages.thanks_text(kind, outcome.lang, outcome.needs_check)
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
        await follow_content()
        try:
            counts = await anyio.to_thread.run_sync(store.count)
            waiting = await anyio.to_thread.run_sync(store.count_waiting)
        except StoreUnavailable as down:
            # A load balancer's health check takes this instance out until its database answers;
            # which database, and why, is for the log, not for whoever asks.
            logger.warning("redress inbox: health: %s", down)
            return JSONResponse({"ok": False, "database": "not answering"}, status_code=503)
        return JSONResponse(
            {
                "ok": True,
                "submissions": counts,
                "waiting": waiting,
                # False while a content file has a mistake (the log says which); the inbox
                # keeps receiving all the same.
                "content_ok": not catalog.problems,
            }
        )

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if notifier:
            notifier.start()
        start: dict[str, Any] = {"event": "start", "origins": sorted(config.origins)}
        if config.allow_null_origin:
            start["allow_null_origin"] = True
        logger.info(json.dumps(start))
        yield
        if notifier:
            notifier.stop()
        if owned:
            store.close()

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
