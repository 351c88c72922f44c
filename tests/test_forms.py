"""The review-request forms as written by a build, read back as HTML.

What a customer's phone gets before any JavaScript runs: every page type,
the fields and their limits, the keyboard each field asks for, the consent
and privacy note, the honeypot, where the form posts, and the "Write a
review" link on every review page. The browser tests drive the same forms.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import build, make_site, response, review, soup
from pelican.plugins.redress.content.model import LIMITS

FORM_ACTION = "/inbox/reviews"
FOLLOWUP_ACTION = "/inbox/follow-ups"
PRODUCTS = {"kettle": "Kettle Deluxe", "mug": "Mug & Saucer"}
REVIEWS = {"a": "kettle", "b": None, "c": "mug"}  # review slug -> product slug
FORM_PAGES = ["reviews/write/", "reviews/write/kettle/", "reviews/write/mug/"]
OTHER_PAGES = ["reviews/thanks/", "reviews/follow-up/", "reviews/privacy/"]
SECTION_PAGES = {"write", "thanks", "follow-up", "privacy", "static", "widgets"}


def crafted_site(tmp_path: Path) -> Path:
    return make_site(
        tmp_path,
        *[(f"products/{slug}.md", f"Title: {title}\n\nA fine {slug}.\n") for slug, title in PRODUCTS.items()],
        review("a", rating=2, product="kettle", body="The lid broke on day two."),
        review("b", rating=5, date="2026-10-03 10:00", body="Fast delivery."),
        review("c", rating=4, date="2026-10-04 10:00", product="mug", body="Nice mug."),
        response("ra", "a", body="Sorry, a new lid is on its way."),
    )


def forms_settings(**override):
    # Two per page, so the crafted shop has filter and archive pages to check too.
    settings = {
        "REVIEWS_FORM_ACTION": FORM_ACTION,
        "REVIEWS_FOLLOWUP_ACTION": FOLLOWUP_ACTION,
        "REVIEWS_PER_PAGE": 2,
        "REVIEWS_ARCHIVE_PER_PAGE": 2,
    }
    settings.update(override)
    return settings


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build(crafted_site(tmp_path_factory.mktemp("forms")), **forms_settings())


@pytest.fixture(scope="module")
def out_nl(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build(crafted_site(tmp_path_factory.mktemp("forms-nl")), **forms_settings(DEFAULT_LANG="nl"))


@pytest.fixture(scope="module")
def out_no_forms(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site = crafted_site(tmp_path_factory.mktemp("no-forms"))
    return build(site, **forms_settings(REVIEWS_FORM_ACTION=None, REVIEWS_FOLLOWUP_ACTION=None))


def page(output: Path, url: str):
    return soup(output / url / "index.html")


def form_of(output: Path, url: str):
    form = page(output, url).select_one("form.review-form")
    assert form is not None, url
    return form


def review_pages(output: Path) -> list[Path]:
    """Every listing, filter, product and permalink page of the review section."""
    return [
        p
        for p in sorted((output / "reviews").rglob("index.html"))
        if p.relative_to(output / "reviews").parts[0] not in SECTION_PAGES
    ]


def expected_write_url(output: Path, path: Path) -> str:
    parts = path.relative_to(output / "reviews").parts
    if parts[0] == "products":
        return f"/reviews/write/{parts[1]}/"
    if parts[0] in REVIEWS:
        product = REVIEWS[parts[0]]
        return f"/reviews/write/{product}/" if product else "/reviews/write/"
    return "/reviews/write/"


# --- the pages exist ------------------------------------------------------------------------------


def test_every_form_page_is_written(out):
    for url in FORM_PAGES + OTHER_PAGES:
        assert (out / url / "index.html").is_file(), url
    assert sorted(p.name for p in (out / "reviews" / "write").iterdir()) == ["index.html", *sorted(PRODUCTS)]


def test_form_pages_are_not_indexed_and_in_the_site_language(out):
    for url in [*FORM_PAGES, "reviews/thanks/", "reviews/follow-up/"]:
        html = page(out, url)
        assert html.html["lang"] == "en", url
        assert html.find("meta", attrs={"name": "robots"})["content"] == "noindex", url


def test_titles_name_the_shop_or_the_product(out):
    assert page(out, "reviews/write/").h1.get_text(strip=True) == "Write a review of Test shop"
    for slug, title in PRODUCTS.items():
        html = page(out, f"reviews/write/{slug}/")
        assert html.h1.get_text(strip=True) == f"Write a review of {title}"
        assert html.title.get_text(strip=True) == f"Write a review of {title}"


# --- what the form holds --------------------------------------------------------------------------


def test_general_form_offers_the_shop_and_every_product(out):
    form = form_of(out, "reviews/write/")
    select = form.find("select", attrs={"name": "p"})
    assert select is not None
    options = [(o["value"], o.get_text(strip=True)) for o in select.find_all("option")]
    assert options[0] == ("", "Test shop, the shop in general")
    assert sorted(options[1:]) == sorted(PRODUCTS.items())
    assert form.find("label", attrs={"for": select["id"]}) is not None
    assert not form.select('input[type="hidden"][name="p"]')


def test_product_form_carries_the_product_as_a_hidden_field(out):
    for slug in PRODUCTS:
        form = form_of(out, f"reviews/write/{slug}/")
        hidden = form.select('input[name="p"]')
        assert [(h["type"], h["value"]) for h in hidden] == [("hidden", slug)]
        assert form.find("select", attrs={"name": "p"}) is None


def test_every_field_the_issue_asks_for_is_there(out):
    for url in FORM_PAGES:
        form = form_of(out, url)
        names = {el["name"] for el in form.find_all(["input", "select", "textarea"]) if el.get("name")}
        assert names >= {"rating", "title", "text", "name", "email", "lang", "consent", "t", "p", "website"}
        assert "order" in names, "without JS or a link the customer can type an order number"
        assert form.select_one('input[type="hidden"][name="t"]')["value"] == ""
        assert form["method"] == "post"
        assert form.find("button", attrs={"type": "submit"}) is not None


def test_star_rating_is_a_required_radio_group_read_as_n_of_5(out):
    form = form_of(out, "reviews/write/kettle/")
    group = form.select_one("fieldset.rating-input")
    assert group.legend.get_text(" ", strip=True) == "Your rating (required)"
    radios = group.select('input[type="radio"][name="rating"]')
    assert [r["value"] for r in radios] == ["1", "2", "3", "4", "5"]
    assert all(r.has_attr("required") for r in radios)
    assert not any(r.has_attr("checked") for r in radios)
    for radio in radios:
        label = group.find("label", attrs={"for": radio["id"]})
        assert label.select_one(".visually-hidden").get_text() == f"{radio['value']} of 5 stars"
        assert label.find(attrs={"aria-hidden": "true"}).get_text() == "★"


def test_lengths_match_the_model_limits(out):
    for url in FORM_PAGES:
        form = form_of(out, url)
        text = form.find("textarea", attrs={"name": "text"})
        assert text.has_attr("required")
        assert int(text["minlength"]) == LIMITS["text_min"]
        assert int(text["maxlength"]) == LIMITS["text"]
        for name in ("title", "name", "email", "order"):
            field = form.find("input", attrs={"name": name})
            assert int(field["maxlength"]) == LIMITS[name], name
            assert not field.has_attr("required"), f"{name} is optional"


def test_text_limits_are_shown_to_the_customer(out):
    form = form_of(out, "reviews/write/")
    text = form.find("textarea", attrs={"name": "text"})
    hint = form.find(id="text-hint")
    assert "text-hint" in text["aria-describedby"].split()
    assert (
        hint.get_text(strip=True)
        == f"At least {LIMITS['text_min']} and at most {LIMITS['text']:,} characters."
    )
    counter = form.find(id="text-counter")
    assert counter is not None and "text-counter" in text["aria-describedby"].split()


def test_each_field_asks_for_the_right_keyboard(out):
    form = form_of(out, "reviews/write/mug/")
    email = form.find("input", attrs={"name": "email"})
    assert (email["type"], email["inputmode"], email["autocomplete"]) == ("email", "email", "email")
    assert email["autocapitalize"] == "off" and email["spellcheck"] == "false"
    name = form.find("input", attrs={"name": "name"})
    assert name["type"] == "text" and name["autocomplete"] == "nickname"
    title = form.find("input", attrs={"name": "title"})
    assert title["type"] == "text" and title["autocomplete"] == "off"
    for field in (email, name, title):
        assert field.get("inputmode", "text") in {"text", "email"}, field["name"]
        assert field["enterkeyhint"] == "next", field["name"]
    order = form.find("input", attrs={"name": "order"})
    assert order["autocomplete"] == "off" and order["spellcheck"] == "false"


def test_every_visible_field_has_a_visible_label(out):
    for url in [*FORM_PAGES, "reviews/follow-up/"]:
        form = form_of(out, url)
        for field in form.find_all(["input", "select", "textarea"]):
            if field.get("type") == "hidden" or field.find_parent(class_="hp"):
                continue
            label = form.find("label", attrs={"for": field.get("id")})
            assert label is not None and label.get_text(strip=True), (url, field.get("name"))
            assert "visually-hidden" not in label.get("class", []) or field.get("type") == "radio"


def test_email_hint_says_it_is_never_published(out):
    form = form_of(out, "reviews/write/")
    email = form.find("input", attrs={"name": "email"})
    hints = [form.find(id=i) for i in email["aria-describedby"].split()]
    described = " ".join(h.get_text(" ", strip=True) for h in hints if h is not None)
    assert "never published" in described
    assert form.find("label", attrs={"for": "email"}).get_text(" ", strip=True) == "E-mail (optional)"


def test_consent_is_required_and_links_to_the_privacy_note(out):
    for url in [*FORM_PAGES, "reviews/follow-up/"]:
        form = form_of(out, url)
        consent = form.find("input", attrs={"name": "consent"})
        assert consent["type"] == "checkbox" and consent["value"] == "yes"
        assert consent.has_attr("required") and not consent.has_attr("checked")
        label = form.find("label", attrs={"for": "consent"})
        assert label.a["href"] == "/reviews/privacy/", url
    note = page(out, "reviews/privacy/").get_text(" ", strip=True)
    assert "What we never publish" in note
    assert re.search(r"e-mail address, your order number", note), note


def test_a_privacy_url_of_the_shop_replaces_the_built_in_note(tmp_path):
    url = "https://shop.example/privacy"
    output = build(crafted_site(tmp_path), **forms_settings(REVIEWS_PRIVACY_URL=url))
    assert not (output / "reviews" / "privacy").exists()
    label = form_of(output, "reviews/write/").find("label", attrs={"for": "consent"})
    assert label.a["href"] == url


def test_honeypot_is_out_of_reach_of_people(out):
    css = (out / "reviews" / "static" / "redress.css").read_text(encoding="utf-8")
    rule = re.search(r"^\.redress \.hp\s*\{([^}]*)\}", css, re.M)
    assert rule, ".hp has no CSS rule"
    declarations = dict(
        (k.strip(), v.strip()) for k, v in (d.split(":", 1) for d in rule.group(1).split(";") if ":" in d)
    )
    assert declarations["position"] == "absolute"
    assert declarations["left"].startswith("-") and int(re.sub(r"\D", "", declarations["left"])) >= 1000
    for url in [*FORM_PAGES, "reviews/follow-up/"]:
        form = form_of(out, url)
        trap = form.find("input", attrs={"name": "website"})
        assert trap["tabindex"] == "-1" and trap["autocomplete"] == "off"
        assert not trap.get("value")
        wrapper = trap.find_parent(attrs={"aria-hidden": "true"})
        assert wrapper is not None and "hp" in wrapper["class"]


def test_forms_post_to_the_configured_endpoints(out):
    for url in FORM_PAGES:
        form = form_of(out, url)
        assert (form["action"], form["method"]) == (FORM_ACTION, "post")
        assert form.get("accept-charset") == ["utf-8"]
    follow_up = form_of(out, "reviews/follow-up/")
    assert (follow_up["action"], follow_up["method"]) == (FOLLOWUP_ACTION, "post")


def test_another_endpoint_setting_is_used_as_is(tmp_path):
    action = "https://inbox.shop.example/reviews"
    output = build(crafted_site(tmp_path), **forms_settings(REVIEWS_FORM_ACTION=action))
    assert form_of(output, "reviews/write/kettle/")["action"] == action


def test_no_form_action_means_no_forms_and_no_write_link(out_no_forms):
    reviews = out_no_forms / "reviews"
    for url in FORM_PAGES + ["reviews/thanks/", "reviews/follow-up/"]:
        assert not (out_no_forms / url).exists(), url
    assert not (reviews / "static" / "write.js").exists()
    pages = review_pages(out_no_forms)
    assert len(pages) > 10
    for path in pages:
        html = soup(path)
        assert not html.select("p.cta"), path
        assert "Write a review" not in html.get_text(), path
        assert not html.select('a[href*="/write/"]'), path


def test_every_review_page_links_to_the_right_form(out):
    pages = review_pages(out)
    kinds = {p.relative_to(out / "reviews").parts[0] for p in pages}
    assert {"index.html", "products", "stars", "open", "page", *REVIEWS} <= kinds
    for path in pages:
        links = soup(path).select("p.cta a")
        assert [(a["href"], a.get_text(strip=True)) for a in links] == [
            (expected_write_url(out, path), "Write a review")
        ], path
        assert (out / links[0]["href"].lstrip("/") / "index.html").is_file()


def test_follow_up_form_has_yes_no_and_the_hidden_token_and_review(out):
    form = form_of(out, "reviews/follow-up/")
    radios = form.select('input[type="radio"][name="resolved"]')
    assert [r["value"] for r in radios] == ["yes", "no"]
    assert any(r.has_attr("required") for r in radios)
    labels = [form.find("label", attrs={"for": r["id"]}).get_text(strip=True) for r in radios]
    assert labels == ["Yes, it is fixed", "No, it is not fixed"]
    assert radios[0].find_parent("fieldset").legend is not None
    for name in ("t", "r"):
        hidden = form.select(f'input[name="{name}"]')
        assert [(h["type"], h["value"]) for h in hidden] == [("hidden", "")], name
    text = form.find("textarea", attrs={"name": "text"})
    assert int(text["maxlength"]) == LIMITS["text"] and not text.has_attr("required")


def test_thanks_page_says_what_happens_and_links_back(out):
    html = page(out, "reviews/thanks/")
    assert html.h1.get_text(strip=True) == "Thank you for your review"
    assert "whatever the rating" in html.get_text()
    assert html.select_one('main a[href="/reviews/"]') is not None


# --- nothing but our own script -------------------------------------------------------------------


def scripts(path: Path) -> list[str]:
    """The src of every script a page runs; an inline script fails the test."""
    found = []
    for script in soup(path).find_all("script"):
        if script.get("type") == "application/ld+json":
            continue
        assert script.get("src") and not script.get_text().strip(), f"{path}: inline script"
        found.append(script["src"])
    return found


def test_only_write_js_and_only_from_our_own_site(out):
    for url in FORM_PAGES + ["reviews/follow-up/"]:
        (src,) = scripts(out / url / "index.html")
        assert src.startswith("/reviews/static/write.js?v="), (url, src)
        assert soup(out / url / "index.html").find("script", src=src).has_attr("defer")
        assert (out / src.split("?")[0].lstrip("/")).is_file()
    for url in ["reviews/thanks/", "reviews/privacy/"]:
        assert scripts(out / url / "index.html") == [], url
    with_forms = {*FORM_PAGES, "reviews/follow-up/"}
    others = [p for p in out.rglob("*.html") if p.parent.relative_to(out).as_posix() + "/" not in with_forms]
    for path in others:
        assert not [s for s in scripts(path) if "write.js" in s], path


def test_no_inline_event_handlers_and_nothing_from_elsewhere(out):
    for path in [out / u / "index.html" for u in FORM_PAGES + OTHER_PAGES]:
        html = soup(path)
        for tag in html.find_all(True):
            handlers = [a for a in tag.attrs if a.lower().startswith("on")]
            assert not handlers, (path, tag.name, handlers)
            for attr in ("src", "href", "action", "srcset"):
                value = tag.get(attr, "")
                if tag.name == "a" or tag.name == "meta":
                    continue
                assert not re.match(r"^(https?:)?//", value), (path, tag.name, value)
    source = (out / "reviews" / "static" / "write.js").read_text(encoding="utf-8")
    assert not re.search(r"https?://", source)
    assert "eval(" not in source and "innerHTML" not in source


# --- in the site's language -----------------------------------------------------------------------

DUTCH_SOURCES = [
    "Your rating",
    "Your review",
    "Send review",
    "Write a review",
    "Only so we can check your order and answer you. It is never published.",
    "Choose how many stars you give.",
    "Was it fixed?",
    "Thank you for your review",
]


def test_dutch_site_writes_dutch_forms_structure(out_nl):
    form = form_of(out_nl, "reviews/write/kettle/")
    html = page(out_nl, "reviews/write/kettle/")
    assert html.html["lang"] == "nl"
    assert form.select_one('input[name="ui"]')["value"] == "nl"
    selected = form.find("select", attrs={"name": "lang"}).find("option", selected=True)
    assert (selected["value"], selected.get_text(strip=True)) == ("nl", "Nederlands")
    assert f"{LIMITS['text']:,}".replace(",", ".") in form.find(id="text-hint").get_text()
    for url in FORM_PAGES + OTHER_PAGES:
        assert (out_nl / url / "index.html").is_file(), url


def test_dutch_site_writes_dutch_labels_and_messages(out_nl):
    form = form_of(out_nl, "reviews/write/kettle/")
    english = set(DUTCH_SOURCES)
    texts = [
        form.find("fieldset").legend.get_text(" ", strip=True),
        form.find("label", attrs={"for": "text"}).get_text(" ", strip=True),
        form.find("button").get_text(strip=True),
        form.find(id="email-hint").get_text(strip=True),
        form.find("input", attrs={"name": "rating"})["data-msg-required"],
        page(out_nl, "reviews/follow-up/").h1.get_text(strip=True),
        page(out_nl, "reviews/thanks/").h1.get_text(strip=True),
        page(out_nl, "reviews/").select_one("p.cta a").get_text(strip=True),
    ]
    for text in texts:
        assert not any(text.startswith(e) for e in english), text
    labels = [label.get_text(" ", strip=True) for label in form.select(".visually-hidden")]
    assert labels[:5] == [f"{n} van 5 sterren" for n in range(1, 6)]
