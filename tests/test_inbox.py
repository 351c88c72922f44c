"""The review inbox: its app over HTTP, its commands, and `redress inbox serve` itself.

Every test posts as a browser does, then reads what the inbox stored
(through its own Store), what `redress inbox publish` wrote, and what the
build made of it. The posts go to the app that `redress inbox serve` runs,
in this process through Starlette's TestClient (:class:`InboxApp`): the
whole app, its lifespan and its log, with the client address each test
chooses. The commands run through the CLI's own `main()`. A real process is
started only where the process is the point: `serve` binds, says where it
listens and what it uses, and logs (kill -9 and the browser are in their own
modules). Nothing mocks smtplib or the clock of the service; time-dependent
steps (the hold window, notification retries) call the inbox's own functions
with a `now` in the future.

The module runs twice, once on each engine (the ``inbox_db`` fixture: the
site's own SQLite file, then a PostgreSQL database), and so do the tests
with a site of their own that the database matters to (``new_inbox_db``).
"""

from __future__ import annotations

import datetime as dt
import http.server
import json
import re
import socket
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup
from inbox_server import (
    ORIGIN,
    SECRET,
    SITEURL,
    InboxApp,
    InboxServer,
    Reply,
    build_site,
    inbox_env,
    make_site,
    redress,
    redress_here,
    review_fields,
    run_here,
    wait_for,
)
from pelican.plugins.redress import tokens
from pelican.plugins.redress.content.model import LIMITS
from pelican.plugins.redress.i18n import translations

THANKS_URL = f"{SITEURL}/reviews/thanks/"
LEAKING = "2026-11-19-leaking-after-five-weeks"  # a demo review: 1 star, Order BB-23593


#: A marker's digits as letters (see :func:`marker`).
DIGITS_AS_LETTERS = str.maketrans("0123456789", "ghijklmnop")


def marker() -> str:
    """Twelve letters, unique: never "ae81…", which the privacy filter hides as the start of an IBAN."""
    return uuid.uuid4().hex[:12].translate(DIGITS_AS_LETTERS)


def token(order: str = "BB-90001", product: str = "", days: int = 30) -> str:
    return tokens.make_token(SECRET.encode(), order, product, dt.date.today() + dt.timedelta(days=days))


def soup(text: str) -> BeautifulSoup:
    return BeautifulSoup(text, "html.parser")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, inbox_db: str) -> Path:
    return make_site(tmp_path_factory.mktemp("inbox") / "site", db=inbox_db)


@pytest.fixture(scope="module")
def inbox(site: Path) -> Iterator[InboxApp]:
    with InboxApp(site) as app:
        yield app


def publish(site: Path) -> str:
    done = redress_here(site, "publish")
    assert done.returncode == 0, done.stderr
    return done.stdout


def published_path(inbox: InboxApp, mark: str) -> Path:
    (row,) = inbox.rows(mark)
    assert row.published_path, f"submission {row.id} was not published"
    return inbox.site / row.published_path


def review_card(output: Path, review_file: Path) -> Any:
    """The review's card on its own page, found by its slug."""
    slug = review_file.stem
    page = output / "reviews" / slug / "index.html"
    assert page.exists(), f"no page for {slug}"
    card = soup(page.read_text(encoding="utf-8")).select_one(f"article#review-{slug}")
    assert card is not None
    return card


def labels(card: Any) -> set[str]:
    return {li.get_text(strip=True) for li in card.select("ul.labels li")}


# -- the service ----------------------------------------------------------------------------


def test_health_answers_with_counts(inbox: InboxApp) -> None:
    reply = inbox.get("/health")
    assert reply.status == 200
    data = reply.json()
    assert data["ok"] is True
    with inbox.store() as store:
        assert data["submissions"] == store.count()
        assert data["waiting"] == len(store.waiting())


def test_valid_review_without_js_answers_303_to_the_absolute_thank_you_page(inbox: InboxApp) -> None:
    mark = marker()
    reply = inbox.post("/reviews", review_fields(mark))
    assert reply.status == 303
    assert reply.headers["location"] == THANKS_URL
    (row,) = inbox.rows(mark)
    assert row.status == "accepted"
    assert row.normalised["rating"] == 4
    assert row.raw["fields"]["text"].endswith(f"Marker {mark}.")


def test_valid_review_with_fetch_answers_json_thanks(inbox: InboxApp) -> None:
    mark = marker()
    reply = inbox.post("/reviews", review_fields(mark, key=mark), json_reply=True)
    assert reply.status == 200
    assert reply.headers["content-type"].startswith("application/json")
    assert reply.json() == {
        "ok": True,
        "title": "Thank you for your review",
        "message": "We have received it and will publish it on our review page, whatever the rating.",
    }
    assert reply.headers["access-control-allow-origin"] == ORIGIN
    assert len(inbox.rows(mark)) == 1


@pytest.mark.parametrize("json_reply", [False, True], ids=["form", "fetch"])
def test_structured_log_line_per_submission(inbox: InboxApp, json_reply: bool) -> None:
    mark = marker()
    reply = inbox.post("/reviews", review_fields(mark), json_reply=json_reply)
    (row,) = inbox.rows(mark)

    def logged() -> list[dict[str, Any]]:
        records = []
        for line in inbox.log().splitlines():
            if line.startswith("{"):
                record = json.loads(line)
                if record.get("event") == "submission" and record.get("id") == row.id:
                    records.append(record)
        return records

    (record,) = wait_for(logged, timeout=5)
    assert reply.status == (200 if json_reply else 303)
    assert record["status"] == reply.status, "the log says what the customer's browser got"
    assert record["result"] == "accepted" and record["kind"] == "review"
    assert isinstance(record["ms"], float | int)
    assert mark not in json.dumps(record), "the log line carries no customer text"


def test_settings_from_pelicanconf_and_the_environment_over_them(tmp_path: Path) -> None:
    site = make_site(
        tmp_path / "configured",
        demo=False,
        REVIEWS_INBOX_ORIGINS=["https://a.example"],
        REVIEWS_INBOX_DB="data/reviews.sqlite3",
        REVIEWS_INBOX_MAX_BYTES=2048,
    )
    with InboxApp(site) as server:
        assert server.post("/reviews", review_fields(marker()), origin="https://a.example").status == 303
        assert server.post("/reviews", review_fields(marker()), origin=ORIGIN).status == 403
        assert server.post("/reviews", review_fields(marker(), text="x" * 3000), origin=None).status == 413
        assert (site / "data" / "reviews.sqlite3").exists()
    env = inbox_env(REDRESS_INBOX_ORIGINS="https://b.example, https://c.example")
    with InboxApp(site, env=env) as server:
        assert server.post("/reviews", review_fields(marker()), origin="https://a.example").status == 403
        assert server.post("/reviews", review_fields(marker()), origin="https://c.example").status == 303


