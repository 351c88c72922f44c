"""The content model's rules on plain objects, no site build: where a case stands, and the
field parsers the review files and the inbox share."""

from __future__ import annotations

import datetime as dt

import pytest
from pelican.plugins.redress.content import model
from pelican.plugins.redress.content.model import Problem, Review, ThreadEntry, case_state

DAY = dt.datetime(2026, 10, 2, 14, 31)


def at(hours: float) -> dt.datetime:
    return DAY + dt.timedelta(hours=hours)


def shop(slug: str, hours: float, status: str | None = None, body: str = "<p>Sorry.</p>") -> ThreadEntry:
    return ThreadEntry(slug, "r", at(hours), "shop", status=status, body_html=body)


def customer(slug: str, hours: float, resolved: bool | None) -> ThreadEntry:
    return ThreadEntry(slug, "r", at(hours), "customer", resolved=resolved, body_html="<p>Hm.</p>")


def case(*thread: ThreadEntry, rating: int = 1, negative: bool = True) -> Review:
    review = Review("r", DAY, rating, thread=list(thread))
    review.negative = negative
    review.state = case_state(review)
    return review


# --- case state -----------------------------------------------------------------------------------


def test_a_negative_review_without_a_thread_awaits_the_shop():
    review = case()
    assert review.state == "awaiting"
    assert review.is_open


def test_a_positive_review_without_a_thread_has_no_case():
    review = case(rating=5, negative=False)
    assert review.state == "none"
    assert not review.is_open


def test_a_positive_review_is_never_open_whatever_its_thread():
    review = case(shop("a", 1, "in-progress"), rating=5, negative=False)
    assert review.state == "in-progress"
    assert not review.is_open


def test_a_reply_without_a_status_is_answered_and_still_open():
    review = case(shop("a", 1))
    assert review.state == "answered"
    assert review.is_open


def test_an_empty_shop_entry_is_not_an_answer():
    assert case(shop("a", 1, body="")).state == "awaiting"


@pytest.mark.parametrize("status", model.STATUSES)
def test_a_shop_status_sets_the_state(status):
    assert case(shop("a", 1, status)).state == status


def test_in_progress_is_open_no_action_and_resolved_are_not():
    assert case(shop("a", 1, "in-progress")).is_open
    assert not case(shop("a", 1, "no-action")).is_open
    assert not case(shop("a", 1, "resolved")).is_open


def test_the_latest_shop_status_counts():
    assert case(shop("a", 1, "resolved"), shop("b", 2, "in-progress")).state == "in-progress"
    assert case(shop("a", 1, "in-progress"), shop("b", 2, "resolved")).state == "resolved"
    # A later reply without a status keeps the status before it.
    assert case(shop("a", 1, "in-progress"), shop("b", 2)).state == "in-progress"


def test_customer_saying_not_fixed_after_resolved_is_disputed_and_open():
    review = case(shop("a", 1, "resolved"), customer("b", 30, resolved=False))
    assert review.state == "disputed"
    assert review.is_open


def test_customer_saying_fixed_after_resolved_stays_resolved():
    assert case(shop("a", 1, "resolved"), customer("b", 30, resolved=True)).state == "resolved"


def test_the_customers_latest_word_after_resolved_counts():
    thread = (shop("a", 1, "resolved"), customer("b", 2, False), customer("c", 3, True))
    assert case(*thread).state == "resolved"
    thread = (shop("a", 1, "resolved"), customer("b", 2, True), customer("c", 3, False))
    assert case(*thread).state == "disputed"


def test_a_not_fixed_before_the_shops_resolved_does_not_dispute_it():
    review = case(customer("a", 1, False), shop("b", 2, "resolved"))
    assert review.state == "resolved"


def test_a_not_fixed_at_the_same_time_as_resolved_disputes_it():
    assert case(shop("a", 1, "resolved"), customer("b", 1, False)).state == "disputed"


def test_a_follow_up_without_a_verdict_does_not_dispute():
    assert case(shop("a", 1, "resolved"), customer("b", 2, None)).state == "resolved"


def test_a_customers_status_is_not_the_shops():
    entry = customer("a", 1, None)
    entry.status = "resolved"
    assert case(entry).state == "awaiting"


def test_first_response_is_the_first_shop_entry_with_a_text():
    first = shop("b", 2)
    review = case(shop("a", 1, "in-progress", body=""), customer("c", 1.5, None), first, shop("d", 3))
    assert review.first_response is first


