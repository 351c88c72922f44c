"""A rebuild gives, file for file, what a first build of the same content gives.

Every rebuild keeps what it can of the last one: parsed files, redacted
threads, cards, pages and whole product listings whose inputs did not
change. Each of those is a place where an old page could stay online after
the content moved on: a withheld review's words, an old rating in a summary,
a page number that no longer exists. So a shop is changed step by step, the
way owners and the inbox change it (reviews arriving old and new, responses,
follow-ups, edits, withholding, deletions, a product renamed or added, a
review's file renamed, a mistake that fails the build and then its fix, a
file saved unchanged), and after each step the rebuilt output is compared
with a first build of a copy of the same content, in a folder of its own
with no output and no cache yet.

Each case takes every kind of step at least once. With the forked-process
thresholds lowered, the rebuilds run through the paths a big shop takes (a
forked parser, card maker, page writer and page check), which a small test
site would otherwise never reach; the first build it is compared with takes
the usual ones.
"""

from __future__ import annotations

import datetime as dt
import logging
import random
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import build, make_site, response, review, write
from pelican.log import LimitLogger
from pelican.plugins.redress.errors import RedressError

PRODUCTS = ("mug", "grinder", "beans", "scale")
SETTINGS = {"REVIEWS_PER_PAGE": 3, "REVIEWS_ARCHIVE_PER_PAGE": 2}
WORDS = "good bad slow fast broken lovely cold late fine arrived again never always coffee".split()


def files_of(out: Path) -> dict[str, bytes]:
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def product_file(slug: str, title: str) -> tuple[str, str]:
    return f"products/{slug}.md", f"Title: {title}\nSku: SKU-{slug}\n\nA {slug}.\n"