def test_serve_listens_where_it_says_with_the_settings_and_database_it_names(tmp_path: Path) -> None:
    """The command itself, as a process: it binds a free port, prints it, answers there and logs."""
    site = make_site(tmp_path / "served", demo=False)
    with InboxServer(site) as server:
        (line,) = [line for line in server.log().splitlines() if "listening on" in line]
        settings, database = site / "pelicanconf.py", site / "inbox" / "inbox.sqlite3"
        assert line == (
            f"redress inbox: listening on http://127.0.0.1:{server.port}/ "
            f"(settings {settings.resolve()}, database {database.resolve()})"
        )
        assert server.port > 0
        assert server.get("/health").json()["ok"] is True
        mark = marker()
        assert server.post("/reviews", review_fields(mark)).status == 303
        (row,) = server.rows(mark)

        def logged() -> list[dict[str, Any]]:
            lines = [json.loads(line) for line in server.log().splitlines() if line.startswith("{")]
            return [r for r in lines if r.get("event") == "submission" and r.get("id") == row.id]

        assert wait_for(logged, timeout=5), "serve logs one JSON line per submission"
        assert database.exists()


def test_serve_on_a_port_in_use_says_so(tmp_path: Path) -> None:
    site = make_site(tmp_path / "taken", demo=False)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))  # held, and listening, for the whole test
        taken.listen()
        port = taken.getsockname()[1]
        done = redress(site, "serve", "--port", str(port))
    assert done.returncode == 2
    assert f"cannot listen on 127.0.0.1:{port}" in done.stderr and "--port 0" in done.stderr
    assert "Traceback" not in done.stderr


def test_serve_without_a_secret_says_how_to_make_one(tmp_path: Path) -> None:
    site = make_site(tmp_path / "no-secret", demo=False)
    env = inbox_env()
    del env["REDRESS_SECRET"]
    done = redress(site, "serve", "--port", "0", env=env)
    assert done.returncode == 2
    assert "REDRESS_SECRET is not set" in done.stderr and "redress secret" in done.stderr
    assert "Traceback" not in done.stderr
    assert "listening on" not in done.stderr, "it says what is missing before it binds a port"


# -- validation mirrors the content model ----------------------------------------------------

INVALID = [
    ({"rating": ""}, "rating"),
    ({"rating": "0"}, "rating"),
    ({"rating": "6"}, "rating"),
    ({"rating": "five"}, "rating"),
    ({"text": ""}, "text"),
    ({"text": "x" * (LIMITS["text_min"] - 1)}, "text"),
    ({"text": "x" * (LIMITS["text"] + 1)}, "text"),
    ({"title": "x" * (LIMITS["title"] + 1)}, "title"),
    ({"name": "x" * (LIMITS["name"] + 1)}, "name"),
    ({"email": "not-an-address"}, "email"),
    ({"order": "x" * (LIMITS["order"] + 1)}, "order"),
    ({"p": "no-such-product"}, "p"),
    ({"lang": "not a language"}, "lang"),
    ({"consent": ""}, "consent"),
]


@pytest.mark.parametrize(("change", "field"), INVALID, ids=[f"{f}-{i}" for i, (_, f) in enumerate(INVALID)])
def test_invalid_review_is_refused_with_the_field_named(
    inbox: InboxApp, change: dict[str, str], field: str
) -> None:
    mark = marker()
    fields = review_fields(mark, **change)
    reply = inbox.post("/reviews", fields, json_reply=True)
    assert reply.status == 400
    errors = reply.json()["errors"]
    assert set(errors) == {field}
    assert all(isinstance(message, str) and message for message in errors.values())
    rows = inbox.rows(mark)
    assert [row.status for row in rows] == ["rejected"], "a rejected post is still kept, raw"


@pytest.mark.parametrize(
    "change",
    [
        {"text": "x" * LIMITS["text_min"]},
        {"text": "y" * LIMITS["text"]},
        {"title": "t" * LIMITS["title"]},
        {"name": "n" * LIMITS["name"]},
        {"rating": "1"},
        {"rating": "5"},
        {"p": "espresso-x1"},
        {"consent": "on"},
        {"lang": "et"},
    ],
    ids=lambda change: "-".join(f"{k}{len(v)}" for k, v in change.items()),
)
def test_values_at_the_limits_are_accepted(inbox: InboxApp, change: dict[str, str]) -> None:
    mark = marker()
    fields = review_fields(mark, **change)
    fields["title"] = (mark + fields["title"])[: LIMITS["title"]]
    reply = inbox.post("/reviews", fields)
    assert reply.status == 303, reply.text
    (row,) = inbox.rows(mark)
    assert row.status == "accepted"


def test_no_js_error_is_the_form_again_with_values_kept_and_the_error_by_the_field(
    inbox: InboxApp,
) -> None:
    mark = marker()
    fields = review_fields(
        mark,
        rating=2,
        p="espresso-x1",
        email="kim@example.nl",
        order="BB-1234",
        name="Kim & Co <b>",
        consent="",
    )
    reply = inbox.post("/reviews", fields)
    assert reply.status == 400
    assert reply.headers["content-type"].startswith("text/html")
    page = soup(reply.text)
    form = page.select_one("form[data-redress-form=review]")
    assert form is not None and form["action"] == "/inbox/reviews"
    assert form.select_one("input[name=rating][value='2']").has_attr("checked")
    assert form.select_one("input[name=p]")["value"] == "espresso-x1"
    assert form.select_one("#title")["value"] == fields["title"]
    assert form.select_one("#text").get_text() == fields["text"]
    assert form.select_one("#name")["value"] == "Kim & Co <b>"
    assert 'value="Kim &amp; Co &lt;b&gt;"' in reply.text, "what was typed comes back escaped"
    assert form.select_one("#email")["value"] == "kim@example.nl"
    assert form.select_one("#order")["value"] == "BB-1234"
    consent = form.select_one("#consent")
    assert consent.get("aria-invalid") == "true"
    error = form.select_one("#consent-error")
    assert not error.has_attr("hidden")
    assert error.get_text(strip=True) == "We can only publish your review with your permission."
    assert error in consent.parent.find_all("p")
    assert form.select_one("#text-error").has_attr("hidden")
    summary = form.select_one(".form-errors")
    assert summary is not None and "permission" in summary.get_text()


def test_no_js_follow_up_error_is_the_follow_up_form(inbox: InboxApp) -> None:
    mark = marker()
    reply = inbox.post("/follow-ups", {"r": LEAKING, "text": f"Still broken {mark}", "consent": "yes"})
    assert reply.status == 400
    form = soup(reply.text).select_one("form[data-redress-form=follow-up]")
    assert form is not None and form["action"] == "/inbox/follow-ups"
    assert form.select_one("input[name=r]")["value"] == LEAKING
    assert form.select_one("#text").get_text() == f"Still broken {mark}"
    assert form.select_one("#resolved-error").get_text(strip=True) == "Choose yes or no."


