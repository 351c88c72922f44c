"""What happens to one submission, apart from HTTP: check, label, store.

The checks are the model's (:func:`redress.inbox.validate.validate_submission`), so
the inbox accepts exactly what the build can publish. A valid invitation
token makes a review "Verified buyer" and "Invited", once per invitation
(per order and product, see :func:`redress.inbox.store.invitation_uses`); a
missing, expired or tampered one, or one already used, makes it an
ordinary, unverified review, never a refused one, and the customer is told
the same either way. A follow-up is the reviewer's own word only with the
signed token of that review's follow-up link; without it, it is kept as
"needs-check" for the shop owner (a typed order number or e-mail address
is something anyone can guess or copy, never proof).
Nothing here looks at the rating except to store it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

from .. import tokens
from ..content.model import LIMITS
from ..i18n import LANGUAGES, translations
from .store import Store, invitation_uses
from .validate import validate_submission

logger = logging.getLogger(__name__)

KINDS = ("review", "follow-up")
#: Fields a form sends; anything else is kept in the raw record only.
FORM_FIELDS = {
    "review": ("rating", "p", "title", "text", "name", "email", "order", "lang", "consent", "t", "ui"),
    "follow-up": ("resolved", "r", "text", "order", "consent", "t", "ui", "lang"),
}
HONEYPOT = "website"


@dataclass
class Outcome:
    result: str  # accepted | duplicate | spam | rejected
    submission_id: int | None = None
    errors: dict[str, str] = field(default_factory=dict)  # field -> message in the page language
    values: dict[str, str] = field(default_factory=dict)  # what was sent, to fill the form again
    lang: str = "en"
    #: A follow-up kept for the shop owner to check: it came without its review's follow-up link,
    #: so it will not be published as the customer's word (an honest thank-you says so).
    needs_check: bool = False

    @property
    def ok(self) -> bool:
        return self.result in ("accepted", "duplicate", "spam")


def page_lang(fields: dict[str, str], default: str) -> str:
    ui = fields.get("ui", "").strip().lower()
    return ui if ui in LANGUAGES else default


def messages(lang: str, errors: dict[str, str], kind: str) -> dict[str, str]:
    """The problems as sentences in the page's language, next to each field."""
    _ = translations(lang).gettext
    text = {
        ("rating", "required"): _("Choose how many stars you give."),
        ("rating", "invalid"): _("Choose how many stars you give."),
        ("text", "required"): _("Write a few words about your experience."),
        ("text", "too-short"): _("Write at least %(min)s characters.") % {"min": LIMITS["text_min"]},
        ("email", "invalid"): _("This does not look like an e-mail address."),
        ("p", "unknown-product"): _("Choose one of our products, or the shop in general."),
        ("lang", "invalid"): _("Choose a language from the list."),
        ("name", "shop-name"): _("That is the shop's own name. Write your name, or leave this empty."),
        ("resolved", "required"): _("Choose yes or no."),
        ("consent", "required"): (
            _("We can only publish your review with your permission.")
            if kind == "review"
            else _("We can only publish your answer with your permission.")
        ),
    }
    result = {}
    for name, code in errors.items():
        if code == "too-long":
            limit = LIMITS.get(name, LIMITS["text"])
            result[name] = _("This is too long: at most %(max)s characters.") % {"max": limit}
        else:
            result[name] = text.get((name, code), _("Please check this field."))
    return result


def from_form_or_page(fields: dict[str, str], referer: str, name: str) -> str:
    """A value of the invitation link (``t`` token, ``r`` review): the form's hidden field, or
    (without JavaScript, which copies it into the field) the form page's own address."""
    value = fields.get(name, "").strip()
    if value or not referer:
        return value
    values = parse_qs(urlsplit(referer).query).get(name, [])
    return values[0].strip() if values else ""


def token_from(fields: dict[str, str], referer: str) -> str:
    """The invitation token: the form's hidden field, or (without JavaScript) the page's address."""
    return from_form_or_page(fields, referer, "t")


def idempotency_key(kind: str, fields: dict[str, str], client: str, now: dt.datetime) -> str:
    """The same post twice (a double tap, a retry) is stored once.

    With JavaScript the form sends a random key per page view, and the key
    is that and the content: a retry after a lost answer is the same post,
    but one the customer changed before sending again is a post of its own
    (the first may have arrived; the change must not be thrown away for it).
    Without JavaScript the key is the content from the same client on the
    same day.
    """
    content = [f"{k}={fields.get(k, '')}" for k in FORM_FIELDS[kind]]
    sent = fields.get("key", "").strip()
    if sent:
        return "k:" + hashlib.sha256("\x00".join([kind, sent, *content]).encode()).hexdigest()
    parts = [kind, client, now.strftime("%Y-%m-%d"), *content]
    return "c:" + hashlib.sha256("\x00".join(parts).encode()).hexdigest()