class Shop:
    """The content of a test shop, changed one random step at a time."""

    def __init__(self, rng: random.Random, site: Path, settings: dict[str, object], forked: bool):
        self.rng = rng
        self.site = site
        self.settings = settings
        self.forked = forked
        self.reviews: dict[str, dict[str, str]] = {}
        self.responses: dict[str, tuple[str, dict[str, str]]] = {}
        self.count = 0
        self.products = list(PRODUCTS)
        #: Products removed since the last rebuild.
        self.dropped: list[str] = []

    def text(self) -> str:
        return " ".join(self.rng.choice(WORDS) for _ in range(self.rng.randint(3, 12))).capitalize() + "."

    def date(self, after: str | None = None) -> str:
        """A review's date in 2026, or an entry's, up to three days after ``after``."""
        if after is None:
            when = dt.datetime(2026, 1, 1) + dt.timedelta(minutes=self.rng.randint(0, 300 * 24 * 60))
        else:
            when = dt.datetime.fromisoformat(after) + dt.timedelta(minutes=self.rng.randint(1, 3 * 24 * 60))
        return f"{when:%Y-%m-%d %H:%M}"

    def save_review(self, slug: str) -> None:
        fields = dict(self.reviews[slug])
        rating, date, body = fields.pop("rating"), fields.pop("date"), fields.pop("body")
        write(self.site, *review(slug, rating=rating, date=date, body=body, **fields))

    def save_response(self, slug: str) -> None:
        review_slug, fields = self.responses[slug]
        fields = dict(fields)
        date, body = fields.pop("date"), fields.pop("body")
        write(self.site, *response(slug, review_slug, date=date, body=body, **fields))

    def some_review(self) -> str:
        """A review chosen at random (one is written first when the shop has none)."""
        if not self.reviews:
            self.add_review()
        return self.rng.choice(sorted(self.reviews))

    # -- the steps ------------------------------------------------------------------------

    def add_review(self) -> None:
        self.count += 1
        slug = f"r{self.count}"
        fields = {
            "rating": str(self.rng.randint(1, 5)),
            "date": self.date(),
            "body": self.text(),
            "title": self.text()[:30],
            "author": self.rng.choice(["Anna", "Piet", "Mari", "Jo"]),
        }
        if self.rng.random() < 0.8:
            fields["product"] = self.rng.choice(self.products)
        if self.rng.random() < 0.3:
            fields["lang"] = self.rng.choice(["nl", "et"])
        if self.rng.random() < 0.4:
            fields["verified"] = "yes"
        self.reviews[slug] = fields
        self.save_review(slug)

    def add_response(self) -> None:
        shown = [s for s, f in self.reviews.items() if "withheld" not in f]
        if not shown:
            return self.add_review()
        review_slug = self.rng.choice(shown)
        after = [f["date"] for r, f in self.responses.values() if r == review_slug]
        fields = {"date": self.date(max([self.reviews[review_slug]["date"], *after])), "body": self.text()}
        if after and self.rng.random() < 0.4:
            fields["from"] = "customer"
            fields["resolved"] = self.rng.choice(["yes", "no"])
        else:
            fields["status"] = self.rng.choice(["in-progress", "resolved", "no-action"])
            if self.rng.random() < 0.5:
                fields["remedy"] = self.rng.choice(["refund", "replacement", "apology"])
        self.count += 1
        slug = f"{review_slug}-e{self.count}"
        self.responses[slug] = (review_slug, fields)
        self.save_response(slug)

    def edit_review(self) -> None:
        slug = self.some_review()
        fields = self.reviews[slug]
        what = self.rng.choice(["rating", "body", "product", "title", "date", "author", "lang", "verified"])
        if what == "rating":
            fields["rating"] = str(self.rng.randint(1, 5))
        elif what == "body":
            fields["body"] = self.text()
        elif what == "product":
            fields["product"] = self.rng.choice(self.products)
        elif what == "date":
            # Re-dated (a typo fixed, an import run again): it moves between archive pages.
            answered = [f["date"] for r, f in self.responses.values() if r == slug]
            first = min(answered, default="2026-12-31 23:59")
            fields["date"] = min(self.date(), first)
        elif what == "author":
            fields["author"] = self.rng.choice(["Anna", "Piet", "Mari", "Jo", "Kadri"])
        elif what == "lang":
            fields["lang"] = self.rng.choice(["nl", "et", "en"])
        elif what == "verified":
            fields["verified"] = "no" if fields.get("verified") == "yes" else "yes"
        else:
            fields["title"] = self.text()[:30]
        self.save_review(slug)

    def edit_response(self) -> None:
        """A response's status, remedy, words or date changed, or a customer's say turned round."""
        if not self.responses:
            return self.add_response()
        slug = self.rng.choice(sorted(self.responses))
        review_slug, fields = self.responses[slug]
        if "resolved" in fields:
            fields["resolved"] = "no" if fields["resolved"] == "yes" else "yes"
        else:
            what = self.rng.choice(["status", "remedy", "body", "date"])
            if what == "status":
                fields["status"] = self.rng.choice(["in-progress", "resolved", "no-action"])
            elif what == "remedy":
                fields["remedy"] = self.rng.choice(["refund", "replacement", "apology", "discount"])
            elif what == "body":
                fields["body"] = self.text()
            else:
                fields["date"] = self.date(self.reviews[review_slug]["date"])
        self.save_response(slug)

    def move_response(self) -> None:
        """A response filed under the wrong review, pointed at the right one."""
        if not self.responses:
            return self.add_response()
        slug = self.rng.choice(sorted(self.responses))
        old, fields = self.responses[slug]
        others = [
            r
            for r, f in self.reviews.items()
            if r != old and "withheld" not in f and f["date"] <= fields["date"]
        ]
        if not others:
            return self.edit_response()
        self.responses[slug] = (self.rng.choice(sorted(others)), fields)
        self.save_response(slug)

    def drop_product(self) -> None:
        """A product leaves the catalog: its reviews are moved to the shop, then its file goes.

        Without a cache no record says which files were its pages: the build names the
        folders to delete, and the owner deletes them (see :meth:`rebuild`).
        """
        if len(self.products) < 2:
            return self.new_product()
        slug = self.rng.choice(self.products)
        self.products.remove(slug)
        self.dropped.append(slug)
        for review_slug, fields in self.reviews.items():
            if fields.get("product") == slug:
                del fields["product"]
                self.save_review(review_slug)
        (self.site / "content/products" / f"{slug}.md").unlink()

    def withhold(self) -> None:
        slug = self.some_review()
        fields = self.reviews[slug]
        if "withheld" in fields:
            del fields["withheld"]
        else:
            fields["withheld"] = self.rng.choice(["spam", "personal-data", "duplicate"])
        self.save_review(slug)

    def delete_review(self) -> None:
        slug = self.some_review()
        del self.reviews[slug]
        (self.site / "content/reviews" / f"{slug}.md").unlink()
        for entry, (review_slug, _fields) in list(self.responses.items()):
            if review_slug == slug:
                del self.responses[entry]
                (self.site / "content/responses" / f"{entry}.md").unlink()

    def delete_response(self) -> None:
        if not self.responses:
            return self.add_response()
        slug = self.rng.choice(sorted(self.responses))
        del self.responses[slug]
        (self.site / "content/responses" / f"{slug}.md").unlink()

    def rename_product(self) -> None:
        slug = self.rng.choice(self.products)
        write(self.site, *product_file(slug, f"{slug.capitalize()} {self.rng.randint(1, 99)}"))

    def rename_review(self) -> None:
        """A review's file renamed (its address changes), its responses pointed at the new name."""
        old = self.some_review()
        self.count += 1
        new = f"{old}-n{self.count}"
        self.reviews[new] = self.reviews.pop(old)
        (self.site / "content/reviews" / f"{old}.md").unlink()
        self.save_review(new)
        for entry, (review_slug, fields) in list(self.responses.items()):
            if review_slug == old:
                self.responses[entry] = (new, fields)
                self.save_response(entry)

    def new_product(self) -> None:
        """A product added to the catalog, and a review moved to it."""
        self.count += 1
        slug = f"kettle-{self.count}"
        self.products.append(slug)
        write(self.site, *product_file(slug, f"Kettle {self.count}"))
        if self.reviews:
            moved = self.rng.choice(sorted(self.reviews))
            self.reviews[moved]["product"] = slug
            self.save_review(moved)

    def break_and_fix(self) -> None:
        """A review saved with a mistake fails the build (nothing is written); then it is
        saved again as it was before, or with new words."""
        slug = self.some_review()
        path = self.site / "content/reviews" / f"{slug}.md"
        good = path.read_bytes()
        path.write_bytes(good.replace(b"Rating: ", b"Rating: 9", 1))
        with pytest.raises(RedressError):
            self.rebuild()
        if self.rng.random() < 0.5:
            path.write_bytes(good)
        else:
            self.reviews[slug]["body"] = self.text()
            self.save_review(slug)

    def save_unchanged(self) -> None:
        files = sorted((self.site / "content").rglob("*.md"))
        path = self.rng.choice(files)
        path.write_bytes(path.read_bytes())

    STEPS = (
        (add_review, 5),
        (add_response, 4),
        (edit_review, 3),
        (edit_response, 2),
        (move_response, 1),
        (drop_product, 1),
        (withhold, 1),
        (delete_review, 1),
        (delete_response, 1),
        (rename_product, 1),
        (rename_review, 1),
        (new_product, 1),
        (break_and_fix, 1),
        (save_unchanged, 1),
    )

    def plan(self, count: int) -> list[Callable[[Shop], None]]:
        """``count`` steps in a random order: every kind once, the rest drawn by weight."""
        kinds, weights = zip(*self.STEPS, strict=True)
        steps = list(kinds) + self.rng.choices(kinds, weights, k=max(0, count - len(kinds)))
        self.rng.shuffle(steps)
        return steps[:count]

    def rebuild(self) -> dict[str, bytes]:
        """The site rebuilt in its own folder, through the forked paths if asked.

        Without a cache, the folders the build names as a removed product's are
        deleted, as its warning asks the owner to; each removed product must be named.
        """
        warned = Warnings()
        leftovers = logging.getLogger("pelican.plugins.redress.site.leftovers")
        assert isinstance(leftovers, LimitLogger)
        leftovers.addHandler(warned)
        leftovers.disable_filter()  # Pelican says a warning once a process; each build must say it
        try:
            with pytest.MonkeyPatch.context() as patch:
                if self.forked:
                    lower_the_fork_thresholds(patch)
                out = build(self.site, **self.settings)
        finally:
            leftovers.enable_filter()
            leftovers.removeHandler(warned)
        if not self.settings["REVIEWS_CACHE"]:
            for slug in self.dropped:
                if not (out / "reviews/products" / slug).exists():
                    continue  # a product with no reviews had no page
                lines = [line for line in warned.lines if f"({slug})" in line]
                assert len(lines) == 1, f"no warning names the removed product {slug}'s pages"
                named = re.match(r"reviews: (.*) holds? the pages of a product", lines[0])
                assert named and f"reviews/products/{slug}/" in named.group(1)
                for folder in named.group(1).split(" and "):
                    assert slug in folder.split("/"), f"the warning names {folder}, not {slug}'s own folder"
                    shutil.rmtree(out / folder)
        self.dropped = []
        return files_of(out)


