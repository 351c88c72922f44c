"""The widgets and the public data, built for real and read back: badges,
the iframe widget, the script widget's files, reviews.json and its schema."""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
import xml.etree.ElementTree as ET
from contextlib import closing
from pathlib import Path

import jsonschema
import pytest
from conftest import DEMO_CONTENT, build, make_site, pelican_settings, response, review, soup, write
from pelican.plugins.redress.site import cards, embed
from pelican.plugins.redress.templating import STATIC_DIR
from test_pages import PUBLISHED, fields

SVG = "{http://www.w3.org/2000/svg}"
PRODUCTS = sorted(p.stem for p in (DEMO_CONTENT / "products").glob("*.md"))
SCOPES = ["reviews/widgets/", *[f"reviews/products/{p}/" for p in PRODUCTS]]
LISTINGS = {
    "reviews/widgets/": "reviews/",
    **{f"reviews/products/{p}/": f"reviews/products/{p}/" for p in PRODUCTS},
}
DATA = {
    "reviews/widgets/": "reviews/",
    **{f"reviews/products/{p}/": f"reviews/products/{p}/" for p in PRODUCTS},
}
SCHEMA = json.loads((STATIC_DIR / "reviews.schema.json").read_text(encoding="utf-8"))


def page_numbers(output: Path, listing: str) -> tuple[str, int]:
    """The average and the count as the listing page shows them."""
    page = soup(output / listing / "index.html")
    average = page.select_one(".average-number")
    count = re.search(r"from ([\d,]+) review", page.select_one(".summary-average").get_text())
    return (
        average.get_text(strip=True) if average else "",
        int(count.group(1).replace(",", "")) if count else 0,
    )


def validate(data: dict) -> None:
    jsonschema.Draft202012Validator(SCHEMA, format_checker=jsonschema.FormatChecker()).validate(data)


# --- files and sizes -------------------------------------------------------------


def test_every_scope_has_its_widgets_and_data(demo_output):
    for scope in SCOPES:
        for name in ("badge.svg", "badge-dark.svg", "embed.html", "embed.json"):
            assert (demo_output / scope / name).is_file(), scope + name
        assert (demo_output / DATA[scope] / "reviews.json").is_file()
    for name in ("embed.js", "embed.css", "index.html"):
        assert (demo_output / "reviews/widgets" / name).is_file()
    assert (demo_output / "reviews/reviews.schema.json").is_file()


def test_size_limits(demo_output):
    for scope in SCOPES:
        for name in ("badge.svg", "badge-dark.svg"):
            assert (demo_output / scope / name).stat().st_size < 2048, scope + name
        assert (demo_output / scope / "embed.html").stat().st_size < 10 * 1024, scope
    assert (demo_output / "reviews/widgets/embed.js").stat().st_size < 4096


@pytest.mark.parametrize("lang", ["nl", "et"])
def test_embed_js_stays_under_4_kb_in_every_language(tmp_path, lang):
    out = build(make_site(tmp_path, review("a")), DEFAULT_LANG=lang)
    assert (out / "reviews/widgets/embed.js").stat().st_size < 4096


# --- the badge -------------------------------------------------------------------


@pytest.mark.parametrize("scope", SCOPES)
def test_badge_is_svg_with_the_numbers_of_the_page(demo_output, scope):
    average, count = page_numbers(demo_output, LISTINGS[scope])
    texts = {}
    for name in ("badge.svg", "badge-dark.svg"):
        root = ET.parse(demo_output / scope / name).getroot()
        assert root.tag == SVG + "svg"
        assert root.get("role") == "img" and root.get("lang") == "en"
        title = root[0]  # the first child names the image for screen readers
        assert title.tag == SVG + "title"
        assert title.text == f"{average} out of 5 stars from {count} review{'s' if count != 1 else ''}"
        shown = [t.text for t in root.iter(SVG + "text")]
        assert shown == [average, f"{count} review{'s' if count != 1 else ''}"]
        assert len(root.findall(f"{SVG}use")) == 5
        assert not re.search(r"https?://(?!www\.w3\.org/2000/svg)", (demo_output / scope / name).read_text())
        texts[name] = (demo_output / scope / name).read_text()
    assert texts["badge.svg"] != texts["badge-dark.svg"]
    assert 'fill="#fff"' in texts["badge.svg"] and 'fill="#161616"' in texts["badge-dark.svg"]


def test_badges_of_a_shop_without_reviews_and_in_dutch(tmp_path):
    out = build(make_site(tmp_path))
    root = ET.parse(out / "reviews/widgets/badge.svg").getroot()
    assert root.find(SVG + "title").text == "No reviews yet."
    files = [review("a", rating=4), review("b", rating=5, date="2026-10-01 10:00")]
    out = build(make_site(tmp_path / "nl", *files), DEFAULT_LANG="nl")
    root = ET.parse(out / "reviews/widgets/badge.svg").getroot()
    assert root.get("lang") == "nl"
    assert [t.text for t in root.iter(SVG + "text")][0] == "4,5"


# --- the iframe widget -----------------------------------------------------------


