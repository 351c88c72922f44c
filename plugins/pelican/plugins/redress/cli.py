"""The `redress` command: what a shop owner runs besides the Pelican build.

Subcommands live in their own modules and register here, so `redress --help`
lists everything in one place.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from . import __version__, tokens
from .desk import command as desk_commands
from .errors import RedressError
from .imports import command as import_command
from .inbox import commands as inbox_commands
from .inbox import preview
from .invite import command as invite
from .invite import follow_up_link


def _secret(args: argparse.Namespace) -> int:
    print(tokens.new_secret())
    print(
        f"\nKeep this private. Set it where `redress invite` and the inbox run:\n"
        f"  export {tokens.SECRET_ENV}=<the line above>",
        file=sys.stderr,
    )
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="redress",
        description=(
            "Redress: ask every customer for a review, receive what they write, "
            "and check your answers before they are published."
        ),
    )
    parser.add_argument("--version", action="version", version=f"redress {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    secret = commands.add_parser(
        "secret",
        help="print a new secret for signing invitation links (REDRESS_SECRET)",
        description="Print a new random secret for REDRESS_SECRET.",
    )
    secret.set_defaults(run=_secret)
    invite.add_parser(commands)
    follow_up_link.add_parser(commands)
    inbox_commands.add_parser(commands)
    preview.add_parser(commands)
    desk_commands.add_parser(commands)
    import_command.add_parser(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "run", None):
        parser.print_help()
        return 2
    # The one place a shop owner's mistake becomes an exit: its lines, no traceback.
    try:
        return int(args.run(args) or 0)
    except RedressError as err:
        for line in err.lines():
            print(f"redress: {line}", file=sys.stderr)
        return err.exitcode
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