class Warnings(logging.Handler):
    """The lines a logger warned with."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


def first_build_of(site: Path, where: Path, settings: dict[str, object]) -> dict[str, bytes]:
    """A first build of ``site``'s content in a folder of its own: no output, no cache yet."""
    if where.exists():
        shutil.rmtree(where)
    shutil.copytree(site / "content", where / "content")
    return files_of(build(where, **settings))


def start(tmp_path: Path, rng: random.Random, settings: dict[str, object], forked: bool) -> Shop:
    site = make_site(tmp_path, *(product_file(slug, slug.capitalize()) for slug in PRODUCTS))
    shop = Shop(rng, site, settings, forked)
    for _ in range(14):
        shop.add_review()
    for _ in range(6):
        shop.add_response()
    return shop


def lower_the_fork_thresholds(monkeypatch: pytest.MonkeyPatch) -> None:
    """The paths a big shop takes: parsing, card making and page writing shared with a
    forked process (a few files at a time, so the child does some of each), the pages
    and the folders checked and listed by one, the report lines worked out in one, the
    parse cache written beside, kept as a base and a file of changes, and the review
    texts let go of once their pages are made."""
    from pelican.plugins.redress.content import cache, forked, reader
    from pelican.plugins.redress.site import cards, generator, output

    monkeypatch.setattr(forked.SharedQueue, "TAKE", 1)

    monkeypatch.setattr(reader, "FORK_MIN_FILES", 1)
    monkeypatch.setattr(reader, "FORK_WALK_MIN_BYTES", 1)
    monkeypatch.setattr(cards, "FORK_MIN_CARDS", 1)
    monkeypatch.setattr(output, "FORK_MIN_PAGES", 1)
    monkeypatch.setattr(output, "CHECK_BESIDE_MIN_BYTES", 1)
    monkeypatch.setattr(cache, "SAVE_BESIDE_MIN", 1)
    monkeypatch.setattr(cache, "REWRITE_MIN", 1)
    monkeypatch.setattr(generator, "RELEASE_MIN_REVIEWS", 1)
    monkeypatch.setattr(generator, "FORK_REPORT_MIN_REVIEWS", 1)


