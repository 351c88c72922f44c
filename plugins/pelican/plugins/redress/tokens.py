"""Signed tokens: invitations (`redress invite`) and follow-up links (`redress follow-up-link`).

An invitation token says "order X may review product P until day D"; a
follow-up token says "the customer of order X may answer review R until
day D". Both are signed with an HMAC (SHA-256) under the shop's secret
(REDRESS_SECRET). The inbox checks an invitation to label a review
"Verified buyer" and "Invited", and a follow-up token to publish an answer
as the reviewer's own word. An invalid or expired token never blocks a
submission: a review without a valid invitation is an ordinary one, a
follow-up without its link waits for the shop owner to check it.

The kind is inside the signed payload, so one kind cannot stand in for the
other: a follow-up link is no invitation to review any product, and an
invitation is no proof that an answer comes from a review's author.

Format: ``<payload>.<signature>``, both base64url without padding; the
payload is ``v2|<kind>|<order>|<subject>|<expiry as YYYYMMDD>``, where kind
``i`` (invitation) has as its subject one product, or what the order's own
link covers: the shop and the order's products, as a list that starts with a
comma (``,espresso-x1,molen-m2``), or, empty, the shop and any product (an
order whose products are not known); kind ``f`` (follow-up) has the review's
slug. An order's link names its products because a "Verified buyer" label on
a product the customer never bought would be a forged one. Kinds are one letter so the packing
slip's QR code stays small. The order number is readable by whoever holds
the link (it is the customer's own order); tokens never appear in the
published site.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import hmac
import os
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, replace

from .errors import UsageError

VERSION = "v2"
#: Tokens sent out before the kind was signed in: ``v1|<order>|<product>|<expiry>``. Invitations
#: with this version are in customers' mailboxes and on packing slips for up to `--valid-days`, so
#: they are still read, as invitations only: `redress follow-up-link` made the same kind of token,
#: but a v1 token cannot say which it was, so none of them proves a follow-up (the answer waits for
#: the shop owner instead, who can send the reviewer a new link).
LEGACY_VERSION = "v1"
INVITATION = "invitation"
FOLLOW_UP = "follow-up"
_KIND_CODES = {INVITATION: "i", FOLLOW_UP: "f"}
_KINDS_BY_CODE = {code: kind for kind, code in _KIND_CODES.items()}
SECRET_ENV = "REDRESS_SECRET"
MIN_SECRET_LENGTH = 32
# 96 bits of HMAC-SHA256: forging one review link is not worth 2**96 tries,
# and a short token keeps the packing slip's QR code small and quick to scan.
SIGNATURE_BYTES = 12
#: The most characters of product slugs an order's own link names. A token is
#: at most TOKEN_MAX characters, and the packing slip's QR code must stay
#: readable; an order with more products than fit gets a link for the shop only
#: (each product keeps its own link in the e-mail).
ORDER_PRODUCTS_MAX_CHARS = 300
#: The longest order number a link carries: with ORDER_PRODUCTS_MAX_CHARS of
#: products, its token stays well under TOKEN_MAX (about 570 characters).
ORDER_MAX_CHARS = 100
TOKEN_MAX = 1024


class SecretError(UsageError):
    """No usable secret: says how to make one."""


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def secret_from_env(environ: dict[str, str] | None = None) -> bytes:
    value = (environ if environ is not None else os.environ).get(SECRET_ENV, "")
    if len(value) < MIN_SECRET_LENGTH:
        problem = "is not set" if not value else f"is only {len(value)} characters long"
        raise SecretError(
            f"{SECRET_ENV} {problem}. Make one with `redress secret` (or: python3 -c "
            f'"import secrets; print(secrets.token_urlsafe(32))"), keep it private, and set it for '
            f"both `redress invite` and the inbox: export {SECRET_ENV}=<the secret>"
        )
    return value.encode("utf-8")


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _sign(secret: bytes, payload: bytes) -> bytes:
    return hmac.new(secret, payload, hashlib.sha256).digest()[:SIGNATURE_BYTES]


def _make(secret: bytes, kind: str, order: str, subject: str, expires: dt.date) -> str:
    if "|" in order or "|" in subject:
        raise ValueError("order, product and review may not contain '|'")
    payload = f"{VERSION}|{_KIND_CODES[kind]}|{order}|{subject}|{expires:%Y%m%d}".encode()
    return f"{_b64(payload)}.{_b64(_sign(secret, payload))}"


def make_token(secret: bytes, order: str, product: str, expires: dt.date) -> str:
    """An invitation: one verified review of ``product`` ("" for the shop or any product) for ``order``."""
    return _make(secret, INVITATION, order, product, expires)


def make_order_token(secret: bytes, order: str, products: Sequence[str] | None, expires: dt.date) -> str:
    """The order's own link: one verified review of the shop and one of each of ``products``.

    ``None`` (the order file does not say what was bought) covers the shop and
    any product, as the order's link always did. An order with more products
    than fit (see ORDER_PRODUCTS_MAX_CHARS), or whose products are none of the
    site's, gets a link for the shop only; :func:`order_token_covers` tells
    the caller which.
    """
    if products is None:
        return _make(secret, INVITATION, order, "", expires)
    if any("," in product or not product for product in products):
        raise ValueError("a product slug in an order's link may not be empty or contain ','")
    subject = "," + ",".join(dict.fromkeys(products)) if order_token_covers(products) else ","
    return _make(secret, INVITATION, order, subject, expires)


def order_token_covers(products: Sequence[str]) -> bool:
    """Whether :func:`make_order_token` names all of ``products`` (else: the shop only)."""
    return len("," + ",".join(dict.fromkeys(products))) <= ORDER_PRODUCTS_MAX_CHARS


def make_follow_up_token(secret: bytes, order: str, review: str, expires: dt.date) -> str:
    """A follow-up link's token: the customer of ``order`` answers the review ``review``, and no other."""
    if not review:
        raise ValueError("a follow-up token is for one review; give its slug")
    return _make(secret, FOLLOW_UP, order, review, expires)


