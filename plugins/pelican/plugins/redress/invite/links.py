"""The addresses an invitation points at: the review forms, with a signed token.

`redress invite` prints these links on paper and in e-mails long before a
customer opens them, so they are built from the same :meth:`Urls.write
<redress.urls.Urls.write>` the build writes the forms with: a link on a
packing slip always lands on a page the build wrote.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from ..site.urls import Urls

#: The query parameter that carries the token: ``…/write/?t=<token>``; the
#: forms and the inbox read the same one.
TOKEN_PARAM = "t"


def absolute_site_url(value: str | None) -> str | None:
    """SITEURL without its trailing slash when it is an absolute http(s) address, else None.

    An invitation is opened on a phone, from an e-mail or a QR code: a
    relative or preview address would be a dead link on paper.
    """
    text = (value or "").strip().rstrip("/")
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
        return None
    return text


def invitation_link(siteurl: str, rs: dict[str, Any], product_slug: str | None, token: str) -> str:
    """The absolute link to a review form (general, or one product's) carrying a token."""
    return f"{siteurl}/{Urls(rs, siteurl).write(product_slug)}?{TOKEN_PARAM}={token}"
