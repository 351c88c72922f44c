"""The widgets in real headless Chromium, pasted into a test shop page as the
gallery's code says: fit, accessibility, no console errors, nothing leaves
127.0.0.1, a strict Content Security Policy holds, hostile text stays text.
Screenshots go to test-artifacts/ for a human to look at."""

from __future__ import annotations

import functools
import http.server
import shutil
import socket
import textwrap
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlparse

import pytest
from browser import ARTIFACTS, axe_violations
from conftest import DEMO_CONTENT, ROOT, build, make_site, response, review, soup
from pelican import Pelican
from pelican.settings import read_settings

pytestmark = pytest.mark.browser

CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "connect-src 'self'; frame-src 'self'"
)
WIDTHS = [300, 360, 480]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


@contextmanager
def serve_on(folder: Path, port: int) -> Iterator[str]:
    """Serve a folder on the port its widgets were built for (their links are absolute)."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.shutdown()
        server.server_close()


def host_pages(output: Path, gallery: str = "reviews/widgets/index.html") -> None:
    """Test shop pages with the gallery's code pasted in, as a shop owner would."""
    page = soup(output / gallery)
    code = {
        kind: page.select_one(f'pre[data-widget="{kind}"]').get_text()
        for kind in ("badge", "iframe", "script")
    }
    shell = textwrap.dedent(
        """\
        <!doctype html>
        <html lang="en">
        <head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
        {head}<title>{title}</title></head>
        <body><main><h1>{title}</h1>
        <p>Our espresso machines, with what our customers say.</p>
        {body}
        <footer><p>Our rating: {badge}</p></footer>
        </main></body></html>
        """
    )
    (output / "host-iframe.html").write_text(
        shell.format(
            head="", title="A shop with the iframe widget", body=code["iframe"], badge=code["badge"]
        ),
        encoding="utf-8",
    )
    csp = f'<meta http-equiv="Content-Security-Policy" content="{CSP}">\n'
    (output / "host-script.html").write_text(
        shell.format(
            head=csp, title="A shop with the script widget", body=code["script"], badge=code["badge"]
        ),
        encoding="utf-8",
    )
    without_script = "\n".join(line for line in code["script"].splitlines() if "<script" not in line)
    (output / "host-script-off.html").write_text(
        shell.format(head=csp, title="A shop without the script", body=without_script, badge=code["badge"]),
        encoding="utf-8",
    )


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The demo built for http://127.0.0.1:<port>, served there, with test shop pages."""
    port = free_port()
    folder = tmp_path_factory.mktemp("widgets-demo")
    shutil.copytree(DEMO_CONTENT, folder / "content")
    conf = read_settings(str(ROOT / "pelicanconf.py"))
    conf.update(
        PATH=str(folder / "content"),
        OUTPUT_PATH=str(folder / "output"),
        CACHE_PATH=str(folder / "cache"),
        THEME=str(ROOT / "theme"),
        SITEURL=f"http://127.0.0.1:{port}",
        RELATIVE_URLS=False,
    )
    Pelican(conf).run()
    host_pages(folder / "output")
    with serve_on(folder / "output", port) as base:
        yield base


class Watch:
    """Every request, console error and dialog of a page."""

    def __init__(self, page):
        self.requests: list[str] = []
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        self.failed: list[str] = []
        page.on("request", lambda r: self.requests.append(r.url))
        page.on("response", lambda r: self.failed.append(r.url) if r.status >= 400 else None)
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(str(e)))

        def dialog(d):
            self.dialogs.append(d.message)
            d.dismiss()

        page.on("dialog", dialog)

    def check(self) -> None:
        assert {urlparse(u).hostname for u in self.requests} == {"127.0.0.1"}, self.requests
        # A missing favicon is the browser's own request, not the widgets'.
        assert [u for u in self.failed if not u.endswith("/favicon.ico")] == []
        assert [e for e in self.errors if not e.startswith("Failed to load resource")] == []
        assert self.dialogs == []


def open_page(browser, url: str, width: int = 390, scheme: str = "light", **kwargs):
    context = browser.new_context(viewport={"width": width, "height": 900}, color_scheme=scheme, **kwargs)
    page = context.new_page()
    watch = Watch(page)
    page.goto(url)
    page.wait_for_load_state("networkidle")
    return context, page, watch


def widget_frame(page):
    frame = page.frame_locator("iframe").first
    frame.locator(".rw").wait_for()
    return next(f for f in page.frames if f.url.endswith("/embed.html"))


