"""Every build says in one line when answers need a look, and publishes nothing of the checker.

The line goes to the console under the build's own report; the rules'
ids, messages and evidence never reach a file in the output, and neither
do the fingerprints the reader keeps for ``contact-data``.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from conftest import build, make_site, response, review
from pelican.plugins.redress.content.privacy import fingerprint
from pelican.plugins.redress.desk.rules import RULES

HARSH = "Bo, dat klopt niet!! U had de handleiding moeten lezen. [NAAM]"
CALM = "Ann, I'm sorry the grinder broke after a week; a new grinder left today."


def output_text(output: Path) -> str:
    return "\n".join(
        p.read_text(encoding="utf-8", errors="replace") for p in output.rglob("*") if p.is_file()
    )


def test_a_build_with_answers_to_look_at_says_so_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    site = make_site(
        tmp_path,
        review(
            "harsh",
            2,
            "2026-10-02 09:00",
            "De waterkoker lekt.",
            Author="Bo",
            Lang="nl",
            Email="bo@example.org",
        ),
        response("harsh-1", "harsh", "2026-10-02 12:00", HARSH + " Mail: bo@example.org", From="shop"),
        review("calm", 1, "2026-10-01 09:00", "The grinder broke after a week.", Author="Ann", Lang="en"),
        response("calm-1", "calm", "2026-10-01 12:00", CALM, From="shop"),
    )
    output = build(site)
    out = capsys.readouterr().out
    # no-apology, defensive, contact-data and placeholder on harsh-1: four warnings.
    assert out.count("Responses: 4 need a look; run `redress check`") == 1
    assert out.index("Reviews: 2 published") < out.index("Responses: 4 need a look")
    published = output_text(output)
    assert "need a look" not in published and "redress check" not in published
    for rule in RULES:
        if "-" in rule:  # the ids that cannot be ordinary words
            assert rule not in published, rule
    assert "sleep on it" not in published
    assert fingerprint("email", "bo@example.org").split(":")[1] not in published
    assert "bo@example.org" not in published


def test_a_build_with_nothing_to_look_at_adds_no_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    site = make_site(
        tmp_path,
        review("calm", 1, "2099-01-01 09:00", "The grinder broke after a week.", Author="Ann", Lang="en"),
        response("calm-1", "calm", "2099-01-01 12:00", CALM, From="shop"),
        review("happy", 5, "2026-10-01 09:00", "Lovely beans.", Author="Cas", Lang="en"),
    )
    build(site)
    out = capsys.readouterr().out
    assert "Reviews: 2 published" in out
    assert "Responses:" not in out


def test_the_line_is_right_after_an_answer_changes_with_the_cases_kept(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The desk keeps each case's words in the site's cache; a changed answer is read again."""
    site = make_site(
        tmp_path,
        review("harsh", 2, "2026-10-02 09:00", "De waterkoker lekt.", Author="Bo", Lang="nl"),
        response("harsh-1", "harsh", "2026-10-02 12:00", HARSH, From="shop"),
    )
    build(site)
    assert "Responses: 3 need a look" in capsys.readouterr().out  # no-apology, defensive, placeholder
    kept = [path.name.startswith("redress-desk-copies-") for path in (site / "cache").glob("redress-desk-*")]
    assert sorted(kept) == [False, True]  # the cases, and the answers compared
    assert not list((site / "output").rglob("redress-desk-*"))
    build(site)
    assert "Responses: 3 need a look" in capsys.readouterr().out
    (site / "content" / "responses" / "harsh-1.md").write_text(
        "Review: harsh\nDate: 2026-10-02 12:00\nFrom: shop\n\n"
        "Bo, het spijt ons dat de waterkoker lekt; er gaat vandaag een nieuwe naar je toe.\n",
        encoding="utf-8",
    )
    build(site)
    assert "Responses:" not in capsys.readouterr().out
    build(site, REVIEWS_CACHE=False)
    assert "Responses:" not in capsys.readouterr().out


