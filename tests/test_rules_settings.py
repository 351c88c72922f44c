"""REVIEWS_* settings checked on a plain dict, no site build: defaults, derived values, and the
exact line a shop owner reads for every setting that cannot work."""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path

import pytest
from pelican.plugins.redress.content.settings import DEFAULTS, SettingsError, get_settings, save_as_for
from pelican.plugins.redress.errors import RedressError


def problems(**settings) -> list[str]:
    with pytest.raises(SettingsError) as caught:
        get_settings(settings)
    return caught.value.problems


# --- defaults and derived values --------------------------------------------------------------------


def test_defaults_fill_every_key():
    merged = get_settings({"SITENAME": "Bonen & Bakjes", "SITEURL": "https://shop.example"})
    assert set(merged) == set(DEFAULTS)
    assert merged["REVIEWS_SCALE"] == 5
    assert merged["REVIEWS_PER_PAGE"] == 20


def _settings_table() -> dict[str, str]:
    """The README's settings table: each setting's name and the default it states."""
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    rows: dict[str, str] = {}
    for line in readme.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split(" | ")]
        if len(cells) != 3 or not cells[0].startswith("`REVIEWS_"):
            continue
        names = re.findall(r"`(REVIEWS_[A-Z0-9_]+)`", cells[0])
        # A row of several settings states their defaults in the same order, comma-separated.
        defaults = [part.strip() for part in cells[1].split(", ")] if len(names) > 1 else [cells[1]]
        assert len(defaults) == len(names), f"README row {line!r}: one default per setting"
        rows.update(zip(names, defaults, strict=True))
    return rows


def test_the_readme_settings_table_names_every_setting_with_its_default():
    # A shop owner reads the defaults there, not in settings.py: a setting added, renamed
    # or given another default without the table is a README that lies.
    table = _settings_table()
    assert sorted(set(DEFAULTS) - set(table)) == [], "settings missing from the README's table"
    assert sorted(set(table) - set(DEFAULTS)) == [], "README table rows for settings that are gone"
    for name, default in DEFAULTS.items():
        if default is None:
            continue  # stated as what it falls back to: SITENAME, "None (2 on 5, 4 on 10)", ...
        literal = json.dumps(default) if isinstance(default, str | list) else repr(default)
        stated = table[name]
        assert stated.startswith(f"`{literal}`"), f"{name}: README says {stated}, the code {default!r}"


def test_negative_max_defaults_to_two_fifths_of_the_scale():
    assert get_settings({})["REVIEWS_NEGATIVE_MAX"] == 2
    assert get_settings({"REVIEWS_SCALE": 10})["REVIEWS_NEGATIVE_MAX"] == 4
    assert get_settings({"REVIEWS_SCALE": 10, "REVIEWS_NEGATIVE_MAX": 9})["REVIEWS_NEGATIVE_MAX"] == 9


def test_shop_name_and_url_come_from_the_site_unless_set():
    merged = get_settings({"SITENAME": "Bonen & Bakjes", "SITEURL": "https://shop.example"})
    assert merged["REVIEWS_SHOP_NAME"] == "Bonen & Bakjes"
    assert merged["REVIEWS_SHOP_URL"] == "https://shop.example"
    merged = get_settings(
        {"SITENAME": "x", "REVIEWS_SHOP_NAME": "Shop", "REVIEWS_SHOP_URL": "https://s.example"}
    )
    assert (merged["REVIEWS_SHOP_NAME"], merged["REVIEWS_SHOP_URL"]) == ("Shop", "https://s.example")
    assert get_settings({})["REVIEWS_SHOP_URL"] == ""


