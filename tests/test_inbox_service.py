"""The running inbox and its shop owner: who may post, the content as it changes, what `list` prints.

Every test here runs `redress inbox serve` as a process (:class:`InboxServer`)
and posts to it over a socket, because what it checks is the service over
time: which posts it takes from which page, how it follows the content
files while it runs (and survives a mistake in them), and what reaches the
shop owner's terminal. The commands run through the CLI's own `main()`.
"""

from __future__ import annotations

import re
import unicodedata
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from inbox_server import (
    ORIGIN,
    SITEURL,
    InboxServer,
    Reply,
    build_site,
    inbox_env,
    make_site,
    redress_here,
    review_fields,
    wait_for,
    write_site_settings,
)
from sites import copy_demo

#: The inbox looks at the content files at most every 2 s (catalog.CHECK_SECONDS): room for that.
FOLLOWS_WITHIN = 15
BROKEN_REVIEW = "2026-10-19-tuit-lekt-langs-de-zijkant"


def marker() -> str:
    # Letters only: hex digits may all be digits, and a number may read as a phone number, hidden.
    return uuid.uuid4().hex[:12].translate(str.maketrans("0123456789", "ghijklmnop"))


def stored(server: InboxServer, mark: str) -> list[Any]:
    return server.rows(mark)


# -- 7: a post must say it comes from one of the shop's pages ---------------------------------


@pytest.fixture(scope="module")
def origin_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_site(tmp_path_factory.mktemp("origins") / "site", demo=False)


NAMES_NO_PAGE = {
    # (Origin, Referer): what a browser sends from a page that hides where it is.
    "origin-null": ("null", None),  # a sandboxed frame, or a page with referrer: no-referrer
    "no-origin-no-referer": (None, None),
    "null-with-a-foreign-referer": ("null", "https://evil.example/win-a-prize"),
}
NAMES_OUR_PAGE = {
    "our-origin": (ORIGIN, None),
    "our-referer-without-origin": (None, f"{SITEURL}/reviews/write/"),  # an older browser
    "null-with-our-referer": ("null", f"{SITEURL}/reviews/write/espresso-x1/"),
}


def test_a_post_that_names_no_page_is_refused_like_a_foreign_one(origin_site: Path) -> None:
    """`Origin: null` lets any page post through its visitors' browsers, past the per-address limit."""
    with InboxServer(origin_site) as server:
        for case, (origin, referer) in {**NAMES_NO_PAGE, **NAMES_OUR_PAGE}.items():
            mark = marker()
            reply = server.post("/reviews", review_fields(mark), origin=origin, referer=referer)
            expected = 303 if case in NAMES_OUR_PAGE else 403
            assert reply.status == expected, (case, reply.status, reply.body[:200])
            assert len(stored(server, mark)) == (1 if expected == 303 else 0), case
        fetch = server.post("/reviews", review_fields(marker()), origin="null", json_reply=True)
        assert fetch.status == 403 and fetch.json()["ok"] is False
        assert "access-control-allow-origin" not in fetch.headers


def test_the_owner_can_allow_posts_that_name_no_page(origin_site: Path) -> None:
    """The local demo's two origins need it (pelicanconf.py); a foreign origin stays refused."""
    write_site_settings(origin_site, REVIEWS_INBOX_ALLOW_NULL_ORIGIN=True)
    try:
        with InboxServer(origin_site) as server:
            for case, (origin, referer) in NAMES_NO_PAGE.items():
                expected = 403 if case == "null-with-a-foreign-referer" else 303
                assert server.post(
                    "/reviews", review_fields(marker()), origin=origin, referer=referer
                ).status == (expected), case
            assert (
                server.post("/reviews", review_fields(marker()), origin="https://evil.example").status == 403
            )
            preflight = server.request("OPTIONS", "/reviews", headers={"Origin": "null"})
            assert "access-control-allow-origin" not in preflight.headers, "no answer is readable by null"
    finally:
        write_site_settings(origin_site)
    # The same from the environment, as "null" among the origins.
    env = inbox_env(REDRESS_INBOX_ORIGINS=f"{ORIGIN}, null")
    with InboxServer(origin_site, env=env) as server:
        assert server.post("/reviews", review_fields(marker()), origin="null").status == 303
        assert server.post("/reviews", review_fields(marker()), origin=ORIGIN).status == 303
        reply = server.post("/reviews", review_fields(marker()), origin="null", json_reply=True)
        assert reply.headers.get("access-control-allow-origin") != "null"


