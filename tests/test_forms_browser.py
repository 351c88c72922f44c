"""The review forms in real headless Chromium on a phone, end to end.

A crafted shop is built once and served from 127.0.0.1 by a small test
receiver: GET serves the output folder, POST to the inbox addresses records
every field and header and answers like the inbox does (JSON for fetch, a
303 to the thank-you page for a plain form post). The customer opens an
invitation link, taps the 4th star, types and sends: with JavaScript, without
it, and by keyboard only.
"""

from __future__ import annotations

import datetime as dt
import http.server
import json
import re
import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from browser import ARTIFACTS, axe_violations
from conftest import build, make_site, response, review
from pelican.plugins.redress.tokens import ORDER_MAX_CHARS, check_token, make_order_token, make_token

pytestmark = pytest.mark.browser

SECRET = b"a test secret that is long enough!!"
ORDER = "ORD-1001"
TOKEN = make_token(SECRET, ORDER, "kettle", dt.date.today() + dt.timedelta(days=30))
FOLLOWUP_TOKEN = make_token(SECRET, ORDER, "", dt.date.today() + dt.timedelta(days=30))
#: An order's own link for a long order number and many products: longer than 512 characters.
ORDER_TOKEN = make_order_token(
    SECRET,
    "O" * ORDER_MAX_CHARS,
    ["mug", "kettle"] + [f"accessory-{n:02d}-in-a-long-name" for n in range(9)],
    dt.date.today() + dt.timedelta(days=30),
)
INBOX = {"/inbox/reviews": "review", "/inbox/follow-ups": "follow-up"}
DRAFT_KEY = "redress-draft:/reviews/write/kettle/"
TEXT = "The lid broke on the second day, but the kettle itself boils fast."


# --- the shop, the receiver and the browser ---------------------------------------------------------


@pytest.fixture(scope="module")
def output(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site = make_site(
        tmp_path_factory.mktemp("forms-browser"),
        ("products/kettle.md", "Title: Kettle Deluxe\n\nA kettle.\n"),
        ("products/mug.md", "Title: Mug\n\nA mug.\n"),
        review("a", rating=2, product="kettle", body="The lid broke."),
        review("b", rating=5, date="2026-10-03 10:00", body="Fast delivery."),
        response("ra", "a", body="Sorry, a new lid is on its way."),
    )
    return build(site, REVIEWS_FORM_ACTION="/inbox/reviews", REVIEWS_FOLLOWUP_ACTION="/inbox/follow-ups")


class Receiver(http.server.SimpleHTTPRequestHandler):
    """Static files from the output folder; the inbox's two POST addresses recorded."""

    posts: list[dict] = []

    def do_POST(self) -> None:  # noqa: N802 (the name http.server calls)
        path = urlparse(self.path).path
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode("utf-8")
        if path not in INBOX:
            self.send_error(404)
            return
        self.posts.append(
            {
                "path": path,
                "fields": parse_qs(body, keep_blank_values=True),
                "referer": self.headers.get("Referer", ""),
                "accept": self.headers.get("Accept", ""),
                "content_type": self.headers.get("Content-Type", ""),
            }
        )
        if "application/json" in self.headers.get("Accept", ""):
            data = json.dumps({"ok": True}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        else:
            self.send_response(303)
            self.send_header("Location", "/reviews/thanks/")
            self.send_header("Content-Length", "0")
            self.end_headers()

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


class Shop:
    def __init__(self, base: str, posts: list[dict]):
        self.base = base
        self.posts = posts

    def url(self, path: str) -> str:
        return f"{self.base}/{path}"

    def only_post(self) -> dict:
        assert len(self.posts) == 1, self.posts
        post = self.posts[0]
        # Every field arrives once: one value per name.
        assert all(len(v) == 1 for v in post["fields"].values()), post["fields"]
        return dict(post, fields={k: v[0] for k, v in post["fields"].items()})


@pytest.fixture(scope="module")
def server(output: Path) -> Iterator[Shop]:
    posts: list[dict] = []
    handler = type("ShopReceiver", (Receiver,), {"posts": posts})

    def make(*args, **kwargs):
        return handler(*args, directory=str(output), **kwargs)

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), make)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield Shop(f"http://127.0.0.1:{httpd.server_address[1]}", posts)
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture
def shop(server: Shop) -> Shop:
    server.posts.clear()
    return server


