"""The demo shop and crafted sites, built for real and read back as HTML."""

from __future__ import annotations

import datetime as dt
import posixpath
import random
import re
from collections import Counter
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from conftest import DEMO_CONTENT, build, make_site, response, review, soup, write
from pelican.plugins.redress.site.listings import DATED_DAYS_LOG2, dated_spans


def fields(path: Path) -> dict[str, str]:
    """An independent reading of a file's header, as the test's oracle."""
    head = path.read_text(encoding="utf-8").split("\n\n", 1)[0]
    return {k.strip().lower(): v.strip() for k, v in (line.split(":", 1) for line in head.splitlines())}


DEMO_REVIEWS = {p.stem: fields(p) for p in sorted((DEMO_CONTENT / "reviews").glob("*.md"))}
DEMO_RESPONSES = {p.stem: fields(p) for p in sorted((DEMO_CONTENT / "responses").glob("*.md"))}
PUBLISHED = {slug: f for slug, f in DEMO_REVIEWS.items() if "withheld" not in f}


def review_ids(page) -> list[str]:
    return [a["id"].removeprefix("review-") for a in page.select("article.review, li.review-row")]


def archive_numbers(output: Path, base: str) -> list[int]:
    """The archive pages of a listing, newest (highest number) first."""
    folder = output / base / "page"
    numbers = sorted((int(p.name) for p in folder.iterdir()), reverse=True) if folder.is_dir() else []
    assert numbers == list(range(len(numbers), 0, -1)), numbers  # 1..K, no gaps
    return numbers


def all_listing_ids(output: Path, base: str) -> list[str]:
    """Every review of a listing, newest first, read the way a reader pages through it.

    From the first page's "older reviews" link up the "newer" links to the
    newest archive page, then down the "older" links to the oldest. The
    counted archive (every filter but the open and resolved cases) is also
    checked to be numbered 1..K with no gaps.
    """
    first_page = soup(output / base / "index.html")
    first = review_ids(first_page)
    older = first_page.select_one('nav.pagination a[rel="next"]')
    if base.rstrip("/").split("/")[-1] not in ("open", "resolved"):
        assert bool(archive_numbers(output, base)) == bool(older)
    if older is None:
        return first

    def folder_of(href: str, here: str) -> str:
        """The page's folder under ``output``, from a link on the page in folder ``here``."""
        path = urlsplit(href).path
        return posixpath.normpath(path.lstrip("/") if path.startswith("/") else posixpath.join(here, path))

    # Up to the newest archive page: the one whose "newer" link is the first page.
    here = folder_of(older["href"], base)
    for _ in range(10_000):
        newer = folder_of(
            soup(output / here / "index.html").select_one('nav.pagination a[rel="prev"]')["href"], here
        )
        if newer == posixpath.normpath(base):
            break
        here = newer
    ids: list[str] = []
    while True:
        page = soup(output / here / "index.html")
        ids += review_ids(page)
        older = page.select_one('nav.pagination a[rel="next"]')
        if older is None:
            break
        here = folder_of(older["href"], here)
    assert first == ids[: len(first)], "the first page shows the newest reviews"
    assert len(ids) == len(set(ids)), "each review is on one archive page"
    return ids


def test_demo_is_big_enough_and_j_shaped():
    ratings = Counter(int(f["rating"]) for f in PUBLISHED.values())
    assert len(PUBLISHED) >= 60
    assert set(ratings) == {1, 2, 3, 4, 5}
    assert ratings[5] > ratings[4] > ratings[3] and ratings[1] > ratings[2]
    assert {f.get("lang") for f in PUBLISHED.values()} >= {"nl", "en"}


def test_every_published_review_appears_once_newest_first(demo_output):
    ids = all_listing_ids(demo_output, "reviews")
    assert sorted(ids) == sorted(PUBLISHED)
    dates = [PUBLISHED[i]["date"] for i in ids]
    assert dates == sorted(dates, reverse=True)


def test_every_demo_response_is_paired_with_its_review(demo_output):
    assert DEMO_RESPONSES
    for slug, f in DEMO_RESPONSES.items():
        page = soup(demo_output / "reviews" / f["review"] / "index.html")
        entry = page.find(id=f"entry-{slug}")
        assert entry is not None, slug
        assert entry.find_parent("article")["id"] == f"review-{f['review']}"


