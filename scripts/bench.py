"""Measure how fast Redress builds a big shop, and how it compares with plain Pelican.

Why: a shop with years of reviews has tens of thousands of review files, and
the review page is rebuilt every time a response is added. This script puts
numbers on the performance targets, so a change that makes builds slower or
pages heavier shows up as a figure instead of a feeling. The shop is shaped
like a real catalog: 500 products (2,000 from 100,000 reviews on) with a
long tail (Zipf-like: a few products with thousands of reviews, most with a
handful), reviews in three languages. At 10,000 reviews:

* cold build: at most 0.30 x the time plain Pelican needs per article for
  the same texts (ratio <= 0.30);
* output: at most 12 KB and 1.5 files per review;
* adding one review: at most 1.5 s and 60 files written; adding one
  response: at most 1.0 s;

at 100,000 reviews: a cold build under 60 s, peak memory under 600 MB, and
adding one review or one response at most 3 s and 100 files each; and page
1 of the review listing (HTML plus its stylesheet) under 30 KB gzipped.
"Files written" are the files whose inode change time moved, as a CDN
would fetch them again.

It generates a synthetic shop with a seeded RNG (J-shaped ratings, the
catalog above, threads under most complaints, about 0.3 responses per review),
builds it with ``python -m pelican`` in a subprocess (cold, warm, after one
new response and after one new review), builds a plain-Pelican baseline of
the same texts, and prints a table and one ``bench:`` line that is easy to
grep from CI logs. Each build's peak RSS comes from ``os.wait4`` on that
subprocess: the largest resident size of the build process or of any
process it forked (the parser and page writers), not their sum; forked
processes share most of their pages with the build.

Each build's CPU time is reported as user and system time (the kernel's
share: making folders and files), and the cost of making one folder is
measured just before the cold build (``folder_us``). A review's own page is
a folder; plain Pelican's articles are files; and on some disks making a
folder costs ten times as much for a while after many were removed (one
machine measured 25 to 500 microseconds). When the ratio moves between two
runs of the same code, these say whether the disk moved it.

A ratio is only as good as what the two builds wrote, so both are counted:
the cold build must write a page for every review and the baseline a page
for every article, or the run fails (exit 2) instead of reporting a ratio.
Both sites get their settings from the tests' ``sites.py``, the one place
that says what a test site is.

Redress's modules are compiled once before any build is timed, as pip does
when it installs a package: each build is a new ``python -m pelican``, and
with PYTHONDONTWRITEBYTECODE set (some CI runners and containers set it)
every build would compile them again, 0.1 s that no installed shop pays.

It is a measurement, not a test: it exits 0 even when a target is missed,
unless --check is given. Exit code 2 means a build failed.
"""

from __future__ import annotations

import argparse
import compileall
import datetime as dt
import gzip
import importlib.util
import math
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

REPO_ROOT = Path(__file__).resolve().parent.parent
PLUGINS_DIR = REPO_ROOT / "plugins"
sys.path.insert(0, str(REPO_ROOT / "tests"))
import sites  # noqa: E402 - the tests' site helpers: one copy of a test site's settings

SITEURL = "https://bench.example"
BASELINE_CAP = 10_000
MIB = 1024 * 1024

# --- targets ---------------------------------------------------------------

# At 10,000 reviews over 500 products in 3 languages (the default shop):
RATIO_TARGET = 0.30  # cold ms/review divided by baseline ms/article
KB_PER_REVIEW = 12.0  # all of output/, per review
FILES_PER_REVIEW = 1.5
ADD_REVIEW_S, ADD_REVIEW_FILES = 1.5, 60
REBUILD_N = 10_000
REBUILD_S = 1.0  # rebuild after one new response
# At 100,000 reviews over 2,000 products:
BIG_N = 100_000
BIG_COLD_S = 60.0
BIG_RSS_MB = 600.0
BIG_ADD_S, BIG_ADD_FILES = 3.0, 100
PAGE1_KB = 30.0  # page 1 HTML + CSS, gzipped
FEEDS_S = 1.0  # building the response feeds of 10,000 reviews with 3,000 responses

# --- synthetic text --------------------------------------------------------