def test_the_no_js_retry_after_an_error_keeps_the_invitation_from_the_address(inbox: InboxApp) -> None:
    """Without JavaScript the token is only in the page's address; the form sent back must keep it,
    or the corrected second post (whose Referer is the inbox) loses "Verified buyer"."""
    mark = marker()
    invitation = token("BB-77001", "espresso-x1")
    page_url = f"{SITEURL}/reviews/write/espresso-x1/?t={invitation}"
    fields = review_fields(mark, p="espresso-x1", consent="")
    first = inbox.post("/reviews", fields, referer=page_url)
    assert first.status == 400
    again = soup(first.text).select_one("input[name=t]")["value"]
    assert again == invitation
    second = inbox.post("/reviews", dict(fields, consent="yes", t=again), referer=f"{SITEURL}/inbox/reviews")
    assert second.status == 303
    accepted = [row for row in inbox.rows(mark) if row.status == "accepted"]
    assert len(accepted) == 1 and accepted[0].normalised["verified"] is True


def test_json_errors_have_one_message_per_field(inbox: InboxApp) -> None:
    reply = inbox.post("/reviews", {"rating": "9", "text": "short", "ui": "en"}, json_reply=True)
    assert reply.status == 400
    assert reply.json() == {
        "ok": False,
        "errors": {
            "rating": "Choose how many stars you give.",
            "text": "Write at least 10 characters.",
            "consent": "We can only publish your review with your permission.",
        },
    }


def test_json_errors_in_dutch_when_the_page_is_dutch(inbox: InboxApp) -> None:
    reply = inbox.post("/reviews", {"rating": "", "text": "kort", "ui": "nl"}, json_reply=True)
    assert reply.status == 400
    errors = reply.json()["errors"]
    english = {
        "rating": "Choose how many stars you give.",
        "text": "Write at least 10 characters.",
        "consent": "We can only publish your review with your permission.",
    }
    nl = translations("nl")
    for name, message in english.items():
        dutch = nl.gettext(message.replace("10", "%(min)s")) % {"min": 10} if name == "text" else None
        assert errors[name] != message, f"{name}: still English: {errors[name]!r}"
        assert errors[name] == (dutch or nl.gettext(message))


def test_json_thanks_in_dutch_when_the_page_is_dutch(inbox: InboxApp) -> None:
    reply = inbox.post("/reviews", review_fields(marker(), ui="nl", lang="nl"), json_reply=True)
    assert reply.status == 200
    assert reply.json()["title"] != "Thank you for your review"


# -- abuse: each case, its status, what was stored, and the rating never matters -------------


def _too_large(mark: str, rating: int) -> bytes:
    fields = review_fields(mark, rating=rating, text="x" * (64 * 1024) + mark)
    return "&".join(f"{k}={v}" for k, v in fields.items()).encode()


def _encoded(mark: str, rating: int, text: str) -> bytes:
    from urllib.parse import urlencode

    return urlencode(review_fields(mark, rating=rating, text=text)).encode("ascii")


ABUSE: dict[str, tuple[int, Any]] = {
    # name: (status, how to post: (inbox, mark, rating, json_reply) -> Reply)
    "too-large": (413, lambda s, m, r, j: s.post("/reviews", _too_large(m, r), json_reply=j)),
    "foreign-origin": (
        403,
        lambda s, m, r, j: s.post(
            "/reviews", review_fields(m, rating=r), json_reply=j, origin="https://evil.example"
        ),
    ),
    "control-character-in-a-field-name": (
        400,
        lambda s, m, r, j: s.post(
            "/reviews", _encoded(m, r, f"Nice beans {m} ok ok") + b"&na%01me=Kim", json_reply=j
        ),
    ),
    "invalid-utf8-escaped": (
        400,
        lambda s, m, r, j: s.post(
            "/reviews", _encoded(m, r, f"Nice beans {m} ok ok") + b"&title=%FF%FEbad", json_reply=j
        ),
    ),
    "invalid-utf8-raw": (
        400,
        lambda s, m, r, j: s.post(
            "/reviews", _encoded(m, r, f"Nice beans {m} ok ok") + b"&name=\xc3\x28", json_reply=j
        ),
    ),
    "not-a-form": (
        415,
        lambda s, m, r, j: s.post(
            "/reviews",
            json.dumps(review_fields(m, rating=r)).encode(),
            json_reply=j,
            headers={"Content-Type": "application/json"},
        ),
    ),
    "too-many-fields": (
        400,
        lambda s, m, r, j: s.post(
            "/reviews",
            dict(review_fields(m, rating=r), **{f"extra{i}": "x" for i in range(40)}),
            json_reply=j,
        ),
    ),
    "honeypot": (
        303,
        lambda s, m, r, j: s.post(
            "/reviews", review_fields(m, rating=r, website="http://cheap.example"), json_reply=j
        ),
    ),
}


@pytest.mark.parametrize("json_reply", [False, True], ids=["form", "fetch"])
@pytest.mark.parametrize("rating", [1, 5])
@pytest.mark.parametrize("case", list(ABUSE))
def test_abuse_case_status_and_storage_do_not_depend_on_the_rating(
    inbox: InboxApp, case: str, rating: int, json_reply: bool
) -> None:
    status, send = ABUSE[case]
    mark = marker()
    before = inbox.get("/health").json()["submissions"]
    reply: Reply = send(inbox, mark, rating, json_reply)
    expected = 200 if (status == 303 and json_reply) else status
    assert reply.status == expected, reply.body[:300]
    rows = inbox.rows(mark)
    if case == "honeypot":
        assert [row.status for row in rows] == ["spam"], "a bot's post is kept, as spam"
        if not json_reply:
            assert reply.headers["location"] == THANKS_URL, "the bot sees the ordinary thanks"
        else:
            assert reply.json()["ok"] is True
    else:
        assert rows == []
        assert inbox.get("/health").json()["submissions"] == before, "nothing was stored"
        if json_reply:
            body = reply.json()
            assert body["ok"] is False and body["message"]


@pytest.mark.parametrize("json_reply", [False, True], ids=["form", "fetch"])
def test_control_characters_a_customer_pasted_are_left_out_not_the_review(
    inbox: InboxApp, json_reply: bool
) -> None:
    """A vertical tab from a word processor, a C1 control, a NUL: invisible, so the customer
    cannot take them out; the review is kept without them, as the reader keeps a file."""
    mark = marker()
    fields = review_fields(mark, rating=2, name="Kim\x00\x1b[31m", title="Kapot\x0b na een week")
    fields["text"] = f"Gekopieerd:\x0b de molen\x85 is kapot\x0c na twee weken. {mark}"
    reply = inbox.post("/reviews", fields, json_reply=json_reply)
    assert reply.status == (200 if json_reply else 303), reply.body[:300]
    (row,) = inbox.rows(mark)
    assert row.status == "accepted"
    stored = json.dumps(row.normalised)
    assert not re.search(r"\\u00[01][0-9a-f]|\\u007f|\\u008[0-9a-f]", stored), stored
    assert row.normalised["name"] == "Kim[31m"
    assert row.normalised["title"] == "Kapot na een week"
    assert row.normalised["text"] == f"Gekopieerd: de molen is kapot na twee weken. {mark}"


