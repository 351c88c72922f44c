"""Labels nobody can forge: "Verified buyer" once per invitation, "the customer says" only with its link.

Every test posts to the inbox's real app (:class:`InboxApp`), publishes with
the real `redress inbox publish`, and where the page is the point, builds the
site and reads the labels on the cards. A second use of an invitation is
never refused and the customer sees the same answer: the review is only
ordinary (unverified), with a note for the shop owner. A follow-up is the
customer's own word only with the signed link `redress follow-up-link` made
for that review; a typed order number or e-mail address proves nothing.
"""

from __future__ import annotations

import datetime as dt
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from bs4 import BeautifulSoup
from inbox_server import (
    SECRET,
    SITEURL,
    InboxApp,
    build_site,
    make_site,
    redress_here,
    review_fields,
    run_here,
)
from pelican.plugins.redress import tokens
from pelican.plugins.redress.i18n import translations

THANKS_URL = f"{SITEURL}/reviews/thanks/"
LEAKING = "2026-11-19-leaking-after-five-weeks"  # demo: espresso-x1, Order BB-23593, an e-mail
LEAKING_ORDER = "BB-23593"
LEAKING_EMAIL = "r.jansen.eindhoven@example.com"
OTHER_REVIEW = "2026-10-19-tuit-lekt-langs-de-zijkant"  # demo review with an Order of its own


def marker() -> str:
    """Twelve letters, unique: never "ae81…", which the privacy filter hides as the start of an IBAN."""
    return uuid.uuid4().hex[:12].translate(str.maketrans("0123456789", "ghijklmnop"))


def invitation(order: str, product: str = "", days: int = 30) -> str:
    return tokens.make_token(SECRET.encode(), order, product, dt.date.today() + dt.timedelta(days=days))


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, inbox_db: str) -> Path:
    """The demo shop, its inbox on each engine in turn: the token rules hold on both."""
    return make_site(tmp_path_factory.mktemp("labels") / "site", db=inbox_db)


@pytest.fixture(scope="module")
def inbox(site: Path) -> Iterator[InboxApp]:
    with InboxApp(site) as app:
        yield app


def publish(site: Path) -> str:
    done = redress_here(site, "publish")
    assert done.returncode == 0, done.stderr
    return done.stdout + done.stderr


def follow_up_link(site: Path, review: str) -> tuple[str, str]:
    """`redress follow-up-link REVIEW`, the real command: the link's token and review."""
    done = run_here(
        ["follow-up-link", review, "--settings", str(site / "pelicanconf.py"), "--site-url", SITEURL]
    )
    assert done.returncode == 0, done.stderr
    query = parse_qs(urlsplit(done.stdout.strip()).query)
    return query["t"][0], query["r"][0]


def verified_cards(output: Path, marks: list[str]) -> list[str]:
    """The marks whose card on its review page carries "Verified buyer"."""
    found = []
    for page in (output / "reviews").glob("*/index.html"):
        for card in BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser").select("article.review"):
            text = card.get_text()
            hits = [m for m in marks if m in text]
            if hits and "Verified buyer" in {li.get_text(strip=True) for li in card.select("ul.labels li")}:
                found += hits
    return sorted(set(found))


def customer_files(site: Path, mark: str) -> list[Path]:
    """Response files holding `mark` that speak as the customer."""
    return [
        p
        for p in (site / "content" / "responses").glob("*.md")
        if mark in p.read_text(encoding="utf-8") and "From: customer" in p.read_text(encoding="utf-8")
    ]


# -- one invitation, one verified review ----------------------------------------------------


def test_one_invitation_token_makes_one_verified_review_and_the_rest_ordinary(
    inbox: InboxApp, site: Path
) -> None:
    """Six different reviews with one valid token: the first is "Verified buyer", five are ordinary.

    None is refused and every customer gets the same thanks; the shop owner
    finds a note on each later one saying which submission used the
    invitation first.
    """
    token = invitation("BB-41001", "espresso-x1")
    marks = [marker() for _ in range(6)]
    replies = [
        inbox.post("/reviews", review_fields(mark, rating=5, p="espresso-x1", t=token)) for mark in marks
    ]
    assert [(r.status, r.headers["location"]) for r in replies] == [(303, THANKS_URL)] * 6
    rows = [inbox.rows(mark)[0] for mark in marks]
    assert [row.status for row in rows] == ["accepted"] * 6, "a used invitation never refuses a review"
    first, *later = rows
    assert first.normalised["verified"] is True and first.normalised["source"] == "invited"
    assert first.token_status == "valid" and "note" not in first.normalised
    for row in later:
        assert row.normalised["verified"] is False and row.normalised["source"] == "organic"
        assert row.token_status == "used"
        assert row.normalised["note"] == f"invitation already used by #{first.id}"
        assert row.normalised["invitation_used_by"] == first.id
    listed = redress_here(site, "list").stdout
    assert listed.count(f"note: invitation already used by #{first.id}") == 5, listed
    publish(site)
    assert verified_cards(build_site(site), marks) == [marks[0]], "one verified review counted, not six"


