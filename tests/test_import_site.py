"""`redress import`, the real command, into a real site, then built with Pelican and read back.

One shop imports real-shaped exports of Trustpilot, Google, Judge.me,
Shopify and Kiyoh (the builders in tests/import_exports/ write them byte
for byte as the platforms do) and is built: the page's numbers count the
imported reviews, replies sit beside their reviews, labels say where each
came from, a review with stars only is shown, no imported review is ever
structured data, and no e-mail address, IP address or platform id reaches
any file in output/. The command itself runs as a process, as a shop owner
runs it: its counts, its exit codes, and never a traceback.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import feedparser
import pytest
from conftest import soup, write
from import_exports import google, google_play, judgeme, kiyoh, shopify, trustpilot, woocommerce
from pelican import Pelican
from pelican.plugins.redress.content.shop import load_shop
from pelican.settings import read_settings
from sites import write_settings

SITEURL = "https://reviews.fietsenwinkel.test"
SHOP = "Fietsenwinkel De Ketting"
OWN_REVIEW = "eigen-review"


def redress(site: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    """`redress ARGS` in the site's folder, as a process."""
    done = subprocess.run(
        [sys.executable, "-m", "pelican.plugins.redress.cli", *args],
        cwd=site,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
        timeout=120,
    )
    assert "Traceback" not in done.stderr, done.stderr
    if check:
        assert done.returncode == 0, done.stdout + done.stderr
    return done


def build_site(site: Path) -> Path:
    Pelican(read_settings(str(site / "pelicanconf.py"))).run()
    return site / "output"


def new_site(folder: Path, **settings: object) -> Path:
    site = folder / "site"
    (site / "content").mkdir(parents=True)
    write_settings(site, SITEURL=SITEURL, **settings)
    return site


def count(line: str, output: str) -> int:
    """The number after ``line:`` in the command's summary."""
    match = re.search(rf"^\s*{re.escape(line)}: (\d+)", output, re.MULTILINE)
    assert match, f"no line {line!r} in:\n{output}"
    return int(match.group(1))


