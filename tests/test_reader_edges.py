"""The reader at its edges: hidden files, impossible years, dates with an offset."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import pytest
from conftest import build, make_site, response, review, soup, write
from pelican.plugins.redress.errors import RedressError


def build_errors(site: Path, caplog: pytest.LogCaptureFixture) -> list[str]:
    caplog.set_level(logging.ERROR)
    with pytest.raises(RedressError) as exc:
        build(site)
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] + [str(exc.value)]


def test_a_hidden_review_file_is_named_not_skipped_silently(tmp_path: Path, caplog) -> None:
    site = make_site(tmp_path, review("shown"))
    write(site, "reviews/.x.md", "Date: 2026-10-03 10:00\nRating: 1\n\nNobody would ever see this.\n")
    errors = build_errors(site, caplog)
    assert any(
        e.startswith("content/reviews/.x.md: is a hidden file") and "rename it to x.md" in e for e in errors
    ), errors


def test_files_of_editors_tools_and_the_inbox_are_passed_over(tmp_path: Path) -> None:
    """An Emacs lock, a Mac resource fork and the inbox's temporary file are nobody's review."""
    site = make_site(tmp_path, review("shown"))
    folder = site / "content" / "reviews"
    os.symlink("someone@host.1234:1700000000", folder / ".#shown.md")  # what Emacs leaves
    (folder / "._shown.md").write_bytes(b"\x00\x05\x16\x07\x00\x02\x00\x00Mac OS X")
    (folder / ".incoming-abc123.tmp").write_text("Date: 2026-10-03 10:00\n", encoding="utf-8")
    out = build(site)
    assert (out / "reviews/shown/index.html").exists()


@pytest.mark.parametrize(
    "date", ["0001-01-01 10:00", "1969-12-31 23:59", "2101-01-01 00:00", "9999-12-31 23:59"]
)
def test_a_date_outside_sensible_years_is_refused(tmp_path: Path, caplog, date: str) -> None:
    site = make_site(tmp_path, review("when", date=date))
    errors = build_errors(site, caplog)
    assert any(
        e == f"content/reviews/when.md: Date: {date!r} is not a date between 1970 and 2100; check the year"
        for e in errors
    ), errors


def test_a_response_updated_in_year_9999_is_refused(tmp_path: Path, caplog) -> None:
    site = make_site(tmp_path, review("r"), response("r-1", "r", updated="9999-01-01 10:00"))
    errors = build_errors(site, caplog)
    assert any(
        e.startswith("content/responses/r-1.md: Updated: '9999-01-01 10:00' is not a date") for e in errors
    )


def test_the_first_and_last_years_are_accepted(tmp_path: Path) -> None:
    site = make_site(
        tmp_path, review("early", date="1970-01-01 12:00"), review("late", date="2100-12-31 12:00")
    )
    out = build(site)
    assert (out / "reviews/early/index.html").exists() and (out / "reviews/late/index.html").exists()


def test_dates_with_an_offset_keep_the_order_when_daylight_saving_time_ends(tmp_path: Path) -> None:
    """02:30 summer time, then 02:10 winter time: the follow-up is 40 minutes later, not 20 earlier."""
    site = make_site(
        tmp_path,
        review("night", rating=1, date="2026-10-25T02:30+02:00"),
        response(
            "night-customer",
            "night",
            date="2026-10-25 02:10+01:00",
            body="Still broken.",
            **{"from": "customer"},
        ),
    )
    out = build(site)
    page = soup(out / "reviews/night/index.html")
    times = [t["datetime"] for t in page.select("article#review-night time[datetime]")]
    assert any(t.startswith("2026-10-25T02:30") and t.endswith("+02:00") for t in times), times
    assert any(t.startswith("2026-10-25T02:10") and t.endswith("+01:00") for t in times), times


def test_a_review_longer_than_one_read_is_read_whole(tmp_path: Path) -> None:
    """Files are read with the system's calls, a chunk at a time: a long review loses nothing."""
    from pelican.plugins.redress.content import reader

    words = " ".join(f"word{n}" for n in range(40_000))  # several chunks of reading
    site = make_site(tmp_path, review("long", body=words + " THE-LAST-WORD"))
    page = soup(build(site) / "reviews/long/index.html")
    assert "THE-LAST-WORD" in page.get_text() and "word39999" in page.get_text()
    assert len(words) > 3 * reader._READ_CHUNK
    empty = tmp_path / "empty.md"
    empty.write_bytes(b"")
    assert reader.read_bytes(str(empty)) == b""


def test_a_folder_named_like_a_review_is_reported_not_a_crash(tmp_path: Path) -> None:
    from pelican.plugins.redress.content import reader

    folder = tmp_path / "x.md"
    folder.mkdir()
    with pytest.raises(IsADirectoryError):
        reader.read_bytes(str(folder))
    item, problems = reader.parse_one("review", str(folder), "content/reviews/x.md", "x", None)  # type: ignore[arg-type]
    assert item is None and [p.message for p in problems] == ["cannot be read: Is a directory"]


def test_a_folder_of_plain_files_is_looked_up_as_one_with_an_odd_name_is(tmp_path):
    """A folder of plain ``x.md`` files is looked up in the cache a list at a time; one
    with another name in it, file by file. Both must keep the same records: a file whose
    stamp is the kept one, and no other (changed, new, or gone while listed: -1)."""
    from pelican.plugins.redress.content import reader

    folder = str(tmp_path / "content" / "reviews")
    listing = [(f"{folder}/r{i}.md", 100 + i) for i in range(6)]
    listing[4] = (listing[4][0], -1)  # gone between the listing and its stat
    kept = {
        listing[0][0]: (100, ("item 0", [])),
        listing[1][0]: (999, ("item 1, before", [])),  # changed since
        listing[3][0]: (103, ("item 3", ["a problem"])),
        listing[4][0]: (-1, ("item 4", [])),
    }  # r2 and r5 are new
    expected = [("item 0", []), None, None, ("item 3", ["a problem"]), None, None]

    def look_up(files):
        stamps: dict[str, int] = {}
        problems: list = []
        paths, file_stamps, outcomes = reader._kept_outcomes(
            files, "review", "reviews", str(tmp_path) + "/", kept.get, None, stamps, problems
        )
        return paths, file_stamps, outcomes, stamps, problems

    paths, file_stamps, outcomes, stamps, problems = look_up(listing)
    assert outcomes == expected
    assert paths == [p for p, _s in listing] and file_stamps == [s for _p, s in listing]
    assert stamps == dict(listing) and problems == []
    # With a file that is not Markdown among them (reported, not read), file by file:
    odd = look_up([*listing[:3], (f"{folder}/notes.txt", 7), *listing[3:]])
    assert odd[:4] == (paths, file_stamps, outcomes, stamps)
    assert len(odd[4]) == 1 and "notes.txt" in str(odd[4][0])
