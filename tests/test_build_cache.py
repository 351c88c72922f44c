"""The caches kept between builds: only changes are written, and nothing is lost or half-read."""

from __future__ import annotations

import os
import pickle
import time

import pytest
from conftest import build, make_site, response, review, soup, write
from pelican.plugins.redress.content import cache as cache_module
from pelican.plugins.redress.content import reader
from pelican.plugins.redress.content.cache import KeptDict
from pelican.plugins.redress.desk.build_line import COPIES_CACHE_FILES
from pelican.plugins.redress.site.public_data import KEPT_REVIEWS_FILES


def test_a_few_changes_go_to_the_small_file_and_come_back(tmp_path):
    path = str(tmp_path / "kept")
    kept = KeptDict(path)
    for i in range(5000):
        kept[f"k{i}"] = i
    kept.save()
    base_size = os.path.getsize(path)
    assert not os.path.exists(path + ".changes")  # a first build writes the base whole

    kept = KeptDict(path)
    kept["k1"] = "changed"
    kept["new"] = 1
    kept.pop("k2")
    kept.save()
    assert os.path.getsize(path) == base_size  # the base is not written again
    assert os.path.getsize(path + ".changes") < 200

    again = KeptDict(path)
    assert again.get("k1") == "changed" and again.get("new") == 1 and "k2" not in again
    assert len(again) == 5000  # 5000 - 1 + 1


def test_the_base_is_written_again_once_the_changes_are_many(tmp_path):
    path = str(tmp_path / "kept")
    kept = KeptDict(path)
    kept.replace({f"k{i}": i for i in range(8 * cache_module.REWRITE_MIN)})
    kept.save()
    kept = KeptDict(path)
    kept.replace({f"k{i}": -i for i in range(cache_module.REWRITE_MIN + 10)})
    kept.save()
    assert not os.path.exists(path + ".changes")
    assert KeptDict(path).get("k5") == -5


def test_changes_left_beside_a_newer_base_are_not_applied(tmp_path, monkeypatch):
    """A build stopped between writing a new base and removing the old changes loses nothing."""
    monkeypatch.setattr(cache_module, "REWRITE_MIN", 10)
    path = str(tmp_path / "kept")
    kept = KeptDict(path)
    kept.replace({f"k{i}": i for i in range(100)})
    kept.save()
    kept = KeptDict(path)
    kept.pop("k1")  # a page gone...
    kept.save()
    stale = (tmp_path / "kept.changes").read_bytes()
    kept = KeptDict(path)
    kept["k1"] = "back"  # ...and back, in a build that writes a new base
    kept.replace({**{f"k{i}": -i for i in range(100)}, "k1": "back"})
    kept.save()
    assert not (tmp_path / "kept.changes").exists()
    (tmp_path / "kept.changes").write_bytes(stale)  # as if the removal never happened
    assert KeptDict(path).get("k1") == "back"


def test_an_unchanged_dict_writes_nothing(tmp_path):
    path = str(tmp_path / "kept")
    kept = KeptDict(path)
    kept.replace({"a": 1})
    kept.save()
    stamp = os.stat(path).st_ino
    kept = KeptDict(path)  # marks the file as in use (its time), which is no writing
    kept.replace({"a": 1})
    kept.save()
    assert os.stat(path).st_ino == stamp and not os.path.exists(path + ".changes")


def test_a_big_dict_is_written_and_read_a_frame_at_a_time(tmp_path, monkeypatch):
    monkeypatch.setattr(cache_module, "FRAME_RECORDS", 100)
    path = str(tmp_path / "kept")
    kept = KeptDict(path, fast=True)
    kept.replace({f"k{i}": ("v", i, None, frozenset({"x"})) for i in range(1050)})
    kept.save()
    again = KeptDict(path, fast=True)
    assert len(again) == 1050 and again.get("k1049") == ("v", 1049, None, frozenset({"x"}))
    with open(path, "rb") as handle:  # cut inside the last frame: read as nothing, not as half
        data = handle.read()
    with open(path, "wb") as handle:
        handle.write(data[:-5])
    assert len(KeptDict(path, fast=True)) == 0


