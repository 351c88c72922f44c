"""The response feeds: RSS 2.0 and Atom, site-wide and per product, built for real and read back."""

from __future__ import annotations

import datetime as dt
import logging
import re
import shutil
import sys
from pathlib import Path
from urllib.parse import urlparse
from zoneinfo import ZoneInfo

import feedparser
import feedrules
import pytest
from bs4 import BeautifulSoup
from conftest import DEMO_CONTENT, ROOT, build, make_site, response, review, soup, write
from feedrules import NS, parse_strict, rfc822, rfc3339
from lxml import etree
from pelican import Pelican
from pelican.plugins.redress.content.settings import SettingsError
from pelican.settings import read_settings

SITEURL = "https://shop.example"
PREVIEW = "http://127.0.0.1:8000"
AMSTERDAM = ZoneInfo("Europe/Amsterdam")
RSS_TYPE = "application/rss+xml"
ATOM_TYPE = "application/atom+xml"

# --- helpers -----------------------------------------------------------------


def local(text: str) -> dt.datetime:
    """A date as written in a content file, read in the test sites' time zone."""
    return dt.datetime.fromisoformat(text).replace(tzinfo=AMSTERDAM)


def fields(path: Path) -> dict[str, str]:
    """An independent reading of a content file's header, as the tests' oracle."""
    head = path.read_text(encoding="utf-8").split("\n\n", 1)[0]
    return {k.strip().lower(): v.strip() for k, v in (line.split(":", 1) for line in head.splitlines())}


DEMO_REVIEWS = {p.stem: fields(p) for p in sorted((DEMO_CONTENT / "reviews").glob("*.md"))}
DEMO_RESPONSES = {p.stem: fields(p) for p in sorted((DEMO_CONTENT / "responses").glob("*.md"))}
DEMO_PRODUCTS = sorted(p.stem for p in (DEMO_CONTENT / "products").glob("*.md"))
PUBLISHED = [slug for slug, f in DEMO_REVIEWS.items() if "withheld" not in f]
#: Pages of the review section that are not listings or permalinks: the forms.
FORM_PAGES = ("write", "follow-up", "thanks", "privacy")
LISTING_RE = re.compile(
    r"reviews/(products/[^/]+/)?(stars/[1-5]/|open/|resolved/)?(page/[0-9]+/)?index\.html"
)


def demo_entries(product: str | None = None) -> list[str]:
    """Slugs of the demo's published thread entries (of one product), newest first."""
    slugs = [
        slug
        for slug, f in DEMO_RESPONSES.items()
        if "withheld" not in DEMO_REVIEWS[f["review"]]
        and (product is None or DEMO_REVIEWS[f["review"]].get("product") == product)
    ]
    return sorted(slugs, key=lambda s: (DEMO_RESPONSES[s]["date"], s), reverse=True)


def crafted_files() -> list[tuple[str, str]]:
    """A shop with two products with reviews, one without, and a thread in every state."""
    long_body = " ".join(["The parcel took three weeks and nobody answered my mails."] * 6)
    return [
        ("products/grinder.md", "Title: Molen M2\n\nA hand grinder.\n"),
        ("products/beans.md", "Title: Huismelange 1 kg\n\nBeans.\n"),
        ("products/descaler.md", "Title: Ontkalker\n\nNobody has reviewed it yet.\n"),
        review(
            "damaged",
            rating=2,
            date="2026-10-01 10:00",
            title="Pakket kwam beschadigd aan",
            product="grinder",
            author="Jan",
            lang="nl",
            email="jan@example.nl",
            order="BB-20452",
            body="The box was crushed. Order BB-20452, mail me at jan@example.nl.",
        ),
        review(
            "late",
            rating=1,
            date="2026-10-02 08:00",
            title="Three weeks late",
            product="beans",
            author="Mari",
            body=long_body,
        ),
        review("happy", rating=5, date="2026-10-03 12:00", author="Piet", body="Lovely beans."),
        review("spam", rating=1, date="2026-10-03 13:00", withheld="spam", body="Cheap watches!"),
        response(
            "damaged-1",
            "damaged",
            date="2026-10-01 12:00",
            status="in-progress",
            remedy="apology",
            author="Anna (anna@shop.example)",
            body="Sorry, Jan! We found order BB-20452. See [returns](/returns/) and [the FAQ](faq.html).",
        ),
        response(
            "damaged-2",
            "damaged",
            date="2026-10-02 09:00",
            status="resolved",
            remedy="replacement",
            updated="2026-10-05 08:00",
            author="Anna",
            body="A new grinder is on its way.",
        ),
        response(
            "damaged-3",
            "damaged",
            date="2026-10-04 10:00",
            body="It arrived whole, thanks.",
            **{"from": "customer", "resolved": "yes"},
        ),
        response(
            "late-1",
            "late",
            date="2026-10-03 09:00",
            status="resolved",
            remedy="refund",
            body="We refunded the order.",
        ),
        response(
            "late-2",
            "late",
            date="2026-10-06 10:00",
            body="The refund never came.",
            **{"from": "customer", "resolved": "no"},
        ),
        response("happy-1", "happy", date="2026-10-03 18:00", body="Thank you, Piet!"),
        response("spam-1", "spam", date="2026-10-03 14:00", status="no-action", body="Withheldword."),
    ]