NL_WORDS = (
    "koffie bonen molen levering pakket snel goed prima helaas niet wel erg lekker smaak bestelling "
    "klantenservice dag week retour machine espresso melk schuim verpakking kapot beschadigd vriendelijk "
    "zeker aanrader teleurgesteld ontvangen verzonden bezorger thuis keuken ochtend sterk zacht bitter "
    "vers gebrand prijs kwaliteit geleverd twee drie werkt precies zoals verwacht altijd nooit opnieuw "
    "de het een en van in op met voor is was dat die maar ook nog heel echt gewoon binnen"
).split()
EN_WORDS = (
    "coffee beans grinder delivery parcel fast good fine sadly not really tasty taste order customer "
    "service day week return machine espresso milk foam packaging broken damaged friendly definitely "
    "recommend disappointed received shipped courier home kitchen morning strong smooth bitter fresh "
    "roasted price quality delivered two three works exactly as expected always never again "
    "the a and of in on with for is was that but also still very just quite arrived"
).split()
ET_WORDS = (
    "kohv oad veski tarne pakk kiire hea korras kahjuks mitte väga maitsev maitse tellimus "
    "klienditeenindus päev nädal tagastus masin espresso piim vaht pakend katki kahjustatud sõbralik "
    "kindlasti soovitan pettunud saabus saadetud kuller kodu köök hommik tugev pehme kibe värske "
    "röstitud hind kvaliteet kohale kaks kolm töötab täpselt nagu oodatud alati mitte kunagi uuesti "
    "ja on oli et aga ka veel päris lihtsalt jõudis see selle mis kui"
).split()
WORDS = {"nl": NL_WORDS, "en": EN_WORDS, "et": ET_WORDS}
LANGS = ("nl", "en", "et")
#: Share of reviews per language when the shop has 1, 2 or 3 of them.
LANG_WEIGHTS = {1: (1,), 2: (60, 40), 3: (50, 30, 20)}
FIRST_NAMES = (
    "Jan Sanne Ricardo Marieke Tom Priya Anouk Daan Eva Lars Fatima Pieter Noor Kees Emma Bram Lotte "
    "Ahmed Julia Sven Mila Joost Hanna Wouter Lisa Ravi Ingrid Thijs Sara Olaf"
).split()
SURNAMES = ("de V.", "K.", "van D.", "B.", "", "", "S.", "van der M.", "J.", "")
STAFF = ("Marieke", "Marieke, klantenservice", "Joost", "Anouk (support)", "Team Bench")
PRODUCTS = (
    ("Espresso X1", "espresso-x1"),
    ("Espresso X2 Dual", "espresso-x2-dual"),
    ("Molen M2", "molen-m2"),
    ("Molen M3 Pro", "molen-m3-pro"),
    ("Huismelange 1 kg", "huismelange-1kg"),
    ("Huismelange 250 g", "huismelange-250g"),
    ("Ethiopia Yirgacheffe", "ethiopia-yirgacheffe"),
    ("Colombia Huila", "colombia-huila"),
    ("Decaf Swiss Water", "decaf-swiss-water"),
    ("Melkkan 350 ml", "melkkan-350"),
    ("Melkkan 600 ml", "melkkan-600"),
    ("Ontkalker", "ontkalker"),
    ("Tamper 58 mm", "tamper-58"),
    ("Weegschaal Brew", "weegschaal-brew"),
    ("V60 Dripper", "v60-dripper"),
    ("Filterpapier 100 st", "filterpapier-100"),
    ("Waterkoker Gooseneck", "waterkoker-gooseneck"),
    ("Knock Box", "knock-box"),
    ("Reinigingstabletten", "reinigingstabletten"),
    ("Cadeaubon", "cadeaubon"),
)
#: Ratings 1..5, J-shaped as review sites see them.
RATING_WEIGHTS = (13, 7, 7, 18, 55)
START = dt.datetime(2023, 9, 1, 7, 0)
SPAN_MINUTES = int((dt.datetime(2026, 8, 31, 23, 0) - START).total_seconds() // 60)


@dataclass
class ReviewSpec:
    slug: str
    title: str
    date: dt.datetime
    rating: int
    author: str
    lang: str
    body: str
    product: str | None = None
    source: str = "organic"
    verified: bool = False
    email: str = ""
    order: str = ""
    #: Date of the latest thread entry (or the review's own date).
    last: dt.datetime | None = None


@dataclass
class EntrySpec:
    slug: str
    review: str
    date: dt.datetime
    by: str
    author: str
    body: str
    status: str | None = None
    remedies: tuple[str, ...] = ()
    resolved: bool | None = None


@dataclass
class Shop:
    reviews: list[ReviewSpec]
    entries: list[EntrySpec]
    products: list[tuple[str, str, str | None]]
    thread_count: int = 0
    thanks_count: int = 0


def _words(rng: random.Random, lang: str, count: int) -> list[str]:
    own, other = WORDS[lang], (EN_WORDS if lang != "en" else NL_WORDS)
    return [rng.choice(own if rng.random() < 0.88 else other) for _ in range(count)]


def _sentence(rng: random.Random, lang: str) -> str:
    text = " ".join(_words(rng, lang, rng.randint(5, 14)))
    return text[0].upper() + text[1:] + rng.choice(".......!?")


def _title(rng: random.Random, lang: str) -> str:
    text = " ".join(_words(rng, lang, rng.randint(3, 8)))
    return text[0].upper() + text[1:]


def _body(rng: random.Random, lang: str) -> str:
    """1-4 paragraphs, 150-900 characters in all; short bodies are the most common."""
    target = int(rng.triangular(150, 900, 260))
    count = max(1, min(rng.randint(1, 4), target // 120))
    paragraphs: list[str] = []
    length = 0
    for index in range(count):
        share = (target - length) // (count - index)
        sentences: list[str] = []
        size = 0
        while size < share:
            sentence = _sentence(rng, lang)
            if sentences and length + size + len(sentence) + 1 > 900:
                break
            sentences.append(sentence)
            size += len(sentence) + 1
        paragraphs.append(" ".join(sentences))
        length += size
    if rng.random() < 0.08:
        # Now and then a customer stresses a few words.
        index = rng.randrange(len(paragraphs))
        words = paragraphs[index].split(" ")
        starts = [i for i in range(1, len(words) - 2) if words[i].isalpha() and words[i + 1].isalpha()]
        if starts:
            start = rng.choice(starts)
            words[start] = "**" + words[start]
            words[start + 1] += "**"
            paragraphs[index] = " ".join(words)
    if rng.random() < 0.08 and length < 800:
        items = [" ".join(_words(rng, lang, rng.randint(2, 4))) for _ in range(rng.randint(2, 4))]
        paragraphs.insert(rng.randint(1, len(paragraphs)), "\n".join("- " + item for item in items))
    return "\n\n".join(paragraphs)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def make_catalog(count: int) -> list[tuple[str, str]]:
    """``count`` products: the 20 named ones first, then numbered variants (sizes, colours, bundles)."""
    catalog = list(PRODUCTS[:count])
    seen = {slug for _title, slug in catalog}
    variants = ("Zwart", "Wit", "Rood", "250 g", "500 g", "1 kg", "Bundel", "Mini", "XL", "Pro")
    number = 0
    while len(catalog) < count:
        title, slug = PRODUCTS[number % len(PRODUCTS)]
        variant = variants[(number // len(PRODUCTS)) % len(variants)]
        serial = number // (len(PRODUCTS) * len(variants))
        name = f"{title} {variant}" + (f" {serial + 2}" if serial else "")
        if _slug(name) not in seen:
            seen.add(_slug(name))
            catalog.append((name, _slug(name)))
        number += 1
    return catalog


def product_weights(count: int) -> list[float]:
    """Zipf-shaped: a few products with thousands of reviews, a long tail with a handful each."""
    return [1 / (rank + 1) ** 1.1 for rank in range(count)]


def make_reviews(seed: int, count: int, products: int = 20, langs: int = 3) -> list[ReviewSpec]:
    """The review texts; the first N are the same whatever ``count`` is beyond N."""
    rng = random.Random(f"reviews-{seed}")
    product_rng = random.Random(f"products-{seed}")
    catalog = make_catalog(products)
    weights = product_weights(products)
    languages, lang_weights = LANGS[:langs], LANG_WEIGHTS[langs]
    reviews = []
    for index in range(count):
        lang = rng.choices(languages, lang_weights)[0]
        title = _title(rng, lang)
        date = START + dt.timedelta(minutes=rng.randrange(SPAN_MINUTES))
        rating = rng.choices(range(1, 6), RATING_WEIGHTS)[0]
        first = rng.choice(FIRST_NAMES)
        author = f"{first} {rng.choice(SURNAMES)}".strip()
        source = rng.choices(("invited", "organic", "imported:trustpilot"), (60, 35, 5))[0]
        verified = source == "invited" or (source == "organic" and rng.random() < 0.4)
        body = _body(rng, lang)
        product = None
        if product_rng.random() < 0.85:
            product = product_rng.choices(catalog, weights)[0][1]
        slug = f"{date:%Y-%m-%d}-{_slug(' '.join(title.split()[:4]))}-{index}"
        reviews.append(
            ReviewSpec(
                slug=slug,
                title=title,
                date=date,
                rating=rating,
                author=author,
                lang=lang,
                body=body,
                product=product,
                source=source,
                verified=verified,
                email=f"{first.lower()}.{index}@example.com",
                order=f"BB-{100_000 + index}",
                last=date,
            )
        )
    return reviews


SHOP_TEXT = {
    "nl": {
        "in-progress": "Wat vervelend, {name}. We zoeken het uit en je hoort binnen twee dagen van ons.",
        "resolved": "Het is geregeld, {name}: je krijgt bericht van de vervoerder. Sorry voor het gedoe.",
        "thanks": "Dank je wel, {name}! Fijn dat het bevalt.",
        "yes": "Alles is goed gekomen, dank voor de snelle hulp.",
        "no": "Helaas is het nog steeds niet opgelost.",
    },
    "en": {
        "in-progress": "Sorry to hear this, {name}. We are looking into it and will update you in two days.",
        "resolved": "All sorted, {name}: the courier will be in touch. Apologies for the trouble.",
        "thanks": "Thank you, {name}! Glad you are enjoying it.",
        "yes": "All fixed now, thanks for the quick help.",
        "no": "Sadly this is still not fixed.",
    },
    "et": {
        "in-progress": "Vabandust, {name}. Uurime asja ja anname kahe päeva jooksul teada.",
        "resolved": "Korras, {name}: kuller võtab sinuga ühendust. Vabandame tüli pärast.",
        "thanks": "Aitäh, {name}! Hea meel, et meeldib.",
        "yes": "Kõik sai korda, aitäh kiire abi eest.",
        "no": "Kahjuks pole see ikka veel korras.",
    },
}
FIXES = ("refund", "replacement", "repair", "discount", "explanation")


def make_shop(seed: int, n: int, reviews: Sequence[ReviewSpec], catalog_size: int = 20) -> Shop:
    """Threads under most complaints, thank-you notes under some praise: about 0.3 N entries."""
    rng = random.Random(f"threads-{seed}")
    site_reviews = list(reviews[:n])
    entries: list[EntrySpec] = []
    per_review: dict[str, int] = {}
    threads = 0

    def add(review: ReviewSpec, kind: str, **kwargs: object) -> None:
        assert review.last is not None
        date = review.last + dt.timedelta(minutes=rng.randint(120, 3 * 24 * 60))
        review.last = date
        name = review.author.split()[0]
        text = SHOP_TEXT[review.lang]
        if kind in ("yes", "no"):
            body, by, author = text[kind], "customer", review.author
        else:
            body, by, author = text[kind].format(name=name), "shop", rng.choice(STAFF)
        if kind != "thanks" and rng.random() < 0.5:
            body += " " + _sentence(rng, review.lang)
        per_review[review.slug] = count = per_review.get(review.slug, 0) + 1
        entries.append(
            EntrySpec(
                slug=f"{review.slug}-{count}",
                review=review.slug,
                date=date,
                by=by,
                author=author,
                body=body,
                **kwargs,  # type: ignore[arg-type]
            )
        )

    def remedies() -> tuple[str, ...]:
        return ("apology", *rng.sample(FIXES, rng.randint(1, 2)))

    for review in site_reviews:
        chance = 0.92 if review.rating <= 2 else 0.4 if review.rating == 3 else 0.0
        if rng.random() >= chance:
            continue
        threads += 1
        length = rng.choices((1, 2, 3), (80, 14, 6))[0]
        if length == 1:
            if rng.random() < 0.6:
                add(review, "resolved", status="resolved", remedies=remedies())
            else:
                add(review, "in-progress", status="in-progress", remedies=("apology",))
        elif length == 2 and rng.random() < 0.6:
            add(review, "in-progress", status="in-progress", remedies=("apology",))
            add(review, "resolved", status="resolved", remedies=remedies())
        else:
            if length == 3:
                add(review, "in-progress", status="in-progress")
            add(review, "resolved", status="resolved", remedies=remedies())
            verdict = rng.random() < 0.8
            add(review, "yes" if verdict else "no", resolved=verdict)
    target = round(0.3 * n)
    positive = [r for r in site_reviews if r.rating >= 4]
    thanks = max(0, min(target - len(entries), len(positive)))
    for review in rng.sample(positive, thanks):
        add(review, "thanks")
    products = []
    for title, slug in make_catalog(catalog_size):
        sku = f"BB-{slug[:6].upper().strip('-')}-{rng.randint(10, 99)}" if rng.random() < 0.6 else None
        products.append((title, slug, sku))
    return Shop(site_reviews, entries, products, thread_count=threads, thanks_count=thanks)


# --- writing sites ---------------------------------------------------------


def _date(value: dt.datetime) -> str:
    return value.strftime("%Y-%m-%d %H:%M")


def review_file(review: ReviewSpec) -> str:
    lines = [
        f"Title: {review.title}",
        f"Date: {_date(review.date)}",
        f"Rating: {review.rating}",
        f"Author: {review.author}",
    ]
    if review.product:
        lines.append(f"Product: {review.product}")
    lines += [
        f"Lang: {review.lang}",
        f"Source: {review.source}",
        f"Verified: {'yes' if review.verified else 'no'}",
        f"Email: {review.email}",
        f"Order: {review.order}",
    ]
    return "\n".join(lines) + "\n\n" + review.body + "\n"


def entry_file(entry: EntrySpec) -> str:
    lines = [f"Review: {entry.review}", f"Date: {_date(entry.date)}", f"From: {entry.by}"]
    if entry.by == "shop":
        if entry.status:
            lines.append(f"Status: {entry.status}")
        if entry.remedies:
            lines.append(f"Remedy: {', '.join(entry.remedies)}")
    elif entry.resolved is not None:
        lines.append(f"Resolved: {'yes' if entry.resolved else 'no'}")
    lines.append(f"Author: {entry.author}")
    return "\n".join(lines) + "\n\n" + entry.body + "\n"


def write_redress_site(root: Path, shop: Shop) -> None:
    content = root / "content"
    for folder in ("reviews", "responses", "products"):
        (content / folder).mkdir(parents=True, exist_ok=True)
    for title, slug, sku in shop.products:
        meta = f"Title: {title}\n" + (f"SKU: {sku}\n" if sku else "")
        text = f"{title}: a product of the bench shop, for coffee at home."
        (content / "products" / f"{slug}.md").write_text(meta + "\n" + text + "\n", encoding="utf-8")
    for review in shop.reviews:
        (content / "reviews" / f"{review.slug}.md").write_text(review_file(review), encoding="utf-8")
    for entry in shop.entries:
        (content / "responses" / f"{entry.slug}.md").write_text(entry_file(entry), encoding="utf-8")
    sites.write_settings(
        root, comment="Benchmark site written by scripts/bench.py.", SITENAME="Bench shop", SITEURL=SITEURL
    )


def write_baseline_site(root: Path, reviews: Sequence[ReviewSpec]) -> None:
    articles = root / "content" / "articles"
    articles.mkdir(parents=True)
    for review in reviews:
        text = f"Title: {review.title}\nDate: {_date(review.date)}\n\n{review.body}\n"
        (articles / f"{review.slug}.md").write_text(text, encoding="utf-8")
    sites.write_settings(
        root,
        redress=False,  # plain Pelican, with its own articles, index and archives
        comment="Plain-Pelican baseline written by scripts/bench.py.",
        SITENAME="Bench baseline",
        SITEURL=SITEURL,
        # Random titles can repeat; the file name keeps every article's URL unique.
        SLUGIFY_SOURCE="basename",
    )


def measure_start(root: Path, runs: int = 3) -> float:
    """Seconds ``python -m pelican`` takes on an empty site without plugins: the floor of every build.

    A build pays this before it reads a file: starting Python, importing
    Pelican and every plugin installed beside it (Pelican imports each
    namespace plugin it finds to list them, Redress included, whether a site
    enables it or not). The rebuild figures are read against it: a rebuild
    can get faster only by what lies above it. The median of a few runs; the
    run must have got as far as making its output folder, or it is no floor.
    """
    root.mkdir(parents=True)
    (root / "content").mkdir()
    sites.write_settings(
        root,
        redress=False,
        comment="Empty site: the start of Pelican.",
        SITENAME="Empty",
        SITEURL=SITEURL,
        DIRECT_TEMPLATES=[],
    )
    times = []
    for number in range(runs):
        times.append(build(root, f"start {number + 1}").seconds)
        if not (root / "output").is_dir():
            raise BuildFailed(f"the empty site in {root} was not built: Pelican made no output folder")
        shutil.rmtree(root / "output")
    shutil.rmtree(root, ignore_errors=True)
    return sorted(times)[len(times) // 2]


def article_page(output: Path, review: ReviewSpec) -> Path:
    """Where plain Pelican writes the article made of `review` (ARTICLE_SAVE_AS, slug from the file)."""
    return output / f"{review.slug}.html"


def permalink_page(output: Path, review: ReviewSpec) -> Path:
    """Where Redress writes the review's own page."""
    return output / "reviews" / review.slug / "index.html"


def count_pages(output: Path, reviews: Sequence[ReviewSpec], where: Callable[..., Path], what: str) -> int:
    """How many of `reviews` have their page in `output`; a BuildFailed naming a few that do not.

    A build that quietly skipped some of its content would look faster per
    item than it is, so the figures are only reported when every page is there.
    """
    missing = [review.slug for review in reviews if not where(output, review).is_file()]
    if missing:
        shown = ", ".join(missing[:5]) + (", ..." if len(missing) > 5 else "")
        raise BuildFailed(
            f"{what}: {len(reviews) - len(missing):,} pages written for {len(reviews):,} "
            f"(missing: {shown}); no ratio is reported for a build that left content out"
        )
    return len(reviews)


def add_one_response(root: Path, shop: Shop) -> tuple[ReviewSpec, EntrySpec]:
    """The shop answers one complaint: the change a rebuild is timed for."""
    negative = [r for r in shop.reviews if r.rating <= 2] or shop.reviews
    review = max(negative, key=lambda r: (r.date, r.slug))
    assert review.last is not None
    entry = EntrySpec(
        slug=f"{review.slug}-bench",
        review=review.slug,
        date=review.last + dt.timedelta(hours=3),
        by="shop",
        author="Marieke",
        body=SHOP_TEXT[review.lang]["resolved"].format(name=review.author.split()[0]),
        status="resolved",
        remedies=("apology", "refund"),
    )
    path = root / "content" / "responses" / f"{entry.slug}.md"
    path.write_text(entry_file(entry), encoding="utf-8")
    return review, entry


def add_one_review(root: Path, shop: Shop, seed: int) -> ReviewSpec:
    """A customer writes about the most reviewed product: the everyday change that moves listings.

    Its date is after every other, as a new review's is, so it lands on the
    first page of the shop, of its product and of its star filter.
    """
    rng = random.Random(f"new-review-{seed}")
    newest = max(r.date for r in shop.reviews)
    counts: dict[str, int] = {}
    for r in shop.reviews:
        if r.product:
            counts[r.product] = counts.get(r.product, 0) + 1
    product = max(counts, key=lambda slug: (counts[slug], slug)) if counts else None
    lang = shop.reviews[0].lang
    review = ReviewSpec(
        slug=f"{newest + dt.timedelta(hours=1):%Y-%m-%d}-bench-new-review",
        title=_title(rng, lang),
        date=newest + dt.timedelta(hours=1),
        rating=2,
        author="Bench N.",
        lang=lang,
        body=_body(rng, lang),
        product=product,
        source="invited",
        verified=True,
        email="bench.new@example.com",
        order="BB-999999",
        last=newest + dt.timedelta(hours=1),
    )
    path = root / "content" / "reviews" / f"{review.slug}.md"
    path.write_text(review_file(review), encoding="utf-8")
    return review


# --- what a build left in output/ ---------------------------------------------


def snapshot(output: Path) -> dict[str, tuple[int, int, int]]:
    """Every file in ``output`` with what changes when it is written (inode, size, ctime)."""
    files: dict[str, tuple[int, int, int]] = {}
    for folder, _dirs, names in os.walk(output):
        for name in names:
            path = os.path.join(folder, name)
            st = os.stat(path)
            files[path] = (st.st_ino, st.st_size, st.st_ctime_ns)
    return files


def written_since(before: dict[str, tuple[int, int, int]], after: dict[str, tuple[int, int, int]]) -> int:
    """Files a build created or wrote again (its ctime moved), as a CDN would fetch them again."""
    return sum(1 for path, stamp in after.items() if before.get(path) != stamp)


def output_size(files: dict[str, tuple[int, int, int]]) -> tuple[int, int]:
    """Files and bytes."""
    return len(files), sum(size for _ino, size, _ctime in files.values())


# --- building --------------------------------------------------------------


@dataclass
class Run:
    label: str
    seconds: float
    rss_mb: float
    #: CPU time of the build and the processes it forked and waited for (os.wait4).
    user_s: float = math.nan
    system_s: float = math.nan


class BuildFailed(Exception):
    pass


class ColdOnly(Exception):  # noqa: N818 - not an error: the --cold-only run is over
    """--cold-only: the cold build is measured; the message is the ``bench:`` line."""


def folder_cost(where: Path, count: int = 2000) -> float:
    """Microseconds the file system takes to make one folder in ``where``, as the cold build is about to.

    A review's own page is a folder (``reviews/<slug>/``); plain Pelican's
    articles are files. On some disks, making a folder costs ten times as
    much for a while after many were removed (one machine measured 25 to
    500 microseconds, all of it system time), so a cold build's ratio moves
    with what the machine did just before. This figure, and each build's
    system time, say how much of a run that was. ``where`` is beside the
    site, on its disk; its folders are removed only at the end of the run
    (removing them now would be such a removal).
    """
    start = time.perf_counter()
    for number in range(count):
        os.mkdir(where / f"f{number}")
    return (time.perf_counter() - start) * 1e6 / count


def build(site: Path, label: str) -> Run:
    """Run Pelican on ``site`` in a subprocess; time it and read its own peak RSS."""
    command = [sys.executable, "-m", "pelican", "content", "-s", "pelicanconf.py", "-q"]
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(command, cwd=site, stdout=out, stderr=err, stdin=subprocess.DEVNULL)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout = out.read().decode("utf-8", "replace")
        stderr = err.read().decode("utf-8", "replace")
    if proc.returncode != 0:
        # -q hides everything below CRITICAL, including the plugin's list of
        # problems: run once more without it to show what went wrong.
        again = subprocess.run(
            command[:-1],
            cwd=site,
            capture_output=True,
            text=True,
            stdin=subprocess.DEVNULL,
            env={**os.environ, "COLUMNS": "200"},
        )
        detail = "\n".join(part for part in (stdout, stderr, again.stdout, again.stderr) if part.strip())
        lines = detail.strip().splitlines()
        if len(lines) > 80:
            lines = lines[:40] + [f"... ({len(lines) - 80} lines left out) ..."] + lines[-40:]
        raise BuildFailed(
            f"{label} build failed (exit {proc.returncode}) in {site}\n"
            f"command: {' '.join(command)}\n" + "\n".join(lines)
        )
    if stderr.strip():
        print(f"warning: {label} build wrote to stderr:\n{stderr.strip()}", file=sys.stderr)
    # ru_maxrss is in KiB on Linux; the times include the forked processes the build waited for.
    return Run(label, seconds, usage.ru_maxrss / 1024, usage.ru_utime, usage.ru_stime)


# --- checks on the output --------------------------------------------------


class _StylesheetFinder(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        rel = (values.get("rel") or "").lower().split()
        if tag == "link" and "stylesheet" in rel and values.get("href"):
            self.hrefs.append(values["href"] or "")


def local_file(output: Path, page: Path, href: str) -> Path:
    """The file in ``output`` that ``href`` (on ``page``) points at."""
    parts = urlsplit(href)
    path = parts.path
    if parts.scheme or parts.netloc:
        site = urlsplit(SITEURL)
        if parts.netloc != site.netloc or not path.startswith(site.path):
            raise ValueError(f"stylesheet {href!r} is not on {SITEURL}")
        path = path[len(site.path) :]
    if path.startswith("/"):
        return output / path.lstrip("/")
    return (page.parent / path).resolve()


def page1_size(output: Path) -> tuple[int, int, int, str]:
    """Gzipped bytes of reviews/index.html and of its stylesheet, and the stylesheet's address."""
    page = output / "reviews" / "index.html"
    if not page.is_file():
        raise BuildFailed(f"{page} was not written; the review listing is missing")
    html = page.read_bytes()
    finder = _StylesheetFinder()
    finder.feed(html.decode("utf-8", "replace"))
    if not finder.hrefs:
        raise BuildFailed(f"{page} links no stylesheet")
    css_bytes = 0
    for href in finder.hrefs:
        css = local_file(output, page, href)
        if not css.is_file():
            raise BuildFailed(f"{page} links {href!r}, but {css} does not exist")
        css_bytes += len(gzip.compress(css.read_bytes(), 9))
    html_gz = len(gzip.compress(html, 9))
    return html_gz, css_bytes, html_gz + css_bytes, ", ".join(finder.hrefs)


def check_output(output: Path, shop: Shop) -> None:
    """Spot-check that the build wrote what it should have."""
    rng = random.Random(0)
    for review in rng.sample(shop.reviews, min(20, len(shop.reviews))):
        page = output / "reviews" / review.slug / "index.html"
        if not page.is_file():
            raise BuildFailed(f"review page {page} was not written")


def check_rebuild(output: Path, review: ReviewSpec, entry: EntrySpec) -> None:
    page = output / "reviews" / review.slug / "index.html"
    if f'id="entry-{entry.slug}"' not in page.read_text(encoding="utf-8"):
        raise BuildFailed(f"after the rebuild, {page} does not show the new response {entry.slug}")


# --- report ----------------------------------------------------------------


@dataclass
class Target:
    name: str
    target: str
    met: bool | None  # None: does not apply at this N


@dataclass
class Result:
    n: int
    cold: Run
    warm: Run
    rebuild: Run
    baseline: Run | None
    baseline_n: int
    page1: tuple[int, int, int, str]
    shop: Shop
    generate_s: float
    feeds_s: float = math.nan
    #: Pages counted in the output: every review's permalink, every baseline article.
    permalinks: int = 0
    baseline_articles: int = 0
    products: int = 0
    langs: int = 1
    output_files: int = 0
    output_bytes: int = 0
    add_review: Run | None = None
    add_review_files: int = 0
    add_response_files: int = 0
    #: Microseconds to make one folder just before the cold build (see folder_cost).
    folder_us: float = math.nan
    #: Seconds Pelican takes on an empty site, plugins imported (see measure_start).
    start_s: float = math.nan
    targets: list[Target] = field(default_factory=list)

    @property
    def cold_ms(self) -> float:
        return self.cold.seconds * 1000 / self.n

    @property
    def warm_ms(self) -> float:
        return self.warm.seconds * 1000 / self.n

    @property
    def baseline_ms(self) -> float:
        return self.baseline.seconds * 1000 / self.baseline_n if self.baseline else math.nan

    @property
    def ratio(self) -> float:
        return self.cold_ms / self.baseline_ms if self.baseline else math.nan

    @property
    def peak_mb(self) -> float:
        runs = [self.cold, self.warm, self.rebuild] + ([self.add_review] if self.add_review else [])
        return max(run.rss_mb for run in runs)

    @property
    def kb_per_review(self) -> float:
        return self.output_bytes / 1024 / self.n

    @property
    def files_per_review(self) -> float:
        return self.output_files / self.n

    @property
    def add_review_s(self) -> float:
        return self.add_review.seconds if self.add_review else math.nan


def measure_feeds(site: Path) -> float:
    """Time building every listing's RSS and Atom feed, in this process, on the built shop.

    The feeds are a small part of a build, so their cost is measured directly
    rather than as the difference of two noisy whole builds.
    """
    from types import SimpleNamespace

    from pelican.settings import read_settings

    sys.path.insert(0, str(PLUGINS_DIR))
    from pelican.plugins.redress.content.shop import load_shop
    from pelican.plugins.redress.site import feeds
    from pelican.plugins.redress.site.urls import Urls

    cwd = os.getcwd()
    os.chdir(site)
    try:
        settings = read_settings(str(site / "pelicanconf.py"))
        content = load_shop(settings)
    finally:
        os.chdir(cwd)
    urls = Urls(content.settings, settings["SITEURL"])
    for review in content.reviews:
        review.url = urls.review(review.slug)
    for product in content.products.values():
        product.page_url = urls.listing(product.slug)
    # What build_feeds reads of a Build: the shop, its URLs, the pages' language
    # and the per-build memo (where the shop's entries are sorted once).
    section = SimpleNamespace(shop=content, urls=urls, lang=settings["DEFAULT_LANG"], memo={})
    start = time.perf_counter()
    for scope in [None, *content.products]:
        feeds.build_feeds(section, scope)
    return time.perf_counter() - start


def judge(result: Result) -> list[Target]:
    n = result.n
    gz_kb = result.page1[2] / 1024
    ratio = result.ratio
    at_10k = n == REBUILD_N
    big = n == BIG_N
    add_s, add_files = (ADD_REVIEW_S, ADD_REVIEW_FILES) if at_10k else (BIG_ADD_S, BIG_ADD_FILES)
    applies = at_10k or big
    return [
        Target(
            f"cold ratio {ratio:.2f}",
            f"<= {RATIO_TARGET} at n={REBUILD_N:,}",
            (ratio <= RATIO_TARGET) if at_10k and not math.isnan(ratio) else None,
        ),
        Target(
            f"output {result.kb_per_review:.1f} KB per review",
            f"<= {KB_PER_REVIEW:.0f} KB at n={REBUILD_N:,}",
            (result.kb_per_review <= KB_PER_REVIEW) if at_10k else None,
        ),
        Target(
            f"{result.files_per_review:.2f} files per review",
            f"<= {FILES_PER_REVIEW} at n={REBUILD_N:,}",
            (result.files_per_review <= FILES_PER_REVIEW) if at_10k else None,
        ),
        Target(
            f"add one review {result.add_review_s:.2f} s, {result.add_review_files} files",
            f"<= {ADD_REVIEW_S:.1f} s, {ADD_REVIEW_FILES} files at n={REBUILD_N:,}; "
            f"<= {BIG_ADD_S:.0f} s, {BIG_ADD_FILES} files at n={BIG_N:,}",
            (result.add_review_s <= add_s and result.add_review_files <= add_files) if applies else None,
        ),
        Target(
            f"add one response {result.rebuild.seconds:.2f} s, {result.add_response_files} files",
            f"<= {REBUILD_S:.1f} s at n={REBUILD_N:,}; "
            f"<= {BIG_ADD_S:.0f} s, {BIG_ADD_FILES} files at n={BIG_N:,}",
            (result.rebuild.seconds <= REBUILD_S)
            if at_10k
            else (result.rebuild.seconds <= BIG_ADD_S and result.add_response_files <= BIG_ADD_FILES)
            if big
            else None,
        ),
        Target(
            f"cold build {result.cold.seconds:.1f} s",
            f"< {BIG_COLD_S:.0f} s at n={BIG_N:,}",
            (result.cold.seconds < BIG_COLD_S) if big else None,
        ),
        Target(
            f"peak RSS {result.peak_mb:.0f} MB",
            f"< {BIG_RSS_MB:.0f} MB at n={BIG_N:,}",
            (result.peak_mb < BIG_RSS_MB) if big else None,
        ),
        Target(f"page 1 gzip {gz_kb:.1f} KB", f"< {PAGE1_KB:.0f} KB", gz_kb < PAGE1_KB),
        Target(
            f"feeds {result.feeds_s:.2f} s",
            f"< {FEEDS_S:.0f} s at n={REBUILD_N:,}",
            (result.feeds_s < FEEDS_S) if at_10k else None,
        ),
    ]


def _table(rows: Sequence[Sequence[str]]) -> str:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = []
    for index, row in enumerate(rows):
        lines.append("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())
        if index == 0:
            lines.append("  ".join("-" * width for width in widths))
    return "\n".join(lines)


def report(result: Result) -> str:
    shop = result.shop
    entries = len(shop.entries)
    html_gz, css_gz, total_gz, css_href = result.page1
    rows = [
        ("measure", "value", "per review"),
        ("generate content", f"{result.generate_s:.2f} s", ""),
        ("review pages written by the cold build", f"{result.permalinks:,}", ""),
        ("cold build", f"{result.cold.seconds:.2f} s", f"{result.cold_ms:.3f} ms"),
        ("cold build: CPU user / system", f"{result.cold.user_s:.2f} / {result.cold.system_s:.2f} s", ""),
        ("making one folder, before the cold build", f"{result.folder_us:.0f} µs", ""),
        ("warm build", f"{result.warm.seconds:.2f} s", f"{result.warm_ms:.3f} ms"),
        ("output/ files", f"{result.output_files:,}", f"{result.files_per_review:.2f}"),
        ("output/ size", f"{result.output_bytes / MIB:.1f} MB", f"{result.kb_per_review:.1f} KB"),
        ("Pelican on an empty site (start, no plugins)", f"{result.start_s:.2f} s", ""),
        ("add one response: rebuild", f"{result.rebuild.seconds:.2f} s", ""),
        ("add one response: above the start", f"{result.rebuild.seconds - result.start_s:.2f} s", ""),
        ("add one response: files written", f"{result.add_response_files:,}", ""),
        ("add one review: rebuild", f"{result.add_review_s:.2f} s", ""),
        ("add one review: above the start", f"{result.add_review_s - result.start_s:.2f} s", ""),
        ("add one review: files written", f"{result.add_review_files:,}", ""),
        ("feeds (all listings, RSS and Atom)", f"{result.feeds_s:.2f} s", ""),
    ]
    if result.baseline:
        scaled = result.baseline_n != result.n
        rows.append(("article pages written by the baseline", f"{result.baseline_articles:,}", ""))
        rows.append(
            (
                f"baseline: plain Pelican, {result.baseline_n:,} articles",
                f"{result.baseline.seconds:.2f} s",
                f"{result.baseline_ms:.3f} ms" + (" (scaled)" if scaled else ""),
            )
        )
        rows.append(
            (
                "baseline: CPU user / system",
                f"{result.baseline.user_s:.2f} / {result.baseline.system_s:.2f} s",
                "",
            )
        )
        rows.append(("ratio cold / baseline", f"{result.ratio:.2f}", ""))
        rows.append(("baseline peak RSS", f"{result.baseline.rss_mb:.0f} MB", ""))
    else:
        rows.append(("baseline", "skipped (--no-baseline)", ""))
    runs = (result.cold, result.warm, result.rebuild, *([result.add_review] if result.add_review else []))
    for run in runs:
        rows.append((f"peak RSS, {run.label}", f"{run.rss_mb:.0f} MB", ""))
    rows += [
        ("page 1 HTML, gzip", f"{html_gz / 1024:.1f} KB", ""),
        ("page 1 stylesheet, gzip", f"{css_gz / 1024:.1f} KB", ""),
        ("page 1 total, gzip", f"{total_gz / 1024:.1f} KB", ""),
    ]
    lines = [
        f"Redress benchmark: {result.n:,} reviews, {entries:,} responses "
        f"({shop.thread_count:,} threads, {shop.thanks_count:,} thank-you notes), "
        f"{len(shop.products)} products, {result.langs} language(s)",
        "",
        _table(rows),
        "",
        f"page 1 is reviews/index.html plus {css_href}",
    ]
    if result.baseline and result.baseline_n != result.n:
        lines.append(
            f"baseline was built with {result.baseline_n:,} articles, not {result.n:,}; "
            "its per-article time is scaled to compare"
        )
    target_rows = [("target", "figure", "met")]
    for target in result.targets:
        met = "n/a at this n" if target.met is None else ("yes" if target.met else "NO")
        target_rows.append((target.target, target.name, met))
    lines += ["", _table(target_rows)]
    return "\n".join(lines)


def bench_line(result: Result) -> str:
    return (
        f"bench: n={result.n} permalinks={result.permalinks} baseline_articles={result.baseline_articles} "
        f"cold_ms_per_review={result.cold_ms:.2f} "
        f"warm_ms_per_review={result.warm_ms:.2f} rebuild_s={result.rebuild.seconds:.2f} "
        f"baseline_ms_per_article={result.baseline_ms:.2f} ratio={result.ratio:.2f} "
        f"peak_rss_mb={result.peak_mb:.0f} page1_gzip_kb={result.page1[2] / 1024:.1f} "
        f"feeds_s={result.feeds_s:.2f} products={result.products} "
        f"output_kb_per_review={result.kb_per_review:.1f} files_per_review={result.files_per_review:.2f} "
        f"add_review_s={result.add_review_s:.2f} add_review_files={result.add_review_files} "
        f"add_response_s={result.rebuild.seconds:.2f} add_response_files={result.add_response_files} "
        f"cold_user_s={result.cold.user_s:.1f} cold_system_s={result.cold.system_s:.1f} "
        f"baseline_user_s={result.baseline.user_s if result.baseline else math.nan:.1f} "
        f"baseline_system_s={result.baseline.system_s if result.baseline else math.nan:.1f} "
        f"folder_us={result.folder_us:.0f} pelican_start_s={result.start_s:.2f}"
    )


# --- main ------------------------------------------------------------------


def run(args: argparse.Namespace, site: Path, scratch: Path, probe: Path) -> Result:
    n = args.n
    baseline_n = args.baseline_n if args.baseline_n else min(n, BASELINE_CAP)
    start = time.perf_counter()
    texts = make_reviews(args.seed, max(n, 0 if args.no_baseline else baseline_n), args.products, args.langs)
    shop = make_shop(args.seed, n, texts, args.products)
    write_redress_site(site, shop)
    generate_s = time.perf_counter() - start
    print(f"generated {n:,} reviews and {len(shop.entries):,} responses in {site}", file=sys.stderr)

    folder_us = folder_cost(probe)
    cold = build(site, "cold")
    check_output(site / "output", shop)
    permalinks = count_pages(site / "output", shop.reviews, permalink_page, "the Redress build")
    output_files, output_bytes = output_size(before := snapshot(site / "output"))
    if args.cold_only:
        raise ColdOnly(
            f"bench: n={n} products={len(shop.products)} langs={args.langs} permalinks={permalinks} "
            f"generate_s={generate_s:.0f} cold_s={cold.seconds:.1f} "
            f"cold_ms_per_review={cold.seconds * 1000 / n:.2f} peak_rss_mb={cold.rss_mb:.0f} "
            f"output_files={output_files} output_mb={output_bytes / MIB:.0f} "
            f"output_kb_per_review={output_bytes / 1024 / n:.1f} files_per_review={output_files / n:.2f} "
            f"cold_user_s={cold.user_s:.1f} cold_system_s={cold.system_s:.1f} folder_us={folder_us:.0f}"
        )
    warm = build(site, "warm")
    after_warm = snapshot(site / "output")
    review, entry = add_one_response(site, shop)
    rebuild = build(site, "add response")
    check_rebuild(site / "output", review, entry)
    after_response = snapshot(site / "output")
    new_review = add_one_review(site, shop, args.seed)
    add_review = build(site, "add review")
    if not permalink_page(site / "output", new_review).is_file():
        raise BuildFailed("after adding one review, its page was not written")
    after_review = snapshot(site / "output")
    del before
    page1 = page1_size(site / "output")
    feeds_s = measure_feeds(site)
    start_s = measure_start(scratch / "empty")

    baseline = None
    if not args.no_baseline:
        base_site = scratch / "baseline"
        write_baseline_site(base_site, texts[:baseline_n])
        print(f"building plain-Pelican baseline of {baseline_n:,} articles", file=sys.stderr)
        baseline = build(base_site, "baseline")
        baseline_articles = count_pages(
            base_site / "output", texts[:baseline_n], article_page, "the plain-Pelican baseline"
        )
        shutil.rmtree(base_site, ignore_errors=True)
    else:
        baseline_articles = 0
    result = Result(n, cold, warm, rebuild, baseline, baseline_n, page1, shop, generate_s, feeds_s)
    result.permalinks, result.baseline_articles = permalinks, baseline_articles
    result.folder_us, result.start_s = folder_us, start_s
    result.products, result.langs = len(shop.products), args.langs
    result.output_files, result.output_bytes = output_files, output_bytes
    result.add_review = add_review
    result.add_response_files = written_since(after_warm, after_response)
    result.add_review_files = written_since(after_response, after_review)
    result.targets = judge(result)
    return result


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=(
            "examples:\n"
            "  python scripts/bench.py                   # 10,000 reviews, with baseline\n"
            "  python scripts/bench.py 100000 --baseline-n 10000\n"
            "  python scripts/bench.py 2000 --no-baseline --keep /tmp/shop   # then profile in /tmp/shop\n"
            "\n"
            "The last line of output is 'bench: n=... permalinks=... baseline_articles=... "
            "cold_ms_per_review=...\nwarm_ms_per_review=... rebuild_s=... baseline_ms_per_article=... "
            "ratio=... peak_rss_mb=...\npage1_gzip_kb=... feeds_s=... products=... output_kb_per_review=... "
            "files_per_review=...\nadd_review_s=... add_review_files=... add_response_s=... "
            "add_response_files=...\ncold_user_s=... cold_system_s=... baseline_user_s=... "
            "baseline_system_s=... folder_us=... pelican_start_s=...'\n"
            "(rebuild_s is add_response_s: the rebuild after one new response).\n"
            "permalinks and baseline_articles are the pages counted in the output; when either\n"
            "falls short of N (or M), the run fails with exit 2 and reports no ratio.\n"
            "With --cold-only it is 'bench: n=... products=... langs=... permalinks=... generate_s=... "
            "cold_s=...\ncold_ms_per_review=... peak_rss_mb=... output_files=... output_mb=... "
            "output_kb_per_review=...\nfiles_per_review=... cold_user_s=... cold_system_s=... folder_us=...'."
        ),
    )
    parser.add_argument(
        "n", nargs="?", type=int, default=10_000, help="number of reviews to generate (default: 10000)"
    )
    parser.add_argument(
        "--baseline-n",
        type=int,
        metavar="M",
        help=(
            "build the plain-Pelican baseline with M articles and use its per-article time "
            f"(default: N, capped at {BASELINE_CAP:,}: the baseline at 10,000 takes ~20 s)"
        ),
    )
    parser.add_argument(
        "--no-baseline",
        action="store_true",
        help="skip the plain-Pelican baseline; the ratio is then reported as nan",
    )
    parser.add_argument(
        "--keep",
        metavar="DIR",
        type=Path,
        help=(
            "generate and build the Redress site in DIR (new or empty) and keep it, e.g. for "
            "profiling: cd DIR && python -m cProfile -m pelican content -s pelicanconf.py"
        ),
    )
    parser.add_argument(
        "--products",
        type=int,
        default=None,
        help="products in the catalog, reviews spread Zipf-like over them (default: 500, 2000 at 100,000+)",
    )
    parser.add_argument(
        "--langs", type=int, choices=(1, 2, 3), default=3, help="review languages: nl, en, et (default: 3)"
    )
    parser.add_argument(
        "--cold-only",
        action="store_true",
        help="measure only the cold build (for the documented 1,000,000-review run; implies --no-baseline)",
    )
    parser.add_argument("--seed", type=int, default=1, help="seed of the content generator (default: 1)")
    parser.add_argument(
        "--check",
        action="store_true",
        help="exit 1 when a target that applies at this N is missed (default: always exit 0)",
    )
    args = parser.parse_args(argv)
    if args.n < 1:
        parser.error("N must be at least 1")
    if args.cold_only:
        args.no_baseline = True
    if args.products is None:
        args.products = 5000 if args.n >= 1_000_000 else 2000 if args.n >= BIG_N else 500
    if args.products < 1:
        parser.error("--products must be at least 1")
    if args.baseline_n is not None and args.baseline_n < 1:
        parser.error("--baseline-n must be at least 1")
    if args.keep and args.keep.exists() and any(args.keep.iterdir()):
        parser.error(f"--keep {args.keep}: the directory is not empty")
    return args


def compile_the_plugin() -> None:
    """Compile Redress's modules where Python looks for them (see the module's docstring)."""
    spec = importlib.util.find_spec("pelican.plugins.redress")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        if not compileall.compile_dir(folder, quiet=1):
            print(f"warning: Redress's modules in {folder} could not all be compiled", file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    started = time.perf_counter()
    compile_the_plugin()
    scratch = Path(tempfile.mkdtemp(prefix="redress-bench-"))
    probe: Path | None = None
    try:
        site = args.keep.resolve() if args.keep else scratch / "site"
        site.mkdir(parents=True, exist_ok=True)
        # Beside the site, on its disk, and removed only at the end (see folder_cost).
        probe = Path(tempfile.mkdtemp(prefix=".redress-folder-cost-", dir=site.parent))
        try:
            result = run(args, site, scratch, probe)
        except BuildFailed as err:
            print(f"bench: FAILED: {err}", file=sys.stderr)
            return 2
        except ColdOnly as done:
            print(f"whole run: {time.perf_counter() - started:.1f} s")
            print(done)
            return 0
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
        if probe is not None:
            shutil.rmtree(probe, ignore_errors=True)
    print(report(result))
    if args.keep:
        print(f"\nsite kept in {site}")
    print(f"\nwhole run: {time.perf_counter() - started:.1f} s")
    print(bench_line(result))
    missed = [t for t in result.targets if t.met is False]
    return 1 if args.check and missed else 0


if __name__ == "__main__":
    sys.exit(main())
