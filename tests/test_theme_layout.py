"""The review section inside the site's own theme, and the way in from the blog.

Built for real with Pelican's bundled `notmyidea` and `simple` themes and with
tests/themes/flexlike, a theme shaped like the third-party theme Flex (a
sidebar, its own nav partial, a `meta` block and no head block, its own CSS
reset). Each page type extends the theme's base.html with Pelican's whole
context, Redress's head things land once in the theme's head, and the blog's
own files do not change apart from the new menu item.
"""

from __future__ import annotations

import gzip
import logging
import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from build_apart import build_apart as build_site_apart
from conftest import DEMO_CONTENT, make_site, response, review, soup, write, write_theme
from conftest import build as build_site
from pelican.plugins.redress.content.settings import SettingsError, get_settings

THEMES = Path(__file__).resolve().parent / "themes"


def build(site: Path, **override: object) -> Path:
    """conftest's build with REVIEWS_LAYOUT at its default (the theme's layout), unless a test sets it."""
    return build_site(site, **{"REVIEWS_LAYOUT": None, **override})


def build_apart(site: Path, **override: object) -> Path:
    """build_apart.py's build with REVIEWS_LAYOUT at its default, unless a test sets it."""
    return build_site_apart(site, **{"REVIEWS_LAYOUT": None, **override})


FLEXLIKE = str(THEMES / "flexlike")

#: Each Redress page type, by the file it is written to.
PAGE_TYPES = {
    "listing": "reviews/index.html",
    "product": "reviews/products/mill/index.html",
    "filter": "reviews/stars/2/index.html",
    "archive": "reviews/page/1/index.html",
    "permalink": "reviews/a/index.html",
    "write": "reviews/write/index.html",
    "write-product": "reviews/write/mill/index.html",
    "follow-up": "reviews/follow-up/index.html",
    "thanks": "reviews/thanks/index.html",
    "privacy": "reviews/privacy/index.html",
}

#: What marks each theme's own layout, and its own stylesheet.
THEME_MARKS = {
    "notmyidea": ("header#banner nav", "theme/css/main.css"),
    "simple": ("header nav", None),  # Pelican drops CSS_FILE: simple has no stylesheet
    FLEXLIKE: ("aside.sidebar", "theme/stylesheet/style.css"),
}


def shop(tmp_path: Path) -> Path:
    site = make_site(
        tmp_path,
        review(
            "a", rating=2, product="mill", title="Broken", body="- the lid\n- the handle", source="invited"
        ),
        review("b", rating=5, date="2026-09-01 10:00"),
        response("a-1", "a", status="resolved", remedy="replacement"),
    )
    write(site, "products/mill.md", "Title: Mill\nImage: https://shop.example/mill.jpg\n\nA mill.\n")
    write(site, "pages/about.md", "Title: About us\n\nWho we are.\n")
    return site


def theme_links(page, href: str) -> list:
    """The theme's own links to `href`: those outside Redress's part of the page."""
    return [a for a in page.find_all("a", href=href) if not a.find_parent(class_="redress")]


@pytest.fixture(scope="module", params=list(THEME_MARKS), ids=["notmyidea", "simple", "flexlike"])
def themed(request, tmp_path_factory):
    """A shop with a page, built inside each theme; returns (theme, output folder)."""
    site = shop(tmp_path_factory.mktemp("themed"))
    out = build(
        site,
        THEME=request.param,
        SITEURL="https://shop.example",
        PAGE_PATHS=["pages"],
        MENUITEMS=[("Shop", "https://shop.example/shop/")],
        # One review per page, so the two reviews make filter and archive pages.
        REVIEWS_PER_PAGE=1,
        REVIEWS_ARCHIVE_PER_PAGE=1,
    )
    return request.param, out


