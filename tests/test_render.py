"""Customer Markdown to safe HTML: nothing typed turns into live markup; the fast path matches."""

from __future__ import annotations

import random

import pytest
from pelican.plugins.redress.content import render
from pelican.plugins.redress.content.rules import strip_control


def full(text: str) -> str:
    return render._sanitise(render._render(strip_control(text)))


WORDS = (
    "de koffie was heel lekker, maar de bezorging duurde lang. great grinder! quick? 'quoted' \"double\" "
    "über café 10 euro: prima; kohvi oli hea (väga) 2026 - www.example.com https://x.example/a?b=c 1.5kg"
).split(" ")
PIECES = [
    *WORDS,
    "\n",
    "\n\n",
    "  ",
    "\t",
    "\n \n",
    "*",
    "_",
    "-",
    "1.",
    "#",
    ">",
    "&",
    "<b>",
    "`",
    "[",
    "]",
    "\\",
    "1)",
    "+",
    "   ",
    "\n  ",
    "\u00a0",
]


@pytest.mark.parametrize("seed", range(400))
def test_fast_path_matches_the_renderer(seed):
    rng = random.Random(seed)
    text = " ".join(
        rng.choice(PIECES if seed % 2 else WORDS + ["\n", "\n\n"]) for _ in range(rng.randint(1, 60))
    )
    assert render.markdown_to_html(text) == full(text)


@pytest.mark.parametrize("seed", range(8))
def test_plain_text_in_any_script_needs_nothing_from_the_sanitiser(seed):
    """The shortcut's text is not sanitised again: for any characters, the sanitiser would change nothing.

    Random code points from the whole of Unicode (noncharacters, private
    use, joiners, marks, emoji; control characters and surrogates are not
    text) between plain words: the plain texts among them render as the
    renderer and the sanitiser would render them.
    """
    rng = random.Random(seed)

    def character() -> str:
        if rng.random() < 0.5:
            return rng.choice("abcdefgh ijk lmn \n")
        while 0xD800 <= (code := rng.randint(0x20, 0x10FFFF)) <= 0xDFFF:
            pass
        return chr(code)

    plain = 0
    for _ in range(400):
        text = strip_control("".join(character() for _ in range(rng.randint(1, 40))))
        if not text.strip() or not render._is_plain(text):
            continue
        plain += 1
        html = render.markdown_to_html(text)
        assert html == render._sanitise(html) == full(text), repr(text)
    assert plain > 300


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "one line",
        "two\nlines",
        "para one\n\npara two",
        "ends with spaces  \nnext",
        "    indented",
        "- list\n- items",
        "1. first\n2. second",
        "> quote",
        "a & b",
        "x < y > z",
        "tab\tinside",
        "\u00a0nbsp start",
        "trailing  \n\nspaces  ",
        "Pros:\n- fast\n- cheap",
        "1) paren",
    ],
)
def test_examples_match(text):
    assert render.markdown_to_html(text) == full(text)


def test_relative_links_lose_their_target_but_keep_their_words():
    html = render.markdown_to_html("See [our returns](/returns/) or [this](https://example.com/x).")
    assert 'href="/returns/"' not in html and ">our returns<" in html
    assert 'href="https://example.com/x"' in html


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("<script>alert(1)</script>", "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>"),
        ("<img src=x onerror=alert(1)>", "<p>&lt;img src=x onerror=alert(1)&gt;</p>"),
        ("a <!-- hidden --> b", "<p>a &lt;!-- hidden --&gt; b</p>"),
        ("<!--\nhidden\n-->", "<p>&lt;!--<br>\nhidden<br>\n--&gt;</p>"),
        ("<div>\n**x**\n</div>", "<p>&lt;div&gt;<br>\n<strong>x</strong><br>\n&lt;/div&gt;</p>"),
        ("`<b>code</b>`", "<p>&lt;b&gt;code&lt;/b&gt;</p>"),
        ("&lt;script&gt;", "<p>&lt;script&gt;</p>"),
        ("<javascript:alert(1)>", "<p>&lt;javascript:alert(1)&gt;</p>"),
        # Character references to control characters, which no XML feed allows.
        ("a&#1;b&#x0b;c&#0;d&#xfffe;e", "<p>abc\ufffdde</p>"),
    ],
)
def test_raw_html_stays_visible_text(text, expected):
    assert render.markdown_to_html(text) == expected


