"""`redress inbox dismiss N --reason TEXT`: every inbox item can be finished, and none is deleted.

Posts go to the inbox's own app (in this process, as a browser sends them);
the commands run through the CLI's `main()` as the shop owner types them.
What waits forever otherwise (a follow-up no link ties to its reviewer, a
review of a product that was removed) is dismissed with a reason: it leaves
`inbox list` and `publish`'s report, stays in the database with its reason
and time, and `inbox list --all` shows it. What `publish` would put on the
page cannot be dismissed: a review is withheld for a counted reason instead.
"""

from __future__ import annotations

import datetime as dt
import re
import sqlite3
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from inbox_server import SECRET, InboxApp, inbox_env, make_site, redress_here, review_fields
from pelican.plugins.redress import tokens

LEAKING = "2026-11-19-leaking-after-five-weeks"  # a demo review: 1 star, Order BB-23593


def marker() -> str:
    # Letters only: hex digits may all be digits, and a number may read as a phone number, hidden.
    return uuid.uuid4().hex[:12].translate(str.maketrans("0123456789", "ghijklmnop"))


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, inbox_db: str) -> Path:
    """The demo shop, its inbox on each engine in turn (the module runs twice)."""
    return make_site(tmp_path_factory.mktemp("dismiss") / "site", db=inbox_db)


@pytest.fixture(scope="module")
def inbox(site: Path) -> Iterator[InboxApp]:
    with InboxApp(site) as app:
        yield app


def no_secret() -> dict[str, str]:
    """The owner's shell without REDRESS_SECRET: looking at the inbox signs nothing."""
    return {k: v for k, v in inbox_env().items() if k != "REDRESS_SECRET"}


def only_id(inbox: InboxApp, mark: str) -> int:
    (row,) = inbox.rows(mark)
    return int(row.id)


def lines_about(output: str, number: int) -> list[str]:
    return [line for line in output.splitlines() if re.match(rf"#{number}\b", line)]


def follow_up_without_its_link(inbox: InboxApp, mark: str) -> int:
    reply = inbox.post(
        "/follow-ups", {"r": LEAKING, "resolved": "yes", "text": f"Fine now {mark}", "consent": "yes"}
    )
    assert reply.status == 303
    return only_id(inbox, mark)


def test_a_follow_up_no_link_ties_to_its_review_is_dismissed_and_kept(inbox: InboxApp, site: Path) -> None:
    mark = marker()
    number = follow_up_without_its_link(inbox, mark)
    with inbox.store() as store:
        (before,) = [s for s in store.all() if s.id == number]
        rows_before = len(store.all())
    assert before.status == "needs-check"
    assert lines_about(redress_here(site, "list", env=no_secret()).stdout, number)
    report = redress_here(site, "publish", env=no_secret())
    assert lines_about(report.stderr, number), report.stderr  # reported on every run until finished
    assert "redress inbox dismiss N" in report.stderr

    reason = "Not the reviewer: a neighbour asked by phone"
    done = redress_here(site, "dismiss", str(number), "--reason", reason, env=no_secret())
    assert done.returncode == 0, done.stderr
    assert done.stderr.startswith(f"redress inbox: settings {site / 'pelicanconf.py'}, database ")
    assert done.stdout.startswith(f"#{number} dismissed ({reason})")

    assert not lines_about(redress_here(site, "list", env=no_secret()).stdout, number)
    report = redress_here(site, "publish", env=no_secret())
    assert report.returncode == 0 and not lines_about(report.stderr, number), report.stderr
    everything = redress_here(site, "list", "--all", env=no_secret()).stdout.splitlines()
    (line,) = [i for i, text in enumerate(everything) if text.startswith(f"#{number} ")]
    assert "dismissed" in everything[line]
    (said,) = [text for text in everything[line + 1 : line + 3] if text.strip().startswith("dismissed ")]
    assert said.endswith(f"(was needs-check): {reason}")

    with inbox.store() as store:
        after = store.get(number)
        assert len(store.all()) == rows_before  # never deleted
    assert after is not None
    assert (after.status, after.dismissed_from, after.dismissed_reason) == (
        "dismissed",
        "needs-check",
        reason,
    )
    when = dt.datetime.fromisoformat(after.dismissed_at or "")
    assert abs(dt.datetime.now(dt.UTC) - when) < dt.timedelta(minutes=5)
    assert after.normalised == before.normalised and after.raw == before.raw