CUSTOMER = ("203.0.113.5", 41234)  # a customer's address, posting straight to the inbox
NEIGHBOUR = ("203.0.113.6", 41235)


def test_rate_limit_answers_429_whatever_the_rating(tmp_path: Path, new_inbox_db: str) -> None:
    site = make_site(tmp_path / "rate", demo=False, db=new_inbox_db)
    with InboxApp(site, env=inbox_env(REDRESS_INBOX_RATE_PER_MINUTE="3"), client=CUSTOMER) as server:
        allowed = [server.post("/reviews", review_fields(marker(), rating=r)).status for r in (1, 5, 1)]
        assert allowed == [303, 303, 303]
        for rating in (1, 5):
            for json_reply in (False, True):
                mark = marker()
                reply = server.post("/reviews", review_fields(mark, rating=rating), json_reply=json_reply)
                assert reply.status == 429, (rating, json_reply)
                assert reply.headers["retry-after"] == "60"
                assert server.rows(mark) == []
        spoofed = server.post("/reviews", review_fields(marker()), headers={"X-Forwarded-For": "203.0.113.9"})
        assert spoofed.status == 429, "X-Forwarded-For is ignored unless the inbox is told to trust a proxy"
        assert server.get("/health").json()["submissions"] == {"accepted": 3}
        other = server.post("/reviews", review_fields(marker()), client=NEIGHBOUR)
        assert other.status == 303, "the limit is per address: another customer still gets through"
        assert server.get("/health").json()["submissions"] == {"accepted": 4}


def test_rate_limit_per_client_behind_a_trusted_proxy(tmp_path: Path, new_inbox_db: str) -> None:
    site = make_site(tmp_path / "rate-proxy", demo=False, db=new_inbox_db)
    env = inbox_env(REDRESS_INBOX_RATE_PER_MINUTE="2", REDRESS_INBOX_TRUST_PROXY="1")
    # The posts come from 127.0.0.1: the web server in front of the inbox.
    with InboxApp(site, env=env) as server:

        def post(forwarded_for: str, rating: int, client: tuple[str, int] | None = None) -> int:
            fields = review_fields(marker(), rating=rating)
            headers = {"X-Forwarded-For": forwarded_for}
            return server.post("/reviews", fields, headers=headers, client=client).status

        assert [post("198.51.100.1", r) for r in (1, 1, 1)] == [303, 303, 429]
        assert [post("198.51.100.2", r) for r in (5, 5, 5)] == [303, 303, 429]
        # The proxy appends the address it saw; whatever the client put before it is not evidence.
        spoofed = [post(f"203.0.113.{n}, 198.51.100.3", 5) for n in range(1, 4)]
        assert spoofed == [303, 303, 429], "a made-up X-Forwarded-For entry does not get a new allowance"
        # A customer who reaches the inbox directly is not the proxy: their header is not believed.
        direct = [post(f"198.51.100.{n}", 1, client=CUSTOMER) for n in range(10, 13)]
        assert direct == [303, 303, 429], "only the proxy's X-Forwarded-For counts"


def test_forwarded_for_from_the_proxy_is_ignored_unless_trusted(tmp_path: Path) -> None:
    site = make_site(tmp_path / "rate-no-proxy", demo=False)
    with InboxApp(site, env=inbox_env(REDRESS_INBOX_RATE_PER_MINUTE="2")) as server:
        statuses = [
            server.post(
                "/reviews", review_fields(marker()), headers={"X-Forwarded-For": f"198.51.100.{n}"}
            ).status
            for n in range(1, 4)
        ]
        assert statuses == [303, 303, 429], "without REVIEWS_INBOX_TRUST_PROXY every post is the proxy's"


def test_honeypot_spam_is_never_published_or_waiting(inbox: InboxApp, site: Path) -> None:
    mark = marker()
    assert inbox.post("/reviews", review_fields(mark, website="x")).status == 303
    (row,) = inbox.rows(mark)
    with inbox.store() as store:
        assert row.id not in {s.id for s in store.waiting()}
    publish(site)
    (row,) = inbox.rows(mark)
    assert row.published_path is None
    assert not any(mark in p.read_text(encoding="utf-8") for p in (site / "content").rglob("*.md"))


def test_a_spam_post_does_not_swallow_the_same_review_sent_again_by_a_person(inbox: InboxApp) -> None:
    """Autofill can fill the hidden field; the same review sent again without it must be kept."""
    mark = marker()
    assert inbox.post("/reviews", review_fields(mark, website="https://kim.example")).status == 303
    assert inbox.post("/reviews", review_fields(mark)).status == 303
    assert sorted(row.status for row in inbox.rows(mark)) == ["accepted", "spam"]


def test_body_too_large_without_content_length_is_refused(inbox: InboxApp) -> None:
    mark = marker()

    def chunks() -> Iterator[bytes]:
        yield f"rating=1&consent=yes&text={mark}".encode()
        for _ in range(20):
            yield b"x" * 8192

    headers = {"Content-Type": "application/x-www-form-urlencoded", "Origin": ORIGIN}
    assert inbox.stream("/reviews", chunks(), headers).status == 413
    assert inbox.rows(mark) == []


def test_allowed_origins_are_accepted_and_a_null_or_missing_one_is_not(inbox: InboxApp) -> None:
    # "null" (a sandboxed frame, a no-referrer page, or another origin's form from a page
    # with `referrer: same-origin`) and no Origin at all say nothing about the page: like a
    # foreign origin, unless the owner sets REVIEWS_INBOX_ALLOW_NULL_ORIGIN.
    for origin, status in ((ORIGIN, 303), ("http://127.0.0.1:8000", 303), (None, 403), ("null", 403)):
        mark = marker()
        reply = inbox.post("/reviews", review_fields(mark), origin=origin)
        assert reply.status == status, origin
        assert len(inbox.rows(mark)) == (1 if status == 303 else 0)