@pytest.mark.parametrize("scope", SCOPES)
def test_embed_html_shows_summary_distribution_and_newest_reviews(demo_output, scope):
    listing = soup(demo_output / LISTINGS[scope] / "index.html")
    frame = soup(demo_output / scope / "embed.html")
    average, count = page_numbers(demo_output, LISTINGS[scope])
    assert frame.html["lang"] == "en"
    assert frame.find("base")["target"] == "_top"
    assert frame.find("meta", attrs={"name": "robots"})["content"] == "noindex"
    if count:
        assert frame.select_one(".rw-n").get_text() == average
        assert f"from {count} review" in frame.select_one(".rw-v").get_text()
    page_counts = [
        row.select_one(".bar-count").get_text().split()[0]
        for row in listing.select("table.distribution tbody tr")
    ]
    assert [
        li.find_all("span", recursive=False)[-1].get_text() for li in frame.select(".rw-d li")
    ] == page_counts
    newest = [a["id"].removeprefix("review-") for a in listing.select("article.review")][:3]
    links = [li.select_one("p a")["href"].rstrip("/").rsplit("/", 1)[1] for li in frame.select(".rw-l > li")]
    assert links == newest
    for li, slug in zip(frame.select(".rw-l > li"), newest, strict=True):
        card = listing.find(id=f"review-{slug}")
        if "review-negative" in card["class"]:
            assert li.select_one(".rw-f").get_text(strip=True)
        else:
            assert li.select_one(".rw-f") is None
    assert frame.select_one(".rw-r a")["href"].endswith("/" + LISTINGS[scope])


def test_embed_html_is_self_contained(demo_output):
    for scope in SCOPES:
        html = (demo_output / scope / "embed.html").read_text(encoding="utf-8")
        page = soup(demo_output / scope / "embed.html")
        assert not page.find_all(["script", "link", "img", "iframe", "object", "embed"])
        for a in page.find_all("a"):
            assert a["href"].startswith("http://127.0.0.1:8000/"), a  # absolute: the page is framed elsewhere
        assert "@import" not in html and "url(" not in html


def test_embed_height_in_the_gallery_follows_the_content(demo_output):
    gallery = soup(demo_output / "reviews/widgets/index.html")
    code = gallery.select_one('pre[data-widget="iframe"]').get_text()
    height = int(re.search(r'height="(\d+)"', code).group(1))
    frame = soup(demo_output / "reviews/widgets/embed.html")
    lines = 0
    for li in frame.select(".rw-l > li"):
        lines += len(li.select(".rw-1")) + 2 * len(li.select(".rw-x"))
    layout = embed.LAYOUT
    rows = len(frame.select(".rw-d li"))
    items = len(frame.select(".rw-l > li"))
    foot = len(frame.select(".rw-r p"))
    expected = (
        2 + 2 * layout.pad + layout.head + layout.gap // 2 + layout.average + layout.gap + rows * layout.line
        + layout.gap + items * (1 + 2 * layout.gap) + lines * layout.line
        + layout.gap + 1 + layout.gap + foot * layout.line
    )  # fmt: skip
    assert height == expected


def test_shorten():
    assert embed.shorten("short", 10) == "short"
    assert embed.shorten("one two three four five", 12) == "one two…"
    assert len(embed.shorten("x" * 500, 80)) == 80


# --- the JSON data ---------------------------------------------------------------


def load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("scope", SCOPES)
def test_reviews_json_validates_and_matches_the_page(demo_output, scope):
    listing = LISTINGS[scope]
    data = load(demo_output / DATA[scope] / "reviews.json")
    validate(data)
    validate(load(demo_output / scope / "embed.json"))
    average, count = page_numbers(demo_output, listing)
    assert data["summary"]["count"] == count == len(all_reviews(demo_output, data))
    if count:
        assert f"{data['summary']['average']:.1f}" == average
    page = soup(demo_output / listing / "index.html")
    page_counts = [
        int(row.select_one(".bar-count").get_text().split()[0])
        for row in page.select("table.distribution tbody tr")
    ]
    assert list(data["summary"]["distribution"].values()) == page_counts
    assert list(data["summary"]["distribution"]) == ["5", "4", "3", "2", "1"]
    product = scope.split("/")[2] if "products" in scope else None
    expected = sorted(
        (slug for slug, f in PUBLISHED.items() if product is None or f.get("product") == product),
        key=lambda slug: PUBLISHED[slug]["date"],
        reverse=True,
    )
    reviews = all_reviews(demo_output, data)
    assert [r["id"] for r in reviews] == expected
    assert data["complete"] is True
    assert (data["product"] or {}).get("slug") == product
    assert data["generated"] == max(
        [r["date"] for r in reviews] + [e["updated"] or e["date"] for r in reviews for e in r["thread"]],
        default=None,
    )


