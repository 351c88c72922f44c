"""The inbox's settings: the site's pelicanconf.py first, the environment over it.

Environment variables win so that secrets and deployment details (database
path, allowed origins) can live in a systemd unit instead of the site files.
A value from the environment is text, so it is checked here (the settings
file's values were checked by :func:`get_settings`): a mistake in a unit file
is a line naming the variable, never a traceback.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from .. import tokens
from ..content import site_settings
from ..content.settings import get_settings
from ..errors import UsageError
from ..site.urls import Urls
from .store import Database

ENVIRONMENT = {
    "REDRESS_INBOX_DB": "REVIEWS_INBOX_DB",
    "REDRESS_INBOX_ORIGINS": "REVIEWS_INBOX_ORIGINS",
    "REDRESS_INBOX_MAX_BYTES": "REVIEWS_INBOX_MAX_BYTES",
    "REDRESS_INBOX_RATE_PER_MINUTE": "REVIEWS_INBOX_RATE_PER_MINUTE",
    "REDRESS_INBOX_TRUST_PROXY": "REVIEWS_INBOX_TRUST_PROXY",
    "REDRESS_INBOX_SYNCHRONOUS": "REVIEWS_INBOX_SYNCHRONOUS",
    "REDRESS_INBOX_NOTIFY_EMAIL": "REVIEWS_INBOX_NOTIFY_EMAIL",
    "REDRESS_INBOX_SMTP_HOST": "REVIEWS_INBOX_SMTP_HOST",
    "REDRESS_INBOX_SMTP_PORT": "REVIEWS_INBOX_SMTP_PORT",
    "REDRESS_INBOX_SMTP_FROM": "REVIEWS_INBOX_SMTP_FROM",
    "REDRESS_INBOX_WEBHOOK": "REVIEWS_INBOX_WEBHOOK",
    "REDRESS_INBOX_ALLOW_NULL_ORIGIN": "REVIEWS_INBOX_ALLOW_NULL_ORIGIN",
    "REDRESS_INBOX_HEADER_TIMEOUT": "REVIEWS_INBOX_HEADER_TIMEOUT",
    "REDRESS_INBOX_BODY_TIMEOUT": "REVIEWS_INBOX_BODY_TIMEOUT",
    "REDRESS_INBOX_MAX_CONNECTIONS": "REVIEWS_INBOX_MAX_CONNECTIONS",
}
#: What a browser sends as the Origin of a page that does not tell (see ``allow_null_origin``).
NULL_ORIGIN = "null"


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


@dataclass
class InboxConfig:
    settings: dict[str, Any]  # Pelican's
    rs: dict[str, Any]  # REVIEWS_* merged
    site_root: Path
    #: REDRESS_SECRET; empty for the commands that neither sign nor check (``need_secret=False``).
    secret: bytes
    #: REVIEWS_INBOX_DB: a SQLite file (relative to the settings file) or a PostgreSQL URL.
    database: Database
    origins: set[str]
    max_bytes: int
    rate_per_minute: int
    trust_proxy: bool
    synchronous: str
    thanks_urls: dict[str, str]
    notify_email: str | None
    smtp_host: str
    smtp_port: int
    smtp_from: str | None
    webhook: str | None
    urls: Urls = field(repr=False, default=None)  # type: ignore[assignment]
    #: Take posts that do not say which page sent them (`Origin: null`, or neither Origin
    #: nor Referer). Only for an inbox on another origin than its pages (`redress preview` needs none).
    allow_null_origin: bool = False
    #: Seconds a client may take to send a request's headers, and then its body.
    header_timeout: float = 10.0
    body_timeout: float = 30.0
    #: Connections open at once; the service may allow fewer if the open-file limit is lower.
    max_connections: int = 500


def _flag(value: Any) -> bool:
    return str(value).strip().lower() in ("1", "true", "yes", "on")


def _env_name(key: str) -> str:
    return next(env for env, setting in ENVIRONMENT.items() if setting == key)


def _number(values: dict[str, Any], key: str, whole: bool, low: float) -> Any:
    """A number setting; a text (from the environment) is parsed, and refused with a line if it is none."""
    value = values[key]
    if not isinstance(value, str):
        return value
    try:
        number: float = int(value) if whole else float(value)
    except ValueError:
        number = float("nan")
    if not (low <= number < float("inf")):
        kind = "a whole number" if whole else "a number of seconds"
        raise UsageError(f"{_env_name(key)} is {value!r}; use {kind} of {low:g} or more") from None
    return number


def load_config(
    settings_file: str | Path,
    environ: dict[str, str] | None = None,
    *,
    need_secret: bool = True,
    siteurl: str | None = None,
) -> InboxConfig:
    """The inbox's settings from `settings_file`, the environment over them.

    ``need_secret=False`` is for the commands that sign and check nothing
    (`list`, `publish`, `withhold`, `dismiss`): they run without
    REDRESS_SECRET, so a shop owner looking at the inbox is not asked for a
    secret it does not use; their ``secret`` is empty. ``siteurl`` is the
    address the pages are served from when it is not SITEURL (`redress
    preview` serves them on its own address): the thank-you pages and the
    pages sent back after a mistake are there, and its origin may post.
    """
    environ = dict(os.environ if environ is None else environ)
    settings_path = Path(settings_file).resolve()
    settings = site_settings.load_settings(settings_path)
    rs = get_settings(settings)
    values = {key: rs[key] for key in ENVIRONMENT.values()}
    for env_key, key in ENVIRONMENT.items():
        if environ.get(env_key):
            values[key] = environ[env_key]
    site_root = settings_path.parent
    database = Database.from_setting(values["REVIEWS_INBOX_DB"], site_root)
    served_from = siteurl
    siteurl = served_from or settings.get("SITEURL", "") or ""
    urls = Urls(rs, siteurl)
    origins_value = values["REVIEWS_INBOX_ORIGINS"]
    if origins_value is None:
        origins = {origin_of(siteurl), origin_of(rs["REVIEWS_PREVIEW_URL"])}
    elif isinstance(origins_value, str):
        origins = {o.strip().rstrip("/") for o in origins_value.split(",")}
    else:
        origins = {str(o).strip().rstrip("/") for o in origins_value}
    # "null" among the origins says the same as REVIEWS_INBOX_ALLOW_NULL_ORIGIN. It is kept
    # out of the origins themselves, so no answer ever allows "null" to read it (CORS).
    allow_null = _flag(values["REVIEWS_INBOX_ALLOW_NULL_ORIGIN"]) or NULL_ORIGIN in origins
    origins.discard(NULL_ORIGIN)
    if served_from:
        origins.add(origin_of(served_from))  # the pages' own origin, whatever else is allowed
    return InboxConfig(
        settings=settings,
        rs=rs,
        site_root=site_root,
        secret=tokens.secret_from_env(environ) if need_secret else b"",
        database=database,
        origins={o for o in origins if o},
        max_bytes=int(_number(values, "REVIEWS_INBOX_MAX_BYTES", whole=True, low=1)),
        rate_per_minute=int(_number(values, "REVIEWS_INBOX_RATE_PER_MINUTE", whole=True, low=0)),
        trust_proxy=_flag(values["REVIEWS_INBOX_TRUST_PROXY"]),
        synchronous=str(values["REVIEWS_INBOX_SYNCHRONOUS"]),
        thanks_urls={kind: urls.absolute(urls.thanks(kind)) for kind in ("review", "follow-up")},
        notify_email=values["REVIEWS_INBOX_NOTIFY_EMAIL"] or None,
        smtp_host=str(values["REVIEWS_INBOX_SMTP_HOST"]),
        smtp_port=int(_number(values, "REVIEWS_INBOX_SMTP_PORT", whole=True, low=1)),
        smtp_from=values["REVIEWS_INBOX_SMTP_FROM"] or None,
        webhook=values["REVIEWS_INBOX_WEBHOOK"] or None,
        urls=urls,
        allow_null_origin=allow_null,
        header_timeout=float(_number(values, "REVIEWS_INBOX_HEADER_TIMEOUT", whole=False, low=0.001)),
        body_timeout=float(_number(values, "REVIEWS_INBOX_BODY_TIMEOUT", whole=False, low=0.001)),
        max_connections=int(_number(values, "REVIEWS_INBOX_MAX_CONNECTIONS", whole=True, low=1)),
    )
