"""A task forked aside gives back what it returned, or what it raised, or says it died;
stopped, it is gone."""

from __future__ import annotations

import contextlib
import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from digest import halves
from digest.halves import Half, HalfFailed


@pytest.fixture(autouse=True)
def two_cores(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Every test forks, as on a machine of two cores or more; none may hang."""
    monkeypatch.setattr(halves, "cores", lambda: 2)

    def hung(signum: int, frame: object) -> None:
        raise TimeoutError("expected the half to be done within 30 s")

    previous = signal.signal(signal.SIGALRM, hung)
    signal.alarm(30)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)


def test_the_task_runs_in_another_process() -> None:
    assert Half(os.getpid).result() != os.getpid()


@pytest.mark.parametrize(
    "made",
    [
        np.arange(200_000, dtype=np.int64),  # more than a pipe holds
        np.arange(3 * 70_000, dtype=">u4").reshape(3, 70_000)[:, ::2],  # not contiguous
        np.array([(1, 2.5), (3, -1.0)], dtype=[("n", "<i4"), ("x", "<f8")]),  # fields
        np.zeros((3, 0), dtype=np.int64),
        np.zeros(0, dtype=np.uint16),
        np.array(7, dtype=np.int32),  # no dimensions
    ],
)
def test_an_array_comes_back_as_it_was_made(made: np.ndarray) -> None:
    back = Half(lambda: made).result()
    assert type(back) is np.ndarray
    assert back.dtype == made.dtype and back.shape == made.shape
    assert np.array_equal(back, made)


def test_anything_else_comes_back_pickled() -> None:
    assert Half(lambda: (np.int64(7), "seven", [np.arange(3)])).result()[:2] == (7, "seven")
    masked = np.ma.masked_array([1, 2, 3], mask=[False, True, False])
    back = Half(lambda: masked).result()
    assert isinstance(back, np.ma.MaskedArray) and back.mask.tolist() == [False, True, False]


def test_what_the_task_raised_is_raised_here() -> None:
    def failing() -> int:
        raise ValueError("expected three bins, found two")

    with pytest.raises(ValueError, match="expected three bins, found two"):
        Half(failing).result()


class TwoPartError(Exception):
    """An exception that pickles but does not unpickle (its arguments are not its args)."""

    def __init__(self, first: str, second: str) -> None:
        super().__init__(f"{first} and {second}")


def test_a_failure_that_cannot_come_back_as_it_was_is_told_with_its_traceback() -> None:
    def failing() -> int:
        raise TwoPartError("expected one", "found two")

    with pytest.raises(HalfFailed, match=r"(?s)TwoPartError: expected one and found two"):
        Half(failing).result()


def test_a_task_that_dies_is_an_error_not_a_hang() -> None:
    with pytest.raises(HalfFailed, match=r"without a result \(exit status 3\)"):
        Half(lambda: os._exit(3)).result()


def test_a_result_cut_short_is_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    # The process dies halfway through sending: what came is not taken for a result.
    real_write = os.write
    calls: list[int] = []

    def dying_write(fd: int, data: bytes | memoryview) -> int:
        calls.append(len(data))
        if len(calls) == 3:  # the array's bytes, after its kind and head
            real_write(fd, bytes(memoryview(data)[:100]))
            os._exit(0)
        return real_write(fd, data)

    monkeypatch.setattr(os, "write", dying_write)
    with pytest.raises(HalfFailed, match="stopped without a result"):
        Half(lambda: np.arange(10_000, dtype=np.int64)).result()


def test_a_result_is_taken_once() -> None:
    half = Half(lambda: 1)
    assert half.result() == 1
    with pytest.raises(RuntimeError, match="found it taken"):
        half.result()
    half.stop()  # harmless once taken


def test_stop_ends_a_task_still_at_work_and_closes_the_pipe() -> None:
    half = Half(lambda: time.sleep(120))
    pid, fd = half._pid, half._fd
    assert pid is not None
    try:
        half.stop()  # at once: the alarm would fail the test long before the task ends
    finally:  # should stop() not end it, the test ends it (it holds the test's output)
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)
    with pytest.raises(OSError):
        os.fstat(fd)
    with pytest.raises(RuntimeError, match="found it taken"):
        half.result()


def test_stop_ends_a_task_waiting_to_send_a_result() -> None:
    half = Half(lambda: b"x" * 5_000_000)  # more than a pipe holds: it waits to write
    time.sleep(0.2)
    half.stop()


def test_on_one_core_or_without_fork_the_task_runs_here(monkeypatch: pytest.MonkeyPatch) -> None:
    here = os.getpid()
    monkeypatch.setattr(halves, "cores", lambda: 1)
    assert Half(os.getpid).result() == here
    monkeypatch.setattr(halves, "cores", lambda: 2)
    monkeypatch.delattr(os, "fork")
    assert Half(os.getpid).result() == here


def test_without_a_pipe_the_task_runs_here(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_pipe() -> tuple[int, int]:
        raise OSError(24, "Too many open files")

    monkeypatch.setattr(os, "pipe", no_pipe)
    assert Half(os.getpid).result() == os.getpid()


def test_cores_counts_what_this_process_may_use() -> None:
    assert 1 <= halves.cores() <= (os.cpu_count() or 1)


def test_in_halves_stops_the_other_half_when_this_one_fails() -> None:
    started: list[int] = []
    real = Half.__init__

    def keeping(self: Half[object], task: object) -> None:
        real(self, task)  # type: ignore[arg-type]
        started.append(self._pid or 0)

    def failing() -> int:
        raise ValueError("expected a bin, found none")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Half, "__init__", keeping)
        with pytest.raises(ValueError, match="found none"):
            halves.in_halves(lambda: time.sleep(120), failing)
    assert started and started[0] > 0
    with pytest.raises(ChildProcessError):  # killed and waited for: no process left
        os.waitpid(started[0], os.WNOHANG)


def test_a_wait_interrupted_ends_the_half_too() -> None:
    """Ctrl-C while a result is awaited: the half is killed, not waited for to finish."""

    class Interrupted(Exception):
        pass

    def interrupt(signum: int, frame: object) -> None:
        raise Interrupted

    half: Half[None] = Half(lambda: time.sleep(120))
    pid = half._pid
    assert pid
    previous = signal.signal(signal.SIGALRM, interrupt)
    signal.setitimer(signal.ITIMER_REAL, 0.2)
    started = time.monotonic()
    try:
        with pytest.raises(Interrupted):
            half.result()
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    assert time.monotonic() - started < 10
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)


def test_can_fork_needs_a_second_core(monkeypatch: pytest.MonkeyPatch) -> None:
    assert halves.can_fork() == hasattr(os, "fork")
    monkeypatch.setattr(halves, "cores", lambda: 1)
    assert not halves.can_fork()


def test_a_helper_answers_each_task_in_turn_from_its_own_process() -> None:
    seen: list[int] = []  # filled in the helper's memory, not here
    helper = halves.Helper([lambda _: os.getpid(), lambda n: seen.append(n) or len(seen)])
    try:
        helper.ask(0, None)
        helper.ask(1, 5)
        helper.ask(1, 6)
        assert helper.answer() != os.getpid()
        assert (helper.answer(), helper.answer()) == (1, 2)
        assert seen == []
    finally:
        helper.close()


def test_a_helper_starts_from_this_process_as_it_was() -> None:
    made = {"threshold": 0.5}
    helper = halves.Helper([lambda key: made[key]])
    made["threshold"] = 0.9  # after the fork: the helper's copy is the one it was made with
    try:
        helper.ask(0, "threshold")
        assert helper.answer() == 0.5
    finally:
        helper.close()


def test_what_a_helper_task_raised_is_raised_here_and_it_goes_on() -> None:
    def failing(_: object) -> int:
        raise ValueError("expected a bucket, found none")

    helper = halves.Helper([failing, lambda x: x + 1])
    try:
        helper.ask(0, None)
        helper.ask(1, 1)
        with pytest.raises(ValueError, match="found none"):
            helper.answer()
        assert helper.answer() == 2
    finally:
        helper.close()


def test_a_helper_that_dies_is_an_error_not_a_hang() -> None:
    helper = halves.Helper([lambda code: os._exit(code)])
    helper.ask(0, 3)
    with pytest.raises(HalfFailed, match="stopped without an answer"):
        helper.answer()
    with pytest.raises(HalfFailed, match="found it closed"):
        helper.ask(0, 3)  # ended and waited for


def test_closing_a_helper_lets_it_finish_and_waits_for_it(tmp_path: Path) -> None:
    done = tmp_path / "done"

    def slow(_: object) -> None:
        time.sleep(0.3)
        done.write_text("done")

    helper = halves.Helper([slow])
    pid = helper._pid
    assert pid
    helper.ask(0, None)
    helper.close()  # its answer never taken
    assert done.read_text() == "done"
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)


def test_closing_a_helper_lets_it_finish_every_task_asked_though_no_answer_is_read(
    tmp_path: Path,
) -> None:
    """Its answers' pipe is closed: the first answer cannot be sent, and the tasks asked
    after it still run."""

    def slow(_: object) -> bytes:
        time.sleep(0.3)
        return b"x" * 100_000  # more than the pipe holds

    def mark(name: str) -> None:
        (tmp_path / name).write_text("done")

    helper = halves.Helper([slow, mark])
    helper.ask(0, None)
    helper.ask(1, "first")
    helper.ask(1, "second")
    helper.close()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["first", "second"]


def test_stopping_a_helper_ends_it_at_once() -> None:
    helper = halves.Helper([time.sleep])
    pid = helper._pid
    assert pid
    helper.ask(0, 120)
    started = time.monotonic()
    helper.stop()
    assert time.monotonic() - started < 10
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)
    helper.stop()  # harmless once stopped
    helper.close()


def test_a_large_value_and_answer_cross_whole() -> None:
    helper = halves.Helper([lambda blob: blob[::-1]])
    try:
        helper.ask(0, b"ab" * 3_000_000)  # more than a pipe holds, both ways
        assert helper.answer() == b"ba" * 3_000_000
    finally:
        helper.close()


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")
def test_a_helper_ignores_ctrl_c_and_is_ended_with_what_it_forked() -> None:
    """Ctrl-C reaches the process that made the helper, which ends it: the helper is a
    process group of its own that ignores SIGINT, and stop() ends the group, a process
    the helper forked included."""

    def fork_and_wait(_: object) -> int:
        pid = os.fork()
        if pid == 0:
            time.sleep(120)
            os._exit(0)
        return pid

    helper = halves.Helper([fork_and_wait, lambda _: os.getpgid(0)])
    pid = helper._pid
    assert pid
    helper.ask(0, None)
    grandchild = helper.answer()
    os.kill(pid, signal.SIGINT)
    helper.ask(1, None)
    assert helper.answer() == pid, "alive after SIGINT, and its own group"
    helper.stop()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:  # the grandchild is init's to reap once killed
        try:
            with open(f"/proc/{grandchild}/stat") as stat:
                if stat.read().split(")")[-1].split()[0] == "Z":
                    break  # killed, not yet reaped
        except FileNotFoundError:
            break  # killed and reaped
        time.sleep(0.05)
    else:  # (it sleeps 120 s and leaves by itself)
        raise AssertionError("expected the helper's own child to be killed with it")


def test_an_interrupt_inside_the_helper_comes_back_as_its_failure() -> None:
    """Only what a task raised as an error is raised as such here; a helper stopped by
    anything else (KeyboardInterrupt, SystemExit) is a HalfFailed."""

    def interrupted(_: object) -> None:
        raise KeyboardInterrupt

    helper = halves.Helper([interrupted])
    try:
        helper.ask(0, None)
        with pytest.raises(HalfFailed, match="KeyboardInterrupt"):
            helper.answer()
    finally:
        helper.close()
