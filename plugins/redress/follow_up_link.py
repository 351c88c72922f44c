"""`redress follow-up-link REVIEW`: the "was it fixed?" link for one reviewer.

After the shop answers a complaint it asks the customer, in private, to say
in public whether it was really fixed. The link carries the same kind of
signed token as the invitation (for the review's private Order), so the
inbox can tell the answer comes from the reviewer.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from typing import Any
from urllib.parse import urlencode

from . import tokens
from .links import TOKEN_PARAM, absolute_site_url
from .model import ContentError
from .settings import get_settings
from .shop import load_shop
from .site_settings import SiteSettingsError, load_settings, settings_path
from .urls import Urls


def _run(args: argparse.Namespace) -> int:
    try:
        settings = load_settings(settings_path(args.settings, "redress follow-up-link"))
    except SiteSettingsError as err:
        print(f"redress: {err}", file=sys.stderr)
        return 2
    siteurl = absolute_site_url(args.site_url or settings.get("SITEURL"))
    if siteurl is None:
        print("redress: the site's address is not absolute; give --site-url https://…", file=sys.stderr)
        return 2
    secret = tokens.secret_from_env()
    try:
        shop = load_shop(settings)
    except ContentError as err:
        print(f"redress: fix the content first:\n{err}", file=sys.stderr)
        return 2
    review = next((r for r in shop.reviews + shop.withheld if r.slug == args.review), None)
    if review is None:
        print(f"redress: there is no review {args.review!r} in content/", file=sys.stderr)
        return 2
    order = review.private.get("order", "")
    if not order:
        print(
            f"redress: {review.source_path} has no Order:, "
            "so a link cannot prove the answer is the reviewer's",
            file=sys.stderr,
        )
        return 2
    expires = dt.date.today() + dt.timedelta(days=args.valid_days)
    token = tokens.make_token(secret, order, "", expires)
    urls = Urls(get_settings(settings), siteurl)
    query = urlencode({TOKEN_PARAM: token, "r": review.slug})
    print(f"{siteurl}/{urls.follow_up()}?{query}")
    return 0


def add_parser(commands: Any) -> None:
    parser = commands.add_parser(
        "follow-up-link",
        help='print the "was it fixed?" link to send one reviewer',
        description="Print the link to the follow-up form for the customer who wrote REVIEW.",
    )
    parser.add_argument("review", help="the review's file name without .md")
    parser.add_argument(
        "--settings", help="the site's settings file (default: publishconf.py or pelicanconf.py)"
    )
    parser.add_argument("--site-url", help="the site's public address, if SITEURL is not set")
    parser.add_argument("--valid-days", type=int, default=60, help="how long the link works (default 60)")
    parser.set_defaults(run=_run)
