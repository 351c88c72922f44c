"""Redress as a good guest: files the review section shares with the rest of the site.

Redress writes its section inside a shop's own Pelican site. Two things must
never happen there, and both used to happen silently:

* another writer (a page with ``Slug: reviews``, a static file, the theme,
  another plugin) writes a file Redress writes: one replaces the other, and
  with Redress's skip-if-unchanged writer the winner changes from build to
  build;
* Pelican copies or publishes a file from Redress's folders (``STATIC_PATHS
  = ["reviews"]``, or ``"."``): review files hold the customer's e-mail
  address and order number.

So once every generator has read its content and before anything is written
(Pelican's ``all_generators_finalized``), :func:`stop_on_clashes` compares
the files the section will write (:func:`section_files`) with the files the
rest of the site will write (:func:`site_files`), and checks that no
generator took a file from Redress's folders (:func:`private_leaks`). Each
problem is one line naming both sides and the setting that moves one, and
the build stops with nothing written. A write that only shows while writing
(another plugin's file, a period archive) is reported through Pelican's
``content_written`` and ``feed_written`` signals, and stops the build when
it ends (:func:`stop_on_late_clashes`).
"""

from __future__ import annotations

import logging
import os
import posixpath
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, NamedTuple

from pelican.contents import Content
from pelican.generators import ArticlesGenerator
from pelican.urlwrappers import URLWrapper
from pelican.utils import maybe_pluralize

from ..content.settings import save_as_for
from ..content.shop import Shop
from ..errors import RedressError
from . import feeds, widgets
from .build import has_feed
from .generator import ReviewsGenerator, thaw
from .listings import Listing, listing_pages, make_listings
from .output import LIGHT_RECEIVERS, OTHER_WRITERS, WRITTEN_BY_REDRESS
from .urls import Urls

logger = logging.getLogger(__name__)

#: Redress's folders, and the private fields their files may hold.
FOLDERS = {
    "REVIEWS_REVIEW_DIR": ("review", "Email, Order and Phone"),
    "REVIEWS_RESPONSE_DIR": ("response", "Note"),
    "REVIEWS_PRODUCT_DIR": ("product", ""),
}

#: Pelican's feeds: the setting, and the generator attribute of the pages it is per.
FEEDS = (
    ("FEED_ATOM", None),
    ("FEED_RSS", None),
    ("FEED_ALL_ATOM", None),
    ("FEED_ALL_RSS", None),
    ("CATEGORY_FEED_ATOM", "categories"),
    ("CATEGORY_FEED_RSS", "categories"),
    ("AUTHOR_FEED_ATOM", "authors"),
    ("AUTHOR_FEED_RSS", "authors"),
    ("TAG_FEED_ATOM", "tags"),
    ("TAG_FEED_RSS", "tags"),
)


class Claim(NamedTuple):
    """One writer's claim on a file: what the file is, and how to move it."""

    what: str
    fix: str
    #: The REVIEWS_* setting that moves it (Redress's files only).
    setting: str = ""


def clash_line(path: str, ours: Claim, theirs: Claim) -> str:
    """The line a shop owner reads: the file, both writers, how to move either."""
    return (
        f"{path}: written by Redress ({ours.what}, {ours.setting}) and by {theirs.what}; "
        f"move one: {ours.fix} or {theirs.fix}"
    )


def _norm(save_as: str) -> str:
    if os.sep != "/":
        save_as = save_as.replace(os.sep, "/")
    if "//" in save_as or "/." in save_as or save_as.startswith((".", "/")):
        return posixpath.normpath(save_as).lstrip("/")
    return save_as  # already normal: the common case, 100,000 times on a big shop


def _elsewhere(value: str) -> str:
    """An example of another place for a Redress file: ``reviews/`` -> ``customer-reviews/``."""
    return ("shop-" if value.startswith("customer-") else "customer-") + value


# -- what the review section writes --------------------------------------------------------


