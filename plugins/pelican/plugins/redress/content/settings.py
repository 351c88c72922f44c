"""Every REVIEWS_* default in one place.

A site's ``pelicanconf.py`` overrides any of these; :func:`get_settings`
overlays them on these defaults, so the rest of the package never has to
guess a default of its own. The README's settings table mirrors this file.
"""

from __future__ import annotations

import logging
import os
from typing import Any

from pelican.settings import DEFAULT_CONFIG

from ..errors import RedressError
from .rules import is_email

logger = logging.getLogger(__name__)

DEFAULTS: dict[str, Any] = {
    # Where the shop owner keeps the files, relative to Pelican's PATH.
    "REVIEWS_REVIEW_DIR": "reviews",
    "REVIEWS_RESPONSE_DIR": "responses",
    "REVIEWS_PRODUCT_DIR": "products",
    # The rating scale: 5 (stars) or 10.
    "REVIEWS_SCALE": 5,
    # Ratings at or below this count as negative. None: 2 on a 1..5 scale,
    # 4 on a 1..10 scale.
    "REVIEWS_NEGATIVE_MAX": None,
    "REVIEWS_PER_PAGE": 20,
    # Reviews on each archive page (page/1/ holds the oldest): pages a new review never
    # changes, read less often than the first, so they hold more.
    "REVIEWS_ARCHIVE_PER_PAGE": 50,
    # The shop's name on the pages; None uses SITENAME.
    "REVIEWS_SHOP_NAME": None,
    # URLs, in the manner of Pelican's *_URL / *_SAVE_AS. A SAVE_AS of None
    # is the URL plus "index.html".
    "REVIEWS_INDEX_URL": "reviews/",
    "REVIEWS_INDEX_SAVE_AS": None,
    "REVIEWS_REVIEW_URL": "reviews/{slug}/",
    "REVIEWS_REVIEW_SAVE_AS": None,
    "REVIEWS_PRODUCT_URL": "reviews/products/{slug}/",
    "REVIEWS_PRODUCT_SAVE_AS": None,
    "REVIEWS_STATIC_URL": "reviews/static/",
    # Publication rules, shown in "How reviews work". The hold window is the
    # same for every review whatever its rating.
    "REVIEWS_HOLD_HOURS": 0,
    # A sentence describing an incentive for reviewing, or None for none.
    # Whatever it is, it never depends on the rating.
    "REVIEWS_INCENTIVE": None,
    # How the shop checks that a reviewer bought something; None uses the
    # built-in text (an order behind invited or checked reviews).
    "REVIEWS_VERIFICATION": None,
    # The shop's promise about responses; None uses the built-in text.
    "REVIEWS_RESPONSE_POLICY": None,
    # Link to the shop's privacy notice (shown next to forms); None writes a
    # short built-in note at reviews/privacy/.
    "REVIEWS_PRIVACY_URL": None,
    # Where the review forms send to: the inbox (`redress inbox serve`),
    # usually behind the same host. None: no forms and no "Write a review".
    "REVIEWS_FORM_ACTION": "/inbox/reviews",
    "REVIEWS_FOLLOWUP_ACTION": "/inbox/follow-ups",
    # Link back to the shop itself; None uses SITEURL.
    "REVIEWS_SHOP_URL": None,
    # The response feeds (RSS 2.0 and Atom); None turns one off.
    "REVIEWS_FEED_RSS": "reviews/feed.rss",
    "REVIEWS_FEED_ATOM": "reviews/feed.atom",
    "REVIEWS_PRODUCT_FEED_RSS": "reviews/products/{slug}/feed.rss",
    "REVIEWS_PRODUCT_FEED_ATOM": "reviews/products/{slug}/feed.atom",
    "REVIEWS_FEED_MAX_ITEMS": 50,
    # The feed's title and description; None uses the built-in text.
    "REVIEWS_FEED_TITLE": None,
    "REVIEWS_FEED_DESCRIPTION": None,
    # Stop the build when SITEURL is not absolute (publishconf.py sets it):
    # a published feed must never carry preview addresses.
    "REVIEWS_REQUIRE_SITEURL": False,
    # Feeds, widgets and structured data need absolute addresses. Without a
    # SITEURL (a local preview build) they use this one, with a warning.
    "REVIEWS_PREVIEW_URL": "http://127.0.0.1:8000",
    # The review inbox (`redress inbox serve`); environment variables
    # REDRESS_INBOX_* override these (see the README).
    # A SQLite file, relative to the settings file; or, for several inbox
    # instances, a postgresql://USER@HOST/DATABASE URL without a password
    # (the inbox takes that from PGPASSWORD or ~/.pgpass in its environment).
    "REVIEWS_INBOX_DB": "inbox/inbox.sqlite3",
    "REVIEWS_INBOX_ORIGINS": None,  # None: the site's own origin and the preview origin
    "REVIEWS_INBOX_MAX_BYTES": 64 * 1024,
    "REVIEWS_INBOX_RATE_PER_MINUTE": 20,  # posts per client address; 0 turns it off
    "REVIEWS_INBOX_TRUST_PROXY": False,  # client address from X-Forwarded-For
    "REVIEWS_INBOX_SYNCHRONOUS": "NORMAL",  # FULL also survives power loss, slower
    "REVIEWS_INBOX_NOTIFY_EMAIL": None,  # e-mail the shop owner about each submission
    "REVIEWS_INBOX_SMTP_HOST": "localhost",
    "REVIEWS_INBOX_SMTP_PORT": 25,
    "REVIEWS_INBOX_SMTP_FROM": None,
    "REVIEWS_INBOX_WEBHOOK": None,  # POST a JSON notice to this URL per submission
    # Posts that do not say which page sent them (`Origin: null`, or neither
    # Origin nor Referer) are refused like a foreign site's: a page anywhere
    # can send those from its visitors' browsers. Only a local demo with the
    # inbox on another port than the pages needs True (see pelicanconf.py).
    "REVIEWS_INBOX_ALLOW_NULL_ORIGIN": False,
    # Slow clients: seconds a connection may take to send a request's
    # headers, and its body; and how many connections are open at once
    # (beyond it, the one that has waited longest for its client is closed).
    "REVIEWS_INBOX_HEADER_TIMEOUT": 10,
    "REVIEWS_INBOX_BODY_TIMEOUT": 30,
    "REVIEWS_INBOX_MAX_CONNECTIONS": 500,
    # The desk (`redress check`, `respond`, `report`): hours a negative review
    # may wait for a first answer, and days an "in-progress" case may go
    # without news, before the checker says so.
    "REVIEWS_RESPONSE_DEADLINE_HOURS": 48,
    "REVIEWS_FOLLOWUP_DAYS": 7,
    # The shop's own public e-mail addresses and phone numbers: never hidden
    # in the shop's responses (nor are addresses at the domain of SITEURL or
    # REVIEWS_SHOP_URL), so "mail us at support@…" stays readable.
    "REVIEWS_SHOP_CONTACTS": [],
    # A folder of the shop's own response templates (<lang>/<name>.md) for
    # `redress respond`, relative to the settings file; they win over the
    # built-in ones of the same name.
    "REVIEWS_RESPONSE_TEMPLATES": "response-templates",
    # Cache parsed and rendered reviews between builds.
    "REVIEWS_CACHE": True,
    # The pages' layout: "theme" (inside the site theme's own base.html, with
    # its menu, sidebar and footer), "standalone" (Redress's own page), or
    # None: "theme" whenever the theme has a base.html.
    "REVIEWS_LAYOUT": None,
    # The review page in the theme's menu (MENUITEMS): True ("Reviews" in the
    # page's language), a title of your own, or False for no menu item.
    "REVIEWS_MENU": True,
    # `redress import`: how reviewers' names from another platform are shown:
    # "short" ("Jan de Vries" as "Jan de V."), "full", or "none" (no name).
    "REVIEWS_IMPORT_NAMES": "short",
    # `redress import`'s private record of what it wrote (each file's
    # fingerprint, the platforms' own ids), relative to the settings file;
    # never inside the content, output or theme folders.
    "REVIEWS_IMPORT_LEDGER": "imports/ledger.json",
}

