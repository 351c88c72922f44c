"""The Pelican generator of the review section: it connects Pelican to the rest.

It reads the shop through :func:`redress.content.shop.load_shop`, hands a
frozen :class:`~redress.site.build.Build` to each writer (pages, feeds,
forms, widgets) and reports one line. A shop owner's mistake is raised as a
:class:`~redress.errors.RedressError` after its lines are logged: Pelican
exits with its code on a one-shot build, and ``pelican -r`` reports it and
rebuilds once the file is fixed.
"""

from __future__ import annotations

import gc
import hashlib
import logging
import os
from typing import Any

from blinker import signal
from markupsafe import Markup
from pelican.generators import Generator
from pelican.log import console
from pelican.utils import maybe_pluralize

from .. import templating
from ..content import forked, model
from ..content.cache import KeptDict
from ..content.collector import collector_paused
from ..content.settings import DEFAULTS, SettingsError
from ..content.shop import Shop, load_shop
from ..errors import RedressError
from ..i18n import LANGUAGES, TRANSLATIONS_DIR, has_catalog
from . import embed, feeds, forms, leftovers, review_pages, widgets
from .build import Build, base_context, has_feed, layout_key, page_context, static_file, versioned_url
from .listings import Listing, make_listings
from .menu import add_to_menu
from .output import SITEURL_MARK, PageWriter, digest, load_record, pages_not_on_disk
from .urls import Urls

logger = logging.getLogger(__name__)

#: Sent with the shop (and the site's ``settings``) after the section is written.
#: A receiver may return one line for the shop owner, printed under the build's
#: own (the desk's "Responses: 3 need a look"); receivers write nothing to the
#: output (the desk keeps what it worked out in the site's cache). A room above
#: the site connects to it, so the site never imports that room.
report_lines = signal("redress.report-lines")

#: From this many reviews on, the texts no later writer reads are let go (see release_bodies).
RELEASE_MIN_REVIEWS = 2000

#: From this many reviews on, the report lines (the desk's check reads every answer)
#: are worked out in a forked process while the pages are written.
FORK_REPORT_MIN_REVIEWS = 2000

#: How long a build that has read the shop waits for the check of the pages on
#: disk (see _checked_in_time) before it looks at each page itself.
CHECK_WAIT_S = 0.25

#: Settings that change how pages look, besides the REVIEWS_* ones.
PAGE_SETTINGS = (
    "SITENAME",
    "SITEURL",
    "DEFAULT_LANG",
    "TIMEZONE",
    "RELATIVE_URLS",
    "THEME",
    "JINJA_ENVIRONMENT",
)