def test_save_as_follows_the_url():
    merged = get_settings(
        {"REVIEWS_REVIEW_URL": "reviews/{slug}.html", "REVIEWS_INDEX_URL": "beoordelingen/"}
    )
    assert merged["REVIEWS_REVIEW_SAVE_AS"] == "reviews/{slug}.html"
    assert merged["REVIEWS_INDEX_SAVE_AS"] == "beoordelingen/index.html"
    assert merged["REVIEWS_PRODUCT_SAVE_AS"] == "reviews/products/{slug}/index.html"
    merged = get_settings({"REVIEWS_REVIEW_SAVE_AS": "r/{slug}.htm"})
    assert merged["REVIEWS_REVIEW_SAVE_AS"] == "r/{slug}.htm"


def test_an_empty_index_url_is_the_site_root():
    assert get_settings({"REVIEWS_INDEX_URL": ""})["REVIEWS_INDEX_SAVE_AS"] == "index.html"
    assert save_as_for("") == "index.html"
    assert save_as_for("a/b/") == "a/b/index.html"
    assert save_as_for("a/b.html") == "a/b.html"


def test_valid_edge_values_pass():
    get_settings({"REVIEWS_FEED_MAX_ITEMS": 0, "REVIEWS_PER_PAGE": 1, "REVIEWS_HOLD_HOURS": 1.5})
    get_settings({"REVIEWS_NEGATIVE_MAX": 1})
    get_settings({"REVIEWS_NEGATIVE_MAX": 4})


def test_the_input_is_not_changed():
    settings = {"REVIEWS_SCALE": 10}
    get_settings(settings)
    assert settings == {"REVIEWS_SCALE": 10}


def test_unknown_reviews_setting_is_a_warning_not_an_error(caplog):
    with caplog.at_level(logging.WARNING):
        merged = get_settings({"REVIEWS_SCAEL": 10, "OTHER": 1})
    assert merged["REVIEWS_SCALE"] == 5
    assert "unknown setting REVIEWS_SCAEL" in caplog.text
    assert "OTHER" not in caplog.text


# --- every error line -------------------------------------------------------------------------------


@pytest.mark.parametrize("scale", [7, 0, "5", None])
def test_scale(scale):
    assert problems(REVIEWS_SCALE=scale) == [f"settings: REVIEWS_SCALE is {scale!r}; use 5 or 10"]


@pytest.mark.parametrize(("scale", "value"), [(5, 0), (5, 5), (5, True), (5, "2"), (5, 2.0), (10, 10)])
def test_negative_max(scale, value):
    assert problems(REVIEWS_SCALE=scale, REVIEWS_NEGATIVE_MAX=value) == [
        f"settings: REVIEWS_NEGATIVE_MAX is {value!r}; "
        f"use a whole number from 1 to {scale - 1}, or None for the default"
    ]


def test_a_bad_scale_checks_negative_max_against_five():
    assert problems(REVIEWS_SCALE=7, REVIEWS_NEGATIVE_MAX=6) == [
        "settings: REVIEWS_SCALE is 7; use 5 or 10",
        "settings: REVIEWS_NEGATIVE_MAX is 6; use a whole number from 1 to 4, or None for the default",
    ]


@pytest.mark.parametrize("key", ["REVIEWS_PER_PAGE", "REVIEWS_ARCHIVE_PER_PAGE"])
@pytest.mark.parametrize("value", [0, -3, "20", 2.5, True])
def test_per_page(key, value):
    assert problems(**{key: value}) == [f"settings: {key} is {value!r}; use a whole number of 1 or more"]


@pytest.mark.parametrize("value", [-1, None, "50"])
def test_feed_max_items(value):
    assert problems(REVIEWS_FEED_MAX_ITEMS=value) == [
        f"settings: REVIEWS_FEED_MAX_ITEMS is {value!r}; use a whole number of 0 or more"
    ]


@pytest.mark.parametrize("value", [-1, -0.5, "24", True, None])
def test_hold_hours(value):
    assert problems(REVIEWS_HOLD_HOURS=value) == [
        f"settings: REVIEWS_HOLD_HOURS is {value!r}; use a number of hours, 0 or more"
    ]