def test_a_torn_or_foreign_file_starts_afresh(tmp_path):
    path = tmp_path / "kept"
    path.write_bytes(b"not a pickle at all")
    (tmp_path / "kept.changes").write_bytes(pickle.dumps(["a list, not a dict"]))
    kept = KeptDict(str(path))
    assert len(kept) == 0
    kept["a"] = 1
    kept.save()
    assert KeptDict(str(path)).get("a") == 1


def test_disabled_keeps_nothing(tmp_path):
    path = str(tmp_path / "kept")
    kept = KeptDict(path, enabled=False)
    kept["a"] = 1
    kept.save()
    assert not os.path.exists(path)


def test_a_rebuild_after_one_new_response_rewrites_no_big_cache_file(tmp_path, monkeypatch):
    monkeypatch.setattr(cache_module, "REWRITE_MIN", 10)  # a big shop's behaviour on a small one
    files = [review(f"r{i}", rating=1 + i % 5, date=f"2026-09-{1 + i % 28:02d} 10:00") for i in range(60)]
    site = make_site(tmp_path, *files)
    out = build(site)
    cache = site / "cache"

    def written() -> dict[str, tuple[int, bytes]]:
        # A file written again is a new file renamed over the old one (its times
        # alone move at every build: they mark the file as in use).
        return {p.name: (p.stat().st_ino, p.read_bytes()) for p in cache.iterdir() if p.is_file()}

    before = written()
    write(site, *response("r3-1", "r3", body="We are on it.", **{"from": "shop"}))
    build(site)
    assert soup(out / "reviews/r3/index.html").find(id="entry-r3-1")
    after = written()
    rewritten = {name for name in before if after.get(name) != before[name]}
    rewritten = {name for name in rewritten if not name.endswith(".sqlite3")}  # a database writes in place
    # The text of the shop's own reviews in its data file is kept as a copy, written again
    # with the file when one of them changes (r3 is one: this shop has no products).
    rewritten = {name for name in rewritten if not name.startswith(KEPT_REVIEWS_FILES)}
    # The desk's comparison of every answer with the others changes with each answer, and is
    # written whole (5 MB at 100,000 reviews) by the forked check, not the build.
    rewritten = {name for name in rewritten if not name.startswith(COPIES_CACHE_FILES)}
    assert not rewritten, rewritten  # only small .changes files were added or written
    assert any(name.endswith(".changes") for name in after)


def test_the_shop_data_file_takes_its_own_reviews_text_from_the_cache_while_they_are_unchanged(tmp_path):
    """The shop's reviews.json holds the reviews of the shop itself: a change to a product's
    review leaves their text as the last build made it, kept in the cache folder."""
    import json

    files = [review(f"s{i}", rating=1 + i % 5, date=f"2026-09-{1 + i:02d} 10:00") for i in range(6)]
    files += [review(f"m{i}", rating=2, date=f"2026-09-{10 + i:02d} 10:00", product="mill") for i in range(5)]
    site = make_site(tmp_path, *files)
    write(site, "products/mill.md", "Title: Mill\n\nA mill.\n")
    out = build(site)
    data = out / "reviews/reviews.json"
    own = [r["id"] for r in json.loads(data.read_text(encoding="utf-8"))["reviews"]]
    assert sorted(own) == [f"s{i}" for i in range(6)]
    (kept,) = (site / "cache").glob(KEPT_REVIEWS_FILES + "*")
    key, _, text = kept.read_text(encoding="utf-8").partition("\n")
    assert json.loads("[" + text + "]") == json.loads(data.read_text(encoding="utf-8"))["reviews"]

    # A mark in the kept text, under its key: the next build's file says whether it was read.
    marked = dict(json.loads("[" + text + "]")[0], title="kept, not made again")
    kept.write_text(key + "\n" + json.dumps(marked), encoding="utf-8")
    write(site, *response("m1-1", "m1", status="resolved", **{"from": "shop"}))
    build(site)
    shown = json.loads(data.read_text(encoding="utf-8"))
    assert [r["title"] for r in shown["reviews"]] == ["kept, not made again"]
    assert shown["responsiveness"]["negative_answered"] == 1  # the head is this build's

    # A change to one of them: their text is made again, and kept again.
    write(site, *response("s1-1", "s1", status="resolved", **{"from": "shop"}))
    build(site)
    shown = json.loads(data.read_text(encoding="utf-8"))
    assert sorted(r["id"] for r in shown["reviews"]) == sorted(own)
    assert "kept, not made again" not in data.read_text(encoding="utf-8")
    assert kept.read_text(encoding="utf-8").partition("\n")[0] != key