@pytest.mark.parametrize("page_type", list(PAGE_TYPES))
def test_every_page_type_extends_the_themes_layout(themed, page_type):
    theme, out = themed
    chrome, theme_css = THEME_MARKS[theme]
    page = soup(out / PAGE_TYPES[page_type])
    assert page.select_one(chrome), "the theme's own layout is missing"
    # Pelican's context reached the theme: its menu items, the blog's pages, its static folder.
    assert theme_links(page, "https://shop.example/shop/")
    assert len(theme_links(page, "https://shop.example/reviews/")) == 1  # the way in, once
    assert theme_links(page, "https://shop.example/pages/about-us.html")
    if theme_css:
        assert page.find("link", href=re.compile(re.escape(theme_css) + "$"))
    # One Redress part, holding the page's heading, in its language.
    regions = page.select(".redress")
    assert len(regions) == 1 and regions[0]["lang"] == "en"
    assert regions[0].find("h1")
    assert len(page.find_all("main")) == 1
    # Redress's head things, in the head, once.
    head = page.head
    assert len(head.find_all("link", href=re.compile(r"reviews/static/redress\.css\?v="))) == 1
    assert not page.body.find("link", href=re.compile("redress.css"))
    assert len(page.find_all("meta", property="og:title")) == 1
    assert head.find("meta", property="og:title")["content"] == page.title.get_text().split(" – ")[-1]
    canonical = head.find_all("link", rel="canonical")
    assert [c["href"] for c in canonical] == ["https://shop.example/" + PAGE_TYPES[page_type][:-10]]
    if page_type in ("listing", "product", "permalink"):
        assert head.find("link", rel="alternate", type="application/rss+xml")
    if page_type == "product":
        assert len(head.find_all("script", type="application/ld+json")) == 1
        assert head.find("meta", property="og:image")["content"] == "https://shop.example/mill.jpg"
    if page_type.startswith("write") or page_type == "follow-up":
        assert head.find("meta", attrs={"name": "referrer"})["content"] == "same-origin"
        assert head.find("script", src=re.compile("write.js"))


def test_titles_follow_each_themes_way(themed):
    theme, out = themed
    title = soup(out / "reviews/index.html").title.get_text()
    # Flex writes the site's name before its title block; the others leave the title to the page.
    # The shop is named once: after Flex's site name, the page is "Reviews".
    assert title == ("Test shop – Reviews" if theme == FLEXLIKE else "Reviews of Test shop")


def test_the_region_is_main_only_where_the_theme_has_none(themed):
    theme, out = themed
    region = soup(out / "reviews/index.html").select_one(".redress")
    assert region.name == ("main" if theme == "notmyidea" else "div")


def test_standalone_layout_on_request_and_for_themes_without_base(tmp_path, caplog):
    site = shop(tmp_path)
    page = soup(build(site, THEME="notmyidea", REVIEWS_LAYOUT="standalone") / "reviews/index.html")
    assert page.body["class"] == ["redress"] and not page.select_one("#banner")
    assert page.html["lang"] == "en" and page.select_one("a.skip-link")
    # A theme with only a header override: Redress's own page, with its header.
    theme = tmp_path / "bare"
    (theme / "templates/redress").mkdir(parents=True)
    (theme / "templates/redress/site_header.html").write_text('<header class="site-header">Bare</header>\n')
    caplog.set_level(logging.WARNING)
    for layout in (None, "theme"):
        page = soup(build(site, THEME=str(theme), REVIEWS_LAYOUT=layout) / "reviews/index.html")
        assert page.body["class"] == ["redress"] and page.select_one("header").get_text() == "Bare"
    assert any('REVIEWS_LAYOUT is "theme"' in r.getMessage() for r in caplog.records)


def head_things(page: BeautifulSoup) -> list[str]:
    """What Redress puts in a page's head, found anywhere in the page, with where it is."""
    found = page.find_all("link", rel=["stylesheet", "alternate", "canonical"])
    found += page.find_all("meta", attrs={"name": ["description", "robots", "referrer", "twitter:card"]})
    found += page.find_all("meta", property=True)
    found += page.find_all("script", type="application/ld+json")
    return [f"{'head' if t.find_parent('head') else 'body'}: {t.name} {t.attrs}" for t in found]