def test_thread_shown_in_date_order(demo_output):
    for review_slug in {f["review"] for f in DEMO_RESPONSES.values()}:
        page = soup(demo_output / "reviews" / review_slug / "index.html")
        times = [t["datetime"] for t in page.select("li.entry > .entry-meta time:first-of-type")]
        assert times == sorted(times)


def test_distribution_and_average_match_the_files(demo_output):
    page = soup(demo_output / "reviews" / "index.html")
    counts = Counter(int(f["rating"]) for f in PUBLISHED.values())
    rows = page.select("table.distribution tbody tr")
    assert len(rows) == 5
    for row, stars in zip(rows, range(5, 0, -1), strict=True):
        assert row.th.get_text(strip=True).startswith(str(stars))
        assert int(row.select_one(".bar-count").get_text().split()[0]) == counts[stars]
        assert float(row.meter["value"]) == pytest.approx(counts[stars] / len(PUBLISHED), abs=1e-4)
    exact = Decimal(sum(s * n for s, n in counts.items())) / Decimal(len(PUBLISHED))
    expected = str(exact.quantize(Decimal("0.1"), ROUND_HALF_UP))
    assert page.select_one(".average-number").get_text(strip=True) == expected
    assert f"from {len(PUBLISHED)} reviews" in page.select_one(".average-count").get_text()


def test_star_filter_pages_exist_for_every_value_and_hold_only_that_value(demo_output):
    for stars in range(1, 6):
        ids = all_listing_ids(demo_output, f"reviews/stars/{stars}")
        assert sorted(ids) == sorted(s for s, f in PUBLISHED.items() if int(f["rating"]) == stars)


def test_filters_are_plain_links_and_mark_the_current_one(demo_output):
    page = soup(demo_output / "reviews" / "stars" / "2" / "index.html")
    links = page.select("nav.filters a")
    assert len(links) == 8  # all, 5..1, open, resolved
    current = [a for a in links if a.get("aria-current") == "page"]
    assert len(current) == 1 and current[0]["href"].endswith("reviews/stars/2/")
    assert not page.find("script")


def state_of(slug: str) -> str:
    """The case state by the rules in the README, read independently from the files."""
    thread = sorted((f for f in DEMO_RESPONSES.values() if f["review"] == slug), key=lambda f: f["date"])
    statuses = [f for f in thread if f.get("from", "shop") == "shop" and f.get("status")]
    if statuses:
        last = statuses[-1]
        if last["status"] == "resolved":
            later = [f for f in thread if f.get("from") == "customer" and f["date"] >= last["date"]]
            if later and later[-1].get("resolved") == "no":
                return "disputed"
        return last["status"]
    return "answered" if thread else "awaiting"


def test_open_and_resolved_filters(demo_output):
    negatives = [s for s, f in PUBLISHED.items() if int(f["rating"]) <= 2]
    open_ = sorted(s for s in negatives if state_of(s) in ("awaiting", "in-progress", "answered", "disputed"))
    resolved = sorted(s for s in PUBLISHED if state_of(s) == "resolved")
    assert sorted(all_listing_ids(demo_output, "reviews/open")) == open_
    assert sorted(all_listing_ids(demo_output, "reviews/resolved")) == resolved
    assert open_ and resolved


def test_demo_has_negative_reviews_in_every_state(demo_output):
    negatives = [s for s, f in PUBLISHED.items() if int(f["rating"]) <= 2]
    states = {state_of(s) for s in negatives}
    assert {"resolved", "in-progress", "awaiting", "no-action"} <= states
    verdicts = {f.get("resolved") for f in DEMO_RESPONSES.values() if f.get("from") == "customer"}
    assert {"yes", "no"} <= verdicts


def test_awaiting_and_verdict_labels_are_visible(demo_output):
    for slug in PUBLISHED:
        card = soup(demo_output / "reviews" / slug / "index.html").select_one("article.review")
        text = card.get_text(" ", strip=True)
        state = state_of(slug)
        if int(PUBLISHED[slug]["rating"]) <= 2 and state == "awaiting":
            assert "Awaiting the shop's response" in text
        customer = [f for f in DEMO_RESPONSES.values() if f["review"] == slug and f.get("from") == "customer"]
        for f in customer:
            label = "Customer confirms: fixed" if f["resolved"] == "yes" else "Customer says: not fixed"
            assert label in text


