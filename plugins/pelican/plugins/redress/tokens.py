"""Signed invitation tokens: shared by `redress invite` and the inbox.

A token says "order X may review product P until day D", signed with an
HMAC (SHA-256) under the shop's secret (REDRESS_SECRET). The inbox checks it
to label a review "Verified buyer" and "Invited"; an invalid or expired
token never blocks a review, it only means the review is not verified.

Format: ``<payload>.<signature>``, both base64url without padding; the
payload is ``v1|<order>|<product>|<expiry as YYYYMMDD>``. An empty product
means the order's general invitation, valid for the shop and any product.
The order number is readable by whoever holds the link (it is the
customer's own order); tokens never appear in the published site.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass

from .errors import UsageError

VERSION = "v1"
SECRET_ENV = "REDRESS_SECRET"
MIN_SECRET_LENGTH = 32
# 96 bits of HMAC-SHA256: forging one review link is not worth 2**96 tries,
# and a short token keeps the packing slip's QR code small and quick to scan.
SIGNATURE_BYTES = 12


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


def make_token(secret: bytes, order: str, product: str, expires: dt.date) -> str:
    if "|" in order or "|" in product:
        raise ValueError("order and product may not contain '|'")
    payload = f"{VERSION}|{order}|{product}|{expires:%Y%m%d}".encode()
    return f"{_b64(payload)}.{_b64(_sign(secret, payload))}"


@dataclass(frozen=True)
class TokenCheck:
    """The outcome of checking a token: ``status`` is one of
    "valid", "missing", "malformed", "tampered", "expired", "wrong-product"."""

    status: str
    order: str = ""
    product: str = ""
    expires: dt.date | None = None

    @property
    def valid(self) -> bool:
        return self.status == "valid"


def check_token(secret: bytes, token: str, product: str | None, today: dt.date | None = None) -> TokenCheck:
    """Check a token for a review of ``product`` ("" for the shop) on ``today``.

    ``product=None`` accepts a token for any product (a customer's follow-up
    answers the review the invitation was for, whichever product that was).
    """
    token = (token or "").strip()
    if not token:
        return TokenCheck("missing")
    if len(token) > 512 or token.count(".") != 1:
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
        version, order, token_product, expiry = payload.decode("utf-8").split("|")
        expires = dt.datetime.strptime(expiry, "%Y%m%d").date()
    except (UnicodeDecodeError, ValueError):
        return TokenCheck("malformed")
    if version != VERSION:
        return TokenCheck("malformed")
    today = today or dt.date.today()
    if today > expires:
        return TokenCheck("expired", order, token_product, expires)
    if product is not None and token_product and token_product != product:
        return TokenCheck("wrong-product", order, token_product, expires)
    return TokenCheck("valid", order, token_product, expires)
