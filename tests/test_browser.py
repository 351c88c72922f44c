"""The demo in real headless Chromium: accessibility, no JavaScript, layout, no third parties."""

from __future__ import annotations

from urllib.parse import urlparse

import pytest
from browser import ARTIFACTS, axe_violations, serve
from conftest import build, make_site, response, review, write

pytestmark = pytest.mark.browser

PAGE_TYPES = {
    "listing": "reviews/",
    "archive-newest": "reviews/page/2/",
    "archive-oldest": "reviews/page/1/",
    "star-filter": "reviews/stars/1/",
    "open-cases": "reviews/open/",
    "resolved": "reviews/resolved/",
    "product": "reviews/products/espresso-x1/",
    # A product whose reviews fit one page: its filters are counts without links.
    "product-one-page": "reviews/products/ontkalker/",
    "permalink-resolved": "reviews/2026-10-02-pakket-kwam-beschadigd-aan/",
    "permalink-awaiting": "reviews/2026-11-19-leaking-after-five-weeks/",
    "home": "",
}


@pytest.fixture(scope="module")
def site(demo_output):
    with serve(demo_output) as base:
        yield base


def phone(browser, **kwargs):
    return browser.new_context(
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
        device_scale_factor=2,
        **kwargs,
    )


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("name", list(PAGE_TYPES))
def test_axe_finds_no_violations(browser, site, name, scheme):
    context = phone(browser, color_scheme=scheme)
    page = context.new_page()
    page.goto(f"{site}/{PAGE_TYPES[name]}")
    assert page.title()
    violations = axe_violations(page)
    context.close()
    assert violations == [], violations


def test_no_request_leaves_the_machine_and_no_console_errors(browser, site):
    context = phone(browser)
    page = context.new_page()
    requests, errors = [], []
    page.on("request", lambda r: requests.append(r.url))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    for path in PAGE_TYPES.values():
        page.goto(f"{site}/{path}")
    context.close()
    hosts = {urlparse(u).hostname for u in requests}
    assert hosts == {"127.0.0.1"}, hosts
    assert not [e for e in errors if "favicon" not in e], errors