def test_review_card_shows_stars_text_labels_and_product(demo_output):
    slug, f = next((s, f) for s, f in PUBLISHED.items() if f.get("product") and f.get("verified") == "yes")
    own = soup(demo_output / "reviews" / slug / "index.html")
    card = own.select_one("article.review")
    assert card.select_one(".stars")["aria-label"] == f"{f['rating']} out of 5 stars"
    assert "Verified buyer" in card.get_text()
    # The page's heading and breadcrumb name the product; the card does not say it again.
    assert card.select_one(".review-byline a") is None
    assert own.select_one(".breadcrumb a[href$='reviews/products/" + f["product"] + "/']") is not None
    # On the shop's listing the card says what the review is about; on the product's own, not again.
    for path, named in (("reviews/index.html", True), (f"reviews/products/{f['product']}/index.html", False)):
        listed = soup(demo_output / path).find(id=f"review-{slug}")
        if listed is None:
            continue
        link = listed.select_one(".review-byline a")
        assert (link is not None) == named, path
        if named:
            assert link["href"].rstrip("/").endswith(f"reviews/products/{f['product']}")


def test_withheld_ledger_and_nothing_of_the_withheld_review_published(demo_output):
    withheld = {s: f for s, f in DEMO_REVIEWS.items() if "withheld" in f}
    assert withheld
    page = soup(demo_output / "reviews" / "index.html")
    ledger = page.select_one("table.ledger")
    assert f"{len(withheld)} review withheld" in ledger.caption.get_text()
    reasons = Counter(f["withheld"] for f in withheld.values())
    assert "Contains someone's personal data" in ledger.get_text()
    row = [tr for tr in ledger.select("tbody tr") if "personal data" in tr.th.get_text()][0]
    assert int(row.td.get_text()) == reasons["personal-data"]
    for slug in withheld:
        assert not (demo_output / "reviews" / slug).exists()
        for html in demo_output.rglob("*.html"):
            assert slug not in html.read_text(encoding="utf-8")


def test_product_pages(demo_output):
    products = {p.stem for p in (DEMO_CONTENT / "products").glob("*.md")}
    for product in products:
        expected = sorted(s for s, f in PUBLISHED.items() if f.get("product") == product)
        assert sorted(all_listing_ids(demo_output, f"reviews/products/{product}")) == expected
        # Every product of the demo fits one page: its filters show counts, without pages of their own.
        assert len(expected) <= 20
        assert not (demo_output / "reviews/products" / product / "stars").exists()
        assert not soup(demo_output / "reviews/products" / product / "index.html").select(
            "nav.filters a[href*='stars']"
        )


def test_how_reviews_work_block(demo_output):
    how = soup(demo_output / "reviews" / "index.html").find(id="how-reviews-work")
    text = how.get_text(" ", strip=True)
    for needle in (
        "published as soon as it arrives",
        "Verified buyer",
        "Invited",
        "newest first",
        "We offer nothing in return",
        "Spam",
        "Duplicate",
    ):
        assert needle in text, needle


def test_privacy_no_private_value_in_any_output_file(demo_output):
    private = set()
    for folder in ("reviews", "responses"):
        for path in (DEMO_CONTENT / folder).glob("*.md"):
            f = fields(path)
            private |= {f[k] for k in ("email", "order", "phone", "note") if f.get(k)}
    assert len(private) > 60
    for path in demo_output.rglob("*"):
        if path.is_file():
            data = path.read_bytes().decode("utf-8", errors="replace")
            leaked = [v for v in private if v in data]
            assert not leaked, (path, leaked)


def test_settings_shape_the_how_block(tmp_path):
    site = make_site(tmp_path, review("a", rating=2), review("b", rating=5, date="2026-10-03 10:00"))
    out = build(
        site,
        REVIEWS_HOLD_HOURS=48,
        REVIEWS_INCENTIVE="Every reviewer gets a 5 euro voucher.",
        REVIEWS_SHOP_NAME="Kaffa",
    )
    page = soup(out / "reviews" / "index.html")
    text = page.find(id="how-reviews-work").get_text(" ", strip=True)
    assert "48 hours after it arrives, the same for every rating" in text
    assert "Every reviewer gets a 5 euro voucher. It never depends on the rating" in text
    assert page.h1.get_text(strip=True) == "Reviews of Kaffa"


