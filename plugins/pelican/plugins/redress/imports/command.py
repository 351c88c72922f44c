"""`redress import PLATFORM FILE...`: bring the reviews and replies a shop already has.

It reads the exports with the platform's module (or, with ``auto``, the
module that recognises each file), plans every file (:mod:`.plan`), writes
what is new (:mod:`.writer`) and ends with the counts: what was read,
written, already there, changed on the platform, skipped and why. Rows it
cannot read are listed as ``file:row: field: problem``; the rest is still
written, and the command then exits with 1.
"""

from __future__ import annotations

import argparse
import os
import queue
import textwrap
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..content import files, model, reader, site_settings
from ..content.collector import collector_paused
from ..content.settings import get_settings
from ..errors import RedressError, UsageError
from . import platforms
from .ledger import Ledger
from .plan import KINDS, Options, Plan, Planned, Planner, Site
from .records import Batch
from .writer import (
    AGAIN,
    ALREADY,
    CHANGED,
    DIFFERS,
    EDITED,
    FOREIGN,
    NEW,
    UPDATED,
    Outcome,
    Writer,
    files_there,
    finish,
)

AUTO = "auto"
#: Threads writing files while the rest is planned (creating a file is mostly the file system's
#: time). One: two creating files in one folder mostly wait for each other, and measured slower.
WRITERS = 1
#: Paths listed under a count (changed, left as they are, skipped) before "…".
EXAMPLES = 3


class ImportProblems(RedressError):
    """Rows that could not be imported; everything else was written (exit 1)."""


