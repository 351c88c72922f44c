"""Telling the shop owner about new submissions: e-mail and/or a webhook.

Off unless configured. Sending happens in a background thread from the
database, never in the request: a mail server that is down delays a notice
(retried with growing pauses, up to 12 tries) but never loses or slows a
submission. Notices carry no customer e-mail or order number. With several
instances on one database, each notice is claimed before it is sent
(:meth:`~redress.inbox.store.Store.claim_notice`), so the shop owner gets it
once, not once per instance.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import smtplib
import threading
import urllib.request
from email.message import EmailMessage

from .config import InboxConfig, origin_of
from .store import Store, StoreUnavailable, Submission

logger = logging.getLogger(__name__)


class Notifier:
    def __init__(self, config: InboxConfig, store: Store, interval: float = 5.0):
        self.config = config
        self.store = store
        self.interval = interval
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def enabled(self) -> bool:
        return bool(self.config.notify_email or self.config.webhook)

    def start(self) -> None:
        if self.enabled and self._thread is None:
            self._thread = threading.Thread(target=self._run, name="redress-notify", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread:
            self._thread.join(timeout=5)

    def wake(self) -> None:
        self._wake.set()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.send_pending()
            except StoreUnavailable as down:  # the database is back by the next round, or the one after
                logger.warning("inbox: cannot look for notices to send: %s", down)
            self._wake.wait(self.interval)
            self._wake.clear()

    def send_pending(self, now: dt.datetime | None = None) -> int:
        """Send what is due; returns how many notices went out."""
        if not self.enabled:
            return 0
        now = now or dt.datetime.now(dt.UTC)
        sent = 0
        for submission in self.store.to_notify(now):
            if not self.store.claim_notice(submission.id, now):
                continue  # another instance is sending it
            try:
                self.send(submission)
            except Exception as err:  # noqa: BLE001 - any failure is retried later
                pause = dt.timedelta(seconds=min(3600, 30 * 2**submission.notify_attempts))
                self.store.mark_notify_failed(submission.id, f"{type(err).__name__}: {err}", now + pause)
                logger.warning(
                    "inbox: could not notify about submission %s through %s (%s); will retry",
                    submission.id,
                    self.where(),
                    err,
                )
            else:
                self.store.mark_notified(submission.id, now)
                sent += 1
        return sent

    def where(self) -> str:
        """Where notices go, for the log: the mail server, the webhook's origin (its path may be secret)."""
        ways = []
        if self.config.webhook:
            ways.append(f"the webhook at {origin_of(self.config.webhook) or 'its address'}")
        if self.config.notify_email:
            ways.append(f"e-mail via {self.config.smtp_host}:{self.config.smtp_port}")
        return " and ".join(ways)

    def notice(self, submission: Submission) -> dict[str, object]:
        n = submission.normalised
        return {
            "id": submission.id,
            "kind": submission.kind,
            "received_at": submission.received_at.isoformat(),
            "rating": n.get("rating"),
            "product": n.get("product"),
            "title": n.get("title", ""),
            "text": _beginning(n.get("text") or ""),
            "resolved": n.get("resolved"),
            "verified": n.get("verified", False),
        }

    def send(self, submission: Submission) -> None:
        notice = self.notice(submission)
        if self.config.webhook:
            request = urllib.request.Request(
                self.config.webhook,
                data=json.dumps(notice, ensure_ascii=False).encode("utf-8"),
                headers={"Content-Type": "application/json"},
                method="POST",
            )
            with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - the owner's own URL
                if response.status >= 300:
                    raise OSError(f"webhook answered {response.status}")
        if self.config.notify_email:
            message = EmailMessage()
            what = "review" if submission.kind == "review" else "follow-up"
            message["Subject"] = f"New {what} #{submission.id} in the review inbox"
            message["From"] = self.config.smtp_from or self.config.notify_email
            message["To"] = self.config.notify_email
            lines = [f"{key}: {value}" for key, value in notice.items() if value not in (None, "")]
            lines.append("\nSee it with: redress inbox list")
            message.set_content("\n".join(lines))
            with smtplib.SMTP(self.config.smtp_host, self.config.smtp_port, timeout=10) as smtp:
                smtp.send_message(message)


#: How much of a review's text a notice carries: enough to judge it from a phone.
NOTICE_TEXT_CHARS = 500


def _beginning(text: str) -> str:
    """The text, or its beginning with a note of how much more there is: a notice that cut a
    review short without a word would pass for the whole review."""
    if len(text) <= NOTICE_TEXT_CHARS:
        return text
    rest = len(text) - NOTICE_TEXT_CHARS
    return f"{text[:NOTICE_TEXT_CHARS]}… ({rest} more characters: redress inbox list)"
