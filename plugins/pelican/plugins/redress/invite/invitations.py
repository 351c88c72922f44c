"""What each order gets: its links, the day its invitation is due, its file name, its e-mail.

The rules here are the same for every order, by design: the due day is the
delivery day plus one delay, a link works for the same number of days, and
the e-mail asks everyone the same way (:mod:`redress.invite.texts`). Nothing
about an order other than its number, products, address, name, language and
delivery day is read, so nothing else can change how it is invited.

invitations.csv is opened in spreadsheets as much as in mail tools, and its
cells come from an export anyone could have typed into (a customer's name
at checkout): a cell a spreadsheet would run as a formula is written with a
leading ``'`` (:func:`spreadsheet_safe`), as OWASP advises for CSV files.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .. import tokens
from ..content.shop import Shop
from . import links, texts
from .orders import Order

CSV_NAME = "invitations.csv"
CSV_COLUMNS = ("order", "email", "name", "lang", "link", "subject", "body", "send_on")
STEM_MAX = 80
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
#: First characters that make a spreadsheet read a cell as a formula (or DDE command): OWASP's
#: list, and the full-width forms some spreadsheets take for the same.
FORMULA_STARTS = frozenset("=+-@\t\r\uff1d\uff0b\uff0d\uff20")
_WINDOWS_RESERVED = frozenset(
    {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10))}
)


@dataclass
class Invitation:
    """Everything written for one order."""

    order: Order
    #: File name (without extension) of the order's QR code and insert.
    stem: str
    #: Language of the texts: the customer's when Redress has it, else English.
    text_lang: str
    send_on: dt.date
    expires: dt.date
    #: The order's own link (the e-mail's last link, the QR code, the insert): the general
    #: form, valid for the shop and each product of the order (any product, when the
    #: order file does not say them; the shop only, when there are too many to name).
    link: str
    #: (product slug, product title, link) for each product of the order.
    product_links: list[tuple[str, str, str]] = field(default_factory=list)


def make_invitations(
    orders: Sequence[Order],
    shop: Shop,
    secret: bytes,
    siteurl: str,
    today: dt.date,
    valid_days: int,
    delay_days: int,
    default_lang: str,
) -> list[Invitation]:
    """One invitation per order that could be read, by the same rules for every order.

    An invitation is due ``delay_days`` after delivery (after ``today`` when
    the file gives no date). Its links expire ``valid_days`` after that day,
    or after today for an invitation that is already due, so nobody is sent
    a link that has expired.
    """
    rs = shop.settings
    used = {"index"}  # inserts/index.html prints them all
    invitations = []
    for order in orders:
        if order.skipped:
            continue
        send_on = (order.delivered or today) + dt.timedelta(days=delay_days)
        expires = max(send_on, today) + dt.timedelta(days=valid_days)
        token = tokens.make_order_token(
            secret, order.order, order.products if order.products_named else None, expires
        )
        invitation = Invitation(
            order=order,
            stem=file_stem(order.order, used),
            text_lang=texts.text_language(order.lang, default_lang),
            send_on=send_on,
            expires=expires,
            link=links.invitation_link(siteurl, rs, None, token),
        )
        for slug in order.products:
            token = tokens.make_token(secret, order.order, slug, expires)
            invitation.product_links.append(
                (slug, shop.products[slug].title, links.invitation_link(siteurl, rs, slug, token))
            )
        invitations.append(invitation)
    return invitations


def file_stem(order: str, used: set[str]) -> str:
    """A safe, unique file name for an order number.

    Order numbers come from outside: ``../../x`` or ``#1001`` must not pick
    the folder a file lands in. Anything but letters, digits, ``.``, ``_``
    and ``-`` becomes ``-``, and names are unique regardless of case, as
    on the file systems of Windows and macOS.
    """
    stem = _UNSAFE.sub("-", order).strip(".-_")[:STEM_MAX].rstrip(".-_") or "order"
    if stem.casefold() in _WINDOWS_RESERVED:
        stem = f"order-{stem}"
    candidate, number = stem, 2
    while candidate.casefold() in used:
        candidate, number = f"{stem}-{number}", number + 1
    used.add(candidate.casefold())
    return candidate


def spreadsheet_safe(value: str) -> str:
    """The cell with a ``'`` in front when a spreadsheet would run it as a formula.

    Names, order numbers and addresses come from the export, so a name like
    ``=HYPERLINK(...)`` must not become a live formula on the shop owner's
    computer. A cell counts as one when it starts with one of
    :data:`FORMULA_STARTS`, after any spaces (a spreadsheet may skip them).
    Every other cell stays exactly as it was, so mail tools read the same
    file: ``Anne-Marie`` and the tool's own ``https://`` links are untouched.
    """
    return "'" + value if value.lstrip(" ")[:1] in FORMULA_STARTS else value


def write_csv(path: Path, invitations: Sequence[Invitation], shop: Shop, default_lang: str) -> None:
    """invitations.csv: a row per order with an e-mail address, for any mail tool.

    Written to a temporary file first, so a mail tool never reads half a list.
    Every cell passes :func:`spreadsheet_safe`: most hold the export's words
    (the subject and body include the name, order number and shop name).
    """
    shop_name = shop.settings["REVIEWS_SHOP_NAME"]
    incentive = shop.settings["REVIEWS_INCENTIVE"]
    temporary = path.with_name(f".{path.name}.tmp")
    with open(temporary, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(CSV_COLUMNS)
        for invitation in invitations:
            order = invitation.order
            if not order.email:
                continue
            subject, body = texts.compose(
                invitation.text_lang,
                name=order.name,
                order=order.order,
                shop=shop_name,
                product_links=[(title, link) for _, title, link in invitation.product_links],
                general_link=invitation.link,
                expires=invitation.expires,
                incentive=incentive,
            )
            first_link = invitation.product_links[0][2] if invitation.product_links else invitation.link
            lang = order.lang or default_lang
            cells = [order.order, order.email, order.name, lang, first_link, subject, body]
            writer.writerow([*(spreadsheet_safe(cell) for cell in cells), invitation.send_on.isoformat()])
    os.replace(temporary, path)