#: The crafted shop's entries, newest first, with what each one's item must say.
CRAFTED = {
    "late-2": ("late", "Customer says it is not fixed: follow-up on a 1-star review, “Three weeks late”"),
    "damaged-3": (
        "damaged",
        "Customer confirms it is fixed: follow-up on a 2-star review, “Pakket kwam beschadigd aan”",
    ),
    "happy-1": ("happy", "Response to a 5-star review"),
    "late-1": ("late", "Resolved: response to a 1-star review, “Three weeks late”"),
    "damaged-2": ("damaged", "Resolved: response to a 2-star review, “Pakket kwam beschadigd aan”"),
    "damaged-1": (
        "damaged",
        "Resolution in progress: response to a 2-star review, “Pakket kwam beschadigd aan”",
    ),
}
CRAFTED_DATES = {
    "late-2": "2026-10-06 10:00",
    "damaged-3": "2026-10-04 10:00",
    "happy-1": "2026-10-03 18:00",
    "late-1": "2026-10-03 09:00",
    "damaged-2": "2026-10-02 09:00",
    "damaged-1": "2026-10-01 12:00",
}
CRAFTED_PRODUCTS = {"damaged": "grinder", "late": "beans", "happy": None}


def crafted(tmp_path: Path, **settings) -> Path:
    """Build the crafted shop at SITEURL (unless overridden); return the output folder."""
    site = make_site(tmp_path, *crafted_files())
    return build(site, **{"SITEURL": SITEURL, **settings})


def feed_paths(out: Path, products: list[str]) -> list[Path]:
    """The shop's feeds and those of ``products`` that have one (a response or follow-up)."""
    paths = [out / "reviews/feed.rss", out / "reviews/feed.atom"]
    for slug in products:
        pair = [out / f"reviews/products/{slug}/feed.rss", out / f"reviews/products/{slug}/feed.atom"]
        assert pair[0].is_file() == pair[1].is_file(), slug
        paths += [path for path in pair if path.is_file()]
    return paths


def parsed(path: Path) -> feedparser.FeedParserDict:
    """The feed as a feed reader sees it; it must parse without complaint."""
    feed = feedparser.parse(path.read_bytes())
    assert not feed.bozo, (path, feed.get("bozo_exception"))
    return feed


def xml(path: Path) -> etree._Element:
    return parse_strict(path.read_bytes())


def is_rss(path: Path) -> bool:
    return xml(path).tag == "rss"


def items(path: Path) -> list[etree._Element]:
    root = xml(path)
    return root.findall("channel/item") if is_rss(path) else root.findall("atom:entry", NS)


def item_ids(path: Path) -> list[str]:
    """The guid of each RSS item or the id of each Atom entry, in feed order."""
    if is_rss(path):
        return [item.findtext("guid") for item in items(path)]
    return [entry.findtext("atom:id", namespaces=NS) for entry in items(path)]


def item_links(path: Path) -> list[str]:
    if is_rss(path):
        return [item.findtext("link") for item in items(path)]
    return [entry.find("atom:link", NS).get("href") for entry in items(path)]


def item_titles(path: Path) -> list[str]:
    tag = "title" if is_rss(path) else "atom:title"
    return [item.findtext(tag, namespaces=NS) for item in items(path)]


def item_html(item: etree._Element) -> str:
    """An item's body: RSS description (or content:encoded), Atom content."""
    for tag in ("content:encoded", "description", "atom:content"):
        element = item.find(tag, NS)
        if element is not None:
            return element.text or ""
    raise AssertionError("item without a body")


def anchors(path: Path) -> list[str]:
    """The entry slug of each item, from the fragment of its link."""
    return [link.split("#entry-", 1)[1] for link in item_links(path)]


def self_url(path: Path) -> str:
    root = xml(path)
    links = root.findall("channel/atom:link", NS) if is_rss(path) else root.findall("atom:link", NS)
    return next(link.get("href") for link in links if link.get("rel") == "self")


def rule_problems(path: Path, expected_self: str) -> list[str]:
    root = xml(path)
    check = feedrules.rss_problems if is_rss(path) else feedrules.atom_problems
    return check(root, expected_self) + feedrules.text_problems(path.read_bytes())


def written_file(out: Path, url: str, siteurl: str) -> Path:
    """The output file an absolute URL of the site is served from."""
    assert url.startswith(siteurl + "/"), (url, siteurl)
    path = urlparse(url).path[len(urlparse(siteurl).path) :].lstrip("/")
    return out / path / "index.html" if path.endswith("/") or not path else out / path


def stylesheet_href(path: Path) -> str:
    pis = [
        node
        for node in xml(path).itersiblings(preceding=True)
        if isinstance(node, etree._ProcessingInstruction) and node.target == "xml-stylesheet"
    ]
    assert len(pis) == 1, path
    assert pis[0].get("type") == "text/xsl"
    return pis[0].get("href")


def feed_dates(path: Path) -> list[dt.datetime]:
    """Every date the feed states, channel and items."""
    root = xml(path)
    if is_rss(path):
        return [rfc822(e.text) for tag in ("pubDate", "lastBuildDate") for e in root.iter(tag)]
    return [
        rfc3339(e.text) for tag in ("published", "updated") for e in root.iter(f"{{{feedrules.ATOM}}}{tag}")
    ]


def channel_date(path: Path) -> dt.datetime:
    root = xml(path)
    if is_rss(path):
        return rfc822(root.findtext("channel/lastBuildDate"))
    return rfc3339(root.findtext("atom:updated", namespaces=NS))


def announced(page: BeautifulSoup, mime: str) -> list[str]:
    return [link["href"] for link in page.find_all("link", rel="alternate", type=mime)]


def resolve(out: Path, page_path: Path, href: str) -> Path:
    """The file a link on a written page points at (relative or absolute to SITEURL)."""
    if href.startswith(SITEURL + "/"):
        return written_file(out, href, SITEURL)
    return (page_path.parent / urlparse(href).path).resolve()


def demo_pages(output: Path, forms: bool) -> list[Path]:
    """The listings and review permalinks of the demo, or its form pages."""
    if forms:
        return sorted(p for name in FORM_PAGES for p in (output / "reviews" / name).rglob("*.html"))
    pages = [p for p in output.rglob("*.html") if LISTING_RE.fullmatch(p.relative_to(output).as_posix())]
    return sorted(pages) + [output / "reviews" / slug / "index.html" for slug in PUBLISHED]


