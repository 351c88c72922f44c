"""Each review's own page filled into a shell gives the very bytes a render of its own gives.

A product's review pages are filled into a shell rendered once per shape
(redress.site.review_pages.PageShells). Each site here is built twice for
real, with shells and with ``review_pages.SHELLS`` off (every page rendered
from its template), and every file of the two outputs must be the same. A
theme whose review.html does more with a review's value than print it, and
customer text made to break out of its place, must still give the pages a
render gives.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from conftest import DEMO_CONTENT, build, make_site, response, review, soup, write
from markupsafe import escape
from pelican.plugins.redress.site import output, review_pages

THEMES = Path(__file__).resolve().parent / "themes"
OWN_REVIEW_HTML = Path(review_pages.__file__).parent.parent / "templates/redress/review.html"


def files_of(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def build_both(site: Path, monkeypatch: pytest.MonkeyPatch, **override: Any) -> tuple[Path, Path, int]:
    """The site built with shells and without, into two folders; and how many pages were rendered.

    The count (of the build with shells) comes from a spy on the page-by-page
    render that calls the real one: a test whose pages were all rendered in
    full would compare nothing.
    """
    rendered = []
    render = review_pages._render_full

    def counted(*args: Any) -> str:
        rendered.append(1)
        return render(*args)

    monkeypatch.setattr(review_pages, "_render_full", counted)
    build(site, OUTPUT_PATH="with", CACHE_PATH="cache-with", **override)
    monkeypatch.setattr(review_pages, "_render_full", render)
    monkeypatch.setattr(review_pages, "SHELLS", False)
    build(site, OUTPUT_PATH="without", CACHE_PATH="cache-without", **override)
    monkeypatch.setattr(review_pages, "SHELLS", True)
    return site / "with", site / "without", len(rendered)


def assert_same_files(with_shells: Path, without: Path) -> None:
    got, expected = files_of(with_shells), files_of(without)
    assert sorted(got) == sorted(expected)
    assert len([name for name in got if re.fullmatch(r"reviews/[^/]+/index\.html", name)]) > 3
    for name, data in expected.items():
        assert got[name] == data, name


def demo_site(tmp_path: Path) -> Path:
    site = tmp_path / "demo"
    shutil.copytree(DEMO_CONTENT, site / "content")
    return site


LAYOUTS = {
    "standalone": {},
    "published": {"SITEURL": "https://shop.example"},  # og:url and the canonical link
    "relative": {"SITEURL": "https://shop.example", "RELATIVE_URLS": True},
    "notmyidea": {"THEME": "notmyidea", "REVIEWS_LAYOUT": None, "SITEURL": "https://shop.example"},
    "flexlike": {"THEME": str(THEMES / "flexlike"), "REVIEWS_LAYOUT": None},
}


@pytest.mark.parametrize("layout", list(LAYOUTS))
def test_the_demo_shops_pages_are_the_same_with_and_without_shells(tmp_path, monkeypatch, layout):
    with_shells, without, rendered = build_both(demo_site(tmp_path), monkeypatch, **LAYOUTS[layout])
    assert_same_files(with_shells, without)
    reviews = len(list((DEMO_CONTENT / "reviews").glob("*.md")))
    assert rendered < reviews // 2, "most pages come from a shell"


def test_the_forked_writer_fills_the_same_pages(tmp_path, monkeypatch):
    """On a big shop the pages are rendered in a forked process: the shells are made there."""
    monkeypatch.setattr(output, "FORK_MIN_PAGES", 1)
    with_shells, without, _ = build_both(demo_site(tmp_path), monkeypatch, SITEURL="https://shop.example")
    assert_same_files(with_shells, without)


#: The mill's reviews, by number; m5, the newest, is rendered first. Each is chosen so
#: that a template which a shell cannot stand in for gives the first page right and a
#: later one wrong: m5 has no author and a long title without markup, m0 the longest
#: title, m1 markup, m3 a short title.
MILL = {
    5: {"title": "Mill review number five", "author": ""},
    4: {"title": "Mill review 4", "author": "Ann 4"},
    3: {"title": "Grinds", "author": "Ann 3"},
    2: {"title": "Mill review 2", "author": "Ann 2"},
    1: {"title": "Tom & Jerry's <b>mill</b>", "author": "Ann 1"},
    0: {"title": "A very long title, " + "which goes on and on " * 4 + "until it ends", "author": "Ann 0"},
}


def mill_facts(i: int) -> dict[str, Any]:
    return {**MILL[i], "rating": 1 + i % 5}


def mills(tmp_path: Path) -> Path:
    """Six reviews of one product, of one shape (title, rating, no response), and three of the shop."""
    files = []
    for i, facts in MILL.items():
        fields = {"author": facts["author"]} if facts["author"] else {}
        files.append(
            review(
                f"m{i}",
                rating=1 + i % 5,
                product="mill",
                title=facts["title"],
                date=f"2026-09-0{i + 1} 10:00",
                **fields,
            )
        )
    files += [
        review(f"s{i}", rating=4, title=f"Shop review {i}", date=f"2026-08-0{i + 1} 10:00") for i in range(3)
    ]
    site = make_site(tmp_path, *files)
    write(
        site, "products/mill.md", "Title: Mill & <Grinder>\nImage: https://shop.example/mill.jpg\n\nA mill.\n"
    )
    return site


def theme_with_review_page(tmp_path: Path, extra: str) -> Path:
    """A theme whose review.html is Redress's own with `extra` added to the page's main part."""
    theme = tmp_path / "theme"
    (theme / "templates/redress").mkdir(parents=True)
    own = OWN_REVIEW_HTML.read_text(encoding="utf-8")
    assert "{% endblock %}\n" in own
    page = own[: own.rindex("{% endblock %}")] + extra + "\n{% endblock %}\n"
    (theme / "templates/redress/review.html").write_text(page, encoding="utf-8")
    return theme


def title_block(title: str) -> str:
    """The review page's title block as a template reads it: escaped, Markup."""
    return str(escape(title)) + " · Reviews of Test shop"