def all_reviews(output: Path, data: dict) -> list[dict]:
    """Every review of a reviews.json's scope, newest first: the shop's file lists the
    products' data files, whose reviews are not repeated in it.

    A product's data file is its reviews.json, or its embed.json when that holds every
    review (no more than the widget shows); then it has no reviews.json."""
    reviews = list(data["reviews"])
    for entry in data.get("products", []):
        path = output / entry["data"].removeprefix("http://127.0.0.1:8000/")
        part = load(path)
        validate(part)
        assert part["complete"] is True and part["data"] == entry["data"]
        assert entry["count"] == part["summary"]["count"] == len(part["reviews"])
        assert entry["average"] == part["summary"]["average"]
        assert entry["page"] == part["page"] and entry["slug"] == part["product"]["slug"]
        assert "products" not in part
        short = load(path.with_name("embed.json"))
        assert short["data"] == entry["data"] and short["summary"] == part["summary"]
        if path.name == "embed.json":
            assert len(part["reviews"]) <= embed.EMBED_REVIEWS
            assert not path.with_name("reviews.json").exists(), "the same data twice"
        else:
            assert path.name == "reviews.json" and len(part["reviews"]) > embed.EMBED_REVIEWS
            assert short["complete"] is False
            assert short["reviews"] == part["reviews"][: embed.EMBED_REVIEWS]
        reviews += part["reviews"]
    return sorted(reviews, key=lambda r: r["date"], reverse=True)


def test_the_shops_reviews_json_indexes_the_products_files_without_repeating_them(demo_output):
    data = load(demo_output / "reviews/reviews.json")
    assert data["format"] == 2
    assert all(r["product"] is None for r in data["reviews"])
    assert data["reviews"], "the demo has reviews of the shop itself"
    assert {p["slug"] for p in data["products"]} == set(PRODUCTS)
    ids = [r["id"] for r in all_reviews(demo_output, data)]
    assert len(ids) == len(set(ids)) == len(PUBLISHED)
    assert "products" not in load(demo_output / "reviews/widgets/embed.json")


def test_reviews_json_carries_the_public_fields_of_reviews_and_threads(demo_output):
    data = load(demo_output / "reviews/reviews.json")
    by_id = {r["id"]: r for r in all_reviews(demo_output, data)}
    for slug, f in PUBLISHED.items():
        item = by_id[slug]
        assert item["rating"] == int(f["rating"])
        assert item["title"] == f.get("title", "")
        assert item["author"] == f.get("author", "")
        assert item["url"] == f"http://127.0.0.1:8000/reviews/{slug}/"
        assert item["labels"]["verified"] == (f.get("verified") == "yes")
        assert item["labels"]["source"] == f.get("source", "organic").split(":")[0]
    responses = {p.stem: fields(p) for p in (DEMO_CONTENT / "responses").glob("*.md")}
    entries = {e["id"]: e for r in by_id.values() for e in r["thread"]}
    assert set(entries) == {s for s, f in responses.items() if f["review"] in by_id}
    assert any(e["remedies"] for e in entries.values()) and any(
        e["by"] == "customer" for e in entries.values()
    )
    assert data["withheld"]["total"] == len(set(fields_of_withheld()))


def fields_of_withheld() -> list[str]:
    return [p.stem for p in (DEMO_CONTENT / "reviews").glob("*.md") if "withheld" in fields(p)]


def test_nothing_private_or_withheld_in_the_data(demo_output):
    private, withheld = set(), fields_of_withheld()
    for folder in ("reviews", "responses"):
        for path in (DEMO_CONTENT / folder).glob("*.md"):
            f = fields(path)
            private |= {f[k] for k in ("email", "order", "phone", "note") if f.get(k)}
    assert private and withheld
    files = [*demo_output.glob("reviews/**/*.json"), *demo_output.glob("reviews/**/embed.html")]
    files += [*demo_output.glob("reviews/**/*.svg")]
    assert len(files) > 20
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert not [v for v in private if v in text], path
        assert not [s for s in withheld if s in text], path
    keys = set()
    for item in all_reviews(demo_output, load(demo_output / "reviews/reviews.json")):
        keys |= set(item) | {k for e in item["thread"] for k in e}
    assert not keys & {"email", "order", "phone", "note", "private", "withheld"}


def test_embed_json_has_the_newest_reviews_and_the_whole_summary(demo_output):
    full = load(demo_output / "reviews/reviews.json")
    short = load(demo_output / "reviews/widgets/embed.json")
    assert short["complete"] is False
    assert short["reviews"] == all_reviews(demo_output, full)[:3]
    assert short["summary"] == full["summary"] and short["withheld"] == full["withheld"]
    assert short["data"] == full["data"] == "http://127.0.0.1:8000/reviews/reviews.json"


# --- a small product's data is its embed.json ---------------------------------------
#
# The demo's products all have more reviews than the widget shows (4 to 13), so these
# build shops of their own with small products beside a big one.

#: Products and their published reviews: up to embed.EMBED_REVIEWS (3) their embed.json
#: holds them all and is their data file; "four" has a reviews.json.
SIZES = {"empty": 0, "pair": 2, "three": 3, "four": 4}
LOCAL = "http://127.0.0.1:8000/"


def catalog(sizes: dict[str, int]) -> list[tuple[str, str]]:
    """Product files and their reviews, one date per review."""
    files = [(f"products/{slug}.md", f"Title: {slug.capitalize()}\n\nA product.\n") for slug in sizes]
    for hour, (slug, count) in enumerate(sizes.items(), start=10):
        files += [
            review(f"{slug}-{i}", rating=1 + i % 5, date=f"2026-09-{i + 1:02d} {hour}:00", product=slug)
            for i in range(count)
        ]
    return files