def test_the_json_answer_is_the_same_for_a_used_invitation(inbox: InboxApp) -> None:
    token = invitation("BB-41002")
    answers = [
        inbox.post("/reviews", review_fields(marker(), t=token), json_reply=True).json() for _ in range(2)
    ]
    assert answers[0] == answers[1] and answers[0]["ok"] is True


def test_the_same_post_sent_twice_is_one_verified_review(inbox: InboxApp) -> None:
    """A retry (double tap, or the same post with its key) is stored once and stays verified."""
    token = invitation("BB-41003")
    mark, keyed = marker(), marker()
    for _ in range(3):
        assert inbox.post("/reviews", review_fields(mark, t=token)).status == 303
    (row,) = inbox.rows(mark)
    assert row.normalised["verified"] is True and row.token_status == "valid"
    other = invitation("BB-41004")
    for _ in range(2):
        reply = inbox.post("/reviews", review_fields(keyed, t=other, key=keyed), json_reply=True)
        assert reply.status == 200
    (row,) = inbox.rows(keyed)
    assert row.normalised["verified"] is True and "note" not in row.normalised


def test_each_product_of_the_order_gets_one_verified_review(inbox: InboxApp) -> None:
    """An order's invitation covers each of its products once, and the shop once.

    The order's general link (valid for any product) and a product's own
    link are the same invitation for that product: using one uses both.
    """
    order = "BB-41005"
    espresso, molen, general = (invitation(order, p) for p in ("espresso-x1", "molen-m2", ""))
    posts = [
        ("espresso", dict(p="espresso-x1", t=espresso), True),
        ("molen", dict(p="molen-m2", t=molen), True),
        ("shop", dict(p="", t=general), True),
        ("espresso-again", dict(p="espresso-x1", t=espresso), False),
        ("shop-again", dict(p="", t=general), False),
        ("general-for-molen", dict(p="molen-m2", t=general), False),
    ]
    first_id: dict[str, int] = {}
    for name, fields, verified in posts:
        mark = marker()
        assert inbox.post("/reviews", review_fields(mark, **fields)).status == 303
        (row,) = inbox.rows(mark)
        assert row.normalised["verified"] is verified, name
        if verified:
            first_id[fields["p"]] = row.id
        else:
            assert row.normalised["note"] == f"invitation already used by #{first_id[fields['p']]}", name
    # Another order's invitation is its own.
    mark = marker()
    assert (
        inbox.post("/reviews", review_fields(mark, p="espresso-x1", t=invitation("BB-41006"))).status == 303
    )
    assert inbox.rows(mark)[0].normalised["verified"] is True


def test_the_orders_link_verifies_only_what_the_order_holds(inbox: InboxApp) -> None:
    """The packing slip's link names the order's products: a review of another product is an ordinary one.

    Each product of the order and the shop get one verified review, through
    the order's link or a product's own; another product's review through
    the order's link is published as an ordinary review, never refused.
    """
    order = "BB-41008"
    expires = dt.date.today() + dt.timedelta(days=30)
    own = tokens.make_order_token(SECRET.encode(), order, ["espresso-x1", "molen-m2"], expires)
    molen = invitation(order, "molen-m2")
    posts = [
        ("not-bought", dict(p="ontkalker", t=own), False, "wrong-product"),
        ("espresso", dict(p="espresso-x1", t=own), True, "valid"),
        ("shop", dict(p="", t=own), True, "valid"),
        ("molen-own-link", dict(p="molen-m2", t=molen), True, "valid"),
        ("molen-again", dict(p="molen-m2", t=own), False, "used"),
        ("espresso-again", dict(p="espresso-x1", t=own), False, "used"),
    ]
    for name, fields, verified, status in posts:
        mark = marker()
        assert inbox.post("/reviews", review_fields(mark, **fields)).status == 303, name
        (row,) = inbox.rows(mark)
        assert row.normalised["verified"] is verified, name
        assert row.token_status == status, name
        assert row.status == "accepted", name
        if name == "not-bought":
            assert row.normalised["source"] == "organic" and row.normalised["token_order"] == ""
        elif not verified:
            assert row.normalised["note"].startswith("invitation already used by #"), name


