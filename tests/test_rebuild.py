"""Rebuilds: what changed is written again, nothing stale is left behind."""

from __future__ import annotations

import os
import re
import shutil
import time
from pathlib import Path

import pytest
from conftest import build, make_site, response, review, soup, write
from pelican.plugins.redress.errors import RedressError


def test_new_response_reaches_its_page_and_the_listing(tmp_path):
    site = make_site(tmp_path, review("a", rating=1), review("b", rating=5, date="2026-10-01 10:00"))
    out = build(site)
    assert "Awaiting the shop's response" in soup(out / "reviews/a/index.html").get_text()
    untouched = out / "reviews/b/index.html"
    before = untouched.stat().st_mtime_ns
    write(site, *response("a-1", "a", body="We sent a new one.", status="resolved"))
    build(site)
    page = soup(out / "reviews/a/index.html")
    assert page.find(id="entry-a-1") and "Resolved" in page.select_one(".fix-state").get_text()
    listing = soup(out / "reviews/index.html")
    assert listing.find(id="entry-a-1")
    assert "1 of 1 (100%)" in listing.select_one("dl.responsiveness").get_text(" ", strip=True)
    assert untouched.stat().st_mtime_ns == before  # its inputs did not change


def test_a_change_read_by_a_build_that_failed_is_written_by_the_next(tmp_path):
    """A rebuild looks only at the files changed since the last reading, but not past a failed build.

    The build that failed read (and kept) the edited review with the broken
    file; the next one reads only the fix. The cards and the pages were last
    made before the edit, so they are brought up to date from their own
    reading, not the failed build's.
    """
    site = make_site(
        tmp_path,
        ("products/mug.md", "Title: Mug\n\nA mug.\n"),
        review("a", rating=4, body="First words.", product="mug"),
        review("b", rating=5, date="2026-10-01 10:00"),
    )
    out = build(site)
    write(site, *review("a", rating=4, body="Second words.", product="mug"))
    broken = write(site, *review("z", rating=9))
    with pytest.raises(RedressError):
        build(site)
    broken.unlink()
    build(site)
    for page in ("reviews/a/index.html", "reviews/products/mug/index.html", "reviews/index.html"):
        text = soup(out / page).get_text()
        assert "Second words." in text and "First words." not in text, page


def test_review_withheld_later_disappears_from_the_output(tmp_path):
    site = make_site(
        tmp_path, review("a", rating=2, body="Call Piet on 06-12345678"), review("b", date="2026-10-01 10:00")
    )
    out = build(site)
    assert (out / "reviews/a/index.html").exists()
    write(site, *review("a", rating=2, body="Call Piet on 06-12345678", withheld="personal-data"))
    build(site)
    assert not (out / "reviews/a").exists()
    listing = soup(out / "reviews/index.html")
    assert not listing.find(id="review-a")
    assert "1 review withheld" in listing.select_one("table.ledger caption").get_text()


def test_fewer_pages_after_a_change_removes_the_old_page_files(tmp_path):
    files = [review(f"r{i}", rating=5, date=f"2026-09-{i + 1:02d} 10:00") for i in range(5)]
    site = make_site(tmp_path, *files)
    out = build(site, REVIEWS_PER_PAGE=2, REVIEWS_ARCHIVE_PER_PAGE=2)
    assert (out / "reviews/page/3/index.html").exists()
    build(site, REVIEWS_PER_PAGE=5)
    assert not (out / "reviews/page").exists()


def test_setting_change_rewrites_every_page(tmp_path):
    site = make_site(tmp_path, review("a"))
    out = build(site, REVIEWS_SHOP_NAME="Old name")
    build(site, REVIEWS_SHOP_NAME="New name")
    for path in ("reviews/index.html", "reviews/a/index.html"):
        text = (out / path).read_text(encoding="utf-8")
        assert "New name" in text and "Old name" not in text


def test_deleted_output_is_written_again(tmp_path):
    site = make_site(tmp_path, review("a"))
    out = build(site)
    os.remove(out / "reviews/a/index.html")
    build(site)
    assert (out / "reviews/a/index.html").exists()


def what_each_writer_was_told(monkeypatch) -> list[set[str] | None]:
    """The recorded pages each build's writer was told are not on disk (by the forked check);
    None for a writer told nothing, which looks at each page itself."""
    from pelican.plugins.redress.site import output

    told: list[set[str] | None] = []
    real_init = output.PageWriter.__init__

    def spy(self, *args, **kwargs):
        real_init(self, *args, **kwargs)
        told.append(self._missing)

    monkeypatch.setattr(output.PageWriter, "__init__", spy)
    return told


@pytest.mark.parametrize("checked", ["here", "beside", "by a child that fails"])
def test_pages_removed_by_hand_are_written_again_and_nothing_else(tmp_path, monkeypatch, checked):
    """A review's page, a product's page (kept whole with its group) and the shop's
    feed removed by hand come back; every other file of the section is left as it is.

    On a big shop the pages are looked for by a forked process while the shop
    is read: it finds exactly the ones removed; if it fails, each is looked at here.
    """
    from pelican.plugins.redress.content import forked
    from pelican.plugins.redress.site import output

    site = make_site(tmp_path, review("a", product="mill"), review("b"), response("b-1", "b"))
    write(site, "products/mill.md", "Title: Mill\n\nA mill.\n")
    out = build(site)
    gone = ["reviews/a/index.html", "reviews/products/mill/index.html", "reviews/feed.atom"]
    for page in gone:
        os.remove(out / page)
    before = {p: p.stat().st_mtime_ns for p in (out / "reviews").rglob("*") if p.is_file()}
    monkeypatch.setattr(output, "CHECK_BESIDE_MIN_BYTES", 10**12 if checked == "here" else 0)
    if checked == "by a child that fails":

        def failing() -> None:
            raise OSError("a child that fails")

        monkeypatch.setattr(forked, "in_child", failing)
    told = what_each_writer_was_told(monkeypatch)
    build(site)
    assert told == [set(gone) if checked == "beside" else None]
    for page in gone:
        assert (out / page).is_file(), page
    assert {p: p.stat().st_mtime_ns for p in before} == before  # the section wrote nothing else


def test_a_check_of_the_pages_not_done_in_time_does_not_hold_the_build(tmp_path, monkeypatch):
    """The check runs at a lower priority; on a busy machine it may not be done when the shop
    is read. It is then stopped, and each page is looked at here: a page removed comes back."""
    from pelican.plugins.redress.content import forked
    from pelican.plugins.redress.site import generator

    site = make_site(tmp_path, review("a"), review("b"))
    out = build(site)
    os.remove(out / "reviews/a/index.html")
    pid_file = tmp_path / "check.pid"

    def never_done(settings, output_path, use_cache):
        def check() -> tuple[int, list[str]]:
            pid_file.write_text(str(os.getpid()))
            time.sleep(120)
            return (0, [])

        return forked.beside(check, waits_its_turn=True)

    monkeypatch.setattr(generator, "pages_not_on_disk", never_done)
    monkeypatch.setattr(generator, "CHECK_WAIT_S", 0.05)
    told = what_each_writer_was_told(monkeypatch)
    started = time.monotonic()
    build(site)
    assert time.monotonic() - started < 60  # not waited for (it sleeps two minutes)
    assert told == [None]  # no finding from the check: each page looked at
    assert (out / "reviews/a/index.html").is_file()
    if pid_file.exists():  # (a child stopped before it began wrote nothing)
        with pytest.raises(ProcessLookupError):
            os.kill(int(pid_file.read_text()), 0)  # stopped and reaped


