"""`redress inbox publish` at its edges: file names, collisions, crashes, clock changes.

Each test takes posts through the inbox's own intake into a real store on
a temporary site (each test twice: a SQLite file, then a PostgreSQL
database), runs the real ``publish`` (or the command, in this process), and
reads back what was written, as files, through the reader, or as a built
site.
"""

from __future__ import annotations

import datetime as dt
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from inbox_server import build_site, database_rows, inbox_env, make_site, redress_here
from pelican.plugins.redress import tokens
from pelican.plugins.redress.content import files
from pelican.plugins.redress.content.rules import SLUG_CHARS
from pelican.plugins.redress.content.shop import load_shop
from pelican.plugins.redress.inbox.config import InboxConfig, load_config
from pelican.plugins.redress.inbox.intake import Intake
from pelican.plugins.redress.inbox.publish import PublishReport, publish, review_file, short_id
from pelican.plugins.redress.inbox.store import Store, open_store

RECEIVED = dt.datetime(2026, 10, 2, 12, 0, tzinfo=dt.UTC)


@dataclass
class Inbox:
    """A temporary site with its inbox: post like a customer, publish like the shop owner."""

    site: Path
    config: InboxConfig
    store: Store
    posts: int = 0

    @property
    def reviews(self) -> Path:
        return self.site / "content" / "reviews"

    def post(self, kind: str = "review", when: dt.datetime = RECEIVED, **fields: str) -> int:
        """One customer's post (each from an address of its own); returns the submission's id."""
        self.posts += 1
        form = {"rating": "4", "title": "", "text": "", "name": "", "email": "", "order": "", "lang": "en"}
        form = dict(form, consent="yes", **fields) if kind == "review" else dict(consent="yes", **fields)
        intake = Intake(self.store, self.config.secret, 5, set(), "en")
        outcome = intake.receive(kind, form, client=f"192.0.2.{self.posts}", now=when)
        assert outcome.result == "accepted", outcome
        assert outcome.submission_id is not None
        return outcome.submission_id

    def publish(self, now: dt.datetime = RECEIVED + dt.timedelta(days=1)) -> PublishReport:
        return publish(self.config, self.store, now=now)

    def path_of(self, submission_id: int) -> Path:
        submission = self.store.get(submission_id)
        assert submission is not None and submission.published_path, f"#{submission_id} was not published"
        return self.site / submission.published_path

    def forget_published(self) -> None:
        """As if the last run stopped after writing its files and before recording them."""
        database_rows(
            self.config.database, "UPDATE submissions SET published_path = NULL, published_at = NULL"
        )


@pytest.fixture
def inbox(tmp_path: Path, new_inbox_db: str) -> Iterator[Inbox]:
    site = make_site(tmp_path / "site", demo=False, db=new_inbox_db)
    config = load_config(site / "pelicanconf.py", environ=inbox_env())
    store = open_store(config.database)
    try:
        yield Inbox(site, config, store)
    finally:
        store.close()


def review_files(inbox: Inbox) -> list[Path]:
    return sorted(inbox.reviews.glob("*.md"))


def published_text(output: Path) -> str:
    return "\n".join(
        p.read_text(encoding="utf-8", errors="replace")
        for p in output.rglob("*")
        if p.is_file() and p.suffix in (".html", ".json", ".xml", ".rss", ".atom")
    )


# -- 3. no personal data in a file name --------------------------------------------------------


