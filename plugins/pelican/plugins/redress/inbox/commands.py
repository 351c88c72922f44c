"""`redress inbox …`: serve, list, publish, withhold, dismiss, migrate.

Every one of them first says, on stderr, which settings file it read (and
so which database): a site folder with both pelicanconf.py and
publishconf.py gets the second unless told otherwise, and a shop owner must
be able to see that instead of wondering why the inbox looks empty.
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import socket
import sys
import unicodedata
from pathlib import Path
from typing import Any

from ..content.model import WITHHELD_REASONS
from ..content.site_settings import settings_path
from ..errors import UsageError
from .config import InboxConfig, load_config
from .store import open_store


def _config(args: argparse.Namespace) -> InboxConfig:
    """The inbox's settings for a command that signs and checks nothing, and the line naming them.

    `list`, `publish`, `withhold` and `dismiss` read the database and the
    content files only, so they run without REDRESS_SECRET.
    """
    settings_file = settings_path(args.settings, "redress inbox").resolve()
    config = load_config(settings_file, need_secret=False)
    print(f"redress inbox: settings {settings_file}, database {config.database}", file=sys.stderr, flush=True)
    return config


def listen(host: str, port: int) -> socket.socket:
    """A listening socket on `host`:`port`; port 0 lets the system pick a free one.

    The service binds the socket itself and then says which port it got, so a
    test or a second service asks for port 0 and reads the answer instead of
    guessing a free port first, which another process could take in between.
    """
    from .server import LISTEN_BACKLOG

    try:
        family, kind, proto, _name, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
        sock = socket.socket(family, kind, proto)
    except OSError as err:
        raise UsageError(f"--host {host}: {err}") from None
    try:
        # As uvicorn does: a restarted service gets its port back at once.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(LISTEN_BACKLOG)
    except OSError as err:
        sock.close()
        raise UsageError(
            f"cannot listen on {host}:{port}: {err.strerror or err}; "
            "choose another --port, or --port 0 for any free one"
        ) from None
    return sock


def address_of(sock: socket.socket) -> str:
    """The URL a listening socket answers on, as the service prints it."""
    host, port = sock.getsockname()[:2]
    return f"http://[{host}]:{port}/" if ":" in host else f"http://{host}:{port}/"


def serve(args: argparse.Namespace) -> int:
    from . import server
    from .app import create_app

    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stderr, force=True)
    settings_file = settings_path(args.settings, "redress inbox").resolve()
    config = load_config(settings_file)
    app = create_app(config)
    sock = listen(args.host, args.port)
    # Printed once the port is bound (connections wait in the socket's queue until
    # uvicorn serves them), so whoever started the service can read the port here.
    print(
        f"redress inbox: listening on {address_of(sock)} "
        f"(settings {settings_file}, database {config.database})",
        file=sys.stderr,
        flush=True,
    )
    try:
        server.run(app, sock, config)
    finally:
        sock.close()
    return 0


#: Unicode categories that are not visible text: controls, format characters (the
#: bidirectional overrides and isolates among them), surrogates, private use, unassigned.
INVISIBLE = {"Cc", "Cf", "Cs", "Co", "Cn"}


def shown(value: object) -> str:
    """A customer's value as one safe line of a terminal.

    What a customer typed goes to the shop owner's terminal; a carriage
    return would let it overwrite the start of its line (a forged "verified"
    or another id), a right-to-left override would reorder it, an escape
    sequence would drive the terminal. Every run of whitespace (line breaks
    included) becomes one space; every other control or format character
    is shown as its escape (``\\u202e``, ``\\u200b``), so nothing is hidden.
    """
    text = " ".join(str(value).split())
    return "".join(_escaped(ch) if unicodedata.category(ch) in INVISIBLE else ch for ch in text)


def _escaped(ch: str) -> str:
    code = ord(ch)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def list_waiting(args: argparse.Namespace) -> int:
    config = _config(args)
    store = open_store(config.database, config.synchronous)
    try:
        rows = store.waiting() if not args.all else store.all()
    finally:
        store.close()
    if not rows:
        print("Nothing waiting." if not args.all else "The inbox is empty.")
        return 0
    for s in rows:
        n = s.normalised
        what = (
            f"{n.get('rating')}/{config.rs['REVIEWS_SCALE']}"
            if s.kind == "review"
            else f"fixed: {n.get('resolved')}"
        )
        # The product and the review link come from the form as much as the title does. A slug
        # has no space: one with spaces is quoted, so it cannot pass for the next columns
        # ("… verified accepted"), and a long one is cut, as the title is.
        about = shown(n.get("product") or n.get("review") or "shop")
        if " " in about or len(about) > 60:
            about = repr(about[:57] + "…" if len(about) > 60 else about)
        label = "verified" if n.get("verified") else "unverified"
        title = shown(n.get("title") or n.get("text") or "")[:50]
        state = s.withheld and f"withheld ({s.withheld})" or s.published_path or s.status
        print(
            f"#{s.id:<5} {s.received_at:%Y-%m-%d %H:%M} {s.kind:<9} {what:<10} {about:<18} "
            f"{label:<10} {state:<12} {title}"
        )
        # The inbox's own word for the owner: an invitation used twice, a follow-up to check.
        if n.get("note"):
            print(f"       note: {shown(str(n['note']))}")
        if s.status == "dismissed":
            when = (s.dismissed_at or "")[:16].replace("T", " ")
            print(f"       dismissed {when} (was {s.dismissed_from}): {shown(s.dismissed_reason or '')}")
    return 0


def publish_cmd(args: argparse.Namespace) -> int:
    """Write what waits; what cannot be built (a review of a product that is gone) stays and is reported.

    Content with a mistake stops it before anything is written: load_shop's
    ContentError reaches the CLI's main, which prints its lines (each file,
    field and fix, and that nothing was published), exit code 1.
    """
    from ..content.shop import load_shop
    from .catalog import unknown_products
    from .publish import publish

    config = _config(args)
    shop = load_shop(config.settings)
    now = dt.datetime.now(dt.UTC)
    hold = dt.timedelta(hours=float(config.rs["REVIEWS_HOLD_HOURS"]))
    store = open_store(config.database, config.synchronous)
    try:
        due = [s for s in store.waiting() if s.received_at <= now - hold]
        unknown = unknown_products(shop, due)
        report = publish(config, store, now=now, held_back=unknown)
    finally:
        store.close()
    folder = config.rs["REVIEWS_PRODUCT_DIR"]
    problems = list(report.problems) + [
        (
            submission_id,
            f"names the product {shown(product)!r}, which is not in {folder}/ (any more); it stays in "
            f"the inbox: add {folder}/{shown(product)}.md back to publish it",
        )
        for submission_id, product in sorted(unknown.items())
    ]
    for submission_id, path in report.written:
        print(f"#{submission_id} -> {path}")
    for submission_id, problem in problems:
        print(f"#{submission_id}: {problem}", file=sys.stderr)
    elsewhere = f"{report.elsewhere} being written by another run, " if report.elsewhere else ""
    print(
        f"{len(report.written)} written, {elsewhere}"
        f"{report.held} still within the {config.rs['REVIEWS_HOLD_HOURS']}-hour hold, "
        f"{len(problems)} with problems. Build the site to publish them."
    )
    if problems:
        print(
            "Those stay in the inbox until fixed; one that will never be published is finished "
            'with `redress inbox dismiss N --reason "..."`.',
            file=sys.stderr,
        )
    # Problems stay in the inbox for the owner to look at; they never block the rest,
    # so a cron job keeps publishing.
    return 0


def withhold_cmd(args: argparse.Namespace) -> int:
    from .publish import withhold

    config = _config(args)
    store = open_store(config.database, config.synchronous)
    try:
        path = withhold(config, store, args.id, args.reason)
    except (LookupError, ValueError, OSError) as err:
        raise UsageError(str(err)) from None
    finally:
        store.close()
    print(f"#{args.id} withheld ({args.reason}) in {path}; the page's ledger counts it.")
    return 0


def dismiss_cmd(args: argparse.Namespace) -> int:
    from .dismiss import NotDismissable, dismiss

    config = _config(args)
    store = open_store(config.database, config.synchronous)
    try:
        done = dismiss(config, store, args.id, args.reason)
    except (LookupError, NotDismissable) as err:
        raise UsageError(str(err)) from None
    finally:
        store.close()
    print(
        f"#{done.id} dismissed ({shown(done.dismissed_reason or '')}); it stays in the inbox "
        "(`redress inbox list --all`) and is never published."
    )
    return 0


def not_spam_cmd(args: argparse.Namespace) -> int:
    """A person's post that the bots' hidden field caught (a browser's autofill filled it):
    with the others again, unverified, for `publish` to write after the hold."""
    config = _config(args)
    store = open_store(config.database, config.synchronous)
    try:
        submission = store.get(args.id)
        number = f"#{args.id}"
        if submission is None:
            raise UsageError(f"there is no submission {args.id}; see `redress inbox list --all`")
        if submission.status != "spam":
            raise UsageError(f"{number} is {submission.status}, not spam; nothing to take back")
        n = submission.normalised
        if "text" not in n:
            raise UsageError(
                f"{number} was stored before the inbox kept what a bot's post says; its fields are in "
                "the database's raw record: write its file by hand if a person sent it"
            )
        if n.get("problems"):
            fields = ", ".join(sorted(n["problems"]))
            raise UsageError(
                f"{number} was not complete ({fields}): the form would have asked the customer to fix it, "
                "so it cannot be published as it is"
            )
        status = "accepted" if submission.kind == "review" else "needs-check"
        if not store.mark_not_spam(args.id, status):
            raise UsageError(f"{number} changed meanwhile; see `redress inbox list --all`")
    finally:
        store.close()
    then = (
        "`redress inbox publish` writes it after the hold, unverified (a link sent with it is not honoured)"
        if status == "accepted"
        else "a follow-up without its link: check it is the reviewer's before you publish it"
    )
    print(f"{number} is {status} now; {then}.")
    return 0


def migrate_cmd(args: argparse.Namespace) -> int:
    """Copy the SQLite inbox into PostgreSQL; the counts on stdout, what to do next on stderr."""
    from .migrate import migrate
    from .store import Database, is_postgres_url, shown_url

    config = _config(args)
    if not is_postgres_url(args.to):
        raise UsageError(
            f"--to {shown_url(args.to)!r} is not a PostgreSQL URL; give one like "
            "postgresql://reviews@db.example/reviews (the password from PGPASSWORD or ~/.pgpass, "
            "not on the command line)"
        )
    if args.source:
        source = Database.from_setting(args.source, Path.cwd())
    else:
        source = config.database
    if source.path is None:
        raise UsageError(
            f"the inbox's database is PostgreSQL already ({source}); give the SQLite file to copy "
            "with --from FILE"
        )
    target = Database(url=args.to)
    print(f"redress inbox: copying {source} into {target}", file=sys.stderr, flush=True)
    report = migrate(source, target)
    for table, (there, here) in report.counts.items():
        print(f"{table}: {there} in {source.path.name}, {here} in PostgreSQL")
    if report.copied:
        print(f"Copied and checked: every row of {source.path.name} is in {target}, value for value.")
    else:
        print(f"Nothing to copy: {target} holds exactly this inbox already.")
    print(
        f"Next: set REVIEWS_INBOX_DB (or REDRESS_INBOX_DB) to {target} and start the inbox; posts the "
        "SQLite inbox takes from now on are not copied.",
        file=sys.stderr,
    )
    return 0


def add_parser(commands: Any) -> None:
    inbox = commands.add_parser(
        "inbox",
        help="receive the review forms and publish them as files",
        description="The review inbox: a small service that receives the forms, and commands to publish.",
    )
    inbox.add_argument(
        "--settings",
        help="the site's settings file (default: publishconf.py, else pelicanconf.py; each command names it)",
    )
    sub = inbox.add_subparsers(dest="inbox_command", metavar="COMMAND")
    serve_p = sub.add_parser("serve", help="run the inbox service")
    serve_p.add_argument(
        "--host",
        default="127.0.0.1",
        help="the address to listen on (default: 127.0.0.1, for a web server on the same machine)",
    )
    serve_p.add_argument(
        "--port",
        type=int,
        default=8787,
        help="the port to listen on (default: 8787); 0 picks a free one, and the address is printed",
    )
    serve_p.set_defaults(run=serve)
    list_p = sub.add_parser("list", help="what waits to be published, newest first")
    list_p.add_argument(
        "--all", action="store_true", help="everything ever received, spam, rejected and dismissed too"
    )
    list_p.set_defaults(run=list_waiting)
    pub = sub.add_parser(
        "publish",
        help="write accepted submissions past the hold window as files in content/ (safe to repeat)",
    )
    pub.set_defaults(run=publish_cmd)
    wh = sub.add_parser(
        "withhold", help="withhold a review for one of the public reasons (counted on the page)"
    )
    wh.add_argument("id", type=int, help="the submission number from `redress inbox list`")
    wh.add_argument("--reason", required=True, choices=WITHHELD_REASONS)
    wh.set_defaults(run=withhold_cmd)
    dis = sub.add_parser(
        "dismiss",
        help="finish an item that will never be published (kept in the inbox with your reason)",
        description=(
            "Finish a stored item that will never be published: a follow-up that no link ties to its "
            "review (spam, or one you settled yourself), a review of a product you no longer sell. It "
            "stays in the inbox with your reason (`redress inbox list --all`). A review the page would "
            "show is withheld instead, for a public reason the page counts (`redress inbox withhold`)."
        ),
    )
    dis.add_argument("id", type=int, help="the submission number from `redress inbox list`")
    dis.add_argument(
        "--reason", required=True, metavar="TEXT", help="why, in your own words (kept, never published)"
    )
    dis.set_defaults(run=dismiss_cmd)
    ns = sub.add_parser(
        "not-spam",
        help="take back a person's post that the bots' hidden field caught (unverified)",
        description=(
            "A post whose hidden field for bots was filled is kept as spam and never published; "
            "a browser's autofill can fill it for a person too. `redress inbox list --all` shows what "
            "such a post says; this puts it with the others (a review: accepted, unverified, for "
            "`publish`; a follow-up: to check). An incomplete post cannot be taken back."
        ),
    )
    ns.add_argument("id", type=int, help="the submission number from `redress inbox list --all`")
    ns.set_defaults(run=not_spam_cmd)
    mig = sub.add_parser(
        "migrate",
        help="copy this SQLite inbox into PostgreSQL, for several inbox instances (counts checked)",
        description=(
            "Copy every submission of the SQLite inbox (REVIEWS_INBOX_DB, or --from) into a PostgreSQL "
            "database, with what was published, withheld, dismissed and notified, and check the counts "
            "and every value. Stop the inbox first. A database that holds another inbox is refused; "
            "run twice, the second run finds its copy and does nothing. The password comes from "
            "PGPASSWORD or ~/.pgpass, never the URL on the command line."
        ),
    )
    mig.add_argument("--to", required=True, metavar="URL", help="postgresql://USER@HOST/DATABASE")
    mig.add_argument(
        "--from",
        dest="source",
        metavar="FILE",
        help="the SQLite file to copy (default: REVIEWS_INBOX_DB from the settings)",
    )
    mig.set_defaults(run=migrate_cmd)
