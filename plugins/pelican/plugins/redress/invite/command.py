"""`redress invite`: a review invitation for every order in an order export.

The seed articles' advice is to ask *every* customer, through an easy mobile
process, and never only the happy ones. So this command invites every order
in the file the same way: it has no option to pick customers by anything
they said or rated, and ``--delay-days`` is one rule for all.

For each order it writes, into a private folder (never inside the site's
output or content: it holds e-mail addresses and signed links):

- ``invitations.csv``: a row for any mail tool, with the e-mail text in the
  customer's language (:mod:`redress.invite.texts`);
- ``qr/<order>.svg`` and ``.png``: the QR code of the order's link, and
  ``inserts/<order>.html``: a printable A6 insert (:mod:`redress.inserts`),
  with ``inserts/index.html`` to print them all.

Links point at the site's review forms (:mod:`redress.links`) and carry a
token (:mod:`redress.tokens`) that expires ``--valid-days`` after the day the
invitation is due. Reading the export is :mod:`redress.orders`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import sys
import textwrap
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from .. import templating, tokens
from ..content import site_settings
from ..content.shop import load_shop
from ..errors import UsageError
from . import links, texts
from .inserts import INSERTS_DIR, QR_DIR, Printer, PrinterSettings, PrintJob, print_all
from .invitations import CSV_COLUMNS, CSV_NAME, Invitation, make_invitations, write_csv
from .orders import COLUMNS, OrderFile, read_orders
from .progress import Progress

logger = logging.getLogger(__name__)


class InviteError(UsageError):
    """Something stops the whole run (no site address, a bad --out); the message says what to do."""


# -- the command -------------------------------------------------------------------


def add_parser(commands: Any) -> None:
    """Register `redress invite` with the `redress` command."""
    parser = commands.add_parser(
        "invite",
        help="invite every customer in an order export to review: links, QR codes, inserts, e-mails",
        description=textwrap.fill(
            "Write a review invitation for every order in ORDERS.csv: signed links to the review "
            "forms, a QR code and a printable A6 insert per order, and invitations.csv with the "
            "e-mail text for any mail tool. Every order in the file is invited, the same way. "
            f"Needs {tokens.SECRET_ENV} (make one with `redress secret`).",
            width=90,
        ),
        epilog=columns_help(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("orders", metavar="ORDERS.csv", help="the order export (its columns are below)")
    parser.add_argument(
        "--out",
        required=True,
        metavar="DIR",
        help="folder to write to, outside the site's output and content folders (it holds e-mail "
        "addresses and signed links); made when missing; an order's files from an earlier run are "
        "overwritten",
    )
    parser.add_argument(
        "--valid-days",
        type=_whole(1),
        default=90,
        metavar="N",
        help="days a link keeps working after its invitation is due (default: %(default)s)",
    )
    parser.add_argument(
        "--delay-days",
        type=_whole(0),
        default=7,
        metavar="N",
        help="days after delivery an invitation is due, the same for every order (default: %(default)s)",
    )
    parser.add_argument(
        "--settings",
        metavar="FILE",
        help="the site's settings (default: publishconf.py in this folder, else pelicanconf.py)",
    )
    parser.add_argument(
        "--site-url", metavar="URL", help="the site's public address (default: SITEURL in the settings)"
    )
    parser.add_argument(
        "--today",
        type=_date,
        metavar="YYYY-MM-DD",
        help="the run's date, for repeatable runs (default: today)",
    )
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress output")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Invite every order: 0 when every row was fine, 1 when some had problems, 2 when none could run."""
    started = time.perf_counter()
    secret = tokens.secret_from_env()
    text_problems = texts.check_texts()
    if text_problems:
        raise InviteError(["the invitation texts have problems:", *text_problems])
    settings = load_settings(args.settings)
    siteurl = site_url(args.site_url, settings)
    shop = load_shop(settings)
    order_file = read_orders(Path(args.orders), args.orders, shop.products)
    out = prepare_out(Path(args.out), settings)
    if not args.quiet:
        _describe_columns(order_file, args.orders)
    for problem in order_file.problems:
        print(problem, file=sys.stderr)
    default_lang = settings.get("DEFAULT_LANG") or "en"
    invitations = make_invitations(
        order_file.orders,
        shop,
        secret,
        siteurl,
        args.today or dt.date.today(),
        args.valid_days,
        args.delay_days,
        default_lang,
    )
    for invitation in invitations:
        order = invitation.order
        if order.products and not tokens.order_token_covers(order.products):
            print(
                f"{args.orders}:{order.line}: order {order.order} has {len(order.products)} products, "
                "more than its own link (QR code, insert) can name: that link verifies a review of the "
                "shop, and each product's link in the e-mail verifies that product",
                file=sys.stderr,
            )
    jobs = [PrintJob(i.stem, i.order.order, i.text_lang, i.link) for i in invitations]
    printer = PrinterSettings(
        str(out), shop.settings["REVIEWS_SHOP_NAME"], templating.template_settings(settings)
    )

    def write_lists() -> None:
        write_csv(out / CSV_NAME, invitations, shop, default_lang)
        Printer(printer).write_index(jobs, texts.text_language("", default_lang))

    try:
        with Progress(len(jobs), enabled=not args.quiet, label="invite", unit="orders") as progress:
            print_all(jobs, printer, progress, meanwhile=write_lists)
    except OSError as err:
        raise InviteError(f"cannot write {err.filename or out}: {err.strerror}") from None
    print(summary(order_file, invitations, args.orders, args.out, time.perf_counter() - started))
    return 1 if order_file.problems else 0