def data_files(output: Path) -> dict[str, str]:
    """Each product's data file as the shop's index names it, site-relative."""
    index = load(output / "reviews/reviews.json")
    return {entry["slug"]: entry["data"].removeprefix(LOCAL) for entry in index["products"]}


def gallery_data_links(output: Path) -> dict[str, str]:
    """Each product's data link on the widget gallery's page of products, by product name."""
    page = soup(output / "reviews/widgets/products/index.html")
    return {
        section.h2.get_text(strip=True): section.select_one("p.widget-sizes a")["href"].lstrip("/")
        for section in page.select("section.widget-product")
    }


def test_a_small_products_embed_json_is_its_data_file(tmp_path):
    files = [*catalog(SIZES), review("shop", date="2026-09-20 10:00")]
    files += [response("pair-0-1", "pair-0", body="Sorry, a new one is on its way.")]
    files += [review("three-x", rating=1, date="2026-09-21 10:00", product="three", withheld="spam")]
    out = build(make_site(tmp_path, *files))
    data = data_files(out)
    for slug, count in SIZES.items():
        folder = f"reviews/products/{slug}/"
        small = load(out / folder / "embed.json")
        validate(small)
        if count <= embed.EMBED_REVIEWS:
            assert data[slug] == folder + "embed.json"
            assert not (out / folder / "reviews.json").exists(), slug
            assert small["complete"] is True and small["data"] == LOCAL + folder + "embed.json"
            assert [r["id"] for r in small["reviews"]] == [f"{slug}-{i}" for i in reversed(range(count))]
        else:
            assert data[slug] == folder + "reviews.json"
            assert small["complete"] is False and small["data"] == LOCAL + folder + "reviews.json"
        assert small["summary"]["count"] == count
    assert load(out / "reviews/products/three/embed.json")["withheld"]["total"] == 1
    assert load(out / "reviews/products/pair/embed.json")["reviews"][1]["thread"][0]["id"] == "pair-0-1"
    ids = [r["id"] for r in all_reviews(out, load(out / "reviews/reviews.json"))]
    assert len(ids) == len(set(ids)) == sum(SIZES.values()) + 1
    assert gallery_data_links(out) == {slug.capitalize(): path for slug, path in data.items()}
    # The shop's own files are all there, whatever its count: its reviews.json is the index.
    assert load(out / "reviews/widgets/embed.json")["data"] == LOCAL + "reviews/reviews.json"


@pytest.mark.parametrize("cache", ["kept", "off", "lost"])
def test_a_products_reviews_json_comes_and_goes_with_its_fourth_review(tmp_path, cache):
    """A product that grows past the widget's three gets a reviews.json (the index and its
    embed.json name it); one that shrinks loses it on the next build, with the last build's
    record (the cache), without one, or with one deleted: a stale file would contradict the
    index. A product that did not change keeps its files, and the gallery names them."""
    site = make_site(tmp_path, *catalog({"mill": 3, "kettle": 2}), review("shop"))
    out = tmp_path / "site/output"
    mill = "reviews/products/mill/"
    kettle = out / "reviews/products/kettle/embed.json"
    older = review("mill-old", rating=2, date="2026-08-01 10:00", product="mill")

    def rebuild(mill_data: str) -> None:
        if cache == "lost":
            shutil.rmtree(site / "cache", ignore_errors=True)
        build(site, **({"REVIEWS_CACHE": False} if cache == "off" else {}))
        assert data_files(out) == {"mill": mill + mill_data, "kettle": "reviews/products/kettle/embed.json"}
        assert (out / mill / "reviews.json").exists() == (mill_data == "reviews.json")
        assert not (out / "reviews/products/kettle/reviews.json").exists()
        short = load(out / mill / "embed.json")
        assert short["data"] == LOCAL + mill + mill_data
        assert short["complete"] is (mill_data == "embed.json")
        assert gallery_data_links(out) == {
            "Mill": mill + mill_data,
            "Kettle": "reviews/products/kettle/embed.json",
        }
        all_reviews(out, load(out / "reviews/reviews.json"))  # each review once, counts as the index says

    rebuild("embed.json")
    kettle_written = kettle.stat().st_mtime_ns
    write(site, *older)  # older than the newest three: the widget shows the same reviews
    rebuild("reviews.json")
    assert load(out / mill / "reviews.json")["reviews"][-1]["id"] == "mill-old"
    write(site, *review("mill-old", rating=2, date="2026-08-01 10:00", product="mill", withheld="spam"))
    rebuild("embed.json")
    assert load(out / mill / "embed.json")["withheld"]["total"] == 1
    write(site, *older)
    rebuild("reviews.json")
    (site / "content" / older[0]).unlink()
    rebuild("embed.json")
    mill_written = (out / mill / "embed.json").stat().st_mtime_ns
    rebuild("embed.json")  # nothing changed
    if cache == "kept":  # the kettle never changed: its files were kept, never written again
        assert kettle.stat().st_mtime_ns == kettle_written
        assert (out / mill / "embed.json").stat().st_mtime_ns == mill_written


