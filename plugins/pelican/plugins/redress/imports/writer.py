"""The plan, written: new files never replace anything, a changed one only with ``--update``.

For each planned file (see :mod:`.plan`) the file on disk and the ledger
(:mod:`.ledger`) decide what happens:

==========================================  =====================================
on disk                                      outcome
==========================================  =====================================
nothing                                      written (``files.write_new``)
exactly the planned text                     already there
an empty file the ledger does not know       written (a write cut off by a power
                                             cut; it holds no one's words)
what the import wrote, the platform changed  changed on the platform; with
                                             ``--update`` replaced in one step
what the import wrote, only the way of       differs now (a setting changed);
writing it changed (a setting)               with ``--update`` replaced
anything else (edited by hand since, or      left as it is, and said so
never written by the import)
==========================================  =====================================

A file is written whole before it gets its name (``files.write_new``), so
a run killed half-way leaves every file whole or absent, never cut off: the
next run finds its files "already there" by their text, even without the
ledger.
A reply is named by its place (``<review>-1``). When that name holds a
response the import did not write (the shop's own, from ``redress
respond``), a reply new to a review the ledger knows takes the next name
(``<review>-1-2``). Without the ledger the file may be an earlier import's
copy of this very reply, edited or changed since, so the reply is only
reported, and the ledger notes the name as the reply's: a later run, which
knows the review again, still never writes the reply a second time. A
product file that exists is the shop's and is never compared. With
``dry_run`` nothing is written, the ledger included.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..content import files
from ..errors import RedressError
from .ledger import Ledger, fingerprint
from .plan import Plan, Planned, Site

#: Outcomes, in the order the summary lists them.
NEW = "new"
AGAIN = "again"  # new, but an earlier import wrote it and its file is gone
ALREADY = "already"
CHANGED = "changed"  # on the platform, not replaced (no --update)
DIFFERS = "differs"  # written differently now (a setting changed), not replaced
UPDATED = "updated"
EDITED = "edited"  # edited since the import wrote it: left as it is
FOREIGN = "foreign"  # not written by the import: left as it is
EXISTS = "exists"  # a product file the shop has


@dataclass
class Outcome:
    counts: Counter[tuple[str, str]] = field(default_factory=Counter)  # (kind, outcome) -> files
    #: Files per outcome, for the summary's examples and --dry-run's list.
    paths: dict[str, list[str]] = field(default_factory=dict)
    withheld: int = 0
    problems: list[str] = field(default_factory=list)

    def add(self, item: Planned, outcome: str, relpath: str) -> None:
        self.counts[(item.kind, outcome)] += 1
        self.paths.setdefault(outcome, []).append(relpath)
        if item.kind == "review" and item.withheld and outcome in (NEW, AGAIN):
            self.withheld += 1

    def count(self, kind: str, *outcomes: str) -> int:
        return sum(self.counts[(kind, o)] for o in outcomes)

    @property
    def wrote(self) -> int:
        return sum(n for (_kind, outcome), n in self.counts.items() if outcome in (NEW, AGAIN, UPDATED))


class Writer:
    """Decides (and, unless ``dry_run``, does) what becomes of each planned file, one at a time.

    It may run in a thread of its own beside the planner (see
    :func:`.command.import_batches`): it alone touches the files and the
    ledger, and reads nothing the planner writes but the items it is given.
    Files are written without a sync of their own: the caller syncs once
    before it saves the ledger.
    """

    def __init__(
        self, site: Site, ledger: Ledger, *, update: bool, dry_run: bool, there: set[str] | None = None
    ):
        self.ledger = ledger
        self.update = update
        self.dry_run = dry_run
        self.outcome = Outcome()
        self._site = site
        self._content = str(site.content)
        #: The files there were before the run (shared by writers working side by side).
        self._there = there if there is not None else files_there(site)
        self._folders: dict[str, Path] = {}
        #: Reviews' platform fingerprints, and those whose change was not taken.
        self._said: dict[str, str] = {}
        self._changed: set[str] = set()
        self._guessed: dict[str, str] = {}
        self._edited: dict[str, str] = {}

    def handle(self, item: Planned) -> None:
        if item.kind == "review":
            self._said[item.review_key] = item.said
            if item.guessed_lang:
                self._guessed[item.review_key] = item.guessed_lang
            if item.edited:
                self._edited[item.review_key] = item.edited
        if item.relpath not in self._there:
            self._new(item)
        elif item.kind == "product":
            self.outcome.add(item, EXISTS, item.relpath)
        else:
            self._existing(item)

    def finish(self) -> Outcome:
        return finish([self])

    def _folder(self, relpath: str) -> Path:
        name = relpath.rpartition("/")[0]
        folder = self._folders.get(name)
        if folder is None:
            folder = self._folders[name] = Path(self._content, name)
        return folder

    def _new(self, item: Planned) -> None:
        known = self.ledger.ids.get(item.key)
        result = AGAIN if known is not None and known in self.ledger.files else NEW
        if not self.dry_run:
            try:
                self._write(item.relpath, item)
            except files.NoFreeName:  # made meanwhile, by someone else
                self._not_mine(item)
                return
        self.outcome.add(item, result, item.relpath)

    def _write(self, relpath: str, item: Planned) -> None:
        """``relpath`` made, never replacing a file (:class:`files.NoFreeName` if taken), and recorded."""
        name = relpath.rpartition("/")[2].removesuffix(".md")
        try:
            files.write_new(self._folder(relpath), name, item.text, sync=False, numbered=False)
        except files.NoFreeName:
            raise  # a FileExistsError, and so an OSError: the caller decides
        except OSError as err:
            raise _stopped(Path(self._content, relpath), err) from None
        self.ledger.wrote(relpath, item.text, item.key)

    def _existing(self, item: Planned) -> None:
        outcome, ledger = self.outcome, self.ledger
        target = Path(self._content, item.relpath)
        try:
            current = target.read_bytes()
        except OSError as err:
            outcome.problems.append(f"{item.relpath}: cannot be read: {err.strerror}")
            return
        data = item.text.encode("utf-8")
        if current == data:
            if not self.dry_run:
                ledger.wrote(item.relpath, item.text, item.key)
            outcome.add(item, ALREADY, item.relpath)
            return
        recorded = ledger.files.get(item.relpath)
        if not current and recorded is None:
            # Empty, and in no ledger: a file whose words never reached the disk (a power cut
            # before the sync that comes before the ledger). Nobody's words are in it.
            self._replace(target, item)
            outcome.add(item, NEW, item.relpath)
            return
        if recorded is None or ledger.ids.get(item.key) != item.relpath:
            # Not this item's file: someone else's, or an earlier import's copy of another one.
            self._not_mine(item)
            return
        if recorded != fingerprint_bytes(current):
            outcome.add(item, EDITED, item.relpath)
            return
        if not self.update:
            on_platform = ledger.records.get(item.review_key) != item.said
            outcome.add(item, CHANGED if on_platform else DIFFERS, item.relpath)
            self._changed.add(item.review_key)
            return
        self._replace(target, item)
        outcome.add(item, UPDATED, item.relpath)

    def _not_mine(self, item: Planned) -> None:
        """The item's name holds a file that is not the item's: left as it is, and a reply looks further.

        A reply may be under the next of its names (``<review>-1-2``,
        ``<review>-1-3`` …, :func:`files.candidate_names`) already, and is
        then "already there"; a reply new to a review the ledger knows
        (``item.fallback``) is written under the first free one. Any other
        is reported, and its name noted in the ledger, so that the next run,
        which knows the review again, does not take the file for the shop's
        own and write the reply a second time.
        """
        if item.kind == "response":
            if self._elsewhere(item):
                return
            if not (self.dry_run or item.fallback):
                self.ledger.ids.setdefault(item.key, item.relpath)
        self.outcome.add(item, FOREIGN, item.relpath)

    def _elsewhere(self, item: Planned) -> bool:
        """Find the reply under one of its next names, or (if it may) write it under the first free one."""
        data = item.text.encode("utf-8")
        for name in files.candidate_names(item.slug)[1:]:
            relpath = self._site.relpath(item.kind, name)
            if relpath in self._there:
                if files.same_file(Path(self._content, relpath), data):
                    if not self.dry_run:
                        self.ledger.wrote(relpath, item.text, item.key)
                    self.outcome.add(item, ALREADY, relpath)
                    return True
                continue
            if not item.fallback:
                return False  # names are taken in order: no copy of it lies beyond a free one
            if not self.dry_run:
                try:
                    self._write(relpath, item)
                except files.NoFreeName:
                    continue
            self.outcome.add(item, NEW, relpath)
            return True
        return False

    def _replace(self, target: Path, item: Planned) -> None:
        if self.dry_run:
            return
        try:
            files.overwrite(target, item.text, sync=False)
        except OSError as err:
            raise _stopped(target, err) from None
        self.ledger.wrote(item.relpath, item.text, item.key)


def files_there(site: Site) -> set[str]:
    return {relpath for names in site.existing.values() for relpath in names.values()}


def finish(writers: Sequence[Writer]) -> Outcome:
    """What became of every file, from writers that each wrote a share; the ledger's fingerprints.

    A review's fingerprint of what the platform said (and its guessed
    language) is kept only when its files were taken (written, already
    there, updated): a change not taken stays a change, and the next run
    says so again.
    """
    outcome = Outcome()
    said: dict[str, str] = {}
    changed: set[str] = set()
    guessed: dict[str, str] = {}
    edited: dict[str, str] = {}
    for writer in writers:
        outcome.counts.update(writer.outcome.counts)
        for name, paths in writer.outcome.paths.items():
            outcome.paths.setdefault(name, []).extend(paths)
        outcome.withheld += writer.outcome.withheld
        outcome.problems += writer.outcome.problems
        said.update(writer._said)
        changed |= writer._changed
        guessed.update(writer._guessed)
        edited.update(writer._edited)
    for paths in outcome.paths.values():
        paths.sort()
    outcome.problems.sort()
    if writers and not writers[0].dry_run:
        ledger = writers[0].ledger
        for key, fingerprint_said in said.items():
            if key not in changed and key in ledger.ids:
                ledger.records[key] = fingerprint_said
                if key in guessed:
                    ledger.langs[key] = guessed[key]
                if key in edited:
                    ledger.edited[key] = edited[key]
    return outcome


def apply(plan: Plan, site: Site, ledger: Ledger, *, update: bool, dry_run: bool) -> Outcome:
    """Write what the plan says (or, with ``dry_run``, only decide it); returns what became of each file."""
    writer = Writer(site, ledger, update=update, dry_run=dry_run)
    for item in plan.files:
        writer.handle(item)
    return writer.finish()


def fingerprint_bytes(data: bytes) -> str:
    try:
        return fingerprint(data.decode("utf-8"))
    except UnicodeDecodeError:
        return ""


def _stopped(target: Path, err: OSError) -> RedressError:
    return RedressError(
        f"{target}: cannot be written: {err.strerror or err}; nothing after it was written. "
        "Fix that, then run the same command again (what was written is kept, and finished)."
    )