def assert_announces_feeds(output: Path, path: Path) -> None:
    page = soup(path)
    where = path.relative_to(output)
    rss, atom = announced(page, RSS_TYPE), announced(page, ATOM_TYPE)
    assert rss and atom, where
    for href in rss + atom:
        assert resolve(output, path, href).is_file(), (where, href)
    follow = page.find("a", string="Follow our responses (RSS)")
    assert follow is not None, where
    assert follow["href"] == rss[0] and follow["type"] == RSS_TYPE
    # One feed of each kind, the most specific: the product's once it has its own, else the shop's.
    assert len(rss) == 1 and len(atom) == 1, where
    if "/products/" in where.as_posix():
        product = where.as_posix().split("/products/")[1].split("/")[0]
        if (output / f"reviews/products/{product}/feed.rss").is_file():
            assert rss[0].endswith(f"reviews/products/{product}/feed.rss"), where
        else:
            assert rss[0].endswith("reviews/feed.rss"), where


# --- the rules checker itself --------------------------------------------------


BROKEN_RSS = b"""<?xml version="1.0"?>
<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom"><channel>
<title>T</title><link>/reviews/</link>
<atom:link href="https://x.example/other.rss" rel="self"/>
<lastBuildDate>Thu, 02 Oct 2026 09:00:00 +0200</lastBuildDate>
<item><title>A</title><link>https://x.example/a</link><guid>https://x.example/b</guid>
<pubDate>2026-10-02T09:00:00+02:00</pubDate><author>Jan</author>
<description>&lt;a href="/relative"&gt;x&lt;/a&gt;&lt;img src=x onerror=alert(1)&gt;</description></item>
<item><description>B</description><guid>https://x.example/b</guid></item>
</channel></rss>"""

BROKEN_ATOM = b"""<?xml version="1.0"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>T</title><updated>2026-10-02 09:00</updated>
<link href="reviews/" rel="alternate"/>
<entry><id>entry-1</id><title>A</title><updated>2026-10-02T09:00:00+02:00</updated>
<published>2026-10-03T09:00:00+02:00</published>
<content type="text">&lt;script&gt;alert(1)&lt;/script&gt;</content></entry>
<entry><id>entry-1</id><title>B</title><updated>2026-10-02T09:00:00+02:00</updated></entry>
</feed>"""


def test_rss_rules_catch_a_broken_feed():
    problems = "\n".join(feedrules.rss_problems(parse_strict(BROKEN_RSS), "https://x.example/feed.rss"))
    for needle in (
        "0 <description> elements",  # channel description is required
        "<link> '/reviews/' is not an absolute",
        'rel="self" is',
        "<lastBuildDate> 'Thu, 02 Oct 2026",  # 2 October 2026 is a Friday
        "differs from <link>",
        "<pubDate> '2026-10-02T09",
        "<author> must be an e-mail",
        "relative address '/relative'",
        "event handler onerror",
        "is used 2 times",
    ):
        assert needle in problems, needle


def test_atom_rules_catch_a_broken_feed():
    problems = "\n".join(feedrules.atom_problems(parse_strict(BROKEN_ATOM), "https://x.example/feed.atom"))
    for needle in (
        "0 <atom:id> elements",
        "not an RFC 3339 date",
        "no <author>",
        "href 'reviews/' is not an absolute",
        '0 <link rel="self">',
        "<id> 'entry-1' is not an absolute URI",
        "<updated> is before <published>",
        'type="text"',
        "neither <link rel=alternate> nor <content>",
        "is used 2 times",
    ):
        assert needle in problems, needle


def test_date_rules_are_strict():
    assert rfc822("Fri, 02 Oct 2026 09:00:00 +0200") == dt.datetime(2026, 10, 2, 9, tzinfo=AMSTERDAM)
    for wrong in (
        "Fri, 2 Oct 2026 09:00:00 +0200",
        "Fri, 02 Oct 26 09:00:00 +0200",
        "Fri, 02 Oct 2026 09:00",
    ):
        assert rfc822(wrong) is None, wrong
    assert rfc3339("2026-10-02T09:00:00+02:00") and rfc3339("2026-10-02T07:00:00Z")
    assert rfc3339("2026-10-02 09:00:00+02:00") is None and rfc3339("2026-10-02T09:00:00") is None


# --- the demo shop's feeds --------------------------------------------------------


@pytest.mark.parametrize("kind", ["rss", "atom"])
def test_demo_feed_has_every_published_entry_newest_first(demo_output, kind):
    path = demo_output / f"reviews/feed.{kind}"
    expected = demo_entries()
    assert 20 <= len(expected) <= 50
    assert len(parsed(path).entries) == len(expected)
    assert anchors(path) == expected


@pytest.mark.parametrize("kind", ["rss", "atom"])
def test_demo_feeds_pass_the_validator_rules(demo_output, kind):
    for path in feed_paths(demo_output, DEMO_PRODUCTS):
        if path.suffix == f".{kind}":
            parsed(path)
            url = PREVIEW + "/" + path.relative_to(demo_output).as_posix()
            assert rule_problems(path, url) == [], path


@pytest.mark.parametrize("product", DEMO_PRODUCTS)
def test_demo_product_feeds_hold_only_that_products_entries(demo_output, product):
    for kind in ("rss", "atom"):
        path = demo_output / f"reviews/products/{product}/feed.{kind}"
        # A product gets feeds of its own from its second entry: one with none would be empty,
        # one with a single entry says what the shop's feed says. No page announces a missing one.
        assert path.is_file() == (len(demo_entries(product)) >= 2), path
        if not path.is_file():
            for page in (demo_output / f"reviews/products/{product}").rglob("*.html"):
                assert f"products/{product}/feed" not in page.read_text(encoding="utf-8"), page
            continue
        assert anchors(path) == demo_entries(product)
        for link in item_links(path):
            review_slug = urlparse(link).path.rstrip("/").rsplit("/", 1)[1]
            assert DEMO_REVIEWS[review_slug].get("product") == product
    assert any(demo_entries(p) for p in DEMO_PRODUCTS)