@pytest.mark.parametrize(
    "head",
    [
        '<!doctype html><html lang="en"><head><title>Odd</title></head>\n',
        '<!doctype html><html lang="en"><HEAD><title>Odd</title>\n</HEAD >\n',
        # The end of the head left out, as HTML allows: the head ends where the body starts.
        '<!doctype html><html lang="en"><title>Odd</title>\n',
    ],
    ids=["head", "upper-case", "no-end-tag"],
)
def test_a_theme_without_a_head_block_gets_the_head_things_in_its_head(tmp_path, caplog, head):
    """Flex has no block for head extras: the description, Open Graph tags, canonical link,
    stylesheet, feeds, robots and structured data still go in the head, where they are valid
    and where crawlers and feed readers look, not in the body."""
    site = shop(tmp_path)
    theme = tmp_path / "odd"
    (theme / "templates").mkdir(parents=True)
    base = "<body>{% block content %}{% endblock %}</body></html>\n"
    (theme / "templates/base.html").write_text(head + base)
    caplog.set_level(logging.INFO)
    out = build(site, THEME=str(theme))
    assert any("no block for head extras" in r.getMessage() for r in caplog.records)
    for name, expected in (
        ("reviews/index.html", ["stylesheet", "alternate", "description", "og:title", "og:locale"]),
        ("reviews/write/index.html", ["stylesheet", "robots", "referrer"]),
    ):
        text = (out / name).read_text(encoding="utf-8")
        assert "\x1e" not in text
        found = head_things(BeautifulSoup(text, "html5lib"))  # as a browser reads it
        for thing in expected:
            assert any(thing in line for line in found), (name, thing, found)
        assert all(line.startswith("head: ") for line in found), (name, found)
        assert text.count("redress.css") == 1
        assert text.index("redress.css") < text.index("<body")
        assert text.index("<title>") < text.index("redress.css")  # after the theme's own


@pytest.mark.parametrize(
    ("before", "expected"),
    [
        ("{{ SITENAME }} | ", "Test shop | Reviews"),
        ("{{ SITENAME }} &raquo; ", "Test shop » Reviews"),
        ("{{ SITENAME }} {# the name #}- ", "Test shop - Reviews"),
        ("{{ SITENAME }}", "Test shop – Reviews"),
        ("{{SITENAME|upper}}: ", "TEST SHOP: Reviews"),
        ("Blog | ", "Blog | Reviews of Test shop"),
        ("{# nothing #}", "Reviews of Test shop"),
    ],
)
def test_the_window_title_has_one_separator(tmp_path, before, expected):
    """A theme that writes its own separator before the title block gets no second one."""
    site = shop(tmp_path)
    theme = tmp_path / "titled"
    write_theme(
        theme,
        f'<!doctype html><html lang="en"><head><title>{before}{{% block title %}}{{% endblock %}}</title>'
        "{% block head %}{% endblock %}</head><body>{% block content %}{% endblock %}</body></html>\n",
    )
    out = build(site, THEME=str(theme))
    assert soup(out / "reviews/index.html").title.get_text() == expected
    # A product's page names its product; the shop's name stays in a shop named otherwise.
    product = soup(out / "reviews/products/mill/index.html").title.get_text()
    assert product == expected[: expected.index("Reviews")] + "Reviews of Mill"
    other = soup(build(site, THEME=str(theme), REVIEWS_SHOP_NAME="Bonenbus") / "reviews/index.html")
    assert other.title.get_text().endswith("Reviews of Bonenbus")


@pytest.mark.parametrize("site_escapes", [False, True])
def test_the_themes_own_markup_is_printed_as_in_the_blog(tmp_path, site_escapes):
    """A theme is written for Pelican's environment, which escapes nothing (unless the site's
    JINJA_ENVIRONMENT says so): its footer's credit link and a SITENAME with markup came out as
    visible tags on the review pages only. What a customer wrote is still escaped."""
    site = make_site(
        tmp_path,
        review(
            "a",
            rating=1,
            title="<b>bold</b> & <script>x()</script>",
            body="<i>hi</i> <img src=x onerror=y()>",
        ),
    )
    write(site, "pages/about.md", "Title: About us\n\nWho we are.\n")
    theme = tmp_path / "credits"
    write_theme(
        theme,
        '<!doctype html><html lang="en"><head><title>{{ SITENAME|striptags }}{% block title %}{% endblock %}'
        "</title>{% block head %}{% endblock %}</head><body><h1 class=site>{{ SITENAME }}</h1>"
        "{% block content %}{% endblock %}"
        "{% set credit = 'Theme <a class=credit href=\"https://theme.example/\">Plain</a>' %}"
        "<footer>{{ credit }}</footer></body></html>\n",
    )
    (theme / "templates/page.html").write_text(
        '{% extends "base.html" %}{% block content %}{{ page.content }}{% endblock %}'
    )
    environment = {"trim_blocks": True, "lstrip_blocks": True, "extensions": [], "autoescape": site_escapes}
    out = build(site, THEME=str(theme), SITENAME="De <b>Bonen</b>bus", JINJA_ENVIRONMENT=environment)
    blog = soup(out / "pages/about-us.html")
    for name in ("reviews/index.html", "reviews/a/index.html", "reviews/write/index.html"):
        page = soup(out / name)
        assert str(page.select_one("h1.site")) == str(blog.select_one("h1.site")), name
        assert str(page.select_one("footer")) == str(blog.select_one("footer")), name
        assert bool(page.select_one("footer a.credit")) is not site_escapes, name
        assert not page.select(".redress script:not([type='application/ld+json']), .redress img, .redress b")
    card = soup(out / "reviews/a/index.html").select_one("article#review-a")
    assert "<script>x()</script>" in card.get_text() and "<i>hi</i>" not in str(card)