class Section(Mapping[str, Claim]):
    """Every file of the review section, with what it is: most in a dict, the reviews' pages by their pattern.

    A million reviews' pages would be a million names kept only to be looked
    up (some 200 MB). Their names follow one pattern, so a name is one of
    them when the pattern gives it back from a published review's slug.
    """

    def __init__(
        self, files: dict[str, Claim], pattern: str, slugs: list[str], claim: Claim, within: list[str]
    ):
        self.files = files
        self._pattern = pattern
        self._pre, _, self._post = pattern.partition("{slug}")
        self._order = slugs
        self._slugs = set(slugs)
        self._claim = claim
        #: Lines for two of the section's own files on one path (see :func:`section_files`).
        self.within = within

    def is_review_page(self, save_as: str) -> bool:
        pre, post = self._pre, self._post
        if len(save_as) <= len(pre) + len(post) or not save_as.startswith(pre) or not save_as.endswith(post):
            return False
        return save_as[len(pre) : len(save_as) - len(post)] in self._slugs

    def __getitem__(self, save_as: str) -> Claim:
        claim = self.files.get(save_as)
        if claim is not None:
            return claim
        if self.is_review_page(save_as):
            return self._claim
        raise KeyError(save_as)

    def __contains__(self, save_as: object) -> bool:
        return save_as in self.files or (isinstance(save_as, str) and self.is_review_page(save_as))

    def __iter__(self) -> Iterator[str]:
        yield from self.files
        for slug in self._order:
            save_as = self._pattern.format(slug=slug)
            if save_as not in self.files:
                yield save_as

    def __len__(self) -> int:
        return sum(1 for _ in self)


def section_files(shop: Shop, urls: Urls, listings: Iterable[Listing] | None = None) -> Section:
    """Every file the review section writes, before it writes any.

    It follows the writers (review_pages, feeds, forms, widgets and the
    static files) without rendering anything; tests/test_clashes.py checks
    that it names exactly the files a build writes.
    """
    rs = shop.settings
    files: dict[str, Claim] = {}

    def moved_by(kind: str) -> str:
        """The setting that moves a scope's files: its *_SAVE_AS when set apart from its URL."""
        url_key, save_key = f"REVIEWS_{kind}_URL", f"REVIEWS_{kind}_SAVE_AS"
        return save_key if rs[save_key] != save_as_for(rs[url_key]) else url_key

    fixes: dict[str, str] = {}

    def claim(what: str, setting: str) -> Claim:
        fix = fixes.get(setting)
        if fix is None:
            fix = fixes[setting] = f'set {setting} = "{_elsewhere(rs[setting])}"'
        return Claim(what, fix, setting)

    within: list[str] = []

    def add(save_as: str | None, what: str, setting: str) -> None:
        if save_as:
            path = _norm(save_as)
            first = files.setdefault(path, claim(what, setting))
            if first.what != what:
                both(path, first, claim(what, setting))

    def both(path: str, first: Claim, second: Claim) -> None:
        # Two of the section's own files on one path (settings that move one folder
        # into another): the second would be lost, without a word but a warning.
        within.append(
            f"{path}: Redress would write {first.what} ({first.setting}) and {second.what} "
            f"({second.setting}) to the same file; move one: {first.fix} or {second.fix}"
        )

    index, product_setting = moved_by("INDEX"), moved_by("PRODUCT")
    for name, what in (("redress.css", "the stylesheet"), ("favicon.svg", "the icon")):
        add(urls.static(name), what, "REVIEWS_STATIC_URL")
    review_setting = moved_by("REVIEW")
    # 100,000 review pages: one claim for all (the path names the review), and the
    # paths normalised only when the setting's pattern needs it.
    # (A slug is a file's name: no "/", never a leading dot, so it keeps a normal pattern normal.)
    review_claim = claim("a review's page", review_setting)
    pattern = rs["REVIEWS_REVIEW_SAVE_AS"]
    # A pattern that is normal with one {slug} (the usual) stays one; any other is written out.
    by_pattern = _norm(pattern) == pattern and pattern.count("{slug}") == 1 and pattern.count("{") == 1
    for review in shop.reviews if pattern and not by_pattern else ():
        path = _norm(pattern.format(slug=review.slug))
        first = files.setdefault(path, review_claim)
        if first is not review_claim:
            both(path, first, review_claim)

    per_page, archive_per_page = int(rs["REVIEWS_PER_PAGE"]), int(rs["REVIEWS_ARCHIVE_PER_PAGE"])
    if listings is None:
        listings = make_listings(shop, urls)
    for listing in listings:
        slug = listing.product_slug
        scope, setting = (
            ("the review page", index) if slug is None else (f"the review page of {slug}", product_setting)
        )
        for page in listing_pages(listing, per_page, archive_per_page):
            parts = [scope] + ([f"{page.key} filter"] if page.key != "all" else [])
            parts += [f"archive page {page.number}"] if page.number else []
            add(urls.filtered_save_as(listing.save_as, page.key, page.number), " ".join(parts), setting)
        for kind in ("rss", "atom") if has_feed(shop, slug) else ():
            feed_key = (
                f"REVIEWS_FEED_{kind.upper()}" if slug is None else f"REVIEWS_PRODUCT_FEED_{kind.upper()}"
            )
            add(urls.feed(kind, slug), f"the {kind.upper()} feed of {scope.removeprefix('the ')}", feed_key)
    if any(urls.feed(kind) for kind in ("rss", "atom")) or shop.products:
        add(urls.static(feeds.STYLESHEET), "the feeds' stylesheet", "REVIEWS_STATIC_URL")

    if rs["REVIEWS_FORM_ACTION"]:
        add(urls.static("write.js"), "the forms' script", "REVIEWS_STATIC_URL")
        forms = [(urls.write(), "the review form"), (urls.thanks(), "the thank-you page")]
        forms += [(urls.write(slug), f"the review form of {slug}") for slug in shop.products]
        if rs["REVIEWS_FOLLOWUP_ACTION"]:
            forms += [(urls.follow_up(), "the follow-up form")]
            forms += [(urls.thanks("follow-up"), "the follow-up's thank-you page")]
        if not rs["REVIEWS_PRIVACY_URL"]:
            forms += [(urls.privacy(), "the privacy note")]
        for url, what in forms:
            add(urls.save_as(url), what, "REVIEWS_INDEX_URL")

    shop_folder = widgets.folder(urls.listing_save_as())
    for listing in listings:
        if listing.product_slug is None:
            widget_folder, data_folder, scope, setting = shop_folder + "widgets/", shop_folder, "", index
        else:
            widget_folder = data_folder = widgets.folder(listing.save_as)
            scope, setting = f" of {listing.product_slug}", product_setting
        for name in ("badge.svg", "badge-dark.svg", "embed.html", "embed.json"):
            add(widget_folder + name, f"the widget {name}{scope}", setting)
        add(data_folder + "reviews.json", f"the public data reviews.json{scope}", setting)
    for name in ("embed.js", "embed.css"):
        add(shop_folder + "widgets/" + name, f"the widget {name}", index)
    add(shop_folder + widgets.SCHEMA_FILE, "the schema of reviews.json", index)
    add(shop_folder + "widgets/index.html", "the widget gallery", index)
    if shop.products:
        products_page = shop_folder + "widgets/" + widgets.PRODUCTS_PAGE + "index.html"
        add(products_page, "the products' widget code", index)
    slugs = [review.slug for review in shop.reviews] if pattern and by_pattern else []
    section = Section(files, pattern or "", slugs, review_claim, within)
    if slugs:
        # The reviews' pages go by their pattern: a file of the section at one of them
        # (a product's page where a review's is) is looked for here, among the few.
        for path, first in files.items():
            if first.what != review_claim.what and section.is_review_page(path):
                both(path, review_claim, first)
    return section