def test_pagination_keeps_every_review(tmp_path):
    files = [review(f"r{i:02d}", rating=(i % 5) + 1, date=f"2026-09-{i + 1:02d} 10:00") for i in range(25)]
    out = build(make_site(tmp_path, *files), REVIEWS_PER_PAGE=10, REVIEWS_ARCHIVE_PER_PAGE=10)
    assert archive_numbers(out, "reviews") == [3, 2, 1]
    ids = all_listing_ids(out, "reviews")
    assert sorted(ids) == sorted(f"r{i:02d}" for i in range(25))
    # Archive pages count from the oldest: page 1 holds the first ten reviews ever written.
    assert review_ids(soup(out / "reviews/page/1/index.html")) == [f"r{i:02d}" for i in range(9, -1, -1)]
    assert review_ids(soup(out / "reviews/page/3/index.html")) == [f"r{i:02d}" for i in range(24, 19, -1)]
    nav = soup(out / "reviews/page/2/index.html").select_one("nav.pagination")
    assert nav.select_one('a[rel="prev"]')["href"].endswith("/reviews/page/3/")
    assert nav.select_one('a[rel="next"]')["href"].endswith("/reviews/page/1/")
    newest = soup(out / "reviews/page/3/index.html").select_one('nav.pagination a[rel="prev"]')
    assert newest["href"].endswith("/reviews/")
    # The first page's "older" link lands on the first review it had no room for.
    older = soup(out / "reviews/index.html").select_one('nav.pagination a[rel="next"]')["href"]
    assert older.endswith("/reviews/page/2/#review-r14")


def test_archive_pages_keep_their_reviews_when_a_review_arrives(tmp_path):
    """A link to an archive page shows the same reviews next month, and only the newest pages change."""
    files = [review(f"r{i:02d}", rating=(i % 5) + 1, date=f"2026-09-{i + 1:02d} 10:00") for i in range(25)]
    site = make_site(tmp_path, *files)
    out = build(site, REVIEWS_PER_PAGE=10, REVIEWS_ARCHIVE_PER_PAGE=10)
    pages = sorted(p for p in (out / "reviews").rglob("index.html") if "/page/" in str(p))
    before = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in pages}
    write(site, *review("r25", rating=1, date="2026-09-27 10:00"))
    build(site, REVIEWS_PER_PAGE=10, REVIEWS_ARCHIVE_PER_PAGE=10)
    changed = {
        p.relative_to(out).as_posix() for p in pages if (p.read_bytes(), p.stat().st_mtime_ns) != before[p]
    }
    # r25 (1 star) joins the newest page of the shop and of the 1-star filter; nothing else moves.
    assert changed == {"reviews/page/3/index.html"}, changed
    assert review_ids(soup(out / "reviews/page/3/index.html"))[0] == "r25"
    assert review_ids(soup(out / "reviews/page/1/index.html")) == [f"r{i:02d}" for i in range(9, -1, -1)]
    archive = soup(out / "reviews/page/2/index.html")
    assert not archive.select(".summary, .filters, #how-reviews-work"), "no counts on an archive page"


def test_archive_pages_hold_their_own_number_of_reviews(tmp_path):
    files = [review(f"r{i:02d}", rating=5, date=f"2026-09-{i + 1:02d} 10:00") for i in range(12)]
    out = build(make_site(tmp_path, *files), REVIEWS_PER_PAGE=3, REVIEWS_ARCHIVE_PER_PAGE=5)
    assert len(review_ids(soup(out / "reviews/index.html"))) == 3
    assert archive_numbers(out, "reviews") == [3, 2, 1]
    assert review_ids(soup(out / "reviews/page/1/index.html")) == [f"r{i:02d}" for i in range(4, -1, -1)]
    assert review_ids(soup(out / "reviews/page/3/index.html")) == ["r11", "r10"]
    # r08 is the first review the first page had no room for; it is on archive page 2.
    older = soup(out / "reviews/index.html").select_one('nav.pagination a[rel="next"]')["href"]
    assert older.endswith("/reviews/page/2/#review-r08")


def _cases(days: int, answered: set[int]) -> list[tuple[str, str]]:
    """One 1-star review a day from 2026-01-01 (c000, c001, …); those in ``answered`` resolved a day later."""
    files = []
    start = dt.date(2026, 1, 1)
    for i in range(days):
        day = start + dt.timedelta(days=i)
        files.append(review(f"c{i:03d}", rating=1, date=f"{day} 10:00"))
        if i in answered:
            files.append(
                response(f"c{i:03d}-1", f"c{i:03d}", date=f"{day} 18:00", status="resolved", remedy="refund")
            )
    return files


