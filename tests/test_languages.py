"""Languages that tell the truth: each page's `lang` is the language its text is in.

Redress's strings come from Redress's own catalog whatever the site does with
gettext: without the i18n extension, with i18n_subsites (new-style gettext, its
default, and old-style), and inside a theme that defines its own `_` (as Flex
does). A site language Redress has no catalog for gives English pages that say
so. Builds with i18n_subsites run in a process of their own (build_apart.py):
the plugin would stay connected to Pelican's signals for the whole session.
"""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from build_apart import build_apart as build_site_apart
from conftest import build as build_site
from conftest import make_site, review, soup, write
from pelican.plugins.redress import templating

THEMES = Path(__file__).resolve().parent / "themes"


def build(site: Path, **override: object) -> Path:
    """conftest's build with REVIEWS_LAYOUT at its default (the theme's layout), unless a test sets it."""
    return build_site(site, **{"REVIEWS_LAYOUT": None, **override})


def build_apart(site: Path, **override: object) -> Path:
    """build_apart.py's build with REVIEWS_LAYOUT at its default, unless a test sets it."""
    return build_site_apart(site, **{"REVIEWS_LAYOUT": None, **override})


def shop(tmp_path: Path) -> Path:
    """Reviews in three languages, one of them without a Lang (the site's language)."""
    site = make_site(
        tmp_path,
        review("a", rating=5, date="2026-10-02 14:31", body="Prima koffie.", lang="nl", title="Prima"),
        review("b", rating=4, date="2026-09-01 10:00", body="Great beans.", lang="en"),
        review("c", rating=4, date="2026-08-01 10:00", body="Sans langue."),
    )
    write(site, "products/mill.md", "Title: Mill\n\nA mill.\n")
    return site


def flexlike(tmp_path: Path) -> Path:
    """The Flex-shaped test theme, with its Dutch catalog compiled as a theme ships it."""
    theme = shutil.copytree(THEMES / "flexlike", tmp_path / "flexlike")
    folder = theme / "translations" / "nl" / "LC_MESSAGES"
    with (folder / "messages.po").open("rb") as po, (folder / "messages.mo").open("wb") as mo:
        write_mo(mo, read_po(po, locale="nl"))
    return theme


def theme_links(page, href: str) -> list:
    """The theme's own links to `href`: those outside Redress's part of the page."""
    return [a for a in page.find_all("a", href=href) if not a.find_parent(class_="redress")]


@pytest.mark.parametrize("newstyle", [True, False], ids=["new-style", "old-style"])
@pytest.mark.parametrize("theme", ["notmyidea", "flexlike"])
def test_i18n_subsites_each_subsite_in_its_language(tmp_path, newstyle, theme):
    site = shop(tmp_path)
    out = build_apart(
        site,
        THEME=str(flexlike(tmp_path)) if theme == "flexlike" else theme,
        PLUGINS=["redress", "i18n_subsites"],
        I18N_SUBSITES={"nl": {"SITENAME": "Testwinkel"}},
        I18N_GETTEXT_NEWSTYLE=newstyle,
        JINJA_ENVIRONMENT={"extensions": ["jinja2.ext.i18n"]},
    )
    dutch, english = soup(out / "nl/reviews/index.html"), soup(out / "reviews/index.html")
    for page, lang in ((dutch, "nl"), (english, "en")):
        assert page.html["lang"] == lang
        assert page.select_one(".redress")["lang"] == lang
        # Each review body keeps its own language, whatever the page's.
        assert {t["lang"] for t in page.select(".review-text")} == {"nl", "en"}
    text = dutch.select_one(".redress").get_text(" ")
    assert "Alle reviews" in text and "2 oktober 2026" in text
    assert "All reviews" not in text
    assert "All reviews" in english.select_one(".redress").get_text(" ")
    # The text for the browser's counter: kept as it is, not formatted (KeyError: 'count').
    form = soup(out / "nl/reviews/write/index.html").select_one("form[data-counter]")
    assert form["data-counter"] == "%(count)s van %(max)s tekens"
    assert soup(out / "nl/reviews/products/mill/index.html").select_one(".redress")["lang"] == "nl"
    # The way in from each subsite's menu leads to that subsite's reviews.
    assert [a.get_text() for a in theme_links(dutch, "/nl/reviews/")] == ["Reviews"]
    assert [a.get_text() for a in theme_links(english, "/reviews/")] == ["Reviews"]
    if theme == "flexlike":
        # The theme's own words come from the theme's catalog, new-style calls included.
        assert dutch.select_one("nav.flex-nav a").get_text() == "Start"
        assert "Gemaakt met Pelican" in dutch.select_one("footer").get_text()
        assert english.select_one("nav.flex-nav a").get_text() == "Home"
        assert "Built with Pelican" in english.select_one("footer").get_text()