@pytest.mark.parametrize("checked", ["here", "beside"])
def test_a_build_that_empties_the_output_first_writes_every_page_again(tmp_path, monkeypatch, checked):
    """publishconf.py often sets DELETE_OUTPUT_DIRECTORY: Pelican empties the output before any
    generator reads, and the cache, kept elsewhere, still lists every page. Each is written again."""
    from pelican.plugins.redress.site import output

    monkeypatch.setattr(output, "CHECK_BESIDE_MIN_BYTES", 10**12 if checked == "here" else 0)
    site = make_site(tmp_path, review("a", product="mill"), review("b"), response("b-1", "b"))
    write(site, "products/mill.md", "Title: Mill\n\nA mill.\n")
    out = build(site, DELETE_OUTPUT_DIRECTORY=True)
    first = {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert "reviews/a/index.html" in first and "reviews/products/mill/index.html" in first
    build(site, DELETE_OUTPUT_DIRECTORY=True)
    assert {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()} == first


def test_without_cache_every_build_is_complete(tmp_path):
    site = make_site(tmp_path, review("a"))
    out = build(site, REVIEWS_CACHE=False)
    build(site, REVIEWS_CACHE=False)
    assert (out / "reviews/a/index.html").exists()
    assert not any((site / "cache").glob("redress-*")) if (site / "cache").exists() else True


def test_background_process_and_serial_writing_give_the_same_site(tmp_path, monkeypatch):
    from pelican.plugins.redress.site import output

    files = [review(f"r{i}", rating=(i % 5) + 1, date=f"2026-09-{i + 1:02d} 10:00") for i in range(12)]
    sites = {}
    for fork_min in (1, 10**9):  # every page in a forked process / none
        monkeypatch.setattr(output, "FORK_MIN_PAGES", fork_min)
        out = build(make_site(tmp_path / str(fork_min), *files), REVIEWS_PER_PAGE=5)
        sites[fork_min] = {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*.html")}
    forked, serial = sites.values()
    assert len([p for p in forked if re.fullmatch(r"reviews/r\d+/index.html", p)]) == 12
    assert forked == serial


def test_cards_shared_with_a_forked_process_are_the_same_and_a_failed_child_is_made_up_for(
    tmp_path, monkeypatch
):
    """A first build of a big shop shares its cards with a second process; if that fails, here."""
    from pelican.plugins.redress.content import forked
    from pelican.plugins.redress.site import cards

    monkeypatch.setattr(forked.SharedQueue, "TAKE", 2)

    files = [review(f"r{i}", rating=(i % 5) + 1, date=f"2026-09-{i + 1:02d} 10:00") for i in range(14)]
    files += [response(f"r{i}-1", f"r{i}", status="resolved") for i in (1, 2, 12)]
    parent = os.getpid()
    real = cards._render_rows

    def noting_the_child(fails: bool):
        def render_rows(todo, *args):
            if os.getpid() == parent:
                time.sleep(0.02)  # a slower parent: the child surely gets a share, however busy the machine
            else:  # proof that a child made (or failed to make) its share
                with open(tmp_path / f"child-{fails}", "a", encoding="utf-8") as proof:
                    proof.write(f"{len(todo)}\n")
                if fails:
                    raise RuntimeError("the child fails")
            return real(todo, *args)

        return render_rows

    sites = {}
    for name, fork_min, render in (
        ("serial", 10**9, real),
        ("forked", 1, noting_the_child(False)),
        ("failed", 1, noting_the_child(True)),
    ):
        monkeypatch.setattr(cards, "FORK_MIN_CARDS", fork_min)
        monkeypatch.setattr(cards, "_render_rows", render)
        out = build(make_site(tmp_path / name, *files))
        sites[name] = {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    made_there = sum(int(n) for n in (tmp_path / "child-False").read_text(encoding="utf-8").split())
    assert 0 < made_there < 14, "the child made a share of the 14 cards"
    assert (tmp_path / "child-True").exists()
    assert len([p for p in sites["serial"] if re.fullmatch(r"reviews/r\d+/index.html", p)]) == 14
    assert sites["forked"] == sites["serial"] and sites["failed"] == sites["serial"]


@pytest.mark.parametrize("cache", [True, False])
def test_a_withheld_reviews_words_leave_the_product_feed_and_the_filters_cache_or_not(tmp_path, cache):
    """A withheld review takes its product's feed below two entries and empties a filter: both go.

    With a cache the page record removes what a build no longer writes;
    without one the build names the feeds and filter pages it does not write.
    """
    files = [
        review("a", rating=1, product="mill", title="SECRETTITLE", body="SECRETWORDS about the mill"),
        review("b", rating=2, product="mill", date="2026-10-01 10:00"),
        review("c", rating=5, date="2026-10-03 10:00"),
        review("d", rating=4, date="2026-10-04 10:00"),
        response("a-1", "a", body="Sorry a"),
        response("b-1", "b", body="Sorry b"),
        ("products/mill.md", "Title: Mill\n\nA mill.\n"),
    ]
    site = make_site(tmp_path, *files)
    settings = {"REVIEWS_CACHE": cache, "REVIEWS_PER_PAGE": 2, "REVIEWS_ARCHIVE_PER_PAGE": 1}
    out = build(site, **settings)
    feed, stars = out / "reviews/products/mill/feed.rss", out / "reviews/stars/1/index.html"
    oldest = out / "reviews/page/4/index.html"  # four reviews, one to an archive page
    assert "SECRETWORDS" in feed.read_text(encoding="utf-8")
    assert "SECRETTITLE" in stars.read_text(encoding="utf-8") and oldest.is_file()
    write(site, *review("a", rating=1, product="mill", title="SECRETTITLE", withheld="personal-data"))
    build(site, **settings)
    assert not (out / "reviews/a/index.html").exists()
    assert not feed.exists() and not (out / "reviews/products/mill/feed.atom").exists()
    assert not stars.exists() and not oldest.exists()
    for page in out.rglob("*"):
        if page.is_file():
            text = page.read_text(encoding="utf-8", errors="replace")
            assert "SECRETTITLE" not in text and "SECRETWORDS" not in text, page


def test_without_a_cache_a_listing_with_no_page_of_its_own_still_loses_its_emptied_filter(tmp_path):
    """``REVIEWS_INDEX_SAVE_AS = ""`` writes no first page for the shop, but its filters still
    have pages at the output's root; one that empties is removed, cache or not."""
    site = make_site(tmp_path, review("a", rating=5), review("b", rating=1, title="SECRETWORDS"))
    settings = {"REVIEWS_CACHE": False, "REVIEWS_PER_PAGE": 1, "REVIEWS_INDEX_SAVE_AS": ""}
    out = build(site, **settings)
    assert "SECRETWORDS" in (out / "stars/1/index.html").read_text(encoding="utf-8")
    os.remove(site / "content/reviews/b.md")
    build(site, **settings)
    assert not (out / "stars/1/index.html").exists() and not (out / "stars/5/index.html").exists()


def test_a_failed_writer_fails_the_build_before_the_parent_writes_its_pages(tmp_path, monkeypatch):
    """The parent takes the writer's last pages, but stops as soon as the writer has failed."""

    from pelican.plugins.redress.site import output

    monkeypatch.setattr(output, "FORK_MIN_PAGES", 1)
    monkeypatch.setattr(output.forked.SharedQueue, "TAKE", 1)
    parent, written = os.getpid(), []
    real = output.PageWriter._render_and_write

    def render_and_write(self, path, save_as, render):
        if os.getpid() != parent:
            raise RuntimeError("the writer fails")
        if any(save_as == deferred for deferred, _render in self._deferred):  # the writer's, from the back
            written.append(save_as)
            time.sleep(0.01)
        return real(self, path, save_as, render)

    monkeypatch.setattr(output.PageWriter, "_render_and_write", render_and_write)
    files = [review(f"r{i}", date=f"2026-09-{i % 27 + 1:02d} 1{i // 60}:{i % 60:02d}") for i in range(120)]
    with pytest.raises(RuntimeError, match="writing the review pages failed"):
        build(make_site(tmp_path, *files))
    assert len(written) < 20, "the parent stopped soon after the writer failed"


@pytest.mark.parametrize("writer_fails", [False, True])
def test_with_sigchld_ignored_forked_work_still_counts_and_a_failure_still_fails(
    tmp_path, monkeypatch, writer_fails
):
    """A host process that ignores SIGCHLD (some servers, some CI runners) has its
    children reaped by the system, so their exit status cannot be read. Every
    forked part of a build (parsing, listing, cards, background pages, the
    desk's line) tells success by its result: the site is the same as one made
    without any child, and a writer that fails still fails the build."""
    import signal

    from pelican.plugins.redress.content import reader
    from pelican.plugins.redress.site import cards, output

    files = [review(f"r{i}", rating=(i % 5) + 1, date=f"2026-09-{i + 1:02d} 10:00") for i in range(12)]
    files += [response(f"r{i}-1", f"r{i}", status="resolved") for i in (1, 2)]
    sites = {}
    parent = os.getpid()
    real = output.PageWriter._render_and_write

    def render_and_write(self, path, save_as, render):
        if os.getpid() != parent:
            raise RuntimeError("the writer fails")
        return real(self, path, save_as, render)

    before = signal.signal(signal.SIGCHLD, signal.SIG_IGN)
    try:
        for name, fork_min in (("forked", 1), ("serial", 10**9)):
            for module, constant in (
                (output, "FORK_MIN_PAGES"),
                (cards, "FORK_MIN_CARDS"),
                (reader, "FORK_MIN_FILES"),
            ):
                monkeypatch.setattr(module, constant, fork_min)
            if writer_fails and name == "forked":
                monkeypatch.setattr(output.PageWriter, "_render_and_write", render_and_write)
                with pytest.raises(RuntimeError, match="writing the review pages failed"):
                    build(make_site(tmp_path / name, *files))
                return
            out = build(make_site(tmp_path / name, *files))
            sites[name] = {
                p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()
            }
    finally:
        signal.signal(signal.SIGCHLD, before)
    assert len([p for p in sites["forked"] if re.fullmatch(r"reviews/r\d+/index.html", p)]) == 12
    assert sites["forked"] == sites["serial"]


def test_without_shared_memory_for_a_lock_every_part_is_done_all_the_same(tmp_path, monkeypatch):
    """Some containers have no /dev/shm, so no lock can be shared between processes: the
    parsing, the cards and the background pages are then done without a queue, and the
    site is the one a build with queues makes."""
    from pelican.plugins.redress.content import forked, reader
    from pelican.plugins.redress.site import cards, output

    files = [review(f"r{i}", rating=(i % 5) + 1, date=f"2026-09-{i + 1:02d} 10:00") for i in range(12)]
    files += [response(f"r{i}-1", f"r{i}", status="resolved") for i in (1, 2)]
    for module, constant in (
        (output, "FORK_MIN_PAGES"),
        (cards, "FORK_MIN_CARDS"),
        (reader, "FORK_MIN_FILES"),
    ):
        monkeypatch.setattr(module, constant, 1)
    sites = {}
    for name in ("queues", "no-lock"):
        if name == "no-lock":

            def no_lock(self, size):
                raise FileNotFoundError(2, "No such file or directory: /dev/shm")

            monkeypatch.setattr(forked.SharedQueue, "__init__", no_lock)
        out = build(make_site(tmp_path / name, *files))
        sites[name] = {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert len([p for p in sites["queues"] if re.fullmatch(r"reviews/r\d+/index.html", p)]) == 12
    assert sites["no-lock"] == sites["queues"]


def test_where_no_process_can_be_forked_every_part_is_done_in_the_build(tmp_path, monkeypatch):
    """A container at its process limit refuses a fork: the listing of the folders, the check of
    the kept pages, the parsing, the cards and the background pages are done in the build, and
    the site, built and then rebuilt, is the one a build with every child makes."""
    from pelican.plugins.redress.content import reader
    from pelican.plugins.redress.site import cards, output

    files = [review(f"r{i}", rating=(i % 5) + 1, date=f"2026-09-{i + 1:02d} 10:00") for i in range(12)]
    files += [response(f"r{i}-1", f"r{i}", status="resolved") for i in (1, 2)]
    for module, constant, value in (
        (output, "FORK_MIN_PAGES", 1),
        (output, "CHECK_BESIDE_MIN_BYTES", 0),
        (cards, "FORK_MIN_CARDS", 1),
        (reader, "FORK_MIN_FILES", 1),
        (reader, "FORK_WALK_MIN_BYTES", 0),
    ):
        monkeypatch.setattr(module, constant, value)
    real_fork = os.fork
    forks = []

    def counted() -> int:
        forks.append(1)
        return real_fork()

    def refused() -> int:
        raise BlockingIOError(11, "Resource temporarily unavailable")

    sites = {}
    for name in ("children", "no-fork"):
        monkeypatch.setattr(os, "fork", counted if name == "children" else refused)
        site = make_site(tmp_path / name, *files)
        build(site)
        write(site, *response("r3-1", "r3", body="A new answer.", status="in-progress", **{"from": "shop"}))
        out = build(site)
        sites[name] = {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert len(forks) >= 6  # the children were there to be refused
    assert "A new answer." in sites["no-fork"]["reviews/r3/index.html"].decode()
    assert sites["no-fork"] == sites["children"]


def test_the_forked_writer_stops_when_the_build_is_killed(tmp_path):
    """A build killed while its forked writer has pages left (a CI timeout, the OOM killer):
    the writer stops within a page or two instead of writing into the output for nothing."""
    import signal
    import subprocess
    import sys

    files = [review(f"r{i}", date=f"2026-09-{i % 28 + 1:02d} {i // 28 + 10}:00") for i in range(200)]
    site = make_site(tmp_path, *files)
    marks = tmp_path / "marks"
    driver = tmp_path / "driver.py"
    driver.write_text(
        f"""
import os, sys, time
sys.path[:0] = {[str(p) for p in sys.path if p]!r}
from conftest import build
from pelican.plugins.redress.content import forked
from pelican.plugins.redress.site import output
output.FORK_MIN_PAGES = 1
forked.SharedQueue.TAKE = 1
real = output.PageWriter._render_and_write
parent = os.getpid()
def slow(self, path, save_as, render):
    if os.getpid() != parent:  # the writer: one page every 50 ms, each noted
        with open({str(marks)!r}, "a") as note:
            note.write(f"{{os.getpid()}}\\n")
        time.sleep(0.05)
    elif self._child is not None:
        time.sleep(3600)  # once the writer runs, the build stays busy until it is killed
    return real(self, path, save_as, render)
output.PageWriter._render_and_write = slow
build(__import__("pathlib").Path({str(site)!r}))
""",
        encoding="utf-8",
    )
    process = subprocess.Popen([sys.executable, str(driver)], cwd=os.path.dirname(__file__))
    try:
        deadline = time.monotonic() + 60
        while (not marks.exists() or len(marks.read_text().split()) < 5) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert marks.exists(), "the forked writer never started"
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait()
    writer = int(marks.read_text().split()[0])
    time.sleep(1.0)
    settled = len(marks.read_text().split())
    time.sleep(1.0)
    assert len(marks.read_text().split()) == settled < 200, "the writer went on after the build was killed"

    def ended(pid: int) -> bool:  # gone, or a zombie waiting for whoever adopted it
        try:
            with open(f"/proc/{pid}/stat", encoding="utf-8") as stat:
                return stat.read().rsplit(")", 1)[1].split()[0] == "Z"
        except FileNotFoundError:
            return True

    deadline = time.monotonic() + 10
    while not ended(writer) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert ended(writer)


def test_the_background_pages_are_shared_out_and_each_written_once():
    """The forked writer takes pages from the front, the parent from the back: each exactly once."""
    import ast
    import time

    from pelican.plugins.redress.content.forked import SharedQueue

    queue = SharedQueue(1000)
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the writer: slower than the parent, so both get pages
        taken = []
        while part := queue.take_front():
            taken.append(part)
            time.sleep(0.001)
        os.write(write_end, repr(taken).encode())
        os._exit(0)
    os.close(write_end)
    mine = []
    while part := queue.take_back():
        mine.append(part)
        time.sleep(0.0002)
    os.waitpid(pid, 0)
    with os.fdopen(read_end) as pipe:
        theirs = ast.literal_eval(pipe.read())
    pages = sorted(i for start, end in mine + theirs for i in range(start, end))
    assert pages == list(range(1000))
    assert mine and all(end - start <= SharedQueue.TAKE for start, end in mine + theirs)
    assert queue.take_front() is None and queue.take_back() is None


def test_parsing_in_a_forked_process_gives_the_same_content(tmp_path, monkeypatch):
    """A first build of a big shop shares its parsing with a second process: same result, same
    errors; a child that fails part-way is made up for here, and nothing is lost."""
    from conftest import pelican_settings
    from pelican.plugins.redress.content import forked, reader
    from pelican.plugins.redress.content.settings import get_settings

    files = [
        review(f"r{i}", rating=(i % 5) + 1, date=f"2026-09-{i % 28 + 1:02d} 1{i // 28}:00") for i in range(40)
    ]
    files.append(review("bad", rating="seven", date="2026-09-20 10:00"))
    files += [response(f"r{i}-1", f"r{i}", status="resolved") for i in (1, 2, 30)]
    site = make_site(tmp_path, *files)
    settings = pelican_settings(site, REVIEWS_CACHE=False)
    parent = os.getpid()
    real = reader.parse_one
    monkeypatch.setattr(forked.SharedQueue, "TAKE", 2)

    def noting_the_child(fails: bool):
        def parse_one(kind, path, *args):
            if os.getpid() == parent:
                time.sleep(0.005)  # a slower parent: the child surely gets a share, however busy the machine
            else:  # proof that the child parsed (or failed to parse) some
                with open(tmp_path / f"child-{fails}", "a", encoding="utf-8") as proof:
                    proof.write(os.path.basename(path) + "\n")
                if fails and len((tmp_path / f"child-{fails}").read_text().split()) > 3:
                    raise RuntimeError("the child fails part-way")
            return real(kind, path, *args)

        return parse_one

    results = {}
    for name, fork_min, parse_one in (
        ("serial", 10**9, real),
        ("forked", 1, noting_the_child(False)),
        ("failed", 1, noting_the_child(True)),
    ):
        monkeypatch.setattr(reader, "FORK_MIN_FILES", fork_min)
        monkeypatch.setattr(reader, "parse_one", parse_one)
        got = reader.read_content(settings, get_settings(settings))
        results[name] = (
            sorted((r.slug, r.rating, r.body_html, r.date) for r in got.reviews),
            sorted((e.slug, e.review_slug) for e in got.entries),
            sorted(str(p) for p in got.problems),
        )
    assert results["forked"] == results["serial"] and results["failed"] == results["serial"]
    assert len(results["serial"][0]) == 40 and len(results["serial"][1]) == 3
    assert any("bad.md: Rating" in p for p in results["serial"][2])
    assert 0 < len((tmp_path / "child-False").read_text().split()) < 44, "the child parsed a share, not all"
    assert (tmp_path / "child-True").exists()


def test_a_parse_that_fails_in_the_build_stops_its_child(tmp_path, monkeypatch):
    """The build's own parsing raises (a reader bug, no memory): the forked parser is stopped
    and reaped at once, not left to parse the rest of the shop for nothing."""
    from conftest import pelican_settings
    from pelican.plugins.redress.content import forked, reader
    from pelican.plugins.redress.content.settings import get_settings

    files = [review(f"r{i}", date=f"2026-09-{i % 28 + 1:02d} {i // 28 + 10}:00") for i in range(120)]
    site = make_site(tmp_path, *files)
    settings = pelican_settings(site, REVIEWS_CACHE=False)
    parent, real, seen = os.getpid(), reader.parse_one, []

    def parse_one(kind, path, *args):
        if os.getpid() == parent:
            seen.append(path)
            if len(seen) > 5:
                raise RuntimeError("the build's parsing fails")
        else:
            time.sleep(0.05)  # a slow child: without a stop it would run for seconds
        return real(kind, path, *args)

    children = []
    real_beside = forked.beside

    def noting_beside(work, *args, **kwargs):
        child = real_beside(work, *args, **kwargs)
        children.append(child._pid)
        return child

    monkeypatch.setattr(reader, "FORK_MIN_FILES", 1)
    monkeypatch.setattr(forked.SharedQueue, "TAKE", 1)
    monkeypatch.setattr(reader, "parse_one", parse_one)
    monkeypatch.setattr(forked, "beside", noting_beside)
    started = time.monotonic()
    with pytest.raises(RuntimeError, match="the build's parsing fails"):
        reader.read_content(settings, get_settings(settings))
    assert time.monotonic() - started < 3, "the child was stopped, not waited for"
    assert len(children) == 1
    with pytest.raises(ChildProcessError):
        os.waitpid(children[0], os.WNOHANG)  # stopped and reaped: no such child any more


def test_folders_listed_in_a_forked_process_read_the_same(tmp_path, monkeypatch):
    """A rebuild of a big shop lists its folders in a second process while its cache loads.

    Same files, same stamps, same problems (a hidden review, a .txt), and a
    change since the last build is seen; a child that fails is listed here.
    """
    from conftest import pelican_settings
    from pelican.plugins.redress.content import reader
    from pelican.plugins.redress.content.settings import get_settings

    files = [review(f"r{i}", rating=(i % 5) + 1, date=f"2026-09-{i + 1:02d} 10:00") for i in range(9)]
    files += [response("r1-1", "r1"), ("reviews/old/r20.md", review("r20")[1]), ("reviews/r21.txt", "x")]
    files += [(".hidden.md", ""), ("products/mill.md", "Title: Mill\n\nA mill.\n")]
    site = make_site(tmp_path, *files)
    (site / "content/reviews/.r22.md").write_text(review("r22")[1], encoding="utf-8")
    settings = pelican_settings(site)
    rs = get_settings(settings)
    parent = os.getpid()
    real_walk_all = reader._walk_all

    def failing_in_the_child(paths):
        if os.getpid() != parent:
            raise OSError("a child that fails")
        return real_walk_all(paths)

    def read(fork: bool, fail: bool = False):
        monkeypatch.setattr(reader, "FORK_WALK_MIN_BYTES", 0 if fork else 10**12)
        monkeypatch.setattr(reader, "_walk_all", failing_in_the_child if fail else real_walk_all)
        meanwhile: list[int] = []
        got = reader.read_content(settings, rs, meanwhile=lambda: meanwhile.append(os.getpid()))
        # The build's own loading is done while a child lists the files, in the build, once.
        assert meanwhile == ([parent] if fork else []), meanwhile
        return (
            [(r.slug, r.rating, r.body_html) for r in got.reviews],
            [(e.slug, e.body_html) for e in got.entries],
            [p.slug for p in got.products],
            sorted(str(p) for p in got.problems),
            got.stamps,
        )

    first = read(fork=False)
    assert len(first[0]) == 10 and len(first[4]) == 12
    assert any(".r22.md" in p for p in first[3]) and any("r21.txt" in p for p in first[3])
    assert read(fork=True) == first == read(fork=True, fail=True)
    write(site, "reviews/r3.md", review("r3", rating=1, body="Changed since the last build.")[1])
    write(site, *review("r30", rating=2))
    changed = read(fork=True)
    assert changed == read(fork=False) != first
    assert ("r3", 1, "<p>Changed since the last build.</p>") in changed[0] and "r30" in [
        r[0] for r in changed[0]
    ]


def test_a_products_second_entry_announces_its_feed_on_every_page_of_the_product(tmp_path):
    site = make_site(
        tmp_path,
        review("a", rating=5, product="mill"),
        review("b", rating=2, product="mill", date="2026-10-01 10:00"),
    )
    write(site, "products/mill.md", "Title: Mill\n\nA mill.\n")
    out = build(site)
    assert not (out / "reviews/products/mill/feed.rss").exists()
    assert "products/mill/feed.rss" not in (out / "reviews/a/index.html").read_text(encoding="utf-8")
    write(site, *response("b-1", "b", status="in-progress"))
    build(site)
    # One entry: the shop's feed has it, and the product's pages announce the shop's.
    assert not (out / "reviews/products/mill/feed.rss").exists()
    assert "products/mill/feed.rss" not in (out / "reviews/a/index.html").read_text(encoding="utf-8")
    write(site, *response("b-2", "b", status="resolved"))
    build(site)
    assert (out / "reviews/products/mill/feed.rss").is_file()
    # a's card did not change, but its page now announces the product's feed.
    for page in ("reviews/a/index.html", "reviews/b/index.html", "reviews/products/mill/index.html"):
        assert "products/mill/feed.rss" in (out / page).read_text(encoding="utf-8"), page


def test_another_template_whitespace_setting_is_not_served_from_the_compiled_templates(tmp_path):
    site = make_site(tmp_path, review("a"))
    trimmed = {"trim_blocks": True, "lstrip_blocks": True}
    out = build(site, JINJA_ENVIRONMENT=trimmed)
    first = (out / "reviews/index.html").read_text(encoding="utf-8")
    build(site, JINJA_ENVIRONMENT={"trim_blocks": False, "lstrip_blocks": False})
    loose = (out / "reviews/index.html").read_text(encoding="utf-8")
    fresh = build(
        make_site(tmp_path / "fresh", review("a")),
        JINJA_ENVIRONMENT={"trim_blocks": False, "lstrip_blocks": False},
    )
    assert loose != first
    assert loose == (fresh / "reviews/index.html").read_text(encoding="utf-8").replace(
        str(tmp_path / "fresh"), str(tmp_path)
    )


def test_a_preview_and_a_publish_build_keep_their_own_cards(tmp_path):
    site = make_site(tmp_path, review("a"), review("b", date="2026-10-01 10:00"))
    preview, publish = build(site, SITEURL="http://127.0.0.1:8000"), tmp_path / "public"
    build(site, SITEURL="https://shop.example", OUTPUT_PATH=str(publish))
    write(site, *review("c", date="2026-10-03 10:00"))
    build(site, SITEURL="http://127.0.0.1:8000")
    build(site, SITEURL="https://shop.example", OUTPUT_PATH=str(tmp_path / "public"))
    for out, host in ((preview, "http://127.0.0.1:8000"), (publish, "https://shop.example")):
        listing = (out / "reviews/index.html").read_text(encoding="utf-8")
        assert f'href="{host}/reviews/a/"' in listing and f'href="{host}/reviews/c/"' in listing
        other = "https://shop.example" if host.startswith("http://") else "http://127.0.0.1:8000"
        assert other + "/reviews/a/" not in listing


def test_a_thread_is_redacted_again_when_the_reviewers_details_change(tmp_path):
    """Redacted threads are kept between builds, but never past a change to the review or an answer."""
    site = make_site(
        tmp_path,
        review("a", rating=1, order="BB-11111"),
        response("a-1", "a", body="We looked up BB-22222 for you.", **{"from": "shop"}),
    )
    out = build(site)
    assert "BB-22222" in soup(out / "reviews/a/index.html").get_text()  # not this reviewer's: shown
    # The reviewer's order changes; the answer's file does not.
    write(site, *review("a", rating=1, order="BB-22222"))
    build(site)
    assert "BB-22222" not in soup(out / "reviews/a/index.html").get_text()
    # The answer changes; the review's file does not.
    write(site, *response("a-1", "a", body="Order BB-22222 is on its way.", **{"from": "shop"}))
    build(site)
    page = (out / "reviews/a/index.html").read_text(encoding="utf-8")
    assert "BB-22222" not in page and "is on its way" in page
    for path in out.rglob("*"):
        if path.is_file():
            assert "BB-22222" not in path.read_text(encoding="utf-8", errors="replace"), path


def _stamps(folder):
    return {p: p.stat().st_mtime_ns for p in folder.rglob("*") if p.is_file()}


def test_a_products_files_are_kept_whole_until_its_reviews_change(tmp_path):
    """A change on one product rewrites that product's files and the shop's, not another product's."""
    files = [
        ("products/mill.md", "Title: Mill\n\nA mill.\n"),
        ("products/kettle.md", "Title: Kettle\n\nA kettle.\n"),
    ]
    for i in range(30):
        product = "mill" if i % 2 else "kettle"
        files.append(
            review(f"r{i}", rating=1 + i % 5, date=f"2026-09-{1 + i % 28:02d} 1{i % 10}:00", product=product)
        )
    site = make_site(tmp_path, *files)
    out = build(site, REVIEWS_PER_PAGE=5, REVIEWS_ARCHIVE_PER_PAGE=5)
    mill, kettle = out / "reviews/products/mill", out / "reviews/products/kettle"
    assert (kettle / "page/1/index.html").exists() and (kettle / "stars/1/index.html").exists()
    before_mill, before_kettle = _stamps(mill), _stamps(kettle)

    # Two answers to mill reviews: the second entry gives the mill feeds of its own.
    write(site, *response("r3-1", "r3", body="Replaced.", status="resolved", **{"from": "shop"}))
    write(site, *response("r5-1", "r5", body="Looking into it.", status="in-progress", **{"from": "shop"}))
    build(site, REVIEWS_PER_PAGE=5, REVIEWS_ARCHIVE_PER_PAGE=5)
    assert _stamps(kettle) == before_kettle  # nothing of the kettle was written
    assert _stamps(mill) != before_mill
    assert "Replaced." in (mill / "feed.atom").read_text(encoding="utf-8")
    assert soup(mill / "resolved/index.html").find(id="review-r3")

    # The product's own file, a withheld review and an emptied folder each write the kettle's files again.
    write(site, "products/kettle.md", "Title: Electric kettle\n\nA kettle.\n")
    build(site, REVIEWS_PER_PAGE=5, REVIEWS_ARCHIVE_PER_PAGE=5)
    assert "Electric kettle" in (kettle / "index.html").read_text(encoding="utf-8")
    assert "Electric kettle" in (kettle / "embed.html").read_text(encoding="utf-8")
    write(site, *review("r0", rating=1, date="2026-09-01 10:00", product="kettle", withheld="spam"))
    build(site, REVIEWS_PER_PAGE=5, REVIEWS_ARCHIVE_PER_PAGE=5)
    assert "1 review withheld" in soup(kettle / "index.html").select_one("table.ledger caption").get_text()
    assert not soup(kettle / "index.html").find(id="review-r0")
    for path in list(kettle.rglob("*")):
        if path.is_file():
            path.unlink()
    build(site, REVIEWS_PER_PAGE=5, REVIEWS_ARCHIVE_PER_PAGE=5)
    for name in ("index.html", "page/1/index.html", "badge.svg", "embed.html", "embed.json", "reviews.json"):
        assert (kettle / name).exists(), name


def test_letting_go_of_review_texts_changes_no_file(tmp_path, monkeypatch):
    """A big shop lets go of the texts no later writer reads; every file is the same as without."""
    from pelican.plugins.redress.site import generator

    files = [
        ("products/mill.md", "Title: Mill\n\nA mill.\n"),
        ("products/kettle.md", "Title: Kettle\n\nA kettle.\n"),
    ]
    for i in range(40):
        product = ("mill", "kettle", None)[i % 3]
        fields = {"product": product} if product else {}
        body = f"Text of review {i}, with **some** words."
        files.append(
            review(
                f"r{i:02d}",
                rating=1 + i % 5,
                date=f"2026-09-{1 + i % 28:02d} 1{i % 10}:00",
                body=body,
                **fields,
            )
        )
    for i in range(0, 40, 4):
        files.append(
            response(
                f"r{i:02d}-1", f"r{i:02d}", date="2026-10-20 10:00", body=f"Answer {i}.", **{"from": "shop"}
            )
        )
    settings = dict(REVIEWS_PER_PAGE=4, REVIEWS_ARCHIVE_PER_PAGE=5, REVIEWS_FEED_MAX_ITEMS=3)
    whole = build(make_site(tmp_path / "whole", *files), **settings)
    monkeypatch.setattr(generator, "RELEASE_MIN_REVIEWS", 1)
    released = build(make_site(tmp_path / "released", *files), **settings)
    names = sorted(p.relative_to(whole).as_posix() for p in whole.rglob("*") if p.is_file())
    assert names == sorted(p.relative_to(released).as_posix() for p in released.rglob("*") if p.is_file())
    for name in names:
        assert (whole / name).read_bytes() == (released / name).read_bytes(), name
    assert "Text of review 0" in (released / "reviews/r00/index.html").read_text(encoding="utf-8")


def test_a_rebuild_that_made_few_cards_keeps_the_texts_and_one_that_made_every_card_lets_go(
    tmp_path, monkeypatch
):
    """Letting go of the texts is for a build that writes every page in two processes; a
    rebuild that made a card or two, its pages on disk, writes a few pages and keeps them (it
    costs time, not memory); one after the output was emptied writes every page again and lets
    go. Either way the site is the same, byte for byte, as a fresh build's."""
    from pelican.plugins.redress.site import generator, output

    monkeypatch.setattr(generator, "RELEASE_MIN_REVIEWS", 3)
    monkeypatch.setattr(output, "CHECK_BESIDE_MIN_BYTES", 0)  # the kept pages looked for, as on a big shop
    files = [
        review(f"r{i}", date=f"2026-10-{i + 1:02d} 10:00", body=f"Text of review {i}.") for i in range(12)
    ]
    site = make_site(tmp_path / "site", *files)
    released: list[int] = []
    real = generator.release_bodies

    def counted(build_) -> None:  # type: ignore[no-untyped-def]
        real(build_)
        released.append(sum(1 for r in build_.shop.reviews if r.body_html == ""))

    monkeypatch.setattr(generator, "release_bodies", counted)
    build(site, REVIEWS_PER_PAGE=2)
    assert released[-1] > 0  # the first build made every card
    write(site, "reviews/new.md", "Date: 2026-10-09 10:00\nRating: 2\n\nA new one.\n")
    out = build(site, REVIEWS_PER_PAGE=2)
    assert released[-1] == 0  # one card made: every text kept
    kept = sorted((p.relative_to(out).as_posix(), p.read_bytes()) for p in out.rglob("*") if p.is_file())
    # The output emptied (publishconf's DELETE_OUTPUT_DIRECTORY): no card made, every page written.
    build(site, REVIEWS_PER_PAGE=2, DELETE_OUTPUT_DIRECTORY=True)
    assert released[-1] > 0
    fresh = build(
        make_site(
            tmp_path / "fresh",
            *files,
            ("reviews/new.md", "Date: 2026-10-09 10:00\nRating: 2\n\nA new one.\n"),
        ),
        REVIEWS_PER_PAGE=2,
    )
    assert kept == sorted(
        (p.relative_to(fresh).as_posix(), p.read_bytes()) for p in fresh.rglob("*") if p.is_file()
    )


def test_a_build_leaves_its_shop_out_of_the_collector_until_the_next_build(tmp_path):
    """The shop is frozen for the cycle collector while pages are written; the next build thaws it.

    Under ``pelican -r`` one process builds again and again: what was frozen
    by one build, and became garbage since, is collected once the next starts.
    """
    import gc
    import weakref

    class Cycle:
        pass

    site = make_site(tmp_path, review("a"))
    cycle = Cycle()
    cycle.me = cycle  # garbage only the cycle collector can free
    gone = weakref.ref(cycle)
    build(site)
    assert gc.get_freeze_count() > 0
    del cycle
    gc.collect()
    assert gone() is not None  # frozen with everything else alive at the time
    build(site)
    gc.collect()
    assert gone() is None


def test_the_check_of_kept_pages_is_used_only_if_it_read_the_same_record(tmp_path):
    """The forked check and the writer read the page record each: a check that read another
    one (a record replaced in between) is not trusted, and each page is looked at instead."""
    from conftest import pelican_settings
    from pelican.plugins.redress.site import output

    site = make_site(tmp_path, review("a"), review("b"))
    build(site)
    settings = pelican_settings(site)
    record = output.KeptDict(output.record_path(settings, settings["OUTPUT_PATH"]))

    def writer(checked):
        return output.PageWriter(settings, settings["OUTPUT_PATH"], "key", True, {}, checked)

    assert writer((len(record), ["reviews/a/index.html"]))._missing == {"reviews/a/index.html"}
    assert writer((len(record) + 1, []))._missing is None
    assert writer(None)._missing is None


def test_a_rebuild_that_parses_a_few_files_makes_no_collector_pass(tmp_path, monkeypatch):
    """The parser's young passes come every COLLECT_EVERY files parsed, counted across
    builds: a pass after one changed file would walk every record loaded from the cache."""
    import gc

    from pelican.plugins.redress.content import reader

    monkeypatch.setattr(reader, "COLLECT_EVERY", 4)
    monkeypatch.setattr(reader, "_parsed_since_pass", 0)
    passes = []
    real_collect = gc.collect

    def counting(generation: int = 2) -> int:
        passes.append(generation)
        return real_collect(generation)

    monkeypatch.setattr(reader.gc, "collect", counting)
    site = make_site(tmp_path, *(review(f"r{i}", date=f"2026-09-{i + 1:02d} 10:00") for i in range(9)))
    build(site)
    assert passes.count(1) == 2  # nine files: after the fourth and the eighth
    passes.clear()
    write(site, *review("r20", rating=1))
    build(site)
    assert passes.count(1) == 0  # one file parsed, the second since the last pass: none
    for i in range(3):
        write(site, *review(f"r3{i}", rating=2))
    build(site)
    assert passes.count(1) == 1  # three more: the count reaches four


def test_a_build_reads_the_cards_fingerprints_from_their_index(tmp_path):
    """Every build reads each card's fingerprint; from the index, not the table of whole cards."""
    import sqlite3

    from pelican.plugins.redress.site import cards

    site = make_site(tmp_path, review("a"), review("b"))
    build(site)
    (path,) = (site / "cache").glob("redress-cards-*.sqlite3")
    db = sqlite3.connect(path)
    plan = " ".join(str(row[-1]) for row in db.execute("EXPLAIN QUERY PLAN " + cards.FINGERPRINTS))
    assert "COVERING INDEX" in plan, plan
    assert dict(db.execute(cards.FINGERPRINTS)).keys() == {"a", "b"}


def test_the_cards_a_build_makes_are_read_from_memory_up_to_a_budget(tmp_path, monkeypatch):
    """A first build reads each card four to six times; those it just made come from memory, not the file.

    With room for none, or for one card, the rest are read from the file, and
    the pages are the same byte for byte. A rebuild keeps only the card it made.
    """
    from pelican.plugins.redress.site import cards

    files = [review(f"r{i}", rating=(i % 5) + 1, date=f"2026-09-{i + 1:02d} 10:00") for i in range(6)]
    files += [response("r1-1", "r1", status="resolved")]
    reads: list[str] = []
    real_conn = cards.CardStore._conn

    class Counting:
        def __init__(self, db):
            self.db = db

        def execute(self, sql, *args):
            if sql.startswith(("SELECT slug, html", "SELECT slug, json", "SELECT html")):
                reads.append(sql)
            return self.db.execute(sql, *args)

        def __getattr__(self, name):
            return getattr(self.db, name)

    monkeypatch.setattr(cards.CardStore, "_conn", lambda self: Counting(real_conn(self)))
    sites, counted = {}, {}
    for name, room in (("all", 10**9), ("one", 1), ("none", 0)):
        monkeypatch.setattr(cards, "FRESH_BYTES", room)
        reads.clear()
        out = build(make_site(tmp_path / name, *files))
        sites[name] = {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()}
        counted[name] = len(reads)
    assert counted["all"] == 0 and counted["none"] >= counted["one"] > 0
    assert len([p for p in sites["all"] if re.fullmatch(r"reviews/r\d+/index.html", p)]) == 6
    assert sites["one"] == sites["all"] and sites["none"] == sites["all"]

    monkeypatch.setattr(cards, "FRESH_BYTES", 10**9)
    site = tmp_path / "all" / "site"
    write(site, *response("r2-1", "r2", status="resolved", body="A new lid is on its way."))
    reads.clear()
    out = build(site)
    assert soup(out / "reviews/r2/index.html").find(id="entry-r2-1")
    assert soup(out / "reviews/index.html").find(id="entry-r2-1")
    assert reads, "the cards this rebuild did not make are read from the file"


def test_a_built_shop_is_not_freed_object_by_object_as_the_build_ends(tmp_path):
    """The shop outlives the build (frozen, in a cycle nothing reaches) until the next build frees it.

    Freeing a big shop object by object as Pelican lets go of its generators
    was a tenth of a second per 30,000 reviews, in a process about to end.
    Under ``pelican -r`` one build's shop at most is kept.
    """
    import gc
    import weakref

    from pelican.plugins.redress.site.generator import report_lines

    site = make_site(tmp_path, review("a"), review("b", rating=1))
    shops = []

    def remember(shop, **_settings):
        shops.append(weakref.ref(shop))

    report_lines.connect(remember)
    try:
        build(site)
        gc.collect()
        assert shops[0]() is not None and len(shops[0]().reviews) == 2
        build(site)
        gc.collect()
        assert shops[0]() is None  # the next build let go of the first one's
        assert shops[1]() is not None
    finally:
        report_lines.disconnect(remember)


@pytest.mark.parametrize(
    ("change", "gone"),
    [
        ({"REVIEWS_FORM_ACTION": None}, ["reviews/static/write.js"]),
        (
            {"REVIEWS_STATIC_URL": "assets/redress/"},
            ["reviews/static/redress.css", "reviews/static/favicon.svg", "reviews/static/write.js"],
        ),
    ],
)
def test_a_static_file_the_section_no_longer_needs_is_removed(tmp_path, change, gone):
    """Static files are recorded like pages: the forms turned off take their script, a move its old copies."""
    site = make_site(tmp_path, review("a"), review("b", rating=1, date="2026-09-01 10:00"))
    out = build(site)
    assert all((out / path).is_file() for path in gone)
    build(site, **change)
    assert not any((out / path).exists() for path in gone)
    if "REVIEWS_STATIC_URL" in change:
        assert (out / "assets/redress/redress.css").is_file()
        assert not (out / "reviews/static").exists()
    else:
        assert (out / "reviews/static/redress.css").is_file()


def test_a_build_without_the_cache_leaves_no_record_for_the_next_build_to_trust(tmp_path):
    """A build with REVIEWS_CACHE off rewrites pages without recording them; the record before it goes.

    Otherwise, once the content is back to what that record saw (content
    stamps, or a file restored with its time), the next cached build kept
    the cache-less build's pages: the old average on the listing.
    """
    kept = dict(CHECK_MODIFIED_METHOD="sha256")
    site = make_site(
        tmp_path,
        review("a", rating=5),
        review("b", rating=5, date="2026-09-01 10:00"),
        review("c", rating=4, date="2026-08-01 10:00"),
    )
    out = build(site, **kept)
    write(site, *review("a", rating=1))
    build(site, **kept, REVIEWS_CACHE=False)
    assert "1 out of 5" in soup(out / "reviews/a/index.html").get_text()
    write(site, *review("a", rating=5))
    build(site, **kept)
    assert "5 out of 5" in soup(out / "reviews/a/index.html").get_text()
    average = soup(out / "reviews/index.html").find("meta", attrs={"name": "description"})["content"]
    assert "4.7 out of 5" in average, average


def test_a_review_file_touched_or_edited_in_place_with_its_old_time(tmp_path):
    """Touched: pages whose bytes did not change keep their files. Edited keeping time and size: seen.

    A file's stamp covers its change time (ctime), which ``cp -p``,
    ``rsync -t --inplace`` and ``touch -r`` cannot set back.
    """
    site = make_site(tmp_path, review("a", rating=5), review("b", rating=4, date="2026-09-01 10:00"))
    out = build(site)
    before = {p: p.stat().st_mtime_ns for p in (out / "reviews").rglob("*") if p.is_file()}
    source = site / "content/reviews/a.md"
    later = source.stat().st_mtime_ns + 5_000_000_000
    os.utime(source, ns=(later, later))
    build(site)
    assert {p: p.stat().st_mtime_ns for p in (out / "reviews").rglob("*") if p.is_file()} == before

    kept = source.stat()
    source.write_text(source.read_text(encoding="utf-8").replace("Rating: 5", "Rating: 1"), encoding="utf-8")
    os.utime(source, ns=(kept.st_atime_ns, kept.st_mtime_ns))
    assert source.stat().st_size == kept.st_size and source.stat().st_mtime_ns == kept.st_mtime_ns
    build(site)
    assert "1 out of 5" in soup(out / "reviews/a/index.html").get_text()


def test_without_the_cache_a_deleted_or_renamed_reviews_page_goes_and_nothing_else(tmp_path, caplog):
    """No page record: the reviews' folder is looked through for pages of reviews no longer there.

    A page there that is not a review's page of this section (the blog's, another
    plugin's) stays. A deleted product's folders are named in a warning.
    """
    site = make_site(
        tmp_path,
        review("a", product="mill"),
        review("b", date="2026-09-01 10:00"),
        review("c", date="2026-08-01 10:00"),
        response("b-1", "b"),
    )
    write(site, "products/mill.md", "Title: Mill\n\nA mill.\n")
    out = build(site, REVIEWS_CACHE=False)
    own = out / "reviews/faq/index.html"  # the blog's own page in the reviews' folder
    own.parent.mkdir()
    own.write_text('<p id="review-faq">Questions</p>', encoding="utf-8")
    other = out / "reviews/old-one/index.html"  # someone's page named like a review, without its anchor
    other.parent.mkdir()
    other.write_text("<p>An old page</p>", encoding="utf-8")
    for gone in ("reviews/b.md", "responses/b-1.md", "products/mill.md"):
        (site / "content" / gone).unlink()
    (site / "content/reviews/c.md").rename(site / "content/reviews/c2.md")
    write(site, *review("a"))
    caplog.clear()
    build(site, REVIEWS_CACHE=False)
    assert not (out / "reviews/b").exists() and not (out / "reviews/c").exists()
    assert (out / "reviews/c2/index.html").is_file() and (out / "reviews/a/index.html").is_file()
    assert own.is_file() and other.is_file()
    warned = [r.getMessage() for r in caplog.records if "no longer in the shop" in r.getMessage()]
    assert len(warned) == 1 and "reviews/products/mill/ and reviews/write/mill/" in warned[0], warned
    assert not (out / "reviews/widgets/products").exists()  # no product left: its code page goes


@pytest.mark.parametrize(
    ("during", "after"),
    [
        ({}, {"REVIEWS_FORM_ACTION": None}),  # the forms turned off by the build without the cache
        ({}, {"REVIEWS_REVIEW_URL": "r/{slug}/"}),  # the reviews moved by it
        ({"delete_product": True}, {}),  # a product deleted before it
    ],
)
def test_what_a_build_without_the_cache_left_is_removed_by_the_next_cached_build(tmp_path, during, after):
    """The build without the cache keeps the record's names, none of its fingerprints: nothing is orphaned."""
    site = make_site(
        tmp_path,
        review("a", product="mill"),
        review("b", rating=1, date="2026-09-01 10:00"),
        review("c", date="2026-08-01 10:00"),
    )
    write(site, "products/mill.md", "Title: Mill\n\nA mill.\n")
    out = build(site)
    if during:
        (site / "content/products/mill.md").unlink()
        write(site, *review("a"))
    build(site, REVIEWS_CACHE=False, **after)
    build(site, **after)
    fresh = make_site(tmp_path / "fresh")
    shutil.copytree(site / "content", fresh / "content", dirs_exist_ok=True)
    fresh_out = build(fresh, **after)
    mine = {p.relative_to(out).as_posix() for p in (out / "reviews").rglob("*") if p.is_file()}
    theirs = {p.relative_to(fresh_out).as_posix() for p in (fresh_out / "reviews").rglob("*") if p.is_file()}
    assert mine == theirs


def test_a_build_that_fails_after_writing_pages_distrusts_only_the_pages_it_touched(tmp_path):
    """A build that fails half-way (a theme's broken widget template) changed pages it did not record.

    Put back as it was, the next build writes again the pages the failed
    one wrote or was to write: none keeps the failed build's numbers, and
    the others are left as they are.
    """
    theme = tmp_path / "theme"
    shutil.copytree(Path(__file__).parent / "themes" / "flexlike", theme)
    settings = dict(THEME=str(theme), REVIEWS_LAYOUT="standalone")
    site = make_site(
        tmp_path, review("a", rating=5), review("b", rating=4, date="2026-09-01 10:00"), review("c", rating=3)
    )
    out = build(site, **settings)
    listing = soup(out / "reviews/index.html").find("meta", attrs={"name": "description"})["content"]
    untouched = (out / "reviews/c/index.html").stat().st_mtime_ns
    write(site, *review("a", rating=1))
    broken = theme / "templates/redress/widgets/badge.svg"
    broken.parent.mkdir(parents=True)
    broken.write_text("{{ no_such_function() }}", encoding="utf-8")
    with pytest.raises(Exception, match="no_such_function"):
        build(site, **settings)
    assert "1 out of 5" in soup(out / "reviews/a/index.html").get_text()  # written before it failed
    write(site, *review("a", rating=5))
    shutil.rmtree(theme / "templates/redress")
    build(site, **settings)
    assert "5 out of 5" in soup(out / "reviews/a/index.html").get_text()
    assert soup(out / "reviews/index.html").find("meta", attrs={"name": "description"})["content"] == listing
    # Only what the failed build wrote or was to write is written again: not every page.
    assert (out / "reviews/c/index.html").stat().st_mtime_ns == untouched


def test_without_the_cache_reviews_at_the_top_of_the_output_are_looked_through_too(tmp_path):
    site = make_site(tmp_path, review("a"), review("b", date="2026-09-01 10:00"))
    out = build(site, REVIEWS_CACHE=False, REVIEWS_REVIEW_URL="review-{slug}/")
    assert (out / "review-b/index.html").is_file()
    (site / "content/reviews/b.md").unlink()
    build(site, REVIEWS_CACHE=False, REVIEWS_REVIEW_URL="review-{slug}/")
    assert not (out / "review-b").exists() and (out / "review-a/index.html").is_file()


def test_a_build_killed_while_writing_has_the_next_one_write_every_page(tmp_path):
    """A killed build cannot clean up: its mark, made before its first page, says not to trust the record."""
    site = make_site(tmp_path, review("a"), review("b", rating=1, date="2026-09-01 10:00"))
    out = build(site)
    (record,) = [p for p in (site / "cache").glob("redress-pages-*") if "." not in p.name]
    page = out / "reviews/a/index.html"
    page.write_text("<p>half of a page a killed build wrote</p>", encoding="utf-8")
    Path(str(record) + ".writing").touch()
    build(site)
    assert "Awaiting" not in page.read_text(encoding="utf-8") or page.read_text(encoding="utf-8").startswith(
        "<!"
    )
    assert "half of a page" not in page.read_text(encoding="utf-8")
    assert not Path(str(record) + ".writing").exists()
    build(site)  # and the next one trusts the record again
    assert "half of a page" not in page.read_text(encoding="utf-8")


def test_a_build_that_fails_after_a_killed_one_keeps_nothing_of_the_record_it_did_not_trust(tmp_path):
    """Killed, then failed: the failed build's record must not vouch for what the killed one wrote."""
    theme = tmp_path / "theme"
    shutil.copytree(Path(__file__).parent / "themes" / "flexlike", theme)
    settings = dict(THEME=str(theme), REVIEWS_LAYOUT="standalone")
    site = make_site(tmp_path, review("a", rating=5), review("b", rating=4, date="2026-09-01 10:00"))
    out = build(site, **settings)
    (record,) = [p for p in (site / "cache").glob("redress-pages-*") if "." not in p.name]
    for name in ("a", "b"):
        (out / f"reviews/{name}/index.html").write_text("<p>half of a page</p>", encoding="utf-8")
    Path(str(record) + ".writing").touch()  # a build killed after writing those
    broken = theme / "templates/redress/widgets/badge.svg"
    broken.parent.mkdir(parents=True)
    broken.write_text("{{ no_such_function() }}", encoding="utf-8")
    with pytest.raises(Exception, match="no_such_function"):
        build(site, **settings)
    shutil.rmtree(theme / "templates/redress")
    build(site, **settings)
    for name in ("a", "b"):
        assert "half of a page" not in (out / f"reviews/{name}/index.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("forked_writer", [False, True])
def test_the_report_counts_a_page_whose_bytes_were_already_there_as_unchanged(
    tmp_path, monkeypatch, caplog, forked_writer
):
    """Every review file touched: pages are rendered again, none is written, and the line says so."""
    import logging

    from pelican.plugins.redress.site import output

    if forked_writer:
        monkeypatch.setattr(output, "FORK_MIN_PAGES", 1)
    # Another number of reviews each time: Pelican lets a log message through once per process.
    count = 6 if forked_writer else 5
    site = make_site(tmp_path, *[review(f"r{i}", date=f"2026-09-{i + 1:02d} 10:00") for i in range(count)])
    build(site)
    later = time.time() + 5
    for source in (site / "content/reviews").iterdir():
        os.utime(source, (later, later))
    caplog.set_level(logging.INFO)
    caplog.clear()
    build(site)
    lines = [r.getMessage() for r in caplog.records if "files written" in r.getMessage()]
    assert lines and " 0 files written" in lines[-1], lines