def test_parsed_files_come_back_from_the_cache_as_they_were(tmp_path):
    """Every field of every kind of file, a date in the hour that occurs twice included."""
    import datetime as dt
    from zoneinfo import ZoneInfo

    from markupsafe import Markup
    from pelican.plugins.redress.content.model import Problem, Product, Review, ThreadEntry

    amsterdam = ZoneInfo("Europe/Amsterdam")
    twice = dt.datetime(2026, 10, 25, 2, 30, tzinfo=amsterdam, fold=1)
    items = [
        Review(
            slug="a",
            date=twice,
            rating=2,
            title="T",
            product_slug="mill",
            verified=True,
            withheld=None,
            replied_on=dt.datetime(2026, 10, 26, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=2))),
            body_html="<p>x</p>",
            private={"email": "a@example.org"},
        ),
        ThreadEntry(
            slug="a-1",
            review_slug="a",
            date=dt.datetime(2026, 10, 27, 9, 0, tzinfo=dt.UTC),
            by="shop",
            remedies=("refund",),
            resolved=True,
            hidden=frozenset({"email:1"}),
        ),
        Product(slug="mill", title="Mill", sku="M-1"),
        None,
    ]
    # Through the kept file the reader writes and reads: text that is not plain
    # str (a Markup) keeps its type, a date its zone and its fold.
    items.append(Review(slug="b", date=twice, rating=5, body_html=Markup("<p>y</p>")))
    kept = KeptDict(str(tmp_path / "parsed"))
    for number, item in enumerate(items):
        kept[f"{number}.md"] = (number, (item, [Problem("content/x.md", "Date", "is odd")]))
    kept.save()
    again = KeptDict(str(tmp_path / "parsed"))
    for number, item in enumerate(items):
        stamp, (back, problems) = again.get(f"{number}.md")
        assert stamp == number and back == item and problems == [Problem("content/x.md", "Date", "is odd")]
        if isinstance(item, Review):
            assert back.date.tzinfo is amsterdam and back.date.fold == 1
            assert back.date.utcoffset() == dt.timedelta(hours=1)
            assert type(back.body_html) is type(item.body_html)


def test_the_parsed_objects_are_kept_as_their_field_values_and_every_field_comes_back():
    """The parse cache's objects pickle as (class, field values): every field, none left to its default."""
    import dataclasses
    import datetime as dt

    from pelican.plugins.redress.content.model import Product, Review, ThreadEntry

    def not_default(f: dataclasses.Field, number: int) -> object:
        # A value unlike the field's default, of the field's kind.
        kind = str(f.type)
        if "datetime" in kind:
            return dt.datetime(2026, 1, 1 + number, tzinfo=dt.UTC)
        if kind.startswith("bool"):
            return True
        if kind.startswith("int"):
            return number
        if "dict" in kind:
            return {"email": f"a{number}@example.org"}
        if "frozenset" in kind:
            return frozenset({f"email:{number}"})
        if "tuple" in kind:
            return (f"v{number}",)
        if "list" in kind:
            return [f"v{number}"]
        if "Product" in kind:
            return Product(slug="mill", title="Mill")
        return f"{f.name}-{number}"

    for cls in (Product, ThreadEntry, Review):
        fields = dataclasses.fields(cls)
        item = cls(**{f.name: not_default(f, n) for n, f in enumerate(fields)})
        made_by, values = item.__reduce__()
        assert made_by is cls and values == tuple(getattr(item, f.name) for f in fields)
        back = pickle.loads(pickle.dumps(item, protocol=pickle.HIGHEST_PROTOCOL))
        assert type(back) is cls
        for f in fields:
            assert getattr(back, f.name) == getattr(item, f.name) != f.default, f.name

    @dataclasses.dataclass(slots=True)
    class Bigger(Product):  # a subclass's own field would be lost without a pickling of its own
        colour: str = "red"

    with pytest.raises(TypeError, match="Bigger must be decorated"):
        pickle.dumps(Bigger(slug="mill", title="Mill"))