class Phone:
    """A phone (390x844, touch) that notes every request and console error."""

    def __init__(self, browser, width: int = 390, height: int = 844, **kwargs):
        self.context = browser.new_context(
            viewport={"width": width, "height": height},
            is_mobile=True,
            has_touch=True,
            device_scale_factor=2,
            **kwargs,
        )
        self.requests: list[str] = []
        self.errors: list[str] = []
        self.missing: list[str] = []
        self.page = self.new_page()

    def new_page(self):
        page = self.context.new_page()
        page.on("request", lambda r: self.requests.append(r.url))
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.on("response", lambda r: self.missing.append(r.url) if r.status >= 400 else None)
        return page

    def assert_clean(self) -> None:
        hosts = {urlparse(u).hostname for u in self.requests if not u.startswith(("data:", "about:"))}
        assert hosts <= {"127.0.0.1"}, hosts
        # The site has no favicon; Chromium asks for one and logs the 404.
        assert [u for u in self.missing if urlparse(u).path != "/favicon.ico"] == []
        favicon = "Failed to load resource: the server responded with a status of 404 (File not found)"
        assert [e for e in self.errors if e != favicon] == []


@pytest.fixture
def phone(browser) -> Iterator[Phone]:
    device = Phone(browser)
    yield device
    device.context.close()


@pytest.fixture
def phone_no_js(browser) -> Iterator[Phone]:
    device = Phone(browser, java_script_enabled=False)
    yield device
    device.context.close()


def token_filled(page, name: str = "t") -> None:
    page.wait_for_function(f"document.querySelector('input[name={name}]').value !== ''")


def draft(page, key: str = DRAFT_KEY):
    return page.evaluate(f"window.localStorage.getItem({key!r})")


def screenshot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name), full_page=True)


def fill_review(page) -> None:
    """Tap the 4th star, type the review, agree: what a customer does with one thumb."""
    page.tap('label[for="rating-4"]')
    assert page.is_checked("#rating-4")
    page.fill("#title", "Lid broke, kettle fine")
    page.fill("#text", TEXT)
    page.fill("#name", "Anna K.")
    page.fill("#email", "anna@example.org")
    page.tap("#consent")
    assert page.is_checked("#consent")


def assert_every_review_field(fields: dict[str, str]) -> None:
    assert fields["rating"] == "4"
    assert fields["p"] == "kettle"
    assert fields["title"] == "Lid broke, kettle fine"
    assert fields["text"] == TEXT
    assert fields["name"] == "Anna K."
    assert fields["email"] == "anna@example.org"
    assert fields["consent"] == "yes"
    assert fields["lang"] == "en"
    assert fields["ui"] == "en"
    assert fields["website"] == "", "the honeypot stays empty for a person"
    assert fields["order"] == ""


# --- (1) with JavaScript: the invitation link, a tap on the 4th star, sent in place ----------------


def test_invitation_with_javascript_sends_every_field_and_thanks_in_place(phone, shop):
    page = phone.page
    page.goto(shop.url(f"reviews/write/kettle/?t={TOKEN}"))
    token_filled(page)
    fill_review(page)
    page.tap("button[type=submit]")
    thanks = page.wait_for_selector(".thanks")
    post = shop.only_post()
    assert post["path"] == "/inbox/reviews"
    assert "application/json" in post["accept"]
    assert post["content_type"].startswith("application/x-www-form-urlencoded")
    fields = post["fields"]
    assert_every_review_field(fields)
    assert fields["t"] == TOKEN
    check = check_token(SECRET, fields["t"], fields["p"])
    assert (check.status, check.order) == ("valid", ORDER)
    assert re.fullmatch(r"[0-9a-f-]{36}", fields["key"]), fields["key"]
    assert page.url == shop.url(f"reviews/write/kettle/?t={TOKEN}"), "thanked in place"
    assert thanks.evaluate("el => el === document.activeElement")
    assert page.locator(".thanks h2").inner_text() == "Thank you for your review"
    assert page.locator("form.review-form").count() == 0
    page.wait_for_timeout(600)  # longer than the draft's save delay
    assert draft(page) is None, "the draft is forgotten once the review is sent"
    screenshot(page, "form-thanks-390px.png")
    assert axe_violations(page) == []
    phone.assert_clean()


