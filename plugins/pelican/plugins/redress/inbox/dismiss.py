"""`redress inbox dismiss N --reason TEXT`: finish an item that will never be published.

Some submissions wait forever otherwise: a follow-up that no link ties to its
reviewer (`needs-check`), a follow-up whose review is gone, a review of a
product the shop no longer has. `publish` reports them on every run. The
owner dismisses such an item with a reason in their own words; the row stays
in the database with its status ``dismissed``, what it was before, the reason
and the time, and `inbox list --all` shows it. Nothing is deleted.

What `publish` will write cannot be dismissed: a review the page would show,
or a reviewer's own answer sent with their follow-up link. Redress never
hides a review without counting it, so such a review is withheld for one of
the public reasons instead (`redress inbox withhold`), which the page's
ledger counts; a dismissal counts nowhere.
"""

from __future__ import annotations

import datetime as dt

from ..content.model import WITHHELD_REASONS
from ..content.rules import strip_control
from ..content.shop import load_shop
from .config import InboxConfig
from .publish import from_the_reviewer
from .store import Store, Submission

#: The longest reason kept: a sentence, not a letter.
MAX_REASON = 300


class NotDismissable(ValueError):
    """The item cannot be dismissed; the message says why and what to do instead."""


def clean_reason(reason: str) -> str:
    """The reason as one line of text, without control characters; refused if empty or long."""
    text = " ".join(strip_control(reason).split())
    if not text:
        raise NotDismissable('give the reason in a few words: --reason "..."')
    if len(text) > MAX_REASON:
        raise NotDismissable(f"the reason is {len(text)} characters long; keep it to {MAX_REASON}")
    return text


def dismiss(
    config: InboxConfig, store: Store, submission_id: int, reason: str, now: dt.datetime | None = None
) -> Submission:
    """Dismiss one stored submission with the owner's reason; returns it as now stored.

    Raises :class:`LookupError` for an unknown number and
    :class:`NotDismissable` for an item that is finished already or that
    `publish` would write. A content mistake (needed to tell whether a
    review's product is still there) reaches the caller as ContentError.
    """
    text = clean_reason(reason)
    submission = store.get(submission_id)
    if submission is None:
        raise LookupError(f"there is no submission {submission_id}; see `redress inbox list --all`")
    _check_dismissable(config, submission)
    if not store.mark_dismissed(submission_id, text, now or dt.datetime.now(dt.UTC)):
        # Published, withheld or dismissed by another command since it was read above.
        raise NotDismissable(f"#{submission_id} changed meanwhile; see `redress inbox list --all`")
    done = store.get(submission_id)
    assert done is not None  # rows are never deleted
    return done


def _check_dismissable(config: InboxConfig, submission: Submission) -> None:
    number = f"#{submission.id}"
    if submission.status == "dismissed":
        when = (submission.dismissed_at or "")[:16].replace("T", " ")
        raise NotDismissable(f"{number} was dismissed on {when} already: {submission.dismissed_reason}")
    if submission.withheld:
        raise NotDismissable(f"{number} is withheld ({submission.withheld}) already; it is finished")
    if submission.published_path:
        what = "review" if submission.kind == "review" else "answer"
        fix = (
            f"withhold it for a public reason instead: redress inbox withhold {submission.id} --reason ..."
            if submission.kind == "review"
            else "its file stays as it is"
        )
        raise NotDismissable(
            f"{number} is published already ({submission.published_path}); dismissing would not take "
            f"the {what} off the page: {fix}"
        )
    if submission.status != "accepted":
        return  # needs-check, spam, rejected: publish writes none of them
    shop = load_shop(config.settings)
    n = submission.normalised
    if submission.kind == "review":
        product = n.get("product") or ""
        if not product or product in shop.products:
            raise NotDismissable(
                f"{number} is a review that `redress inbox publish` puts on the page; a review is never "
                "hidden uncounted. If it breaks your rules, withhold it for a public reason, which the "
                f"page counts: redress inbox withhold {submission.id} --reason {'|'.join(WITHHELD_REASONS)}"
            )
    elif from_the_reviewer(shop, n.get("review") or "", submission):
        raise NotDismissable(
            f"{number} is the reviewer's own answer, sent with their follow-up link to {n.get('review')}; "
            "`redress inbox publish` puts it next to their review, whatever it says"
        )