def test_preflight_answers_only_known_origins(inbox: InboxApp) -> None:
    known = inbox.request("OPTIONS", "/reviews", headers={"Origin": ORIGIN})
    assert known.status == 204 and known.headers["access-control-allow-origin"] == ORIGIN
    unknown = inbox.request("OPTIONS", "/reviews", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in unknown.headers


def test_unknown_endpoint_is_404_and_stores_nothing(inbox: InboxApp) -> None:
    mark = marker()
    assert inbox.post("/comments", review_fields(mark)).status == 404
    assert inbox.rows(mark) == []


# -- duplicates -----------------------------------------------------------------------------


def test_the_same_key_is_stored_once(inbox: InboxApp) -> None:
    mark = marker()
    fields = review_fields(mark, key=f"key-{mark}")
    first = inbox.post("/reviews", fields, json_reply=True)
    second = inbox.post("/reviews", fields, json_reply=True)
    retry_without_js = inbox.post("/reviews", fields)
    assert (first.status, second.status, retry_without_js.status) == (200, 200, 303)
    assert len(inbox.rows(mark)) == 1


def test_a_post_changed_before_it_is_sent_again_is_kept_too(inbox: InboxApp) -> None:
    """write.js keeps its key after a failed send: the first may have arrived all the same.
    The customer's changed version must not get "thank you" and be thrown away."""
    mark = marker()
    first = review_fields(mark, rating=3, key=f"key-{mark}", title=f"First {mark}")
    changed = dict(first, rating="1", p="molen-m2", title=f"Corrected {mark}")
    assert inbox.post("/reviews", first, json_reply=True).status == 200
    assert inbox.post("/reviews", changed, json_reply=True).status == 200
    titles = sorted(row.normalised["title"] for row in inbox.rows(mark))
    assert titles == [f"Corrected {mark}", f"First {mark}"]


def test_identical_no_js_posts_are_stored_once(inbox: InboxApp) -> None:
    mark = marker()
    fields = review_fields(mark, rating=1)
    replies = [inbox.post("/reviews", fields) for _ in range(3)]
    assert [r.status for r in replies] == [303, 303, 303]
    assert len(inbox.rows(mark)) == 1


def test_different_posts_are_not_merged(inbox: InboxApp) -> None:
    mark = marker()
    assert inbox.post("/reviews", review_fields(mark, rating=1)).status == 303
    assert inbox.post("/reviews", review_fields(mark, rating=5)).status == 303
    assert inbox.post("/reviews", review_fields(mark, rating=5, key="a" + mark)).status == 303
    assert inbox.post("/reviews", review_fields(mark, rating=5, key="b" + mark)).status == 303
    assert len(inbox.rows(mark)) == 4


@pytest.mark.parametrize("rating", [1, 5])
def test_duplicates_do_not_depend_on_the_rating(inbox: InboxApp, rating: int) -> None:
    mark = marker()
    fields = review_fields(mark, rating=rating, key=mark)
    assert [inbox.post("/reviews", fields).status for _ in range(2)] == [303, 303]
    assert len(inbox.rows(mark)) == 1


# -- tokens -----------------------------------------------------------------------------------

TOKEN_CASES = {
    # name: (how to make the token, verified?, token status)
    # A new order each time: an invitation verifies one review (the fixture posts two per case).
    "valid-shop": (lambda: token(f"BB-80001-{marker()}"), True, "valid"),
    "valid-product": (lambda: token(f"BB-80002-{marker()}", "espresso-x1"), True, "valid"),
    "missing": (lambda: "", False, "missing"),
    "expired": (lambda: token("BB-80003", days=-1), False, "expired"),
    "tampered": (
        lambda: token("BB-80004")[:-2] + ("AA" if not token("BB-80004").endswith("AA") else "BB"),
        False,
        "tampered",
    ),
    "other-secret": (
        lambda: tokens.make_token(
            b"another-secret-" * 3, "BB-80005", "", dt.date.today() + dt.timedelta(days=9)
        ),
        False,
        "tampered",
    ),
    "wrong-product": (lambda: token("BB-80006", "molen-m2"), False, "wrong-product"),
    "garbage": (lambda: "not-a-token", False, "malformed"),
}


@pytest.fixture(scope="module")
def token_reviews(inbox: InboxApp, site: Path) -> dict[str, tuple[str, Any]]:
    """One review per token case, in both ratings, posted, published and built."""
    posted: dict[str, tuple[str, Any]] = {}
    for name, (make, _verified, _status) in TOKEN_CASES.items():
        for rating in (1, 5):
            mark = marker()
            fields = review_fields(mark, rating=rating, p="espresso-x1", t=make(), email=f"{mark}@example.nl")
            reply = inbox.post("/reviews", fields)
            posted[f"{name}-{rating}"] = (mark, reply)
    publish(site)
    build_site(site)
    return posted


@pytest.mark.parametrize("rating", [1, 5])
@pytest.mark.parametrize("case", list(TOKEN_CASES))
def test_token_decides_the_labels_never_the_outcome(
    inbox: InboxApp, site: Path, token_reviews: dict[str, tuple[str, Any]], case: str, rating: int
) -> None:
    _make, verified, status = TOKEN_CASES[case]
    mark, reply = token_reviews[f"{case}-{rating}"]
    assert reply.status == 303, "a token never decides whether a review is accepted"
    (row,) = inbox.rows(mark)
    assert row.status == "accepted"
    assert row.token_status == status
    assert row.normalised["verified"] is verified
    assert row.normalised["source"] == ("invited" if verified else "organic")
    file = published_path(inbox, mark)
    text = file.read_text(encoding="utf-8")
    assert ("Verified: yes" in text) is verified
    assert ("Source: invited" if verified else "Source: organic") in text
    card = review_card(site / "output", file)
    assert mark in card.get_text()
    assert labels(card) == ({"Verified buyer", "Invited"} if verified else set())
    assert card.select_one(".review-rating .rating-number").get_text() == f"{rating}/5"


def test_valid_token_order_is_kept_in_the_file_and_not_on_the_page(
    inbox: InboxApp, site: Path, token_reviews: dict[str, tuple[str, Any]]
) -> None:
    mark, _reply = token_reviews["valid-product-1"]
    file = published_path(inbox, mark)
    (order,) = re.findall(r"^Order: (BB-80002-\w+)$", file.read_text(encoding="utf-8"), re.M)
    page = (site / "output" / "reviews" / file.stem / "index.html").read_text(encoding="utf-8")
    assert order not in page and f"{mark}@example.nl" not in page


def test_token_from_the_referer_when_the_field_is_empty(inbox: InboxApp) -> None:
    mark = marker()
    invitation = token("BB-80101", "espresso-x1")
    reply = inbox.post(
        "/reviews",
        review_fields(mark, p="espresso-x1", t=""),
        referer=f"{SITEURL}/reviews/write/espresso-x1/?t={invitation}",
    )
    assert reply.status == 303
    (row,) = inbox.rows(mark)
    assert row.token_status == "valid" and row.normalised["verified"] is True
    assert row.normalised["token_order"] == "BB-80101"


def test_a_tampered_token_in_the_referer_is_not_verified(inbox: InboxApp) -> None:
    mark = marker()
    forged = tokens.make_token(b"x" * 40, "BB-80102", "", dt.date.today() + dt.timedelta(days=3))
    reply = inbox.post("/reviews", review_fields(mark), referer=f"{SITEURL}/reviews/write/?t={forged}")
    assert reply.status == 303
    (row,) = inbox.rows(mark)
    assert row.token_status == "tampered" and row.normalised["verified"] is False


# -- follow-ups -----------------------------------------------------------------------------


def _order_of(site: Path, slug: str) -> str:
    text = (site / "content" / "reviews" / f"{slug}.md").read_text(encoding="utf-8")
    return re.search(r"^Order: (.+)$", text, re.M).group(1).strip()


def _thread_entries(site: Path, slug: str) -> list[Any]:
    page = site / "output" / "reviews" / slug / "index.html"
    return soup(page.read_text(encoding="utf-8")).select(f"article#review-{slug} li.entry-customer")


def _follow_up_token(site: Path, slug: str) -> str:
    """The token of the review's follow-up link, as `redress follow-up-link` makes it."""
    return tokens.make_follow_up_token(
        SECRET.encode(), _order_of(site, slug), slug, dt.date.today() + dt.timedelta(days=30)
    )


def test_follow_up_with_the_review_link_is_published_as_the_customers_word(
    inbox: InboxApp, site: Path
) -> None:
    mark = marker()
    link = _follow_up_token(site, LEAKING)  # only the review's own follow-up link proves it is them
    reply = inbox.post(
        "/follow-ups",
        {"r": LEAKING, "t": link, "resolved": "no", "text": f"Still dripping. {mark}", "consent": "yes"},
    )
    assert reply.status == 303
    assert reply.headers["location"] == f"{SITEURL}/reviews/thanks/follow-up/"
    publish(site)
    path = published_path(inbox, mark)
    assert path == site / "content" / "responses" / f"{LEAKING}-customer.md"
    text = path.read_text(encoding="utf-8")
    assert f"Review: {LEAKING}" in text
    assert "From: customer" in text and "Resolved: no" in text
    assert text.rstrip().endswith(f"Still dripping. {mark}")
    build_site(site)
    entries = _thread_entries(site, LEAKING)
    assert any(mark in entry.get_text() for entry in entries)


def test_follow_up_without_proof_of_being_the_reviewer_stays_in_the_inbox(
    inbox: InboxApp, site: Path
) -> None:
    """Anyone can post "fixed: yes" to any review; only the reviewer's own word is published as theirs."""
    mark = marker()
    reply = inbox.post(
        "/follow-ups", {"r": LEAKING, "resolved": "yes", "text": f"All fine now! {mark}", "consent": "yes"}
    )
    assert reply.status == 303  # received and kept, like everything
    run = redress_here(site, "publish")
    assert "cannot confirm this follow-up" in run.stdout + run.stderr
    assert run.returncode == 0  # it never blocks the rest
    responses = site / "content" / "responses"
    assert not any(mark in p.read_text(encoding="utf-8") for p in responses.glob("*.md"))


def test_follow_up_with_only_its_token_finds_its_review(inbox: InboxApp, site: Path) -> None:
    slug = "2026-10-19-tuit-lekt-langs-de-zijkant"
    order = _order_of(site, slug)
    mark = marker()
    invitation = _follow_up_token(site, slug)
    reply = inbox.post(
        "/follow-ups",
        {"t": invitation, "resolved": "yes", "text": f"Nieuwe kan, lekt niet meer. {mark}", "consent": "yes"},
        json_reply=True,
    )
    assert reply.status == 200 and reply.json()["title"] == "Thank you for your answer"
    publish(site)
    path = published_path(inbox, mark)
    assert path.relative_to(site / "content").as_posix() == f"responses/{slug}-customer.md"
    text = path.read_text(encoding="utf-8")
    assert "From: customer" in text and "Resolved: yes" in text and f"Review: {slug}" in text
    assert order not in text and invitation not in text
    build_site(site)
    assert any(mark in entry.get_text() for entry in _thread_entries(site, slug))


def test_follow_up_review_link_from_the_referer_without_js(inbox: InboxApp, site: Path) -> None:
    """The follow-up link carries ?t=<token>&r=<review>; without JavaScript the hidden fields stay empty."""
    slug = "2026-11-16-verkeerde-bonen-ontvangen"
    token = _follow_up_token(site, slug)
    mark = marker()
    reply = inbox.post(
        "/follow-ups",
        {"r": "", "t": "", "resolved": "yes", "text": f"Opgelost. {mark}", "consent": "yes"},
        referer=f"{SITEURL}/reviews/follow-up/?t={token}&r={slug}",
    )
    assert reply.status == 303
    (row,) = inbox.rows(mark)
    assert row.normalised["review"] == slug
    publish(site)
    assert published_path(inbox, mark).name == f"{slug}-customer.md"


# -- publishing -----------------------------------------------------------------------------


def test_publish_twice_writes_once(inbox: InboxApp, site: Path) -> None:
    mark = marker()
    assert inbox.post("/reviews", review_fields(mark, rating=2)).status == 303
    first = publish(site)
    (row,) = inbox.rows(mark)
    assert f"#{row.id} -> " in first
    files_after_first = sorted((site / "content").rglob("*.md"))
    second = publish(site)
    assert second.startswith("0 written"), second
    assert sorted((site / "content").rglob("*.md")) == files_after_first
    assert len([p for p in files_after_first if mark in p.read_text(encoding="utf-8")]) == 1


def test_publish_never_overwrites_an_existing_file(inbox: InboxApp, site: Path) -> None:
    mark = marker()
    assert (
        inbox.post("/reviews", review_fields(mark, rating=1, title=f"Overwrite check {mark}")).status == 303
    )
    (row,) = inbox.rows(mark)
    from pelican.plugins.redress.inbox.publish import review_file

    slug, _text = review_file(inbox.config(), row)
    target = site / "content" / "reviews" / f"{slug}.md"
    original = (
        f"Date: 2026-01-01 10:00\nRating: 3\n\nThe shop owner wrote this file by hand. {mark}-original\n"
    )
    target.write_text(original, encoding="utf-8")
    publish(site)
    assert target.read_text(encoding="utf-8") == original
    second = target.with_name(f"{slug}-2.md")
    assert second.exists()
    assert f"Marker {mark}." in second.read_text(encoding="utf-8")
    assert published_path(inbox, mark) == second


def test_published_file_is_read_back_by_the_build(inbox: InboxApp, site: Path) -> None:
    mark = marker()
    fields = review_fields(
        mark,
        rating=1,
        title="Kapot: <script>alert(1)</script>",
        text=f"Line one.\nTitle: injected\n\n<img src=x onerror=alert(1)> **bold** {mark}",
        name="Anna\u2028Withheld: spam",
        lang="nl",
        p="molen-m2",
    )
    assert inbox.post("/reviews", fields).status == 303
    publish(site)
    file = published_path(inbox, mark)
    head = file.read_text(encoding="utf-8").split("\n\n", 1)[0]
    assert not [
        line for line in head.splitlines() if line.lower().startswith(("withheld", "title: injected"))
    ]
    assert "Author: Anna Withheld: spam" in head, "a value cannot start a field of its own"
    build_site(site)
    card = review_card(site / "output", file)
    assert not card.select("script, [onerror]"), "the customer's HTML is text, never markup"
    assert card.select_one(".review-title").get_text(strip=True) == "Kapot: <script>alert(1)</script>"
    assert card.select_one(".review-text strong").get_text() == "bold"
    assert card.select_one(".review-rating .rating-number").get_text() == "1/5"


def test_hold_window_is_the_same_for_every_rating(tmp_path: Path, new_inbox_db: str) -> None:
    from pelican.plugins.redress.inbox.publish import publish as publish_now

    site = make_site(tmp_path / "held", REVIEWS_HOLD_HOURS=48, db=new_inbox_db)
    marks = {1: marker(), 5: marker()}
    with InboxApp(site) as server:
        for rating, mark in marks.items():
            assert server.post("/reviews", review_fields(mark, rating=rating)).status == 303
        held = redress_here(site, "publish", env=server.env)
        assert held.returncode == 0
        assert "0 written, 2 still within the 48-hour hold" in held.stdout
        config = server.config()
        now = dt.datetime.now(dt.UTC)
        with server.store() as store:
            report = publish_now(config, store, now=now + dt.timedelta(hours=47))
            assert (report.written, report.held) == ([], 2)
            report = publish_now(config, store, now=now + dt.timedelta(hours=49))
            assert report.held == 0 and len(report.written) == 2
        for mark in marks.values():
            assert published_path(server, mark).exists()


# -- withholding ----------------------------------------------------------------------------


def test_withhold_before_and_after_publishing_is_counted_on_the_page(inbox: InboxApp, site: Path) -> None:
    before, after = marker(), marker()
    assert inbox.post("/reviews", review_fields(before, rating=1, title=f"Spam {before}")).status == 303
    assert inbox.post("/reviews", review_fields(after, rating=5, title=f"Rude {after}")).status == 303
    (row_before,) = inbox.rows(before)
    done = redress_here(site, "withhold", str(row_before.id), "--reason", "spam")
    assert done.returncode == 0, done.stderr
    assert "the page's ledger counts it" in done.stdout
    file_before = published_path(inbox, before)
    assert "Withheld: spam" in file_before.read_text(encoding="utf-8")

    publish(site)
    file_after = published_path(inbox, after)
    body_before = file_after.read_text(encoding="utf-8").split("\n\n", 1)[1]
    (row_after,) = inbox.rows(after)
    assert redress_here(site, "withhold", str(row_after.id), "--reason", "defamation").returncode == 0
    text_after = file_after.read_text(encoding="utf-8")
    head, body = text_after.split("\n\n", 1)
    assert "Withheld: defamation" in head.splitlines()
    assert body == body_before, "the customer's words stay as they were"
    assert published_path(inbox, after) == file_after, "withholding rewrote the same file"

    out = build_site(site)
    withheld_files = [
        p
        for p in (site / "content" / "reviews").glob("*.md")
        if re.search(r"^Withheld:", p.read_text(), re.M)
    ]
    reasons = [re.search(r"^Withheld: (.+)$", p.read_text(), re.M).group(1) for p in withheld_files]
    ledger = soup((out / "reviews" / "index.html").read_text(encoding="utf-8")).select_one("table.ledger")
    assert f"{len(withheld_files)} reviews withheld" in ledger.caption.get_text()
    rows = {tr.th.get_text(strip=True): int(tr.td.get_text()) for tr in ledger.select("tbody tr")}
    assert rows["Spam or advertising"] == reasons.count("spam") >= 1
    assert rows["Defamation or insults"] == reasons.count("defamation") >= 1
    for mark, file in ((before, file_before), (after, file_after)):
        assert not (out / "reviews" / file.stem).exists()
        for html in out.rglob("*.html"):
            assert mark not in html.read_text(encoding="utf-8")


def test_withhold_refuses_what_it_cannot_withhold(inbox: InboxApp, site: Path) -> None:
    spam = marker()
    assert inbox.post("/reviews", review_fields(spam, website="x")).status == 303
    (row,) = inbox.rows(spam)
    refused = redress_here(site, "withhold", str(row.id), "--reason", "spam")
    assert refused.returncode == 2 and "was spam, not accepted" in refused.stderr
    missing = redress_here(site, "withhold", "999999", "--reason", "spam")
    assert missing.returncode == 2 and "no submission 999999" in missing.stderr
    bad_reason = redress_here(site, "withhold", str(row.id), "--reason", "one-star")
    assert bad_reason.returncode == 2 and "invalid choice" in bad_reason.stderr
    assert "Traceback" not in refused.stderr + missing.stderr + bad_reason.stderr


# -- commands -------------------------------------------------------------------------------


def test_list_shows_what_waits_and_all_shows_everything(inbox: InboxApp, site: Path) -> None:
    waiting, spam, refused = marker(), marker(), marker()
    assert inbox.post("/reviews", review_fields(waiting, rating=3, title=f"Listed {waiting}")).status == 303
    assert inbox.post("/reviews", review_fields(spam, website="x", title=f"Bot {spam}")).status == 303
    # A refused post of its own: the module's database is shared, in whatever order tests run.
    assert inbox.post("/reviews", review_fields(refused, rating="0"), json_reply=True).status == 400
    (row,) = inbox.rows(waiting)
    (spam_row,) = inbox.rows(spam)
    (refused_row,) = inbox.rows(refused)
    listed = redress_here(site, "list")
    assert listed.returncode == 0
    line = next(line for line in listed.stdout.splitlines() if line.startswith(f"#{row.id} "))
    assert "review" in line and "3/5" in line and "unverified" in line and f"Listed {waiting}" in line
    assert f"#{spam_row.id} " not in listed.stdout
    everything = redress_here(site, "list", "--all")
    lines = {line.split(" ", 1)[0]: line for line in everything.stdout.splitlines() if line.startswith("#")}
    assert "spam" in lines[f"#{spam_row.id}"]
    assert "rejected" in lines[f"#{refused_row.id}"]


def test_help_offers_no_rating_filter_and_no_delete() -> None:
    def helptext(*args: str) -> str:
        done = run_here(["inbox", *args, "--help"])
        assert done.returncode == 0, done.stderr
        return done.stdout

    main = helptext()
    commands = set(re.findall(r"^    (\w+)\s", main, re.M))
    assert commands == {"serve", "list", "publish", "withhold", "dismiss", "migrate"}
    forbidden = re.compile(r"rating|star|score|delete|remove|purge|drop|\bmin\b|\bmax\b|positive|negative")
    for command in ["", *sorted(commands)]:
        text = helptext(command) if command else main
        options = re.findall(r"(--?[\w-]+)", text)
        assert not [o for o in options if forbidden.search(o)], (command, options)
        assert not forbidden.search(text.lower().replace("reviews_hold_hours", "")), (command, text)


# -- notifications --------------------------------------------------------------------------


class WebhookReceiver:
    """A shop owner's webhook endpoint on loopback, recording what it receives."""

    def __init__(self, sock: socket.socket | None = None):
        """Listen on a port of its own, or on `sock`, a socket bound beforehand."""
        self.notices: list[dict[str, Any]] = []
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - the http.server API
                length = int(self.headers.get("Content-Length", "0"))
                receiver.notices.append(
                    {
                        "content_type": self.headers.get("Content-Type"),
                        "body": json.loads(self.rfile.read(length)),
                    }
                )
                self.send_response(204)
                self.end_headers()

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                pass

        self.server = http.server.ThreadingHTTPServer(
            ("127.0.0.1", 0), Handler, bind_and_activate=sock is None
        )
        if sock is not None:
            self.server.socket.close()
            self.server.socket = sock
            self.server.server_address = sock.getsockname()
            self.server.server_activate()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def _assert_private_fields_absent(notice: str, mark: str, invitation: str) -> None:
    assert f"{mark}@example.nl" not in notice
    assert "BB-66001" not in notice
    assert invitation not in notice


def test_webhook_gets_a_notice_without_email_or_order(tmp_path: Path, new_inbox_db: str) -> None:
    receiver = WebhookReceiver()
    site = make_site(tmp_path / "hook", db=new_inbox_db)
    try:
        with InboxApp(site, env=inbox_env(REDRESS_INBOX_WEBHOOK=receiver.url)) as server:
            mark = marker()
            invitation = token("BB-66001")
            fields = review_fields(mark, rating=1, email=f"{mark}@example.nl", order="BB-66001", t=invitation)
            assert server.post("/reviews", fields).status == 303
            assert wait_for(lambda: receiver.notices, timeout=10)
            (notice,) = receiver.notices
            assert notice["content_type"] == "application/json"
            body = notice["body"]
            (row,) = server.rows(mark)
            assert body["id"] == row.id and body["kind"] == "review" and body["rating"] == 1
            assert mark in body["text"] and body["verified"] is True
            _assert_private_fields_absent(json.dumps(body), mark, invitation)
            assert wait_for(lambda: server.rows(mark)[0].notified_at, timeout=5)
    finally:
        receiver.close()


def test_a_notice_says_when_it_carries_only_the_beginning_of_the_text() -> None:
    from pelican.plugins.redress.inbox import notify

    whole = "w" * notify.NOTICE_TEXT_CHARS
    assert notify._beginning(whole) == whole
    cut = notify._beginning(whole + "x" * 120)
    assert cut == whole + "… (120 more characters: redress inbox list)"


def test_webhook_down_keeps_the_submission_and_retries_later(tmp_path: Path, new_inbox_db: str) -> None:
    from pelican.plugins.redress.inbox.notify import Notifier

    # The webhook's port is ours from the start, bound but not listening: a refused connection.
    hook = socket.socket()
    hook.bind(("127.0.0.1", 0))
    site = make_site(tmp_path / "hook-down", db=new_inbox_db)
    env = inbox_env(REDRESS_INBOX_WEBHOOK=f"http://127.0.0.1:{hook.getsockname()[1]}/hook")
    mark = marker()
    with InboxApp(site, env=env) as server:
        assert server.post("/reviews", review_fields(mark, rating=5)).status == 303
        failed = wait_for(lambda: server.rows(mark)[0].notify_attempts >= 1, timeout=10)
        assert failed, "the service tried once and failed"
        assert wait_for(lambda: "could not notify" in server.log(), timeout=5)
    # The service is stopped, so only this test's Notifier sends from here on.
    (row,) = server.rows(mark)
    assert row.status == "accepted" and row.notified_at is None
    receiver = WebhookReceiver(hook)  # now it listens, on the same port
    try:
        with server.store() as store:
            notifier = Notifier(server.config(), store)
            now = dt.datetime.now(dt.UTC)
            assert notifier.send_pending(now=now) == 0, "a retry waits for its pause"
            assert receiver.notices == []
            assert notifier.send_pending(now=now + dt.timedelta(hours=2)) == 1
            assert notifier.send_pending(now=now + dt.timedelta(hours=4)) == 0, "sent once"
        (notice,) = receiver.notices
        assert notice["body"]["id"] == row.id
        assert server.rows(mark)[0].notified_at is not None
    finally:
        receiver.close()


class FakeSMTP:
    """Just enough SMTP on a loopback socket to receive one message per connection."""

    def __init__(self) -> None:
        self.messages: list[str] = []
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen()
        self.port = int(self.sock.getsockname()[1])
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._session, args=(conn,), daemon=True).start()

    def _session(self, conn: socket.socket) -> None:
        with conn, conn.makefile("rb") as reader:

            def say(line: str) -> None:
                conn.sendall(line.encode() + b"\r\n")

            say("220 fake.smtp ready")
            for raw in reader:
                command = raw.decode("ascii", "replace").strip().upper()
                if command.startswith(("EHLO", "HELO")):
                    say("250 fake.smtp")
                elif command == "DATA":
                    say("354 go on")
                    lines = []
                    for line in reader:
                        if line in (b".\r\n", b".\n"):
                            break
                        lines.append(line.decode("utf-8", "replace"))
                    self.messages.append("".join(lines))
                    say("250 queued")
                elif command == "QUIT":
                    say("221 bye")
                    return
                else:
                    say("250 ok")

    def close(self) -> None:
        self.sock.close()


