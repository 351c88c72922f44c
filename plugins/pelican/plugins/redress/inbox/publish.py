"""From inbox to content files: `redress inbox publish` and `withhold`.

Publishing writes every accepted submission older than REVIEWS_HOLD_HOURS,
the same wait for every rating, as a review or follow-up file, never
replacing a file, and records the file so a second run skips it. Withholding
records one of the five public reasons in the file (`Withheld:`), so the
page's ledger counts the review instead of it silently vanishing.

One submission that cannot be written is reported and stays in the inbox;
the others are written all the same, so no post can stop a cron job from
publishing the rest.

Two runs at once (a cron job on each of two machines, or the owner's own run
beside one) never write one submission twice: each claims a submission in
the database before writing its file (:meth:`~redress.inbox.store.Store.claim`)
and skips one that another run holds.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ..content import files
from ..content.model import WITHHELD_REASONS
from ..content.reader import timezone_from
from ..content.shop import Shop, load_shop
from .config import InboxConfig
from .store import Store, Submission, claimant


@dataclass
class PublishReport:
    written: list[tuple[int, str]] = field(default_factory=list)
    held: int = 0
    #: Being written by another run at the same moment (its claim in the database).
    elsewhere: int = 0
    problems: list[tuple[int, str]] = field(default_factory=list)


def _content_dir(config: InboxConfig, key: str) -> Path:
    return Path(config.settings["PATH"]) / config.rs[key]


def _relative(config: InboxConfig, path: Path) -> str:
    try:
        return str(path.relative_to(config.site_root))
    except ValueError:
        return str(path)


def short_id(submission: Submission) -> str:
    """Six characters that tell this submission's file apart from any other's with the same name.

    Derived from the inbox's unique key, so the same submission gets the same
    id on every run (a run after a crash finds its own file again), and the
    file name says nothing about how many posts the inbox received.
    """
    return hashlib.sha256(f"redress-file\x00{submission.key}".encode()).hexdigest()[:6]


def _private(submission: Submission) -> dict[str, str]:
    """The private values of a submission, which no file name may show.

    The invitation's order and the one the customer typed, when they differ:
    the file keeps only the first, but neither belongs in an address.
    """
    n = submission.normalised
    values = {
        "email": n.get("email", ""),
        "order": n.get("token_order") or n.get("order", ""),
        "typed-order": n.get("order", ""),
    }
    return {k: v for k, v in values.items() if v}


def review_file(config: InboxConfig, submission: Submission, withheld: str | None = None) -> tuple[str, str]:
    """The review's file name (without ``.md``) and text."""
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
    return files.review_slug(date, n.get("title", ""), n.get("text", ""), _private(submission)), text


class _Claims:
    """Which files the inbox already recorded for which submission.

    A file with a submission's exact text is that submission's own (written
    by a run that stopped before recording it) only if no other submission
    recorded it: two customers may send the same words in the same minute.
    Read from the store once, when first asked, and asked again about a file
    it does not know: another run (on another machine) may have recorded it
    since.
    """

    def __init__(self, config: InboxConfig, store: Store):
        self.config = config
        self.store = store
        self._owners: dict[str, int] | None = None

    def owners(self) -> dict[str, int]:
        if self._owners is None:
            self._owners = {
                s.published_path: s.id
                for s in self.store.all("published_path IS NOT NULL")
                if s.published_path
            }
        return self._owners

    def other_than(self, submission_id: int) -> Callable[[Path], bool]:
        def claimed(path: Path) -> bool:
            relative = _relative(self.config, path)
            owner = self.owners().get(relative)
            if owner is None:
                recorded = self.store.all("published_path = ?", (relative,))
                owner = recorded[0].id if recorded else None
            return owner is not None and owner != submission_id

        return claimed

    def record(self, submission_id: int, relative: str) -> None:
        self.owners()[relative] = submission_id


def _write_review(
    config: InboxConfig, submission: Submission, claims: _Claims, withheld: str | None = None
) -> Path:
    slug, text = review_file(config, submission, withheld=withheld)
    return files.write_new(
        _content_dir(config, "REVIEWS_REVIEW_DIR"),
        slug,
        text,
        unique=short_id(submission),
        claimed=claims.other_than(submission.id),
    )


def _cannot_write(err: OSError | ValueError) -> str:
    """Why a file could not be written, in one line (no traceback)."""
    if isinstance(err, files.NoFreeName):
        reason = str(err)
    elif isinstance(err, OSError) and err.strerror:
        reason = f"{err.filename}: {err.strerror}" if err.filename else err.strerror
    else:
        reason = str(err) or type(err).__name__
    return f"cannot write its file ({reason}); it stays in the inbox"


def _review_for(shop: Shop, submission: Submission) -> str | None:
    """Which review a customer's follow-up answers: the one its link names.

    The inbox took it from the link (``r``), or from the link's signed token
    when ``r`` was lost. An order number says nothing here: anyone can type
    one, and one order can have several reviews.
    """
    slug = submission.normalised.get("review") or ""
    return slug if any(r.slug == slug for r in shop.reviews + shop.withheld) else None