def test_listing_urls_must_be_folders():
    assert problems(REVIEWS_INDEX_URL="reviews", REVIEWS_PRODUCT_URL="reviews/products/{slug}") == [
        "settings: REVIEWS_INDEX_URL is 'reviews'; it must be a folder ending in /, like 'reviews/'",
        "settings: REVIEWS_PRODUCT_URL is 'reviews/products/{slug}'; it must be a folder ending in /, "
        "like 'reviews/products/{slug}/'",
    ]


@pytest.mark.parametrize(
    ("key", "value", "fix"),
    [
        ("REVIEWS_INDEX_URL", "/reviews/", "'reviews/'"),
        ("REVIEWS_REVIEW_URL", "/reviews/{slug}/", "'reviews/{slug}/'"),
        ("REVIEWS_FEED_RSS", "/feeds/reviews.rss", "'feeds/reviews.rss'"),
        ("REVIEWS_STATIC_URL", "/assets/", "'assets/'"),
    ],
)
def test_a_place_in_the_output_written_from_the_root_names_its_setting_and_fix(key, value, fix):
    """A leading / (how a web address from the root looks) ended the build with a traceback
    ("would be written outside the output folder") that named neither the setting nor the fix."""
    assert problems(**{key: value}) == [
        f"settings: {key} is {value!r}; it is a place in the output folder, written without a "
        f"leading /, like {fix} (SITEURL comes before it)"
    ]


def test_the_static_folder_ends_in_a_slash_and_nothing_climbs_out_of_the_output():
    """Without its slash, "assets" wrote assetsredress.css and assetsfeed.xsl at the output's root."""
    assert problems(REVIEWS_STATIC_URL="assets", REVIEWS_REVIEW_SAVE_AS="../x/{slug}.html") == [
        "settings: REVIEWS_REVIEW_SAVE_AS is '../x/{slug}.html'; it must stay inside the output "
        "folder (no ..)",
        "settings: REVIEWS_STATIC_URL is 'assets'; it must be a folder ending in /, like 'assets/'",
    ]


def test_review_and_product_urls_need_the_slug():
    assert problems(REVIEWS_REVIEW_URL="reviews/one/", REVIEWS_PRODUCT_URL="reviews/products/") == [
        "settings: REVIEWS_REVIEW_URL is 'reviews/one/'; it must be a text containing {slug}, "
        "like the default",
        "settings: REVIEWS_PRODUCT_URL is 'reviews/products/'; it must be a text containing {slug}, "
        "like the default",
    ]


def test_urls_must_be_text():
    assert problems(REVIEWS_INDEX_URL=None, REVIEWS_REVIEW_URL=3) == [
        "settings: REVIEWS_INDEX_URL is None; it must be a text",
        "settings: REVIEWS_REVIEW_URL is 3; it must be a text containing {slug}, like the default",
    ]


def test_every_problem_at_once_in_order_with_a_summary():
    with pytest.raises(SettingsError) as caught:
        get_settings(
            {
                "REVIEWS_SCALE": 3,
                "REVIEWS_NEGATIVE_MAX": 0,
                "REVIEWS_PER_PAGE": 0,
                "REVIEWS_FEED_MAX_ITEMS": -1,
                "REVIEWS_HOLD_HOURS": -2,
                "REVIEWS_INDEX_URL": "r",
                "REVIEWS_REVIEW_URL": "r/x/",
                "REVIEWS_PRODUCT_URL": "p",
            }
        )
    error = caught.value
    assert isinstance(error, RedressError) and error.exitcode == 1
    assert [line.split(" is ")[0] for line in error.problems] == [
        "settings: REVIEWS_SCALE",
        "settings: REVIEWS_NEGATIVE_MAX",
        "settings: REVIEWS_PER_PAGE",
        "settings: REVIEWS_FEED_MAX_ITEMS",
        "settings: REVIEWS_HOLD_HOURS",
        "settings: REVIEWS_INDEX_URL",
        "settings: REVIEWS_REVIEW_URL",
        "settings: REVIEWS_PRODUCT_URL",
    ]
    assert error.lines()[-1] == "reviews: fix the settings above in your settings file and try again."