def test_a_theme_that_bundles_its_stylesheets_with_webassets(tmp_path):
    """pelican-webassets sets up its ``{% assets %}`` on Pelican's environment of each generator:
    the review pages' own environment did not have it, and the build stopped with a traceback."""
    site = shop(tmp_path)
    theme = tmp_path / "bundled"
    (theme / "templates").mkdir(parents=True)
    (theme / "static/css").mkdir(parents=True)
    (theme / "static/css/main.css").write_text("body { color: #222; }\n")
    (theme / "templates/base.html").write_text(
        '<!doctype html><html lang="en"><head><title>{% block title %}Shop{% endblock %}</title>'
        '{% assets output="css/all.css", "css/main.css" %}'
        '<link rel="stylesheet" href="{{ SITEURL }}/{{ ASSET_URL }}">{% endassets %}'
        "{% block head %}{% endblock %}</head><body>{% block content %}{% endblock %}</body></html>\n"
    )
    (theme / "templates/page.html").write_text(
        '{% extends "base.html" %}{% block content %}{{ page.content }}{% endblock %}'
    )
    out = build_apart(site, THEME=str(theme), PLUGINS=["redress", "webassets"], PAGE_PATHS=["pages"])
    blog = soup(out / "pages/about-us.html").find("link", href=re.compile(r"theme/css/all\.css"))
    page = soup(out / "reviews/index.html").find("link", href=re.compile(r"theme/css/all\.css"))
    assert blog is not None and page is not None
    assert (out / "theme/css/all.css").read_text().strip() == "body { color: #222; }"


def test_a_theme_gets_each_pages_output_file_as_pelican_gives_it(tmp_path):
    """Themes make canonical links and language menus of ``output_file``: without it, Alchemy's
    canonical link of every review page was the home page."""
    site = shop(tmp_path)
    theme = tmp_path / "canonical"
    write_theme(
        theme,
        '<!doctype html><html lang="en"><head><title>{% block title %}Shop{% endblock %}</title>'
        '<meta name="x-file" content="{{ output_file }}">'
        "{% block head %}{% endblock %}</head><body>{% block content %}{% endblock %}</body></html>\n",
    )
    out = build(site, THEME=str(theme))
    for name in ("reviews/index.html", "reviews/a/index.html", "reviews/write/index.html"):
        assert soup(out / name).find("meta", attrs={"name": "x-file"})["content"] == name


@pytest.mark.parametrize(
    ("around", "region"),
    [
        ('<div class="wrap"><form>{% block content %}{% endblock %}</form></div>', "main"),
        ('<section id="wrapper">{% block content %}{% endblock content %}</section>', "div"),
        (
            "<article>{% if SITENAME %}<p>{{ SITENAME }}</p>{% endif %}"
            "{% block content %}{% endblock %}</article>",
            "div",
        ),
        ("<aside><br></aside><div>{% block content %}{% endblock %}</div>", "main"),
    ],
)
def test_the_region_is_main_only_where_a_main_may_be(tmp_path, around, region):
    """Attila puts its content in a ``<section>``: a ``<main>`` there is invalid HTML."""
    site = shop(tmp_path)
    theme = tmp_path / "wrapped"
    write_theme(
        theme,
        '<!doctype html><html lang="en"><head><title>{% block title %}Shop{% endblock %}</title>'
        f"{{% block head %}}{{% endblock %}}</head><body>{around}</body></html>\n",
    )
    page = soup(build(site, THEME=str(theme)) / "reviews/index.html")
    assert page.select_one(".redress").name == region
    assert len(page.find_all("main")) == (region == "main")