IMPORT_NAMES = ("short", "full", "none")

LAYOUTS = ("theme", "standalone")

SCALES = (5, 10)


class SettingsError(RedressError):
    """REVIEWS_* settings that cannot work; each line names the setting and the fix."""

    def __init__(self, problems: list[str]):
        super().__init__(problems, "reviews: fix the settings above in your settings file and try again.")


def _whole(value: Any, low: int, high: int | None = None) -> bool:
    return (
        isinstance(value, int)
        and not isinstance(value, bool)
        and value >= low
        and (high is None or value <= high)
    )


def _seconds(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and 0 < value < float("inf")


def _inbox_db_problems(value: Any) -> list[str]:
    """REVIEWS_INBOX_DB: a file name, or a PostgreSQL URL that keeps its password out of the file.

    A settings file is kept in git and copied around; a database password in
    it is a password in every copy. The inbox takes it from its environment.
    """
    from urllib.parse import parse_qsl, urlsplit

    if isinstance(value, os.PathLike):
        value = os.fspath(value)
    if not isinstance(value, str) or not value.strip():
        return [
            f'settings: REVIEWS_INBOX_DB is {value!r}; use a file name like "inbox/inbox.sqlite3", '
            'or a PostgreSQL URL like "postgresql://reviews@db.example/reviews"'
        ]
    if not value.strip().lower().startswith(("postgresql://", "postgres://")):
        return []
    try:
        parts = urlsplit(value.strip())
        parts.port  # noqa: B018 - raises ValueError on an address that cannot be read
    except ValueError:
        return [
            "settings: REVIEWS_INBOX_DB is a PostgreSQL URL that cannot be read; write it as "
            '"postgresql://USER@HOST[:PORT]/DATABASE", with the password in PGPASSWORD or ~/.pgpass'
        ]
    if parts.password is not None or any(
        k.lower() in ("password", "sslpassword") for k, _ in parse_qsl(parts.query)
    ):
        return [
            "settings: REVIEWS_INBOX_DB holds a password, and a settings file is kept in git; remove it "
            "from the URL and give it to the inbox in its environment: PGPASSWORD (or ~/.pgpass), or "
            "the whole URL in REDRESS_INBOX_DB"
        ]
    return []


def get_settings(settings: dict[str, Any]) -> dict[str, Any]:
    """Return the REVIEWS_* settings with defaults filled in and derived values set.

    Raises SettingsError listing every setting that cannot work.
    """
    merged = {key: settings.get(key, default) for key, default in DEFAULTS.items()}
    for key in settings:
        if key.startswith("REVIEWS_") and key not in DEFAULTS:
            logger.warning(
                "reviews: unknown setting %s in your settings file; known: %s",
                key,
                ", ".join(sorted(DEFAULTS)),
            )
    problems = []
    scale = merged["REVIEWS_SCALE"]
    if scale not in SCALES:
        problems.append(f"settings: REVIEWS_SCALE is {scale!r}; use 5 or 10")
        scale = merged["REVIEWS_SCALE"] = 5
    if merged["REVIEWS_NEGATIVE_MAX"] is None:
        merged["REVIEWS_NEGATIVE_MAX"] = scale * 2 // 5
    elif not _whole(merged["REVIEWS_NEGATIVE_MAX"], 1, scale - 1):
        problems.append(
            f"settings: REVIEWS_NEGATIVE_MAX is {merged['REVIEWS_NEGATIVE_MAX']!r}; "
            f"use a whole number from 1 to {scale - 1}, or None for the default"
        )
    for key, low in (("REVIEWS_PER_PAGE", 1), ("REVIEWS_ARCHIVE_PER_PAGE", 1), ("REVIEWS_FEED_MAX_ITEMS", 0)):
        if not _whole(merged[key], low):
            problems.append(f"settings: {key} is {merged[key]!r}; use a whole number of {low} or more")
    for key in ("REVIEWS_INBOX_HEADER_TIMEOUT", "REVIEWS_INBOX_BODY_TIMEOUT"):
        if not _seconds(merged[key]):
            problems.append(f"settings: {key} is {merged[key]!r}; use a number of seconds above 0")
    if not _whole(merged["REVIEWS_INBOX_MAX_CONNECTIONS"], 1):
        problems.append(
            f"settings: REVIEWS_INBOX_MAX_CONNECTIONS is {merged['REVIEWS_INBOX_MAX_CONNECTIONS']!r}; "
            "use a whole number of 1 or more"
        )
    if not isinstance(merged["REVIEWS_INBOX_ALLOW_NULL_ORIGIN"], bool):
        problems.append(
            f"settings: REVIEWS_INBOX_ALLOW_NULL_ORIGIN is {merged['REVIEWS_INBOX_ALLOW_NULL_ORIGIN']!r}; "
            "use True or False"
        )
    problems += _inbox_db_problems(merged["REVIEWS_INBOX_DB"])
    problems += _desk_problems(merged)
    problems += _layout_problems(merged)
    problems += _import_problems(merged)
    hold = merged["REVIEWS_HOLD_HOURS"]
    if isinstance(hold, bool) or not isinstance(hold, int | float) or hold < 0:
        problems.append(f"settings: REVIEWS_HOLD_HOURS is {hold!r}; use a number of hours, 0 or more")
    problems += _output_path_problems(merged)
    for kind in ("INDEX", "REVIEW", "PRODUCT"):
        url = merged[f"REVIEWS_{kind}_URL"]
        # A listing has pages below it (stars/2/, page/3/, write/): it must be a folder.
        if kind in ("INDEX", "PRODUCT") and isinstance(url, str) and url and not url.endswith("/"):
            example = "reviews/" if kind == "INDEX" else "reviews/products/{slug}/"
            problems.append(
                f"settings: REVIEWS_{kind}_URL is {url!r}; it must be a folder ending in /, like {example!r}"
            )
            continue
        if not isinstance(url, str) or (kind != "INDEX" and "{slug}" not in url):
            problems.append(
                f"settings: REVIEWS_{kind}_URL is {url!r}; it must be a text"
                + ("" if kind == "INDEX" else " containing {slug}, like the default")
            )
            continue
        if merged[f"REVIEWS_{kind}_SAVE_AS"] is None:
            merged[f"REVIEWS_{kind}_SAVE_AS"] = save_as_for(url)
    if problems:
        raise SettingsError(problems)
    if merged["REVIEWS_SHOP_NAME"] is None:
        merged["REVIEWS_SHOP_NAME"] = settings.get("SITENAME", "")
    if merged["REVIEWS_SHOP_URL"] is None:
        merged["REVIEWS_SHOP_URL"] = settings.get("SITEURL", "") or ""
    return merged


#: The settings that name a place in the output folder, as Pelican's *_URL and *_SAVE_AS do.
OUTPUT_PATH_SETTINGS = (
    "REVIEWS_INDEX_URL",
    "REVIEWS_INDEX_SAVE_AS",
    "REVIEWS_REVIEW_URL",
    "REVIEWS_REVIEW_SAVE_AS",
    "REVIEWS_PRODUCT_URL",
    "REVIEWS_PRODUCT_SAVE_AS",
    "REVIEWS_STATIC_URL",
    "REVIEWS_FEED_RSS",
    "REVIEWS_FEED_ATOM",
    "REVIEWS_PRODUCT_FEED_RSS",
    "REVIEWS_PRODUCT_FEED_ATOM",
)


def _output_path_problems(merged: dict[str, Any]) -> list[str]:
    """A place in the output written as a web address from the root ("/reviews/"), or one that
    climbs out of it: said here, with the setting and the fix, not as a traceback when written."""
    problems = []
    for key in OUTPUT_PATH_SETTINGS:
        value = merged[key]
        if not isinstance(value, str) or not value:
            continue
        if value.startswith("/"):
            problems.append(
                f"settings: {key} is {value!r}; it is a place in the output folder, written "
                f"without a leading /, like {value.lstrip('/')!r} (SITEURL comes before it)"
            )
        elif ".." in value.split("/"):
            problems.append(f"settings: {key} is {value!r}; it must stay inside the output folder (no ..)")
    static = merged["REVIEWS_STATIC_URL"]
    if isinstance(static, str) and static and not static.endswith("/") and not static.startswith("/"):
        folder = static + "/"
        problems.append(
            f"settings: REVIEWS_STATIC_URL is {static!r}; it must be a folder ending in /, like {folder!r}"
        )
    return problems


def _desk_problems(merged: dict[str, Any]) -> list[str]:
    """The desk's settings: a deadline and a follow-up period, the shop's contacts, a folder."""
    problems = []
    for key, unit in (("REVIEWS_RESPONSE_DEADLINE_HOURS", "hours"), ("REVIEWS_FOLLOWUP_DAYS", "days")):
        if not _seconds(merged[key]):
            problems.append(f"settings: {key} is {merged[key]!r}; use a number of {unit} above 0")
    contacts = merged["REVIEWS_SHOP_CONTACTS"]
    if isinstance(contacts, str) or not isinstance(contacts, list | tuple):
        problems.append(
            f"settings: REVIEWS_SHOP_CONTACTS is {contacts!r}; use a list of the shop's own e-mail "
            'addresses and phone numbers, like ["support@example.com", "+31 30 123 4567"]'
        )
    else:
        for item in contacts:
            if not isinstance(item, str) or not (is_email(item.strip()) or _phone_like(item)):
                problems.append(
                    f"settings: REVIEWS_SHOP_CONTACTS holds {item!r}, which is neither an e-mail address "
                    "nor a phone number (7 to 15 digits); fix or remove it"
                )
    folder = merged["REVIEWS_RESPONSE_TEMPLATES"]
    if folder is not None and (not isinstance(folder, str) or not folder.strip()):
        problems.append(
            f"settings: REVIEWS_RESPONSE_TEMPLATES is {folder!r}; use a folder name, or None for "
            "the built-in templates only"
        )
    return problems


def _layout_problems(merged: dict[str, Any]) -> list[str]:
    """The pages' layout and their menu item: a known layout, and True, False or a title."""
    problems = []
    layout = merged["REVIEWS_LAYOUT"]
    if layout is not None and layout not in LAYOUTS:
        problems.append(
            f'settings: REVIEWS_LAYOUT is {layout!r}; use "theme" (inside your theme\'s base.html), '
            "\"standalone\" (Redress's own page) or None (the theme's when it has a base.html)"
        )
    menu = merged["REVIEWS_MENU"]
    if not isinstance(menu, bool) and not (isinstance(menu, str) and menu.strip()):
        problems.append(
            f'settings: REVIEWS_MENU is {menu!r}; use True ("Reviews" in your site\'s menu), '
            'a title of your own like "Customer reviews", or False for no menu item'
        )
    return problems


def _import_problems(merged: dict[str, Any]) -> list[str]:
    """`redress import`'s settings: how names are shown, and where its ledger is kept."""
    problems = []
    names = merged["REVIEWS_IMPORT_NAMES"]
    if names not in IMPORT_NAMES:
        problems.append(
            f'settings: REVIEWS_IMPORT_NAMES is {names!r}; use "short" ("Jan de Vries" shown as '
            '"Jan de V."), "full" (the name as the platform shows it) or "none" (no names)'
        )
    ledger = merged["REVIEWS_IMPORT_LEDGER"]
    if not isinstance(ledger, str) or not ledger.strip() or ledger.strip().endswith(("/", "\\")):
        problems.append(
            f'settings: REVIEWS_IMPORT_LEDGER is {ledger!r}; use a file name like "imports/ledger.json" '
            "(next to your settings file, outside the content and output folders)"
        )
    return problems


def _phone_like(value: str) -> bool:
    digits = sum(c.isdigit() for c in value)
    return 7 <= digits <= 15 and not any(c.isalpha() for c in value)


def save_as_for(url: str) -> str:
    """The file a URL is served from: directories get an index.html."""
    return url + "index.html" if (url == "" or url.endswith("/")) else url


def cache_only_where_the_site_caches(settings: dict[str, Any]) -> None:
    """Turn REVIEWS_CACHE off in ``settings`` unless the site keeps a cache.

    Pelican's ``CACHE_PATH`` defaults to ``cache`` in whatever folder
    ``pelican`` (or a ``redress`` command) runs in, and Pelican itself
    writes there only with ``CACHE_CONTENT`` on. Redress's caches
    (``REVIEWS_CACHE``, on by default) made that folder wherever a build or
    a command ran. They are kept when the site asks for a cache: it names a
    ``CACHE_PATH`` in its settings (Pelican then makes it absolute, beside
    the settings file) or turns on ``CACHE_CONTENT`` or
    ``LOAD_CONTENT_CACHE``. The build and the commands both ask here.
    """
    if not settings.get("REVIEWS_CACHE", DEFAULTS["REVIEWS_CACHE"]):
        return
    asked = (
        settings.get("CACHE_CONTENT")
        or settings.get("LOAD_CONTENT_CACHE")
        or settings.get("CACHE_PATH") != DEFAULT_CONFIG["CACHE_PATH"]
    )
    if not asked:
        logger.debug(
            "reviews: the site keeps no cache (no CACHE_PATH, CACHE_CONTENT off), so neither does Redress"
        )
        settings["REVIEWS_CACHE"] = False