def _archive_pages(out: Path) -> dict[str, tuple[bytes, int]]:
    return {
        p.relative_to(out).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns)
        for p in (out / "reviews").rglob("index.html")
        if "/page/" in p.as_posix()
    }


def test_answering_an_old_complaint_moves_no_other_archive_page(tmp_path):
    """The open and resolved cases are archived by the days they cover: an answer changes two pages.

    With pages of a fixed number of cases, answering the oldest open one
    moved every newer page of both filters up by one.
    """
    answered = set(range(0, 120, 2))
    site = make_site(tmp_path, *_cases(120, answered))
    settings = dict(REVIEWS_PER_PAGE=4, REVIEWS_ARCHIVE_PER_PAGE=6)
    out = build(site, **settings)
    open_before = all_listing_ids(out, "reviews/open")
    resolved_before = all_listing_ids(out, "reviews/resolved")
    assert open_before == [f"c{i:03d}" for i in range(119, -1, -2)]
    assert resolved_before == [f"c{i:03d}" for i in range(118, -1, -2)]
    before = _archive_pages(out)
    dated = [name for name in before if name.startswith(("reviews/open/", "reviews/resolved/"))]
    assert len(dated) >= 20, dated
    for name in dated:  # each page holds at most 6 cases (no day has more than one)
        assert 1 <= len(review_ids(soup(out / name))) <= 6, name

    write(site, *response("c001-1", "c001", date="2026-06-01 09:00", status="resolved", remedy="refund"))
    build(site, **settings)
    after = _archive_pages(out)
    changed = {name for name in before.keys() | after.keys() if before.get(name) != after.get(name)}
    changed_dated = {name for name in changed if name.startswith(("reviews/open/", "reviews/resolved/"))}
    # The page c001 left and the page it joined (and, at most, a split or join beside them).
    assert 2 <= len(changed_dated) <= 4, changed_dated
    assert {name.split("/")[1] for name in changed_dated} == {"open", "resolved"}
    for name in changed - changed_dated:  # the other archives: only the pages that show c001 itself
        assert "c001" in review_ids(soup(out / name)), name
    assert all_listing_ids(out, "reviews/open") == [x for x in open_before if x != "c001"]
    assert all_listing_ids(out, "reviews/resolved") == sorted([*resolved_before, "c001"], reverse=True)
    page = next(n for n in changed_dated if n.startswith("reviews/resolved/") and n in after)
    archive = soup(out / page)
    assert "c001" in review_ids(archive)
    assert "Reviews written from" in archive.title.get_text(), "a dated page says which days it covers"


def test_dated_archive_pages_split_only_where_they_fill_up():
    """Removing or adding one case changes the pages of its own span of days, never the others."""
    rng = random.Random(7)
    per_page = 5
    for _ in range(300):
        days = sorted(rng.randrange(20_000, 20_400) for _ in range(rng.randrange(1, 120)))
        spans = dated_spans(days, per_page)
        assert [start for _n, start, _e in spans] == [0, *(end for _n, _s, end in spans[:-1])]
        assert spans[-1][2] == len(days)
        for number, start, end in spans:
            assert end - start <= per_page or days[start] == days[end - 1], "only a single day holds more"
            assert days[start] >= number - 1, "a page's number is its first day's"
        numbers = [n for n, _s, _e in spans]
        assert numbers == sorted(set(numbers))
        # One case gone: the pages of other days keep their number and cases.
        gone = rng.randrange(len(days))
        fewer = days[:gone] + days[gone + 1 :]
        now = {(n, tuple(fewer[s:e])) for n, s, e in dated_spans(fewer, per_page)}
        moved = [i for i, (n, s, e) in enumerate(spans) if (n, tuple(days[s:e])) not in now]
        holding = next(i for i, (_n, s, e) in enumerate(spans) if s <= gone < e)
        # The page that held the case changed; any other that did is beside it: one run of pages.
        assert holding in moved, (holding, moved)
        assert moved == list(range(moved[0], moved[-1] + 1)), moved
        assert len(moved) <= 1 + DATED_DAYS_LOG2, moved
        # And all of them within the widest span of days around it that held at most one
        # case more than a page: only there can pages join.
        day, low, high = days[gone], days[gone], days[gone] + 1
        for level in range(DATED_DAYS_LOG2 + 1):
            first = day - day % (1 << level)
            if sum(first <= d < first + (1 << level) for d in days) > per_page + 1:
                break
            low, high = first, first + (1 << level)
        for i in moved:
            assert low <= days[spans[i][1]] and days[spans[i][2] - 1] < high, (i, low, high)