class ReviewsGenerator(Generator):
    """Reads the shop's review files and writes the review section."""

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.shop: Shop | None = None
        self.listings: tuple[Listing, ...] = ()
        self._checked: tuple[int, list[str]] | None = None
        #: The page record, loaded while a big shop's files are listed (see _read_shop).
        self._record: KeptDict | None = None
        self._extra_lines: ReportLines | None = None
        # The pages' language is the one their text is in: a site language
        # Redress has no catalog for gives English pages that say lang="en",
        # with English dates and numbers; each review keeps its own Lang.
        lang = self.settings.get("DEFAULT_LANG") or "en"
        if not has_catalog(lang):
            logger.warning(
                'reviews: DEFAULT_LANG %r has no translation; the review pages are in English (lang="en"); '
                "available: %s",
                lang,
                ", ".join(LANGUAGES),
            )
            lang = "en"
        # Read as a file's Lang is ("nl_BE" is nl-be): a locale is no valid lang attribute.
        self.lang = model.parse_lang(str(lang))[0] or "en"
        _make_cache_folder(self.settings)
        self.redress_env = templating.environment(self.settings, lang)
        # The site's plugins have set up Pelican's environment of this generator by now.
        templating.adopt_site_additions(self.redress_env, self.env)
        # Before any generator writes: the blog's pages get the menu item too.
        add_to_menu(self.context, self.settings, lang)

    def generate_context(self) -> None:
        # (What the last build in this process froze was thawed as this one began: get_generators.)
        # The shop is read, linked and laid out with the cycle collector paused,
        # then frozen before it runs again: a full pass over what was just made
        # would find nothing to free (see _freeze_what_the_build_keeps).
        # The pages the last build wrote are checked to be on disk by a forked
        # process meanwhile (see pages_not_on_disk), and waited for here: a
        # build that stops in the reading leaves no child behind.
        # A first build's parse cache is written by a forked process while the shop is
        # linked and laid out (see KeptDict.save), and waited for here too.
        use_cache = bool(self.settings.get("REVIEWS_CACHE", DEFAULTS["REVIEWS_CACHE"]))
        checking = pages_not_on_disk(self.settings, self.output_path, use_cache)
        saving: list[forked.Beside[bool]] = []
        try:
            with collector_paused():
                self._read_shop(saving)
                _freeze_what_the_build_keeps()
        finally:
            self._checked = _checked_in_time(checking)
            for child in saving:
                if child.result() is not True:
                    logger.warning(
                        "reviews: the cache of the review files read could not be written in %s; "
                        "the next build reads the files changed since the last one again",
                        self.settings.get("CACHE_PATH"),
                    )

    def _read_shop(self, saving: list[forked.Beside[bool]]) -> None:
        use_cache = bool(self.settings.get("REVIEWS_CACHE", DEFAULTS["REVIEWS_CACHE"]))

        def load_the_record() -> None:
            # The reader waits for the listing of a big shop's files here: the record
            # (127,000 pages at 100,000 reviews) is loaded meanwhile, not after.
            self._record = load_record(self.settings, self.output_path, use_cache)

        try:
            shop = load_shop(self.settings, saving, load_the_record)
            siteurl = self.settings.get("SITEURL", "") or ""
            if shop.settings["REVIEWS_REQUIRE_SITEURL"] and not siteurl.startswith(("http://", "https://")):
                raise SettingsError(
                    [
                        f"settings: SITEURL is {siteurl!r}, but feeds, widgets and structured data need "
                        'the absolute address the site is published at; set SITEURL = "https://…" '
                        "(REVIEWS_REQUIRE_SITEURL is on)"
                    ]
                )
        except RedressError as err:
            for problem in err.problems:
                logger.error("%s", problem)
            raise
        # The desk's line is worked out from here on, beside the rest of the build.
        self._extra_lines = extra_lines = ReportLines(shop, self.settings)
        try:
            self.shop = shop
            self.urls = Urls(shop.settings, siteurl)
            for product in shop.products.values():
                product.page_url = self.urls.listing(product.slug)
            for review in shop.reviews:
                review.url = self.urls.review(review.slug)
            # Made once: the clash check (before anything is written) and the writers share them.
            self.listings = tuple(make_listings(shop, self.urls))
            self.context["reviews_shop"] = shop
        except BaseException:
            extra_lines.stop()
            raise

    def generate_output(self, writer: Any) -> None:
        if self.shop is None:
            return
        try:
            self._generate_output()
        except BaseException:
            thaw()  # a build that fails leaves nothing frozen
            raise
        _keep_until_the_next_build(self)

    def _generate_output(self) -> None:
        assert self.shop is not None
        shop = self.shop
        theme = self.theme or None
        css_url = versioned_url(self.urls, "redress.css", static_file("redress.css", theme))
        layout = templating.choose_layout(self.redress_env, self.settings, shop.settings["REVIEWS_LAYOUT"])
        redress = base_context(shop.settings, self.urls, self.lang, SITEURL_MARK, css_url)
        base = page_context(self.context, redress, layout, self.settings)
        base.update(review_pages.CARD_MARKS)
        if layout is None:
            # The shop's header and footer are the same on every page: render them once.
            for part in ("site_header", "site_footer"):
                template = self.redress_env.get_template(f"redress/{part}.html")
                base[f"{part}_html"] = Markup(template.render(base))
        base["layout_key"] = layout_key(self.redress_env, base)
        extra_lines = self._extra_lines
        assert extra_lines is not None
        try:
            pages = self._write_section(shop, base, theme)
        except BaseException:
            extra_lines.stop()  # the forked process is ended and reaped whatever happened
            raise
        self._report(pages, extra_lines.lines())

    def _write_section(self, shop: Shop, base: dict[str, Any], theme: str | None) -> PageWriter:
        use_cache = bool(shop.settings["REVIEWS_CACHE"])
        build_key = self._build_key(base)
        pages = PageWriter(
            self.settings,
            self.output_path,
            build_key,
            use_cache,
            self.context,
            self._checked,
            shop.read_token,
            self._record,
        )
        self._record = None  # the writer's now
        try:
            cards, card_digests = review_pages.render_cards(
                shop, self.redress_env, base, self.settings, build_key, use_cache, self.urls
            )
            build = Build(
                shop=shop,
                urls=self.urls,
                base=base,
                env=self.redress_env,
                pages=pages,
                listings=self.listings,
                lang=self.lang,
                output_path=self.output_path,
                theme=theme,
                card_digests=card_digests,
                cards=cards,
            )
            release_bodies(build)
            build.static("redress.css")
            build.static("favicon.svg")
            # Each review's own page and the archive pages are written in the
            # background (a second process on a big shop) while the first pages,
            # feeds, forms and widgets are written here.
            review_pages.write_review_pages(build, cards)
            changed = [listing for listing in build.listings if not build.unchanged(listing)]
            for listing in changed:
                with pages.group(listing.product_slug):
                    review_pages.write_listing(build, listing, cards, "archive")
            pages.start_background()
            for listing in changed:
                with pages.group(listing.product_slug):
                    review_pages.write_listing(build, listing, cards, "first")
            feeds.write_feeds(build)
            forms.write_forms(build)
            widgets.write_widgets(build)
            if not use_cache:
                leftovers.name_left_pages(build)  # no record of what the last build wrote
            pages.finish()
        except BaseException:
            pages.abandon()
            raise
        return pages

    def _report(self, pages: PageWriter, extra_lines: list[str]) -> None:
        """One line for the shop owner beside Pelican's own "Done" line."""
        assert self.shop is not None
        shop = self.shop
        # The console's English, counted right: "1 response or follow-up", "2 files written".
        entries = maybe_pluralize(
            sum(len(r.thread) for r in shop.reviews), "response or follow-up", "responses and follow-ups"
        )
        line = (
            f"Reviews: {len(shop.reviews)} published, {len(shop.withheld)} withheld, {entries}; "
            f"{maybe_pluralize(pages.written, 'file', 'files')} written, {pages.skipped} unchanged."
        )
        logger.info("reviews: %s", line)
        if logger.isEnabledFor(logging.WARNING):
            console.print(line)
        # Other rooms' lines (the desk's), through report_lines: console only, never a file.
        for extra in extra_lines:
            logger.info("reviews: %s", extra)
            if logger.isEnabledFor(logging.WARNING):
                console.print(extra)

    def _build_key(self, base: dict[str, Any]) -> str:
        """Everything every page depends on: templates, catalogs, settings, stylesheet."""
        env = self.redress_env
        parts: list[str] = [base["css_url"], repr(sorted(base["rs"].items(), key=lambda kv: kv[0]))]
        parts.append(base["layout_key"])  # the theme around the pages, and the blog parts it shows
        parts += [repr(self.settings.get(key)) for key in PAGE_SETTINGS]
        for name in sorted(env.list_templates(filter_func=lambda n: n.startswith("redress/"))):
            parts.append(name)
            parts.append(env.loader.get_source(env, name)[0])  # type: ignore[union-attr]
        # Redress's own code that makes pages, and its catalogs: an upgrade rewrites every page.
        # The commands' rooms (inbox, invite, desk, imports) write no page: a change there does not.
        package = templating.PACKAGE_DIR
        sources = [
            *package.glob("*.py"),
            *(package / "content").glob("*.py"),
            *(package / "site").glob("*.py"),
            *TRANSLATIONS_DIR.glob("*/LC_MESSAGES/*.po"),
        ]
        for source in sorted(sources):
            parts.append(hashlib.sha256(source.read_bytes()).hexdigest())
        return digest(*parts)