def test_customer_verdict_is_the_latest_with_a_yes_or_no():
    yes = customer("c", 3, True)
    review = case(shop("a", 1, "resolved"), customer("b", 2, False), yes, customer("d", 4, None))
    assert review.customer_verdict is yes
    assert case(shop("a", 1)).customer_verdict is None


def test_anchors_and_kinds():
    review = Review("r", DAY, 3, source="imported")
    assert review.anchor == "review-r"
    assert review.imported
    assert shop("x", 1).anchor == "entry-x"
    assert shop("x", 1).by_shop and not customer("y", 1, None).by_shop


# --- parsers shared by the files and the inbox ----------------------------------------------------


@pytest.mark.parametrize(("text", "scale", "expected"), [("4", 5, 4), (" 1 ", 5, 1), ("10", 10, 10)])
def test_rating_in_range(text, scale, expected):
    assert model.parse_rating(text, scale) == (expected, None)


@pytest.mark.parametrize(
    ("text", "scale"), [("0", 5), ("6", 5), ("11", 10), ("4.5", 5), ("four", 5), ("", 5)]
)
def test_rating_out_of_range_names_the_scale(text, scale):
    value, problem = model.parse_rating(text, scale)
    assert value is None
    assert problem == f"{text!r} is not a whole number from 1 to {scale}"


@pytest.mark.parametrize("text", ["yes", "True", "ja", "JAH", "1"])
def test_yes(text):
    assert model.parse_yes_no(text) == (True, None)


@pytest.mark.parametrize("text", ["no", "false", "Nee", "ei", "0"])
def test_no(text):
    assert model.parse_yes_no(text) == (False, None)


def test_neither_yes_nor_no():
    assert model.parse_yes_no("maybe") == (None, "'maybe' is not yes or no")


def test_sources():
    assert model.parse_source("Invited") == (("invited", ""), None)
    assert model.parse_source("organic") == (("organic", ""), None)
    assert model.parse_source("imported: Trustpilot ") == (("imported", "Trustpilot"), None)
    for bad in ("imported:", "imported:  ", "paid"):
        value, problem = model.parse_source(bad)
        assert value is None and "imported:<platform>" in problem, bad


def test_choice_and_remedies():
    assert model.parse_choice(" Resolved ", model.STATUSES) == ("resolved", None)
    value, problem = model.parse_choice("done", model.STATUSES)
    assert value is None and problem.endswith("use one of: in-progress, resolved, no-action")
    assert model.parse_remedies("Refund, apology,refund,") == (("refund", "apology"), None)
    assert model.parse_remedies("") == ((), None)
    value, problem = model.parse_remedies("refund, cash, hug")
    assert value == () and problem.startswith("'cash', 'hug' not allowed")


def test_languages_and_urls():
    assert model.parse_lang("nl_BE") == ("nl-be", None)
    assert model.parse_lang("et") == ("et", None)
    assert model.parse_lang("dutch!")[0] is None
    assert model.parse_lang("n")[0] is None
    # The codes ISO 639 replaced, which Android still writes (Google Play exports): the current ones.
    assert model.parse_lang("iw") == ("he", None) and model.parse_lang("iw_IL") == ("he-il", None)
    assert model.parse_lang("in") == ("id", None) and model.parse_lang("ji")[0] == "yi"
    assert model.parse_lang("it") == ("it", None) and model.parse_lang("inh") == ("inh", None)
    assert model.parse_url("https://shop.example/x") == ("https://shop.example/x", None)
    assert model.parse_url("/products/kettle") == ("/products/kettle", None)
    for bad in ("javascript:alert(1)", "shop.example", "https://a b", "ftp://x"):
        assert model.parse_url(bad)[0] is None, bad


def test_gtin_check_digit():
    assert model.parse_gtin("4006381333931") == ("4006381333931", None)  # EAN-13
    assert model.parse_gtin("9638 5074") == ("96385074", None)  # EAN-8, spaces dropped
    assert model.parse_gtin("4006381333932") == (None, "'4006381333932' has a wrong check digit")
    assert model.parse_gtin("12345")[1] == "'12345' is not a GTIN (8, 12, 13 or 14 digits)"


def test_slugs():
    assert model.check_slug("leaking-after-five-weeks", "review") is None
    assert "e.g. mijn-review.md" in model.check_slug("Mijn Review", "review")
    assert "rename the file, e.g. page-review.md" in model.check_slug("page", "review")
    # Only review slugs share the section's first path segment.
    assert model.check_slug("page", "response") is None


def test_problem_lines():
    assert str(Problem("reviews/a.md", "Rating", "is 7")) == "reviews/a.md: Rating: is 7"
    assert str(Problem("reviews/a.md", None, "is empty")) == "reviews/a.md: is empty"
