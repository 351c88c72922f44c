"""The numbers a visitor sees, from plain review objects, no site build: the average and its
rounding, the distribution, how fast the shop answers, what is open and resolved, the ledger."""

from __future__ import annotations

import datetime as dt

import pytest
from pelican.plugins.redress.content.model import WITHHELD_REASONS, Review, ThreadEntry, case_state
from pelican.plugins.redress.content.stats import ledger, summarise

DAY = dt.datetime(2026, 10, 2, 9, 0)


def reviews_rated(*ratings: int | None, negative_max: int = 2) -> list[Review]:
    out = []
    for n, rating in enumerate(ratings):
        review = Review(f"r{n}", DAY, rating)
        review.negative = rating is not None and rating <= negative_max
        review.state = case_state(review)
        out.append(review)
    return out


def answered(rating: int, after: dt.timedelta, status: str | None = None, body: str = "<p>Sorry.</p>"):
    review = Review(f"r-{rating}-{after}", DAY, rating)
    review.negative = rating <= 2
    review.thread = [ThreadEntry("e", review.slug, DAY + after, "shop", status=status, body_html=body)]
    review.state = case_state(review)
    return review


# --- average ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ratings", "average"),
    [
        ((4, 5), 4.5),
        ((1, 2, 2), 1.7),  # 1.666…
        ((4, 4, 5, 4), 4.3),  # 4.25: half up, where round() would give 4.2
        ((4,) * 13 + (5,) * 7, 4.4),  # 4.35: half up, where float rounding would give 4.3
        ((5, 5, 5), 5.0),
        ((1,), 1.0),
    ],
)
def test_average_is_rounded_half_up_to_one_decimal(ratings, average):
    assert summarise(reviews_rated(*ratings), 5).average == average


def test_no_rated_review_has_no_average():
    summary = summarise(reviews_rated(None, None), 5)
    assert summary.average is None
    assert summary.count == 2
    assert [bar.share for bar in summary.bars] == [0.0] * 5


def test_unrated_reviews_count_but_do_not_move_the_average_or_bars():
    summary = summarise(reviews_rated(5, None, 1), 5)
    assert summary.count == 3
    assert summary.average == 3.0
    assert sum(bar.count for bar in summary.bars) == 2


# --- distribution -----------------------------------------------------------------------------------


def test_bars_run_from_the_top_of_the_scale_with_every_value():
    summary = summarise(reviews_rated(5, 5, 4, 1), 5)
    assert [(bar.stars, bar.count, bar.share) for bar in summary.bars] == [
        (5, 2, 0.5),
        (4, 1, 0.25),
        (3, 0, 0.0),
        (2, 0, 0.0),
        (1, 1, 0.25),
    ]


def test_a_ten_point_scale_has_ten_bars():
    summary = summarise(reviews_rated(10, 7, 7, 3, negative_max=4), 10)
    assert [bar.stars for bar in summary.bars] == list(range(10, 0, -1))
    assert {bar.stars: bar.count for bar in summary.bars if bar.count} == {10: 1, 7: 2, 3: 1}
    assert summary.average == 6.8  # 27 / 4 = 6.75
    assert summary.negative_count == 1


# --- responsiveness ---------------------------------------------------------------------------------


def test_median_first_response_over_answered_negatives_only():
    hours = dt.timedelta(hours=1)
    reviews = [
        answered(1, 2 * hours),
        answered(2, 10 * hours),
        answered(1, 30 * hours),
        answered(5, 500 * hours),  # positive: its answer does not count
        *reviews_rated(1),  # negative, unanswered
    ]
    summary = summarise(reviews, 5)
    assert summary.median_first_response == 10 * hours
    assert summary.negative_count == 4
    assert summary.negative_answered == 3
    assert summary.answered_share == 0.75


def test_an_answer_dated_at_its_reviews_moment_counts_as_answered_but_not_in_the_median():
    """An export that kept a reply without its date is imported at the review's moment:
    as a delay of nothing it pulled the shop's public median towards zero."""
    hours = dt.timedelta(hours=1)
    reviews = [answered(1, 0 * hours), answered(2, 0 * hours), answered(1, 30 * hours)]
    summary = summarise(reviews, 5)
    assert summary.negative_answered == 3
    assert summary.median_first_response == 30 * hours
    assert summarise(reviews[:2], 5).median_first_response is None


def test_median_of_an_even_count_is_the_mean_of_the_middle_two():
    hours = dt.timedelta(hours=1)
    reviews = [answered(1, h * hours) for h in (1, 3, 7, 100)]
    assert summarise(reviews, 5).median_first_response == 5 * hours


def test_an_empty_status_note_is_not_a_first_response():
    review = answered(1, dt.timedelta(hours=1), status="in-progress", body="")
    summary = summarise([review], 5)
    assert summary.median_first_response is None
    assert summary.negative_answered == 0


def test_no_negatives_means_no_answered_share():
    summary = summarise(reviews_rated(5, 4), 5)
    assert summary.answered_share is None
    assert summary.median_first_response is None


# --- open and resolved ------------------------------------------------------------------------------


def test_open_and_resolved_counts():
    hour = dt.timedelta(hours=1)
    reviews = [
        answered(1, hour, status="resolved"),
        answered(2, hour, status="in-progress"),
        answered(1, hour, status="no-action"),
        answered(1, hour),  # answered, no outcome: open
        *reviews_rated(2, 5),  # awaiting, and a positive one
    ]
    summary = summarise(reviews, 5)
    assert summary.resolved_count == 1
    assert summary.open_count == 3


# --- ledger -----------------------------------------------------------------------------------------


def test_ledger_lists_every_reason_in_order_with_zeros():
    withheld = reviews_rated(1, 5, 3)
    for review, reason in zip(withheld, ("spam", "duplicate", "spam"), strict=True):
        review.withheld = reason
    book = ledger(withheld)
    assert book.total == 3
    assert [reason for reason, _ in book.by_reason] == list(WITHHELD_REASONS)
    assert dict(book.by_reason) == {
        "spam": 2,
        "personal-data": 0,
        "defamation": 0,
        "not-a-customer": 0,
        "duplicate": 1,
    }


def test_empty_ledger():
    book = ledger([])
    assert book.total == 0
    assert all(count == 0 for _, count in book.by_reason)


# --- a listing's average, for the shop's index of product files -------------------------------------


@pytest.mark.parametrize(
    "ratings",
    [(4, 5), (1, 2, 2), (4, 4, 5, 4), (4,) * 13 + (5,) * 7, (5,), (3, None, 1), (None, None), ()],
)
def test_a_listing_average_is_the_summary_average(ratings):
    """The index's average is counted from the star filters (or, for unrated reviews,
    the reviews): it must be the figure the product's own page and data file show."""
    from pelican.plugins.redress.content.settings import get_settings
    from pelican.plugins.redress.content.shop import Shop
    from pelican.plugins.redress.site.listings import make_listing
    from pelican.plugins.redress.site.urls import Urls

    shop = Shop(settings=get_settings({}), reviews=reviews_rated(*ratings))
    urls = Urls(shop.settings)
    assert make_listing(shop, urls).average == summarise(shop.reviews, 5).average
    listing = make_listing(shop, urls)
    assert listing.summary.average == listing.average  # the summary's own, once it is worked out