def test_a_case_dated_in_another_offset_is_on_a_page_of_its_days():
    """Reviews in the order of their moments can show days out of order (one written with the
    shop's offset, the next in UTC): each is still on a page whose days come up to its own,
    and only a single day's cases fill more than a page."""
    rng = random.Random(11)
    per_page = 3
    for _ in range(300):
        days = sorted(rng.randrange(20_000, 20_200) for _ in range(rng.randrange(2, 60)))
        # A few reviews show the day before their moment's (a far offset): out of order.
        shown = [d - 1 if rng.random() < 0.2 else d for d in days]
        spans = dated_spans(shown, per_page)
        assert [start for _n, start, _e in spans] == [0, *(end for _n, _s, end in spans[:-1])]
        assert spans[-1][2] == len(shown)
        numbers = [n for n, _s, _e in spans]
        assert numbers == sorted(set(numbers))
        for index, (number, start, end) in enumerate(spans):
            after = spans[index + 1][0] - 1 if index + 1 < len(spans) else None
            for at in range(start, end):
                # Counted on its own day or the later one of a review before it, never on a
                # page of later days only.
                counted_on = max(shown[: at + 1])
                assert number - 1 <= counted_on and (after is None or counted_on < after), (shown, spans, at)
        # And a page holds more than a page's cases only when they are of one day.
        for _number, start, end in spans:
            assert end - start <= per_page or max(shown[: start + 1]) == max(shown[:end]), (shown, spans)


def test_a_direction_control_in_a_name_turns_nothing_of_the_page_around(tmp_path):
    """An override typed after a name ("Mallory" + U+202E) made the byline's date beside it read
    right to left; direction controls are taken out of every field and text, also when written
    as a character reference. Arabic and Hebrew need none; the direction marks stay."""
    controls = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
    files = [
        review(
            "r01", rating=2, author="Mallory \u202e", title="Ti\u2067tle",
            body="Good \u202e text &#x202e; and &#8238; with a mark \u200f.",
        ),
        response("r01-1", "r01", author="Anna \u202d", body="Sorry \u2066!"),
    ]  # fmt: skip
    out = build(make_site(tmp_path, *files))
    published = [p for p in out.rglob("*") if p.suffix in (".html", ".json", ".rss", ".atom")]
    assert published
    for path in published:
        text = path.read_text(encoding="utf-8")
        assert not any(c in text for c in controls), path
        assert "&#x202e;" not in text.lower() and "&#8238;" not in text, path
    page = soup(out / "reviews/r01/index.html")
    assert "Mallory" in page.get_text() and "\u200f" in page.get_text()


def test_empty_filters_and_small_listings_have_no_pages(tmp_path):
    files = [review(f"r{i:02d}", rating=5, date=f"2026-09-{i + 1:02d} 10:00") for i in range(3)]
    out = build(make_site(tmp_path, *files))
    assert not (out / "reviews/stars").exists() and not (out / "reviews/open").exists()
    filters = soup(out / "reviews/index.html").select_one("nav.filters")
    counts = {li.get_text(" ", strip=True) for li in filters.select("li")}
    assert "1 star (0)" in counts and "5 stars (3)" in counts
    assert [a.get_text(" ", strip=True) for a in filters.select("a")] == ["All (3)"]


def test_responsiveness_figures(tmp_path):
    files = [
        review("neg1", rating=1, date="2026-10-01 10:00"),
        response("neg1-1", "neg1", date="2026-10-01 12:00", status="in-progress"),
        review("neg2", rating=2, date="2026-10-02 10:00"),
        response("neg2-1", "neg2", date="2026-10-02 16:00", status="resolved", remedy="refund"),
        review("neg3", rating=2, date="2026-10-03 10:00"),
        review("pos", rating=5, date="2026-10-04 10:00"),
    ]
    page = soup(build(make_site(tmp_path, *files)) / "reviews" / "index.html")
    dl = page.select_one("dl.responsiveness").get_text(" ", strip=True)
    assert "2 of 3 (67%)" in dl
    assert "4 hours" in dl  # median of 2 h and 6 h
    # neg1 in progress, neg3 awaiting; all six fit this page, so the count is not a link.
    assert page.select("dl.responsiveness dd")[-1].get_text(strip=True) == "2"