def test_a_page_is_never_written_outside_the_output_folder(tmp_path):
    import pytest
    from pelican.plugins.redress.site.output import PageWriter
    from sites import pelican_settings

    site = make_site(tmp_path, review("a"))
    settings = pelican_settings(site)
    pages = PageWriter(settings, str(site / "output"), "key", False, {})
    root = os.path.abspath(site / "output")
    assert pages.path_of("reviews/a/index.html") == os.path.join(root, "reviews", "a", "index.html")
    assert pages.path_of("reviews//a/./index.html") == os.path.join(root, "reviews", "a", "index.html")
    for bad in ("../x.html", "reviews/../../x.html", "/etc/x.html", ".."):
        with pytest.raises(RuntimeError):
            pages.path_of(bad)


def test_a_value_marshal_cannot_keep_is_kept_by_pickle_in_its_frame(tmp_path):
    from markupsafe import Markup

    path = str(tmp_path / "kept")
    kept = KeptDict(path, fast=True)
    kept.replace({"plain": ("a", 1), "marked": ("b", Markup("<p>x</p>"))})
    kept.save()
    again = KeptDict(path, fast=True)
    assert again.get("plain") == ("a", 1)
    assert type(again.get("marked")[1]) is Markup and again.get("marked")[1] == "<p>x</p>"


def test_caches_no_build_still_uses_are_removed(tmp_path, caplog):
    """An upgrade starts new cache files, and the old ones would stay for good; another
    build's files of this version (publishconf.py's, a subsite's) stay while it is used."""
    answer = response("b-1", "b", **{"from": "shop"})
    files = [review("a"), review("b", rating=1, email="b@example.com"), answer]
    site = make_site(tmp_path, *files)
    build(site)
    cache = site / "cache"
    code = reader.code_stamp()
    parse = f"redress-{code}-"
    used = {p.name for p in cache.iterdir()}
    assert any(n.startswith(parse) for n in used) and any(
        n.startswith(f"redress-threads-{code}-") for n in used
    )
    older = ["redress-0123456789ab", "redress-0123456789ab.changes"]  # names before the code was in them
    older += ["redress-aaaaaaaaaaaa-0123456789ab", "redress-threads-aaaaaaaaaaaa-0123456789ab"]
    publishing = [f"redress-{code}-ba9876543210", f"redress-threads-{code}-ba9876543210.changes"]
    recent = ["redress-bbbbbbbbbbbb-0123456789ab"]  # an older version's, used six days ago
    others = ["redress-notes.txt", "pelican-cache", "redress-pages-0123456789ab"]
    day = 24 * 3600
    for name in older + publishing + recent + others:
        (cache / name).write_bytes(b"x")
        age = 6 * day if name in recent else 40 * day
        os.utime(cache / name, times=(time.time() - age,) * 2)
    for name in used:  # files this build uses, however long since they changed
        os.utime(cache / name, (0, 0))
    with caplog.at_level("INFO"):
        build(site)
    left = {p.name for p in cache.iterdir()}
    assert not set(older) & left
    assert set(publishing + recent + others) | used <= left
    assert f"removed {cache / older[0]}, a cache no build uses any more" in caplog.text
    for name in publishing:
        os.utime(cache / name, times=(time.time() - 62 * day,) * 2)
    build(site)
    assert not set(publishing) & {p.name for p in cache.iterdir()}