# -- what the rest of the site writes -------------------------------------------------------


def _display(path: str, settings: dict[str, Any]) -> str:
    """A source file as the problem lines name it: from the folder that holds PATH."""
    base = os.path.dirname(os.path.abspath(settings["PATH"]))
    path = os.path.abspath(path)
    return os.path.relpath(path, base) if path.startswith(base + os.sep) else path


def _contents(generators: Iterable[Any]) -> Iterator[tuple[Any, Content]]:
    """Every content object (article, page, static file, a plugin's own) any other generator read."""
    seen: set[int] = set()
    for generator in generators:
        if isinstance(generator, ReviewsGenerator):
            continue
        for value in list(vars(generator).values()):
            if not isinstance(value, list):
                continue
            for item in value:
                if isinstance(item, Content) and id(item) not in seen:
                    seen.add(id(item))
                    yield generator, item


def _a(noun: str) -> str:
    return ("an " if noun[:1] in "aeiou" else "a ") + noun


def _content_claim(item: Content, settings: dict[str, Any]) -> Claim:
    kind = type(item).__name__.lower()
    shown = _display(item.source_path, settings)
    if kind == "static":
        return Claim(f"{shown} (a static file)", "take it out of STATIC_PATHS")
    draft = "draft " if getattr(item, "status", "") == "draft" else ""
    return Claim(f"{shown} ({_a(draft + kind)})", f"change the {kind}'s Slug")


