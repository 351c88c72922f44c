"""From an invitation link on a phone to the review on the page, in real headless Chromium.

The built site and the inbox are served on one origin, as a shop deploys
them: a small reverse proxy serves the output folder and forwards
``POST /inbox/*`` to `redress inbox serve`. A customer opens the product form
from an invitation link, rates and writes, sends (without JavaScript: lands
on the thank-you page; with it: the thanks appear in place); then the shop
owner runs `redress inbox publish`, builds, and the review is on its page
with "Verified buyer" and "Invited". A second test puts the inbox on its own
origin, as a shop may (the demo tries both on one with `redress preview`,
see test_preview.py).
"""

from __future__ import annotations

import datetime as dt
import functools
import http.client
import http.server
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from browser import ARTIFACTS
from inbox_server import SECRET, InboxServer, build_site, make_site, redress_here, write_site_settings
from pelican.plugins.redress import tokens

pytestmark = pytest.mark.browser

FORWARDED_REQUEST = ("Content-Type", "Accept", "Origin", "Referer", "User-Agent")
FORWARDED_REPLY = ("Content-Type", "Location", "Retry-After", "Access-Control-Allow-Origin", "Vary")


class SiteProxy:
    """The output folder on a free loopback port; POST /inbox/<path> goes to the inbox's /<path>."""

    def __init__(self, folder: Path):
        self.inbox_port: int | None = None
        proxy = self

        class Handler(http.server.SimpleHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - the http.server API
                if not self.path.startswith("/inbox/") or proxy.inbox_port is None:
                    self.send_error(404)
                    return
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                headers = {k: self.headers[k] for k in FORWARDED_REQUEST if self.headers.get(k)}
                upstream = http.client.HTTPConnection("127.0.0.1", proxy.inbox_port, timeout=30)
                try:
                    upstream.request("POST", self.path[len("/inbox") :], body=body, headers=headers)
                    reply = upstream.getresponse()
                    data = reply.read()
                finally:
                    upstream.close()
                self.send_response(reply.status)
                for name in FORWARDED_REPLY:
                    if reply.getheader(name):
                        self.send_header(name, reply.getheader(name))
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                pass

        self.server = http.server.ThreadingHTTPServer(
            ("127.0.0.1", 0), functools.partial(Handler, directory=str(folder))
        )
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    @contextmanager
    def running(self) -> Iterator[SiteProxy]:
        thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        thread.start()
        try:
            yield self
        finally:
            self.server.shutdown()
            self.server.server_close()


def _letters() -> str:
    """A marker of letters only: eight random hex digits are all digits one time in 43,
    and the page rightly hides such a number as a phone number."""
    return uuid.uuid4().hex[:8].translate(str.maketrans("0123456789", "ghijklmnop"))


def phone(browser: Any, **kwargs: Any) -> Any:
    return browser.new_context(
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
        device_scale_factor=2,
        **kwargs,
    )


def invitation(order: str, product: str) -> str:
    return tokens.make_token(SECRET.encode(), order, product, dt.date.today() + dt.timedelta(days=30))


def fill_review(page: Any, stars: int, title: str, text: str) -> None:
    """What a customer does with a thumb: tap a star, type, tick the box, send."""
    page.tap(f"label[for=rating-{stars}]")
    page.fill("#title", title)
    page.fill("#text", text)
    page.fill("#name", "Eva B.")
    page.fill("#email", "eva.b@example.nl")
    page.tap("label[for=consent]")
    page.tap("button[type=submit]")


def find_published(server: InboxServer, mark: str) -> str:
    (row,) = server.rows(mark)
    assert row.published_path, f"submission {row.id} was not published"
    return Path(row.published_path).stem


def test_invitation_to_published_review_same_origin(browser: Any, tmp_path: Path) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    site = tmp_path / "site"
    proxy = SiteProxy(site / "output")
    make_site(site, siteurl=proxy.url)
    build_site(site)
    no_js, with_js = f"nojs-{_letters()}", f"js-{_letters()}"
    with proxy.running(), InboxServer(site) as server:
        proxy.inbox_port = server.port

        # Without JavaScript: the product form from the invitation link, then the thank-you page.
        context = phone(browser, java_script_enabled=False)
        page = context.new_page()
        page.goto(f"{proxy.url}/reviews/write/espresso-x1/?t={invitation('BB-E2E-1', 'espresso-x1')}")
        fill_review(page, 2, f"Lekt na een week {no_js}", f"Er druppelt water uit de groepskop. {no_js}")
        page.wait_for_url(f"{proxy.url}/reviews/thanks/", timeout=10000)
        assert page.locator("h1").inner_text() == "Thank you for your review"
        page.screenshot(path=str(ARTIFACTS / "inbox-thanks-nojs-390px.png"), full_page=True)
        context.close()

        # With JavaScript: the general form, sent in place.
        context = phone(browser)
        page = context.new_page()
        page.goto(f"{proxy.url}/reviews/write/?t={invitation('BB-E2E-2', '')}")
        fill_review(page, 5, f"Great beans {with_js}", f"Fresh and quick to arrive, lovely crema. {with_js}")
        thanks = page.locator(".thanks")
        thanks.wait_for(timeout=10000)
        assert "Thank you for your review" in thanks.inner_text()
        assert page.locator("form.review-form").count() == 0
        page.screenshot(path=str(ARTIFACTS / "inbox-thanks-js-390px.png"), full_page=True)
        context.close()

        for mark in (no_js, with_js):
            (row,) = server.rows(mark)
            assert row.status == "accepted" and row.token_status == "valid", (mark, row.token_status)

        done = redress_here(site, "publish", env=server.env)
        assert done.returncode == 0, done.stderr
        build_site(site)

        context = phone(browser)
        page = context.new_page()
        for mark, stars in ((no_js, 2), (with_js, 5)):
            slug = find_published(server, mark)
            page.goto(f"{proxy.url}/reviews/{slug}/")
            card = page.locator(f"article#review-{slug}")
            assert mark in card.inner_text()
            assert card.locator(".rating-number").inner_text() == f"{stars}/5"
            assert card.locator("ul.labels li").all_inner_texts() == ["Verified buyer", "Invited"]
            assert "eva.b@example.nl" not in page.content() and "BB-E2E" not in page.content()
            if mark == no_js:
                card.scroll_into_view_if_needed()
                page.screenshot(path=str(ARTIFACTS / "inbox-e2e-review-390px.png"), full_page=False)
        page.goto(f"{proxy.url}/reviews/")
        assert page.locator(f"article:has-text('{with_js}') li.label-verified").count() == 1
        context.close()


def test_inbox_on_its_own_origin_accepts_the_plain_form(browser: Any, tmp_path: Path) -> None:
    """Site on one port, the inbox on another (REVIEWS_FORM_ACTION absolute).

    Every Redress form page says `referrer: same-origin`, so Chromium posts
    the plain form to the other origin with `Origin: null` and no Referer:
    the inbox accepts that only because this setup sets
    REVIEWS_INBOX_ALLOW_NULL_ORIGIN, and the invitation token only arrives
    with JavaScript (write.js copies it into the form).
    """
    site = tmp_path / "site"
    proxy = SiteProxy(site / "output")
    no_js, with_js = f"nojs-{_letters()}", f"js-{_letters()}"
    make_site(
        site, siteurl=proxy.url, REVIEWS_INBOX_ORIGINS=[proxy.url], REVIEWS_INBOX_ALLOW_NULL_ORIGIN=True
    )
    with proxy.running(), InboxServer(site) as server:
        # The pages need the inbox's address, known once it listens: build them now. The
        # service read its settings before the form actions were added; it uses those only
        # for the form it sends back after a mistake, and every post here is valid.
        write_site_settings(
            site,
            siteurl=proxy.url,
            REVIEWS_FORM_ACTION=f"{server.url}/reviews",
            REVIEWS_FOLLOWUP_ACTION=f"{server.url}/follow-ups",
            REVIEWS_INBOX_ORIGINS=[proxy.url],
            REVIEWS_INBOX_ALLOW_NULL_ORIGIN=True,
        )
        build_site(site)
        context = phone(browser, java_script_enabled=False)
        page = context.new_page()
        page.goto(f"{proxy.url}/reviews/write/molen-m2/?t={invitation('BB-E2E-3', 'molen-m2')}")
        fill_review(page, 1, f"Molen kapot {no_js}", f"Na drie weken maalt hij niet meer. {no_js}")
        page.wait_for_url(f"{proxy.url}/reviews/thanks/", timeout=10000)
        context.close()

        context = phone(browser)
        page = context.new_page()
        page.goto(f"{proxy.url}/reviews/write/molen-m2/?t={invitation('BB-E2E-4', 'molen-m2')}")
        fill_review(page, 4, f"Goede molen {with_js}", f"Maalt gelijkmatig en stil genoeg. {with_js}")
        page.locator(".thanks").wait_for(timeout=10000)
        context.close()

        (plain,) = server.rows(no_js)
        assert plain.status == "accepted"
        assert plain.token_status == "missing", "no Referer crosses origins under referrer: same-origin"
        (fetched,) = server.rows(with_js)
        assert fetched.status == "accepted" and fetched.normalised["verified"] is True