@pytest.mark.parametrize(
    "head_block", ["{% block extra_head %}{% endblock %}", ""], ids=["head-block", "none"]
)
def test_the_themes_own_canonical_and_open_graph_tags_give_way_to_the_pages(tmp_path, head_block):
    """Attila writes a canonical link to the home page in a block of its own, pelican-bootstrap3 the
    home page's Open Graph tags: a review page said two canonical links and two titles."""
    site = shop(tmp_path)
    write(site, "pages/about.md", "Title: About us\n\nWho we are.\n")
    theme = tmp_path / "tagged"
    write_theme(
        theme,
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        "<title>{% block title %}Shop{% endblock %}</title>"
        '<meta name="description" content="The home page &gt; all">'
        '<link rel="stylesheet" href="{{ SITEURL }}/theme/site.css">'
        '{% block canonical_url %}<link href="{{ SITEURL }}/" rel="canonical" />{% endblock %}'
        '{% block opengraph %}<meta property="og:title" content="{{ SITENAME }}"/>'
        "<meta property='og:url' content='{{ SITEURL }}'/><meta property=\"og:article:author\" content=\"x\">"
        "{% endblock %}"
        f"{head_block}</head><body>{{% block content %}}{{% endblock %}}</body></html>\n",
    )
    (theme / "templates/page.html").write_text(
        '{% extends "base.html" %}{% block content %}{{ page.content }}{% endblock %}'
    )
    out = build(site, THEME=str(theme), SITEURL="https://shop.example", PAGE_PATHS=["pages"])
    page = BeautifulSoup((out / "reviews/a/index.html").read_text(encoding="utf-8"), "html5lib")
    assert [link["href"] for link in page.find_all("link", rel="canonical")] == [
        "https://shop.example/reviews/a/"
    ]
    assert [m["content"] for m in page.find_all("meta", property="og:title")] == [
        "Broken · Reviews of Test shop"
    ]
    assert len(page.find_all("meta", property="og:url")) == 1
    assert len(page.find_all("meta", attrs={"name": "description"})) == 1
    assert page.find("meta", property="og:article:author")  # not one Redress writes: the theme's stays
    assert page.find("meta", attrs={"name": "viewport"}) and page.find("meta", charset="utf-8")
    assert page.find("link", rel="stylesheet", href="https://shop.example/theme/site.css")
    assert all(tag.find_parent("head") for tag in page.find_all(["meta", "link"]))
    # The blog's pages keep the theme's tags.
    blog = soup(out / "pages/about-us.html")
    # A customer's title cannot name a tag of the theme's to leave out ("name=robots" in og:title).
    write(
        site, "reviews/c.md", "Date: 2026-10-02 14:31\nRating: 4\nTitle: Great beans name=robots\n\nFine.\n"
    )
    (theme / "templates/base.html").write_text(
        (theme / "templates/base.html")
        .read_text()
        .replace("<title>", '<meta name="robots" content="noarchive"><title>')
    )
    out = build(site, THEME=str(theme), SITEURL="https://shop.example", PAGE_PATHS=["pages"])
    page = soup(out / "reviews/c/index.html")
    assert page.find("meta", property="og:title")["content"].startswith("Great beans name=robots")
    assert [m["content"] for m in page.find_all("meta", attrs={"name": "robots"})] == ["noarchive"]
    assert [link["href"] for link in blog.find_all("link", rel="canonical")] == ["https://shop.example/"]


def test_a_theme_without_a_content_block(tmp_path, caplog):
    caplog.set_level(logging.WARNING)
    site = shop(tmp_path)
    theme = tmp_path / "odd"
    (theme / "templates").mkdir(parents=True)
    base = theme / "templates/base.html"
    head = '<!doctype html><html lang="en"><head><title>Odd</title></head>\n'
    base.write_text(head + "<body>{% block nothing %}{% endblock %}</body></html>\n")
    page = soup(build(site, THEME=str(theme)) / "reviews/index.html")
    assert page.body["class"] == ["redress"]
    assert any("no block for the page content" in r.getMessage() for r in caplog.records)


