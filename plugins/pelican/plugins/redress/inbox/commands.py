"""`redress inbox …`: serve, list, publish, withhold."""

from __future__ import annotations

import argparse
import logging
import sys
from typing import Any

from ..content.model import WITHHELD_REASONS
from ..content.site_settings import settings_path
from ..errors import UsageError
from .config import InboxConfig, load_config
from .store import Store


def _config(args: argparse.Namespace) -> InboxConfig:
    """The inbox's settings from the site's settings file."""
    return load_config(settings_path(args.settings, "redress inbox"))


def serve(args: argparse.Namespace) -> int:
    import uvicorn

    from .app import create_app

    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stderr, force=True)
    config = _config(args)
    app = create_app(config)
    print(
        f"redress inbox: listening on http://{args.host}:{args.port}/ (database {config.db_path})",
        file=sys.stderr,
    )
    uvicorn.run(
        app,
        host=args.host,
        port=args.port,
        log_level="warning",
        access_log=False,
        proxy_headers=config.trust_proxy,
        server_header=False,
    )
    return 0


def list_waiting(args: argparse.Namespace) -> int:
    config = _config(args)
    store = Store(config.db_path, config.synchronous)
    rows = store.waiting() if not args.all else store.all()
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
        about = n.get("product") or n.get("review") or "shop"
        label = "verified" if n.get("verified") else "unverified"
        title = (n.get("title") or n.get("text") or "")[:50].replace("\n", " ")
        state = s.withheld and f"withheld ({s.withheld})" or s.published_path or s.status
        print(
            f"#{s.id:<5} {s.received_at:%Y-%m-%d %H:%M} {s.kind:<9} {what:<10} {about:<18} "
            f"{label:<10} {state:<12} {title}"
        )
    return 0


def publish_cmd(args: argparse.Namespace) -> int:
    from .publish import publish

    config = _config(args)
    store = Store(config.db_path, config.synchronous)
    report = publish(config, store)
    for submission_id, path in report.written:
        print(f"#{submission_id} -> {path}")
    for submission_id, problem in report.problems:
        print(f"#{submission_id}: {problem}", file=sys.stderr)
    print(
        f"{len(report.written)} written, "
        f"{report.held} still within the {config.rs['REVIEWS_HOLD_HOURS']}-hour hold, "
        f"{len(report.problems)} with problems. Build the site to publish them."
    )
    # Problems stay in the inbox for the owner to look at; they never block the rest,
    # so a cron job keeps publishing.
    return 0


def withhold_cmd(args: argparse.Namespace) -> int:
    from .publish import withhold

    config = _config(args)
    store = Store(config.db_path, config.synchronous)
    try:
        path = withhold(config, store, args.id, args.reason)
    except (LookupError, ValueError, OSError) as err:
        raise UsageError(str(err)) from None
    print(f"#{args.id} withheld ({args.reason}) in {path}; the page's ledger counts it.")
    return 0


def add_parser(commands: Any) -> None:
    inbox = commands.add_parser(
        "inbox",
        help="receive the review forms and publish them as files",
        description="The review inbox: a small service that receives the forms, and commands to publish.",
    )
    inbox.add_argument(
        "--settings", help="the site's settings file (default: publishconf.py or pelicanconf.py)"
    )
    sub = inbox.add_subparsers(dest="inbox_command", metavar="COMMAND")
    serve_p = sub.add_parser("serve", help="run the inbox service")
    serve_p.add_argument("--host", default="127.0.0.1")
    serve_p.add_argument("--port", type=int, default=8787)
    serve_p.set_defaults(run=serve)
    list_p = sub.add_parser("list", help="what waits to be published, newest first")
    list_p.add_argument("--all", action="store_true", help="everything ever received, spam and rejected too")
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
