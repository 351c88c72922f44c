"""Writing the review section's files: only what changed, and nothing stale.

A shop with ten thousand reviews has ten thousand permalink pages, and a
new response changes one of them. Each page is written with a fingerprint
of everything it was made from; the next build skips pages whose
fingerprint and file are unchanged. Pages the previous build wrote and this
one does not (a review that has since been withheld, a page number that no
longer exists) are removed, so a withheld review never lingers online.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import os
import pickle
import re
import traceback
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from pelican import signals
from pelican.utils import get_relative_path, path_to_url

from ..content import forked
from ..content.cache import KeptDict

logger = logging.getLogger(__name__)

#: The record's entry for the build key, and the prefix of its groups' entries
#: (no page is called this: a save_as never starts with a NUL).
BUILD_KEY = "\x00build-key"
GROUP = "\x00group:"
#: The prefix of the record's notes a writer keeps for the next build (see :meth:`PageWriter.note`).
NOTE = "\x00note:"
#: The record's entry for the reading of the files its groups were made from (see
#: :data:`.content.reader.READ_TOKEN` and :meth:`PageWriter.kept_key`).
READ = "\x00read"

#: With at least this many pages to write in the background, a forked
#: process renders and writes them while the build goes on with the rest:
#: on two cores that hides most of the time ten thousand folders take.
FORK_MIN_PAGES = 500

#: From a page record this big on (about 10,000 pages), the pages it lists are
#: checked to be on disk by a forked process while the shop is read (see
#: :func:`pages_not_on_disk`): a stat per page is half a second at 100,000.
CHECK_BESIDE_MIN_BYTES = 1024 * 1024

#: Stands in for SITEURL while a page is rendered; replaced by the page's
#: own SITEURL (which differs per page with RELATIVE_URLS). Control
#: characters are removed from all content, so no text can forge it.
SITEURL_MARK = "\x1esiteurl\x1e"

#: Stands in for ``output_file``, the name Pelican gives every page it writes (its
#: place in the output): a theme's canonical link or language menu is made of it
#: (``{{ SITEURL }}/{{ output_file }}``). Replaced by the page's own, as SITEURL_MARK is.
OUTPUT_FILE_MARK = "\x1eoutput_file\x1e"

#: Around a page's head things (description, Open Graph, canonical link,
#: stylesheet, feeds, robots, structured data) in a theme whose ``base.html``
#: has no block for them (Flex): the page writer moves them to just before the
#: theme's ``</head>``, where they are valid HTML and where crawlers and feed
#: readers look. Control characters, like SITEURL_MARK: no text can forge them.
HEAD_MARKS = ("\x1ehead\x1e", "\x1e/head\x1e")
_HEAD_END = re.compile(r"</head\s*>|<body[\s>]", re.I)

#: Set in the context of Redress's own ``content_written`` announcements, so
#: a receiver (:mod:`redress.site.clashes`) can tell them from another writer's.
WRITTEN_BY_REDRESS = "redress_written"

#: Receivers of ``content_written`` that read only ``output_file`` and the flag above
#: of Redress's own announcements (:func:`redress.site.clashes.note_written`).
LIGHT_RECEIVERS: set[Callable[..., Any]] = set()

#: Ask (output folder, file) whether another writer wrote that file in this build
#: (:func:`redress.site.clashes.written_by_others`): such a file is never removed.
OTHER_WRITERS: list[Callable[[str, str], bool]] = []


def digest(*parts: str | bytes) -> str:
    """The fingerprint of ``parts``, each followed by a NUL.

    Text alone (most keys: a page's inputs, 100,000 cards' fingerprints for
    the shop's listing) is joined and hashed at once, not two updates a part:
    the same bytes, as UTF-8 (no part is a str whose ``encode`` differs).
    """
    h = hashlib.blake2b(digest_size=16)
    try:
        joined = "\x00".join(parts)  # type: ignore[arg-type]
    except TypeError:  # bytes among them
        for part in parts:
            h.update(part.encode("utf-8", "surrogatepass") if isinstance(part, str) else part)
            h.update(b"\x00")
    else:
        if parts:
            h.update(joined.encode("utf-8", "surrogatepass"))
            h.update(b"\x00")
    return h.hexdigest()


class PageWriter:
    """Writes the review section's files, skipping unchanged ones and removing stale ones.

    Not Pelican's ``Writer``: that renders each page from the whole site
    context and writes it every time, and knows nothing of pages that have
    gone. A big shop needs a page skipped when its fingerprint is unchanged,
    a page removed when it leaves the section, and ten thousand permalinks
    written in a forked process; Pelican's ``content_written`` signal is
    still sent for every file, so other plugins see them as usual.
    """

    def __init__(
        self,
        settings: dict[str, Any],
        output_path: str,
        build_key: str,
        use_cache: bool,
        context: dict[str, Any],
        checked: tuple[int, list[str]] | None = None,
        read: str | None = None,
        record: KeptDict | None = None,
    ):
        self.settings = settings
        self.context = context
        self.output_path = output_path
        self._root = os.path.abspath(output_path)
        #: Each folder a page went into, and whether this process made it in this build.
        self._folders: dict[str, bool] = {}
        self.build_key = build_key
        self.relative = bool(settings.get("RELATIVE_URLS"))
        self.siteurl = settings.get("SITEURL", "") or ""
        # One record per output folder: a publish build into another folder
        # must not take the preview build's files for its own.
        # (Loaded already, by :func:`load_record`, while the files were listed.)
        if record is None or record.path != record_path(settings, output_path) or record.enabled != use_cache:
            record = load_record(settings, output_path, use_cache)
        self.record = record
        # The pages an earlier version's record lists, so they too are removed
        # when they leave the section at the first build after an upgrade.
        self._legacy = _legacy_pages(self.record.path) if use_cache and not len(self.record) else set()
        # The build key is kept once, not in each page's fingerprint: when it
        # changes (a template, a setting), every page is written again. So
        # are they when the last build stopped while writing (see _mark_writing):
        # the record's names are still used, to remove what leaves the section.
        self._writing = self.record.path + ".writing"
        stopped = use_cache and os.path.exists(self._writing)
        if stopped:
            logger.info("reviews: the last build stopped while writing pages; every page is written again")
        self.previous: KeptDict | dict[str, str] = (
            self.record if self.record.get(BUILD_KEY) == build_key and not stopped else {}
        )
        self._stopped = stopped
        self._marked = False
        #: This build's reading of the files (kept in the record at the end), and
        #: the one the last build's groups were made from (None: not known).
        self.read = read
        since = self.previous.get(READ)
        self.read_since: str | None = since if isinstance(since, str) else None
        # The recorded pages found not on disk as the build began (see
        # :func:`pages_not_on_disk`), if that check read the record read here;
        # otherwise (None) each page is looked at when asked.
        self._missing: set[str] | None = None
        if isinstance(checked, tuple) and len(checked) == 2 and checked[0] == len(self.record):
            self._missing = set(checked[1])
        self.current: dict[str, Any] = {}
        #: The pages this build writes (or queued for the background writer).
        self._touched: set[str] = set()
        self.written = 0
        self.skipped = 0
        #: Pages rendered whose bytes were already on disk (not written: see _write_file).
        self._same = 0
        self._deferred: list[tuple[str, Callable[[], str | Iterable[str]]]] = []
        self._child: forked.Beside[tuple[bool, int]] | None = None
        self._queue: forked.SharedQueue | None = None
        self._group: list[str] | None = None
        self._gone: set[str] = set()
        self._groups: dict[str, tuple[str, list[str]]] = {}

    def gone(self, save_as: str) -> None:
        """A page that must not be in the output (a withheld review's), record or not.

        Without a cache there is no record of what the last build wrote, so
        the pages that left the section cannot all be found; the ones that
        must not stay online are named here and removed in :meth:`finish`.
        """
        if save_as:
            self._gone.add(save_as)

    def copied(self, save_as: str, fingerprint: str) -> None:
        """A file copied into the output as it is (a static file): recorded like a page written."""
        if save_as in self.current and self.current[save_as] != fingerprint:
            logger.warning("reviews: %s would be written twice; keeping the first", save_as)
            return
        self.current[save_as] = fingerprint

    # -- groups: the files of one listing, kept whole while its inputs are unchanged --

    def group_unchanged(self, name: str, key: str) -> bool:
        """Whether the files written for group ``name`` were made from ``key``; if so they are kept.

        A product's listing pages, feeds and widgets are a dozen files made
        from its reviews; on a shop with 2,000 products, working out each
        file's inputs again costs more than the one product that changed.
        So the files written under :meth:`group` are remembered with the
        group's key, and while the key is the same they are kept as they
        are, without working anything out per file (each is still checked
        to be there: a folder emptied by hand is written again). Otherwise
        the writers write the group again, file by file.
        """
        kept = self.previous.get(GROUP + name)
        files: tuple[str, ...] = kept[1] if isinstance(kept, tuple) and kept[0] == key else ()
        # Asked of the dictionaries and sets at once, not file by file: 2,000 groups
        # hold a big shop's 127,000 files, asked about at every rebuild.
        previous = self.previous.keys()
        if (
            not files
            or not self.current.keys().isdisjoint(files)
            or not previous >= set(files)
            or not self._all_on_disk(files)
        ):
            self._groups[name] = (key, [])
            return False
        get = self.previous.getter() if isinstance(self.previous, KeptDict) else self.previous.get
        self.current.update({save_as: get(save_as) for save_as in files})
        self.current[GROUP + name] = kept
        self.skipped += len(files)
        return True

    def keep(self, save_as: str) -> bool:
        """Keep a page as the last build wrote it, whose inputs the caller knows did not change.

        False (and nothing done) when the record does not have it or it is
        not on disk: the caller then writes it as usual.
        """
        fingerprint = self.previous.get(save_as)
        if not save_as or save_as in self.current or not isinstance(fingerprint, str):
            return False
        if not self._on_disk(save_as):
            return False
        self.current[save_as] = fingerprint
        if self._group is not None:
            self._group.append(save_as)
        self.skipped += 1
        return True

    def noted(self, name: str) -> Any:
        """What the last build noted under ``name`` (see :meth:`note`), if the record is trusted."""
        return self.previous.get(NOTE + name)

    def note(self, name: str, value: Any) -> None:
        """Keep a value for the next build, in the record."""
        self.current[NOTE + name] = value

    def kept_key(self, name: str) -> str | None:
        """The key the last build's files of group ``name`` were made from, if the record has them.

        A group whose inputs did not change since the reading the record
        holds (:attr:`read_since`) has the same key: the caller asks
        :meth:`group_unchanged` with it, without working it out again.
        """
        kept = self.previous.get(GROUP + name)
        return kept[0] if isinstance(kept, tuple) and len(kept) == 2 and isinstance(kept[0], str) else None

    @contextmanager
    def group(self, name: str | None) -> Iterator[None]:
        """Files written in this block belong to group ``name`` (see :meth:`group_unchanged`).

        None, or a group :meth:`group_unchanged` was not asked about, is no group.
        """
        entry = self._groups.get(name) if name is not None else None
        if entry is None:
            yield
            return
        self._group = entry[1]
        try:
            yield
        finally:
            self._group = None

    def path_of(self, save_as: str) -> str:
        """The file ``save_as`` names in the output folder; never a file outside it."""
        return _inside(self._root, save_as)

    @property
    def root(self) -> str:
        """The output folder, absolute."""
        return self._root

    def few_to_write(self, most: int) -> bool:
        """Whether the last build's pages are known to be on disk but for at most ``most``.

        The record is trusted (same build key, not stopped) and the check made
        as the build began found at most ``most`` of its pages gone. Not so after
        the output folder was emptied (``DELETE_OUTPUT_DIRECTORY``, publishconf's
        default), or when that check was not made: every page may be written.
        """
        return bool(self.previous) and self._missing is not None and len(self._missing) <= most

    def _all_on_disk(self, files: Iterable[str]) -> bool:
        """Whether every one of ``files`` is still there (see :meth:`_on_disk`)."""
        if self._missing is not None:
            return self._missing.isdisjoint(files)
        return all(self._on_disk(f) for f in files)

    def _on_disk(self, save_as: str) -> bool:
        """Whether a page the last build recorded is still there (a folder emptied by hand is not)."""
        if self._missing is not None:
            return save_as not in self._missing
        return os.path.isfile(self.path_of(save_as))

    def siteurl_for(self, save_as: str) -> str:
        if self.relative:
            return path_to_url(get_relative_path(save_as))
        return self.siteurl

    def write(
        self,
        save_as: str,
        inputs: str,
        render: Callable[[], str | Iterable[str]],
        background: bool = False,
    ) -> None:
        """Write one page, rendered by ``render()`` with SITEURL_MARK for SITEURL.

        ``inputs`` must capture everything the page shows besides the build
        key (templates, settings, stylesheet); if it and the file are
        unchanged since the last build, the page is not rendered again.
        With ``background``, the page is written by :meth:`start_background`.
        """
        if not save_as:
            return
        if save_as in self.current:
            logger.warning("reviews: %s would be written twice; keeping the first", save_as)
            return
        path = self.path_of(save_as)
        # Most pages' inputs are a fingerprint already (a card's): kept as they are.
        fingerprint = inputs if len(inputs) <= 64 else digest(inputs)
        self.current[save_as] = fingerprint
        if self._group is not None:
            self._group.append(save_as)
        if self.previous.get(save_as) == fingerprint and self._on_disk(save_as):
            self.skipped += 1
            return
        self.written += 1
        self._touched.add(save_as)
        if background:
            self._deferred.append((save_as, render))
            return
        self._render_and_write(path, save_as, render)
        self._announce(path, save_as)

    def _mark_writing(self) -> None:
        """Say, before the first page is written, that this build is writing pages.

        The record vouches for the files on disk; a build that fails or is
        killed half-way has changed some of them without recording it. The
        mark stays until the record is saved, and the next build that finds
        it trusts none of the record's fingerprints.
        """
        if self._marked:
            return
        self._marked = True
        if self.record.enabled:  # a site without a cache gets no file (see _keep_names_only)
            os.makedirs(os.path.dirname(self._writing) or ".", exist_ok=True)
            with open(self._writing, "wb"):
                pass

    def _render_and_write(self, path: str, save_as: str, render: Callable[[], str | Iterable[str]]) -> None:
        self._mark_writing()
        text = render()
        if isinstance(text, str):
            text = text.replace(SITEURL_MARK, self.siteurl_for(save_as))
            if OUTPUT_FILE_MARK in text:
                text = text.replace(OUTPUT_FILE_MARK, save_as)
            if HEAD_MARKS[0] in text:
                text = moved_into_head(text)
        # Otherwise pieces of a big file (data with absolute links only), written as they come.
        folder = os.path.dirname(path)
        made = self._folders.get(folder)
        if made is None:
            # Once per folder, not per file: ten thousand review folders are
            # made once each, and a listing's folder is not asked for again per page.
            made = self._folders[folder] = _make_folder(folder)
        if not _write_file(path, text, new=made):
            self._same += 1

    def _announce(self, path: str, save_as: str) -> None:
        """Send ``content_written`` for one file, with the site's context as Pelican does.

        When Redress's own receiver is the only one, it gets the two keys it
        reads: a copy of the whole site context per file was most of the
        cost of announcing a big shop's pages, after the background writer
        is done and nothing else runs.
        """
        # blinker keys its receivers by id(); these functions live as long as their modules.
        if signals.content_written.receivers.keys() <= {id(r) for r in LIGHT_RECEIVERS}:
            context: dict[str, Any] = {"output_file": save_as, WRITTEN_BY_REDRESS: True}
        else:
            context = dict(
                self.context,
                SITEURL=self.siteurl_for(save_as),
                output_file=save_as,
                **{WRITTEN_BY_REDRESS: True},
            )
        signals.content_written.send(path, context=context)

    def start_background(self) -> None:
        """Render and write the background pages, in a forked process when there are many.

        The child only renders templates and writes files (see
        :mod:`redress.content.forked`); the one lock it shares is the
        queue's (see :class:`forked.SharedQueue`). The parent takes the queue's
        last pages and waits for it in :meth:`finish`, and fails the build
        if it failed.
        """
        self._mark_writing()  # before the fork: the child's pages count too
        if len(self._deferred) < FORK_MIN_PAGES or not hasattr(os, "fork"):
            self._write_deferred()
            return
        # Without shared memory for a lock (some containers), the child writes them all.
        self._queue = forked.shared_queue(len(self._deferred))
        self._child = forked.beside(self._write_front)
        if self._child is None:
            self._queue = None
            self._write_deferred()

    def _write_front(self) -> tuple[bool, int]:
        """The forked writer's work: pages from the front of the queue (all of them without one).

        Done, it says how many of its pages were already on disk as rendered.
        """
        parent = os.getppid()
        same_before = self._same
        try:
            while part := (self._queue.take_front() if self._queue else (0, len(self._deferred))):
                if os.getppid() != parent:
                    return False, 0  # the build is gone (killed): nothing more is written into its output
                for save_as, render in self._deferred[part[0] : part[1]]:
                    self._render_and_write(self.path_of(save_as), save_as, render)
                if self._queue is None:
                    break
        except BaseException:
            # Logging is off in the child, and sys.stderr may be a console's proxy whose
            # lock a thread of the parent held at the fork: the error goes straight to fd 2.
            os.write(2, traceback.format_exc().encode("utf-8", "replace"))
            raise
        return True, self._same - same_before

    def _write_deferred(self) -> None:
        for save_as, render in self._deferred:
            path = self.path_of(save_as)
            self._render_and_write(path, save_as, render)
            self._announce(path, save_as)
        self._deferred = []

    def _wait_background(self) -> None:
        if self._child is None:
            self._write_deferred()
            return
        # Done with its own pages, the parent takes the writer's from the end of
        # its queue: on two cores the last pages are written twice as fast.
        while self._queue is not None and (part := self._queue.take_back()):
            for save_as, render in self._deferred[part[0] : part[1]]:
                self._render_and_write(self.path_of(save_as), save_as, render)
            if self._child.finished():
                break  # the writer ended: done (nothing left), or failed (the build fails now)
        done = self._child.result()
        self._child = None
        if not (isinstance(done, tuple) and len(done) == 2 and done[0] is True):
            raise RuntimeError("reviews: writing the review pages failed (see the error above)")
        self._same += int(done[1])
        for save_as, _render in self._deferred:
            self._announce(self.path_of(save_as), save_as)
        self._deferred = []

    def abandon(self) -> None:
        """The build failed: stop the background writer, if any, and reap it.

        If it wrote pages, the record keeps the last build's fingerprints of
        the pages this build did not touch, and only the names of those it
        wrote or was to write: a theme's typo under ``pelican -r`` costs the
        next build those pages, not every page of the shop.
        """
        if self._child is not None:
            self._child.stop()
            self._child = None
        self._deferred = []
        if not self._marked:
            return
        if not self.record.enabled or self._stopped:
            # Nothing to keep: the record was not trusted to begin with (a killed build's).
            self._keep_names_only()
            self._unmark()
            return
        record = self.record
        for name in [name for name in record.keys() if name.startswith(GROUP)]:
            record.pop(name)  # a listing's files kept whole: some may be among those touched
        for name in self._touched:
            record[name] = None
        record.save()
        self._unmark()  # the record says again what it can vouch for

    def _unmark(self) -> None:
        try:
            os.remove(self._writing)
        except FileNotFoundError:
            pass

    def _keep_names_only(self) -> None:
        """Keep the names of the files the record and this build know, and none of their fingerprints.

        A build that changed files without recording them (it failed, or it
        keeps no cache) leaves a record that vouches for what is no longer on
        disk; deleted, the files it names would never be removed. Kept as
        names, the next cached build writes every page again and removes
        those it no longer writes. A site that keeps no cache gets no record.
        """
        record = self.record
        if not record.enabled:
            if not os.path.exists(record.path):
                return
            record = KeptDict(record.path)
        names = {name for name in (*record.keys(), *self.current) if not name.startswith("\x00")}
        record.replace(dict.fromkeys(names))
        record.save()

    def _remove_empty_folders(self, folder: str) -> None:
        root = os.path.abspath(self.output_path)
        folder = os.path.abspath(folder)
        while folder.startswith(root + os.sep) and not os.listdir(folder):
            os.rmdir(folder)
            folder = os.path.dirname(folder)

    def finish(self) -> None:
        """Remove pages this section wrote last time but not now; remember this build."""
        self._wait_background()
        for save_as in (self.record.keys() | self._legacy | self._gone) - self.current.keys():
            if save_as.startswith("\x00"):
                continue  # the build key and the groups: not files
            try:
                path = self.path_of(save_as)
            except RuntimeError:
                continue  # not a page of this output folder
            if any(theirs(self._root, save_as) for theirs in OTHER_WRITERS):
                # The blog (or a plugin) now has a page where one of the section's was.
                logger.info("reviews: %s is another writer's file now; left as it is", save_as)
                continue
            if os.path.isfile(path):
                os.remove(path)
                logger.info("reviews: removed %s, which is no longer part of the review section", save_as)
                self._remove_empty_folders(os.path.dirname(path))
        for name, (key, files) in self._groups.items():
            self.current[GROUP + name] = (key, tuple(files))
        self.current[BUILD_KEY] = self.build_key
        if self.read is not None:
            self.current[READ] = self.read
        if self.record.enabled:
            self.record.replace(self.current)
            self.record.save()
            self._unmark()  # the record says what is on disk again
        else:
            # This build wrote pages without recording them: a record an earlier build
            # left must not vouch for them, but still names what to remove.
            self._keep_names_only()
        # A page rendered whose bytes were on disk already was not written: unchanged.
        self.written -= self._same
        self.skipped += self._same
        logger.info("reviews: wrote %d pages, %d unchanged", self.written, self.skipped)


def _inside(root: str, save_as: str) -> str:
    """The file ``save_as`` names in the folder ``root`` (absolute); never a file outside it.

    Pelican's ``sanitised_join`` does the same for one file; this one takes
    the folder made absolute once, not for each of 100,000 pages.
    """
    if os.sep == "/" and save_as and "//" not in save_as and "/." not in save_as and save_as[0] not in "/.":
        return root + "/" + save_as  # already normal, inside the folder: most pages
    path = os.path.normpath(os.path.join(root, save_as))
    if not path.startswith(root + os.sep):
        raise RuntimeError(f"reviews: {save_as!r} would be written outside the output folder")
    return path


def record_path(settings: dict[str, Any], output_path: str) -> str:
    """The page record of an output folder: one per folder, so a publish build into
    another folder never takes the preview build's files for its own."""
    return os.path.join(settings["CACHE_PATH"], "redress-pages-" + digest(os.path.abspath(output_path))[:12])


def load_record(settings: dict[str, Any], output_path: str, use_cache: bool) -> KeptDict:
    """The page record of an output folder as the last build left it (empty without the cache)."""
    return KeptDict(record_path(settings, output_path), use_cache)


def pages_not_on_disk(
    settings: dict[str, Any], output_path: str, use_cache: bool
) -> forked.Beside[tuple[int, list[str]]] | None:
    """The pages the last build recorded that are no longer on disk, looked for by a forked process.

    A rebuild keeps every unchanged page after checking that its file is
    still there; at 100,000 reviews that is a stat per page, half a second,
    done while the shop is read, at a lower priority than the reading (the
    build waits for the shop, and for this only once the shop is read). The result
    is the number of records the child read and those pages: the writer
    uses them only if it read as many itself (see :class:`PageWriter`).
    None for a small record (the pages are then looked at one by one as
    they come), without a cache, or where processes cannot fork;
    :meth:`Beside.result` is None if the child failed.
    """
    path = record_path(settings, output_path)
    try:
        big = use_cache and os.path.getsize(path) >= CHECK_BESIDE_MIN_BYTES
    except OSError:
        big = False
    if not big:
        return None
    root = os.path.abspath(output_path)

    def missing() -> tuple[int, list[str]]:
        gone = []
        record = KeptDict(path)
        for save_as in record.keys():
            if not isinstance(save_as, str) or not save_as or save_as.startswith("\x00"):
                continue  # the build key and the groups: not files
            try:
                if not os.path.isfile(_inside(root, save_as)):
                    gone.append(save_as)
            except RuntimeError:
                continue  # not a page of this folder: the writer refuses it itself
        return len(record), gone

    # Wanted once the shop is read: the reading goes first (see forked.beside).
    return forked.beside(missing, waits_its_turn=True)


def _legacy_pages(path: str) -> set[str]:
    """The pages in a record an earlier version wrote at ``path`` (Pelican's cacher, or a plain dict)."""
    pages: set[str] = set()
    for name in (path, path + ".changes"):
        try:
            with open(name, "rb") as handle:
                kept = pickle.load(handle)
        except Exception:  # none, or not an earlier record
            continue
        if isinstance(kept, dict):
            inner = kept.get("pages")
            record: dict[Any, Any] = inner if isinstance(inner, dict) else kept
            pages.update(
                key
                for key, value in record.items()
                if isinstance(key, str) and key and not key.startswith("\x00") and isinstance(value, str)
            )
    return pages


#: A data file written in pieces is held whole (and left as it is when its bytes did
#: not change) up to this many characters; a bigger one is written as it comes.
WHOLE_MAX_CHARS = 4 * 1024 * 1024

#: How a page's file is opened: created or emptied, for writing bytes.
_WRITE_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_TRUNC
_WRITE_FLAGS |= getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)


def _make_folder(folder: str) -> bool:
    """Make ``folder`` and any missing parents; whether it was made now (so it holds no file yet).

    A first build makes a folder for each review's page (``reviews/<slug>/``):
    one ``mkdir`` each, where ``os.makedirs`` first asks whether the parent
    is there. A folder this build made holds only what this build writes
    into it, so its pages need no look at an earlier file (see :func:`_write_file`).
    """
    try:
        os.mkdir(folder)
    except FileNotFoundError:
        parent = os.path.dirname(folder)
        if not parent or parent == folder:
            raise
        _make_folder(parent)
        return _make_folder(folder)
    except FileExistsError:
        if os.path.isdir(folder):
            return False  # there already (an earlier build's, or made by the forked writer)
        raise
    return True


def moved_into_head(text: str) -> str:
    """The page with its marked head things (see HEAD_MARKS) in the theme's head, once.

    In a theme without a block for them they go just before its ``</head>``:
    the first ``</head>`` (or, in a theme that leaves it out, ``<body``)
    before the marks. Only the theme's own markup comes before them, and
    Redress's title, escaped: what a customer wrote can make no tag there. A
    page with neither keeps them where they were, at the top of the region.

    The theme's own tags of the same kind (its canonical link, its Open Graph
    tags, its description, robots and referrer rules) are left out: themes
    write them for the site's home page in blocks Redress does not fill
    (Attila's ``canonical_url``, pelican-bootstrap3's ``opengraph``), and two
    canonical links tell a search engine nothing, or the wrong page.
    """
    start, end_mark = HEAD_MARKS
    begin = text.find(start)
    end = text.find(end_mark, begin)
    if begin < 0 or end < 0:
        return text
    head = text[begin + len(start) : end]
    keys = _head_keys(head)
    before, after = text[:begin], text[end + len(end_mark) :]
    close = _HEAD_END.search(before)
    if close is None:
        # In the theme's head block already (or in a page without a head to move to).
        theirs = _HEAD_END.search(after)
        cut = theirs.start() if theirs else 0
        return _without(before, keys) + head + _without(after[:cut], keys) + after[cut:]
    at = close.start()
    return _without(before[:at], keys) + head.strip() + "\n" + before[at:] + after


#: A <meta> or <link> tag, quoted values with ">" in them included.
_HEAD_TAG_RE = re.compile(r"<(?:meta|link)\b(?:[^>\"']|\"[^\"]*\"|'[^']*')*>", re.I)
#: One attribute of a tag, its quoted value read whole: a value's words are never an attribute.
_ATTRIBUTE_RE = re.compile(r"\s*([^\s=/>\"']+)(?:\s*=\s*(?:\"([^\"]*)\"|'([^']*)'|([^\s\"'>]*)))?")
#: The tags a page says once: the theme's are dropped where Redress writes its own.
_ONCE = re.compile(
    r"rel:canonical|name:(?:description|robots|referrer|twitter:card)|(?:property|name):og:[a-z_:]+"
)


@functools.lru_cache(maxsize=4096)
def _tag_keys(tag: str) -> frozenset[str]:
    """What a <meta> or <link> says once (``rel:canonical``, ``property:og:title``), if anything.

    Kept per tag: a theme's tags are the same on every page of a big shop.
    """
    keys = set()
    at = tag.find(" ")
    while 0 <= at < len(tag):
        found = _ATTRIBUTE_RE.match(tag, at)
        if found is None or found.end() == at:
            at += 1
            continue
        at = found.end()
        kind = found.group(1).lower()
        if kind not in ("property", "name", "rel"):
            continue
        value = next((v for v in found.groups()[1:] if v is not None), "").strip().lower()
        for word in value.split() if kind == "rel" else [value]:
            key = f"{kind}:{word}"
            if _ONCE.fullmatch(key):
                keys.add(key.replace("name:og:", "property:og:"))
    return frozenset(keys)


def _head_keys(head: str) -> set[str]:
    return {key for tag in _HEAD_TAG_RE.findall(head) for key in _tag_keys(tag)}


def _without(part: str, keys: set[str]) -> str:
    """``part`` of the theme's head without its tags of ``keys``."""
    if not keys:
        return part
    return _HEAD_TAG_RE.sub(lambda tag: "" if _tag_keys(tag.group(0)) & keys else tag.group(0), part)


def _write_file(path: str, text: str | Iterable[str], new: bool = False) -> bool:
    """Write a page's text as UTF-8, with newlines as they are on every platform.

    A page is written with three system calls, not Python's text file
    (which also asks whether the file is a terminal, where it stands, and
    more): a tenth of a millisecond per file, at 100,000 review pages
    seconds of a first build. A file that already holds these bytes is
    left as it is: a page whose inputs moved but whose text did not (a
    review file touched) is nothing new for a CDN or a sync tool. Whether
    the file was written is returned. In a ``new`` folder (made by this
    build) there is no earlier file to look at: a first build of 10,000
    reviews asked for 15,000 files that were not there.
    """
    if not isinstance(text, str):
        # Pieces of a data file: joined while they are few, then looked at as a page is;
        # a big listing's are written as they come, never held whole.
        pieces = iter(text)
        held: list[str] = []
        size = 0
        for piece in pieces:
            held.append(piece)
            size += len(piece)
            if size > WHOLE_MAX_CHARS:
                with open(path, "w", encoding="utf-8", newline="") as handle:
                    handle.writelines(held)
                    handle.writelines(pieces)
                return True
        text = "".join(held)
    encoded = text.encode("utf-8")
    if not new and _same_bytes(path, encoded):
        # Its inputs moved, its bytes did not (a review file touched or restored): left as it
        # is, so a CDN or a sync tool has nothing new to fetch.
        return False
    data = memoryview(encoded)
    descriptor = os.open(path, _WRITE_FLAGS, 0o666)
    try:
        while data:
            data = data[os.write(descriptor, data) :]
    finally:
        os.close(descriptor)
    return True


def _same_bytes(path: str, data: bytes) -> bool:
    """Whether the file at ``path`` holds exactly ``data`` (a stat, and a read only at the same size)."""
    try:
        if os.stat(path).st_size != len(data):
            return False
        with open(path, "rb") as handle:
            return handle.read() == data
    except OSError:
        return False