def test_a_block_in_an_included_template_is_not_taken_for_one_a_page_can_fill(tmp_path, caplog):
    """A theme whose head block includes a partial with its own ``extra_head``: Jinja renders
    that block as the include has it, so the review pages' stylesheet, description, feeds and
    structured data, put there, were lost without a word. The theme's own ``head`` is used."""
    caplog.set_level(logging.WARNING)
    site = shop(tmp_path)
    theme = tmp_path / "partials"
    (theme / "templates/partials").mkdir(parents=True)
    (theme / "templates/partials/head.html").write_text(
        '<meta charset="utf-8"><title>{% block title %}Shop{% endblock %}</title>'
        "{% block extra_head %}{% endblock %}\n"
    )
    (theme / "templates/partials/body.html").write_text("<main>{% block main %}{% endblock %}</main>\n")
    base = theme / "templates/base.html"
    base.write_text(
        '<!doctype html><html lang="en"><head>{% block head %}{% include "partials/head.html" %}'
        "{% endblock %}</head>\n<body>{% block content %}{% endblock %}</body></html>\n"
    )
    page = soup(build(site, THEME=str(theme)) / "reviews/index.html")
    assert page.head.find("link", rel="stylesheet", href=re.compile("redress.css"))
    assert page.head.find("link", rel="alternate", type="application/atom+xml")
    assert page.head.find("meta", attrs={"name": "description"})
    # Its only content block in an included template: no page can fill it, and the warning says so.
    base.write_text(
        '<!doctype html><html lang="en"><head>{% block head %}{% endblock %}</head>\n'
        '<body>{% include "partials/body.html" %}</body></html>\n'
    )
    caplog.clear()
    page = soup(build(site, THEME=str(theme)) / "reviews/index.html")
    assert page.body["class"] == ["redress"] and page.select_one("article.review")
    assert any("main is in an included template" in r.getMessage() for r in caplog.records)


def test_a_change_in_the_blog_rewrites_the_review_pages(tmp_path):
    """The theme shows the blog's pages in its menu: a new page reaches the cached review pages too."""
    site = shop(tmp_path)
    build(site, PAGE_PATHS=["pages"])
    write(site, "pages/contact.md", "Title: Contact\n\nWrite to us.\n")
    page = soup(build(site, PAGE_PATHS=["pages"]) / "reviews/a/index.html")
    assert theme_links(page, "/pages/contact.html")


# -- the way in from the site ------------------------------------------------------------------

BLOG = {
    "blog/first-post.md": "Title: First post\nDate: 2026-01-05 10:00\nCategory: News\nTags: beans\n\nHi.\n",
    "blog/second-post.md": "Title: Second post\nDate: 2026-02-07 09:00\nCategory: Gear\n\nA *grinder*.\n",
    "pages/about.md": "Title: About\n\nWho we are.\n",
}


def blog(tmp_path: Path, theme: str, *, redress: bool, **override: object) -> Path:
    """The same little blog with its reviews folder, built with or without Redress (apart)."""
    site = make_site(tmp_path / ("with" if redress else "without"), review("a"), review("b", rating=3))
    for relpath, text in BLOG.items():
        write(site, relpath, text)
    return build_apart(
        site,
        redress=redress,
        THEME=theme,
        ARTICLE_PATHS=["blog"],
        PAGE_PATHS=["pages"],
        DIRECT_TEMPLATES=["index", "tags", "categories", "authors", "archives"],
        FEED_ALL_ATOM="feeds/all.atom.xml",
        CATEGORY_FEED_ATOM="feeds/{slug}.atom.xml",
        MENUITEMS=[("Shop", "/shop/")],
        **override,
    )


def blog_files(out: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(out)): p.read_bytes()
        for p in sorted(out.rglob("*"))
        if p.is_file() and p.relative_to(out).parts[0] != "reviews"
    }


