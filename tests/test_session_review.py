"""Review of the session's commits: bugs shown by building real sites.

Each test fails on the code as it stands, for the reason in its docstring.
"""

from __future__ import annotations

import pytest
from conftest import soup
from pelican.plugins.redress.site import review_pages
from test_review_page_shell import assert_same_files, build_both, mills, theme_with_review_page

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
    """PageShells: a ``soft_str`` filter is neither refused by the probe nor caught by the first page."""
    # The probes, the second safeguard (a theme's own review page gets no shells at all).
    monkeypatch.setattr(review_pages, "_own_templates", lambda build: True)
    extra, wrong = STR_FILTERS[name]
    site = mills(tmp_path)
    theme = theme_with_review_page(tmp_path, extra)
    with_shells, without, _rendered = build_both(site, monkeypatch, THEME=str(theme))
    got = soup(with_shells / f"reviews/m{wrong}/index.html").select_one("p.extra").get_text()
    expected = soup(without / f"reviews/m{wrong}/index.html").select_one("p.extra").get_text()
    assert got == expected, (name, got, expected)
    assert_same_files(with_shells, without)
