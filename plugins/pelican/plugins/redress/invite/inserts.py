"""QR codes and printable A6 inserts for the parcels, one per order.

A QR code takes about a millisecond of pure Python in segno, which makes
drawing the codes the slow part of inviting ten thousand orders; a large run
draws them in worker processes (:func:`print_all`). Templates are set up as
in :mod:`redress.pages` and may be overridden by the theme's
``templates/redress/invite/``.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import Any, NamedTuple, Protocol

from jinja2 import Environment
from markupsafe import Markup, escape

from .. import templating
from . import qr, texts

logger = logging.getLogger(__name__)

QR_DIR = "qr"
INSERTS_DIR = "inserts"
INDEX_NAME = "index.html"
#: Each order's values reach the templates as these marks: a page is rendered
#: once per language and the marks are replaced per order (escaped), because
#: rendering the templates for every order took a sixth of the time of drawing
#: its QR code. A theme's templates should show these values unfiltered.
ORDER_MARK = "\x1eorder\x1e"
LINK_MARK = "\x1elink\x1e"
QR_MARK = "\x1eqr\x1e"
#: Below this many orders the codes are drawn in this process: starting
#: workers would take longer than the work.
POOL_MIN_JOBS = 400
MAX_WORKERS = 4
BATCH_SIZE = 100


class PrintJob(NamedTuple):
    """What drawing one order's QR code and insert needs; a tuple, quick to send to a worker."""

    #: File name without extension, already safe (see :func:`redress.invitations.file_stem`).
    stem: str
    order: str
    #: Language of the insert's text.
    lang: str
    #: The order's review link, which the QR code holds.
    link: str


@dataclass(frozen=True)
class PrinterSettings:
    """What every insert shares: where they go, the shop's name, the site's template settings."""

    out: str
    shop_name: str
    #: The site's settings that choose and configure templates (:func:`redress.templating.template_settings`).
    site: dict[str, Any] = field(default_factory=dict)


class Advance(Protocol):
    """Anything that counts progress, like :class:`redress.progress.Progress`."""

    def advance(self, count: int) -> None: ...


class Printer:
    """Draws QR codes and inserts into the output folder; one per process."""

    def __init__(self, settings: PrinterSettings):
        self.settings = settings
        self._envs: dict[str, Environment] = {}
        self._skeletons: dict[str, str] = {}

    def env(self, lang: str) -> Environment:
        """Templates with the catalog of one language (gettext is per environment)."""
        env = self._envs.get(lang)
        if env is None:
            env = self._envs[lang] = templating.environment(self.settings.site, lang)
        return env

    def _skeleton(self, lang: str, kind: str) -> str:
        """An insert page (``"insert"``) or a card for the index (``"card"``) with marks for
        each order's values, rendered once per language."""
        key = f"{lang}:{kind}"
        page = self._skeletons.get(key)
        if page is None:
            env = self.env(lang)
            card = env.get_template("redress/invite/card.html").render(
                heading="h1" if kind == "insert" else "h2",
                lang=lang,
                shop_name=self.settings.shop_name,
                line=texts.insert_line(lang),
                short_link=LINK_MARK,
                order=ORDER_MARK,
                qr_svg=Markup(QR_MARK) if kind == "insert" else "",
                qr_src=QR_MARK,
            )
            page = card
            if kind == "insert":
                page = env.get_template("redress/invite/insert.html").render(
                    lang=lang, shop_name=self.settings.shop_name, order=ORDER_MARK, card=Markup(card)
                )
            self._skeletons[key] = page
        return page

    def fill(self, job: PrintJob, kind: str, qr_markup: str) -> str:
        """The insert page or card of one order: its values in place of the marks."""
        return (
            self._skeleton(job.lang, kind)
            .replace(ORDER_MARK, escape(job.order))
            .replace(LINK_MARK, escape(short_link(job.link)))
            .replace(QR_MARK, qr_markup)
        )

    def print_batch(self, jobs: Sequence[PrintJob]) -> int:
        """Write each job's QR code (SVG and PNG) and insert page; return how many."""
        qr_dir = os.path.join(self.settings.out, QR_DIR)
        inserts_dir = os.path.join(self.settings.out, INSERTS_DIR)
        for job in jobs:
            code = qr.matrix(job.link)
            svg = qr.svg(code)
            _write(os.path.join(qr_dir, job.stem + ".svg"), svg.encode("utf-8"))
            _write(os.path.join(qr_dir, job.stem + ".png"), qr.png(code))
            page = self.fill(job, "insert", svg)
            _write(os.path.join(inserts_dir, job.stem + ".html"), page.encode("utf-8"))
        return len(jobs)

    def write_index(self, jobs: Sequence[PrintJob], lang: str) -> None:
        """inserts/index.html: every insert, one per printed page, drawing the codes from qr/."""
        cards = [Markup(self.fill(job, "card", escape(f"../{QR_DIR}/{job.stem}.svg"))) for job in jobs]
        page = (
            self.env(lang)
            .get_template("redress/invite/index.html")
            .render(lang=lang, shop_name=self.settings.shop_name, cards=cards)
        )
        _write(os.path.join(self.settings.out, INSERTS_DIR, INDEX_NAME), page.encode("utf-8"))


def short_link(link: str) -> str:
    """The link as printed under the code, for those who type it: without ``https://``."""
    return link.split("://", 1)[-1]


def _write(path: str, data: bytes) -> None:
    with open(path, "wb") as handle:
        handle.write(data)


_worker: Printer | None = None


def _start_worker(settings: PrinterSettings) -> None:
    global _worker
    _worker = Printer(settings)


def _print_in_worker(jobs: Sequence[PrintJob]) -> int:
    assert _worker is not None, "_start_worker runs first in every worker"
    return _worker.print_batch(jobs)


def print_all(
    jobs: Sequence[PrintJob],
    settings: PrinterSettings,
    progress: Advance,
    meanwhile: Callable[[], None] | None = None,
) -> None:
    """Draw every job's QR code and insert, reporting to ``progress``.

    ``meanwhile`` (writing the lists) runs in this process while the
    workers draw. Small runs, and machines with one core, draw here.
    """
    os.makedirs(os.path.join(settings.out, QR_DIR), exist_ok=True)
    os.makedirs(os.path.join(settings.out, INSERTS_DIR), exist_ok=True)
    # Batches of at most BATCH_SIZE, and at least 40 of them, so progress moves smoothly.
    size = max(1, min(BATCH_SIZE, len(jobs) // 40))
    batches = [jobs[start : start + size] for start in range(0, len(jobs), size)]
    workers = min(MAX_WORKERS, _cores())
    if len(jobs) < POOL_MIN_JOBS or workers < 2:
        if meanwhile:
            meanwhile()
        printer = Printer(settings)
        for batch in batches:
            progress.advance(printer.print_batch(batch))
        return
    # fork, where there is one, starts a worker without importing everything again.
    context = multiprocessing.get_context(
        "fork" if "fork" in multiprocessing.get_all_start_methods() else None
    )
    logger.info("invite: drawing %d QR codes in %d worker processes", len(jobs), workers)
    with ProcessPoolExecutor(workers, context, initializer=_start_worker, initargs=(settings,)) as pool:
        futures = [pool.submit(_print_in_worker, batch) for batch in batches]
        if meanwhile:
            meanwhile()
        for future in futures:
            progress.advance(future.result())


def _cores() -> int:
    """The cores this process may use (fewer than the machine's in a container)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1