@pytest.mark.parametrize("theme", ["notmyidea", "simple"])
def test_the_blog_is_unchanged_apart_from_the_menu_item(tmp_path, theme):
    without = blog_files(blog(tmp_path, theme, redress=False))
    with_redress_out = blog(tmp_path, theme, redress=True)
    with_redress = blog_files(with_redress_out)
    assert set(with_redress) == set(without)
    item = re.compile(rb'\n[ \t]*<li><a href="/reviews/">Reviews</a></li>(?=\n)')
    pages = 0
    for name, data in with_redress.items():
        if name.endswith(".html"):
            data, found = item.subn(b"", data)
            assert found == 1, name  # every page of the blog shows the way in, once
            pages += 1
        assert data == without[name], name
    assert pages >= 8
    # The review pages carry the theme's nav (with the blog's page) and its stylesheet.
    review_page = soup(with_redress_out / "reviews/index.html")
    assert theme_links(review_page, "/pages/about.html") and theme_links(review_page, "/reviews/")
    if theme == "notmyidea":
        assert review_page.find("link", href=re.compile(r"theme/css/main\.css$"))


def test_opting_out_of_the_menu_leaves_the_blog_byte_identical(tmp_path):
    without = blog_files(blog(tmp_path, "notmyidea", redress=False))
    assert blog_files(blog(tmp_path, "notmyidea", redress=True, REVIEWS_MENU=False)) == without


def test_the_menu_item_is_added_once_with_the_owners_title(tmp_path):
    site = shop(tmp_path)
    page = soup(build(site, MENUITEMS=[("Our reviews", "/reviews/")]) / "reviews/index.html")
    assert [a.get_text() for a in theme_links(page, "/reviews/")] == ["Our reviews"]
    page = soup(build(site, REVIEWS_MENU="Customer reviews", DEFAULT_LANG="et") / "reviews/index.html")
    assert [a.get_text() for a in theme_links(page, "/reviews/")] == ["Customer reviews"]
    page = soup(build(site, DEFAULT_LANG="et", SITEURL="https://shop.example/blog") / "reviews/index.html")
    assert [a.get_text() for a in theme_links(page, "https://shop.example/blog/reviews/")] == ["Arvustused"]


@pytest.mark.parametrize(
    "setting, value",
    [("REVIEWS_LAYOUT", "flex"), ("REVIEWS_MENU", ""), ("REVIEWS_MENU", 1), ("REVIEWS_MENU", None)],
)
def test_layout_and_menu_settings_are_checked(setting, value):
    with pytest.raises(SettingsError) as caught:
        get_settings({setting: value})
    assert any(line.startswith(f"settings: {setting} is {value!r}") for line in caught.value.problems)


# -- the page budget ---------------------------------------------------------------------------


@pytest.mark.parametrize("theme", ["notmyidea", FLEXLIKE], ids=["notmyidea", "flexlike"])
def test_page_one_and_the_stylesheet_fit_the_budget_inside_a_theme(tmp_path, theme):
    import shutil

    site = tmp_path / "demo"
    shutil.copytree(DEMO_CONTENT, site / "content")
    out = build(site, THEME=theme, REVIEWS_PER_PAGE=20)
    html = (out / "reviews/index.html").read_bytes()
    css = (out / "reviews/static/redress.css").read_bytes()
    assert len(gzip.compress(html)) + len(gzip.compress(css)) <= 20 * 1024


# -- in a browser: the theme cannot break the reviews, nor they the theme ------------------------

#: What the reviews rely on, element by element; a theme's reset must not change any of it.
RELIED_ON = {
    ".stars-input label": ["display", "width", "height", "font-size", "color", "-webkit-text-stroke-width"],
    ".stars-input input": ["position", "opacity", "width"],
    ".consent input": ["appearance", "width", "height"],
    ".button": ["display", "min-height", "background-color", "color", "border-radius", "font-weight"],
    "#text": ["min-height", "border-top-width", "font-size", "box-sizing", "background-color"],
    "h1": ["font-size", "font-weight", "text-transform", "letter-spacing", "color"],
    "h2": ["font-size", "font-weight", "text-transform", "letter-spacing", "margin-top"],
    "meter": ["appearance", "display", "height", "vertical-align"],
    ".distribution": ["border-collapse"],
    ".distribution tbody tr": ["vertical-align"],
    ".filters ul": ["display", "list-style-type", "padding-left"],
    ".filters a": [
        "min-height",
        "border-top-width",
        "text-transform",
        "background-color",
        "text-decoration-line",
    ],
    ".review-text ul": ["list-style-type", "padding-left", "margin-top"],
    ".review-text p, .review-text li": ["line-height", "font-weight", "color"],
    ".labels": ["display", "list-style-type"],
    ".label-meanings dt": ["font-weight", "color"],
    ".fix": ["border-left-width", "background-color"],
}