def test_general_invitation_picks_the_product_from_the_link(phone, shop):
    """An order's own link, with the order's products in a token longer than 512 characters."""
    assert len(ORDER_TOKEN) > 512
    page = phone.page
    page.goto(shop.url(f"reviews/write/?t={ORDER_TOKEN}&p=mug"))
    token_filled(page)
    assert page.input_value("input[name=t]") == ORDER_TOKEN, "the whole token, not its first 512 characters"
    assert page.input_value("#p") == "mug"
    page.tap('label[for="rating-5"]')
    page.fill("#text", "A very nice mug indeed.")
    page.tap("#consent")
    page.tap("button[type=submit]")
    page.wait_for_selector(".thanks")
    fields = shop.only_post()["fields"]
    assert (fields["p"], fields["t"], fields["rating"]) == ("mug", ORDER_TOKEN, "5")
    assert check_token(SECRET, fields["t"], "mug").valid
    phone.assert_clean()


def test_a_second_send_after_a_failure_keeps_the_idempotency_key(phone, shop):
    page = phone.page
    refused: list[str] = []

    def refuse(route) -> None:
        refused.append(parse_qs(route.request.post_data)["key"][0])
        route.abort()

    page.route("**/inbox/reviews", refuse)
    page.goto(shop.url(f"reviews/write/kettle/?t={TOKEN}"))
    fill_review(page)
    page.tap("button[type=submit]")
    page.locator(".form-status").filter(has_text="could not be sent").wait_for()
    assert page.locator("form.review-form").count() == 1 and page.is_enabled("button[type=submit]")
    assert page.input_value("#text") == TEXT, "nothing typed is lost"
    page.wait_for_function(f"localStorage.getItem({DRAFT_KEY!r}) !== null", timeout=2000)
    page.unroute("**/inbox/reviews")
    page.tap("button[type=submit]")
    page.wait_for_selector(".thanks")
    assert len(refused) == 1
    assert shop.only_post()["fields"]["key"] == refused[0], "the inbox can drop the repeat"
    phone.errors.clear()  # the refused request is logged as a failed load, on purpose
    phone.assert_clean()


# --- (2) without JavaScript: a plain POST and the thank-you page -----------------------------------


def test_invitation_without_javascript_posts_and_lands_on_the_thanks_page(phone_no_js, shop):
    page = phone_no_js.page
    invitation = shop.url(f"reviews/write/kettle/?t={TOKEN}")
    page.goto(invitation)
    assert page.locator("#text-counter").is_hidden()
    fill_review(page)
    page.tap("button[type=submit]")
    page.wait_for_url("**/reviews/thanks/")
    assert page.locator("h1").inner_text() == "Thank you for your review"
    post = shop.only_post()
    fields = post["fields"]
    assert_every_review_field(fields)
    assert "key" not in fields, "the idempotency key is added by JavaScript only"
    assert fields["t"] == "", "no JavaScript copied the token"
    assert post["referer"] == invitation, "the token reaches the inbox in the Referer"
    referred = parse_qs(urlparse(post["referer"]).query)["t"][0]
    assert check_token(SECRET, referred, fields["p"]).valid
    assert "application/json" not in post["accept"]
    assert post["content_type"].startswith("application/x-www-form-urlencoded")
    phone_no_js.assert_clean()


def test_without_javascript_the_browser_refuses_an_incomplete_form(phone_no_js, shop):
    page = phone_no_js.page
    page.goto(shop.url("reviews/write/kettle/"))
    page.fill("#text", TEXT)
    page.tap("button[type=submit]")
    page.wait_for_timeout(300)
    assert shop.posts == []
    assert page.url.endswith("/reviews/write/kettle/")
    assert not page.evaluate("document.querySelector('form').checkValidity()")