def _wrappers(generator: Any, attribute: str) -> list[URLWrapper]:
    """A generator's categories, tags or authors (a dict, or a list of pairs once sorted)."""
    value = getattr(generator, attribute, None) or ()
    items = value.keys() if isinstance(value, dict) else [pair[0] for pair in value]
    return [item for item in items if isinstance(item, URLWrapper)]


def site_files(generators: list[Any], settings: dict[str, Any]) -> dict[str, Claim]:
    """The files the rest of the site will write, as far as they are known before writing.

    Articles, pages and static files (and any plugin's own content objects),
    category, tag and author pages, period archives, Pelican's own pages
    (DIRECT_TEMPLATES), its feeds, TEMPLATE_PAGES, OUTPUT_SOURCES and the
    theme's static files. What is not known here (another plugin's extra
    files, pages 2 and on of the blog's index) is caught as it is written.
    """
    files: dict[str, Claim] = {}

    def add(save_as: str | None, claim: Claim) -> None:
        if save_as:
            files.setdefault(_norm(save_as), claim)

    for _generator, item in _contents(generators):
        add(item.save_as, _content_claim(item, settings))
        if settings.get("OUTPUT_SOURCES") and type(item).__name__ in ("Article", "Page") and item.save_as:
            source = os.path.splitext(item.save_as)[0] + settings["OUTPUT_SOURCES_EXTENSION"]
            shown = _display(item.source_path, settings)
            add(source, Claim(f"the copy of {shown} (OUTPUT_SOURCES)", "turn OUTPUT_SOURCES off"))
    others = [g for g in generators if not isinstance(g, ReviewsGenerator)]
    for generator in others:
        for attribute in ("categories", "tags", "authors"):
            for wrapper in _wrappers(generator, attribute):
                setting = f"{type(wrapper).__name__.upper()}_SAVE_AS"
                add(
                    wrapper.save_as,
                    Claim(f"the page of {attribute[:-1]} {wrapper.name!r}", f"change {setting}"),
                )
        for granularity, archives in (getattr(generator, "period_archives", None) or {}).items():
            setting = f"{granularity.upper()}_ARCHIVE_SAVE_AS"
            for archive in archives:
                add(
                    archive.get("save_as"), Claim(f"a {granularity} archive ({setting})", f"change {setting}")
                )
        if not isinstance(generator, ArticlesGenerator):
            continue
        for setting, per in FEEDS:
            pattern = settings.get(setting)
            if not pattern:
                continue
            targets = (
                [str(pattern)]
                if per is None
                else [str(pattern).format(slug=w.slug) for w in _wrappers(generator, per)]
            )
            for target in targets:
                add(target, Claim(f"Pelican's feed ({setting})", f"change {setting}"))
        for name in settings.get("DIRECT_TEMPLATES") or ():
            setting = f"{name.upper()}_SAVE_AS"
            claim = Claim(f"Pelican's {name} page ({setting})", f"change {setting}")
            add(settings.get(setting, f"{name}.html"), claim)
    for source, target in (settings.get("TEMPLATE_PAGES") or {}).items():
        add(target, Claim(f"{source} (TEMPLATE_PAGES)", "change TEMPLATE_PAGES"))
    theme = next((g.theme for g in others if getattr(g, "theme", None)), None)
    if theme:
        for target in _theme_static(theme, settings):
            add(target, Claim("a file of the theme's static folder", "change THEME_STATIC_DIR"))
    return files


def _theme_static(theme: str, settings: dict[str, Any]) -> Iterator[str]:
    """The theme's static files as Pelican copies them (``THEME_STATIC_DIR/...``)."""
    target = settings.get("THEME_STATIC_DIR", "theme")
    for path in settings.get("THEME_STATIC_PATHS") or ():
        source = os.path.join(theme, path)
        if os.path.isfile(source):
            yield posixpath.join(target, os.path.basename(path))
        for folder, _dirs, names in os.walk(source):
            for name in names:
                yield posixpath.join(target, os.path.relpath(os.path.join(folder, name), source))


# -- Redress's folders stay Redress's -----------------------------------------------------------


def _inside(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder + os.sep)


def _entry_holding(relative: str, entries: Iterable[str]) -> str | None:
    """The entry of a *_PATHS setting that reaches ``relative`` (relative to PATH), if any."""
    for entry in entries:
        folder = os.path.normpath(entry) if entry else "."
        if folder == "." or _inside(relative, folder):
            return entry
    return None