STYLES = """(relied) => {
  const out = {};
  for (const [selector, props] of Object.entries(relied)) {
    const el = document.querySelector('.redress ' + selector);
    if (!el) continue;
    const style = getComputedStyle(el);
    out[selector] = Object.fromEntries(props.map((p) => [p, style.getPropertyValue(p)]));
  }
  return out;
}"""


def colours(png: bytes) -> set[tuple[int, ...]]:
    """The colours that cover at least a tenth of a screenshot: what it looks like, not where."""
    import io

    from PIL import Image

    image = Image.open(io.BytesIO(png)).convert("RGB")
    total = image.width * image.height
    return {colour for n, colour in image.getcolors(total) or [] if n >= total / 10}


@pytest.fixture(scope="module")
def two_layouts(tmp_path_factory):
    """One shop built twice in the flexlike theme: Redress's own page, and inside the theme."""
    site = shop(tmp_path_factory.mktemp("two-layouts"))
    build(site, THEME=FLEXLIKE, REVIEWS_LAYOUT="standalone", OUTPUT_PATH="standalone", CACHE_PATH="c1")
    build(site, THEME=FLEXLIKE, OUTPUT_PATH="themed", CACHE_PATH="c2")
    return site / "standalone", site / "themed"


@pytest.mark.browser
def test_the_themes_reset_does_not_change_what_the_reviews_rely_on(browser, two_layouts):
    from browser import serve

    found: set[str] = set()
    for path in ("reviews/", "reviews/write/", "reviews/a/"):
        seen, bars = {}, {}
        for name, folder in zip(("standalone", "theme"), two_layouts, strict=True):
            with serve(folder) as base:
                page = browser.new_page(viewport={"width": 1280, "height": 900})
                page.goto(f"{base}/{path}")
                seen[name] = page.evaluate(STYLES, RELIED_ON)
                if path == "reviews/":
                    bar = page.locator(".redress meter").first
                    bar.evaluate("e => { e.style.width = '200px'; }")
                    bars[name] = colours(bar.screenshot())
                page.close()
        assert seen["theme"] == seen["standalone"], path
        # A theme's background or border on a <meter> makes Chromium draw it plainly, in
        # other colours: the bars must look as on Redress's own page.
        assert bars.get("theme") == bars.get("standalone")
        found |= set(seen["theme"])
    assert found == set(RELIED_ON)


@pytest.mark.browser
@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("theme", ["notmyidea", FLEXLIKE], ids=["notmyidea", "flexlike"])
def test_axe_finds_no_violations_in_the_reviews_inside_a_theme(browser, tmp_path, theme, scheme):
    from browser import axe_source, serve

    out = build(shop(tmp_path), THEME=theme)
    with serve(out) as base:
        context = browser.new_context(
            viewport={"width": 390, "height": 844}, is_mobile=True, color_scheme=scheme
        )
        page = context.new_page()
        for path in ("reviews/", "reviews/write/", "reviews/a/", "reviews/products/mill/"):
            page.goto(f"{base}/{path}")
            page.add_script_tag(content=axe_source())
            result = page.evaluate(
                """async () => await axe.run({include: [['.redress']]}, {runOnly: {type: 'tag', values: [
                    'wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']}})"""
            )
            violations = [(v["id"], [n["target"] for n in v["nodes"]][:3]) for v in result["violations"]]
            assert violations == [], (path, violations)
        context.close()


def test_the_themes_escaping_names_the_compiled_templates_by_what_it_does():
    """``autoescape=select_autoescape()`` in JINJA_ENVIRONMENT: named by the function's address,
    each build compiled every template again into a new folder."""
    from jinja2 import select_autoescape
    from pelican.plugins.redress import templating

    key = templating._escaping_key
    assert key(select_autoescape()) == key(select_autoescape())
    assert key(select_autoescape()) != key(select_autoescape(default_for_string=False, default=True))
    assert key(True) != key(False) and key(None) == key(False)
    assert "0x" not in key(select_autoescape())