# -- what the site says --------------------------------------------------------------


def load_settings(path_arg: str | None) -> dict[str, Any]:
    """The site's Pelican settings: --settings, else publishconf.py, else pelicanconf.py here."""
    return site_settings.load_settings(site_settings.settings_path(path_arg, "redress invite"))


def site_url(override: str | None, settings: dict[str, Any]) -> str:
    """The absolute address links start with: --site-url, else SITEURL."""
    value = override if override is not None else settings.get("SITEURL", "")
    siteurl = links.absolute_site_url(value)
    if siteurl is None:
        where = "--site-url" if override is not None else "SITEURL in the settings"
        raise InviteError(
            f"{where} is {value!r}, but an invitation needs the address the site is published at, "
            "like https://reviews.example.com: use the settings you publish with "
            "(--settings publishconf.py) or give --site-url"
        )
    return siteurl


def prepare_out(out: Path, settings: dict[str, Any]) -> Path:
    """The private folder for invitations, with its qr/ and inserts/ folders."""
    target = site_settings.private_folder(
        out, settings, "Invitations hold e-mail addresses and signed links", "invitations"
    )
    try:
        for sub in (QR_DIR, INSERTS_DIR):
            (target / sub).mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise InviteError(f"--out {out}: cannot make the folder: {err.strerror}") from None
    return target


# -- telling the shop owner ------------------------------------------------------------


def summary(
    order_file: OrderFile, invitations: Sequence[Invitation], path: str, out: str, seconds: float
) -> str:
    """The last line of a run: what was read, what was written, and what to fix."""
    emails = sum(1 for i in invitations if i.order.email)
    text = (
        f"redress invite: {len(order_file.orders)} orders in {path}; {len(invitations)} invitations "
        f"written to {out} ({emails} e-mails in {CSV_NAME}, QR codes in {QR_DIR}/, inserts to print in "
        f"{INSERTS_DIR}/index.html) in {seconds:.1f} s"
    )
    rows = order_file.problem_lines
    if rows:
        text += (
            f"; {rows} row(s) with problems, listed above: fix them and run again (the orders already "
            "written are fine to use, and are written again the same)"
        )
    return text + "."


def _describe_columns(order_file: OrderFile, path: str) -> None:
    """Say which column was taken for what, so a wrong guess is seen before anything is sent."""
    used = ", ".join(f"{key} = {header!r}" for key, header in order_file.columns.items())
    delimiter = {",": "comma", ";": "semicolon", "\t": "tab"}[order_file.delimiter]
    print(f"{path}: {order_file.rows} rows ({delimiter}-separated); columns: {used}", file=sys.stderr)
    if "products" not in order_file.columns:
        print(f"{path}: no products column, so every order gets its general invitation only", file=sys.stderr)
    if "delivered" not in order_file.columns:
        print(
            f"{path}: no delivery date column, so every invitation is due --delay-days from today",
            file=sys.stderr,
        )


def columns_help() -> str:
    """The columns an export may have, for `redress invite --help`."""
    lines = ["columns of ORDERS.csv (names compare without case, spaces, dashes, dots or underscores):"]
    for column in COLUMNS:
        need = "required" if column.required else "optional"
        names = ", ".join(column.names)
        lines += textwrap.wrap(
            f"{column.key} ({need}, {column.what}): {names}",
            width=100,
            initial_indent="  ",
            subsequent_indent="      ",
        )
    lines += [
        "  A Shopify export (Lineitem columns) gives the order number as Name; one order may take",
        "  several rows, one per product. Several products in one cell: separate them with ; | or ,",
        "  and use the product's file name (slug) or its SKU. Dates: 2026-10-02 (a time may follow)",
        "  or 02-10-2026 (day first). A missing language is the site's DEFAULT_LANG; e-mail text",
        "  exists in English, Dutch and Estonian, other languages get English.",
        "",
        f"writes to --out: {CSV_NAME} ({','.join(CSV_COLUMNS)}),",
        "  qr/<order>.svg and qr/<order>.png, inserts/<order>.html and inserts/index.html.",
        "exit status: 0 all rows fine, 1 some rows had problems (the others are written), 2 nothing ran.",
    ]
    return "\n".join(lines)


def _whole(low: int) -> Callable[[str], int]:
    """An argparse type: a whole number of at least ``low``."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            value = low - 1
        if value < low:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of {low} or more")
        return value

    return parse


def _date(text: str) -> dt.date:
    """An argparse type: an ISO date."""
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2026-10-02") from None