@pytest.mark.parametrize("width", WIDTHS)
def test_iframe_widget_fits_its_frame(browser, site, width):
    context, page, watch = open_page(browser, f"{site}/host-iframe.html", width=width)
    frame = widget_frame(page)
    height = int(page.locator("iframe").get_attribute("height"))
    assert page.locator("iframe").bounding_box()["height"] == height
    assert frame.evaluate("document.documentElement.scrollHeight") == height
    assert frame.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"widget-iframe-{width}px.png"), full_page=True)
    watch.check()
    context.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_script_widget_renders_under_a_strict_csp(browser, site, scheme):
    context, page, watch = open_page(browser, f"{site}/host-script.html", scheme=scheme)
    widget = page.locator("[data-redress-widget] section.rw")
    widget.wait_for()
    assert widget.locator("h2").inner_text() == "Reviews of De Bonenbus"
    assert widget.locator(".rw-l > li").count() == 3
    shown = widget.locator(".rw-n").inner_text(), widget.locator(".rw-v .rw-m").inner_text()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"widget-script-{scheme}.png"), full_page=True)
    watch.check()
    page.goto(f"{site}/reviews/")
    assert shown == (
        page.locator(".average-number").inner_text(),
        page.locator(".average-count").inner_text(),
    )
    context.close()


def test_script_widget_shows_what_the_iframe_shows(browser, site):
    context, page, _ = open_page(browser, f"{site}/host-iframe.html")
    frame = widget_frame(page)
    framed = frame.locator(".rw .rw-1, .rw .rw-h, .rw-d li").all_inner_texts()
    framed_links = frame.locator(".rw a").evaluate_all("els => els.map(a => a.href)")
    context.close()
    context, page, _ = open_page(browser, f"{site}/host-script.html")
    page.locator("section.rw").wait_for()
    drawn = page.locator(".rw .rw-1, .rw .rw-h, .rw-d li").all_inner_texts()
    drawn_links = page.locator(".rw a").evaluate_all("els => els.map(a => a.href)")
    context.close()
    normalise = lambda texts: [" ".join(t.split()) for t in texts]  # noqa: E731
    assert normalise(drawn) == normalise(framed)
    assert drawn_links == framed_links


def test_script_widget_adds_no_globals_and_leaves_a_link_without_javascript(browser, site):
    context, page, _ = open_page(browser, f"{site}/host-script-off.html")
    before = set(page.evaluate("Object.keys(window)"))
    context.close()
    context, page, _ = open_page(browser, f"{site}/host-script.html")
    page.locator("section.rw").wait_for()
    assert set(page.evaluate("Object.keys(window)")) == before
    context.close()
    context, page, watch = open_page(browser, f"{site}/host-script.html", java_script_enabled=False)
    link = page.locator("[data-redress-widget] a")
    assert link.inner_text() == "Reviews of De Bonenbus"
    assert link.get_attribute("href").endswith("/reviews/")
    context.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize(
    "path",
    [
        "host-iframe.html",
        "host-script.html",
        "reviews/widgets/embed.html",
        "reviews/products/espresso-x1/embed.html",
        "reviews/products/ontkalker/embed.html",
        "reviews/widgets/index.html",
        "reviews/widgets/products/index.html",
    ],
)
def test_axe_finds_no_violations(browser, site, path, scheme):
    # axe is injected as an inline script: let it past the host page's CSP
    # (the CSP itself is tested above, with the widget alone).
    context, page, watch = open_page(browser, f"{site}/{path}", width=360, scheme=scheme, bypass_csp=True)
    if "script" in path:
        page.locator("section.rw").wait_for()
    violations = axe_violations(page)
    watch.check()
    context.close()
    assert violations == [], violations


def test_gallery_renders_every_widget_live(browser, site):
    context, page, watch = open_page(browser, f"{site}/reviews/widgets/index.html", width=1100)
    page.locator(".widget-live section.rw").wait_for()
    for image in page.locator(".widget-live img").all():
        image.scroll_into_view_if_needed()
        assert image.evaluate("img => img.complete && img.naturalWidth > 0")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "widget-gallery.png"), full_page=True)
    watch.check()
    context.close()


HOSTILE = "</script><script>alert(1)</script><img src=x onerror=alert(2)>"


def test_hostile_text_stays_text_in_both_widgets(browser, tmp_path):
    port = free_port()
    files = [
        review("evil", rating=1, title=HOSTILE, author=HOSTILE, body=HOSTILE + " \u2028 ]]>"),
        response("evil-1", "evil", body=HOSTILE, status="in-progress"),
    ]
    out = build(make_site(tmp_path, *files), SITEURL=f"http://127.0.0.1:{port}")
    host_pages(out)
    with serve_on(out, port) as base:
        for name in ("host-iframe.html", "host-script.html"):
            context, page, watch = open_page(browser, f"{base}/{name}")
            scope = widget_frame(page) if "iframe" in name else page
            scope.locator(".rw-l > li").wait_for()
            item = scope.locator(".rw-l > li").first
            assert HOSTILE in item.inner_text()
            # The excerpt too: the script widget draws the data's plain text as text.
            assert item.locator(".rw-x").inner_text().startswith(HOSTILE)
            assert item.locator("script, img").count() == 0
            assert "Resolution in progress" in item.inner_text()
            watch.check()
            context.close()