# --- (3) by keyboard only --------------------------------------------------------------------------


def tab_to(page, selector: str, limit: int = 20) -> int:
    """Press Tab until `selector` has focus; return how many presses it took."""
    for presses in range(1, limit + 1):
        page.keyboard.press("Tab")
        focused = page.evaluate("document.activeElement && document.activeElement.id")
        assert focused != "website", "the honeypot took the focus"
        if page.evaluate(f"document.activeElement.matches({selector!r})"):
            return presses
    raise AssertionError(f"{selector} never got the focus")


def outline_of(page, selector: str) -> tuple[str, float]:
    style = page.eval_on_selector(
        selector, "el => { const s = getComputedStyle(el); return [s.outlineStyle, s.outlineWidth]; }"
    )
    return style[0], float(style[1].removesuffix("px") or 0)


def test_keyboard_only(phone, shop):
    page = phone.page
    page.goto(shop.url(f"reviews/write/kettle/?t={TOKEN}"))
    token_filled(page)
    presses = tab_to(page, "#rating-1")
    assert presses <= 4, "skip link, shop name and breadcrumb come first"
    group = page.get_by_role("radiogroup").or_(page.get_by_role("group", name="Your rating (required)"))
    assert group.count() == 1
    page.keyboard.press("Space")
    for _ in range(3):
        page.keyboard.press("ArrowRight")
    assert page.evaluate("document.querySelector('input[name=rating]:checked').value") == "4"
    assert page.evaluate("document.activeElement.id") == "rating-4"
    star = page.get_by_role("radio", name="4 of 5 stars")
    assert star.is_checked() and star.evaluate("el => el === document.activeElement")
    style, width = outline_of(page, 'label[for="rating-4"]')
    assert style != "none" and width >= 2, (style, width)
    assert outline_of(page, 'label[for="rating-3"]')[0] == "none", "only the focused star is outlined"
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowRight")
    assert page.evaluate("document.querySelector('input[name=rating]:checked').value") == "4"

    tab_to(page, "#title")
    page.keyboard.type("Lid broke, kettle fine")
    tab_to(page, "#text")
    page.keyboard.type(TEXT)
    tab_to(page, "#name")
    page.keyboard.type("Anna K.")
    tab_to(page, "#email")
    page.keyboard.type("anna@example.org")
    tab_to(page, "#consent")
    page.keyboard.press("Space")
    assert page.is_checked("#consent")
    style, width = outline_of(page, "#consent")
    assert style != "none" and width >= 2
    tab_to(page, "button[type=submit]")
    style, width = outline_of(page, "button[type=submit]")
    assert style != "none" and width >= 2
    page.keyboard.press("Enter")
    page.wait_for_selector(".thanks")
    fields = shop.only_post()["fields"]
    assert_every_review_field(fields)
    assert fields["t"] == TOKEN
    phone.assert_clean()


# --- (4) errors next to each field -----------------------------------------------------------------

ERRORS = {
    "rating": "Choose how many stars you give.",
    "text": "Write a few words about your experience.",
    "consent": "We can only publish your review with your permission.",
}


