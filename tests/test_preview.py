"""`redress preview`: the demo shop tried as an owner tries it, pages and inbox on one local address.

A copy of the demo (its own pelicanconf.py and publishconf.py) is built as
`pelican content` builds it, then `redress preview --port 0` runs as a
process in that folder, reading pelicanconf.py. Headless Chromium opens an
invitation link from the preview's own address, sends the review without
JavaScript (and once with it): the customer lands on the local thank-you
page, `redress inbox list` shows the review verified, and after `redress
inbox publish` and a rebuild the preview serves it with "Verified buyer".
The follow-up form is tried the same way: from its link it is sent and
arrives as the reviewer's; opened without one, it says to open the link.
"""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from inbox_server import SECRET, inbox_env, redress_here, run_here
from pelican import Pelican
from pelican.plugins.redress import tokens
from pelican.plugins.redress.inbox.preview import inbox_folders
from pelican.settings import read_settings
from sites import copy_demo

pytestmark = pytest.mark.browser

FIRST_LINE = re.compile(
    r"redress preview: listening on (?P<url>http://127\.0\.0\.1:\d+)/ \(settings (?P<settings>\S+)\)"
)
SERVING = re.compile(
    r"redress preview: serving (?P<output>\S+) with the inbox at (?P<inbox>\S+) \(database (?P<db>\S+)\)"
)
#: A review of the demo with an Order: line, so `redress follow-up-link` can make its link.
REVIEW = "2026-10-19-tuit-lekt-langs-de-zijkant"


#: A marker of hex digits may be all digits, and eight digits from a 5 are an Estonian mobile
#: number, hidden on the page: letters only.
DIGITS_AS_LETTERS = str.maketrans("0123456789", "ghijklmnop")


def build(site: Path) -> None:
    """`pelican content` in the site's folder: its pelicanconf.py, its output/ (never the repo's)."""
    settings = read_settings(str(site / "pelicanconf.py"), override={"OUTPUT_PATH": str(site / "output")})
    Pelican(settings).run()


@dataclass
class Preview:
    site: Path
    process: subprocess.Popen[bytes]
    url: str
    #: What it printed before it answered.
    said: str
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")


def start_preview(site: Path, timeout: float = 30) -> Preview:
    """`redress preview --port 0` in the site's folder, as the owner runs it; once it answers."""
    log_path = site / "preview.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "pelican.plugins.redress.cli", "preview", "--port", "0"],
            cwd=site,
            env=inbox_env(),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + timeout
    while True:
        text = log_path.read_text(encoding="utf-8", errors="replace")
        found = FIRST_LINE.search(text)
        if found and SERVING.search(text):
            break
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise RuntimeError(f"redress preview did not start:\n{text}")
        time.sleep(0.02)
    url = found["url"]
    while True:
        try:
            with urllib.request.urlopen(f"{url}/inbox/health", timeout=5) as reply:  # noqa: S310
                if reply.status == 200:
                    return Preview(site, process, url, text, log_path)
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise RuntimeError(f"redress preview did not answer:\n{log_path.read_text()}")
        time.sleep(0.02)


@pytest.fixture(scope="module")
def preview(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Preview]:
    site = copy_demo(tmp_path_factory.mktemp("preview") / "shop", settings_files=True)
    build(site)
    running = start_preview(site)
    try:
        yield running
    finally:
        running.process.terminate()
        try:
            running.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            running.process.kill()
            running.process.wait(timeout=10)


def invitation(order: str, product: str) -> str:
    return tokens.make_token(SECRET.encode(), order, product, dt.date.today() + dt.timedelta(days=30))


def send_review(page: Any, stars: int, title: str, text: str) -> None:
    page.click(f"label[for=rating-{stars}]")
    page.fill("#title", title)
    page.fill("#text", text)
    page.fill("#name", "Eva B.")
    page.check("#consent")
    page.click("button[type=submit]")


def listed(site: Path, mark: str) -> str:
    """The line of `redress inbox list` (pelicanconf.py, as the preview) for the submission with `mark`."""
    done = redress_here(site, "list")
    assert done.returncode == 0, done.stderr
    (line,) = [line for line in done.stdout.splitlines() if mark in line]
    return line


def publish_and_build(site: Path) -> dict[int, str]:
    """`redress inbox publish`, then the build; returns {submission: the file's slug} written."""
    done = redress_here(site, "publish")
    assert done.returncode == 0, done.stderr
    build(site)
    return {
        int(number): Path(path).stem for number, path in re.findall(r"^#(\d+) -> (\S+)$", done.stdout, re.M)
    }


def test_the_first_line_names_pelicanconf_the_address_and_the_inbox(preview: Preview) -> None:
    """The build's own settings, not publishconf.py (which sits beside it), and one address for all."""
    first, second, *_rest = preview.said.splitlines()
    found = FIRST_LINE.fullmatch(first)
    assert found, first
    assert found["settings"] == str(preview.site / "pelicanconf.py")
    serving = SERVING.fullmatch(second)
    assert serving, second
    assert serving["output"] == str(preview.site / "output")
    assert serving["inbox"] == "/inbox/"
    assert serving["db"] == str(preview.site / "inbox" / "inbox.sqlite3")
    with urllib.request.urlopen(f"{preview.url}/reviews/") as reply:  # noqa: S310
        assert reply.status == 200