def test_filters_work_with_javascript_off(browser, site):
    context = phone(browser, java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{site}/reviews/")
    page.get_by_role("navigation", name="Filter reviews").get_by_role("link", name="1 star").click()
    page.wait_for_url("**/reviews/stars/1/")
    # A filter lists its reviews a row each, every row linking to the review's own page.
    labels = page.locator("li.review-row .stars").evaluate_all(
        "els => els.map(e => e.getAttribute('aria-label'))"
    )
    assert labels and set(labels) == {"1 out of 5 stars"}
    page.get_by_role("navigation", name="Filter reviews").get_by_role("link", name="Open cases").click()
    page.wait_for_url("**/reviews/open/")
    rows = page.locator("li.review-row")
    assert rows.count() >= 1 and rows.locator(".row-state").count() == rows.count()
    rows.first.locator("a.row-title").click()
    assert page.locator("article.review .fix .thread, article.review .fix .fix-state").count() >= 1
    context.close()


@pytest.mark.parametrize("width", [360, 390])
def test_phone_layout_has_no_sideways_scrolling_and_panel_under_review(browser, site, width):
    context = browser.new_context(viewport={"width": width, "height": 800}, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.goto(f"{site}/reviews/2026-10-02-pakket-kwam-beschadigd-aan/")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    main = page.locator("article.review .review-main").bounding_box()
    panel = page.locator("article.review .fix").bounding_box()
    assert panel["y"] >= main["y"] + main["height"] - 1
    ARTIFACTS.mkdir(exist_ok=True)
    page.goto(f"{site}/reviews/")
    page.screenshot(path=str(ARTIFACTS / f"review-page-{width}px.png"))
    context.close()


def test_wide_layout_puts_how_we_fixed_it_beside_the_review(browser, site):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(f"{site}/reviews/2026-10-02-pakket-kwam-beschadigd-aan/")
    main = page.locator("article.review .review-main").bounding_box()
    panel = page.locator("article.review .fix").bounding_box()
    assert panel["x"] >= main["x"] + main["width"] - 1
    assert abs(panel["y"] - main["y"]) < 40
    ARTIFACTS.mkdir(exist_ok=True)
    page.goto(f"{site}/reviews/")
    page.screenshot(path=str(ARTIFACTS / "review-page-1280px.png"), full_page=True)
    context.close()


def test_tap_targets_of_filters_are_at_least_44px(browser, site):
    context = phone(browser)
    page = context.new_page()
    page.goto(f"{site}/reviews/")
    heights = page.locator("nav.filters a").evaluate_all(
        "els => els.map(e => e.getBoundingClientRect().height)"
    )
    context.close()
    assert heights and min(heights) >= 44


def test_words_without_spaces_never_widen_a_phone_page(browser, tmp_path):
    """A 60-letter name (the form allows it), a 118-letter title and a long product name: each
    pushed a page or the feed's styled view to hundreds of pixels wider than the phone."""
    name, title, product = "W" * 60, "Unbelievably" * 10, "Espressomachine" * 6
    site = make_site(
        tmp_path,
        review("long", rating=1, title=title, author=name, product="machine", body="Kapot" * 40),
        review("other", rating=5, author="Eva", product="machine"),
        response("long-1", "long", body="Sorry" * 40),
        response("long-2", "long", body="Fixed.", status="resolved"),
        *[review(f"r{n}", rating=5, date=f"2026-09-{n + 1:02d} 10:00") for n in range(3)],
    )
    write(site, "products/machine.md", f"Title: {product}\n\nA machine.\n")
    out = build(site, SITEURL="", REVIEWS_PER_PAGE=2)  # the filters get pages of their own
    pages = [
        "reviews/long/",
        "reviews/",
        "reviews/stars/1/",
        "reviews/products/machine/",
        "reviews/write/machine/",
        "reviews/feed.atom",
        "reviews/feed.rss",
    ]
    with serve(out) as base:
        context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
        page = context.new_page()
        for path in pages:
            page.goto(f"{base}/{path}")
            page.wait_for_selector("h1")  # a feed is shown once its stylesheet has made the page
            assert page.evaluate("document.documentElement.scrollWidth") <= 390, path
        page.goto(f"{base}/reviews/long/")
        assert name in page.locator("article#review-long").inner_text().replace("\n", "")
        context.close()


def test_a_theme_with_a_small_root_font_keeps_the_reviews_readable(browser, tmp_path):
    """Bootstrap 3 sets ``html { font-size: 10px }`` and its body text in px: sized in rem, every
    review was 10 px tall (9.5 px for the hints) inside pelican-bootstrap3 and Alchemy."""
    site = make_site(tmp_path, review("a", rating=2, title="Broken", body="The lid came off."))
    theme = tmp_path / "bootstrapish"
    (theme / "templates").mkdir(parents=True)
    (theme / "static/css").mkdir(parents=True)
    (theme / "static/css/site.css").write_text("html { font-size: 10px; } body { font-size: 14px; }\n")
    (theme / "templates/base.html").write_text(
        '<!doctype html><html lang="en"><head><meta name="viewport" content="width=device-width, '
        'initial-scale=1"><title>{% block title %}Shop{% endblock %}</title>'
        '<link rel="stylesheet" href="{{ SITEURL }}/theme/css/site.css">{% block head %}{% endblock %}'
        "</head><body>{% block content %}{% endblock %}</body></html>\n"
    )
    out = build(site, THEME=str(theme), REVIEWS_LAYOUT=None)
    with serve(out) as base:
        context = browser.new_context(viewport={"width": 390, "height": 844})
        page = context.new_page()
        sizes = {}
        for path, selectors in (
            ("reviews/a/", (".redress", ".review-text p", ".review-byline", "h1")),
            ("reviews/write/", ("textarea", ".hint")),
        ):
            page.goto(f"{base}/{path}")
            for selector in selectors:
                sizes[selector] = page.eval_on_selector(
                    selector, "e => parseFloat(getComputedStyle(e).fontSize)"
                )
        context.close()
    assert sizes[".redress"] == sizes[".review-text p"] == sizes["textarea"] == 14, sizes
    assert 13 <= sizes[".review-byline"] < 14 and 13 <= sizes[".hint"] < 14, sizes
    assert sizes["h1"] > 20, sizes


def test_a_review_in_arabic_or_hebrew_reads_right_to_left_and_leaves_the_byline_alone(browser, tmp_path):
    """Without ``dir``, an Arabic review was laid out left to right, its full stop on the wrong side."""
    site = make_site(
        tmp_path,
        review("ar", rating=2, title="المنتج مكسور", author="أحمد", body="وصل المنتج مكسورا.", Lang="ar"),
        review("he", rating=4, title="מוצר טוב", author="דנה", body="הגיע מהר.", Lang="he"),
        review("nl", rating=5, title="Prima", author="Jan", body="Snel geleverd.", Lang="nl"),
    )
    out = build(site)
    with serve(out) as base:
        context = browser.new_context(viewport={"width": 390, "height": 844})
        page = context.new_page()
        directions = {}
        for slug in ("ar", "he", "nl"):
            page.goto(f"{base}/reviews/{slug}/")
            card = f"article#review-{slug}"
            directions[slug] = page.eval_on_selector_all(
                f"{card} .review-title span, {card} .review-author, {card} .review-text",
                "els => els.map(e => getComputedStyle(e).direction)",
            )
            # The byline's own words around the name keep the page's direction.
            directions[slug + "-byline"] = page.eval_on_selector(
                f"{card} .review-byline", "e => getComputedStyle(e).direction"
            )
        context.close()
    assert directions["ar"] == directions["he"] == ["rtl", "rtl", "rtl"], directions
    assert directions["nl"] == ["ltr", "ltr", "ltr"], directions
    assert directions["ar-byline"] == directions["he-byline"] == "ltr", directions