def test_neither_demo_settings_file_allows_posts_that_name_no_page(tmp_path: Path) -> None:
    """The demo previews pages and inbox on one origin (`redress preview`): no null origins needed."""
    from pelican.plugins.redress.inbox.config import load_config

    site = copy_demo(tmp_path / "demo", settings_files=True)
    env = inbox_env()
    assert load_config(site / "pelicanconf.py", environ=env).allow_null_origin is False
    assert load_config(site / "publishconf.py", environ=env).allow_null_origin is False


# -- 9 and 10: the content as it changes, mistakes and all -----------------------------------


def _break_review(site: Path) -> tuple[Path, str]:
    path = site / "content" / "reviews" / f"{BROKEN_REVIEW}.md"
    good = path.read_text(encoding="utf-8")
    path.write_text(re.sub(r"^Rating: .*$", "Rating: five", good, flags=re.M), encoding="utf-8")
    return path, good


PROBLEM = f"{BROKEN_REVIEW}.md: Rating: 'five' is not a whole number from 1 to 5"


def _product(site: Path, slug: str, title: str) -> Path:
    path = site / "content" / "products" / f"{slug}.md"
    path.write_text(f"Title: {title}\n\nA product added while the inbox runs.\n", encoding="utf-8")
    return path


def _post_about(server: InboxServer, product: str, mark: str | None = None) -> Reply:
    return server.post("/reviews", review_fields(mark or marker(), p=product), json_reply=True)


def _until(check: Callable[[], bool]) -> bool:
    return bool(wait_for(check, timeout=FOLLOWS_WITHIN, interval=0.25))


def test_a_mistake_in_the_content_never_stops_the_inbox(tmp_path: Path) -> None:
    """serve starts with a broken file, takes posts, says what is wrong once; publish says what to fix."""
    site = make_site(tmp_path / "broken")
    path, good = _break_review(site)
    with InboxServer(site) as server:  # before: `serve` exited with the content's error
        health = server.get("/health").json()
        assert health["ok"] is True and health["content_ok"] is False
        known, unknown = marker(), marker()
        # No product list was ever read: any name is taken, and checked at publish.
        assert _post_about(server, "espresso-x1", known).status == 200
        assert _post_about(server, "no-such-product", unknown).status == 200
        assert server.get("/health").json()["content_ok"] is False
        assert server.log().count(PROBLEM) == 1, server.log()

        refused = redress_here(site, "publish", env=server.env)
        assert refused.returncode == 1
        assert PROBLEM in refused.stderr and "nothing was published" in refused.stderr
        assert "Traceback" not in refused.stdout + refused.stderr
        assert [row.published_path for row in stored(server, known)] == [None]

        path.write_text(good, encoding="utf-8")
        assert _until(lambda: server.get("/health").json()["content_ok"] is True)
        assert "the content can be read again" in server.log()
        assert _post_about(server, "no-such-product").status == 400, "now it knows the products"
        assert server.log().count(PROBLEM) == 1, "the problem was logged once, not per look"

        done = redress_here(site, "publish", env=server.env)
        assert done.returncode == 0, done.stderr
        (row,) = stored(server, known)
        assert row.published_path
        (kept,) = stored(server, unknown)
        assert kept.published_path is None and kept.status == "accepted"
        assert f"#{kept.id}: names the product 'no-such-product'" in done.stderr
        assert "Traceback" not in done.stderr
    build_site(site)  # the build reads everything publish wrote


def test_the_inbox_keeps_its_last_good_products_while_a_file_has_a_mistake(tmp_path: Path) -> None:
    site = make_site(tmp_path / "breaks-later")
    with InboxServer(site) as server:
        assert server.get("/health").json()["content_ok"] is True
        _break_review(site)
        _product(site, "kettle-k1", "Kettle K1")  # read only once the content can be read
        assert _until(lambda: server.get("/health").json()["content_ok"] is False)
        assert _post_about(server, "espresso-x1").status == 200, "a product it knew is still taken"
        assert _post_about(server, "no-such-product").status == 400, "an unknown one is still refused"
        assert _post_about(server, "kettle-k1").status == 400
        assert server.get("/health").json()["ok"] is True
        assert server.log().count(PROBLEM) == 1
        assert server.process is not None and server.process.poll() is None