def private_leaks(generators: list[Any], settings: dict[str, Any], rs: dict[str, Any]) -> list[str]:
    """Lines for every way Pelican would copy or publish a file from Redress's folders.

    Redress adds its folders to STATIC_EXCLUDES, ARTICLE_EXCLUDES and
    PAGE_EXCLUDES, but Pelican prunes an excluded folder only below the
    root of the walk and only under the exact spelling it walks: the folder
    itself in STATIC_PATHS, a path spelt ``"."`` or with a trailing slash,
    or a ``{static}`` link to a review file still reach it. So what each
    generator actually took is checked, whatever took it there.
    """
    content = os.path.abspath(settings["PATH"])
    linked = (
        {os.path.normpath(p) for p in generators[0].context.get("static_links", ())} if generators else set()
    )
    groups: dict[tuple[str, str, str | None], list[str]] = {}
    for generator, item in _contents(generators):
        source = os.path.abspath(item.source_path)
        for key in FOLDERS:
            if not _inside(source, os.path.normpath(os.path.join(content, rs[key]))):
                continue
            relative = os.path.relpath(source, content)
            kind = type(item).__name__
            setting = {"Static": "STATIC_PATHS", "Article": "ARTICLE_PATHS", "Page": "PAGE_PATHS"}.get(kind)
            entry = _entry_holding(relative, settings.get(setting) or ()) if setting else None
            if kind == "Static" and entry is None and relative in linked:
                setting = "a link"
            groups.setdefault((key, setting or type(generator).__name__, entry), []).append(
                _display(source, settings)
            )
    return [
        _leak_line(key, setting, entry, shown, settings, rs)
        for (key, setting, entry), shown in groups.items()
    ]


def _leak_line(
    key: str, setting: str, entry: str | None, shown: list[str], settings: dict[str, Any], rs: dict[str, Any]
) -> str:
    """One line for the files of one Redress folder that one setting (or a link) hands to Pelican."""
    kind, private = FOLDERS[key]
    folder = _display(os.path.join(settings["PATH"], rs[key]), settings) + "/"
    fields = f", private fields ({private}) and all" if private else ""
    files = maybe_pluralize(len(shown), "file", "files")
    move = f'move Redress\'s folder with {key} = "{_elsewhere(rs[key])}"'
    if setting == "a link":
        return (
            f"{', '.join(shown)}: Pelican would copy this {kind} file into the output as it is{fields}, "
            "because an article or page links to it ({static} or {attach}); remove the link"
        )
    if entry is None:
        return f"{folder}: {setting} would publish {files} of Redress's {kind} folder{fields}; {move}"
    if setting == "STATIC_PATHS":
        as_is = "as it is" if len(shown) == 1 else "as they are"
        what = f"Pelican would copy {files} of Redress's {kind} folder into the output {as_is}{fields}"
    else:
        read_as = "articles" if setting == "ARTICLE_PATHS" else "pages"
        them = "it" if len(shown) == 1 else "them"
        what = (
            f"Pelican would read {files} of Redress's {kind} folder as {read_as} and publish {them}{fields}"
        )
    reached, ours = (os.path.normpath(entry) if entry else "."), os.path.normpath(rs[key])
    if reached == "." or (reached != ours and _inside(ours, reached)):
        # A parent folder of Redress's: moving Redress's folder inside it would not help.
        fix = f'list only the folders of your own files in {setting} (not {entry!r}), e.g. ["images"]'
    else:
        fix = f"take {entry!r} out of {setting}, or {move}"
    return f"{folder}: {what}, because {setting} has {entry!r}; {fix}"


# -- the receivers --------------------------------------------------------------------------