#: Theme templates that do more with a review's value than print it, and what each
#: page must then show (None: what a render gives, the build without shells): a shell
#: cannot stand in for them, every page is rendered.
OVERRIDES: dict[str, tuple[str, Any]] = {
    "upper": ('<p class="extra">{{ review.title|upper }}</p>', lambda r: r["title"].upper()),
    "rating-branch": (
        '<p class="extra">{% if review.rating < 3 %}low{% else %}high{% endif %}</p>',
        lambda r: "low" if r["rating"] < 3 else "high",
    ),
    "length": ('<p class="extra">{{ review.title|length }}</p>', lambda r: str(len(r["title"]))),
    "long-title": (
        '<p class="extra">{% if review.title|length > 15 %}long{% else %}short{% endif %}</p>',
        lambda r: "long" if len(r["title"]) > 15 else "short",
    ),
    "author": ('<p class="extra">{{ review.author }}</p>', lambda r: r["author"]),
    "joined": ('<p class="extra">{{ (review.title ~ "!")|upper }}</p>', lambda r: r["title"].upper() + "!"),
    "marked-safe": (
        '<p class="extra">{{ review.title|safe }}</p>',
        lambda r: re.sub("<[^>]+>", "", r["title"]),
    ),
    "cut-title": ('<p class="extra">{{ self.redress_title()|trim|truncate(20, True, "…", 0) }}</p>', None),
    "cut-long-title": (
        '<p class="extra">{{ self.redress_title()|trim|truncate(100, True, "…", 0) }}</p>',
        None,
    ),
    "wordcount": (
        '<p class="extra">{{ self.redress_title()|wordcount }}</p>',
        lambda r: str(len(re.findall(r"\w+", title_block(r["title"])))),
    ),
}


@pytest.mark.parametrize("name", list(OVERRIDES))
def test_a_theme_that_transforms_a_reviews_value_still_gets_the_right_pages(tmp_path, monkeypatch, name):
    if name != "marked-safe":  # a probe is printed escaped, |safe or not: only the first safeguard sees it
        # The probes, the second safeguard: with the theme's template taken as Redress's own.
        monkeypatch.setattr(review_pages, "_own_templates", lambda build: True)
    extra, expected = OVERRIDES[name]
    site = mills(tmp_path)
    theme = theme_with_review_page(tmp_path, extra)
    with_shells, without, rendered = build_both(site, monkeypatch, THEME=str(theme))
    assert_same_files(with_shells, without)
    assert rendered == 9  # the first shell was refused, and with it all the build's
    for i in MILL:
        shown = soup(with_shells / f"reviews/m{i}/index.html").select_one("p.extra").get_text()
        if expected is not None:
            assert shown == expected(mill_facts(i)), (name, i, shown)
    if name == "cut-long-title":
        assert soup(with_shells / "reviews/m0/index.html").select_one("p.extra").get_text().endswith("…")