def test_file_names_carry_no_phone_order_email_or_iban(inbox: Inbox) -> None:
    ids = {
        "phone": inbox.post(title="Bel me terug 06-12345678", text="De molen maakt herrie."),
        "order": inbox.post(
            text="My order BB-77778 from piet.pieters@example.nl never arrived.",
            order="BB-77778",
            email="piet.pieters@example.nl",
        ),
        "lowercase": inbox.post(title="bb-77777 kwijt", text="Nooit aangekomen, helaas.", order="BB-77777"),
        "iban": inbox.post(title="Refund to NL91 ABNA 0417 1643 00 please", text="Twee keer betaald."),
        "only-private": inbox.post(title="06-12345678", text="5123 4567 helistage palun"),
    }
    report = inbox.publish()
    assert not report.problems
    names = {kind: inbox.path_of(i).stem for kind, i in ids.items()}
    assert names["phone"] == "2026-10-02-bel-me-terug"
    assert names["order"] == "2026-10-02-my-order-from-never-arrived"
    assert names["lowercase"] == "2026-10-02-kwijt"
    assert names["iban"] == "2026-10-02-refund-to-please"
    assert names["only-private"] == "2026-10-02-helistage-palun"
    output = build_site(inbox.site)
    published = published_text(output).lower()
    for secret in ("12345678", "77778", "77777", "pieters", "abna", "0417", "nl91", "5123"):
        assert secret not in published, secret


# -- 4. one post cannot block the others -------------------------------------------------------


def test_a_300_letter_word_makes_a_short_file_name_and_publishes_the_rest(inbox: Inbox) -> None:
    long_one = inbox.post(text="a" * 300)
    genuine = inbox.post(title="Lekbak gebarsten", text="De lekbak was gebarsten bij aankomst.", rating="1")
    done = redress_here(inbox.site, "publish")
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    name = inbox.path_of(long_one).name
    assert name == f"2026-10-02-{'a' * SLUG_CHARS}.md"
    assert inbox.path_of(genuine).name == "2026-10-02-lekbak-gebarsten.md"
    withheld = inbox.post(text="b" * 300)
    done = redress_here(inbox.site, "withhold", str(withheld), "--reason", "spam")
    assert done.returncode == 0, done.stderr
    assert "Withheld: spam" in inbox.path_of(withheld).read_text(encoding="utf-8")


def test_many_reviews_with_one_title_get_a_file_each_after_a_few_numbered_names(inbox: Inbox) -> None:
    ids = [inbox.post(title="Great", text="Great beans, quick delivery.") for _ in range(40)]
    report = inbox.publish()
    assert not report.problems
    names = [inbox.path_of(i).stem for i in ids]
    assert len(set(names)) == len(ids) == len(review_files(inbox))
    numbered = ["2026-10-02-great"] + [f"2026-10-02-great-{n}" for n in range(2, files.NUMBERED_TRIES + 1)]
    assert names[: len(numbered)] == numbered
    for submission_id, name in zip(ids[len(numbered) :], names[len(numbered) :], strict=True):
        submission = inbox.store.get(submission_id)
        assert submission is not None
        assert name == f"2026-10-02-great-{short_id(submission)}"
    assert len(load_shop(inbox.config.settings).reviews) == len(ids)


def test_a_post_whose_every_name_is_taken_is_reported_and_the_rest_are_published(inbox: Inbox) -> None:
    blocked = inbox.post(title="Blocked", text="Every name of this one is taken.")
    after = inbox.post(title="After", text="This one comes after the blocked one.")
    submission = inbox.store.get(blocked)
    assert submission is not None
    slug, _text = review_file(inbox.config, submission)
    inbox.reviews.mkdir(parents=True, exist_ok=True)
    for name in files.candidate_names(slug, short_id(submission)):
        (inbox.reviews / f"{name}.md").write_text(
            f"Date: 2026-10-01 10:00\nRating: 5\n\nWritten by hand as {name}.\n", encoding="utf-8"
        )
    done = redress_here(inbox.site, "publish")
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    assert f"#{blocked}" in done.stderr and "cannot write its file" in done.stderr
    assert inbox.path_of(after).name == "2026-10-02-after.md"
    still = inbox.store.get(blocked)
    assert still is not None and still.published_path is None, "it stays in the inbox"


# -- 13. dates with their offset ---------------------------------------------------------------