def test_autolinks_become_safe_links():
    assert render.markdown_to_html("<https://example.com/a?b=c&d=1>") == (
        '<p><a href="https://example.com/a?b=c&amp;d=1" rel="nofollow ugc noopener">'
        "https://example.com/a?b=c&amp;d=1</a></p>"
    )
    assert render.markdown_to_html("<me@example.com>") == (
        '<p><a href="mailto:me@example.com" rel="nofollow ugc noopener">me@example.com</a></p>'
    )


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("[click](javascript:alert(1))", "click"),
        ("[click](JaVaScRiPt:alert(1))", "click"),
        ("[click](data:text/html;base64,PHNjcmlwdD4=)", "click"),
        ("<javascript://x%0Aalert(1)>", "javascript://x%0Aalert(1)"),
    ],
)
def test_script_links_lose_their_target_but_keep_their_words(text, words):
    assert render.markdown_to_html(text) == f'<p><a rel="nofollow ugc noopener">{words}</a></p>'


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[Edit]: refunded.\n[Update 12-03]: thanks", "<p>[Edit]: refunded.<br>\n[Update 12-03]: thanks</p>"),
        (
            "Photos:\n[1]: https://photos.example/a.jpg",
            "<p>Photos:<br>\n[1]: https://photos.example/a.jpg</p>",
        ),
        ("[click][1]\n\n[1]: javascript:alert(1)", "<p>[click][1]</p>\n<p>[1]: javascript:alert(1)</p>"),
    ],
)
def test_a_line_that_looks_like_a_link_definition_is_words_on_the_page(text, expected):
    """Python-Markdown takes "[x]: y" off the page as a link definition: a customer's
    "[Edit]: refunded." vanished without a trace. Every word stays, as typed."""
    assert render.markdown_to_html(text) == expected


def test_a_link_keeps_no_tooltip_or_other_attribute():
    """A customer's link title ("Official statement by the shop: verified") would read as
    the shop's own label on hover; nh3 keeps title and lang on every tag unless told."""
    html = render.markdown_to_html('See [this](https://shop.example/ "Official: verified") and *so*.')
    link = '<a href="https://shop.example/" rel="nofollow ugc noopener">this</a>'
    assert html == f"<p>See {link} and <em>so</em>.</p>"


def test_nested_emphasis():
    assert render.markdown_to_html("*em **strong** em*") == "<p><em>em <strong>strong</strong> em</em></p>"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1. first\n2. second", "<ol>\n<li>first</li>\n<li>second</li>\n</ol>"),
        ("3. third\n4. fourth", '<ol start="3">\n<li>third</li>\n<li>fourth</li>\n</ol>'),
        ("Pros:\n1) fast\n2) cheap", "<p>Pros:</p>\n<ol>\n<li>fast</li>\n<li>cheap</li>\n</ol>"),
        ("Pros:\n- fast\n- cheap", "<p>Pros:</p>\n<ul>\n<li>fast</li>\n<li>cheap</li>\n</ul>"),
        ("It was\n2024. A good year", "<p>It was<br>\n2024. A good year</p>"),
    ],
)
def test_lists(text, expected):
    assert render.markdown_to_html(text) == expected


def test_headings_images_and_rules_stay_prose():
    assert render.markdown_to_html("# Great") == "<p># Great</p>"
    assert render.markdown_to_html("Great\n---") == "<p>Great<br>\n---</p>"
    assert render.markdown_to_html("![pic](https://example.com/a.png)") == (
        '<p>!<a href="https://example.com/a.png" rel="nofollow ugc noopener">pic</a></p>'
    )


def test_one_review_does_not_leak_into_the_next():
    render.markdown_to_html("[a][r]\n\n[r]: https://example.com/")
    assert render.markdown_to_html("[a][r]") == "<p>[a][r]</p>"