def _checked_in_time(checking: forked.Beside[tuple[int, list[str]]] | None) -> tuple[int, list[str]] | None:
    """What the check of the pages on disk found, or None: the writer then looks at each page itself.

    The check runs at a lower priority than the reading (see
    :func:`.output.pages_not_on_disk`), and on an idle machine it is done
    long before the shop is read. On a machine busy with other work it may
    have had a tenth of a core: a build that waited for it would wait ten
    times as long as the check takes, so after CHECK_WAIT_S it is stopped.
    """
    if checking is None:
        return None
    if not checking.finished(CHECK_WAIT_S):
        checking.stop()
        logger.debug("reviews: the check of the pages on disk was not done in time; each page is looked at")
        return None
    return checking.result()


def release_bodies(build: Build) -> None:
    """Let go of the review texts no page, feed or widget of this build reads again.

    Once the cards and each review's data are made (or found unchanged), a
    review's text is read again only where it is shown whole or in part
    outside its card: the first page of a listing (its structured data), the
    compact widgets (the newest three) and the feeds (a response quotes its
    review). The rest are a third of a big shop's memory (650 MB at a million
    reviews), held while every page is written, in two processes.

    A rebuild that made few cards, with the last build's pages on disk,
    writes few pages, here and not in a second process: its memory is what
    reading the shop took, and letting go of 100,000 texts cost 0.35 s of a
    rebuild that adds one review. After the output folder was emptied
    (publishconf's DELETE_OUTPUT_DIRECTORY) every page is written again:
    the texts go.
    """
    if len(build.shop.reviews) < RELEASE_MIN_REVIEWS:
        return
    if build.cards.made < RELEASE_MIN_REVIEWS and build.pages.few_to_write(RELEASE_MIN_REVIEWS):
        return
    per_page = max(int(build.shop.settings["REVIEWS_PER_PAGE"]), embed.EMBED_REVIEWS)
    kept: set[int] = set()
    for listing in build.listings:
        kept.update(id(review) for review in listing.reviews[:per_page])
        if has_feed(build.shop, listing.product_slug):
            kept.update(id(review) for review, _entry in feeds.feed_entries(build, listing.product_slug))
    for review in build.shop.reviews:
        if id(review) not in kept:
            review.body_html = ""