@pytest.mark.parametrize(
    ("seed", "way"),
    [(1, "cached"), (2, "cached"), (3, "forked"), (4, "forked"), (5, "no cache")],
    ids=["1", "2", "3-forked", "4-forked", "5-no-cache"],
)
def test_every_rebuild_gives_what_a_first_build_of_its_content_gives(tmp_path, seed, way):
    """Cached, through the forked paths, and with REVIEWS_CACHE off (where the pages
    that left the section are found by looking through the output instead). The first
    build to compare with always takes the usual paths: a forked path that went wrong
    the same way in both builds would otherwise pass."""
    settings = {**SETTINGS, "REVIEWS_CACHE": way != "no cache"}
    rng = random.Random(seed)
    shop = start(tmp_path, rng, settings, forked=way == "forked")
    shop.rebuild()
    done = ["first build"]
    for step in shop.plan(16):
        step(shop)
        done.append(step.__name__)
        rebuilt = shop.rebuild()
        assert "reviews/index.html" in rebuilt and len(rebuilt) > 40
        fresh = first_build_of(shop.site, tmp_path / "fresh", settings)
        names = rebuilt.keys() | fresh.keys()
        differ = sorted(name for name in names if rebuilt.get(name) != fresh.get(name))
        assert not differ, f"after {' > '.join(done)}: {differ[:8]} differ from a first build"