def test_two_posts_at_once_with_one_token_verify_one(site: Path) -> None:
    """Concurrent posts with one invitation, to two copies of the service on one database: one wins.

    Two apps are two connections to the database, as two service processes
    would be; each app also runs its posts in threads of its own.
    """
    token = invitation("BB-41007", "molen-m2")
    marks = [marker() for _ in range(8)]
    start = threading.Barrier(len(marks))
    replies: dict[str, int] = {}
    with InboxApp(site) as one, InboxApp(site) as two:

        def send(app: InboxApp, mark: str) -> None:
            fields = review_fields(mark, p="molen-m2", t=token)
            start.wait()
            replies[mark] = app.post("/reviews", fields).status

        threads = [
            threading.Thread(target=send, args=(one if i % 2 else two, mark)) for i, mark in enumerate(marks)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    assert sorted(replies.values()) == [303] * len(marks)
    rows = [row for mark in marks for row in one.rows(mark)]
    assert len(rows) == len(marks)
    winners = [row for row in rows if row.normalised["verified"]]
    assert len(winners) == 1
    assert all(
        row.normalised["note"] == f"invitation already used by #{winners[0].id}"
        for row in rows
        if row is not winners[0]
    )


# -- invitation and follow-up tokens are different kinds --------------------------------------


def test_a_follow_up_link_is_no_invitation(inbox: InboxApp, site: Path) -> None:
    """The "was it fixed?" link of one review cannot make a verified review of any product."""
    token, _review = follow_up_link(site, LEAKING)
    for product in ("", "espresso-x1", "molen-m2"):
        mark = marker()
        assert inbox.post("/reviews", review_fields(mark, p=product, t=token)).status == 303
        (row,) = inbox.rows(mark)
        assert row.status == "accepted"
        assert row.normalised["verified"] is False and row.token_status == "wrong-kind", product


def test_an_invitation_is_no_proof_for_a_follow_up(inbox: InboxApp, site: Path) -> None:
    """An invitation for the review's own order does not make a follow-up the customer's word."""
    mark = marker()
    fields = {"r": LEAKING, "t": invitation(LEAKING_ORDER), "resolved": "yes", "text": f"Fine {mark}"}
    assert inbox.post("/follow-ups", dict(fields, consent="yes")).status == 303
    (row,) = inbox.rows(mark)
    assert row.status == "needs-check" and row.token_status == "wrong-kind"
    publish(site)
    assert customer_files(site, mark) == []


def test_tokens_sent_before_kinds_existed_still_verify_reviews_only(inbox: InboxApp, site: Path) -> None:
    """A v1 token (no kind in it) from an invitation already sent out still makes "Verified buyer"."""
    expires = dt.date.today() + dt.timedelta(days=20)
    payload = f"v1|{LEAKING_ORDER}||{expires:%Y%m%d}".encode()
    old = f"{tokens._b64(payload)}.{tokens._b64(tokens._sign(SECRET.encode(), payload))}"
    mark = marker()
    assert inbox.post("/reviews", review_fields(mark, p="melkkan-350", t=old)).status == 303
    assert inbox.rows(mark)[0].normalised["verified"] is True
    answer = marker()
    fields = {"r": LEAKING, "t": old, "resolved": "yes", "text": f"Fine {answer}", "consent": "yes"}
    assert inbox.post("/follow-ups", fields).status == 303
    assert inbox.rows(answer)[0].status == "needs-check"


# -- a follow-up is the customer's word only with its own link ---------------------------------


def test_guessed_order_numbers_and_emails_never_speak_for_the_customer(inbox: InboxApp, site: Path) -> None:
    """Posts with guessed order numbers, one of them right, and an e-mail field the form has not:
    all kept for the owner to check, none published as the customer's "not fixed"."""
    guesses = [f"BB-{n}" for n in range(23590, 23597)]
    assert LEAKING_ORDER in guesses
    marks = []
    for guess in guesses:
        mark = marker()
        marks.append(mark)
        fields = {
            "r": LEAKING,
            "resolved": "no",
            "text": f"Not fixed. {mark}",
            "order": guess,
            "consent": "yes",
        }
        assert inbox.post("/follow-ups", fields).status == 303
    mark = marker()
    marks.append(mark)
    fields = {"r": LEAKING, "resolved": "no", "text": f"Not fixed. {mark}", "email": LEAKING_EMAIL}
    assert inbox.post("/follow-ups", dict(fields, consent="yes")).status == 303
    rows = [inbox.rows(m)[0] for m in marks]
    assert {row.status for row in rows} == {"needs-check"}
    output = publish(site)
    for row in rows:
        assert f"#{row.id}: " in output and "stays in the inbox" in output
    for mark in marks:
        assert customer_files(site, mark) == []
    listed = redress_here(site, "list")
    for row in rows:
        line = next(line for line in listed.stdout.splitlines() if line.startswith(f"#{row.id} "))
        assert "needs-check" in line, "the owner sees it waiting, marked for a look"


def test_the_follow_up_link_makes_the_answer_the_customers_own(inbox: InboxApp, site: Path) -> None:
    """With the link from `redress follow-up-link`, with or without JavaScript, it is published as theirs."""
    token, review = follow_up_link(site, OTHER_REVIEW)
    assert review == OTHER_REVIEW
    with_js, without_js = marker(), marker()
    fields = {"r": review, "t": token, "resolved": "yes", "text": f"Sorted. {with_js}", "consent": "yes"}
    reply = inbox.post("/follow-ups", fields, json_reply=True)
    assert reply.status == 200
    assert "will publish it next to your review." in reply.text, "with the link, the promise holds"
    unproven = dict(fields, t="", text=f"Sorted too. {marker()}")
    doubt = inbox.post("/follow-ups", unproven, json_reply=True).text
    assert "first check that it comes from you" in doubt, "without it, the thanks promise no publication"
    bare = {"r": "", "t": "", "resolved": "no", "text": f"Not sorted. {without_js}", "consent": "yes"}
    referer = f"{SITEURL}/reviews/follow-up/?t={token}&r={review}"
    assert inbox.post("/follow-ups", bare, referer=referer).status == 303
    for mark in (with_js, without_js):
        (row,) = inbox.rows(mark)
        assert row.status == "accepted" and row.token_status == "valid"
    publish(site)
    for mark in (with_js, without_js):
        (path,) = customer_files(site, mark)
        assert f"Review: {OTHER_REVIEW}" in path.read_text(encoding="utf-8")


def test_a_follow_up_link_speaks_only_for_its_own_review(inbox: InboxApp, site: Path) -> None:
    """The link is for one review: posted with another review's name it proves nothing there."""
    token, _review = follow_up_link(site, OTHER_REVIEW)
    mark = marker()
    fields = {"r": LEAKING, "t": token, "resolved": "yes", "text": f"All good {mark}", "consent": "yes"}
    assert inbox.post("/follow-ups", fields).status == 303
    (row,) = inbox.rows(mark)
    assert row.status == "needs-check" and row.token_status == "wrong-review"
    publish(site)
    assert customer_files(site, mark) == []


def test_a_follow_up_token_alone_names_its_review(inbox: InboxApp, site: Path) -> None:
    """A link whose `r` got lost still says, signed, which review it answers."""
    token, _review = follow_up_link(site, LEAKING)
    mark = marker()
    fields = {"t": token, "resolved": "no", "text": f"Still dripping {mark}", "consent": "yes"}
    assert inbox.post("/follow-ups", fields).status == 303
    (row,) = inbox.rows(mark)
    assert row.status == "accepted" and row.normalised["review"] == LEAKING
    publish(site)
    (path,) = customer_files(site, mark)
    assert f"Review: {LEAKING}" in path.read_text(encoding="utf-8")


def test_the_follow_up_thanks_page_does_not_promise_what_only_the_link_gets(site: Path) -> None:
    output = build_site(site)
    for lang in ("", "nl/", "et/"):
        page = output / "reviews" / lang / "thanks" / "follow-up" / "index.html"
        if not page.exists():
            continue
        text = " ".join(BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser").get_text().split())
        assert "will publish it next to your review." not in text
    english = output / "reviews" / "thanks" / "follow-up" / "index.html"
    assert "first check that it comes from you" in english.read_text(encoding="utf-8")
    promise = (
        "We have received it. If you answered through the link we sent you, we will publish it next to "
        "your review; otherwise we will first check that it comes from you."
    )
    for lang in ("nl", "et"):
        assert translations(lang).gettext(promise) != promise, f"{lang}: not translated"
