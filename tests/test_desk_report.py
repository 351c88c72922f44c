"""`redress report`: the owner's private page, written outside the site and read back.

The page lists the open cases by age, what is overdue, the findings under
each review with the review beside them, and per month the share of
negative reviews answered and the median time to a first answer, as an
SVG without JavaScript and as a table.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import make_site, response, review, soup
from pelican.plugins.redress.cli import main
from sites import write_settings

NOW = "2026-10-20T12:00"


@pytest.fixture
def site(tmp_path: Path) -> Path:
    folder = make_site(
        tmp_path,
        review(
            "old", 1, "2026-09-01 09:00", "The grinder broke.", Title="Grinder broke", Author="Ann", Lang="en"
        ),
        response(
            "old-1",
            "old",
            "2026-09-01 15:00",
            "Ann, sorry! We are looking into the grinder.",
            Status="in-progress",
        ),
        review("waiting", 2, "2026-10-15 09:00", "Nothing came.", Title="Nothing came", Lang="en"),
        review(
            "answered", 1, "2026-10-01 09:00", "Kettle leaks.", Title="Kettle leaks", Author="Bo", Lang="en"
        ),
        response("answered-1", "answered", "2026-10-03 09:00", "Bo, you should have read the manual!!"),
        review("happy", 5, "2026-10-02 09:00", "Lovely.", Lang="en"),
    )
    write_settings(folder, PATH="content", OUTPUT_PATH="output", SITENAME="De Bonenbus")
    return folder


def report(site: Path, out: Path) -> int:
    return main(["report", "--settings", str(site / "pelicanconf.py"), "--now", NOW, "--out", str(out)])


def test_the_report_shows_cases_overdue_answers_findings_and_months(
    site: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "private"
    assert report(site, out) == 0
    assert "it is private, do not publish it" in capsys.readouterr().out
    page = soup(out / "index.html")
    assert page.find("meta", attrs={"name": "robots"})["content"] == "noindex, nofollow"
    assert page.h1.get_text() == "De Bonenbus: the desk's report"
    open_rows = [tr.find_all("td") for tr in page.find_all("table")[0].tbody.find_all("tr")]
    assert [(r[0].get_text(), r[2].get_text(), r[3].get_text()) for r in open_rows] == [
        ("Grinder broke", "49", "in-progress"),
        ("Kettle leaks", "19", "answered"),
        ("Nothing came", "5", "awaiting"),
    ]
    overdue = page.find("h2", string="Overdue").find_next("ul").get_text(" ")
    assert "Grinder broke" in overdue and "in progress" in overdue
    assert "Nothing came" in overdue and "waited 123 hours" in overdue
    case = page.find("section", id="review-answered")
    assert (
        "Kettle leaks." in case.get_text()
        and "no-apology" in case.get_text()
        and "defensive" in case.get_text()
    )
    assert page.find("section", id="review-happy") is None
    svg = page.find("svg")
    assert svg.title.get_text() == "Share of negative reviews answered, per month"
    # September: one negative, answered; October: two, one answered.
    assert [rect["height"] for rect in svg.find_all("rect")] == ["110", "55"]
    months = {
        tr.find_all("td")[0].get_text(): [td.get_text() for td in tr.find_all("td")[1:]]
        for tr in page.find_all("table")[1].tbody.find_all("tr")
    }
    assert months["Oct 26"] == ["2", "1 (50%)", "2 d"]
    assert months["Sep 26"] == ["1", "1 (100%)", "6 h"]
    assert len(months) == 12 and not page.find("script")


@pytest.mark.parametrize("inside", ["output", "content", "output/private"])
def test_a_folder_inside_the_site_is_refused(
    site: Path, inside: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert report(site, site / inside) == 2
    err = capsys.readouterr().err
    assert "must never be published: choose a folder outside it" in err
    assert not (site / inside / "index.html").exists()


def test_in_the_owners_language(site: Path, tmp_path: Path) -> None:
    write_settings(site, PATH="content", OUTPUT_PATH="output", SITENAME="De Bonenbus", DEFAULT_LANG="nl")
    report(site, tmp_path / "nl")
    page = soup(tmp_path / "nl" / "index.html")
    assert page.html["lang"] == "nl"
    assert page.h1.get_text() == "De Bonenbus: servicerapport"
    assert "Open zaken, oudste eerst" in page.get_text()