@dataclass(frozen=True)
class TokenCheck:
    """The outcome of checking a token: ``status`` is one of "valid", "missing", "malformed",
    "tampered", "expired", "wrong-kind" (a follow-up token offered as an invitation, or the other
    way round), "wrong-product" (an invitation for another product) or "wrong-review" (a follow-up
    token for another review).

    ``kind`` is :data:`INVITATION` or :data:`FOLLOW_UP` once the signature holds; ``product`` is an
    invitation's product and ``review`` a follow-up token's review. ``order_link`` marks the
    order's own link that names what it covers: the shop and ``products`` (none: the shop only).
    """

    status: str
    order: str = ""
    product: str = ""
    expires: dt.date | None = None
    kind: str = ""
    review: str = ""
    order_link: bool = False
    products: tuple[str, ...] = ()

    @property
    def valid(self) -> bool:
        return self.status == "valid"


def _read(secret: bytes, token: str, today: dt.date | None) -> TokenCheck:
    """Signature, payload and expiry of any token; the kind and subject are checked by the callers."""
    token = (token or "").strip()
    if not token:
        return TokenCheck("missing")
    if len(token) > TOKEN_MAX or token.count(".") != 1:
        return TokenCheck("malformed")
    payload_text, signature_text = token.split(".")
    try:
        payload = _unb64(payload_text)
        signature = _unb64(signature_text)
    except (binascii.Error, ValueError):
        return TokenCheck("malformed")
    if not hmac.compare_digest(signature, _sign(secret, payload)):
        return TokenCheck("tampered")
    try:
        parts = payload.decode("utf-8").split("|")
        if parts[0] == LEGACY_VERSION and len(parts) == 4:
            kind, (order, subject, expiry) = INVITATION, parts[1:]
        elif parts[0] == VERSION and len(parts) == 5 and parts[1] in _KINDS_BY_CODE:
            kind, (order, subject, expiry) = _KINDS_BY_CODE[parts[1]], parts[2:]
        else:
            return TokenCheck("malformed")
        expires = dt.datetime.strptime(expiry, "%Y%m%d").date()
    except (UnicodeDecodeError, ValueError):
        return TokenCheck("malformed")
    product, review = (subject, "") if kind == INVITATION else ("", subject)
    order_link = False
    products: tuple[str, ...] = ()
    if kind == INVITATION and subject.startswith(","):
        order_link, product = True, ""
        products = tuple(p for p in subject.split(",") if p)
    status = "expired" if (today or dt.date.today()) > expires else "valid"
    return TokenCheck(status, order, product, expires, kind, review, order_link, products)


def check_token(secret: bytes, token: str, product: str, today: dt.date | None = None) -> TokenCheck:
    """Check an invitation for a review of ``product`` ("" for the shop) on ``today``.

    A follow-up token is "wrong-kind" here, whatever it names: it was given
    to answer one review, not to verify a review of anything.
    """
    check = _read(secret, token, today)
    if check.kind and check.kind != INVITATION:
        return replace(check, status="wrong-kind")
    if check.valid and check.product and check.product != product:
        return replace(check, status="wrong-product")
    if check.valid and check.order_link and product and product not in check.products:
        return replace(check, status="wrong-product")  # a product the order did not hold
    return check


def check_follow_up_token(
    secret: bytes, token: str, review: str | None, today: dt.date | None = None
) -> TokenCheck:
    """Check a follow-up link's token for an answer to ``review`` on ``today``.

    ``review=None`` (the link's review was lost on the way) takes the review
    the token names, which is signed. An invitation is "wrong-kind" here:
    it proves an order, not who wrote a given review.
    """
    check = _read(secret, token, today)
    if check.kind and check.kind != FOLLOW_UP:
        return replace(check, status="wrong-kind")
    if check.valid and review is not None and check.review != review:
        return replace(check, status="wrong-review")
    return check
