"""`redress respond`: a template starts the answer, the shop's own words finish it.

The file it writes is read back through the content model: it must be a
valid response (no content error), in the review's language, addressed to
the reviewer, apologising, with the shop's contact and ``[[…]]`` markers
that `redress check` flags as placeholders until they are replaced.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from conftest import make_site, pelican_settings, response, review, write
from pelican.plugins.redress.cli import main
from pelican.plugins.redress.content.shop import load_shop
from pelican.plugins.redress.desk.check import check
from pelican.plugins.redress.desk.respond import TEMPLATES
from pelican.plugins.redress.i18n import LANGUAGES
from pelican.plugins.redress.templating import TEMPLATES_DIR
from sites import write_settings

NOW = "2026-10-10T12:00"


@pytest.fixture
def site(tmp_path: Path) -> Path:
    folder = make_site(
        tmp_path,
        review("kapot", 1, "2026-10-09 09:00", "De molen is kapot.", Author="Jan de V.", Lang="nl"),
        response("kapot-1", "kapot", "2026-10-09 12:00", "Jan, excuses! We kijken ernaar.", From="shop"),
        review("broken", 2, "2026-10-09 09:00", "Grinder broke.", Lang="en"),
        review("katki", 1, "2026-10-09 09:00", "Veski on katki.", Author="Mari", Lang="et"),
        review("kaputt", 1, "2026-10-09 09:00", "Kaputt.", Author="Jürgen", Lang="de"),
    )
    write_settings(folder, PATH="content", REVIEWS_SHOP_CONTACTS=["hulp@bonenbus.example", "+31 30 123 4567"])
    return folder


def respond(site: Path, *args: str) -> int:
    return main(["respond", "--settings", str(site / "pelicanconf.py"), "--now", NOW, *args])


def test_it_writes_the_next_response_in_the_reviews_language(
    site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert respond(site, "kapot", "--template", "defect") == 0
    written = site / "content" / "responses" / "kapot-2.md"
    assert "wrote content/responses/kapot-2.md (template defect, nl)" in capsys.readouterr().out
    text = written.read_text(encoding="utf-8")
    head, body = text.split("\n\n", 1)
    assert head.splitlines() == [
        "Review: kapot",
        "Date: 2026-10-10 12:00",
        "From: shop",
        "Status: in-progress",
        "Remedy: apology",
    ]
    assert body.startswith("Beste Jan,")
    assert "Het spijt ons" in body and "hulp@bonenbus.example / +31 30 123 4567" in body
    assert "[[" in body
    shop = load_shop(pelican_settings(site))  # a valid response: the content model reads it
    entry = next(e for e in shop.reviews if e.slug == "kapot").thread[-1]
    assert entry.slug == "kapot-2" and entry.status == "in-progress"
    found = {
        (f.rule, f.entry.slug if f.entry else None) for f in check(shop, dt.datetime.now(dt.UTC)).findings
    }
    assert ("placeholder", "kapot-2") in found
    assert ("no-apology", "kapot-2") not in found


def test_once_the_markers_are_replaced_the_answer_passes(site: Path) -> None:
    respond(site, "katki", "--template", "damaged")
    path = site / "content" / "responses" / "katki-1.md"
    text = path.read_text(encoding="utf-8")
    assert "Tere, Mari!" in text and "Meil on väga kahju" in text
    filled = text.replace(
        "[[mis oli kahjustatud, nii nagu arvustaja kirjeldas]]", "Veski kivid olid mõranenud."
    )
    filled = filled.replace(
        "[[mida saadate või hüvitate ja millal see teele läheb]]", "Uus veski läks täna teele."
    )
    path.write_text(filled, encoding="utf-8")
    shop = load_shop(pelican_settings(site))
    assert not [
        f
        for f in check(shop, dt.datetime(2026, 10, 10, 13, tzinfo=dt.UTC)).findings
        if f.review.slug == "katki"
    ]


def test_without_a_name_or_contacts_the_template_says_what_is_missing(site: Path) -> None:
    write_settings(site, PATH="content")
    respond(site, "broken")
    body = (site / "content" / "responses" / "broken-1.md").read_text(encoding="utf-8")
    assert body.split("\n\n", 1)[1].startswith("Dear customer,")
    assert "[[your e-mail address or phone number]]" in body


def test_a_language_without_templates_gets_the_sites(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    respond(site, "kaputt")
    assert "(template general, en)" in capsys.readouterr().out


def test_the_shops_own_templates_win(site: Path) -> None:
    own = site / "response-templates" / "nl"
    own.mkdir(parents=True)
    (own / "defect.md").write_text(
        "Hoi {{ name }}, balen! [[wat we doen]] Groet, {{ shop }}\n", encoding="utf-8"
    )
    (own / "eigen.md").write_text("Hoi {{ name }}, eigen tekst.\n", encoding="utf-8")
    respond(site, "kapot", "--template", "defect")
    respond(site, "kapot", "--template", "eigen")
    responses = site / "content" / "responses"
    assert "Hoi Jan, balen! [[wat we doen]] Groet, Test shop" in (responses / "kapot-2.md").read_text()
    assert "Hoi Jan, eigen tekst." in (responses / "kapot-3.md").read_text()


def test_an_unknown_template_lists_the_known_ones(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert respond(site, "kapot", "--template", "lost") == 2
    err = capsys.readouterr().err
    assert "--template lost: there is no template 'lost' in nl; use one of: billing, damaged" in err
    assert not (site / "content" / "responses" / "kapot-2.md").exists()


def test_an_unknown_or_withheld_review_is_refused(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(site, "reviews/spam.md", "Date: 2026-10-01 09:00\nRating: 1\nWithheld: spam\n\nBuy now.\n")
    assert respond(site, "kapott") == 2
    assert respond(site, "spam") == 2
    err = capsys.readouterr().err
    assert "REVIEW kapott: is not a review in reviews/; did you mean kapot, kaputt?" in err
    assert "REVIEW spam: is withheld" in err


def test_it_never_replaces_a_file(site: Path) -> None:
    write(site, "responses/kapot-2.md", "Review: kapot\nDate: 2026-10-09 13:00\n\nDraft.\n")
    respond(site, "kapot")
    assert (site / "content" / "responses" / "kapot-2.md").read_text().endswith("Draft.\n")
    assert (site / "content" / "responses" / "kapot-3.md").exists()


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("name", TEMPLATES)
def test_every_built_in_template_apologises_offers_contact_and_promises_news(lang: str, name: str) -> None:
    """Each built-in template, rendered with a shop's contact, passes every rule but placeholder."""
    path = TEMPLATES_DIR / "redress" / "desk" / "respond" / lang / f"{name}.md"
    assert path.is_file()
    from pelican.plugins.redress.desk.phrases import PHRASES
    from pelican.plugins.redress.desk.rules import has_apology
    from pelican.plugins.redress.desk.text import fold

    text = path.read_text(encoding="utf-8")
    assert has_apology(fold(text.replace("{{ name }}", "Jan")), PHRASES[lang]) is not None
    assert "[[" in text and "_close.md" in text


def test_a_name_written_as_a_link_is_greeted_as_words(site: Path) -> None:
    """A reviewer named ``[Kees](https://evil.example/login)``: kept as generated, the shop's own
    published answer greeted them with a link to wherever the name pointed."""
    name = "[Kees](https://evil.example/login) <https://evil.example/b> *Jan*"
    text = f"Date: 2026-10-09 09:00\nRating: 1\nAuthor: {name}\nLang: en\n\nBroken.\n"
    write(site, "reviews/trap.md", text)
    assert respond(site, "trap", "--template", "general") == 0
    shop = load_shop(pelican_settings(site))
    entry = next(r for r in shop.reviews if r.slug == "trap").thread[-1]
    assert "<a " not in entry.body_html and "<em>" not in entry.body_html
    assert "Kees" in entry.body_html
