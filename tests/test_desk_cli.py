"""`redress check` as the shop owner runs it: the text, the JSON, the exit codes, the mistakes.

The command runs in-process through ``cli.main`` against a site written by
``sites.write_settings``, so what it prints and returns is what the owner
sees; a mistake (an unknown review, a bad setting, a broken file) is lines
on stderr and an exit code, never a traceback.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import make_site, response, review, write
from pelican.plugins.redress.cli import main
from pelican.plugins.redress.desk.rules import RULES
from sites import write_settings

NOW = "2026-10-10T12:00"


@pytest.fixture
def site(tmp_path: Path) -> Path:
    folder = make_site(
        tmp_path,
        review("calm", 1, "2026-10-01 09:00", "The grinder broke after a week.", Author="Ann", Lang="en"),
        response(
            "calm-1", "calm", "2026-10-01 12:00", "Ann, I'm sorry the grinder broke; a new one ships today."
        ),
        review("harsh", 2, "2026-10-02 09:00", "The kettle leaks.", Author="Bo", Lang="nl"),
        response(
            "harsh-1", "harsh", "2026-10-02 12:00", "Bo, dat klopt niet, u had de handleiding moeten lezen."
        ),
        review("waiting", 1, "2026-10-03 09:00", "Nothing arrived.", Lang="en"),
        review("german", 1, "2026-10-04 09:00", "Kaputt.", Author="Jürgen", Lang="de"),
        response("german-1", "german", "2026-10-04 12:00", "Jürgen, das tut uns leid."),
    )
    write_settings(folder, PATH="content", DEFAULT_LANG="en")
    return folder


def run(site: Path, *args: str) -> int:
    return main(["check", "--settings", str(site / "pelicanconf.py"), "--now", NOW, *args])


def test_json_has_every_finding_in_order_and_a_summary(
    site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(site, "--format", "json") == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data) == {"findings", "summary"}
    got = [(f["rule"], f["review"], f["response"]) for f in data["findings"]]
    assert got == [
        ("no-apology", "harsh", "harsh-1"),
        ("defensive", "harsh", "harsh-1"),
        ("unanswered", "waiting", None),
    ]
    first = data["findings"][0]
    assert set(first) == {"rule", "severity", "review", "response", "lang", "message", "evidence"}
    assert first["severity"] == "warning" and first["lang"] == "nl"
    assert "apologise" in first["message"]
    assert data["findings"][1]["evidence"] == {
        "phrases": ["dat klopt niet", "u had de handleiding moeten lezen"]
    }
    summary = data["summary"]
    assert summary["reviews"] == 4 and summary["responses"] == 3
    assert list(summary["findings_by_rule"]) == list(RULES)
    assert summary["findings_by_rule"]["unanswered"] == 1
    assert summary["not_checked_by_lang"] == {"de": 1}


def test_text_groups_findings_under_their_review(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(site) == 0
    out = capsys.readouterr().out
    assert "“The kettle leaks.”" not in out  # the review's title is shown, not its text
    harsh = out.index("content/reviews/harsh.md")
    assert harsh < out.index("no-apology") < out.index("defensive") < out.index("content/reviews/waiting.md")
    assert "content/responses/harsh-1.md" in out
    last = out.strip().splitlines()[-1]
    assert last.startswith("redress check: reviews 4, responses 3; warnings 3, advice 0")
    assert "not checked for language (no rule set): de: 1" in last


def test_strict_exits_1_when_there_is_a_warning(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(site, "--strict") == 1
    assert run(site, "--strict", "calm") == 0
    capsys.readouterr()


def test_the_owners_language_is_the_sites(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_settings(site, PATH="content", DEFAULT_LANG="nl")
    run(site, "--format", "json")
    data = json.loads(capsys.readouterr().out)
    assert "excuses" in data["findings"][0]["message"]
    run(site)
    assert "waarschuwing" in capsys.readouterr().out


def test_an_unknown_review_is_named_with_the_nearest_ones(
    site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(site, "harshh") == 2
    err = capsys.readouterr().err
    assert "redress: REVIEW harshh: is not a review in reviews/; did you mean harsh?" in err
    assert "Traceback" not in err


def test_a_content_error_is_reported_like_every_other_command(
    site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(site, "responses/bad-1.md", "Review: calm\nDate: yesterday\n\nHi.\n")
    assert run(site) == 1
    err = capsys.readouterr().err
    assert "content/responses/bad-1.md: Date: 'yesterday' is not a date" in err
    assert "Traceback" not in err


def test_a_desk_setting_that_cannot_work_is_named(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_settings(
        site, PATH="content", REVIEWS_RESPONSE_DEADLINE_HOURS=0, REVIEWS_SHOP_CONTACTS="support@shop.example"
    )
    assert run(site) == 1
    err = capsys.readouterr().err
    assert "REVIEWS_RESPONSE_DEADLINE_HOURS is 0; use a number of hours above 0" in err
    assert "REVIEWS_SHOP_CONTACTS is 'support@shop.example'; use a list" in err


def test_since_takes_a_day(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run(site, "--format", "json", "--since", "2026-10-03")
    data = json.loads(capsys.readouterr().out)
    assert [f["review"] for f in data["findings"]] == ["waiting"]
    with pytest.raises(SystemExit):
        run(site, "--since", "last week")
    assert "'last week' is not a date like 2026-10-02" in capsys.readouterr().err


def test_a_command_keeps_its_cache_where_the_build_would(
    site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Like the build, a command keeps no cache for a site that keeps none (no ``cache/``
    folder in whatever folder it ran in); a site with a CACHE_PATH gets it there, beside its
    settings, wherever the command runs."""
    conf = site / "pelicanconf.py"
    lines = conf.read_text(encoding="utf-8").splitlines()
    conf.write_text("\n".join(x for x in lines if not x.startswith("CACHE_PATH")) + "\n", encoding="utf-8")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    assert run(site) in (0, 1)
    monkeypatch.chdir(site)
    assert run(site) in (0, 1)
    assert not (elsewhere / "cache").exists() and not (site / "cache").exists()
    write_settings(site, PATH="content", DEFAULT_LANG="en", CACHE_PATH="kept")
    monkeypatch.chdir(elsewhere)
    assert run(site) in (0, 1)
    capsys.readouterr()
    assert not list(elsewhere.iterdir())
    assert any(name.name.startswith("redress-") for name in (site / "kept").iterdir())