@pytest.mark.parametrize(
    ("taken_as_own", "rendered_pages"),
    [
        # A shell is proven on one page; a theme's template might treat the next page's
        # value otherwise in a way no probe sees, so a theme's own review page gets no shells.
        (False, 9),
        # The probes, the second safeguard, with the theme's template taken as Redress's own:
        # a shape's first page is rendered (six of the mill, three of the shop), the others filled.
        (True, 2),
    ],
)
def test_a_themes_review_page_that_only_prints_values(tmp_path, monkeypatch, taken_as_own, rendered_pages):
    if taken_as_own:
        monkeypatch.setattr(review_pages, "_own_templates", lambda build: True)
    extra = (
        '<p class="extra">{{ review.title }} · {{ review.rating }} · {{ page_url }} · {{ review.anchor }}</p>'
    )
    site = mills(tmp_path)
    theme = theme_with_review_page(tmp_path, extra)
    with_shells, without, rendered = build_both(
        site, monkeypatch, THEME=str(theme), SITEURL="https://shop.example"
    )
    assert_same_files(with_shells, without)
    assert rendered == rendered_pages
    shown = soup(with_shells / "reviews/m4/index.html").select_one("p.extra").get_text()
    assert shown == "Mill review 4 · 5 · reviews/m4/ · review-m4"


HOSTILE_TITLES = [
    '"><script>alert(1)</script>',
    'Tom & Jerry\'s "best" <b>mill</b>',
    "&amp; &lt;already&gt; escaped &#39;",
    "A\x02forged\x03probe\x1esiteurl\x1e title",
    "  spaced   out  ",
    "Ünïcödé — 5/5 ★ {{ 7*7 }} {% raw %}",
]


def test_hostile_titles_and_authors_are_escaped_as_a_render_escapes_them(tmp_path, monkeypatch):
    files = [
        review(
            f"h{i}",
            rating=2,
            product="mill",
            title=title,
            author=f'<img src=x onerror=alert({i})> & "Eve" \x02{i}\x03',
            body=f"<script>alert('{i}')</script> & text \x1e\x02 of {i}",
            date=f"2026-09-0{i + 1} 10:00",
        )
        for i, title in enumerate(HOSTILE_TITLES)
    ]
    files += [
        response(f"h{i}-1", f"h{i}", body=f"Sorry <script>x</script> {i}", status="resolved")
        for i in (0, 1, 2)
    ]
    site = make_site(tmp_path, *files)
    write(site, "products/mill.md", 'Title: Mill "<b>" &amp;\n\nA mill.\n')
    with_shells, without, rendered = build_both(site, monkeypatch, SITEURL="https://shop.example")
    assert_same_files(with_shells, without)
    assert rendered == 2  # two shapes of three pages (with a response and without)
    for i in range(len(HOSTILE_TITLES)):
        text = (with_shells / f"reviews/h{i}/index.html").read_text(encoding="utf-8")
        assert "\x02" not in text and "\x03" not in text and "\x1e" not in text
        page = soup(with_shells / f"reviews/h{i}/index.html")
        assert not page.find_all(["script", "img"])
        title = page.select_one("h2.review-title").get_text()
        assert page.title.get_text().startswith(title + " · ")
        assert page.find("meta", property="og:title")["content"] == page.title.get_text()
        assert page.find("link", rel="canonical")["href"] == f"https://shop.example/reviews/h{i}/"
    assert (
        soup(with_shells / "reviews/h0/index.html")
        .title.get_text()
        .startswith('"><script>alert(1)</script> · ')
    )


def test_a_rebuild_after_a_response_fills_the_same_pages(tmp_path, monkeypatch):
    """A product's feeds (from its second entry) are announced on all its pages: rewritten, from shells."""
    site = mills(tmp_path)
    build_both(site, monkeypatch)
    write(site, *response("m2-1", "m2", status="in-progress"))
    write(site, *response("m2-2", "m2", status="resolved", remedy="replacement"))
    with_shells, without, rendered = build_both(site, monkeypatch)
    assert_same_files(with_shells, without)
    assert rendered == 2  # m2, alone in its shape (a response), and the first of the other five
    assert "products/mill/feed.rss" in (with_shells / "reviews/m0/index.html").read_text(encoding="utf-8")


def test_a_value_with_white_space_at_an_end_is_never_filled():
    """A template's ``trim`` would cut such a value but never the probe: the page is rendered."""
    import datetime as dt

    from pelican.plugins.redress.content.model import Review

    date = dt.datetime(2026, 9, 1, 10, 0, tzinfo=dt.UTC)
    plain = Review(slug="a", date=date, rating=4, title="Fine")
    spaced = Review(slug="b", date=date, rating=4, title=" Fine ")
    assert review_pages._shape(plain, {"title": "Fine", "card": "<article></article>"}) is not None
    assert review_pages._shape(spaced, {"title": " Fine ", "card": "<article></article>"}) is None
    assert review_pages._shape(plain, {"title": "Fine", "card": "<article></article>\n"}) is None


#: Templates that turn a review's value into a plain ``str`` (a filter's
#: ``soft_str``) and then work on that string. The probe comes through
#: unchanged (it holds no "Tom", it is longer than any title), and so does the
#: first page (m5, "Mill review number five"): the shell is accepted, and a
#: later page of the shape gets the probe's branch or text, not its own.
STR_FILTERS = {
    # m1 is "Tom & Jerry's <b>mill</b>": rendered, it says "Thomas & Jerry's".
    "replace": ('<p class="extra">{{ review.title|replace("Tom", "Thomas") }}</p>', 1),
    # m3 is "Grinds" (6 characters): rendered, it says "short".
    "string-length": (
        '<p class="extra">{% if review.title|string|length > 15 %}long{% else %}short{% endif %}</p>',
        3,
    ),
}


