"""Edges of what a customer can type, and one product file's mistake told once.

A textarea's line break is one character to the browser (its ``maxlength``
counts it so) but two in the post (CRLF): the inbox counts as the browser
does. Text made only of invisible characters (zero-width spaces, joiners,
a byte-order mark: Unicode's format characters, category Cf) and
whitespace is no text, so it is "required" like an empty box. Posts go to
the inbox's real app (:class:`InboxApp`); the product file's mistake is
shown by a real build.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import pytest
from conftest import build, review, write
from conftest import make_site as make_content_site
from inbox_server import InboxApp, Reply, make_site, review_fields
from pelican.plugins.redress.content.model import LIMITS
from pelican.plugins.redress.errors import RedressError


def marker() -> str:
    # Letters only: hex digits may all be digits, and a number may read as a phone number, hidden.
    return uuid.uuid4().hex[:12].translate(str.maketrans("0123456789", "ghijklmnop"))


@pytest.fixture(scope="module")
def inbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[InboxApp]:
    site = make_site(tmp_path_factory.mktemp("edges") / "site", demo=False)
    with InboxApp(site) as app:
        yield app


def post_as_browser(inbox: InboxApp, fields: dict[str, str], *, json_reply: bool = True) -> Reply:
    """As a browser sends a textarea: every line break as CRLF (%0D%0A)."""
    sent = {k: v.replace("\r\n", "\n").replace("\n", "\r\n") for k, v in fields.items()}
    return inbox.post("/reviews", urlencode(sent).encode("ascii"), json_reply=json_reply)


def text_of(length: int, mark: str) -> str:
    """`length` characters as the browser counts them: lines of text, each ending in one line break."""
    line = ("Het apparaat werkt goed. " * 4)[:79] + "\n"
    text = (mark + " " + line * (length // len(line) + 1))[:length]
    assert len(text) == length and text.count("\n") > 50
    return text


# -- (12) a line break is one character -------------------------------------------------------


def test_the_longest_text_with_line_breaks_is_accepted_as_the_browser_allowed_it(inbox: InboxApp) -> None:
    mark = marker()
    text = text_of(LIMITS["text"], mark)
    reply = post_as_browser(inbox, review_fields(mark, text=text))
    assert reply.status == 200, reply.body[:300]
    (row,) = inbox.rows(mark)
    assert row.status == "accepted"
    assert row.normalised["text"] == text.strip(), "kept with one LF per line break"
    assert "\r" not in row.normalised["text"]


def test_one_character_more_is_still_too_long(inbox: InboxApp) -> None:
    mark = marker()
    reply = post_as_browser(inbox, review_fields(mark, text=text_of(LIMITS["text"] + 1, mark)))
    assert reply.status == 400
    assert list(reply.json()["errors"]) == ["text"]


def test_without_javascript_the_long_text_is_accepted_too(inbox: InboxApp) -> None:
    mark = marker()
    reply = post_as_browser(inbox, review_fields(mark, text=text_of(LIMITS["text"], mark)), json_reply=False)
    assert reply.status == 303


# -- (17) invisible characters are no text ----------------------------------------------------

INVISIBLE = {
    "zero-width-spaces": "\u200b" * 12,
    "joiners-and-marks": "\u200d\u200c\u2060\u200e\u200f" * 3,
    "byte-order-marks-and-soft-hyphens": "\ufeff\u00ad" * 8,
    "mixed-with-whitespace": "\u200b \u200b\n\u200b\u3000\u200b\u00a0" * 3,
    "hangul-fillers": "\u3164\u115f\u1160\uffa0" * 3,
    "braille-blanks": "\u2800" * 12,
}


@pytest.mark.parametrize("text", list(INVISIBLE.values()), ids=list(INVISIBLE))
def test_a_review_of_invisible_characters_is_required_text(inbox: InboxApp, text: str) -> None:
    mark = marker()
    fields = review_fields(mark, text=text, title=f"Title {mark}")
    reply = inbox.post("/reviews", fields, json_reply=True)
    assert reply.status == 400
    assert reply.json()["errors"] == {"text": "Write a few words about your experience."}
    assert [row.status for row in inbox.rows(mark)] == ["rejected"]


def test_invisible_characters_do_not_count_towards_the_minimum(inbox: InboxApp) -> None:
    mark = marker()
    fields = review_fields(mark, text="ok" + "\u200b" * 20, title=f"Title {mark}")
    reply = inbox.post("/reviews", fields, json_reply=True)
    assert reply.status == 400
    assert reply.json()["errors"] == {"text": f"Write at least {LIMITS['text_min']} characters."}


def test_visible_text_with_format_characters_is_kept_as_written(inbox: InboxApp) -> None:
    """A joiner inside an emoji or a soft hyphen in a long word is part of the text: kept, not removed."""
    mark = marker()
    text = f"Koffie\u00adzetapparaat werkt prima 👩\u200d🍳 {mark}"
    assert inbox.post("/reviews", review_fields(mark, text=text)).status == 303
    (row,) = inbox.rows(mark)
    assert row.normalised["text"] == text


@pytest.mark.parametrize(("name", "title"), [("\u200b\u200b", "\u2060"), ("\u3164", "\u3164\u3164\u3164")])
def test_a_name_or_title_of_invisible_characters_is_left_empty(
    inbox: InboxApp, name: str, title: str
) -> None:
    """Otherwise the page shows an invisible author instead of "Anonymous customer"."""
    mark = marker()
    assert inbox.post("/reviews", review_fields(mark, name=name, title=title)).status == 303
    (row,) = inbox.rows(mark)
    assert (row.normalised["name"], row.normalised["title"]) == ("", "")


@pytest.mark.parametrize("text", ["Top! 👍👍👍", "Super 😀😀😀"])
def test_the_minimum_counts_an_emoji_as_the_browser_does(inbox: InboxApp, text: str) -> None:
    """The form's minlength (and write.js) count UTF-16 units: an emoji is two. The inbox too."""
    assert len(text) < LIMITS["text_min"] <= len(text.encode("utf-16-le")) // 2
    mark = marker()
    reply = inbox.post("/reviews", review_fields(mark, text=text, title=f"Title {mark}"), json_reply=True)
    assert reply.status == 200, reply.body[:300]
    (row,) = inbox.rows(mark)
    assert row.normalised["text"] == text


