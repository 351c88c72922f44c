"""From inbox to content files: `redress inbox publish` and `withhold`.

Publishing writes every accepted submission older than REVIEWS_HOLD_HOURS,
the same wait for every rating, as a review or follow-up file, never
replacing a file, and records the file so a second run skips it. Withholding
records one of the five public reasons in the file (`Withheld:`), so the
page's ledger counts the review instead of it silently vanishing.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from ..content import files
from ..content.model import WITHHELD_REASONS
from ..content.reader import timezone_from
from ..content.shop import Shop, load_shop
from .config import InboxConfig
from .store import Store, Submission


@dataclass
class PublishReport:
    written: list[tuple[int, str]] = field(default_factory=list)
    held: int = 0
    problems: list[tuple[int, str]] = field(default_factory=list)


def _content_dir(config: InboxConfig, key: str) -> Path:
    return Path(config.settings["PATH"]) / config.rs[key]


def _relative(config: InboxConfig, path: Path) -> str:
    try:
        return str(path.relative_to(config.site_root))
    except ValueError:
        return str(path)


def review_file(config: InboxConfig, submission: Submission, withheld: str | None = None) -> tuple[str, str]:
    n = submission.normalised
    tz = timezone_from(config.settings)
    date = submission.received_at.astimezone(tz).replace(second=0, microsecond=0)
    text = files.review_text(
        date=date,
        rating=n.get("rating"),
        text=n.get("text", ""),
        title=n.get("title", ""),
        author=n.get("name", ""),
        product=n.get("product"),
        lang=n.get("lang", ""),
        source=n.get("source", "organic"),
        verified=bool(n.get("verified")),
        email=n.get("email", ""),
        order=n.get("token_order") or n.get("order", ""),
        withheld=withheld,
    )
    return files.review_slug(date, n.get("title", ""), n.get("text", "")), text


def _review_for(shop: Shop, submission: Submission) -> str | None:
    """Which review a customer's follow-up answers: the link says, or the invitation's order does."""
    n = submission.normalised
    everything = {r.slug: r for r in shop.reviews + shop.withheld}
    if n.get("review") in everything:
        return n["review"]
    order = n.get("token_order") or ""
    if order:
        matches = [r for r in everything.values() if r.private.get("order") == order]
        if matches:
            return max(matches, key=lambda r: r.date).slug
    return None


def _same(a: str, b: str) -> bool:
    return bool(a) and bool(b) and a.strip().casefold() == b.strip().casefold()


def from_the_reviewer(shop: Shop, review_slug: str, submission: Submission) -> bool:
    """Is this follow-up the reviewer's own word? Only then may the page say "the customer says".

    The invitation's signed order, or the order number or e-mail address the
    customer typed, must match the private fields of the review it answers.
    """
    review = next((r for r in shop.reviews + shop.withheld if r.slug == review_slug), None)
    if review is None:
        return False
    n = submission.normalised
    order = review.private.get("order", "")
    return (
        _same(n.get("token_order", ""), order)
        or _same(n.get("order", ""), order)
        or _same(n.get("email", ""), review.private.get("email", ""))
    )


def publish(config: InboxConfig, store: Store, now: dt.datetime | None = None) -> PublishReport:
    now = now or dt.datetime.now(dt.UTC)
    hold = dt.timedelta(hours=float(config.rs["REVIEWS_HOLD_HOURS"]))
    report = PublishReport()
    shop = load_shop(config.settings)
    for submission in sorted(store.waiting(), key=lambda s: (s.received_at, s.id)):
        if submission.received_at > now - hold:
            report.held += 1
            continue
        if submission.kind == "review":
            slug, text = review_file(config, submission)
            path = files.write_new(_content_dir(config, "REVIEWS_REVIEW_DIR"), slug, text)
        else:
            review = _review_for(shop, submission)
            if review is None:
                report.problems.append(
                    (
                        submission.id,
                        "cannot tell which review this follow-up answers (no review link or order)",
                    )
                )
                continue
            if not from_the_reviewer(shop, review, submission):
                report.problems.append(
                    (
                        submission.id,
                        f"cannot confirm this follow-up to {review} comes from its reviewer (no matching "
                        "invitation, order number or e-mail); it stays in the inbox",
                    )
                )
                continue
            n = submission.normalised
            tz = timezone_from(config.settings)
            date = submission.received_at.astimezone(tz).replace(second=0, microsecond=0)
            text = files.follow_up_text(
                review=review, date=date, resolved=n.get("resolved"), text=n.get("text", "")
            )
            path = files.write_new(_content_dir(config, "REVIEWS_RESPONSE_DIR"), f"{review}-customer", text)
        relative = _relative(config, path)
        store.mark_published(submission.id, relative, now)
        report.written.append((submission.id, relative))
    return report


def withhold(config: InboxConfig, store: Store, submission_id: int, reason: str) -> str:
    """Withhold a review for a public reason; returns the file that records it."""
    if reason not in WITHHELD_REASONS:
        raise ValueError(f"{reason!r} is not a reason; use one of: {', '.join(WITHHELD_REASONS)}")
    submission = store.get(submission_id)
    if submission is None:
        raise LookupError(f"there is no submission {submission_id}; see `redress inbox list`")
    if submission.kind != "review":
        raise ValueError("only reviews can be withheld; a follow-up belongs to its review")
    if submission.status != "accepted":
        raise ValueError(
            f"submission {submission_id} was {submission.status}, not accepted; nothing to withhold"
        )
    if submission.published_path:
        path = config.site_root / submission.published_path
        _add_withheld_line(path, reason)
    else:
        slug, text = review_file(config, submission, withheld=reason)
        path = files.write_new(_content_dir(config, "REVIEWS_REVIEW_DIR"), slug, text)
        store.mark_published(submission.id, _relative(config, path), dt.datetime.now(dt.UTC))
    store.mark_withheld(submission.id, reason)
    return _relative(config, path)


def _add_withheld_line(path: Path, reason: str) -> None:
    """Record the reason in a published review's fields; the customer's words stay as they are."""
    text = path.read_text(encoding="utf-8")
    head, sep, body = text.partition("\n\n")
    lines = [line for line in head.split("\n") if not line.lower().startswith("withheld:")]
    lines.append(f"Withheld: {reason}")
    handle, temp = tempfile.mkstemp(dir=path.parent, prefix=".withhold-", suffix=".tmp")
    with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as out:
        out.write("\n".join(lines) + sep + body)
        out.flush()
        os.fsync(out.fileno())
    os.replace(temp, path)
