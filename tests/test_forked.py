"""Work in a forked child (content/forked.py): the result, a failure, a child stopped unread."""

from __future__ import annotations

import os
import time

import pytest
from pelican.plugins.redress.content.forked import beside


def test_the_childs_result_comes_back_once_and_stays() -> None:
    parent = os.getpid()
    child = beside(lambda: [os.getpid(), "plain data", {"a": (1, 2)}])
    assert child is not None
    result = child.result()
    assert result is not None and result[0] != parent and result[1:] == ["plain data", {"a": (1, 2)}]
    assert child.result() == result  # asked again: the same, the child already reaped


def test_a_child_that_waits_its_turn_gives_way_to_the_build() -> None:
    """Work wanted later (the check of the pages on disk) runs at a lower priority than the
    build; other children at the build's own."""
    own = os.nice(0)
    waiting = beside(lambda: os.nice(0), waits_its_turn=True)
    plain = beside(lambda: os.nice(0))
    assert waiting is not None and plain is not None
    assert waiting.result() == min(own + 10, 19)
    assert plain.result() == own


def test_the_check_of_the_pages_on_disk_waits_its_turn(tmp_path, monkeypatch) -> None:
    """The forked check of a big record asks for the lower priority (see forked.beside)."""
    from pelican.plugins.redress.content import forked
    from pelican.plugins.redress.site import output

    asked: list[bool] = []
    real = forked.beside

    def spy(work, *args, **kwargs):
        asked.append(kwargs.get("waits_its_turn", False))
        return real(work, *args, **kwargs)

    monkeypatch.setattr(forked, "beside", spy)
    monkeypatch.setattr(output, "CHECK_BESIDE_MIN_BYTES", 1)
    settings = {"CACHE_PATH": str(tmp_path / "cache"), "OUTPUT_PATH": str(tmp_path / "output")}
    record = output.record_path(settings, str(tmp_path / "output"))
    os.makedirs(os.path.dirname(record), exist_ok=True)
    with open(record, "wb") as handle:
        handle.write(b"not a record, but big enough to be checked beside")
    child = output.pages_not_on_disk(settings, str(tmp_path / "output"), True)
    assert child is not None and asked == [True]
    assert child.result() == (0, [])  # an unreadable record: nothing recorded, nothing missing


@pytest.mark.parametrize(
    "work",
    [
        lambda: 1 / 0,  # the work fails
        lambda: object(),  # a result that is not plain data
        lambda: os._exit(3),  # the child ends without a word
    ],
)
def test_a_child_that_fails_gives_none(work) -> None:
    child = beside(work)
    assert child is not None and child.result() is None


def test_a_child_no_longer_needed_is_stopped_and_reaped() -> None:
    child = beside(lambda: time.sleep(60))
    assert child is not None
    pid = child._pid
    started = time.monotonic()
    child.stop()
    assert time.monotonic() - started < 10
    assert pid is not None
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)  # reaped: no such child any more
    child.stop()  # twice: nothing left to do


def test_with_sigchld_ignored_the_result_still_comes_back() -> None:
    """A process that ignores SIGCHLD has its children reaped by the system: no exit
    status to read. A whole result still counts; a failed child still gives None."""
    import signal

    before = signal.signal(signal.SIGCHLD, signal.SIG_IGN)
    try:
        good = beside(lambda: ["whole"])
        bad = beside(lambda: 1 / 0)
        assert good is not None and bad is not None
        assert good.result() == ["whole"]
        assert bad.result() is None
        slow = beside(lambda: time.sleep(60))
        assert slow is not None
        slow.stop()
    finally:
        signal.signal(signal.SIGCHLD, before)


def test_finished_says_when_the_child_has_ended_without_waiting() -> None:
    slow = beside(lambda: time.sleep(60))
    quick = beside(lambda: "done")
    failed = beside(lambda: 1 / 0)
    assert slow is not None and quick is not None and failed is not None
    deadline = time.monotonic() + 10
    while not (quick.finished() and failed.finished()) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert quick.finished() and failed.finished()
    assert not slow.finished()
    assert quick.result() == "done" and failed.result() is None
    assert quick.finished()  # read and reaped: still finished
    slow.stop()


def test_finished_waits_as_long_as_it_is_told_and_no_longer() -> None:
    slow = beside(lambda: time.sleep(60))
    quick = beside(lambda: (time.sleep(0.2), "done")[1])
    assert slow is not None and quick is not None
    started = time.monotonic()
    assert not slow.finished(0.3)
    assert time.monotonic() - started >= 0.25
    assert quick.finished(30)  # ends long before: not waited for to the end
    assert time.monotonic() - started < 20
    assert quick.result() == "done"
    slow.stop()


def test_finished_works_in_a_process_with_many_files_open() -> None:
    """select() cannot watch a descriptor above 1023; a build in a process with many files
    open (a server, a high ulimit) gets its child's pipe there, and must still be told."""
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = 1200
    if soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(wanted, hard), hard))
    held = []
    try:
        while len(held) < 1100:
            held.append(os.open(os.devnull, os.O_RDONLY))
        child = beside(lambda: "done")
        assert child is not None and child._read_end > 1023
        deadline = time.monotonic() + 10
        while not child.finished() and time.monotonic() < deadline:
            time.sleep(0.01)
        assert child.finished() and child.result() == "done"
    finally:
        for fd in held:
            os.close(fd)
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


def test_where_the_system_refuses_a_process_the_caller_does_the_work(monkeypatch) -> None:
    """A container's process limit or too little memory: no child, no file descriptor left open."""

    def refused() -> int:
        raise BlockingIOError(11, "Resource temporarily unavailable")

    def open_descriptors() -> int:
        return len(os.listdir("/proc/self/fd"))

    before = open_descriptors()
    monkeypatch.setattr(os, "fork", refused)
    assert beside(lambda: 1) is None
    assert open_descriptors() == before