def test_an_answer_dated_at_its_review_says_no_time_to_a_first_response(tmp_path):
    """An imported reply whose export kept no date is dated at its review: answered, but no
    "First response after 0 minutes" on the card, and nothing in the median."""
    files = [
        review("neg1", rating=1, date="2026-10-01 10:00"),
        response("neg1-1", "neg1", date="2026-10-01 10:00", body="Sorry, we refunded you."),
        review("neg2", rating=2, date="2026-10-02 10:00"),
        response("neg2-1", "neg2", date="2026-10-02 13:00", body="Sorry, a new one is on its way."),
    ]
    out = build(make_site(tmp_path, *files))
    dl = soup(out / "reviews" / "index.html").select_one("dl.responsiveness").get_text(" ", strip=True)
    assert "2 of 2 (100%)" in dl and "3 hours" in dl
    assert soup(out / "reviews/neg1/index.html").select_one(".fix-time") is None
    assert "3 hours" in soup(out / "reviews/neg2/index.html").select_one(".fix-time").get_text()


def test_dutch_site_formats_dates_and_numbers(tmp_path):
    files = [
        review("a", rating=4, date="2026-10-02 14:31"),
        review("b", rating=5, date="2026-10-01 10:00"),
        review("c", rating=4, date="2026-09-01 10:00"),
    ]
    page = soup(build(make_site(tmp_path, *files), DEFAULT_LANG="nl") / "reviews" / "index.html")
    assert page.html["lang"] == "nl"
    assert "2 oktober 2026" in page.get_text()
    assert page.select_one(".average-number").get_text(strip=True) == "4,3"


def test_review_without_title_or_author(tmp_path):
    out = build(make_site(tmp_path, ("reviews/bare.md", "Date: 2026-10-02 10:00\nRating: 3\n\nOk.\n")))
    card = soup(out / "reviews/bare/index.html").select_one("article.review")
    assert "A review with 3 out of 5 stars" in card.get_text()
    assert "Anonymous customer" in card.get_text()


def test_shop_without_products_or_reviews_still_builds(tmp_path):
    out = build(make_site(tmp_path))
    page = soup(out / "reviews" / "index.html")
    assert "No reviews yet." in page.get_text()
    assert not (out / "reviews" / "products").exists()


HOSTILE = [
    "<script>alert('x')</script>",
    '<img src=x onerror="alert(1)">',
    "[click](javascript:alert(1))",
    "[data](data:text/html;base64,PHNjcmlwdD4=)",
    '<iframe src="https://evil.example"></iframe>',
    '<svg onload="alert(1)"><use href="#x"/></svg>',
    "<a href='https://evil.example' onclick='alert(1)'>x</a>",
    '"><script>alert(2)</script>',
]


def test_hostile_review_renders_inert(tmp_path):
    body = "\n\n".join(HOSTILE)
    files = [
        review(
            "evil",
            rating=1,
            body=body,
            title='"><script>alert(3)</script>',
            author="<b onmouseover=alert(4)>Eve</b>",
            lang="en",
            source="imported:<script>alert(6)</script>",
        ),
        response("evil-1", "evil", body=body, author="<script>alert(5)</script>"),
    ]
    out = build(make_site(tmp_path, *files))
    for path in (out / "reviews/index.html", out / "reviews/evil/index.html"):
        page = soup(path)
        assert not page.find_all(["script", "iframe", "svg", "img", "object", "embed"])
        for tag in page.find_all(True):
            for attr, value in tag.attrs.items():
                assert not attr.startswith("on"), (tag, attr)
                if attr in ("href", "src"):
                    assert not str(value).strip().lower().startswith(("javascript:", "data:")), value
        # The customer's words are shown as text, not lost.
        assert "<script>alert('x')</script>" in page.get_text()
        assert '"><script>alert(3)</script>' in page.get_text()
        assert "Imported from <script>alert(6)</script>" in page.get_text()
    links = soup(out / "reviews/evil/index.html").select(".review-text a")
    assert all(a.get("rel") == ["nofollow", "ugc", "noopener"] for a in links)


