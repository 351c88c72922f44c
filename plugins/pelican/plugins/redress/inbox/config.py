"""The inbox's settings: the site's pelicanconf.py first, the environment over it.

Environment variables win so that secrets and deployment details (database
path, allowed origins) can live in a systemd unit instead of the site files.
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
from ..site.urls import Urls

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
}


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


@dataclass
class InboxConfig:
    settings: dict[str, Any]  # Pelican's
    rs: dict[str, Any]  # REVIEWS_* merged
    site_root: Path
    secret: bytes
    db_path: Path
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


def _flag(value: Any) -> bool:
    return str(value).strip().lower() in ("1", "true", "yes", "on")


def load_config(settings_file: str | Path, environ: dict[str, str] | None = None) -> InboxConfig:
    environ = dict(os.environ if environ is None else environ)
    settings_path = Path(settings_file).resolve()
    settings = site_settings.load_settings(settings_path)
    rs = get_settings(settings)
    values = {key: rs[key] for key in ENVIRONMENT.values()}
    for env_key, key in ENVIRONMENT.items():
        if environ.get(env_key):
            values[key] = environ[env_key]
    site_root = settings_path.parent
    db_path = Path(values["REVIEWS_INBOX_DB"])
    if not db_path.is_absolute():
        db_path = site_root / db_path
    siteurl = settings.get("SITEURL", "") or ""
    urls = Urls(rs, siteurl)
    origins_value = values["REVIEWS_INBOX_ORIGINS"]
    if origins_value is None:
        origins = {origin_of(siteurl), origin_of(rs["REVIEWS_PREVIEW_URL"])}
    elif isinstance(origins_value, str):
        origins = {o.strip().rstrip("/") for o in origins_value.split(",")}
    else:
        origins = {str(o).rstrip("/") for o in origins_value}
    return InboxConfig(
        settings=settings,
        rs=rs,
        site_root=site_root,
        secret=tokens.secret_from_env(environ),
        db_path=db_path,
        origins={o for o in origins if o},
        max_bytes=int(values["REVIEWS_INBOX_MAX_BYTES"]),
        rate_per_minute=int(values["REVIEWS_INBOX_RATE_PER_MINUTE"]),
        trust_proxy=_flag(values["REVIEWS_INBOX_TRUST_PROXY"]),
        synchronous=str(values["REVIEWS_INBOX_SYNCHRONOUS"]),
        thanks_urls={kind: urls.absolute(urls.thanks(kind)) for kind in ("review", "follow-up")},
        notify_email=values["REVIEWS_INBOX_NOTIFY_EMAIL"] or None,
        smtp_host=str(values["REVIEWS_INBOX_SMTP_HOST"]),
        smtp_port=int(values["REVIEWS_INBOX_SMTP_PORT"]),
        smtp_from=values["REVIEWS_INBOX_SMTP_FROM"] or None,
        webhook=values["REVIEWS_INBOX_WEBHOOK"] or None,
        urls=urls,
    )
