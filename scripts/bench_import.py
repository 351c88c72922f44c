"""Measure `redress import` on a Trustpilot export of 100,000 reviews, and check it wrote them all.

Why: a shop that moves from Trustpilot brings years of reviews at once, and
the import must take them in well under a minute on a small machine (the
target is 30 s for 100,000 rows on two cores). This script writes a
real-shaped Trustpilot business export (the older columns, with reviewers'
names, reply texts and languages, 10% of the rows without a language so
py3langid guesses it among the shop's two languages; written by the test
suite's builder, UTF-8 with a BOM and CRLF) into a temporary folder, makes a
site with tests/sites.py and runs the real command on it, in this process,
as `redress import trustpilot reviews.csv` would.

It fails (exit 2) unless every review and reply became a file, and, with
``--again``, unless a second run writes nothing. The last line is for CI
logs: ``bench: rows=100000 written=... seconds=... rows_per_s=...``, where
``written`` counts the files found on disk afterwards.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import io
import os
import random
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT / "tests"))
import sites  # noqa: E402 - the tests' site helpers: one copy of a test site's settings
from import_exports import trustpilot  # noqa: E402 - the tests' builder of Trustpilot's export

DUTCH = [
    "Snel geleverd en goed verpakt.",
    "De fiets was al afgesteld, heel fijn.",
    "Klantenservice reageerde binnen een uur op mijn vraag over de levering.",
    "Helaas kwam het pakket beschadigd aan, maar het werd netjes opgelost.",
]
ENGLISH = [
    "Fast delivery and well packed.",
    "The bike arrived ready to ride, great service.",
    "Customer service answered my question about delivery within an hour.",
    "The parcel arrived damaged, but they sorted it out quickly.",
]
NAMES = ["Jan de Vries", "Priya Sharma", "Anna van der Berg", "Tom Hendriks", "Sanne", "Michael O'Brien"]


def rows(count: int, seed: int = 11) -> tuple[list[dict[str, str]], int]:
    """``count`` rows of the older export; about a third answered. Returns them and the replies."""
    pick = random.Random(seed)
    start = dt.datetime(2015, 1, 1, 8, 0)
    out = []
    replies = 0
    for number in range(count):
        dutch = pick.random() < 0.6
        text = " ".join(pick.sample(DUTCH if dutch else ENGLISH, 2))
        answered = pick.random() < 0.33
        replies += answered
        created = start + dt.timedelta(minutes=41 * number)
        out.append(
            {
                "Id": f"{number:08x}{pick.getrandbits(64):016x}",
                "Review Created (UTC)": f"{created:%Y-%m-%d %H:%M:%S}",
                "Review Consumer User ID": f"{pick.getrandbits(96):024x}",
                "Review Username": pick.choice(NAMES),
                "Review Title": text.split(".")[0][:60],
                "Review Content": text,
                "Review Stars": f"{pick.choice([1, 2, 3, 4, 4, 5, 5, 5])}.0",
                "Source Of Review": pick.choice(["AFSv2", "Organic", "BasicLink"]),
                "Reference Id": f"ORD-{number:07d}",
                "Company Response": "Dank je wel voor je review!" if answered else "",
                "Company Reply Date (UTC)": f"{created + dt.timedelta(hours=5):%Y-%m-%d %H:%M:%S}"
                if answered
                else "",
                "Review Language": "" if pick.random() < 0.1 else ("nl" if dutch else "en"),
                **trustpilot.SHOP,
                "Tags": "",
            }
        )
    return out, replies


def files_in(folder: Path) -> int:
    try:
        return sum(1 for entry in os.scandir(folder) if entry.name.endswith(".md"))
    except FileNotFoundError:
        return 0


def run_import(settings: Path, export: Path) -> tuple[int, str]:
    from pelican.plugins.redress.cli import main as redress

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = redress(["import", "trustpilot", str(export), "--settings", str(settings)])
    return code, out.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000, help="reviews in the export (default 100000)")
    parser.add_argument(
        "--again", action="store_true", help="import the same file a second time and time that too"
    )
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="bench-import-") as temp:
        folder = Path(temp)
        site = folder / "site"
        (site / "content").mkdir(parents=True)
        settings = sites.write_settings(
            site, DEFAULT_LANG="nl", I18N_SUBSITES={"en": {}}, comment="bench_import.py"
        )
        made, replies = rows(args.rows)
        export = trustpilot.older_csv(folder, made, name="reviews.csv")
        print(f"export: {export.stat().st_size / 1e6:.1f} MB, {args.rows} rows, {replies} with a reply")

        started = time.perf_counter()
        code, output = run_import(settings, export)
        seconds = time.perf_counter() - started
        print(output.rstrip())
        reviews = files_in(site / "content" / "reviews")
        responses = files_in(site / "content" / "responses")
        written = reviews + responses
        if code != 0 or reviews != args.rows or responses != replies:
            print(
                f"bench_import: FAILED: exit {code}, {reviews} review files for {args.rows} rows, "
                f"{responses} responses for {replies} replies",
                file=sys.stderr,
            )
            return 2
        if args.again:
            again_started = time.perf_counter()
            code, output = run_import(settings, export)
            again = time.perf_counter() - again_started
            print(f"second run: {again:.1f} s")
            if code != 0 or "new reviews written: 0" not in output or "replies written: 0" not in output:
                print("bench_import: FAILED: the second run wrote something\n" + output, file=sys.stderr)
                return 2
        print(
            f"bench: rows={args.rows} written={written} seconds={seconds:.1f} "
            f"rows_per_s={args.rows / seconds:.0f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