def test_the_inbox_follows_products_added_and_removed(tmp_path: Path) -> None:
    """Added: taken within seconds, no restart. Removed: refused; a review already in stays in the inbox."""
    site = make_site(tmp_path / "follows")
    with InboxServer(site) as server:
        assert _post_about(server, "kettle-k1").status == 400
        product = _product(site, "kettle-k1", "Kettle K1")
        # Before: refused until a restart.
        assert _until(lambda: _post_about(server, "kettle-k1").status == 200)
        mark = marker()
        assert _post_about(server, "kettle-k1", mark).status == 200
        product.unlink()
        assert _until(lambda: _post_about(server, "kettle-k1").status == 400)

        done = redress_here(site, "publish", env=server.env)
        assert done.returncode == 0, done.stderr
        (row,) = stored(server, mark)
        assert row.published_path is None, "not written: the build would stop on it"
        assert f"#{row.id}: names the product 'kettle-k1', which is not in products/" in done.stderr
        with server.store() as store:
            assert row.id in {s.id for s in store.waiting()}, "kept, for when the product is back"
    build_site(site)  # before: the review file named a product that is gone, and the build stopped

    _product(site, "kettle-k1", "Kettle K1")
    again = redress_here(site, "publish", env=inbox_env())
    assert again.returncode == 0 and f"#{row.id} -> " in again.stdout
    build_site(site)


# -- 17: what reaches the shop owner's terminal, and UTF-8 as some clients send it ---------------


def test_list_prints_no_character_a_customer_could_forge_a_line_with(tmp_path: Path) -> None:
    site = make_site(tmp_path / "listing")
    fake = "#1     2026-01-01 00:00 review    5/5        shop               verified"
    with InboxServer(site) as server:
        mark = marker()
        review = review_fields(
            mark, title=f"Fine \u202egnirts\u202c {mark}", text=f"All good.\r{fake} {mark}"
        )
        assert server.post("/reviews", review).status == 303
        follow_up = {"r": f"x\r{fake}", "resolved": "yes", "text": f"Fixed \u2066{mark}", "consent": "yes"}
        assert server.post("/follow-ups", follow_up).status == 303
        untitled = review_fields(marker(), title="", text=f"No title\r{fake}\u200b {mark}")
        assert server.post("/reviews", untitled).status == 303
        listed = redress_here(site, "list", "--all", env=server.env)
        with server.store() as store:
            rows = len(store.all())
    assert listed.returncode == 0, listed.stderr
    out = listed.stdout
    assert mark in out
    invisible = [ch for ch in out if ch != "\n" and unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp")]
    assert invisible == [], [f"U+{ord(ch):04X}" for ch in invisible]
    assert "\\u202e" in out, "a direction override is shown, escaped"
    lines = out.splitlines()  # splits at \r and the other line breaks a terminal may honour
    # One line per submission, plus the inbox's own notes under some (indented, never a "#").
    entries = [line for line in lines if not line.startswith("       note: ")]
    assert len(entries) == rows and all(re.match(r"#\d+ ", line) for line in entries), out
    # A follow-up's review, typed with spaces, cannot pass for the next columns: it is quoted.
    (answer,) = [line for line in entries if " follow-up " in line]
    assert re.search(r"fixed: True\s+'x #1 [^']*verified'\s+unverified ", answer), answer


def test_a_raw_utf8_form_is_taken_as_the_text_it_is(tmp_path: Path) -> None:
    """Browsers percent-encode; some clients send UTF-8 as it is. Both are valid UTF-8 text."""
    site = make_site(tmp_path / "raw-utf8", demo=False)
    mark = marker()
    fields = review_fields(mark, title="Café crème", text=f"Heerlijk, de crème is perfect! {mark}")
    raw = "&".join(f"{name}={value.replace(' ', '+')}" for name, value in fields.items()).encode("utf-8")
    assert b"\xc3\xa9" in raw and b"%" not in raw
    with InboxServer(site) as server:
        assert server.post("/reviews", raw).status == 303  # before: 400 "not valid UTF-8"
        (row,) = stored(server, mark)
        assert row.normalised["title"] == "Café crème"
        assert row.normalised["text"] == f"Heerlijk, de crème is perfect! {mark}"
        encoded = urlencode(review_fields(marker(), title="Café crème")).encode("ascii")
        assert server.post("/reviews", encoded).status == 303
        broken = raw.replace("Caf\u00e9".encode(), b"Caf\xc3\x28")
        assert server.post("/reviews", broken).status == 400