class Intake:
    def __init__(
        self,
        store: Store,
        secret: bytes,
        scale: int,
        products: set[str],
        default_lang: str,
        shop_names: Sequence[str] = (),
    ):
        self.store = store
        self.secret = secret
        self.scale = scale
        self.products = products
        self.default_lang = default_lang
        #: The names a reviewer may not sign with (see validate.signs_as_the_shop).
        self.shop_names = tuple(name for name in shop_names if name)

    def _validate(self, fields: dict[str, str], kind: str) -> tuple[dict[str, Any], dict[str, str]]:
        return validate_submission(fields, kind, self.scale, self.products, self.shop_names)

    def receive(
        self,
        kind: str,
        fields: dict[str, str],
        *,
        client: str,
        referer: str = "",
        user_agent: str = "",
        now: dt.datetime | None = None,
    ) -> Outcome:
        now = now or dt.datetime.now(dt.UTC)
        lang = page_lang(fields, self.default_lang)
        values = {k: fields.get(k, "") for k in FORM_FIELDS[kind]}
        raw = {
            "fields": fields,
            "referer": referer[:1000],
            "user_agent": user_agent[:300],
            "client": hashlib.sha256(client.encode()).hexdigest()[:16],
        }
        key = idempotency_key(kind, fields, client, now)
        token = token_from(fields, referer)
        # A form sent back with errors must carry the link's values itself: the
        # corrected post's Referer is the inbox, no longer the invitation link.
        values["t"] = token
        if kind == "follow-up":
            values["r"] = from_form_or_page(fields, referer, "r")
            fields_checked = dict(fields, r=values["r"])
        else:
            fields_checked = fields
        if fields.get(HONEYPOT, "").strip():
            # Its own key: a person whose autofill filled the hidden field and
            # who sends the same review again is not a duplicate of the bot.
            # Checked as any post, so `inbox list --all` shows what it says and a
            # person's review can be taken back (`redress inbox not-spam`); its link
            # is not looked at: a bot's post earns no label and uses up no invitation.
            spam, spam_problems = self._validate(fields_checked, kind)
            spam.update(
                token_status="unchecked",
                token_order="",
                verified=False,
                source="organic",
                lang=spam.get("lang") or lang,
                note=(
                    f"the field only bots fill in held {fields[HONEYPOT].strip()[:60]!r}; if a person "
                    "sent this, `redress inbox not-spam N` puts it with the others, unverified"
                ),
            )
            spam["token_product" if kind == "review" else "token_review"] = ""
            if spam_problems:
                spam["problems"] = spam_problems
            submission_id, _new = self.store.add(
                key="s:" + key,
                kind=kind,
                received_at=now,
                status="spam",
                token_status="unchecked",
                raw=raw,
                normalised=spam,
            )
            logger.info(
                "inbox: submission %s looks like a bot (honeypot filled); stored as spam", submission_id
            )
            return Outcome("spam", submission_id, lang=lang)
        normalised, problems = self._validate(fields_checked, kind)
        product = normalised.get("product") or ""
        if kind == "review":
            check = tokens.check_token(self.secret, token, product, now.date())
        else:
            check = tokens.check_follow_up_token(
                self.secret, token, normalised.get("review") or None, now.date()
            )
            if check.valid and not normalised.get("review"):
                normalised["review"] = check.review  # signed: the link's review, when its `r` was lost
        normalised.update(
            token_status=check.status,
            token_order=check.order if check.valid else "",
            verified=check.valid,
            source="invited" if check.valid and kind == "review" else "organic",
            lang=normalised.get("lang") or lang,
        )
        if kind == "review":
            normalised["token_product"] = check.product if check.valid else ""
        else:
            # What publish takes as proof that the answer is the reviewer's: the signed review.
            normalised["token_review"] = check.review if check.valid else ""
        if problems:
            submission_id, _new = self.store.add(
                key="r:" + key,
                kind=kind,
                received_at=now,
                status="rejected",
                token_status=check.status,
                raw=raw,
                normalised=dict(normalised, problems=problems),
            )
            return Outcome("rejected", submission_id, messages(lang, problems, kind), values, lang)
        status = "accepted"
        if kind == "follow-up" and not check.valid:
            status = "needs-check"
            normalised["note"] = (
                f"not sent with this review's follow-up link (token {check.status}); "
                "it is not published as the customer's word"
            )
        used_by: list[int] = []

        def if_used(first: int) -> tuple[str, dict[str, Any]]:
            """An invitation used before: an ordinary review, with a note for the shop owner."""
            used_by.append(first)
            ordinary = dict(normalised, verified=False, source="organic", token_order="", token_product="")
            ordinary.update(note=f"invitation already used by #{first}", invitation_used_by=first)
            return "used", ordinary

        submission_id, new = self.store.add(
            key=key,
            kind=kind,
            received_at=now,
            status=status,
            token_status=check.status,
            raw=raw,
            normalised=normalised,
            # An order's link that names its products is each product's own link: one
            # verified review per product and one of the shop, used up whichever link brings it.
            uses=invitation_uses(check.order, product if check.order_link else check.product, product)
            if check.valid and kind == "review"
            else (),
            if_used=if_used,
        )
        logger.info(
            "inbox: %s %s %s (token %s)",
            kind,
            submission_id,
            "received" if new else "repeated",
            f"used: invitation already used by #{used_by[0]}" if used_by else check.status,
        )
        return Outcome(
            "accepted" if new else "duplicate", submission_id, lang=lang, needs_check=status == "needs-check"
        )