def test_builds_are_reproducible(tmp_path):
    outputs = []
    for name in ("one", "two"):
        site = tmp_path / name
        shutil.copytree(DEMO_CONTENT, site / "content")
        outputs.append(build(site, REVIEWS_SHOP_NAME="De Bonenbus"))
    for path in outputs[0].glob("reviews/**/*"):
        if path.suffix in (".json", ".svg", ".js", ".css") or path.name == "embed.html":
            assert path.read_bytes() == (outputs[1] / path.relative_to(outputs[0])).read_bytes(), path


# --- hostile text --------------------------------------------------------------


HOSTILE = "</script><script>alert(1)</script> ]]> <!-- \"quoted\" 'single' & \u2028line\u2029para"


def test_hostile_text_is_inert_in_embed_and_json(tmp_path):
    files = [
        review("evil", rating=1, title=HOSTILE, author=HOSTILE, body=HOSTILE + "\n\n" + "ü" * 3000),
        response("evil-1", "evil", body=HOSTILE, author=HOSTILE),
        ("products/mill.md", "Title: Mill\n\nA mill.\n"),
        review("evil-mill", rating=1, body=HOSTILE, date="2026-08-01 10:00", product="mill"),
        response("evil-mill-1", "evil-mill", body=HOSTILE),
        review("evil2", rating=2, title="<" * 300, author='"' * 100, body="&" * 500, date="2026-10-01 10:00"),
        review(
            "evil3",
            rating=5,
            title="\U0001f600" * 200,
            author="\U0001f600" * 60,
            verified="yes",
            date="2026-09-01 10:00",
        ),
    ]
    out = build(make_site(tmp_path, *files))
    framed = out / "reviews/widgets/embed.html"
    assert framed.stat().st_size < 10 * 1024
    page = soup(framed)
    assert not page.find_all("script")
    assert "</script><script>alert(1)</script>" in page.select_one(".rw-l li").get_text()
    for name in ("reviews/reviews.json", "reviews/widgets/embed.json"):
        data = load(out / name)
        item = data["reviews"][0]
        assert item["title"] == HOSTILE and item["author"] == HOSTILE
        # The customer's markup is their words, as plain text: nothing was made of it.
        assert item["body_text"] == HOSTILE + "\n\n" + "ü" * 3000
        assert item["thread"][0]["author"] == HOSTILE and item["thread"][0]["body_text"] == HOSTILE
    mill = load(out / "reviews/products/mill/embed.json")["reviews"][0]
    assert mill["body_text"] == mill["thread"][0]["body_text"] == HOSTILE
    # Every data file, the products' too, is inert: no "</script>", no "<" at all.
    files = data_paths(out)
    assert {"reviews/reviews.json", "reviews/widgets/embed.json", "reviews/products/mill/embed.json"} == {
        path.relative_to(out).as_posix() for path in files
    }
    for path in files:
        raw = path.read_text(encoding="utf-8")
        assert "</script>" not in raw.lower(), path
        assert "<" not in raw and ">" not in raw and "\u2028" not in raw and "\u2029" not in raw, path
        assert "\\u003c/script\\u003e" in raw, path
        validate(json.loads(raw))


# --- each text once, as plain text -----------------------------------------------------


def data_paths(output: Path) -> list[Path]:
    """Every data file of a built site: each listing's reviews.json and embed.json."""
    return sorted(p for p in output.glob("reviews/**/*.json") if p.name in ("reviews.json", "embed.json"))


def keys_in(value: object) -> set[str]:
    """Every key of every object in a JSON value, however deep."""
    if isinstance(value, dict):
        return set(value).union(*(keys_in(v) for v in value.values()))
    if isinstance(value, list):
        return set().union(*(keys_in(v) for v in value))
    return set()


def visible_lines(element) -> list[str]:
    """The lines a reader sees in a card's text: a line per paragraph, list item or break."""
    for br in element.find_all("br"):
        br.replace_with("\n")
    for block in element.find_all(["p", "li", "ul", "ol"]):
        block.insert_before("\n")
        block.insert_after("\n")
    return text_lines(element.get_text())


def text_lines(text: str) -> list[str]:
    return [" ".join(line.split()) for line in text.split("\n") if line.strip()]


def blocks(element) -> int:
    """The paragraphs and lists of a card's text (the content has no loose lists)."""
    return len(element.find_all(["p", "ul", "ol"], recursive=False))


def assert_texts_match_the_cards(output: Path, reviews: list[dict]) -> int:
    """Each review's and entry's body_text is the text of its card on the review's own page,
    line for line, with a blank line wherever the card starts a new paragraph or list."""
    checked = 0
    for item in reviews:
        page = soup(output / item["url"].removeprefix(LOCAL) / "index.html")
        card = page.select_one(f"article#review-{item['id']}")
        shown = card.select_one(".review-text")
        if item["body_text"]:
            assert visible_lines(shown) == text_lines(item["body_text"]), item["id"]
            assert blocks(shown) == len(item["body_text"].split("\n\n")), item["id"]
            checked += 1
        else:
            assert shown is None, item["id"]
        for entry in item["thread"]:
            shown = card.find(id=entry["url"].partition("#")[2]).select_one(".entry-text")
            if entry["body_text"]:
                assert visible_lines(shown) == text_lines(entry["body_text"]), entry["id"]
                assert blocks(shown) == len(entry["body_text"].split("\n\n")), entry["id"]
                checked += 1
            else:
                assert shown is None or entry["status"] == "no-action", entry["id"]
    return checked