def test_empty_send_shows_errors_next_to_each_field(phone, shop):
    page = phone.page
    page.goto(shop.url("reviews/write/kettle/"))
    page.tap("button[type=submit]")
    page.wait_for_selector("#rating-error:not([hidden])")
    assert shop.posts == []
    for name, message in ERRORS.items():
        error = page.locator(f"#{name}-error")
        assert error.is_visible() and error.inner_text() == message, name
    assert page.locator("#email-error").is_hidden() and page.locator("#title-error").is_hidden()
    assert page.get_attribute("fieldset.rating-input", "aria-invalid") == "true"
    assert page.get_attribute("#text", "aria-invalid") == "true"
    assert page.get_attribute("#consent", "aria-invalid") == "true"
    assert page.get_attribute("#email", "aria-invalid") is None
    assert page.evaluate("document.activeElement.id") == "rating-1", "focus on the first invalid field"
    # Next to the field: in the field's own box, right below the control and its label.
    for name, field in (("rating", ".stars-input"), ("text", "#text"), ("consent", "label[for=consent]")):
        assert page.locator(f"{field} ~ #{name}-error").count() == 1, name
        box = page.locator(field).bounding_box()
        err = page.locator(f"#{name}-error").bounding_box()
        assert 0 <= err["y"] - (box["y"] + box["height"]) < 48, name
    # A screen reader reads each message with its field.
    from playwright.sync_api import expect

    expect(page.get_by_role("group", name="Your rating (required)")).to_have_accessible_description(
        ERRORS["rating"]
    )
    expect(page.get_by_role("textbox", name="Your review (required)")).to_have_accessible_description(
        re.compile(re.escape(ERRORS["text"]) + "$")
    )
    expect(page.get_by_role("checkbox", name=re.compile("I agree"))).to_have_accessible_description(
        ERRORS["consent"]
    )
    screenshot(page, "form-errors-390px.png")
    assert axe_violations(page) == []

    # Correcting a field clears its error on the next try; a short text and a bad e-mail get their own.
    page.tap('label[for="rating-4"]')
    page.fill("#text", "Too short")
    page.fill("#email", "anna@")
    page.tap("button[type=submit]")
    assert page.locator("#rating-error").is_hidden()
    assert page.get_attribute("fieldset.rating-input", "aria-invalid") is None
    assert page.locator("#text-error").inner_text() == "Write at least 10 characters."
    assert page.locator("#email-error").inner_text() == "This does not look like an e-mail address."
    assert page.evaluate("document.activeElement.id") == "text"
    assert shop.posts == []
    phone.assert_clean()


def test_errors_from_the_inbox_are_shown_next_to_the_field(phone, shop):
    page = phone.page
    page.route(
        "**/inbox/reviews",
        lambda route: route.fulfill(
            status=422,
            content_type="application/json",
            body=json.dumps({"errors": {"email": "Use another address."}, "message": "Please check."}),
        ),
    )
    page.goto(shop.url("reviews/write/kettle/"))
    fill_review(page)
    page.tap("button[type=submit]")
    page.locator("#email-error").filter(has_text="Use another address.").wait_for()
    assert page.get_attribute("#email", "aria-invalid") == "true"
    assert page.locator(".form-status").inner_text() == "Please check."
    assert page.is_enabled("button[type=submit]")
    assert shop.posts == []
    phone.errors.clear()  # Chromium logs the 422 as a failed load
    phone.missing.clear()
    phone.assert_clean()


# --- (5) the draft and (6) the counter ------------------------------------------------------------


def test_draft_survives_a_reload_and_a_closed_tab(phone, shop):
    page = phone.page
    page.goto(shop.url("reviews/write/"))
    page.tap('label[for="rating-2"]')
    page.select_option("#p", "mug")
    page.fill("#text", TEXT)
    page.wait_for_function("localStorage.getItem('redress-draft:/reviews/write/') !== null")
    page.wait_for_timeout(400)
    page.reload()
    assert page.input_value("#text") == TEXT
    assert page.is_checked("#rating-2")
    assert page.input_value("#p") == "mug"
    page.close()
    again = phone.new_page()
    again.goto(shop.url("reviews/write/"))
    assert again.input_value("#text") == TEXT
    assert again.is_checked("#rating-2")
    stored = json.loads(draft(again, "redress-draft:/reviews/write/"))
    assert "t" not in stored and "website" not in stored and "consent" not in stored
    phone.assert_clean()


def test_counter_counts_as_the_customer_types(phone, shop):
    page = phone.page
    page.goto(shop.url("reviews/write/kettle/"))
    counter = page.locator("#text-counter")
    assert counter.is_visible()
    assert counter.inner_text() == "0 of 5,000 characters"
    page.locator("#text").type("Hello")
    assert counter.inner_text() == "5 of 5,000 characters"
    page.fill("#text", "x" * 42)
    assert counter.inner_text() == "42 of 5,000 characters"
    phone.assert_clean()


# --- (7) thumbs and small screens ------------------------------------------------------------------