@pytest.mark.parametrize(
    "nested",
    [
        "\n".join("\t" * depth + f"- level{depth}" for depth in range(400)),  # lists, tab-indented
        "\n".join(">" * depth + f" level{depth}" for depth in range(1, 400)),  # quotes
    ],
)
def test_a_text_nested_past_pythons_limit_is_shown_whole_not_a_crash(nested):
    """Python-Markdown recurses once per level: a few hundred nested lists or quotes went past
    Python's recursion limit and stopped the whole build. The text is then plain paragraphs,
    every word kept, and still sanitised; the next text renders as usual."""
    html = render.markdown_to_html(nested + "\n\n<script>alert(1)</script>")
    text = render.html_to_text(html)
    assert all(f"level{depth}" in text for depth in range(1, 399))
    assert "<script" not in html and "&lt;script&gt;" in html
    # The next texts render as usual: nothing of the half-finished one lingers in the renderer.
    for follow in ("- one\n- two", "First with *emphasis*,\n\n> a quote", "1. a\n2. [b](https://x.example)"):
        assert render.markdown_to_html(follow) == render._sanitise(render._new_markdown().convert(follow))


@pytest.mark.parametrize(
    "text",
    [
        "Start " + "[" * 501 + " <b>end</b>",
        "Start " + "[a](" * 501 + " <b>end</b>",
        "Start " + "[x](https://x.example/y) " * 501 + " <b>end</b>",
        # Within the form's limits: five seconds of the build for one review.
        "[a](" * 499 + "\\" * 3000,
        "[" * 40 + "x" * 4900,
    ],
    ids=["brackets", "openings", "links", "openings-then-backslashes", "brackets-then-words"],
)
def test_a_text_of_many_brackets_is_shown_as_plain_text(text):
    """Python-Markdown's time grows with the "[" in a text times its length (20,000 took a
    minute of the build; 499 before 3,000 backslashes five seconds): past LINK_WORK the text is
    plain paragraphs, every character kept and escaped, and a text with a few links is still
    Markdown."""
    assert text.count("[") * len(text) > render.LINK_WORK
    html = render.markdown_to_html(text)
    assert html == render._sanitise(render._plain_paragraphs(text))
    assert render.html_to_text(html) == text and "<b>" not in html and "<a" not in html
    few = "See [the manual](https://x.example/m) " + "[a](https://x.example/a) " * 20 + "word " * 250
    assert few.count("[") * len(few) <= render.LINK_WORK
    assert '<a href="https://x.example/m"' in render.markdown_to_html(few)


@pytest.mark.parametrize(
    "text",
    ["I ordered *S**M*L sizes, not XL.", "I *love**this*coffee.", "Ik *hou**van*deze koffie"],
)
def test_a_text_the_renderer_would_lose_a_letter_of_is_shown_as_typed(text):
    """Python-Markdown turns "*a**b*c" into "*a<strong>b</strong>": the "c" is gone. Every word
    of a review is the customer's: such a text is shown as typed instead."""
    html = render.markdown_to_html(text)
    assert render.html_to_text(html) == text


def test_a_link_without_words_shows_its_address():
    """A link a reader cannot see (and a screen reader cannot name) is a spammer's favourite."""
    html = render.markdown_to_html(
        "Nice shop [](https://spam.example/casino) really. [ ](https://b.example) [\u200b](https://c.example)"
    )
    assert render.html_to_text(html) == (
        "Nice shop https://spam.example/casino really. https://b.example https://c.example"
    )
    assert render.links(html) == ["https://spam.example/casino", "https://b.example", "https://c.example"]


@pytest.mark.parametrize("seed", range(40))
def test_every_letter_typed_is_on_the_page_or_in_a_link(seed):
    """Random Markdown-ish text: no letter the customer typed goes missing without a trace."""
    rng = random.Random(seed)
    pieces = ["*", "**", "_", "__", "[", "]", "(https://x.example/q)", " ", "\n", "- ", "1. ", "`"]
    pieces += ["ab", "Cd", "é"]
    text = "".join(rng.choice(pieces) for _ in range(rng.randint(5, 60))) + " end"
    html = render.markdown_to_html(text)
    shown = render.html_to_text(html) + " " + " ".join(render.links(html))
    for letter in set(ch for ch in text if ch.isalpha()):
        assert shown.count(letter) >= text.count(letter), (letter, text, html)