def test_demo_item_links_resolve_to_pages_with_the_entry_anchor(demo_output):
    checked = 0
    for path in feed_paths(demo_output, DEMO_PRODUCTS):
        for link in item_links(path):
            page = written_file(demo_output, link, PREVIEW)
            assert page.is_file(), link
            anchor = urlparse(link).fragment
            assert soup(page).find(id=anchor) is not None, link
            checked += 1
    with_feeds = [p for p in DEMO_PRODUCTS if len(demo_entries(p)) >= 2]
    assert checked == 2 * (len(demo_entries()) + sum(len(demo_entries(p)) for p in with_feeds))
    assert len(with_feeds) < len(DEMO_PRODUCTS), "the demo has a product without feeds of its own"


def test_demo_entries_with_updated_have_a_later_atom_updated(demo_output):
    changed = {slug: f for slug, f in DEMO_RESPONSES.items() if f.get("updated")}
    assert changed
    entries = {
        e.findtext("atom:id", namespaces=NS).split("#entry-")[1]: e
        for e in items(demo_output / "reviews/feed.atom")
    }
    for slug, f in changed.items():
        entry = entries[slug]
        published = rfc3339(entry.findtext("atom:published", namespaces=NS))
        updated = rfc3339(entry.findtext("atom:updated", namespaces=NS))
        assert published == local(f["date"])
        assert updated == local(f["updated"]) > published
    unchanged = next(e for slug, e in entries.items() if slug not in changed)
    assert unchanged.findtext("atom:updated", namespaces=NS) == unchanged.findtext(
        "atom:published", namespaces=NS
    )


def test_demo_follow_ups_say_whether_the_customer_confirms_the_fix(demo_output):
    titles = dict(
        zip(
            anchors(demo_output / "reviews/feed.rss"),
            item_titles(demo_output / "reviews/feed.rss"),
            strict=True,
        )
    )
    follow_ups = {slug: f for slug, f in DEMO_RESPONSES.items() if f.get("from") == "customer"}
    assert {f["resolved"] for f in follow_ups.values()} == {"yes", "no"}
    for slug, f in follow_ups.items():
        if f["resolved"] == "yes":
            assert titles[slug].startswith("Customer confirms it is fixed"), titles[slug]
        else:
            assert "not fixed" in titles[slug] and "confirms" not in titles[slug], titles[slug]


def test_demo_feeds_carry_no_private_value(demo_output):
    private = {
        f[key]
        for f in [*DEMO_REVIEWS.values(), *DEMO_RESPONSES.values()]
        for key in ("email", "order", "phone", "note")
        if f.get(key)
    }
    assert private
    for path in feed_paths(demo_output, DEMO_PRODUCTS):
        data = path.read_text(encoding="utf-8")
        assert not [value for value in private if value in data], path


@pytest.mark.parametrize("kind", ["rss", "atom"])
def test_demo_stylesheet_is_wellformed_xslt_at_the_pi_href(demo_output, kind):
    path = demo_output / f"reviews/feed.{kind}"
    href = stylesheet_href(path)
    assert href.startswith("/") and not href.startswith("//")  # same origin, as browsers require
    xsl = written_file(demo_output, PREVIEW + href, PREVIEW)
    assert xsl.is_file(), href
    stylesheet = parse_strict(xsl.read_bytes())
    assert stylesheet.tag == "{http://www.w3.org/1999/XSL/Transform}stylesheet"
    etree.XSLT(stylesheet)  # compiles


@pytest.mark.parametrize("kind", ["rss", "atom"])
def test_demo_feed_shows_as_a_readable_page_in_a_browser(demo_output, kind):
    path = demo_output / f"reviews/feed.{kind}"
    xsl = written_file(demo_output, PREVIEW + stylesheet_href(path), PREVIEW)
    html = str(etree.XSLT(etree.parse(str(xsl)))(etree.parse(str(path))))
    page = BeautifulSoup(html, "html.parser")
    title = parsed(path).feed.title
    assert page.h1.get_text(strip=True) == title
    assert title in page.title.get_text()
    assert page.html["lang"] == "en"
    links = [a["href"] for a in page.select("ol li a")]
    assert links == item_links(path)
    assert [a.get_text() for a in page.select("ol li a")] == item_titles(path)
    home = page.select_one("p.note a")
    assert home["href"] == PREVIEW + "/reviews/"


def test_every_demo_listing_and_review_page_announces_the_feeds_and_shows_a_follow_link(demo_output):
    pages = demo_pages(demo_output, forms=False)
    # The shop's first pages (all, 5 stars, open, resolved) and archive, each product's one page.
    assert len(pages) >= len(PUBLISHED) + 8 + len(DEMO_PRODUCTS)
    assert any("/page/" in str(path) for path in pages)
    for path in pages:
        assert_announces_feeds(demo_output, path)


def test_every_demo_form_page_announces_the_feeds_too(demo_output):
    pages = demo_pages(demo_output, forms=True)
    assert pages
    for path in pages:
        assert_announces_feeds(demo_output, path)


def test_demo_product_review_page_announces_its_product_feed_or_the_shops(demo_output):
    for slug, f in DEMO_REVIEWS.items():
        if not f.get("product") or "withheld" in f:
            continue
        page = soup(demo_output / "reviews" / slug / "index.html")
        rss, titles = (
            announced(page, RSS_TYPE),
            [link["title"] for link in page.find_all("link", rel="alternate", type=RSS_TYPE)],
        )
        if len(demo_entries(f["product"])) >= 2:
            assert len(rss) == 1 and rss[0].endswith(f"reviews/products/{f['product']}/feed.rss"), slug
            assert " on " in titles[0] and titles[0].endswith("(RSS)")
        else:
            assert len(rss) == 1 and rss[0].endswith("reviews/feed.rss"), slug