def from_the_reviewer(shop: Shop, review_slug: str, submission: Submission) -> bool:
    """Is this follow-up the reviewer's own word? Only then may the page say "the customer says".

    Only the signed token of this review's follow-up link proves it (`redress
    follow-up-link`; the inbox checked it when the answer came in). An order
    number or e-mail address typed into the form proves nothing: anyone can
    guess or copy one. A follow-up without its link is kept in the inbox as
    "needs-check" for the shop owner and never written as the customer's.
    """
    n = submission.normalised
    return (
        submission.kind == "follow-up"
        and submission.status == "accepted"
        and submission.token_status == "valid"
        and n.get("token_review") == review_slug
        and any(r.slug == review_slug for r in shop.reviews + shop.withheld)
    )


def publish(
    config: InboxConfig, store: Store, now: dt.datetime | None = None, held_back: Iterable[int] = ()
) -> PublishReport:
    """Write what waits and is past the hold; ``held_back`` (reviews of unknown products) stay untouched."""
    now = now or dt.datetime.now(dt.UTC)
    hold = dt.timedelta(hours=float(config.rs["REVIEWS_HOLD_HOURS"]))
    report = PublishReport()
    shop = load_shop(config.settings)
    for key in ("REVIEWS_REVIEW_DIR", "REVIEWS_RESPONSE_DIR"):
        files.remove_stale_temps(_content_dir(config, key))
    claims = _Claims(config, store)
    me = claimant()
    skip = set(held_back)
    for submission in sorted(store.waiting(), key=lambda s: (s.received_at, s.id)):
        if submission.id in skip:
            continue
        if submission.received_at > now - hold:
            report.held += 1
            continue
        if not store.claim(submission.id, me):
            report.elsewhere += 1  # written (or being written) by another run
            continue
        try:
            path = _publish_one(config, shop, submission, claims, report)
        except (OSError, ValueError) as err:
            store.release(submission.id, me)
            report.problems.append((submission.id, _cannot_write(err)))
            continue
        if path is None:
            store.release(submission.id, me)
            continue
        relative = _relative(config, path)
        store.mark_published(submission.id, relative, now)
        claims.record(submission.id, relative)
        report.written.append((submission.id, relative))
    return report


def _publish_one(
    config: InboxConfig, shop: Shop, submission: Submission, claims: _Claims, report: PublishReport
) -> Path | None:
    """Write one submission's file; None (and a line in the report) when it cannot be published yet."""
    if submission.kind == "review":
        path = _write_review(config, submission, claims)
    else:
        review = _review_for(shop, submission)
        if review is None:
            report.problems.append(
                (
                    submission.id,
                    "cannot tell which review this follow-up answers (its link names no review in "
                    "reviews/); it stays in the inbox",
                )
            )
            return None
        if not from_the_reviewer(shop, review, submission):
            report.problems.append(
                (
                    submission.id,
                    f"cannot confirm this follow-up to {review} comes from its reviewer (it was not sent "
                    "with the review's follow-up link); it stays in the inbox. To hear from the reviewer, "
                    f"send them the link from `redress follow-up-link {review}`",
                )
            )
            return None
        n = submission.normalised
        tz = timezone_from(config.settings)
        date = submission.received_at.astimezone(tz).replace(second=0, microsecond=0)
        text = files.follow_up_text(
            review=review, date=date, resolved=n.get("resolved"), text=n.get("text", "")
        )
        path = files.write_new(
            _content_dir(config, "REVIEWS_RESPONSE_DIR"),
            f"{review}-customer",
            text,
            unique=short_id(submission),
            claimed=claims.other_than(submission.id),
        )
    return path


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
        me = claimant()
        if not store.claim(submission.id, me):
            again = store.get(submission_id)
            if again is None or not again.published_path:
                raise ValueError(
                    f"submission {submission_id} is being published by another run right now; "
                    "withhold it again in a moment"
                )
            path = config.site_root / again.published_path  # published meanwhile: withhold that file
            _add_withheld_line(path, reason)
        else:
            try:
                path = _write_review(config, submission, _Claims(config, store), withheld=reason)
            except BaseException:
                store.release(submission.id, me)
                raise
            store.mark_published(submission.id, _relative(config, path), dt.datetime.now(dt.UTC))
    store.mark_withheld(submission.id, reason)
    return _relative(config, path)


def _add_withheld_line(path: Path, reason: str) -> None:
    """Record the reason in a published review's fields; the customer's words stay as they are."""
    text = path.read_text(encoding="utf-8")
    head, sep, body = text.partition("\n\n")
    lines = [line for line in head.split("\n") if not line.lower().startswith("withheld:")]
    lines.append(f"Withheld: {reason}")
    handle, temp = tempfile.mkstemp(dir=path.parent, prefix=files.TEMP_PREFIXES[1], suffix=files.TEMP_SUFFIX)
    with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as out:
        out.write("\n".join(lines) + sep + body)
        out.flush()
        os.fsync(out.fileno())
    os.replace(temp, path)