#: Whether this process's objects were frozen by :func:`_freeze_what_the_build_keeps`.
_frozen = False


def _freeze_what_the_build_keeps() -> None:
    """Leave the shop, read and linked, out of Python's cycle collector until the build ends.

    Every review, entry and listing lives until the build ends, and holds no
    garbage cycle; the collector's full passes walked all of them again and
    again while the pages were written (1.2 s of a rebuild at 100,000
    reviews), and once more when the process ends. Frozen, they are
    skipped, and the forked writers do not copy their memory by touching
    them (see :func:`gc.freeze`, which freezes every object the process
    holds at that point, Pelican's too). Reference counting still frees them.
    A build that fails in Redress's clash checks or its writing thaws them
    at once. After a build that succeeds, or fails elsewhere (a theme's
    article template, another plugin), they stay frozen until the process
    ends or, under ``pelican -r``, until the next build starts: it thaws
    and collects them before any generator reads (:func:`get_generators`).
    """
    global _frozen
    gc.freeze()
    _frozen = True


def _keep_until_the_next_build(kept: Any) -> None:
    """Keep ``kept`` (the generator, with its shop) alive, frozen, until the next build or the end.

    When Pelican's build returns, it lets go of its generators, and the
    shop's million objects were freed one by one there (0.25 s at 100,000
    reviews), in a process about to end, whose memory the system takes
    back whole. Held by a frozen cycle, the collector never looks at them
    and nothing else frees them; at the end Python frees only what its
    modules still reach. Under ``pelican -r`` the next build's
    :func:`thaw` collects them, so one build's shop at most is kept.
    """
    global _frozen
    keeper: list[Any] = [kept]
    keeper.append(keeper)  # a cycle, reachable from nothing: only the collector could free it
    gc.freeze()  # and it passes over frozen objects
    _frozen = True