def test_the_line_follows_the_sites_address_with_the_cases_kept(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The shop's own addresses stay in its answers, and SITEURL's domain is one of them.

    Three answers alike but for an address at the shop's domain are canned
    while the address is hidden, and personal when it shows: a preview and
    a publish build (two SITEURLs) share the cache, and each build's line
    must say what a fresh ``redress check`` with its settings says.
    """
    from pelican.plugins.redress.content.shop import load_shop
    from pelican.plugins.redress.desk.check import check
    from sites import pelican_settings

    names = ["anna.maria.de.vries.noord.team", "piet.jan.klaas.zuid.oost.depot", "kees.bram.joost.west.hal"]
    files = []
    for number, name in enumerate(names):
        files.append(review(f"r{number}", 1, "2026-10-02 09:00", "It broke on day one.", Author=f"C{number}"))
        files.append(
            response(
                f"r{number}-1",
                f"r{number}",
                "2026-10-02 12:00",
                "We are so sorry it broke; a new one has been sent today, please write to "
                f"{name}@shop.example with any question at all.",
                From="shop",
            )
        )
    site = make_site(tmp_path, *files)
    seen = set()
    for url in ("https://shop.example", "", "https://shop.example", ""):
        settings = {"SITEURL": url, "REVIEWS_SHOP_URL": "https://www.main-shop.example"}
        build(site, **settings)
        out = capsys.readouterr().out
        warnings = check(load_shop(pelican_settings(site, **settings)), dt.datetime.now(dt.UTC)).warnings
        needs = "needs" if warnings == 1 else "need"
        if warnings:
            assert f"Responses: {warnings} {needs} a look" in out, (url, out)
        else:
            assert "Responses:" not in out, (url, out)
        seen.add(warnings)
    assert len(seen) == 2  # the address made a difference, both ways


def test_without_fork_the_lines_are_worked_out_before_texts_are_let_go(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Where processes cannot fork, the report lines are worked out in the build itself:
    before the pages are written, while every review's text is still there (a big shop's
    build lets go of the texts no page needs while it writes, see release_bodies)."""
    import os

    from pelican.plugins.redress.site import generator

    monkeypatch.delattr(os, "fork")
    monkeypatch.setattr(generator, "RELEASE_MIN_REVIEWS", 1)  # a big shop's build, on six reviews
    site = make_site(
        tmp_path,
        *(review(f"r{day}", 1 + day % 5, f"2026-10-0{day} 09:00", f"Review {day}.") for day in range(1, 7)),
    )
    whole: list[bool] = []

    def receiver(shop: object, settings: object = None) -> None:
        whole.append(all(r.body_html for r in shop.reviews))  # type: ignore[attr-defined]

    generator.report_lines.connect(receiver)
    try:
        build(site, REVIEWS_PER_PAGE=1, REVIEWS_FEED_MAX_ITEMS=0)
    finally:
        generator.report_lines.disconnect(receiver)
    assert whole == [True]


def test_a_build_stopped_by_a_clash_ends_the_process_working_out_its_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The desk's line is worked out beside the build from as soon as the shop is read; a build
    that stops after that (a clash, found before anything is written) ends that process and
    reaps it, so a `pelican -r` session keeps no process behind."""
    import os

    from pelican.plugins.redress.content import forked
    from pelican.plugins.redress.errors import RedressError
    from pelican.plugins.redress.site import generator

    monkeypatch.setattr(generator, "FORK_REPORT_MIN_REVIEWS", 1)
    started: list[int] = []
    real = forked.beside

    def beside(work, *args, **kwargs):  # type: ignore[no-untyped-def]
        child = real(work, *args, **kwargs)
        if getattr(work, "__name__", "") == "_here" and child is not None:
            started.append(child._pid)  # type: ignore[arg-type]
        return child

    monkeypatch.setattr(forked, "beside", beside)
    page = "Title: Our reviews\nSlug: reviews\n\nWhat our customers say.\n"
    site = make_site(tmp_path, review("r", 1, "2026-10-02 09:00", "Broken."), ("pages/reviews.md", page))
    with pytest.raises(RedressError):
        build(site, PAGE_URL="{slug}/", PAGE_SAVE_AS="{slug}/index.html")
    assert len(started) == 1
    with pytest.raises(ChildProcessError):
        os.waitpid(started[0], os.WNOHANG)  # ended and reaped already
    assert not generator._unread_lines
    build(site)  # and the next build works out its line as before