@pytest.mark.parametrize("name", list(STR_FILTERS))
def test_a_filter_that_works_on_the_values_text_gets_every_page_right(tmp_path, monkeypatch, name):
    """A ``soft_str`` filter (the probe turned into text) could pass the first page's proof:
    the probe refuses it. Tested with the probes alone (a theme's own page gets no shells)."""
    monkeypatch.setattr(review_pages, "_own_templates", lambda build: True)
    extra, wrong = STR_FILTERS[name]
    site = mills(tmp_path)
    theme = theme_with_review_page(tmp_path, extra)
    with_shells, without, _rendered = build_both(site, monkeypatch, THEME=str(theme))
    got = soup(with_shells / f"reviews/m{wrong}/index.html").select_one("p.extra").get_text()
    expected = soup(without / f"reviews/m{wrong}/index.html").select_one("p.extra").get_text()
    assert got == expected, (name, got, expected)
    assert_same_files(with_shells, without)


def test_rendering_with_one_copy_of_the_context_gives_what_jinja_gives() -> None:
    """templating.render passes one dictionary to Jinja instead of two copies: the names a
    template sees (globals, under the context, under the names given), its output and its
    errors must be Jinja's own."""
    import jinja2
    from pelican.plugins.redress.templating import render

    env = jinja2.Environment(undefined=jinja2.StrictUndefined)
    env.globals.update(shown="global", kept="global")
    template = env.from_string(
        "{{ shown }} {{ kept }} {{ review }}{% set local = 1 %}{{ local }}"
        "{% for i in items %}{{ i }}{% endfor %}"
    )
    context = {"shown": "context", "items": [1, 2]}
    assert render(template, context, review="r") == template.render(context, review="r")
    assert render(template, context, review="r", shown="name") == "name global r112"
    assert context == {"shown": "context", "items": [1, 2]}  # the caller's context is left as it was
    broken = env.from_string("line one\n{{ missing.attribute }}")
    with pytest.raises(jinja2.UndefinedError) as ours:
        render(broken, {})
    with pytest.raises(jinja2.UndefinedError) as theirs:
        broken.render({})
    assert str(ours.value) == str(theirs.value)
    import traceback

    frames = [(f.filename, f.lineno) for f in traceback.extract_tb(ours.value.__traceback__)]
    assert ("<template>", 2) in frames  # the template's own line, as Jinja rewrites it
    asynchronous = jinja2.Environment(enable_async=True).from_string("{{ a }}")
    assert render(asynchronous, {"a": "async"}) == "async"


def test_a_card_that_starts_with_white_space_on_its_own_page_gives_the_right_pages(tmp_path, monkeypatch):
    """Shapes are planned on the cards as kept. A theme's card that opens with a part its own page
    cuts, and then a space, starts with white space there: its pages are rendered in full."""
    theme = tmp_path / "theme"
    (theme / "templates/redress").mkdir(parents=True)
    own = (OWN_REVIEW_HTML.parent / "review_card.html").read_text(encoding="utf-8")
    card = '{{ link_mark }}<span class="to-cut">cut</span>{{ link_mark }} ' + own
    (theme / "templates/redress/review_card.html").write_text(card, encoding="utf-8")
    with_shells, without, rendered = build_both(mills(tmp_path), monkeypatch, THEME=str(theme))
    assert_same_files(with_shells, without)
    assert "to-cut" not in (with_shells / "reviews/m2/index.html").read_text(encoding="utf-8")
    assert '<span class="to-cut">' in (with_shells / "reviews/index.html").read_text(encoding="utf-8")
    assert rendered == 9  # every card starts with a space on its own page: no page from a shell


def test_a_card_made_for_its_own_page_is_never_longer_and_gains_no_white_space_at_its_ends():
    """What planning on the kept cards rests on, over random cards made of marks, spaces and text."""
    import random

    rng = random.Random(11)
    pieces = [
        review_pages.TITLE_MARK,
        review_pages.PANEL_MARK,
        review_pages.ABOUT_MARK,
        review_pages.LINK_MARK,
    ]
    pieces += [" ", "\n", "<p>", "x", "é", "\x1e", "h2"]
    for _ in range(20000):
        kept = "".join(rng.choice(pieces) for _ in range(rng.randrange(1, 12)))
        made = review_pages.card_on_own_page(kept)
        assert len(made) <= len(kept)
        if kept == kept.strip():
            assert made == made.strip(), repr(kept)