def test_half_a_kept_file_left_by_a_killed_build_is_removed_after_a_day(tmp_path, caplog):
    """A build killed while it wrote a kept file (kill -9) leaves the half behind, under a
    name no build reads again (100 MB at 100,000 reviews); one being written now stays."""
    site = make_site(tmp_path, review("a"), review("b", rating=1))
    build(site)
    cache = site / "cache"
    left = [".tmp-k1llx9a2.cache", ".tmp-q8ze0b7d.data"]
    being_written = [".tmp-n0w1ng3q.cache", ".tmp-n0w2ng4r.data"]
    others = [".tmp-notes.txt", "tmp-k1llx9a2.cache"]  # not what a build leaves
    for name in left + being_written + others:
        (cache / name).write_bytes(b"half")
    two_days_ago = time.time() - 2 * 24 * 3600
    for name in left + others:
        os.utime(cache / name, times=(two_days_ago, two_days_ago))
    os.utime(cache / being_written[1], times=(time.time() - 23 * 3600,) * 2)
    with caplog.at_level("INFO"):
        build(site)
    names = {p.name for p in cache.iterdir()}
    assert not set(left) & names
    assert set(being_written + others) <= names
    assert f"removed {cache / left[0]}, half-written by a build that was stopped" in caplog.text


def test_the_caches_are_named_the_same_whatever_the_hash_seed():
    """The parse cache, the redacted threads and the desk's cases are named after the
    shop's contacts: a set of addresses, whose order changes with Python's hash seed.
    Named after that order, a build made the whole shop's cache again every other time."""
    import subprocess
    import sys

    code = (
        "from pelican.plugins.redress.content.privacy import shop_contacts;"
        "print(repr(shop_contacts(['a@shop.example', 'b@shop.example', 'c@x.example', 'd@y.example',"
        " '+31 30 123 4567'], ('https://shop.example',))))"
    )
    seen = {
        subprocess.run(
            [sys.executable, "-c", code],
            env={**os.environ, "PYTHONHASHSEED": str(seed)},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in range(1, 7)
    }
    assert len(seen) == 1 and "a@shop.example" in seen.pop()


def test_a_page_is_written_as_its_utf8_bytes_and_replaces_a_longer_file(tmp_path):
    """Pages are written with the system's calls, not Python's text file: the bytes must be
    exactly the text's UTF-8 (no newline translated, nothing left of a longer old file)."""
    from pelican.plugins.redress.site.output import _write_file

    page = tmp_path / "index.html"
    page.write_bytes(b"x" * 100_000)
    text = "<p>Caf\u00e9 \U0001f600\r\nline\n</p>" * 3
    _write_file(str(page), text)
    assert page.read_bytes() == text.encode("utf-8")
    _write_file(str(page), iter(["<p>", "in pieces\r\n", "</p>"]))
    assert page.read_bytes() == b"<p>in pieces\r\n</p>"
    with pytest.raises(UnicodeEncodeError):
        _write_file(str(tmp_path / "bad.html"), "a lone surrogate \ud800")


def test_a_file_that_already_holds_the_bytes_is_left_as_it_is(tmp_path, monkeypatch):
    """Same bytes: not written (its inode is not touched). Other bytes of the same size, or
    pieces past the size held whole: written."""
    from pelican.plugins.redress.site import output

    page = tmp_path / "index.html"
    output._write_file(str(page), "<p>same</p>")
    inode_time = page.stat().st_ctime_ns
    time.sleep(0.02)
    output._write_file(str(page), "<p>same</p>")
    output._write_file(str(page), iter(["<p>", "same", "</p>"]))
    assert page.stat().st_ctime_ns == inode_time
    output._write_file(str(page), "<p>SAME</p>")
    assert page.read_bytes() == b"<p>SAME</p>" and page.stat().st_ctime_ns != inode_time
    monkeypatch.setattr(output, "WHOLE_MAX_CHARS", 3)
    output._write_file(str(page), iter(["<p>", "in", " pieces", "</p>"]))
    assert page.read_bytes() == b"<p>in pieces</p>"


def test_a_folder_made_by_the_build_is_known_new_and_its_pages_are_not_looked_at_first(tmp_path, monkeypatch):
    """A first build makes each review's folder with one call and knows it holds nothing yet;
    a folder already there (an earlier build's) is not new, and a file in the way fails as before."""
    from pelican.plugins.redress.site import output

    deep = tmp_path / "out" / "reviews" / "a-review"
    assert output._make_folder(str(deep)) is True and deep.is_dir()
    assert output._make_folder(str(deep)) is False
    (tmp_path / "in-the-way").write_text("a file")
    with pytest.raises(FileExistsError):
        output._make_folder(str(tmp_path / "in-the-way"))
    with pytest.raises((FileExistsError, NotADirectoryError)):
        output._make_folder(str(tmp_path / "in-the-way" / "below"))

    looked: list[str] = []
    real = output._same_bytes
    monkeypatch.setattr(output, "_same_bytes", lambda path, data: looked.append(path) or real(path, data))
    assert output._write_file(str(deep / "index.html"), "<p>new</p>", new=True) is True
    assert looked == []
    # Not new: the file is looked at, and the same bytes are not written again.
    assert output._write_file(str(deep / "index.html"), "<p>new</p>") is False
    assert looked == [str(deep / "index.html")]


def test_a_whole_base_written_beside_is_there_once_waited_for_and_a_failed_one_leaves_the_last(
    tmp_path, monkeypatch
):
    """``save(beside=True)``: a forked process writes the new base; failed, the files stay as they were."""
    monkeypatch.setattr(cache_module, "SAVE_BESIDE_MIN", 2)
    monkeypatch.setattr(cache_module, "REWRITE_MIN", 2)
    path = str(tmp_path / "kept")
    kept = KeptDict(path)
    for number in range(10):
        kept[f"{number}.md"] = (number, f"record {number}")
    child = kept.save(beside=True)
    assert child is not None and child.result() is True
    assert dict(KeptDict(path)._data) == {f"{n}.md": (n, f"record {n}") for n in range(10)}

    again = KeptDict(path)
    again["0.md"] = (0, "changed")  # one change: the small file of changes, written here
    assert again.save(beside=True) is None and os.path.exists(path + ".changes")

    parent = os.getpid()
    real_dump = cache_module._dump

    def failing_in_the_child(*args, **kwargs):
        if os.getpid() != parent:
            raise OSError(28, "No space left on device")
        return real_dump(*args, **kwargs)

    monkeypatch.setattr(cache_module, "_dump", failing_in_the_child)
    third = KeptDict(path)
    third.replace({f"{n}.md": (n, "all new") for n in range(10)})  # all changed: a whole new base
    child = third.save(beside=True)
    assert child is not None and child.result() is not True
    left = dict(KeptDict(path)._data)  # what the last build left: its base and its changes
    assert left["0.md"] == (0, "changed") and left["5.md"] == (5, "record 5")


def test_a_first_build_writes_its_parse_cache_beside_and_the_next_build_parses_nothing(tmp_path, monkeypatch):
    from pelican.plugins.redress.content import cache as kept_cache

    monkeypatch.setattr(kept_cache, "SAVE_BESIDE_MIN", 2)
    parsed: list[int] = []
    real_parse = reader._parse
    monkeypatch.setattr(
        reader, "_parse", lambda files, ctx: parsed.append(len(files)) or real_parse(files, ctx)
    )
    site = make_site(tmp_path, *[review(f"r{i}", date=f"2026-09-{i + 1:02d} 10:00") for i in range(6)])
    build(site)
    assert sum(parsed) == 6
    parsed.clear()
    build(site)
    assert sum(parsed) == 0
