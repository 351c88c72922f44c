"""`redress preview`: the built pages and the inbox on one local address, to try everything.

A shop deploys the pages and the inbox on one host name, the inbox behind
`/inbox/`; the forms post there (`REVIEWS_FORM_ACTION = "/inbox/reviews"`).
Trying that locally with two servers (Pelican's on :8000, the inbox on :8787)
is not the same thing: Pelican's server answers a form's POST with 501, and
on two origins a browser without JavaScript tells the inbox neither where
the form came from nor which invitation link it was opened from, so an
invited review arrives unverified. So this serves both from one uvicorn app
on one socket: the inbox's own app mounted where the forms post, and the
output folder as static files everywhere else.

It reads pelicanconf.py unless told otherwise, as `pelican content` does
(never publishconf.py, whose addresses are the production host's), and says
so in its first line. The inbox sends the customer back to this address
(its thank-you pages, and a form with a mistake marked), not to SITEURL or
REVIEWS_PREVIEW_URL. It listens like `redress inbox serve`: it binds its own
socket (port 0 picks a free one) and prints the real address.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from ..content.site_settings import SiteSettingsError, settings_path
from ..errors import UsageError
from .commands import address_of, listen
from .config import InboxConfig, load_config

if TYPE_CHECKING:  # Starlette is imported when the preview starts, not for `redress --help`
    from starlette.applications import Starlette

#: Where each form posts, and the name the inbox answers it under (``POST /reviews``).
FORM_ACTIONS = {"REVIEWS_FORM_ACTION": "reviews", "REVIEWS_FOLLOWUP_ACTION": "follow-ups"}
DEFAULT_SETTINGS = "pelicanconf.py"
DEFAULT_PORT = 8000


def preview_settings(path_arg: str | None) -> Path:
    """--settings, else pelicanconf.py: the file the local build reads, never publishconf.py."""
    if path_arg:
        return settings_path(path_arg, "redress preview").resolve()
    path = Path(DEFAULT_SETTINGS)
    if not path.is_file():
        raise SiteSettingsError(
            f"no {DEFAULT_SETTINGS} in this folder; run `redress preview` in your site's folder "
            "or give --settings FILE"
        )
    return path.resolve()


def inbox_folders(rs: dict[str, Any]) -> tuple[list[str], list[str]]:
    """The folders to mount the inbox under, from where the built forms post; and warnings.

    A form action is a path such as ``/inbox/reviews``: the inbox goes under
    ``/inbox``, as a web server in front of it puts it there. An action on
    another origin, or one the inbox cannot answer, is served nothing here,
    and a warning says how to build the forms so they post to the preview.
    """
    folders: list[str] = []
    warnings: list[str] = []
    for key, name in FORM_ACTIONS.items():
        action = rs.get(key)
        if not action:
            continue  # this form is not written at all
        parts = urlsplit(str(action))
        folder, _slash, last = parts.path.rpartition("/")
        fix = f'set {key} = "/inbox/{name}" (as publishconf.py does) and build again to try this form here'
        if parts.scheme or parts.netloc:
            warnings.append(f"the pages' {key} is {action}, another address than this preview: {fix}")
        elif last != name or not folder.startswith("/"):
            warnings.append(f"the pages' {key} is {action}, where the inbox answers nothing: {fix}")
        elif folder not in folders:
            folders.append(folder)
    return folders, warnings


def preview_app(inbox: Starlette, output: Path, folders: list[str]) -> Starlette:
    """The inbox app under each of `folders`, and the output folder's files everywhere else.

    Starlette runs only the outer app's lifespan, so this one runs the
    inbox's (its start line and its notifier) inside its own.
    """
    from starlette.applications import Starlette
    from starlette.routing import Mount
    from starlette.staticfiles import StaticFiles

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        async with inbox.router.lifespan_context(inbox):
            yield

    routes = [Mount(folder, app=inbox) for folder in folders]
    # html=True: a folder's index.html answers for the folder, as on any web server.
    routes.append(Mount("/", app=StaticFiles(directory=output, html=True)))
    return Starlette(routes=routes, lifespan=lifespan)


def output_folder(path_arg: str | None, config: InboxConfig, settings_file: Path) -> Path:
    """--output, else OUTPUT_PATH (relative to this folder, where `pelican content` writes it)."""
    output = Path(path_arg or config.settings["OUTPUT_PATH"]).resolve()
    if not output.is_dir():
        raise UsageError(
            f"{output} does not exist: build the site first (pelican content -s {settings_file.name}) "
            "or give --output FOLDER"
        )
    return output


def say(line: str) -> None:
    """One line for the owner, on stderr with the service's log, at once (a test reads it too)."""
    print(f"redress preview: {line}", file=sys.stderr, flush=True)


def preview(args: argparse.Namespace) -> int:
    from . import server
    from .app import create_app

    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stderr, force=True)
    settings_file = preview_settings(args.settings)
    sock = listen(args.host, args.port)
    try:
        address = address_of(sock)
        # First, before reading the settings can log anything: which file, and where.
        say(f"listening on {address} (settings {settings_file})")
        # The pages are served here, so here is where the inbox sends customers back to.
        config = load_config(settings_file, siteurl=address.rstrip("/"))
        if args.host in ("localhost", "127.0.0.1", "::1"):
            # The same page opened as localhost is another origin to a browser.
            config.origins.add(f"http://localhost:{sock.getsockname()[1]}")
        output = output_folder(args.output, config, settings_file)
        folders, warnings = inbox_folders(config.rs)
        inbox_at = ", ".join(f"{folder}/" for folder in folders) or "nowhere (no form posts here)"
        say(f"serving {output} with the inbox at {inbox_at} (database {config.database})")
        for warning in warnings:
            say(warning)
        say(f"open {address}{config.rs['REVIEWS_INDEX_URL']}; stop with Ctrl+C")
        app = preview_app(create_app(config), output, folders)
        server.run(app, sock, config)
    finally:
        sock.close()
    return 0


def add_parser(commands: Any) -> None:
    parser = commands.add_parser(
        "preview",
        help="serve the built site and the inbox on one local address, to try the forms",
        description=(
            "Serve the built site (output/) and the review inbox together on one local address, so the "
            "forms post, invitations arrive verified and the thank-you pages are local. Build first with "
            "`pelican content`; the forms must post to /inbox/reviews and /inbox/follow-ups."
        ),
    )
    parser.add_argument(
        "--settings", help=f"the site's settings file, the one you build with (default: {DEFAULT_SETTINGS})"
    )
    parser.add_argument(
        "--host", default="127.0.0.1", help="the address to listen on (default: 127.0.0.1, this machine only)"
    )
    parser.add_argument(
        "--port",
        type=int,
        default=DEFAULT_PORT,
        help=f"the port to listen on (default: {DEFAULT_PORT}); 0 picks a free one and prints the address",
    )
    parser.add_argument("--output", help="the built site to serve (default: OUTPUT_PATH from the settings)")
    parser.set_defaults(run=preview)