def test_the_data_has_no_html_and_its_text_is_the_cards(demo_output):
    files = data_paths(demo_output)
    assert len(files) > 10
    for path in [*files, demo_output / "reviews/reviews.schema.json"]:
        assert "body_html" not in keys_in(load(path)), path
    for path in files:
        assert "body_html" not in path.read_text(encoding="utf-8"), path
    reviews = all_reviews(demo_output, load(demo_output / "reviews/reviews.json"))
    assert assert_texts_match_the_cards(demo_output, reviews) > len(reviews)
    assert any("\n\n" in r["body_text"] for r in reviews), "the demo has reviews of more than one paragraph"


FORMATTED = """First with *emphasis*, a [link](https://example.com/a?b=1&c=2) & <b>markup</b>.
Second line of it.

Pros:
- quiet
- **fast**

1. one
    - nested
2. two

Last   words."""


def test_body_text_keeps_paragraphs_lines_and_list_items(tmp_path):
    files = [
        review("formats", body=FORMATTED),
        response("formats-1", "formats", body="Thank you!\n\nSee you again,\nthe shop"),
        response("formats-2", "formats", body="", date="2026-10-04 10:00", status="no-action"),
    ]
    out = build(make_site(tmp_path, *files))
    item = load(out / "reviews/reviews.json")["reviews"][0]
    assert item["body_text"] == (
        "First with emphasis, a link & <b>markup</b>.\nSecond line of it.\n\n"
        "Pros:\n\nquiet\nfast\n\none\nnested\ntwo\n\nLast   words."
    )
    assert [e["body_text"] for e in item["thread"]] == ["Thank you!\n\nSee you again,\nthe shop", ""]
    assert assert_texts_match_the_cards(out, [item]) == 2


def test_a_card_cache_from_before_plain_text_is_not_served(tmp_path):
    """The data is made with each card and kept in the card cache: a cache whose JSON
    still had body_html (cards.SCHEMA 3) is started again, never pasted into a file."""
    site = make_site(tmp_path, review("a", body="Old text."), review("b", date="2026-10-01 10:00"))
    out = build(site)
    (store,) = (site / "cache").glob("redress-cards-*.sqlite3")

    def age(version: int) -> None:
        """Make the cache look like one whose JSON had body_html, from `version`."""
        with closing(sqlite3.connect(store)) as db, db:
            db.execute(
                """UPDATE cards SET json = replace(json, '"body_text"', '"body_html":"x","body_text"')"""
            )
            db.execute(f"PRAGMA user_version={version}")

    # The same version: the cache is trusted, so what is in it reaches the file ...
    age(cards.SCHEMA)
    write(site, *review("c", date="2026-09-01 10:00"))
    build(site)
    assert "body_html" in (out / "reviews/reviews.json").read_text(encoding="utf-8")
    # ... and a cache from before plain text is not: its cards are made again.
    age(3)
    write(site, *review("d", date="2026-08-01 10:00"))
    build(site)
    for path in data_paths(out):
        assert "body_html" not in path.read_text(encoding="utf-8"), path
    assert load(out / "reviews/reviews.json")["reviews"][0]["body_text"] == "Old text."


# --- rebuilds ----------------------------------------------------------------------


def test_unchanged_widgets_are_not_written_again_and_changes_reach_them(tmp_path):
    site = make_site(tmp_path, review("a", rating=1), review("b", rating=5, date="2026-10-01 10:00"))
    out = build(site)
    watched = [
        "reviews/reviews.json",
        "reviews/widgets/embed.html",
        "reviews/widgets/badge.svg",
        "reviews/widgets/embed.js",
    ]
    before = {name: (out / name).stat().st_mtime_ns for name in watched}
    build(site)
    assert {name: (out / name).stat().st_mtime_ns for name in watched} == before
    write(site, *response("a-1", "a", status="resolved", body="We sent a new one."))
    build(site)
    data = load(out / "reviews/reviews.json")
    assert data["reviews"][0]["state"] == "resolved" and data["reviews"][0]["thread"][0]["id"] == "a-1"
    assert "Resolved" in soup(out / "reviews/widgets/embed.html").select_one(".rw-f").get_text()
    assert (out / "reviews/widgets/badge.svg").stat().st_mtime_ns == before["reviews/widgets/badge.svg"]


def test_removed_product_takes_its_widgets_along(tmp_path):
    site = make_site(tmp_path, ("products/mill.md", "Title: Mill\n\nA mill.\n"), review("a", product="mill"))
    out = build(site)
    assert (out / "reviews/products/mill/badge.svg").exists()
    (site / "content/products/mill.md").unlink()
    write(site, *review("a"))
    build(site)
    assert not (out / "reviews/products/mill").exists()