def add_parser(commands: Any) -> None:
    """Register `redress import`."""
    names = ", ".join(platforms.PLATFORMS)
    parser = commands.add_parser(
        "import",
        help="import the reviews and replies you have on Trustpilot, Google, WooCommerce, Shopify, Kiyoh, …",
        description=textwrap.fill(
            "Write every review in the exports as a review file (Source: imported:PLATFORM), each of "
            "your replies as a response under it, and each unknown product as a product file. Run it "
            "again with a newer export: only what is new is written. A file someone edited is never "
            "replaced; one the platform changed is replaced only with --update.",
            width=90,
        ),
        epilog=f"platforms: {names}; or auto (recognise each file).\n"
        "exit status: 0; 1 when rows had problems (the rest was written) or an export cannot be read;\n"
        "2 for a wrong option or file.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "platform", metavar="PLATFORM", choices=[*platforms.PLATFORMS, AUTO], help=f"{names}, or {AUTO}"
    )
    parser.add_argument("files", nargs="+", metavar="FILE", help="the platform's export(s)")
    parser.add_argument(
        "--product",
        metavar="SLUG",
        help="every review in these files is about this product (a file in your products folder)",
    )
    parser.add_argument(
        "--lang", metavar="xx", help="the language of reviews whose export does not say (default: guessed)"
    )
    parser.add_argument("--dry-run", action="store_true", help="say what would be written; write nothing")
    parser.add_argument(
        "--update",
        action="store_true",
        help="replace imported files the platform changed since (never edited ones)",
    )
    parser.add_argument(
        "--settings",
        metavar="FILE",
        help="the site's settings (default: publishconf.py in this folder, else pelicanconf.py)",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Read, plan, write, say the counts; rows with problems make it exit 1 after the rest is written."""
    started = time.perf_counter()
    settings_file = site_settings.settings_path(args.settings, "redress import")
    settings = site_settings.load_settings(settings_file)
    rs = get_settings(settings)
    paths = [Path(name) for name in args.files]
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        raise UsageError([f"{name}: no such file" for name in missing])
    lang = _lang_option(args.lang)
    by_platform = recognise(paths) if args.platform == AUTO else {args.platform: paths}
    site = read_site(settings, rs)
    if args.product and args.product not in site.existing["product"]:
        raise UsageError(_no_product(args.product, site))
    ledger = Ledger.load(ledger_path(rs, settings_file, settings, make=not args.dry_run))
    with collector_paused():
        batches = [_read(platform, exports) for platform, exports in by_platform.items()]
    plan, outcome = import_batches(
        site,
        ledger,
        batches,
        Options(product=args.product, lang=lang),
        update=args.update,
        dry_run=args.dry_run,
    )
    content_base = Path(settings["PATH"]).parent
    if args.dry_run:
        for name in (NEW, AGAIN, UPDATED):
            for relpath in outcome.paths.get(name, []):
                print(f"would write {_shown(site.content / relpath, content_base)}")
    title = ", ".join(platforms.display_name(p) for p in by_platform)
    for line in summary(plan, outcome, title, len(paths), update=args.update, dry_run=args.dry_run):
        print(line)
    print(f"  time: {time.perf_counter() - started:.1f} s")
    problems = [str(p) for p in plan.problems] + outcome.problems
    if problems:
        raise ImportProblems(
            problems,
            f"import: {len(problems)} row(s) could not be imported (listed above); "
            + ("nothing was written (--dry-run)." if args.dry_run else "everything else was written. ")
            + ("" if args.dry_run else "Fix the rows or leave them out, and run the same command again."),
        )
    return 0


def import_batches(
    site: Site, ledger: Ledger, batches: Sequence[Batch], options: Options, *, update: bool, dry_run: bool
) -> tuple[Plan, Outcome]:
    """Plan the files for what the exports said, write them, and keep the ledger (not on a dry run).

    The files are written by a thread of their own while the rest is still
    being planned: creating a file is mostly waiting for the file system,
    which the planning need not wait for. The ledger is saved even when a
    file could not be written, so it knows what was.
    """
    before = (
        dict(ledger.files),
        dict(ledger.ids),
        dict(ledger.records),
        dict(ledger.langs),
        dict(ledger.edited),
    )
    if not dry_run:
        for kind in KINDS:  # what a killed run left: never a file under its name, at most a temporary one
            files.remove_stale_temps(site.content / site.folder(kind))
    there = files_there(site)
    writers = [Writer(site, ledger, update=update, dry_run=dry_run, there=there) for _ in range(WRITERS)]
    try:
        with collector_paused():
            plan = _plan_while_writing(Planner(site, ledger, options), batches, writers)
            outcome = finish(writers)
    finally:
        if not dry_run and (ledger.files, ledger.ids, ledger.records, ledger.langs, ledger.edited) != before:
            os.sync()  # the files first (written without a sync each), then the ledger that vouches for them
            ledger.save()
    return plan, outcome


class _WriterStopped(Exception):
    """The writer thread met an error: planning stops too, and the error is raised."""


def _plan_while_writing(planner: Planner, batches: Sequence[Batch], writers: Sequence[Writer]) -> Plan:
    """Plan, while each writer (a thread of its own) writes its share of the files as they are planned.

    A file goes to one writer, always the same for its path, so no two
    threads ever touch one file; the ledger's dictionaries take one key at a
    time from each.
    """
    lanes: list[queue.SimpleQueue[Planned | None]] = [queue.SimpleQueue() for _ in writers]
    failed: list[BaseException] = []

    def write(items: queue.SimpleQueue[Planned | None], writer: Writer) -> None:
        while (item := items.get()) is not None:
            if failed:
                continue
            try:
                writer.handle(item)
            except BaseException as err:  # handed to the planning thread, which raises it
                failed.append(err)

    def emit(item: Planned) -> None:
        if failed:
            raise _WriterStopped
        lanes[hash(item.relpath) % len(lanes)].put(item)

    threads = [
        threading.Thread(target=write, args=(items, writer), name=f"redress-import-writer-{n}", daemon=True)
        for n, (items, writer) in enumerate(zip(lanes, writers, strict=True))
    ]
    for thread in threads:
        thread.start()
    plan = None
    try:
        plan = planner.plan(batches, emit)
    except _WriterStopped:
        pass
    finally:
        for items in lanes:
            items.put(None)
        for thread in threads:
            thread.join()
    if failed:
        raise failed[0]
    assert plan is not None
    return plan


# -- choosing the platform ----------------------------------------------------------------


def recognise(paths: Sequence[Path]) -> dict[str, list[Path]]:
    """Each file's platform, by asking every platform's module whether it knows the file."""
    found: dict[str, list[Path]] = defaultdict(list)
    problems = []
    names = ", ".join(platforms.PLATFORMS)
    for path in paths:
        matches = [key for key in platforms.PLATFORMS if _recognises(key, path)]
        if len(matches) == 1:
            found[matches[0]].append(path)
        elif not matches:
            problems.append(
                f"{path}: not recognised as an export of any platform Redress reads ({names}); "
                f"name the platform: redress import PLATFORM {path}"
            )
        else:
            problems.append(
                f"{path}: looks like an export of {' and of '.join(matches)}; name the platform: "
                f"redress import {matches[0]} {path}"
            )
    if problems:
        raise UsageError(problems, "import: nothing was read or written.")
    return dict(found)


def _recognises(platform: str, path: Path) -> bool:
    try:
        return bool(platforms.module(platform).recognise(path))
    except ImportError:
        return False
    except (OSError, ValueError, UnicodeError):
        return False  # a file it cannot even open is not its export


def _read(platform: str, paths: list[Path]) -> Batch:
    try:
        reader_module = platforms.module(platform)
    except ImportError:
        raise UsageError(f"{platform}: this version of Redress cannot read its exports yet") from None
    batch: Batch = reader_module.read(paths)
    return batch


def _lang_option(value: str | None) -> str | None:
    if value is None:
        return None
    lang, problem = model.parse_lang(value)
    if problem:
        raise UsageError(f"--lang {problem}")
    return lang


# -- the site -------------------------------------------------------------------------------


def read_site(settings: dict[str, Any], rs: dict[str, Any]) -> Site:
    """The site's folders, the file names in them, and its products (read by the one reader)."""
    content = Path(settings["PATH"])
    existing: dict[str, dict[str, str]] = {}
    for kind in KINDS:
        folder = content / str(rs[f"REVIEWS_{kind.upper()}_DIR"]).strip("/")
        existing[kind] = _file_names(folder, content)
    ctx = reader.Context(
        scale=rs["REVIEWS_SCALE"],
        lang=settings.get("DEFAULT_LANG") or "en",
        tz=reader.timezone_from(settings),
        contacts=reader.contacts_of(settings, rs),
    )
    products = {}
    base = content.parent
    for slug, relpath in existing["product"].items():
        path = content / relpath
        product, _problems = reader.parse_one("product", str(path), os.path.relpath(path, base), slug, ctx)
        if product is not None:
            products[slug] = product
    return Site(content=content, settings=settings, rs=rs, tz=ctx.tz, products=products, existing=existing)


def _file_names(folder: Path, content: Path) -> dict[str, str]:
    """Every Markdown file under ``folder``, as the reader finds them: its name -> its path in ``content``."""
    names: dict[str, str] = {}
    for root, dirs, filenames in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in filenames:
            stem, suffix = os.path.splitext(name)
            if suffix.lower() in (".md", ".markdown") and not name.startswith("."):
                names.setdefault(stem, Path(os.path.relpath(os.path.join(root, name), content)).as_posix())
    return names


def _no_product(slug: str, site: Site) -> str:
    folder = site.folder("product")
    known = ", ".join(sorted(site.existing["product"])[:10]) or "none yet"
    return (
        f"--product {slug}: there is no product file {folder}/{slug}.md (known: {known}); "
        f"make one with a line 'Title: <the product's name>', or name one that exists"
    )


def ledger_path(rs: dict[str, Any], settings_file: Path, settings: dict[str, Any], make: bool) -> Path:
    """REVIEWS_IMPORT_LEDGER, next to the settings file, in a folder that is never published."""
    path = Path(rs["REVIEWS_IMPORT_LEDGER"]).expanduser()
    path = path if path.is_absolute() else settings_file.resolve().parent / path
    if make or path.parent.is_dir():
        folder = site_settings.private_folder(
            path.parent,
            settings,
            "The import ledger holds the platforms' own ids of your reviews",
            "imports",
            option="REVIEWS_IMPORT_LEDGER's folder",
        )
        path = folder / path.name
    return path


# -- what the owner reads --------------------------------------------------------------------


def summary(
    plan: Plan, outcome: Outcome, title: str, files: int, *, update: bool, dry_run: bool
) -> list[str]:
    """The counts at the end of a run, one plain line each."""
    verb = "would be " if dry_run else ""
    count = outcome.count
    lines = [
        f"redress import {title}{' (dry run: nothing written)' if dry_run else ''}: "
        f"{plan.rows} rows read from {files} file{'s' if files != 1 else ''}",
        f"  new reviews {verb or ''}written: {count('review', NEW, AGAIN)}",
    ]
    again = count("review", AGAIN) + count("response", AGAIN)
    if again:
        lines.append(
            f"    {again} of the files were written by an earlier import and are gone; "
            "to leave a review off the page, keep its file with a Withheld: reason instead"
        )
    lines.append(f"  already there: {count('review', ALREADY)}")
    changed = count("review", CHANGED) + count("response", CHANGED)
    where = title if "," not in title else "their platform"
    lines.append(f"  changed on {where} (not updated: use --update): {changed}")
    lines += _examples(outcome.paths.get(CHANGED, []))
    differs = count("review", DIFFERS) + count("response", DIFFERS)
    if differs:
        lines.append(
            f"  written differently now, after a change of settings (not updated: use --update): {differs}"
        )
        lines += _examples(outcome.paths.get(DIFFERS, []))
    lines.append(f"  updated: {count('review', UPDATED) + count('response', UPDATED)}")
    lines.append(f"  replies {verb}written: {count('response', NEW, AGAIN)}")
    if count("response", ALREADY):
        lines.append(f"  replies already there: {count('response', ALREADY)}")
    matched = f" (and {len(plan.products_matched)} already there)" if plan.products_matched else ""
    lines.append(f"  products {verb}created: {count('product', NEW, AGAIN)}{matched}")
    lines.append(f"  withheld: {outcome.withheld}")
    kept = [p for name in (EDITED, FOREIGN) for p in outcome.paths.get(name, [])]
    if kept:
        lines.append(
            f"  left as they are ({count('review', EDITED) + count('response', EDITED)} edited since "
            f"the import wrote them, {count('review', FOREIGN) + count('response', FOREIGN)} not written "
            f"by it): {len(kept)}"
        )
        lines += _examples(kept)
    if plan.duplicates:
        lines.append(f"  the same review twice in the exports (the later edit kept): {plan.duplicates}")
    lines.append(f"  skipped: {len(plan.skips)}")
    reasons = Counter(s.reason for s in plan.skips)
    for reason, number in reasons.most_common():
        rows = [s.where for s in plan.skips if s.reason == reason]
        more = ", …" if len(rows) > EXAMPLES else ""
        lines.append(f"    {reason}: {number} ({', '.join(rows[:EXAMPLES])}{more})")
    problems = len(plan.problems) + len(outcome.problems)
    lines.append(f"  problems: {problems}{' (listed below)' if problems else ''}")
    if update and dry_run:
        lines.append("  (--update with --dry-run: the updates above are what would be replaced)")
    return lines


def _examples(paths: list[str]) -> list[str]:
    shown = [f"    {p}" for p in paths[:EXAMPLES]]
    if len(paths) > EXAMPLES:
        shown.append(f"    … and {len(paths) - EXAMPLES} more")
    return shown


def _shown(path: Path, base: Path) -> str:
    return os.path.relpath(path, base) if path.is_relative_to(base) else str(path)
