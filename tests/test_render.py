"""Customer Markdown to safe HTML: the fast path for plain text matches the full renderer."""

from __future__ import annotations

import random

import nh3
import pytest
from pelican.plugins.redress.content import render


def full(text: str) -> str:
    html = render._markdown.render(render.clean_text(text))
    return nh3.clean(
        html,
        tags=render.ALLOWED_TAGS,
        attributes=render.ALLOWED_ATTRIBUTES,
        url_schemes=render.ALLOWED_SCHEMES,
        link_rel=render.LINK_REL,
        url_relative="deny",
    ).strip()


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
]


@pytest.mark.parametrize("seed", range(400))
def test_fast_path_matches_markdown_it(seed):
    rng = random.Random(seed)
    text = " ".join(
        rng.choice(PIECES if seed % 2 else WORDS + ["\n", "\n\n"]) for _ in range(rng.randint(1, 60))
    )
    assert render.markdown_to_html(text) == full(text)


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
    ],
)
def test_examples_match(text):
    assert render.markdown_to_html(text) == full(text)


def test_relative_links_lose_their_target_but_keep_their_words():
    html = render.markdown_to_html("See [our returns](/returns/) or [this](https://example.com/x).")
    assert 'href="/returns/"' not in html and ">our returns<" in html
    assert 'href="https://example.com/x"' in html