def test_contact_details_in_text_are_hidden(tmp_path):
    body = "Mail me at jan@example.nl or call 06-12345678. My order BB-99887 was late."
    files = [
        review("r", rating=2, body=body, email="jan@example.nl", order="BB-99887"),
        response("r-1", "r", body="We found order BB-99887 and sent it again."),
    ]
    out = build(make_site(tmp_path, *files))
    for path in out.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        assert "jan@example.nl" not in text and "06-12345678" not in text and "BB-99887" not in text
    card = soup(out / "reviews/r/index.html").get_text()
    assert "[e-mail address hidden]" in card and "[phone number hidden]" in card
    assert "We found order [order number hidden]" in card


def test_every_internal_link_of_the_demo_resolves_to_a_written_file(demo_output):
    from urllib.parse import urldefrag, urlparse

    checked = 0
    for html in demo_output.rglob("*.html"):
        page = soup(html)
        for tag in page.find_all(["a", "link"], href=True):
            href = urldefrag(tag["href"])[0]
            if not href or urlparse(href).scheme in ("http", "https", "mailto"):
                continue
            target = (html.parent / urlparse(href).path).resolve()
            if target.is_dir() or href.endswith("/"):
                target = target / "index.html"
            assert target.exists(), (html.relative_to(demo_output), tag["href"])
            checked += 1
    assert checked > 1000


def test_page_one_is_small(demo_output):
    import gzip

    html = (demo_output / "reviews/index.html").read_bytes()
    css = (demo_output / "reviews/static/redress.css").read_bytes()
    assert len(gzip.compress(html)) + len(gzip.compress(css)) < 30 * 1024


def test_anchor_of_each_review_is_stable_and_unique(demo_output):
    page = soup(demo_output / "reviews/index.html")
    ids = [tag["id"] for tag in page.find_all(id=True)]
    assert len(ids) == len(set(ids))


def test_head_leaves_twitter_cards_to_open_graph(demo_output):
    """X reads og:title and og:description when twitter:title/description are absent: each is said once."""
    for path in (
        "reviews/index.html",
        "reviews/page/1/index.html",
        "reviews/2026-10-02-pakket-kwam-beschadigd-aan/index.html",
    ):
        head = soup(demo_output / path).head
        assert len(head.find_all("meta", property="og:title")) == 1, path
        assert len(head.find_all("meta", property="og:description")) == 1, path
        assert head.find("meta", attrs={"name": "description"}), path
        card = head.find("meta", attrs={"name": "twitter:card"})["content"]
        assert card == ("summary_large_image" if head.find("meta", property="og:image") else "summary"), path
        assert not head.find_all("meta", attrs={"name": ["twitter:title", "twitter:description"]}), path


#: Spaces a template's indentation leaves between tags (the text's own spacing is not matched).
INDENTATION = re.compile(r"\n[ \t]|[ \t]\n|>[ \t]{2,}|[ \t]{2,}<")


def test_cards_carry_no_template_indentation_but_keep_every_space_a_reader_sees(tmp_path):
    """A card is pasted into four or five pages: its markup has no indentation, its text is unchanged."""
    files = [
        review(
            "r", rating=2, author="Jan", title="Broken  mill", body="Two  spaces stay.\n\nSecond paragraph."
        ),
        response("r-1", "r", status="resolved", remedy="apology, refund", updated="2026-10-05 09:00"),
        review("s", rating=5, date="2026-10-01 10:00", author="Mia"),
    ]
    out = build(make_site(tmp_path, *files))
    for path in (out / "reviews/index.html", out / "reviews/r/index.html"):
        html = path.read_text(encoding="utf-8")
        for card in re.findall(r"<article.*?</article>", html, flags=re.S):
            assert not INDENTATION.search(card), card
        assert "Two  spaces stay." in html and "Broken  mill" in html  # the customer's own spacing
        page = soup(path)
        card = page.select_one("#review-r")
        assert card.select_one(".review-byline").get_text() == "Jan · October 2, 2026"
        meta = card.select_one(".entry-meta").get_text()
        assert meta == "Test shop (the shop) · October 3, 2026 · updated October 5, 2026", meta
        assert card.select_one(".entry-remedies").get_text() == "What we did: apology, refund"
        # The stars: one picture with its text. The glyphs are the picture's children,
        # which ARIA keeps from screen readers (role="img" has presentational children).
        stars = card.select_one(".stars")
        assert stars["role"] == "img" and stars["aria-label"] == "2 out of 5 stars"
        assert stars.get_text() == "★★☆☆☆"
    # Five stars of five: no empty "off" part.
    five = soup(out / "reviews/index.html").select_one("#review-s .stars")
    assert five.get_text() == "★★★★★" and five.select_one(".stars-off") is None
