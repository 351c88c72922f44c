"""Measure `redress inbox publish` on 1,000 reviews with the same title, and check it wrote them all.

Why: a popular title ("Great") gives every review the same file name to
start from. The writer once tried ``great-2.md`` … ``great-999.md``, reading
each taken file again, and gave up with a traceback after half a minute; and
two reviews with the same words in the same minute became one file. This
script makes a temporary site and inbox, takes 1,000 posts titled "Great"
with the same text (each from its own address, so each is a submission of
its own; ``--different-texts`` gives each its own words) through the
inbox's own intake, runs the real ``publish`` on a real SQLite store, and
prints the time and one ``bench:`` line for CI logs.

It fails (exit 2) unless 1,000 review files were written, one per
submission, and a second run writes nothing: a fast run that lost reviews
is no result. Most of the time is the ``fsync`` of each file, which makes
a written review survive a power cut.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT / "tests"))
import sites  # noqa: E402 - the tests' site helpers: one copy of a test site's settings

SECRET = "bench-secret-0123456789abcdefghijklmnopqrstuv"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=1000, help="how many same-titled posts (default 1000)")
    parser.add_argument(
        "--different-texts",
        action="store_true",
        help="give each post a text of its own (same title): no file is like another",
    )
    args = parser.parse_args(argv)

    from pelican.plugins.redress.inbox.config import load_config
    from pelican.plugins.redress.inbox.intake import Intake
    from pelican.plugins.redress.inbox.publish import publish
    from pelican.plugins.redress.inbox.store import open_store

    with tempfile.TemporaryDirectory(prefix="bench-publish-") as temp:
        site = Path(temp) / "site"
        for sub in ("reviews", "responses", "products"):
            (site / "content" / sub).mkdir(parents=True)
        settings = sites.write_settings(site, SITEURL="https://bench.example", comment="bench_publish.py")
        config = load_config(settings, environ={**os.environ, "REDRESS_SECRET": SECRET})
        store = open_store(config.database, config.synchronous)
        intake = Intake(store, config.secret, int(config.rs["REVIEWS_SCALE"]), set(), "en")
        received = dt.datetime(2026, 10, 2, 12, 0, tzinfo=dt.UTC)
        fields = {
            "rating": "5",
            "title": "Great",
            "text": "Great beans, quick delivery, would order again.",
            "name": "",
            "email": "",
            "order": "",
            "lang": "en",
            "consent": "yes",
        }
        for n in range(args.posts):
            client = f"10.{n // 65536}.{n // 256 % 256}.{n % 256}"
            text = f"{fields['text']} Post {n}." if args.different_texts else fields["text"]
            outcome = intake.receive("review", dict(fields, text=text), client=client, now=received)
            if outcome.result != "accepted":
                print(f"bench_publish: post {n} was {outcome.result}, not accepted", file=sys.stderr)
                return 2

        later = received + dt.timedelta(days=7)
        start = time.perf_counter()
        report = publish(config, store, now=later)
        seconds = time.perf_counter() - start
        again = publish(config, store, now=later)

        written = sorted((site / "content" / "reviews").glob("*.md"))
        recorded = {path for _id, path in report.written}
        problems = [
            f"{len(written)} files in reviews/, not {args.posts}" if len(written) != args.posts else "",
            f"{len(recorded)} distinct files recorded, not {args.posts}"
            if len(recorded) != args.posts
            else "",
            f"problems: {report.problems[:3]}" if report.problems else "",
            f"a second run wrote {len(again.written)}" if again.written else "",
        ]
        store.close()
    problems = [p for p in problems if p]
    each_ms = seconds / args.posts * 1000
    print(f"publish: {args.posts} reviews titled 'Great' in {seconds:.2f} s ({each_ms:.2f} ms each)")
    print(f"bench: publish_{args.posts}_same_title_s={seconds:.3f}")
    if problems:
        print("bench_publish: FAILED: " + "; ".join(problems), file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