def test_a_review_of_a_removed_product_is_dismissed(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site")
    product = site / "content" / "products" / "tamper-t1.md"
    product.write_text("Title: Tamper T1\n\nA tamper we stopped selling.\n", encoding="utf-8")
    mark = marker()
    with InboxApp(site) as inbox:
        assert inbox.post("/reviews", review_fields(mark, rating=3, p="tamper-t1")).status == 303
        number = only_id(inbox, mark)
    product.unlink()
    report = redress_here(site, "publish")
    assert any("tamper-t1" in line for line in lines_about(report.stderr, number)), report.stderr

    done = redress_here(site, "dismiss", str(number), "--reason", "the tamper is no longer sold")
    assert done.returncode == 0, done.stderr
    report = redress_here(site, "publish")
    assert report.returncode == 0 and not lines_about(report.stderr, number), report.stderr
    assert not any(mark in p.read_text(encoding="utf-8") for p in (site / "content" / "reviews").glob("*.md"))


def test_what_publish_would_write_cannot_be_dismissed(inbox: InboxApp, site: Path) -> None:
    """A review is never hidden uncounted, and a reviewer's own answer is never dropped."""
    review = marker()
    assert inbox.post("/reviews", review_fields(review, rating=1)).status == 303
    number = only_id(inbox, review)
    refused = redress_here(site, "dismiss", str(number), "--reason", "too harsh")
    assert refused.returncode == 2
    assert f"redress inbox withhold {number} --reason" in refused.stderr
    assert "Traceback" not in refused.stderr
    assert lines_about(redress_here(site, "list").stdout, number)  # still waiting

    answer = marker()
    order = re.search(
        r"^Order: (.+)$", (site / "content" / "reviews" / f"{LEAKING}.md").read_text(encoding="utf-8"), re.M
    )
    assert order
    link = tokens.make_follow_up_token(
        SECRET.encode(), order.group(1).strip(), LEAKING, dt.date.today() + dt.timedelta(days=30)
    )
    fields = {"r": LEAKING, "t": link, "resolved": "no", "text": f"Still leaks {answer}", "consent": "yes"}
    assert inbox.post("/follow-ups", fields).status == 303
    refused = redress_here(site, "dismiss", str(only_id(inbox, answer)), "--reason", "we disagree")
    assert refused.returncode == 2 and "the reviewer's own answer" in refused.stderr

    assert redress_here(site, "publish").returncode == 0
    refused = redress_here(site, "dismiss", str(number), "--reason", "too late")
    assert refused.returncode == 2 and "is published already" in refused.stderr


def test_unknown_repeated_and_reasonless_dismissals_are_refused(inbox: InboxApp, site: Path) -> None:
    refused = redress_here(site, "dismiss", "999999", "--reason", "x")
    assert refused.returncode == 2 and "there is no submission 999999" in refused.stderr
    number = follow_up_without_its_link(inbox, marker())
    refused = redress_here(site, "dismiss", str(number), "--reason", " \t ")
    assert refused.returncode == 2 and "give the reason" in refused.stderr
    assert redress_here(site, "dismiss", str(number), "--reason", "spam").returncode == 0
    again = redress_here(site, "dismiss", str(number), "--reason", "spam again")
    assert again.returncode == 2 and f"#{number} was dismissed on" in again.stderr and "spam" in again.stderr
    with inbox.store() as store:
        row = store.get(number)
    assert row is not None and row.dismissed_reason == "spam"


def test_a_database_from_before_dismissal_keeps_its_rows_and_can_dismiss(tmp_path: Path) -> None:
    """An inbox.sqlite3 written by an older Redress gets the new columns when first opened.

    SQLite only: an inbox from before dismissals was always a SQLite file. It
    had no schema versions, claims or shared rate limit either.
    """
    site = make_site(tmp_path / "site")
    mark = marker()
    with InboxApp(site) as inbox:
        number = follow_up_without_its_link(inbox, mark)
        db = inbox.config().database.path
    with sqlite3.connect(db) as old:
        for column in ("dismissed_at", "dismissed_reason", "dismissed_from", "claimed_by", "claimed_at"):
            old.execute(f"ALTER TABLE submissions DROP COLUMN {column}")
        old.execute("DROP TABLE schema_version")
        old.execute("DROP TABLE rate_limits")
    assert lines_about(redress_here(site, "list").stdout, number)
    done = redress_here(site, "dismiss", str(number), "--reason", "settled by phone")
    assert done.returncode == 0, done.stderr
    with sqlite3.connect(db) as upgraded:
        status, reason = upgraded.execute(
            "SELECT status, dismissed_reason FROM submissions WHERE id = ?", (number,)
        ).fetchone()
    assert (status, reason) == ("dismissed", "settled by phone")


# -- a person's post the bots' hidden field caught --------------------------------------------


def test_a_person_caught_as_a_bot_is_shown_and_taken_back_unverified(inbox: InboxApp, site: Path) -> None:
    """A browser's autofill can fill the hidden field for bots. The customer read "thank you":
    the owner sees what they wrote and takes it back; its link earns no label."""
    mark = marker()
    invitation = tokens.make_token(SECRET.encode(), "BB-70001", "", dt.date.today() + dt.timedelta(days=30))
    fields = review_fields(mark, rating=2, title=f"Caught {mark}", t=invitation)
    fields["website"] = "https://janblog.example"
    assert inbox.post("/reviews", fields).status == 303
    number = only_id(inbox, mark)
    listed = redress_here(site, "list", "--all", env=no_secret()).stdout
    (line,) = lines_about(listed, number)
    assert "spam" in line and f"Caught {mark}" in line and "unverified" in line
    assert "redress inbox not-spam N" in listed and "janblog.example" in listed
    assert not lines_about(redress_here(site, "list", env=no_secret()).stdout, number)

    done = redress_here(site, "not-spam", str(number), env=no_secret())
    assert done.returncode == 0, done.stderr
    assert f"#{number} is accepted now" in done.stdout
    (row,) = inbox.rows(mark)
    assert row.status == "accepted" and row.normalised["verified"] is False
    assert lines_about(redress_here(site, "list", env=no_secret()).stdout, number), "waiting for publish"
    again = redress_here(site, "not-spam", str(number), env=no_secret())
    assert again.returncode != 0 and "is accepted, not spam" in again.stderr


def test_an_incomplete_post_caught_as_a_bot_cannot_be_taken_back(inbox: InboxApp, site: Path) -> None:
    mark = marker()
    fields = review_fields(mark, website="x")
    del fields["consent"]
    assert inbox.post("/reviews", fields).status == 303, "a bot reads the ordinary thanks"
    number = only_id(inbox, mark)
    done = redress_here(site, "not-spam", str(number), env=no_secret())
    assert done.returncode != 0 and "was not complete (consent)" in done.stderr
    (row,) = inbox.rows(mark)
    assert row.status == "spam"