def test_a_follow_up_in_the_repeated_hour_stays_after_its_review(inbox: Inbox) -> None:
    """Europe/Amsterdam, 25 October 2026: 02:30 summer time, then 02:10 winter time, 40 minutes later."""
    review_at = dt.datetime(2026, 10, 25, 0, 30, tzinfo=dt.UTC)  # 02:30+02:00
    follow_up_at = dt.datetime(2026, 10, 25, 1, 10, tzinfo=dt.UTC)  # 02:10+01:00
    review_id = inbox.post(
        when=review_at, title="Lekbak kapot", text="De lekbak lekt.", rating="1", order="BB-40001"
    )
    inbox.publish(now=review_at + dt.timedelta(minutes=1))
    review_path = inbox.path_of(review_id)
    link = tokens.make_follow_up_token(
        inbox.config.secret, "BB-40001", review_path.stem, dt.date(2026, 12, 1)
    )
    follow_up = inbox.post(
        "follow-up", when=follow_up_at, resolved="no", r=review_path.stem, t=link, text="Nog steeds kapot."
    )
    report = inbox.publish(now=follow_up_at + dt.timedelta(minutes=1))
    assert not report.problems, report.problems
    shop = load_shop(inbox.config.settings)  # raised "is before the review it answers" with local times
    (review,) = shop.reviews
    (entry,) = review.thread
    assert entry.date - review.date == dt.timedelta(minutes=40)
    assert entry.resolved is False
    assert "Date: 2026-10-25T02:30+02:00" in review_path.read_text(encoding="utf-8")
    assert "Date: 2026-10-25T02:10+01:00" in inbox.path_of(follow_up).read_text(encoding="utf-8")


# -- 14. two customers, same words, same minute ------------------------------------------------


def test_two_submissions_with_the_same_words_in_the_same_minute_are_two_files(inbox: Inbox) -> None:
    same: dict[str, Any] = {"title": "Prima", "text": "Alles prima verlopen.", "rating": "5"}
    first, second = inbox.post(**same), inbox.post(**same)
    inbox.publish()
    paths = {inbox.path_of(first), inbox.path_of(second)}
    assert len(paths) == 2 == len(review_files(inbox))
    assert len(load_shop(inbox.config.settings).reviews) == 2


def test_a_run_after_a_crash_finds_each_submissions_own_file_again(inbox: Inbox) -> None:
    same: dict[str, Any] = {"title": "Great", "text": "Great beans, quick delivery.", "rating": "5"}
    ids = [inbox.post(**same) for _ in range(files.NUMBERED_TRIES + 2)]
    inbox.publish()
    before = {i: inbox.path_of(i) for i in ids}
    inbox.forget_published()
    report = inbox.publish()
    assert not report.problems
    assert {i: inbox.path_of(i) for i in ids} == before
    assert len(review_files(inbox)) == len(ids)


# -- 15. a killed run's temporary file ---------------------------------------------------------


def test_a_killed_runs_temporary_files_are_removed_by_the_next_run(inbox: Inbox) -> None:
    inbox.reviews.mkdir(parents=True, exist_ok=True)
    responses = inbox.site / "content" / "responses"
    stale = [
        inbox.reviews / ".incoming-killed.tmp",
        responses / ".incoming-old.tmp",
        inbox.reviews / ".withhold-x.tmp",
    ]
    fresh = inbox.reviews / ".incoming-writing-now.tmp"
    long_ago = time.time() - 10 * 60
    for path in stale:
        path.write_text("Date: 2026-10-02T14:00+02:00\n", encoding="utf-8")
        os.utime(path, (long_ago, long_ago))
    fresh.write_text("Date: 2026-10-02T14:00+02:00\n", encoding="utf-8")
    inbox.post(title="Na de crash", text="Dit komt na een gecrashte run.")
    report = inbox.publish()
    assert len(report.written) == 1
    assert not [p for p in stale if p.exists()]
    assert fresh.exists(), "a file this young may belong to a run still writing"