# The follow-up form from its link: opened without one, it is not offered (see test_preview.py).
@pytest.mark.parametrize(
    "path", ["reviews/write/", "reviews/write/kettle/", f"reviews/follow-up/?t={FOLLOWUP_TOKEN}&r=a"]
)
def test_fits_a_360px_screen_with_thumb_sized_targets(browser, shop, path):
    device = Phone(browser, width=360, height=740)
    page = device.page
    page.goto(shop.url(path))
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    targets = "form .stars-input label, form .choices label, form button"
    sizes = page.locator(targets).evaluate_all(
        "els => els.map(e => { const r = e.getBoundingClientRect(); return [r.width, r.height]; })"
    )
    assert sizes and all(w >= 44 and h >= 44 for w, h in sizes), sizes
    consent = page.locator("#consent").bounding_box()
    assert consent["width"] >= 24 and consent["height"] >= 24
    typed = "form input[type=text], form input[type=email], form select, form textarea"
    fonts = page.locator(typed).evaluate_all(
        "els => els.map(e => [e.name, parseFloat(getComputedStyle(e).fontSize)])"
    )
    assert fonts and all(size >= 16 for _, size in fonts), fonts
    for field in page.locator("form input[type=text], form input[type=email], form textarea").all():
        if field.get_attribute("name") == "website":
            continue
        box = field.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 360
    trap = page.locator("#website").bounding_box()
    assert trap is None or trap["x"] + trap["width"] <= 0, "the honeypot is off-screen"
    if path == "reviews/write/kettle/":
        screenshot(page, "form-360px.png")
    device.assert_clean()
    device.context.close()


def luminance(rgb: str) -> float:
    def channel(c: float) -> float:
        c /= 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (float(x) for x in re.findall(r"[\d.]+", rgb)[:3])
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(a: str, b: str) -> float:
    high, low = sorted([luminance(a), luminance(b)], reverse=True)
    return (high + 0.05) / (low + 0.05)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_chosen_stars_differ_from_the_others_not_by_colour_alone(browser, shop, scheme):
    device = Phone(browser, color_scheme=scheme)
    page = device.page
    page.goto(shop.url("reviews/write/kettle/"))
    page.tap('label[for="rating-4"]')
    styles = page.locator(".stars-input label").evaluate_all(
        """els => els.map(e => { const s = getComputedStyle(e);
            return [s.color, s.webkitTextStrokeColor, parseFloat(s.webkitTextStrokeWidth) || 0]; })"""
    )
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    device.context.close()
    chosen, other = styles[:4], styles[4:]
    assert len({tuple(s) for s in chosen}) == 1 and len(other) == 1
    fill, stroke, width = other[0]
    hollow = fill.startswith("rgba") and fill.endswith(", 0)") and width > 0
    assert hollow or contrast(fill, chosen[0][0]) >= 3, (chosen[0], other[0])
    outline = stroke if hollow else fill
    assert contrast(outline, background) >= 3, "an unchosen star must still be seen"
    assert contrast(chosen[0][0], background) >= 3


def test_the_next_key_goes_to_the_next_field_and_does_not_send(phone, shop):
    page = phone.page
    page.goto(shop.url("reviews/write/kettle/"))
    page.tap('label[for="rating-4"]')
    page.tap("#consent")
    page.fill("#text", TEXT)
    for current, following in (("title", "text"), ("name", "email"), ("email", "order"), ("order", "lang")):
        page.focus(f"#{current}")
        assert page.get_attribute(f"#{current}", "enterkeyhint") == "next"
        page.keyboard.press("Enter")
        assert page.evaluate("document.activeElement.id") == following, current
    page.wait_for_timeout(300)
    assert shop.posts == [], "the Next key sent the form"
    assert page.locator(".field-error:not([hidden])").count() == 0
    phone.assert_clean()


def test_labels_stay_visible_while_typing(phone, shop):
    page = phone.page
    page.goto(shop.url("reviews/write/kettle/"))
    page.fill("#title", "Something")
    page.focus("#title")
    for label in ("title", "text", "name", "email"):
        assert page.locator(f'label[for="{label}"]').is_visible(), label
    assert page.get_attribute("#title", "placeholder") is None