def thaw() -> None:
    """Give what :func:`_freeze_what_the_build_keeps` froze back to the collector, and collect.

    Called where a build fails and as the next one starts, it also ends the
    process working out a failed build's report lines (see :class:`ReportLines`).
    """
    global _frozen
    for lines in list(_unread_lines):
        lines.stop()
    if _frozen:
        gc.unfreeze()
        gc.collect()
        _frozen = False


class ReportLines:
    """The lines :data:`report_lines` receivers have for ``shop``: :meth:`lines` gets them.

    On a big shop they are worked out in a forked process (see
    :mod:`~redress.content.forked`), on the other core, from as soon as
    the shop is read while this one lays out and writes pages: the desk
    reads every answer of the shop, and a rebuild after one new response
    should not wait for it. (Started when the pages were, it made a
    100,000-review rebuild wait 0.2-0.6 s for it at the end.) A receiver
    may keep its own file in the site's cache. A child that fails costs the
    lines, not the build; a build that fails ends it (:meth:`stop`, or
    :func:`thaw` where it fails outside the generator). Without a child
    (a small shop, or no ``os.fork``) they are worked out at once, before
    any page is written: the desk reads the review texts that
    :func:`release_bodies` lets go of while pages are written.
    """

    def __init__(self, shop: Shop, settings: dict[str, Any]):
        self._shop = shop
        self._settings = settings
        self._child: forked.Beside[list[str]] | None = None
        self._lines: list[str] = []
        if not report_lines.receivers:
            return
        if len(shop.reviews) >= FORK_REPORT_MIN_REVIEWS:
            self._child = forked.beside(self._here)
        if self._child is None:
            self._lines = self._here()
        else:
            _unread_lines.add(self)

    def _here(self) -> list[str]:
        sent = report_lines.send(self._shop, settings=self._settings)
        return [str(extra) for _receiver, extra in sent if extra]

    def lines(self) -> list[str]:
        if self._child is None:
            return self._lines
        _unread_lines.discard(self)
        lines = self._child.result()
        if not isinstance(lines, list):
            logger.warning("reviews: the desk's report line could not be worked out this time")
            return []
        return [str(line) for line in lines]

    def stop(self) -> None:
        _unread_lines.discard(self)
        if self._child is not None:
            self._child.stop()


#: Report lines worked out by a forked process and not read yet (see :func:`thaw`).
_unread_lines: set[ReportLines] = set()


def _make_cache_folder(settings: dict[str, Any]) -> None:
    """The site's cache folder, made before the templates are: a build keeps its caches there.

    The compiled templates are kept only in a cache folder that is already
    there (a command never makes one), and the first build's caches make it
    only as they are saved. Without it made first, that build kept no
    compiled template, and the first change after it (a response added to a
    site just built from scratch) compiled them all again: 0.07 s at
    10,000 reviews, the page writer's largest single cost in that build.
    """
    folder = settings.get("CACHE_PATH")
    if folder and settings.get("REVIEWS_CACHE", DEFAULTS["REVIEWS_CACHE"]):
        try:
            os.makedirs(folder, exist_ok=True)
        except OSError:
            pass  # not made: no compiled template is kept, which costs speed only


def get_generators(pelican_object: Any) -> type[Generator]:
    # Sent as each build starts, before any generator reads: what the last build
    # in this process froze (pelican -r) is thawed and collected first.
    thaw()
    return ReviewsGenerator
