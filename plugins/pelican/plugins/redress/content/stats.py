"""The numbers a visitor sees: distribution, average, responsiveness, ledger.

All figures are computed from the published reviews alone; withheld reviews
appear only in the ledger, by reason, so they cannot move the average.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from .model import WITHHELD_REASONS, Review, platform_name, platform_scale


@dataclass
class Bar:
    stars: int
    count: int
    share: float  # 0..1 of all published reviews


@dataclass
class Summary:
    scale: int
    count: int
    average: float | None
    bars: list[Bar]  # highest star value first, every value present
    negative_count: int
    negative_answered: int
    median_first_response: dt.timedelta | None
    open_count: int
    resolved_count: int
    #: The platforms the shown reviews were imported from (``trustpilot``, ``kiyoh``, …), sorted:
    #: "How reviews work" explains their labels and how a platform's scale became stars.
    platforms: tuple[str, ...] = ()
    #: How many of them the platform itself invited ("Invited by Trustpilot").
    platform_invited: int = 0
    #: Those platforms that rate on another scale than the page, so their ratings were converted
    #: (Kiyoh's 1-10 on a page of 5 stars), as the page names them: "How reviews work" says how.
    rescaled: tuple[str, ...] = ()

    @property
    def answered_share(self) -> float | None:
        if not self.negative_count:
            return None
        return self.negative_answered / self.negative_count


@dataclass
class Ledger:
    """How many reviews were withheld, and why. Reasons with zero are listed too."""

    total: int
    by_reason: list[tuple[str, int]] = field(default_factory=list)


def _median(values: list[dt.timedelta]) -> dt.timedelta | None:
    """The median duration (the mean of the middle two for an even count), or None."""
    if not values:
        return None
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def average(reviews: list[Review]) -> float | None:
    """The reviews' average rating as :func:`summarise` gives it, without the rest of the summary."""
    ratings = [r.rating for r in reviews if r.rating is not None]
    return one_decimal(sum(ratings), len(ratings)) if ratings else None


ZERO = dt.timedelta(0)


def summarise(reviews: list[Review], scale: int) -> Summary:
    counts = Counter(r.rating for r in reviews if r.rating is not None)
    rated = sum(counts.values())
    total = sum(stars * n for stars, n in counts.items())
    bars = [
        Bar(stars, counts.get(stars, 0), counts.get(stars, 0) / rated if rated else 0.0)
        for stars in range(scale, 0, -1)
    ]
    negatives = [r for r in reviews if r.negative]
    answered = 0
    delays = []
    for review in negatives:
        first = review.first_response
        if first is not None:
            delay = first.date - review.date
        elif review.replied_on is not None:
            # Answered on the platform it was imported from; the export kept the date only.
            delay = review.replied_on - review.date
        else:
            continue
        answered += 1
        if delay > ZERO:
            # An answer dated at its review's moment measures nothing: an export that kept
            # a reply without its date, imported at the review's. It counts as an answer.
            delays.append(delay)
    imported = [r for r in reviews if r.imported]
    platforms = tuple(sorted({r.platform.strip().lower() for r in imported}))
    return Summary(
        scale=scale,
        count=len(reviews),
        average=one_decimal(total, rated) if rated else None,
        bars=bars,
        negative_count=len(negatives),
        negative_answered=answered,
        median_first_response=_median(delays),
        open_count=sum(1 for r in negatives if r.is_open),  # only a negative review is open
        resolved_count=sum(1 for r in reviews if r.state == "resolved"),
        platforms=platforms,
        platform_invited=sum(1 for r in imported if r.platform_invited),
        rescaled=tuple(platform_name(p) for p in platforms if platform_scale(p) not in (None, scale)),
    )


def ledger(withheld: list[Review]) -> Ledger:
    counts = Counter(r.withheld for r in withheld)
    return Ledger(
        total=len(withheld),
        by_reason=[(reason, counts.get(reason, 0)) for reason in WITHHELD_REASONS],
    )


def one_decimal(total: int, count: int) -> float:
    """The average rounded half up to one decimal, the same everywhere it is shown."""
    return float((Decimal(total) / Decimal(count)).quantize(Decimal("0.1"), ROUND_HALF_UP))