def test_custom_urls_keep_widgets_apart(tmp_path):
    site = make_site(tmp_path, ("products/mill.md", "Title: Mill\n\nA mill.\n"), review("a", product="mill"))
    out = build(
        site,
        REVIEWS_INDEX_URL="beoordelingen/",
        REVIEWS_PRODUCT_URL="producten/{slug}/",
    )
    assert (out / "beoordelingen/widgets/badge.svg").exists()
    assert (out / "beoordelingen/reviews.json").exists()
    assert (out / "producten/mill/badge.svg").exists()
    data = load(out / "producten/mill/embed.json")  # one review: its embed.json holds them all
    assert data["page"] == "http://127.0.0.1:8000/producten/mill/"
    assert data["data"] == "http://127.0.0.1:8000/producten/mill/embed.json"
    assert not (out / "producten/mill/reviews.json").exists()
    assert load(out / "beoordelingen/reviews.json")["products"][0]["data"] == data["data"]


# --- the gallery ---------------------------------------------------------------


def test_gallery_shows_each_widget_with_code_and_sizes(demo_output):
    path = demo_output / "reviews/widgets/index.html"
    page = soup(path)
    assert page.find("meta", attrs={"name": "robots"})["content"] == "noindex"
    assert {pre["data-widget"] for pre in page.select("pre[data-widget]")} == {"badge", "iframe", "script"}
    codes = {
        kind: page.select_one(f'pre[data-widget="{kind}"]').get_text()
        for kind in ("badge", "iframe", "script")
    }
    for text in codes.values():
        assert "http://127.0.0.1:8000/reviews/" in text
    assert 'src="http://127.0.0.1:8000/reviews/widgets/embed.js"' in codes["script"]
    assert page.select_one(".widget-live img")["src"].endswith("reviews/widgets/badge.svg")
    assert page.select_one(".widget-live iframe")["title"] == "Reviews of De Bonenbus"
    assert page.select_one(".widget-live [data-redress-widget]")
    size = (demo_output / "reviews/widgets/badge.svg").stat().st_size
    assert f"badge.svg: {size:,} bytes" in page.get_text()
    embed_size = (demo_output / "reviews/widgets/embed.html").stat().st_size
    assert f"embed.html: {embed_size:,} bytes" in page.get_text()
    # Each product's code is on a page of its own, linked from the gallery.
    assert not page.select("section.widget-product")
    link = page.select_one("#products-title + p a")
    assert link["href"] == "../../reviews/widgets/products/"  # the demo's relative URLs
    assert link.get_text() == f"The code for each of your {len(PRODUCTS)} products"
    products = soup(demo_output / "reviews/widgets/products/index.html")
    assert products.find("meta", attrs={"name": "robots"})["content"] == "noindex"
    assert len(products.select("section.widget-product")) == len(PRODUCTS)
    assert products.select_one(".breadcrumb a")["href"] == "../../../reviews/widgets/"


def test_preview_and_published_addresses(tmp_path):
    site = make_site(tmp_path, review("a"))
    settings = pelican_settings(site, SITEURL="https://reviews.example.com")
    assert settings["SITEURL"] == "https://reviews.example.com"
    out = build(site, SITEURL="https://reviews.example.com")
    data = load(out / "reviews/reviews.json")
    assert data["reviews"][0]["url"] == "https://reviews.example.com/reviews/a/"
    assert data["$schema"] == "https://reviews.example.com/reviews/reviews.schema.json"
    assert 'href="https://reviews.example.com/reviews/"' in (out / "reviews/widgets/embed.html").read_text()


def test_a_products_code_in_the_gallery_stays_as_its_reviews_arrive(tmp_path):
    """A product's code in the gallery does not carry today's numbers (they change with
    every review; the code is pasted once): its frame is as tall as three reviews can make
    it, its badge is named by the product. The shop's own widgets are shown as they are now.

    The products' code is on a page of its own, written again only when a product's code
    changes: a catalog's code (megabytes) is not sent to a CDN again with every review.
    """
    files = [("products/mill.md", "Title: Mill\n\nA mill.\n")]
    files += [review(f"m{i}", rating=5, date=f"2026-09-0{i + 1} 10:00", product="mill") for i in range(5)]
    site = make_site(tmp_path, *files)
    out = build(site)
    gallery = out / "reviews/widgets/index.html"
    products = out / "reviews/widgets/products/index.html"

    def product_section() -> str:
        (section,) = soup(products).select("section.widget-product")
        return str(section)

    before = product_section()
    written = products.stat().st_mtime_ns
    assert f'height="{embed.LAYOUT.room(5, 5, False)}"' in before
    assert 'alt="Reviews of Mill"' in before and "5 reviews" not in before
    write(site, *review("m9", rating=1, date="2026-09-20 10:00", product="mill", body="Broken."))
    build(site)
    assert product_section() == before
    assert products.stat().st_mtime_ns == written  # not written again
    assert "6 reviews" in (out / "reviews/products/mill/badge.svg").read_text(encoding="utf-8")
    assert "6 reviews" in soup(gallery).select_one(".widget-live img")["alt"]  # the shop's, as it is now
    write(site, "products/mill.md", "Title: Coffee mill\n\nA mill.\n")
    build(site)
    assert products.stat().st_mtime_ns != written
    assert 'alt="Reviews of Coffee mill"' in product_section()