def test_email_notice_to_the_shop_owner_without_customer_details(tmp_path: Path) -> None:
    smtp = FakeSMTP()
    site = make_site(tmp_path / "mail")
    env = inbox_env(
        REDRESS_INBOX_NOTIFY_EMAIL="owner@shop.example",
        REDRESS_INBOX_SMTP_HOST="127.0.0.1",
        REDRESS_INBOX_SMTP_PORT=str(smtp.port),
        REDRESS_INBOX_SMTP_FROM="inbox@shop.example",
    )
    try:
        with InboxApp(site, env=env) as server:
            mark = marker()
            invitation = token("BB-66001")
            fields = review_fields(mark, rating=2, email=f"{mark}@example.nl", order="BB-66001", t=invitation)
            assert server.post("/reviews", fields).status == 303
            assert wait_for(lambda: smtp.messages, timeout=10)
            (message,) = smtp.messages
            (row,) = server.rows(mark)
            assert f"Subject: New review #{row.id} in the review inbox" in message
            assert "To: owner@shop.example" in message and "From: inbox@shop.example" in message
            assert mark in message and "rating: 2" in message
            _assert_private_fields_absent(message, mark, invitation)
    finally:
        smtp.close()


# -- privacy, last: everything above is in the content now --------------------------------


def test_nothing_private_of_any_submission_reaches_the_output(inbox: InboxApp, site: Path) -> None:
    mark = marker()
    invitation = token("BB-55001", "espresso-x1")
    fields = review_fields(
        mark, rating=1, p="espresso-x1", email=f"{mark}@example.nl", order="BB-55099", t=invitation
    )
    assert inbox.post("/reviews", fields).status == 303
    publish(site)
    out = build_site(site)
    secrets: set[str] = set()
    with inbox.store() as store:
        for row in store.all():
            raw = row.raw["fields"]
            for name in ("email", "order", "t"):
                if len(raw.get(name, "").strip()) >= 4:
                    secrets.add(raw[name].strip())
            if row.normalised.get("token_order"):
                secrets.add(row.normalised["token_order"])
    assert {f"{mark}@example.nl", "BB-55099", invitation, "BB-55001"} <= secrets
    content = "".join(p.read_text(encoding="utf-8") for p in (site / "content" / "reviews").glob("*.md"))
    assert f"{mark}@example.nl" in content, "the file keeps the e-mail, privately"
    leaks = []
    for path in out.rglob("*"):
        if path.is_file():
            data = path.read_bytes().decode("utf-8", "replace")
            leaks += [(path.relative_to(out).as_posix(), s) for s in secrets if s in data]
    assert leaks == []