def test_a_language_tag_longer_than_35_characters_is_refused(inbox: InboxApp) -> None:
    """Each review's lang attribute carries it, on every page it is on: a long one weighs them down."""
    mark = marker()
    fields = review_fields(mark, lang="en-" + "-".join(["abcdefgh"] * 4000))
    reply = inbox.post("/reviews", fields, json_reply=True)
    assert reply.status == 400
    assert list(reply.json()["errors"]) == ["lang"]
    fits = review_fields(marker(), lang="sl-Latn-IT-rozaj-biske-1994-nedis")
    assert len(fits["lang"]) <= 35 and inbox.post("/reviews", fits).status == 303


# -- (17) a product file's mistake, once, on the product file ----------------------------------


def test_a_bad_product_url_is_reported_once_on_the_product_file(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    site = make_content_site(
        tmp_path,
        review("first", product="kettle", date="2026-10-02 14:31"),
        review("second", product="kettle", date="2026-10-03 14:31"),
        review("about-the-shop", date="2026-10-04 14:31"),
    )
    write(site, "products/kettle.md", "Title: Kettle\nURL: not a url\n\nA kettle.\n")
    caplog.set_level(logging.ERROR)
    with pytest.raises(RedressError):
        build(site)
    lines = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    problems = [line for line in lines if ".md" in line]
    assert len([p for p in problems if p.startswith("content/products/kettle.md: Url:")]) == 1, lines
    assert [p for p in problems if "content/reviews/" in p] == [], "the reviews of the product are fine"


def test_a_review_of_a_product_with_no_file_is_still_reported(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    site = make_content_site(tmp_path, review("lost", product="no-such-product"))
    write(site, "products/kettle.md", "Title: Kettle\nURL: not a url\n\nA kettle.\n")
    caplog.set_level(logging.ERROR)
    with pytest.raises(RedressError):
        build(site)
    lines = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert any(
        "content/reviews/lost.md: Product: 'no-such-product' is not a product" in line for line in lines
    )


# -- a reviewer who signs as the shop -----------------------------------------------------------


SHOP_SIGNATURES = ["De Bonenbus", "de bonenbus", "Bonenbus", "BONENBUS team", "Bonenbus klantenservice"]


@pytest.mark.parametrize("name", [*SHOP_SIGNATURES, "\uff22\uff4f\uff4e\uff45\uff4e\uff42\uff55\uff53"])
def test_a_review_signed_with_the_shops_own_name_is_refused(inbox: InboxApp, name: str) -> None:
    """A review under the shop's name reads as the shop praising itself (or answering itself)."""
    mark = marker()
    reply = inbox.post("/reviews", review_fields(mark, name=name, ui="nl"), json_reply=True)
    assert reply.status == 400
    assert reply.json()["errors"] == {
        "name": "Dat is de naam van de winkel zelf. Schrijf je eigen naam, of laat dit leeg."
    }
    assert [row.status for row in inbox.rows(mark)] == ["rejected"]


@pytest.mark.parametrize("name", ["Jan de Vries", "Bonenbus-fan Marieke", "De Bus", "Anna (bonenbus lover)"])
def test_a_name_that_only_mentions_the_shop_is_a_name(inbox: InboxApp, name: str) -> None:
    mark = marker()
    assert inbox.post("/reviews", review_fields(mark, name=name)).status == 303
    (row,) = inbox.rows(mark)
    assert row.normalised["name"] == name