def test_invited_review_without_javascript_is_verified_published_and_shown(
    browser: Any, preview: Preview
) -> None:
    mark = f"nojs-{uuid.uuid4().hex[:8].translate(DIGITS_AS_LETTERS)}"
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{preview.url}/reviews/write/espresso-x1/?t={invitation('BB-PV-1', 'espresso-x1')}")
    assert page.locator("form.review-form").get_attribute("action") == "/inbox/reviews"
    send_review(page, 2, f"Lekt {mark}", f"Er druppelt water uit de groepskop. {mark}")
    # The thank-you page of this preview, not REVIEWS_PREVIEW_URL's nor the production host's.
    page.wait_for_url(f"{preview.url}/reviews/thanks/", timeout=10000)
    assert page.locator("h1").inner_text() == "Thank you for your review"

    line = listed(preview.site, mark)
    assert " verified " in line and "espresso-x1" in line, line
    number = int(line.split()[0].lstrip("#"))
    written = publish_and_build(preview.site)
    slug = written[number]

    page.goto(f"{preview.url}/reviews/{slug}/")
    card = page.locator(f"article#review-{slug}")
    assert mark in card.inner_text()
    assert card.locator("ul.labels li").all_inner_texts() == ["Verified buyer", "Invited"]
    context.close()


def test_invited_review_with_javascript_is_sent_in_place_and_verified(browser: Any, preview: Preview) -> None:
    mark = f"js-{uuid.uuid4().hex[:8].translate(DIGITS_AS_LETTERS)}"
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{preview.url}/reviews/write/?t={invitation('BB-PV-2', '')}")
    send_review(page, 5, f"Lovely crema {mark}", f"Fresh beans, quick delivery, lovely crema. {mark}")
    page.locator(".thanks").wait_for(timeout=10000)
    assert "Thank you for your review" in page.locator(".thanks").inner_text()

    line = listed(preview.site, mark)
    assert " verified " in line, line
    slug = publish_and_build(preview.site)[int(line.split()[0].lstrip("#"))]
    page.goto(f"{preview.url}/reviews/{slug}/")
    labels = page.locator(f"article#review-{slug} ul.labels li").all_inner_texts()
    assert labels == ["Verified buyer", "Invited"]
    context.close()


def test_follow_up_from_its_link_without_javascript_arrives_as_the_reviewers(
    browser: Any, preview: Preview
) -> None:
    link = run_here(
        [
            "follow-up-link",
            REVIEW,
            "--site-url",
            preview.url,
            "--settings",
            str(preview.site / "pelicanconf.py"),
        ]
    )
    assert link.returncode == 0, link.stderr
    mark = f"fu-{uuid.uuid4().hex[:8].translate(DIGITS_AS_LETTERS)}"
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(link.stdout.strip())
    page.click("label[for=resolved-no]")
    page.fill("#text", f"The new jug drips as well. {mark}")
    page.check("#consent")
    page.click("button[type=submit]")
    page.wait_for_url(f"{preview.url}/reviews/thanks/follow-up/", timeout=10000)
    line = listed(preview.site, mark)
    assert " verified " in line and "accepted" in line and REVIEW[:18] in line, line
    context.close()


def test_follow_up_form_opened_without_its_link_says_to_open_the_link(browser: Any, preview: Preview) -> None:
    """With JavaScript the form is not offered at all; without it, the same words stand above it."""
    note = "To answer, open the link in our e-mail"
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{preview.url}/reviews/follow-up/")
    assert note in page.locator("#needs-link").inner_text()
    assert page.locator("#needs-link").is_visible()
    assert not page.locator("form.review-form").is_visible()
    # From the link: the form, and no note.
    page.goto(f"{preview.url}/reviews/follow-up/?r={REVIEW}&t=x")
    assert page.locator("form.review-form").is_visible()
    assert not page.locator("#needs-link").is_visible()
    context.close()

    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{preview.url}/reviews/follow-up/")
    assert page.locator("#needs-link").is_visible() and page.locator("form.review-form").is_visible()
    context.close()


def test_forms_that_post_elsewhere_are_named_and_the_fix_given() -> None:
    """An old pelicanconf.py with the inbox on its own port: the preview says what to change."""
    folders, warnings = inbox_folders(
        {
            "REVIEWS_FORM_ACTION": "http://127.0.0.1:8787/reviews",
            "REVIEWS_FOLLOWUP_ACTION": "/inbox/follow-ups",
        }
    )
    assert folders == ["/inbox"]
    (warning,) = warnings
    assert "http://127.0.0.1:8787/reviews" in warning and 'REVIEWS_FORM_ACTION = "/inbox/reviews"' in warning


def test_no_built_site_says_to_build_first(tmp_path: Path) -> None:
    site = copy_demo(tmp_path / "shop", settings_files=True)
    done = subprocess.run(
        [sys.executable, "-m", "pelican.plugins.redress.cli", "preview", "--port", "0"],
        cwd=site,
        env=inbox_env(),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    assert "does not exist: build the site first (pelican content -s pelicanconf.py)" in done.stderr