def theme_with(tmp_path: Path, name: str, text: str) -> Path:
    """A theme whose only file is its own widget template ``name``."""
    theme = tmp_path / "theme"
    (theme / "templates/redress/widgets").mkdir(parents=True)
    (theme / "templates/redress/widgets" / name).write_text(text, encoding="utf-8")
    return theme


def test_each_products_badge_size_in_the_gallery_is_its_badges_own_after_a_rebuild(tmp_path):
    """The code's <img> gives the badge's width and height, so the shop's page does not
    jump as it loads. A rebuild keeps the badges of products whose reviews did not change
    and reads their sizes once per count and average: each must still be its own badge's,
    with a theme's badge whose size follows both."""
    theme = theme_with(
        tmp_path,
        "badge.svg",
        '<svg xmlns="http://www.w3.org/2000/svg" width="{{ 100 + summary.count }}" '
        'height="{{ 20 + ((summary.average or 0) * 10)|int }}"><title>{{ summary.count }}</title></svg>\n',
    )
    counts = {"a": (1, 5), "b": (1, 5), "c": (12, 4), "d": (2, 1), "e": (3, 3), "f": (1, 4)}
    files = []
    for slug, (count, rating) in counts.items():
        files.append((f"products/{slug}.md", f"Title: Product {slug}\n\nA thing.\n"))
        for i in range(count):
            files.append(review(f"{slug}{i}", rating=rating, date=f"2026-09-{i + 1:02d} 10:00", product=slug))
    site = make_site(tmp_path, *files)
    out = build(site, THEME=str(theme))
    write(site, *review("e9", rating=5, date="2026-09-20 10:00", product="e"))
    build(site, THEME=str(theme))

    def svg_size(slug: str) -> tuple[str, str]:
        root = ET.fromstring((out / f"reviews/products/{slug}/badge.svg").read_text(encoding="utf-8"))
        return root.get("width"), root.get("height")

    assert len({svg_size(slug) for slug in counts}) == 5  # a and b alike, the others each their own
    # The code is shown as text, to copy: its <img> is read from the text.
    code = soup(out / "reviews/widgets/products/index.html").get_text()
    for slug in counts:
        (found,) = re.findall(rf'/products/{slug}/badge\.svg" alt="[^"]*" width="(\d+)" height="(\d+)"', code)
        assert found == svg_size(slug), slug


def test_a_shop_without_products_has_no_page_of_products_code(tmp_path):
    out = build(make_site(tmp_path, review("a")))
    assert (out / "reviews/widgets/index.html").exists()
    assert not (out / "reviews/widgets/products").exists()
    assert not soup(out / "reviews/widgets/index.html").select("#products-title")


def test_a_themes_own_gallery_that_lists_the_products_follows_their_names(tmp_path):
    """A theme may keep the gallery of an earlier version, with each product's code on it:
    it is written again when a product's code changes, as Redress's page of products is."""
    theme = theme_with(
        tmp_path,
        "gallery.html",
        '{% extends "redress/layout.html" %}{% block redress_main %}'
        '{% for place in products %}<p class="name">{{ place.name }}</p>{% endfor %}{% endblock %}\n',
    )
    site = make_site(tmp_path, ("products/mill.md", "Title: Mill\n\nA mill.\n"), review("a", product="mill"))
    out = build(site, THEME=str(theme))
    gallery = out / "reviews/widgets/index.html"
    assert [p.get_text() for p in soup(gallery).select("p.name")] == ["Mill"]
    write(site, "products/mill.md", "Title: Mall\n\nA mill.\n")  # the same length: the same sizes
    build(site, THEME=str(theme))
    assert [p.get_text() for p in soup(gallery).select("p.name")] == ["Mall"]


def test_the_data_is_generated_at_the_newest_review_entry_or_update() -> None:
    """newest_date gathers dates by map: it must still take an entry's update and an
    answer newer than every review, and say None for no reviews."""
    import datetime as dt
    import random

    from pelican.plugins.redress.content.model import Review, ThreadEntry
    from pelican.plugins.redress.site.public_data import newest_date

    rng = random.Random(7)
    zone = dt.timezone(dt.timedelta(hours=2))

    def day() -> dt.datetime:
        return dt.datetime(2026, 1, 1, tzinfo=zone) + dt.timedelta(hours=rng.randrange(20_000))

    for _ in range(200):
        reviews = []
        for n in range(rng.randrange(0, 6)):
            review = Review(slug=f"r{n}", date=day(), rating=3)
            review.thread = [
                ThreadEntry(
                    slug=f"r{n}-{k}",
                    review_slug=f"r{n}",
                    date=day(),
                    by="shop",
                    updated=day() if rng.random() < 0.5 else None,
                )
                for k in range(rng.randrange(0, 3))
            ]
            reviews.append(review)
        naive = max(
            [r.date for r in reviews] + [max(e.date, e.updated or e.date) for r in reviews for e in r.thread],
            default=None,
        )
        assert newest_date(reviews) == naive