# Two languages: Pelican logs a message it has logged before in this process only once.
@pytest.mark.parametrize("layout, lang", [("standalone", "fr"), ("theme", "pt")])
def test_a_language_without_a_catalog_gives_english_under_lang_en(tmp_path, caplog, layout, lang):
    caplog.set_level(logging.WARNING)
    out = build(shop(tmp_path), DEFAULT_LANG=lang, REVIEWS_LAYOUT=layout)
    page = soup(out / "reviews/index.html")
    region = page.select_one(".redress")
    if layout == "standalone":
        assert page.html["lang"] == "en"
    else:
        # Inside the theme the region says it; the theme's own parts stay the site's.
        assert region.name == "main" and region["lang"] == "en"
        assert page.html["lang"] == lang
    text = region.get_text(" ")
    assert "All reviews" in text
    assert "October 2, 2026" in text
    assert page.select_one(".average-number").get_text(strip=True) == "4.3"
    assert page.find("meta", property="og:locale")["content"] == "en"
    langs = {t.find_parent("article")["id"]: t["lang"] for t in page.select(".review-text")}
    assert langs == {"review-a": "nl", "review-b": "en", "review-c": lang}
    assert soup(out / "reviews/write/index.html").select_one("input[name=ui]")["value"] == "en"
    warnings = [r.getMessage() for r in caplog.records if "has no translation" in r.getMessage()]
    assert len(warnings) == 1, warnings
    assert repr(lang) in warnings[0] and 'lang="en"' in warnings[0]


@pytest.mark.parametrize("written", ["nl_BE", "nl_be"])
def test_a_site_language_with_a_region_is_a_valid_lang_everywhere(tmp_path, written):
    """DEFAULT_LANG as a locale ("nl_BE") was written into lang attributes as it is, which is no
    language tag: screen readers and search engines then do not know the page's language."""
    out = build(shop(tmp_path), DEFAULT_LANG=written, REVIEWS_LAYOUT="standalone")
    page = soup(out / "reviews/index.html")
    assert page.html["lang"] == "nl-be" and "Alle reviews" in page.get_text()
    langs = [tag["lang"] for path in out.rglob("*.html") for tag in soup(path).select("[lang]")]
    langs += [tag["lang"] for tag in soup(out / "reviews/widgets/badge.svg").select("[lang]")]
    assert langs and not [lang for lang in langs if "_" in lang]


def test_a_theme_with_its_own_underscore_macro_keeps_redress_in_dutch(tmp_path):
    """Flex defines `_` itself when the site lacks the i18n extension; Redress's words stay Dutch."""
    out = build(shop(tmp_path), DEFAULT_LANG="nl", THEME=str(THEMES / "flexlike"))
    page = soup(out / "reviews/index.html")
    assert page.select_one("aside.sidebar")  # the theme's layout, with its macro
    assert page.select_one(".redress")["lang"] == "nl"
    assert "Alle reviews" in page.select_one(".redress").get_text(" ")
    assert "Built with Pelican" in page.select_one("footer").get_text()


def test_gettext_takes_old_style_text_and_new_style_calls():
    """Redress's `_("%(count)s …")` stays text; a theme's `_("…", n=2)` is formatted and escaped."""
    env = templating.environment({}, "nl")
    render = lambda source, **ctx: env.from_string(source).render(**ctx)  # noqa: E731
    assert render("{{ _('%(count)s of %(max)s characters') }}") == "%(count)s van %(max)s tekens"
    assert render("{{ _('Page %(n)s of %(m)s', n=2, m='<b>') }}") == "Page 2 of &lt;b&gt;"
    assert (
        render("{% trans count=3 %}{{ count }} star{% pluralize count %}{{ count }} stars{% endtrans %}")
        == "3 sterren"
    )
    assert render("{{ ngettext('%(num)s review', '%(num)s reviews', 2, num=2) }}") == "2 reviews"
    assert render("{{ _('All reviews') }}") == "Alle reviews"


@pytest.mark.parametrize("lang", ["en", "nl", "de"])
def test_remembered_numbers_read_as_babel_writes_them(lang):
    """The formatter remembers each number it wrote (a listing's average is on each of its
    pages): what it gives back is Babel's text for that number, digits and locale."""
    from babel.numbers import format_decimal, format_percent
    from pelican.plugins.redress.i18n import Formatter, locale_for

    fmt, locale = Formatter(lang), locale_for(lang)
    for value, digits in [(4.25, 1), (4.25, 2), (1234.5, 1), (4, 1), (4.0, 2), (0.05, 1)]:
        expected = format_decimal(value, format="#,##0." + "0" * digits, locale=locale)
        assert fmt.decimal(value, digits) == expected
        assert fmt.decimal(value, digits) == expected  # asked again: remembered, the same
    for value in (0.5, 0.125, 1.0):
        assert fmt.percent(value) == fmt.percent(value) == format_percent(value, locale=locale)
