"""Redress's compiled templates give the pages Jinja's own would give.

``templating.RedressEnvironment`` puts each plain ``_("text")`` and
``{% trans %}`` of Redress's own templates in the compiled template as its
translation, and its templates escape text with ``templating.escape``.
Each site here is built for real with both and with neither
(``templating.TRANSLATE_WHEN_COMPILED`` off: every word looked up as the
page renders; MarkupSafe's own ``escape``), and every file of the two
outputs must be the same, in each language Redress has a catalog for and
in the site theme's layout. The compiled templates are kept in the cache
folder: a site that changes its language must not get the last language's
words from there.
"""

from __future__ import annotations

import gettext
import random
import shutil
from pathlib import Path

import markupsafe
import pytest
from conftest import DEMO_CONTENT, build, soup
from pelican.plugins.redress import templating
from pelican.plugins.redress.i18n import translations

THEMES = Path(__file__).resolve().parent / "themes"


def files_of(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def demo_site(tmp_path: Path) -> Path:
    site = tmp_path / "demo"
    shutil.copytree(DEMO_CONTENT, site / "content")
    return site


@pytest.mark.parametrize(
    ("lang", "layout", "word"),
    [
        ("en", {"REVIEWS_LAYOUT": "standalone"}, "Verified buyer"),
        ("nl", {"REVIEWS_LAYOUT": "standalone"}, "Geverifieerde koper"),
        ("et", {"REVIEWS_LAYOUT": "standalone"}, "Kinnitatud ostja"),
        ("nl", {"REVIEWS_LAYOUT": "theme", "THEME": str(THEMES / "flexlike")}, "Geverifieerde koper"),
        ("en", {"REVIEWS_LAYOUT": "theme", "THEME": "notmyidea"}, "Verified buyer"),
    ],
)
def test_compiled_templates_give_the_same_files_as_jinjas_own(tmp_path, monkeypatch, lang, layout, word):
    site = demo_site(tmp_path)
    build(site, DEFAULT_LANG=lang, OUTPUT_PATH="compiled", CACHE_PATH="cache-compiled", **layout)
    monkeypatch.setattr(templating, "TRANSLATE_WHEN_COMPILED", False)
    monkeypatch.setattr(templating, "escape", markupsafe.escape)
    build(site, DEFAULT_LANG=lang, OUTPUT_PATH="looked-up", CACHE_PATH="cache-looked-up", **layout)
    compiled, looked_up = files_of(site / "compiled"), files_of(site / "looked-up")
    assert sorted(compiled) == sorted(looked_up)
    assert len(compiled) > 20
    for name, data in looked_up.items():
        assert compiled[name] == data, name
    # The pages are in the language asked for (in the theme's layout when asked): the
    # comparison is of translated pages, and of the theme's layout template.
    page = soup(site / "compiled/reviews/index.html")
    assert word in page.get_text(" ")
    in_theme = page.select_one(".redress") is not None and page.select_one("body.redress") is None
    assert in_theme == (layout["REVIEWS_LAYOUT"] == "theme")


def test_the_compiled_card_holds_the_translation_not_a_lookup():
    """The proof that words are compiled in: the card's code names the Dutch word, not the English one."""
    env = templating.environment({}, "nl")
    name = "redress/review_card.html"
    source, filename, _uptodate = env.loader.get_source(env, name)
    code = env.compile(source, name, filename, raw=True)
    assert "Geverifieerde koper" in code
    assert "Verified buyer" not in code
    looked_up = env.compile(source, name, None, raw=True)  # not a file of Redress's: as it was
    assert "Verified buyer" in looked_up and "Geverifieerde koper" not in looked_up


@pytest.mark.parametrize(
    "source",
    [
        "{% set _ = gettext %}{{ _('All reviews') }}",
        "{% macro _(text) %}[{{ text }}]{% endmacro %}{{ _('All reviews') }}",
        "{% from 'x.html' import label as _ %}{{ _('All reviews') }}",
        "{% import 'x.html' as gettext %}{{ _('All reviews') }}",
        "{% for _ in [1] %}{{ gettext('All reviews') }}{% endfor %}",
        "{% macro m(gettext) %}{{ gettext('All reviews') }}{% endmacro %}",
    ],
)
def test_a_template_that_names_its_own_underscore_is_left_as_it_is(source):
    env = templating.environment({}, "nl")
    tree = env.parse(source)
    before = env.compile(tree, raw=True)
    after = env.compile(templating.translated(env.parse(source), translations("nl")), raw=True)
    assert after == before
    assert "Alle reviews" not in after


def test_only_plain_messages_are_compiled_in():
    """A message with values of its own, a count or a context is looked up as the page renders."""
    env = templating.environment({}, "nl")
    tree = templating.translated(
        env.parse(
            "{{ _('All reviews') }}|{{ _('Page %(n)s', n=2) }}|"
            "{% trans count=3 %}{{ count }} star{% pluralize count %}{{ count }} stars{% endtrans %}|"
            "{{ pgettext('menu', 'All reviews') }}|{{ _(name) }}"
        ),
        translations("nl"),
    )
    code = env.compile(tree, raw=True)
    assert "Alle reviews" in code
    assert code.count("gettext") >= 4  # the four others still call their lookup
    assert env.from_string(tree).render(name="All reviews") == (
        "Alle reviews|Page 2|3 sterren|All reviews|Alle reviews"
    )


def test_a_site_that_changes_its_language_gets_the_new_words_from_its_cache(tmp_path):
    """The compiled templates are kept per catalog: English ones are not taken for a Dutch build."""
    site = demo_site(tmp_path)
    out = build(site, DEFAULT_LANG="en")
    assert "Verified buyer" in (out / "reviews/index.html").read_text(encoding="utf-8")
    out = build(site, DEFAULT_LANG="nl")
    page = (out / "reviews/index.html").read_text(encoding="utf-8")
    assert "Geverifieerde koper" in page and "Verified buyer" not in page
    assert soup(out / "reviews/index.html").find("html")["lang"] == "nl"
    kept = sorted(p.name for p in (site / "cache").glob("redress-templates-*"))
    assert len(kept) == 2, kept


def test_a_site_built_from_scratch_keeps_the_templates_it_compiled(tmp_path):
    """The first build makes the cache folder before its templates: the first change after it
    (a response added to a site just built) loads them instead of compiling them all again."""
    site = demo_site(tmp_path)
    assert not (site / "cache").exists()
    out = build(site)
    kept = [p.name for folder in (site / "cache").glob("redress-templates-*") for p in folder.iterdir()]
    # Every template the pages are made of, the listing's and a review's among them.
    assert len(kept) >= 10, kept
    assert (out / "reviews/index.html").is_file()


def test_a_site_without_the_cache_gets_no_cache_folder(tmp_path):
    site = demo_site(tmp_path)
    build(site, REVIEWS_CACHE=False)
    assert not (site / "cache").exists()


def test_each_catalog_names_its_own_compiled_templates():
    keys = {
        templating.catalog_key(translations("nl")),
        templating.catalog_key(translations("et")),
        templating.catalog_key(translations("en")),
        templating.catalog_key(gettext.NullTranslations()),
    }
    assert len(keys) == 3  # English has no catalog: the null one
    assert templating.catalog_key(translations("nl")) == templating.catalog_key(translations("nl"))


def test_another_catalog_installed_later_compiles_the_templates_again():
    """An environment given a second catalog does not keep the first one's words compiled in."""
    env = templating.environment({}, "en")
    stars = "{% import 'redress/stars.html' as s %}{{ s.stars(4, 5) }}"
    assert "4 out of 5 stars" in env.from_string(stars).render()
    templating.install_gettext(env, translations("nl"))
    assert "4 van 5 sterren" in env.from_string(stars).render()
    assert env.bytecode_cache is None


class _Html:
    def __html__(self) -> str:
        return "<b>as it is</b>"


class _Text(str):
    pass


def test_escape_gives_what_markupsafe_gives():
    rng = random.Random(7)
    values: list[object] = [
        "",
        "plain",
        "<a href=\"x\">'&'</a>",
        "é ★ \u2028",
        markupsafe.Markup("<i>kept</i>"),
    ]
    values += [5, 4.5, None, True, _Html(), _Text("<sub>class</sub>")]
    values += ["".join(chr(rng.randrange(0x110000)) for _ in range(40)) for _ in range(2000)]
    values += ["".join(rng.choice("<>&\"' ab") for _ in range(30)) for _ in range(2000)]
    for value in values:
        got, expected = templating.escape(value), markupsafe.escape(value)
        assert type(got) is type(expected) is markupsafe.Markup
        assert str(got) == str(expected), repr(value)


def test_redress_templates_escape_with_it():
    """The proof that the faster escape is used (this machine's MarkupSafe has its C part)."""
    assert templating.escape is not markupsafe.escape
    env = templating.environment({}, "en")
    card = env.get_template("redress/review_card.html")
    assert card.root_render_func.__globals__["escape"] is templating.escape
    assert (
        env.from_string("{{ x }}|{{ y }}").render(x="<&>", y=markupsafe.Markup("<b>")) == "&lt;&amp;&gt;|<b>"
    )


class _Words(gettext.NullTranslations):
    """A catalog whose translations hold the characters HTML escapes, and a value to format."""

    def gettext(self, message: str) -> str:
        words = {
            "Plain": "Tom & Jerry's",
            "Trans": "Tom & Jerry's",
            "Safe": "Rien à signaler",
            "Fmt": "Voir %(link)s",
        }
        return words.get(message, message)


def code_of(source: str, words: gettext.NullTranslations) -> str:
    env = templating.environment({}, "en")
    return env.compile(templating.translated(env.parse(source), words), raw=True)


def both_ways(tmp_path, monkeypatch, own: dict[str, str], theme: dict[str, str], **values) -> dict[bool, str]:
    """``redress/page.html`` of ``own`` (taken for Redress's own templates) in ``theme``, rendered
    with the words compiled in and looked up."""
    for folder, files in (("own", own), ("theme/templates", theme)):
        for name, text in files.items():
            path = tmp_path / folder / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
    monkeypatch.setattr(templating, "TEMPLATES_DIR", tmp_path / "own")
    pages = {}
    for compiled in (True, False):
        monkeypatch.setattr(templating, "TRANSLATE_WHEN_COMPILED", compiled)
        env = templating.environment({"THEME": str(tmp_path / "theme")}, "en")
        templating.install_gettext(env, _Words())
        pages[compiled] = env.get_template("redress/page.html").render(**values)
    return pages


def test_a_trans_block_is_marked_safe_as_the_page_renders(tmp_path, monkeypatch):
    """Jinja marks a {% trans %} safe if the page escapes as it renders: a theme's base.html may
    turn escaping off around Redress's block. The compiled text must follow it, values too."""
    pages = both_ways(
        tmp_path,
        monkeypatch,
        own={
            "redress/page.html": "{% extends 'base.html' %}{% block content %}{% trans %}Trans{% endtrans %}|"
            "{% trans link=l %}Fmt{% endtrans %}|{% trans %}Safe{% endtrans %}|{{ _('Plain') }}{% endblock %}"
        },
        theme={"base.html": "{% autoescape false %}[{% block content %}{% endblock %}]{% endautoescape %}"},
        l=markupsafe.Markup("<a href='x'>y</a>"),
    )
    assert pages[True] == pages[False]
    assert "Voir &lt;a" in pages[True] and "Tom &amp; Jerry&#39;s" in pages[True]


def test_a_page_that_decides_its_escaping_as_it_renders_keeps_its_lookups(tmp_path, monkeypatch):
    pages = both_ways(
        tmp_path,
        monkeypatch,
        own={
            "redress/page.html": "{% autoescape flag %}{{ _('Plain') }}|"
            "{% trans %}Trans{% endtrans %}{% endautoescape %}"
        },
        theme={},
        flag=False,
    )
    assert pages[True] == pages[False] == "Tom & Jerry's|Tom & Jerry's"


def test_a_themes_own_gettext_does_not_reach_redress_strings(tmp_path, monkeypatch):
    """Looked up, a theme's base.html that defines gettext would translate Redress's strings."""
    pages = both_ways(
        tmp_path,
        monkeypatch,
        own={
            "redress/page.html": "{% extends 'base.html' %}{% block content %}{{ _('Safe') }}|{{ _(name) }}|"
            "{{ _('Safe')|upper }}|{% trans %}Trans{% endtrans %}{% endblock %}"
        },
        theme={"base.html": "{% macro gettext(m) %}[theme]{% endmacro %}{% block content %}{% endblock %}"},
        name="Safe",
    )
    # (A {% trans %} is the catalog's own markup: printed as it is, as Jinja prints it.)
    assert pages[True] == "Rien à signaler|Rien à signaler|RIEN À SIGNALER|Tom & Jerry's"
    assert "[theme]" in pages[False]  # what Jinja's own lookup does there


def test_an_error_in_a_compiled_template_names_its_source(tmp_path, monkeypatch):
    from jinja2 import TemplateSyntaxError

    with pytest.raises(TemplateSyntaxError) as raised:
        both_ways(
            tmp_path,
            monkeypatch,
            own={"redress/page.html": "{% block a %}{% endblock %}{% block a %}{% endblock %}"},
            theme={},
        )
    assert raised.value.source is not None and "block a" in raised.value.source


@pytest.mark.parametrize(
    "source",
    [
        "{{ _('Safe')|upper }}",
        "{{ _('Safe') ~ x }}",
        "{% if _('Safe') is string %}y{% endif %}",
        "{{ 'a'|replace('a', _('Safe')) }}",
        "{{ 'a'|format(label=_('Safe')) }}",
        "{{ ('a' ~ _('Safe'))|upper }}",
        "{{ [_('Safe')]|first }}",
    ],
)
def test_a_message_under_a_filter_a_test_or_a_join_keeps_its_lookup(source):
    """Jinja works those out as it compiles, with the filter of that moment: left to the page."""
    code = code_of(source, _Words())
    assert "Rien à signaler" not in code and "'Safe'" in code


def test_a_sites_finalize_keeps_every_lookup():
    """Jinja runs finalize on a printed constant after escaping it, on a looked-up text before."""
    env = templating.environment({"JINJA_ENVIRONMENT": {"finalize": lambda value: value}}, "nl")
    name = "redress/review_card.html"
    source, filename, _uptodate = env.loader.get_source(env, name)
    code = env.compile(source, name, filename, raw=True)
    assert "Geverifieerde koper" not in code and "Verified buyer" in code


def test_redress_strings_come_from_its_catalog_whatever_else_names_underscore(tmp_path):
    """A theme whose base.html defines `_` for its own strings, and a site's JINJA_GLOBALS `_`,
    do not reach Redress's strings: Jinja's `_` is `gettext`, Redress's catalog."""
    theme = shutil.copytree(THEMES / "flexlike", tmp_path / "theme")
    base = theme / "templates" / "base.html"
    text = base.read_text(encoding="utf-8")
    text = text.replace("{% macro _(msg) %}", "{% endif %}{% macro _(msg) %}[theme] ", 1)
    text = text.replace("{% endmacro %}\n{% endif %}", "{% endmacro %}{% if true %}{% endif %}", 1)
    base.write_text(text, encoding="utf-8")
    site = demo_site(tmp_path)
    out = build(
        site,
        DEFAULT_LANG="nl",
        THEME=str(theme),
        REVIEWS_LAYOUT="theme",
        JINJA_GLOBALS={"_": lambda text, **kw: "[site]"},
    )
    page = (out / "reviews/index.html").read_text(encoding="utf-8")
    assert "Geverifieerde koper" in page
    redress = soup(out / "reviews/index.html").select_one(".redress").get_text(" ")
    assert "[theme]" not in redress and "[site]" not in redress
    assert "Built with" in page  # the theme's own footer still uses its own `_`


def test_a_change_to_how_templates_are_compiled_compiles_them_again(tmp_path, monkeypatch):
    settings = {"CACHE_PATH": str(tmp_path)}
    before = templating.bytecode_cache(settings, {}, "words")
    monkeypatch.setattr(templating, "_compiled_by", lambda: "another")
    after = templating.bytecode_cache(settings, {}, "words")
    assert before is not None and after is not None
    assert before.directory != after.directory