def test_empty_form_screenshot_at_390px(phone, shop):
    page = phone.page
    page.goto(shop.url("reviews/write/kettle/"))
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "form-390px.png")
    assert (ARTIFACTS / "form-390px.png").stat().st_size > 10_000
    phone.assert_clean()


# --- (8) accessibility -----------------------------------------------------------------------------

AXE_PAGES = {
    "general-form": "reviews/write/",
    "product-form": f"reviews/write/kettle/?t={TOKEN}",
    "follow-up": f"reviews/follow-up/?t={FOLLOWUP_TOKEN}&r=a",
    "thanks": "reviews/thanks/",
    "privacy": "reviews/privacy/",
}


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("name", list(AXE_PAGES))
def test_axe_finds_no_violations(browser, shop, name, scheme):
    device = Phone(browser, color_scheme=scheme)
    page = device.page
    page.goto(shop.url(AXE_PAGES[name]))
    assert page.title()
    violations = axe_violations(page)
    device.assert_clean()
    device.context.close()
    assert violations == [], violations


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_no_violations_with_errors_shown(browser, shop, scheme):
    device = Phone(browser, color_scheme=scheme)
    page = device.page
    page.goto(shop.url(f"reviews/follow-up/?t={FOLLOWUP_TOKEN}&r=a"))
    page.tap("button[type=submit]")
    page.wait_for_selector("#resolved-error:not([hidden])")
    violations = axe_violations(page)
    page.goto(shop.url("reviews/write/"))
    page.tap("button[type=submit]")
    page.wait_for_selector("#rating-error:not([hidden])")
    violations += axe_violations(page)
    device.context.close()
    assert violations == [], violations


# --- (9) nothing leaves the machine ----------------------------------------------------------------


def test_no_request_leaves_127_0_0_1_and_no_console_errors(phone, shop):
    page = phone.page
    for path in AXE_PAGES.values():
        page.goto(shop.url(path))
    page.goto(shop.url(f"reviews/write/kettle/?t={TOKEN}"))
    fill_review(page)
    page.tap("button[type=submit]")
    page.wait_for_selector(".thanks")
    assert len(phone.requests) >= 10
    phone.assert_clean()


# --- (10) the follow-up: was it fixed? -------------------------------------------------------------


def test_follow_up_via_its_link_sends_no_with_the_token_and_review(phone, shop):
    page = phone.page
    page.goto(shop.url(f"reviews/follow-up/?t={FOLLOWUP_TOKEN}&r=a"))
    token_filled(page)
    token_filled(page, "r")
    page.tap('label[for="resolved-no"]')
    assert page.get_by_role("radio", name="No, it is not fixed").is_checked()
    page.fill("#text", "The new lid leaks as well.")
    page.tap("#consent")
    page.tap("button[type=submit]")
    page.wait_for_selector(".thanks")
    post = shop.only_post()
    assert post["path"] == "/inbox/follow-ups"
    fields = post["fields"]
    assert fields["resolved"] == "no"
    assert (fields["t"], fields["r"]) == (FOLLOWUP_TOKEN, "a")
    assert check_token(SECRET, fields["t"], "").valid
    assert fields["text"] == "The new lid leaks as well."
    assert (fields["consent"], fields["website"], fields["ui"]) == ("yes", "", "en")
    assert fields["key"]
    assert page.locator(".thanks h2").inner_text() == "Thank you for your answer"
    phone.assert_clean()


def test_follow_up_without_javascript_carries_the_link_in_the_referer(phone_no_js, shop):
    page = phone_no_js.page
    link = shop.url(f"reviews/follow-up/?t={FOLLOWUP_TOKEN}&r=a")
    page.goto(link)
    page.tap('label[for="resolved-yes"]')
    page.tap("#consent")
    page.tap("button[type=submit]")
    page.wait_for_url("**/reviews/thanks/")
    post = shop.only_post()
    assert post["fields"]["resolved"] == "yes"
    assert (post["fields"]["t"], post["fields"]["r"]) == ("", "")
    query = parse_qs(urlparse(post["referer"]).query)
    assert (query["t"][0], query["r"][0]) == (FOLLOWUP_TOKEN, "a")
    phone_no_js.assert_clean()