def review_files(site: Path) -> dict[str, str]:
    folder = site / "content" / "reviews"
    return {p.stem: p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.md"))}


def field(text: str, key: str) -> str | None:
    match = re.search(rf"^{key}: (.*)$", text.split("\n\n", 1)[0], re.MULTILINE)
    return match.group(1) if match else None


# -- one shop, five platforms -------------------------------------------------------------------


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("imported")
    exports = root / "exports"
    exports.mkdir()
    site = new_site(root, SITENAME=SHOP, DEFAULT_LANG="nl")
    write(site, "products/wollen-sokken.md", "Title: Wollen sokken\nSKU: WS-01\n\nWarme sokken.\n")
    write(
        site,
        f"reviews/{OWN_REVIEW}.md",
        "Date: 2024-01-05 10:00\nRating: 3\nAuthor: Eva\nProduct: wollen-sokken\nLang: nl\n\nPrima sokken.\n",
    )
    runs = {
        "trustpilot": [trustpilot.business_csv(exports), trustpilot.older_csv(exports)],
        "google": [google.api_json(exports)],
        "judgeme": [judgeme.write_csv(exports)],
        "shopify": [shopify.write_csv(exports)],
        "kiyoh": [kiyoh.write_json(exports)],
    }
    outputs = {}
    for platform, paths in runs.items():
        outputs[platform] = redress(site, "import", platform, *map(str, paths)).stdout
    (root / "first-run.json").write_text(json.dumps(outputs), encoding="utf-8")
    return {"site": site, "exports": exports, "output": build_site(site), "root": root}


def cards(output: Path, page: str = "reviews/index.html") -> dict[str, object]:
    found = {}
    for path in [output / page, *sorted((output / "reviews" / "page").glob("*/index.html"))]:
        for article in soup(path).select("article.review"):
            found[article["id"].removeprefix("review-")] = article
    return found


def test_the_counts_say_what_was_read_and_written(shop: dict[str, Path]) -> None:
    outputs = json.loads((shop["root"] / "first-run.json").read_text(encoding="utf-8"))
    files = review_files(shop["site"])
    written = {p: count("new reviews written", out) for p, out in outputs.items()}
    assert written == {p: sum(1 for s in files if f"-{p}-" in s) for p in outputs}
    assert outputs["trustpilot"].splitlines()[0] == "redress import Trustpilot: 5 rows read from 2 files"
    assert count("replies written", outputs["trustpilot"]) == 1
    assert count("skipped", outputs["judgeme"]) >= 1 and "not published on Judge.me" in outputs["judgeme"]
    # Judge.me's regenjas is new, its wollen-sokken the shop's own; Shopify finds both there.
    assert "products created: 1 (and 1 already there)" in outputs["judgeme"]
    assert "products created: 0 (and 2 already there)" in outputs["shopify"]
    assert all(count("problems", out) == 0 for out in outputs.values())


def test_the_page_counts_imported_reviews_in_its_numbers(shop: dict[str, Path]) -> None:
    ratings = [
        int(field(text, "Rating") or 0)
        for text in review_files(shop["site"]).values()
        if not field(text, "Withheld")
    ]
    page = soup(shop["output"] / "reviews" / "index.html")
    average = Decimal(sum(ratings)) / Decimal(len(ratings))
    expected = str(average.quantize(Decimal("0.1"), ROUND_HALF_UP)).replace(".", ",")
    assert page.select_one(".average-number").get_text(strip=True) == expected
    assert (
        page.select_one(".average-count").get_text(" ", strip=True) == f"op basis van {len(ratings)} reviews"
    )
    assert len(cards(shop["output"])) == len(ratings)
    assert len(ratings) > 15 and any(
        f"-{p}-" in s for s in review_files(shop["site"]) for p in ("kiyoh", "google")
    )


def test_replies_stand_beside_their_reviews_without_a_claimed_outcome(shop: dict[str, Path]) -> None:
    found = cards(shop["output"])
    (jan,) = [a for slug, a in found.items() if "trustpilot" in slug and "Prima winkel" in a.get_text()]
    (entry,) = jan.select(".thread .entry-shop")
    assert "Dank je Jan! Fijn dat het opgelost is." in entry.get_text()
    assert SHOP in entry.select_one(".entry-meta").get_text()
    assert not entry.select(".entry-status")  # no "Resolved": the export recorded no outcome
    assert jan.select_one(".fix-state").get_text(strip=True) == "Beantwoord"


def test_labels_name_the_platform_and_its_invitations(shop: dict[str, Path]) -> None:
    labels = {
        slug: [li.get_text(strip=True) for li in a.select(".labels li")]
        for slug, a in cards(shop["output"]).items()
    }
    names = {
        "trustpilot": "Trustpilot",
        "google": "Google",
        "judgeme": "Judge.me",
        "shopify": "Shopify",
        "kiyoh": "Kiyoh",
    }
    for slug, shown in labels.items():
        platform = next((p for p in names if f"-{p}-" in slug), None)
        if platform is None:
            assert slug == OWN_REVIEW and shown == []
            continue
        assert shown[0] == f"Overgenomen van {names[platform]}", (slug, shown)
        assert "Geverifieerde koper" not in shown and "Uitgenodigd" not in shown
    invited = [slug for slug, shown in labels.items() if "Uitgenodigd door Trustpilot" in shown]
    assert len(invited) == 3  # AFSv2, BasicLink, InvitationApi; never "Organic"
    how = soup(shop["output"] / "reviews" / "index.html").select_one("#how-reviews-work")
    assert "Uitgenodigd door …" in how.get_text()
    assert "We tonen de naam van de reviewer ingekort, zoals Jan de V." in how.get_text()
    embed = soup(shop["output"] / "reviews" / "widgets" / "embed.html").get_text(" ")
    assert "Overgenomen van Kiyoh" in embed or "Overgenomen van Google" in embed  # the newest three


def test_a_reply_the_export_kept_only_as_a_date_is_said_as_a_fact(shop: dict[str, Path]) -> None:
    (card,) = [a for a in cards(shop["output"]).values() if "Snel geleverd" in a.get_text()]
    assert card.select_one(".replied-on-platform").get_text(strip=True) == (
        f"{SHOP} reageerde op 2 maart 2024 op Trustpilot"
    )
    assert not card.select(".thread")


def test_a_review_with_stars_only_is_shown(shop: dict[str, Path]) -> None:
    files = review_files(shop["site"])
    (slug,) = [
        s
        for s, text in files.items()
        if "-google-" in s and text.rstrip().endswith("Source: imported:google")
    ]
    card = cards(shop["output"])[slug]
    assert card.select_one(".review-rating .rating-number").get_text() == "3/5"
    assert card.select_one(".review-author").get_text() == "Anonieme klant"
    assert not card.select(".review-text")
    own_page = soup(shop["output"] / "reviews" / slug / "index.html")
    assert own_page.select_one("h1") and own_page.select_one(f"#review-{slug}")
    data = json.loads((shop["output"] / "reviews" / "reviews.json").read_text(encoding="utf-8"))
    (item,) = [r for r in data["reviews"] if r["id"] == slug]
    assert item["body_text"] == "" and item["rating"] == 3
    assert item["labels"] == {
        "verified": False,
        "source": "imported",
        "platform": "google",
        "platform_name": "Google",
        "platform_invited": False,
    }
    feed = feedparser.parse((shop["output"] / "reviews" / "feed.rss").read_bytes())
    assert not feed.bozo and feed.entries


def test_kiyohs_scale_is_explained_where_its_reviews_are_shown(shop: dict[str, Path]) -> None:
    how = soup(shop["output"] / "reviews" / "index.html").select_one("#how-reviews-work .rescaled")
    assert how.get_text(strip=True).startswith("Kiyoh geeft cijfers van 1 tot 10.")
    files = review_files(shop["site"])
    kiyoh_ratings = sorted(int(field(t, "Rating") or 0) for s, t in files.items() if "-kiyoh-" in s)
    assert kiyoh_ratings == [1, 4, 5, 5]  # 2, 7.5 (as 8), 9, 10 on Kiyoh's scale
    product_page = soup(shop["output"] / "reviews" / "products" / "wollen-sokken" / "index.html")
    assert not product_page.select(".rescaled")  # no Kiyoh review there


def test_imported_reviews_are_never_structured_data(shop: dict[str, Path]) -> None:
    output = shop["output"]
    blocks = []
    for path in output.rglob("*.html"):
        for script in soup(path).select('script[type="application/ld+json"]'):
            blocks.append((path, json.loads(script.string)))
    assert blocks, "the product page of wollen-sokken has the shop's own review"
    for path, data in blocks:
        assert data["@type"] == "Product", path
        assert [r["author"]["name"] for r in data.get("review", [])] in ([], ["Eva"])
        assert data["aggregateRating"]["reviewCount"] == 1  # Eva's; imported ones do not count there
    socks = soup(output / "reviews" / "products" / "wollen-sokken" / "index.html")
    assert len(socks.select("article.review")) > 1  # the imported reviews are shown all the same


def test_nothing_private_reaches_the_output(shop: dict[str, Path]) -> None:
    private = set()
    for row in trustpilot.BUSINESS_ROWS + trustpilot.OLDER_ROWS:
        private |= {
            row[k]
            for k in ("Review Consumer User ID", "Business Unit ID", "Reference Id", "Location ID")
            if row.get(k)
        }
        private.add(row.get("Review ID") or row["Id"])
    for row in judgeme.ROWS:
        private |= {row["reviewer_email"], row["ip_address"]}
    private |= {row["email"] for row in shopify.ROWS}
    private |= {"example.nl", "example.fr", "example.de", "troll@", "@example.com"}
    private.discard("")
    leaks = []
    for path in shop["output"].rglob("*"):
        if path.is_file():
            text = path.read_bytes().decode("utf-8", errors="replace")
            leaks += [(path.relative_to(shop["output"]), value) for value in private if value in text]
    assert leaks == []
    assert not list(shop["output"].rglob("ledger.json"))
    emails = [field(t, "Email") for t in review_files(shop["site"]).values() if field(t, "Email")]
    assert "jan@example.nl" in emails  # kept, in the private field only


# -- the command as a shop owner runs it ---------------------------------------------------------------


def test_the_same_exports_again_write_nothing(shop: dict[str, Path]) -> None:
    site = shop["site"]
    content = site / "content"
    before = {p: p.stat().st_mtime_ns for p in content.rglob("*")}
    ledger = site / "imports" / "ledger.json"
    ledger_before = ledger.stat().st_mtime_ns
    files = sorted(str(p) for p in shop["exports"].iterdir())
    done = redress(site, "import", "auto", *files)
    assert count("new reviews written", done.stdout) == 0 and count("replies written", done.stdout) == 0
    assert count("already there", done.stdout) == len(review_files(site)) - 1  # all but the shop's own
    assert {p: p.stat().st_mtime_ns for p in content.rglob("*")} == before
    assert ledger.stat().st_mtime_ns == ledger_before


def test_a_dry_run_lists_what_it_would_write_and_writes_nothing(tmp_path: Path) -> None:
    site = new_site(tmp_path)
    export = trustpilot.older_csv(tmp_path)
    done = redress(site, "import", "trustpilot", str(export), "--dry-run")
    would = [line for line in done.stdout.splitlines() if line.startswith("would write ")]
    assert len(would) == 3 and all(line.startswith("would write content/") for line in would)
    assert count("new reviews would be written", done.stdout) == 2
    assert not list((site / "content").rglob("*.md")) and not (site / "imports").exists()


def test_bad_rows_exit_1_with_their_lines_and_the_rest_is_written(tmp_path: Path) -> None:
    site = new_site(tmp_path)
    rows = [dict(trustpilot.BUSINESS_ROWS[0]), {**trustpilot.BUSINESS_ROWS[2], "Review Stars": "vijf"}]
    export = trustpilot.business_csv(tmp_path, rows)
    done = redress(site, "import", "trustpilot", str(export), check=False)
    assert done.returncode == 1
    assert count("new reviews written", done.stdout) == 1 and count("problems", done.stdout) == 1
    problem = [line for line in done.stderr.splitlines() if f"{export}:3: " in line]
    assert len(problem) == 1 and "vijf" in problem[0], done.stderr
    assert "the rest was written" in done.stderr or "everything else was written" in done.stderr
    assert len(review_files(site)) == 1


def test_a_file_that_is_no_export_names_the_platform_and_what_it_found(tmp_path: Path) -> None:
    site = new_site(tmp_path)
    other = tmp_path / "orders.csv"
    other.write_text("order,email,total\nBB-1,a@example.com,12\n", encoding="utf-8")
    done = redress(site, "import", "trustpilot", str(other), check=False)
    assert done.returncode == 1 and "not a Trustpilot export" in done.stderr
    done = redress(site, "import", "auto", str(other), check=False)
    assert done.returncode == 2
    assert "not recognised as an export of any platform" in done.stderr
    assert "trustpilot, google, google-play, woocommerce, shopify, judgeme, kiyoh" in done.stderr
    assert not list((site / "content").rglob("*.md"))


def test_wrong_options_say_the_fix(tmp_path: Path) -> None:
    site = new_site(tmp_path)
    export = shopify.write_csv(tmp_path)
    done = redress(site, "import", "shopify", str(export), "--product", "sokken", check=False)
    assert (
        done.returncode == 2
        and "--product sokken: there is no product file products/sokken.md" in done.stderr
    )
    done = redress(site, "import", "shopify", str(export), "--lang", "Dutch!", check=False)
    assert done.returncode == 2 and "--lang" in done.stderr
    done = redress(site, "import", "shopify", str(tmp_path / "missing.csv"), check=False)
    assert done.returncode == 2 and "missing.csv: no such file" in done.stderr


def test_update_takes_a_platform_edit_but_never_a_hand_edit(tmp_path: Path) -> None:
    site = new_site(tmp_path)
    rows = [dict(r) for r in trustpilot.OLDER_ROWS]
    redress(site, "import", "trustpilot", str(trustpilot.older_csv(tmp_path, rows)))
    jan, priya = sorted((site / "content" / "reviews").glob("*.md"))
    priya.write_text(priya.read_text(encoding="utf-8").replace("Priya S.", "Priya"), encoding="utf-8")
    rows[0]["Review Content"] = "Kras was binnen een dag opgelost."
    rows[1]["Review Content"] = "Returned it; the refund took a week."
    newer = trustpilot.older_csv(tmp_path, rows, name="newer.csv")
    done = redress(site, "import", "trustpilot", str(newer))
    assert count("changed on Trustpilot (not updated: use --update)", done.stdout) == 1
    assert "binnen een week" in jan.read_text(encoding="utf-8")
    assert (
        count("left as they are (1 edited since the import wrote them, 0 not written by it)", done.stdout)
        == 1
    )
    done = redress(site, "import", "trustpilot", str(newer), "--update")
    assert count("updated", done.stdout) == 1 and "binnen een dag" in jan.read_text(encoding="utf-8")
    assert "refund came fast" in priya.read_text(encoding="utf-8")


def test_a_handle_that_is_a_products_sku_is_that_product(tmp_path: Path) -> None:
    """A shop whose Shopify handles are its SKUs: the review went to a new product "bb-esp-x1"."""
    site = new_site(tmp_path)
    write(site, "products/espresso-x1.md", "Title: Espresso X1\nSKU: BB-ESP-X1\n\nA machine.\n")
    row = shopify.row(
        product_handle="BB-ESP-X1", state="published", rating="5", title="Top", author="Els",
        body="Mooie machine.", created_at="2023-05-01 13:22:01 UTC",
    )  # fmt: skip
    done = redress(site, "import", "shopify", str(shopify.write_csv(tmp_path, [row], name="skus.csv")))
    assert "products created: 0 (and 1 already there)" in done.stdout, done.stdout
    (text,) = review_files(site).values()
    assert "Product: espresso-x1" in text


def test_an_older_export_run_after_a_newer_one_never_undoes_the_newer_edit(tmp_path: Path) -> None:
    """March's Google Play export after April's: it said "changed on Google Play" and, with
    --update, put the five stars back that the reviewer had taken down to two."""
    site = new_site(tmp_path)
    submitted, review_id = _utc("2024-03-09 21:13:45"), "gp:AOqpTOHabc123_xyz-1"
    march = google_play.console_csv(
        tmp_path, [google_play.console_row(submitted, 5, "Top app", review_id=review_id)], month="202403"
    )
    april = google_play.console_csv(
        tmp_path,
        [
            google_play.console_row(
                submitted, 2, "Na update slecht", review_id=review_id, updated=_utc("2024-04-02 08:00")
            )
        ],
        month="202404",
    )
    redress(site, "import", "google-play", str(april))
    (written,) = (site / "content" / "reviews").glob("*.md")
    for args in ([str(march)], [str(march), "--update"]):
        done = redress(site, "import", "google-play", *args)
        assert count("changed on Google Play (not updated: use --update)", done.stdout) == 0, done.stdout
        assert count("updated", done.stdout) == 0, done.stdout
        assert count("skipped", done.stdout) == 1, done.stdout
        text = written.read_text(encoding="utf-8")
        assert "Rating: 2" in text and "Na update slecht" in text and "Top app" not in text
    assert (
        "older than the version imported before (edited 2024-04-02 08:00 UTC), which stays"
        in done.stdout + done.stderr
    )
    # A ledger of an earlier version has no edit times: the next run of the newer export adds them.
    ledger = site / "imports" / "ledger.json"
    data = json.loads(ledger.read_text(encoding="utf-8"))
    data.pop("edited")
    ledger.write_text(json.dumps(data), encoding="utf-8")
    redress(site, "import", "google-play", str(april))
    assert json.loads(ledger.read_text(encoding="utf-8"))["edited"]
    done = redress(site, "import", "google-play", str(march), "--update")
    assert count("updated", done.stdout) == 0 and "Rating: 2" in written.read_text(encoding="utf-8")


@pytest.mark.parametrize("platform", ["shopify", "judgeme"])
def test_a_review_edited_on_the_platform_is_a_change_not_a_second_review(
    platform: str, tmp_path: Path
) -> None:
    """Shopify and Judge.me give no review id: the one made up must not change when the words do."""
    site = new_site(tmp_path)
    module, body = (shopify, "body") if platform == "shopify" else (judgeme, "body")
    rows = [dict(r) for r in module.ROWS]
    redress(site, "import", platform, str(module.write_csv(tmp_path, rows, name="first.csv")))
    before = review_files(site)
    rows[0][body] = "EDIT: na een maand nog steeds tevreden."
    edited = str(module.write_csv(tmp_path, rows, name="edited.csv"))
    done = redress(site, "import", platform, edited)
    assert count("new reviews written", done.stdout) == 0
    assert (
        count(
            f"changed on {'Shopify' if platform == 'shopify' else 'Judge.me'} (not updated: use --update)",
            done.stdout,
        )
        == 1
    )
    assert review_files(site) == before
    done = redress(site, "import", platform, edited, "--update")
    assert count("updated", done.stdout) == 1 and count("new reviews written", done.stdout) == 0
    after = review_files(site)
    assert after.keys() == before.keys()
    assert sum("na een maand nog steeds tevreden" in text for text in after.values()) == 1


def test_dates_the_build_would_refuse_are_row_problems_and_the_site_still_builds(tmp_path: Path) -> None:
    """Google's 9999-12-31 once ended the command with a traceback; 2999 was written and broke the build."""
    site = new_site(tmp_path)
    reviews = [
        google.review(
            "ok1", "FIVE", "2024-03-01T10:00:00Z", comment="Top!", reply=("Dank je!", "2024-03-02T09:00:00Z")
        ),
        google.review(
            "far1",
            "FOUR",
            "2024-03-01T10:00:00Z",
            comment="Goed.",
            reply=("Dank je!", "9999-12-31T23:59:00Z"),
        ),
        google.review(
            "far2",
            "THREE",
            "2024-03-01T10:00:00Z",
            comment="Gaat.",
            reply=("Dank je!", "2999-01-01T00:00:00Z"),
        ),
        google.review(
            "far3", "TWO", "2024-03-01T10:00:00Z", comment="Matig.", updated="9999-12-31T23:59:00Z"
        ),
    ]
    export = google.api_json(tmp_path, reviews)
    done = redress(site, "import", "google", str(export), check=False)
    assert done.returncode == 1 and count("new reviews written", done.stdout) == 1
    problems = [line.removeprefix("redress: ") for line in done.stderr.splitlines() if f"{export}:#" in line]
    assert sorted(problems) == [
        f"{export}:#2: reply date: '9999-12-31' is not a date between 1970 and 2100; check the year",
        f"{export}:#3: reply date: '2999-01-01' is not a date between 1970 and 2100; check the year",
        f"{export}:#4: updated: '9999-12-31' is not a date between 1970 and 2100; check the year",
    ]
    assert list(cards(build_site(site))) == [next(iter(review_files(site)))]


def test_a_long_cell_is_read_and_one_past_the_limit_names_its_row(tmp_path: Path) -> None:
    """The csv module stops at 131,072 characters; a review pasted from a blog is longer."""
    site = new_site(tmp_path)
    long_body = "Heel uitgebreid. " * 12_000  # 204,000 characters
    rows = [shopify.row(**{**shopify.ROWS[0], "body": long_body})]
    done = redress(site, "import", "shopify", str(shopify.write_csv(tmp_path, rows, name="long.csv")))
    assert count("new reviews written", done.stdout) == 1
    (text,) = review_files(site).values()
    assert text.endswith(long_body.strip() + "\n")
    broken = tmp_path / "broken.csv"
    shopify.write_csv(tmp_path, shopify.ROWS[:2], name="broken.csv")
    with broken.open("a", encoding="utf-8") as out:  # a quote never closed: the rest is one cell
        out.write('regenjas,published,4,Goed,Kees,,,"Droog gebleven.\n' + "x,y,z\n" * 200_000)
    done = redress(site, "import", "shopify", str(broken), check=False)
    assert done.returncode == 1 and done.stdout == ""
    assert done.stderr.startswith(
        f"redress: {broken}:4: this row, from line 5 on, cannot be read as CSV "
        "(field larger than field limit (1048576))."
    )
    assert f"import: {broken} could not be read; nothing was written." in done.stderr
    assert len(review_files(site)) == 1


def test_a_quote_in_a_cell_far_into_the_file_is_read_as_the_customer_wrote_it(tmp_path: Path) -> None:
    """Python's sniffer guessed from the first 8 KB that a file does not double its quotes
    when none of those rows had one: a review further on lost a quote or its words shifted."""
    site = new_site(tmp_path)
    plain = [
        shopify.row(
            product_handle="wollen-sokken", state="published", rating="5", title=f"Fijn {i}",
            author=f"Klant {i}", body=f"Warm en zacht, precies wat ik zocht, nummer {i}.",
            created_at=f"2023-05-{i % 28 + 1:02d} 13:22:01 UTC",
        )
        for i in range(80)
    ]  # fmt: skip
    quoted = shopify.row(
        product_handle="wollen-sokken", state="published", rating="4", title="Past",
        author="Bob", body='Hij zei "geweldig" echt waar, maat 43', created_at="2024-02-01 10:00:00 UTC",
    )  # fmt: skip
    export = shopify.write_csv(tmp_path, [*plain, quoted], name="late.csv")
    assert export.stat().st_size > 8192 and export.read_text(encoding="utf-8").count('""') == 2
    done = redress(site, "import", "shopify", str(export))
    assert count("new reviews written", done.stdout) == 81
    (bob,) = [text for text in review_files(site).values() if "Author: Bob" in text]
    assert bob.endswith('\n\nHij zei "geweldig" echt waar, maat 43\n'), bob


def test_a_row_with_more_cells_than_the_header_names_its_row_and_writes_nothing(tmp_path: Path) -> None:
    """A separator inside a cell that is not quoted makes a cell too many: its words would land in
    the next column, or the last would be dropped without a word."""
    site = new_site(tmp_path)
    export = shopify.write_csv(tmp_path, shopify.ROWS[:1], name="shifted.csv")
    with export.open("a", encoding="utf-8") as out:
        out.write(
            "wollen-sokken,published,3,Gaat wel,Piet,,Utrecht,Te groot, wel warm,,2023-08-01 10:00:00 UTC,\n"
        )
    done = redress(site, "import", "shopify", str(export), check=False)
    assert done.returncode == 1 and done.stdout == ""
    assert done.stderr.startswith(
        f"redress: {export}:3: this row, from line 4 on, cannot be read as CSV (it has 12 cells where "
        "the header row names 11; a cell with a ',' in it must be in double quotes)."
    ), done.stderr
    assert not review_files(site)


def test_a_row_with_fewer_cells_than_the_header_names_its_row_and_writes_nothing(tmp_path: Path) -> None:
    """A line break in a cell that is not quoted ends the row early: the rest of the review became
    a row of its own, skipped as one without a rating, and the customer's second line was lost."""
    site = new_site(tmp_path)
    export = shopify.write_csv(tmp_path, shopify.ROWS[:2], name="short.csv")
    with export.open("a", encoding="utf-8") as out:
        out.write(
            "wollen-sokken,published,3,Gaat wel,Piet,,Utrecht,Te groot\nmaar warm,,2023-08-01 10:00:00 UTC,\n"
        )
    done = redress(site, "import", "shopify", str(export), check=False)
    assert done.returncode == 1 and done.stdout == ""
    assert done.stderr.startswith(
        f"redress: {export}:4: this row, from line 5 on, cannot be read as CSV (it has 8 cells where "
        "the header row names 11; a cell with a line break in it must be in double quotes)."
    ), done.stderr
    assert not review_files(site)


def test_a_file_whose_rows_all_leave_out_their_empty_last_cells_is_read(tmp_path: Path) -> None:
    site = new_site(tmp_path)
    export = tmp_path / "trimmed.csv"
    export.write_text(
        "product_handle,state,rating,title,author,email,location,body,reply,created_at,replied_at\n"
        "wollen-sokken,published,5,Warm,Els,,,Heerlijk warm.,,2023-08-01 10:00:00 UTC\n",
        encoding="utf-8",
    )
    done = redress(site, "import", "shopify", str(export))
    assert count("new reviews written", done.stdout) == 1


@pytest.mark.parametrize("delimiter", [";", ","])
def test_the_separator_is_read_from_the_header_whatever_the_first_review_holds(
    tmp_path: Path, delimiter: str
) -> None:
    """A long first review full of commas and semicolons: guessed from the file's first 8 KB,
    the separator came out wrong and the whole file "was not a Shopify export"."""
    site = new_site(tmp_path)
    long_body = "\n\n".join(f"Alinea {i}: warm, zacht; en goed, echt; waar, ja." for i in range(400))
    first = shopify.row(
        product_handle="wollen-sokken", state="published", rating="4", title="Lang verhaal",
        author="Ans", body=long_body, created_at="2023-05-01 13:22:01 UTC",
    )  # fmt: skip
    export = shopify.write_csv(
        tmp_path, [first, *shopify.ROWS[1:3]], name="long-first.csv", delimiter=delimiter
    )
    assert export.stat().st_size > 8192
    done = redress(site, "import", "shopify", str(export))
    assert count("new reviews written", done.stdout) == 3
    (ans,) = [text for text in review_files(site).values() if "Author: Ans" in text]
    assert ans.endswith(long_body + "\n")


def test_a_row_in_another_encoding_leaves_the_other_rows_as_they_were_and_is_named(tmp_path: Path) -> None:
    """One row pasted in from Excel (cp1252) into a UTF-8 export: the whole file was read as
    cp1252, and every other review's accents and emoji came out garbled, without a word."""
    site = new_site(tmp_path)
    export = shopify.write_csv(
        tmp_path,
        [shopify.row(
            product_handle="wollen-sokken", state="published", rating="5", title="Très bien",
            author="Zoé", body="Café très bon 😀 – merci", created_at="2023-05-01 13:22:01 UTC",
        )],
        name="mixed.csv",
    )  # fmt: skip
    with export.open("ab") as out:
        out.write(
            "wollen-sokken,published,4,Prima,Zoë,,,Mooi geleverd,,2023-05-02 10:00:00 UTC,\n".encode("cp1252")
        )
    done = redress(site, "import", "shopify", str(export))
    assert count("new reviews written", done.stdout) == 2
    texts = "\n".join(review_files(site).values())
    assert "Café très bon 😀 – merci" in texts and "Author: Zoé" in texts and "Author: Zoë" in texts
    assert f"{export}: line 3 is not UTF-8, as the rest of the file is; read as Windows-1252." in done.stderr


def test_a_binary_file_is_named_as_binary_and_no_control_byte_reaches_the_terminal(tmp_path: Path) -> None:
    site = new_site(tmp_path)
    photo = tmp_path / "photo.csv"
    photo.write_bytes(bytes(range(256)) * 12)  # a photo saved with the wrong name, say
    text = tmp_path / "colours.csv"
    text.write_bytes(b"product_handle,state\x1b[2J,rating,title\nx,published,5,Fijn\n")
    for path, found in (
        (photo, "found: binary data, not a table of text"),
        (text, "found: product_handle, state\\x1b[2J, rating, title"),
    ):
        done = redress(site, "import", "shopify", str(path), check=False)
        assert done.returncode == 1 and found in done.stderr, done.stderr
        assert not [ch for ch in done.stderr if not ch.isprintable() and ch != "\n"]


def test_a_run_killed_half_way_leaves_whole_files_and_the_next_run_writes_no_reply_twice(
    tmp_path: Path,
) -> None:
    """``kill -9`` while files are being written, then the same command again: every reply once."""
    site = new_site(tmp_path)
    start = dt.datetime(2020, 1, 1, 9, 0)
    rows = [
        {
            **trustpilot.OLDER_ROWS[0],
            "Id": f"{number:024x}",
            "Review Created (UTC)": f"{start + dt.timedelta(hours=number):%Y-%m-%d %H:%M:%S}",
            "Company Reply Date (UTC)": f"{start + dt.timedelta(hours=number, minutes=30):%Y-%m-%d %H:%M:%S}",
        }
        for number in range(KILLED_ROWS)
    ]
    export = str(trustpilot.older_csv(tmp_path, rows, name="reviews.csv"))
    responses = site / "content" / "responses"
    process = subprocess.Popen(
        [sys.executable, "-m", "pelican.plugins.redress.cli", "import", "trustpilot", export],
        cwd=site,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while process.poll() is None and time.monotonic() < deadline:
        with contextlib.suppress(FileNotFoundError):
            if len(os.listdir(responses)) >= KILLED_ROWS // 10:
                break
        time.sleep(0.002)
    process.kill()
    assert process.wait() == -signal.SIGKILL  # killed while writing, not after
    assert not (site / "imports" / "ledger.json").exists()
    settings = read_settings(str(site / "pelicanconf.py"))
    load_shop(settings)  # every file under its name is whole: the build reads each one
    done = redress(site, "import", "trustpilot", export)
    assert "left as they are" not in done.stdout
    new, there = count("new reviews written", done.stdout), count("already there", done.stdout)
    replies = count("replies written", done.stdout)
    replies_there = count("replies already there", done.stdout)  # the killed run's, found again
    assert new + there == KILLED_ROWS and replies + replies_there == KILLED_ROWS and there > 0
    assert len(list(responses.glob("*.md"))) == KILLED_ROWS
    shown = load_shop(settings).reviews
    assert len(shown) == KILLED_ROWS and all(len(review.thread) == 1 for review in shown)


#: Rows of the export the killed run reads: enough that writing them takes a while.
KILLED_ROWS = 3000


# -- every platform, named and recognised ---------------------------------------------------------------


def _utc(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC)


def _google_play(folder: Path) -> list[Path]:
    rows = [
        google_play.console_row(
            _utc("2024-03-01 14:22:10"),
            5,
            "Handig om mijn onderhoudsbeurt te plannen.",
            review_id="gp:AOqpTOHx1y2z3w4v5u6t7s8r9q0p",
            reply=("Dank je wel!", _utc("2024-03-02 09:00")),
        ),
        google_play.console_row(_utc("2024-03-05 07:00"), 4, review_id="gp:AOqpTOIa2b3c4d5e6f7g8h9i0j1k"),
    ]
    return [google_play.console_csv(folder, rows)]


EXPORTS: dict[str, tuple[str, Callable[[Path], list[Path]]]] = {
    "trustpilot": ("Trustpilot", lambda f: [trustpilot.business_xlsx(f), trustpilot.page_html(f)]),
    "google": ("Google", lambda f: [google.takeout_zip(f)]),
    "google-play": ("Google Play", _google_play),
    "woocommerce": (
        "WooCommerce",
        lambda f: [woocommerce.write_rest_reviews(f), woocommerce.write_wp_comments(f)],
    ),
    "shopify": ("Shopify", lambda f: [shopify.write_csv(f, encoding="cp1252", newline="\r\n")]),
    "judgeme": ("Judge.me", lambda f: [judgeme.write_csv(f, bom=True)]),
    "kiyoh": ("Kiyoh", lambda f: [kiyoh.write_xml(f)]),
}


@pytest.mark.parametrize("platform", list(EXPORTS))
def test_every_platform_imports_by_name_and_by_auto_onto_a_page(platform: str, tmp_path: Path) -> None:
    name, make_files = EXPORTS[platform]
    exports = tmp_path / "exports"
    exports.mkdir()
    paths = [str(p) for p in make_files(exports)]
    named = new_site(tmp_path / "named")
    done = redress(named, "import", platform, *paths)
    assert done.stdout.startswith(f"redress import {name}: ")
    written = count("new reviews written", done.stdout)
    assert written >= 2 and count("problems", done.stdout) == 0
    auto = new_site(tmp_path / "auto")
    redress(auto, "import", "auto", *paths)
    contents = {p.relative_to(named): p.read_bytes() for p in (named / "content").rglob("*.md")}
    assert contents == {p.relative_to(auto): p.read_bytes() for p in (auto / "content").rglob("*.md")}
    output = build_site(named)
    shown = cards(output)
    assert len(shown) + count("withheld", done.stdout) == written
    for slug, card in shown.items():
        assert f"-{platform}-" in slug
        assert card.select_one(".label-imported").get_text(strip=True) == f"Imported from {name}"
    again = redress(named, "import", platform, *paths)
    assert count("new reviews written", again.stdout) == 0 and count("already there", again.stdout) == written
    shutil.rmtree(tmp_path / "auto")


def test_a_page_of_ten_says_how_five_stars_became_ten(tmp_path: Path) -> None:
    site = new_site(tmp_path, REVIEWS_SCALE=10)
    redress(site, "import", "trustpilot", str(trustpilot.older_csv(tmp_path)))
    output = build_site(site)
    ratings = sorted(c.select_one(".rating-number").get_text() for c in cards(output).values())
    assert ratings == ["6/10", "8/10"]  # Trustpilot's 3 and 4 stars
    how = soup(output / "reviews" / "index.html").select_one("#how-reviews-work .rescaled")
    assert how.get_text(strip=True).startswith("Trustpilot rates with 1 to 5 stars.")