# --- a crafted shop: content of the items -----------------------------------------


@pytest.fixture(scope="module")
def crafted_output(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return crafted(tmp_path_factory.mktemp("crafted"))


@pytest.mark.parametrize("kind", ["rss", "atom"])
def test_crafted_feed_items_newest_first_with_titles_that_say_what_happened(crafted_output, kind):
    path = crafted_output / f"reviews/feed.{kind}"
    feed = parsed(path)
    assert [e.title for e in feed.entries] == [title for _review, title in CRAFTED.values()]
    assert anchors(path) == list(CRAFTED)
    assert "Withheldword" not in path.read_text(encoding="utf-8")  # a withheld review's thread stays out


@pytest.mark.parametrize("kind", ["rss", "atom"])
def test_crafted_feeds_pass_the_validator_rules(crafted_output, kind):
    paths = [
        p for p in feed_paths(crafted_output, ["grinder", "beans", "descaler"]) if p.suffix == f".{kind}"
    ]
    for path in paths:
        parsed(path)
        url = SITEURL + "/" + path.relative_to(crafted_output).as_posix()
        assert self_url(path) == url
        assert rule_problems(path, url) == [], path


def test_crafted_links_ids_and_guids_are_the_entry_permalinks(crafted_output):
    rss, atom = crafted_output / "reviews/feed.rss", crafted_output / "reviews/feed.atom"
    expected = [
        f"{SITEURL}/reviews/{review_slug}/#entry-{slug}" for slug, (review_slug, _t) in CRAFTED.items()
    ]
    assert item_links(rss) == item_ids(rss) == item_links(atom) == item_ids(atom) == expected
    assert {item.find("guid").get("isPermaLink") for item in items(rss)} == {"true"}
    for link in expected:
        page = written_file(crafted_output, link, SITEURL)
        assert soup(page).find(id=urlparse(link).fragment) is not None, link


def test_crafted_item_dates_are_the_entries_own(crafted_output):
    rss = {slug: item for slug, item in zip(CRAFTED, items(crafted_output / "reviews/feed.rss"), strict=True)}
    atom = {
        slug: item for slug, item in zip(CRAFTED, items(crafted_output / "reviews/feed.atom"), strict=True)
    }
    assert rss["damaged-2"].findtext("pubDate") == "Fri, 02 Oct 2026 09:00:00 +0200"
    assert atom["damaged-2"].findtext("atom:published", namespaces=NS) == "2026-10-02T09:00:00+02:00"
    for slug, date in CRAFTED_DATES.items():
        assert rfc822(rss[slug].findtext("pubDate")) == local(date), slug
        assert rfc3339(atom[slug].findtext("atom:published", namespaces=NS)) == local(date), slug
        updated = rfc3339(atom[slug].findtext("atom:updated", namespaces=NS))
        assert updated == (local("2026-10-05 08:00") if slug == "damaged-2" else local(date)), slug


@pytest.mark.parametrize("kind", ["rss", "atom"])
def test_channel_date_is_the_newest_items_date(crafted_output, kind):
    path = crafted_output / f"reviews/feed.{kind}"
    assert channel_date(path) == local(CRAFTED_DATES["late-2"])
    grinder = crafted_output / f"reviews/products/grinder/feed.{kind}"
    assert channel_date(grinder) == local("2026-10-05 08:00")  # damaged-2's Updated, the latest change
    if kind == "rss":
        root = xml(path)
        assert root.findtext("channel/pubDate") == root.findtext("channel/lastBuildDate")


def test_every_date_in_the_feeds_comes_from_the_content(crafted_output):
    """No build time anywhere: the same content gives the same feed, whenever it is built."""
    content_dates = {local(d) for d in CRAFTED_DATES.values()} | {local("2026-10-05 08:00")}
    for path in feed_paths(crafted_output, ["grinder", "beans"]):
        dates = feed_dates(path)
        assert dates and None not in dates, path
        assert set(dates) <= content_dates, path


def test_crafted_item_body_quotes_the_review_then_gives_the_response(crafted_output):
    entries = dict(zip(CRAFTED, items(crafted_output / "reviews/feed.atom"), strict=True))
    body = BeautifulSoup(item_html(entries["damaged-2"]), "html.parser")
    assert body.p.get_text() == "The review (2 out of 5 stars) by Jan:"
    quote = body.blockquote
    assert quote["lang"] == "nl"
    assert quote.get_text().startswith("The box was crushed.")
    text = body.get_text(" ", strip=True)
    assert "Resolved" in body.strong.get_text()
    assert "What we did: replacement" in text
    assert text.endswith("A new grinder is on its way.")
    follow_up = BeautifulSoup(item_html(entries["damaged-3"]), "html.parser").get_text(" ", strip=True)
    assert "Customer confirms: fixed" in follow_up and "It arrived whole, thanks." in follow_up
    not_fixed = BeautifulSoup(item_html(entries["late-2"]), "html.parser").get_text(" ", strip=True)
    assert "Customer says: not fixed" in not_fixed


def test_quote_of_a_long_review_is_short(crafted_output):
    entry = dict(zip(CRAFTED, items(crafted_output / "reviews/feed.rss"), strict=True))["late-1"]
    quote = BeautifulSoup(item_html(entry), "html.parser").blockquote.get_text()
    assert quote.endswith("…") and len(quote) <= 201
    assert "The parcel took three weeks and nobody answered my mails. The parcel" in quote
    assert quote.count("The parcel") < 6


def test_relative_links_in_a_response_keep_their_words_but_no_relative_target(crafted_output):
    entry = dict(zip(CRAFTED, items(crafted_output / "reviews/feed.atom"), strict=True))["damaged-1"]
    links = BeautifulSoup(item_html(entry), "html.parser").find_all("a")
    # Relative links are dropped when text is rendered (they would point
    # somewhere else on every page); the words stay.
    assert links and all(not a.get("href") or a["href"].startswith(("http://", "https://")) for a in links)


def test_authors_are_names_only(crafted_output):
    rss = dict(zip(CRAFTED, items(crafted_output / "reviews/feed.rss"), strict=True))
    atom = dict(zip(CRAFTED, items(crafted_output / "reviews/feed.atom"), strict=True))
    expected = {"damaged-2": "Anna", "late-1": "Test shop", "damaged-3": "Jan", "late-2": "Mari"}
    for slug, name in expected.items():
        assert rss[slug].findtext("dc:creator", namespaces=NS) == name, slug
        assert atom[slug].findtext("atom:author/atom:name", namespaces=NS) == name, slug
    for slug in CRAFTED:
        assert rss[slug].find("author") is None  # RSS <author> is an e-mail address
        assert atom[slug].find("atom:author/atom:email", NS) is None
    assert "anna@shop.example" not in rss["damaged-1"].findtext("dc:creator", namespaces=NS)


def test_no_email_or_order_number_anywhere_in_the_feeds(crafted_output):
    for path in feed_paths(crafted_output, ["grinder", "beans", "descaler"]):
        data = path.read_text(encoding="utf-8")
        for secret in ("jan@example.nl", "anna@shop.example", "BB-20452", "example.nl"):
            assert secret not in data, (path, secret)
        assert feedrules.text_problems(path.read_bytes()) == []
    # The sentence is kept, with a note in place of the number.
    assert re.search(r"We found order \[[^\]]+\]\.", (crafted_output / "reviews/feed.rss").read_text("utf-8"))


def test_categories_for_status_remedy_and_product(crafted_output):
    atom = dict(zip(CRAFTED, items(crafted_output / "reviews/feed.atom"), strict=True))
    rss = dict(zip(CRAFTED, items(crafted_output / "reviews/feed.rss"), strict=True))
    terms = {slug: {c.get("term") for c in e.findall("atom:category", NS)} for slug, e in atom.items()}
    assert terms["damaged-2"] == {"resolved", "replacement", "grinder"}
    assert terms["damaged-1"] == {"in-progress", "apology", "grinder"}
    assert terms["late-1"] == {"resolved", "refund", "beans"}
    assert terms["late-2"] == {"beans"}
    assert terms["happy-1"] == set()
    labels = {c.get("label") for c in atom["damaged-2"].findall("atom:category", NS)}
    assert labels == {"Resolved", "replacement", "Molen M2"}
    assert {c.text for c in rss["damaged-2"].findall("category")} == labels


def test_channel_title_description_language_and_links_from_settings(tmp_path):
    out = crafted(
        tmp_path,
        REVIEWS_SHOP_NAME="Kaffa",
        REVIEWS_FEED_TITLE="What Kaffa fixed",
        REVIEWS_FEED_DESCRIPTION="Every answer from Kaffa",
    )
    site, product = (
        parsed(out / "reviews/feed.rss").feed,
        parsed(out / "reviews/products/grinder/feed.atom").feed,
    )
    assert site.title == "What Kaffa fixed"
    assert product.title == "Responses from Kaffa on Molen M2"
    assert site.subtitle == product.subtitle == "Every answer from Kaffa"
    assert (
        site.language == "en"
        and xml(out / "reviews/feed.atom").get("{http://www.w3.org/XML/1998/namespace}lang") == "en"
    )
    assert xml(out / "reviews/feed.rss").findtext("channel/link") == f"{SITEURL}/reviews/"
    alternate = [
        link
        for link in xml(out / "reviews/products/grinder/feed.atom").findall("atom:link", NS)
        if link.get("rel") == "alternate"
    ]
    assert [link.get("href") for link in alternate] == [f"{SITEURL}/reviews/products/grinder/"]
    default = parsed(crafted(tmp_path / "default") / "reviews/feed.rss").feed
    assert default.title == "Responses from Test shop"
    assert "How Test shop answers" in default.subtitle


# --- hostile text -------------------------------------------------------------------

HOSTILE = "\n\n".join(
    [
        "<script>alert('x')</script> and ]]> and <![CDATA[ boo ]]>",
        "bell\x07 escape\x1b vertical\x0b tab nul\x00 c1\x85 end",
        '<img src=x onerror="alert(1)">',
        "[click](javascript:alert(1)) [data](data:text/html;base64,PHNjcmlwdD4=)",
        '<iframe src="https://evil.example"></iframe> <svg onload="alert(1)"></svg>',
        "&#1; &#x0b; &lt;b&gt;",
    ]
)


def test_hostile_customer_text_gives_a_wellformed_inert_feed(tmp_path):
    site = make_site(
        tmp_path,
        review(
            "evil",
            rating=1,
            body=HOSTILE,
            title="Bad ]]> <script>alert(3)</script>",
            author="<b onmouseover=alert(4)>Eve</b>\x01",
        ),
        response("evil-1", "evil", body=HOSTILE, author="<script>alert(5)</script>", status="in-progress"),
        response(
            "evil-2", "evil", date="2026-10-04 10:00", body=HOSTILE, **{"from": "customer", "resolved": "no"}
        ),
    )
    out = build(site, SITEURL=SITEURL)
    for path in (out / "reviews/feed.rss", out / "reviews/feed.atom"):
        parse_strict(path.read_bytes())  # a strict XML parser accepts it
        assert len(parsed(path).entries) == 2
        url = f"{SITEURL}/{path.relative_to(out).as_posix()}"
        assert rule_problems(path, url) == [], path  # no active content, no forbidden characters
        for item in items(path):
            body = BeautifulSoup(item_html(item), "html.parser")
            # The customer's words are there, as text.
            assert "<script>alert('x')</script>" in body.blockquote.get_text()
            assert "]]>" in body.get_text()
            assert not body.find_all(["script", "iframe", "svg", "img"])
        assert "]]> <script>alert(3)</script>" in item_titles(path)[0]


# --- settings -------------------------------------------------------------------------


@pytest.mark.parametrize("limit", [0, 3])
def test_max_items_keeps_the_newest(tmp_path, limit):
    out = crafted(tmp_path, REVIEWS_FEED_MAX_ITEMS=limit)
    for kind in ("rss", "atom"):
        path = out / f"reviews/feed.{kind}"
        assert anchors(path) == list(CRAFTED)[:limit]
        url = f"{SITEURL}/reviews/feed.{kind}"
        assert rule_problems(path, url) == []
        assert (
            anchors(out / f"reviews/products/grinder/feed.{kind}")
            == ["damaged-3", "damaged-2", "damaged-1"][:limit]
        )


def test_product_feeds_hold_only_their_products_entries(crafted_output):
    for product in ("grinder", "beans", "descaler"):
        expected = [
            slug for slug, (review_slug, _t) in CRAFTED.items() if CRAFTED_PRODUCTS[review_slug] == product
        ]
        for kind in ("rss", "atom"):
            path = crafted_output / f"reviews/products/{product}/feed.{kind}"
            assert path.is_file() == bool(expected), path
            if expected:
                assert anchors(path) == expected, path
    assert not (crafted_output / "reviews/products/descaler/feed.rss").exists()


@pytest.mark.parametrize(
    ("setting", "name", "mime"), [("RSS", "feed.rss", RSS_TYPE), ("ATOM", "feed.atom", ATOM_TYPE)]
)
def test_a_feed_set_to_none_is_removed_and_no_longer_announced(tmp_path, setting, name, mime):
    site = make_site(tmp_path, review("a", rating=2), response("a-1", "a", status="resolved"))
    out = build(site, SITEURL=SITEURL)
    assert (out / "reviews" / name).is_file()
    assert announced(soup(out / "reviews/index.html"), mime) == [f"{SITEURL}/reviews/{name}"]
    build(site, SITEURL=SITEURL, **{f"REVIEWS_FEED_{setting}": None})
    assert not (out / "reviews" / name).exists()
    other = "feed.atom" if name == "feed.rss" else "feed.rss"
    assert (out / "reviews" / other).is_file()
    for page in (
        out / "reviews/index.html",
        out / "reviews/a/index.html",
    ):
        html = soup(page)
        assert announced(html, mime) == [], page
        assert announced(html, RSS_TYPE if mime == ATOM_TYPE else ATOM_TYPE), page
        assert not html.find("a", href=f"{SITEURL}/reviews/{name}"), page
    follow = soup(out / "reviews/index.html").find("a", string="Follow our responses (RSS)")
    assert (follow is None) == (setting == "RSS")


def test_feed_paths_follow_the_settings(tmp_path):
    out = crafted(
        tmp_path,
        REVIEWS_FEED_RSS="feeds/responses.xml",
        REVIEWS_PRODUCT_FEED_ATOM="feeds/{slug}.atom",
        REVIEWS_PRODUCT_FEED_RSS=None,
    )
    rss, grinder = out / "feeds/responses.xml", out / "feeds/grinder.atom"
    assert anchors(rss) == list(CRAFTED)
    assert self_url(rss) == f"{SITEURL}/feeds/responses.xml"
    assert self_url(grinder) == f"{SITEURL}/feeds/grinder.atom"
    assert anchors(grinder) == ["damaged-3", "damaged-2", "damaged-1"]
    assert not list(out.rglob("reviews/products/*/feed.rss"))
    page = soup(out / "reviews/products/grinder/index.html")
    # Of each kind the most specific feed: the product's Atom, the shop's RSS (the product has none).
    assert announced(page, ATOM_TYPE) == [f"{SITEURL}/feeds/grinder.atom"]
    assert announced(page, RSS_TYPE) == [f"{SITEURL}/feeds/responses.xml"]


# --- addresses: SITEURL, the preview fallback, publishing ----------------------------------


def test_absolute_siteurl_with_a_path(tmp_path):
    base = "https://shop.example/winkel"
    out = crafted(tmp_path, SITEURL=base)
    rss = out / "reviews/feed.rss"
    assert self_url(rss) == f"{base}/reviews/feed.rss"
    assert rule_problems(rss, f"{base}/reviews/feed.rss") == []
    for link in item_links(rss):
        assert soup(written_file(out, link, base)).find(id=urlparse(link).fragment), link
    href = stylesheet_href(rss)
    assert href == "/winkel/reviews/static/feed.xsl"
    assert written_file(out, "https://shop.example" + href, base).is_file()
    page = soup(out / "reviews/index.html")
    assert announced(page, RSS_TYPE) == [f"{base}/reviews/feed.rss"]
    assert page.find("a", string="Follow our responses (RSS)")["href"] == f"{base}/reviews/feed.rss"


def test_empty_siteurl_uses_the_preview_address_and_warns(tmp_path, caplog):
    caplog.set_level(logging.WARNING)
    site = make_site(tmp_path, review("a", rating=2), response("a-1", "a", status="resolved"))
    out = build(site)
    for kind in ("rss", "atom"):
        path = out / f"reviews/feed.{kind}"
        assert rule_problems(path, f"{PREVIEW}/reviews/feed.{kind}") == []
        assert item_links(path) == [f"{PREVIEW}/reviews/a/#entry-a-1"]
    # Pelican logs a message only once per process, so this one needs an address of its own.
    caplog.clear()
    build(site, REVIEWS_PREVIEW_URL="http://localhost:8080/")
    assert self_url(out / "reviews/feed.atom") == "http://localhost:8080/reviews/feed.atom"
    assert item_links(out / "reviews/feed.rss") == ["http://localhost:8080/reviews/a/#entry-a-1"]
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert [w for w in warnings if "SITEURL" in w and "http://localhost:8080" in w and "publish" in w], (
        warnings
    )


def test_required_siteurl_stops_the_build_with_a_clear_message(tmp_path, caplog):
    caplog.set_level(logging.ERROR)
    site = make_site(tmp_path, review("a", rating=2), response("a-1", "a"))
    with pytest.raises(SettingsError) as exc:
        build(site, REVIEWS_REQUIRE_SITEURL=True)
    assert exc.value.exitcode == 1
    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert any("SITEURL" in e and "REVIEWS_REQUIRE_SITEURL" in e for e in errors), errors
    assert not list(site.rglob("feed.*"))
    out = build(site, REVIEWS_REQUIRE_SITEURL=True, SITEURL=SITEURL)
    assert self_url(out / "reviews/feed.rss") == f"{SITEURL}/reviews/feed.rss"


def test_publishconf_refuses_an_empty_siteurl_and_publishes_absolute_feeds(tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)  # publishconf.py imports pelicanconf from the current folder
    monkeypatch.setattr(sys, "path", list(sys.path))  # ... and adds it to sys.path
    shutil.copytree(DEMO_CONTENT, tmp_path / "content")

    def publish() -> Path:
        conf = read_settings(str(ROOT / "publishconf.py"))
        conf.update(
            PATH=str(tmp_path / "content"),
            OUTPUT_PATH=str(tmp_path / "output"),
            CACHE_PATH=str(tmp_path / "cache"),
            THEME=str(ROOT / "theme"),
        )
        Pelican(conf).run()
        return tmp_path / "output"

    monkeypatch.setenv("REDRESS_SITEURL", "")
    with pytest.raises(SettingsError) as exc:
        publish()
    assert exc.value.exitcode == 1
    monkeypatch.setenv("REDRESS_SITEURL", "https://reviews.bonenbus.example")
    out = publish()
    rss = out / "reviews/feed.rss"
    assert rule_problems(rss, "https://reviews.bonenbus.example/reviews/feed.rss") == []
    assert all(link.startswith("https://reviews.bonenbus.example/reviews/") for link in item_links(rss))
    assert PREVIEW not in rss.read_text(encoding="utf-8")


# --- stability and reproducibility ---------------------------------------------------------


def test_ids_never_change_when_other_content_changes(tmp_path):
    site = make_site(tmp_path, *crafted_files())
    out = build(site, SITEURL=SITEURL)
    before = {
        kind: dict(
            zip(
                item_ids(out / f"reviews/feed.{kind}"), item_titles(out / f"reviews/feed.{kind}"), strict=True
            )
        )
        for kind in ("rss", "atom")
    }
    write(site, *review("newer", rating=4, date="2026-10-07 10:00", title="Good", product="beans"))
    write(site, *response("newer-1", "newer", date="2026-10-07 12:00", body="Thanks!"))
    write(site, *response("damaged-4", "damaged", date="2026-10-08 09:00", body="Glad to hear it."))
    build(site, SITEURL=SITEURL)
    for kind in ("rss", "atom"):
        path = out / f"reviews/feed.{kind}"
        after = dict(zip(item_ids(path), item_titles(path), strict=True))
        assert len(after) == len(before[kind]) + 2
        assert {i: after[i] for i in before[kind]} == before[kind]
        assert anchors(path)[:2] == ["damaged-4", "newer-1"]


def test_two_builds_of_the_same_content_give_byte_identical_feeds(tmp_path):
    outs = [crafted(tmp_path / name) for name in ("one", "two")]
    names = [p.relative_to(outs[0]) for p in feed_paths(outs[0], ["grinder", "beans", "descaler"])]
    names.append(Path("reviews/static/feed.xsl"))
    first = {name: (outs[0] / name).read_bytes() for name in names}
    assert first == {name: (outs[1] / name).read_bytes() for name in names}
    # And again into the first folder, with the cache gone.
    shutil.rmtree(tmp_path / "one/site/cache")
    build(tmp_path / "one/site", SITEURL=SITEURL)
    assert first == {name: (outs[0] / name).read_bytes() for name in names}


# --- the site's language -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def dutch_output(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return crafted(tmp_path_factory.mktemp("dutch"), DEFAULT_LANG="nl")


def test_dutch_site_gives_a_dutch_feed(dutch_output):
    rss, atom = dutch_output / "reviews/feed.rss", dutch_output / "reviews/feed.atom"
    assert parsed(rss).feed.language == "nl"
    assert xml(atom).get("{http://www.w3.org/XML/1998/namespace}lang") == "nl"
    entry = dict(zip(CRAFTED, items(atom), strict=True))["damaged-2"]
    labels = {c.get("term"): c.get("label") for c in entry.findall("atom:category", NS)}
    assert labels["resolved"] == "Opgelost"
    assert BeautifulSoup(item_html(entry), "html.parser").strong.get_text() == "Opgelost"
    assert rule_problems(rss, f"{SITEURL}/reviews/feed.rss") == []
    xsl = dutch_output / "reviews/static/feed.xsl"
    assert parse_strict(xsl.read_bytes()).find(".//html").get("lang") == "nl"


def test_dutch_item_titles(dutch_output):
    titles = dict(zip(CRAFTED, item_titles(dutch_output / "reviews/feed.rss"), strict=True))
    assert titles["damaged-2"].startswith("Opgelost: ")