class Ledger:
    """Who wrote which file of one build's output, beyond what was known before writing.

    Pelican's signals say a file was written (``content_written``,
    ``feed_written``), and Redress's own writer marks its announcements
    (:data:`~redress.site.output.WRITTEN_BY_REDRESS`). A file both wrote is
    a late clash, in either order: reported at once, and the build stops
    when it ends.
    """

    def __init__(self, output_path: str, section: Mapping[str, Claim], settings: dict[str, Any]):
        self.output_path = os.path.abspath(output_path)
        self.section = section
        self.settings = settings
        #: Files Redress wrote beyond the planned section (none, as planned), and files written by others.
        self.ours: set[str] = set()
        self.others: dict[str, Claim] = {}
        self.problems: list[str] = []
        self.reported: set[str] = set()

    def written(self, path: str, context: dict[str, Any]) -> None:
        """Note who wrote ``path``; a file of the section that another writer wrote too is a clash."""
        if context.get(WRITTEN_BY_REDRESS):
            # Redress's writer names the file itself: no path arithmetic for each
            # of a big shop's pages (relpath was most of the cost of a signal).
            save_as = _norm(context["output_file"])
            if save_as not in self.section:
                self.ours.add(save_as)
            theirs = self.others.get(save_as)
        else:
            save_as = _norm(os.path.relpath(os.path.abspath(path), self.output_path))
            theirs = self.others.setdefault(save_as, self._writer(context))
            if save_as not in self.section and save_as not in self.ours:
                return
        if theirs is not None and save_as not in self.reported:
            self.reported.add(save_as)
            line = clash_line(save_as, self.section.get(save_as, UNPLANNED), theirs)
            logger.error("%s", line)
            self.problems.append(line)

    def _writer(self, context: dict[str, Any]) -> Claim:
        for key in ("article", "page"):
            item = context.get(key)
            if isinstance(item, Content):
                return _content_claim(item, self.settings)
        return Claim("another writer (a plugin or a template)", "change where that writer puts its file")


#: A section file :func:`section_files` did not foresee (it should foresee them all).
UNPLANNED = Claim("a file of the review section", "change that setting", "its REVIEWS_*_URL setting")


#: The ledger of each build in progress, by output folder. The signals that
#: report writes and the end of a build share no context Redress can reach.
_ledgers: dict[str, Ledger] = {}


def stop_on_clashes(generators: list[Any]) -> None:
    """All generators have read their content and nothing is written yet: check, or stop here."""
    ours = next((g for g in generators if isinstance(g, ReviewsGenerator)), None)
    if ours is None or ours.shop is None:
        return
    settings = ours.settings
    section = section_files(ours.shop, ours.urls, ours.listings)
    site = site_files(generators, settings)
    lines = private_leaks(generators, settings, ours.shop.settings)
    lines += section.within
    lines += [clash_line(path, section[path], site[path]) for path in sorted(p for p in site if p in section)]
    if lines:
        for line in lines:
            logger.error("%s", line)
        thaw()  # a build that fails leaves nothing frozen (a pelican -r process lives on)
        raise RedressError(
            lines,
            f"reviews: {maybe_pluralize(len(lines), 'problem', 'problems')} where the review section meets "
            "the rest of the site; nothing was written. Fix the lines above and build again.",
        )
    _ledgers[os.path.abspath(ours.output_path)] = Ledger(ours.output_path, section, settings)


def note_written(path: str, context: dict[str, Any] | None = None, **_kwargs: Any) -> None:
    """A file was written (``content_written`` or ``feed_written``): note who wrote it, and any clash."""
    # Redress's own paths are absolute and normal already (PageWriter.path_of).
    target = path if context and context.get(WRITTEN_BY_REDRESS) else os.path.abspath(path)
    for folder, ledger in _ledgers.items():
        if target.startswith(folder + os.sep):
            ledger.written(target, context or {})


# It reads only the file's name and whose it is from Redress's own announcements.
LIGHT_RECEIVERS.add(note_written)


def written_by_others(output_path: str, save_as: str) -> bool:
    """Whether another writer (the blog, a plugin) wrote ``save_as`` in this build of ``output_path``.

    The section removes the files it no longer writes; one the blog now
    writes at the same address (a page given a deleted review's address)
    is the blog's, and stays.
    """
    ledger = _ledgers.get(output_path)
    return ledger is not None and ledger.others.get(_norm(save_as)) is not None


OTHER_WRITERS.append(written_by_others)


def stop_on_late_clashes(pelican: Any) -> None:
    """The build is over: stop it (non-zero exit) if a file of the section was written over."""
    ledger = _ledgers.pop(os.path.abspath(pelican.output_path), None)
    if ledger is not None and ledger.problems:
        thaw()  # a build that fails leaves nothing frozen (a pelican -r process lives on)
        raise RedressError(
            ledger.problems,
            f"reviews: {maybe_pluralize(len(ledger.problems), 'file', 'files')} of the review section "
            "written over by another writer. Fix the lines above and build again.",
        )
