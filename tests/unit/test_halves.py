"""A task forked aside gives back what it returned, or what it raised, or says it died."""

from __future__ import annotations

import os

import numpy as np
import pytest

from digest.halves import Half, HalfFailed


def test_a_forked_task_gives_back_its_array_and_runs_in_another_process(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    here = os.getpid()
    half = Half(lambda: (os.getpid(), np.arange(100_000, dtype=np.int64)))
    pid, values = half.result()
    assert pid != here, "the task ran in a forked process"
    assert np.array_equal(values, np.arange(100_000))


def test_what_the_forked_task_raised_is_raised_here(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "cpu_count", lambda: 2)

    def failing() -> int:
        raise ValueError("expected three bins, found two")

    with pytest.raises(ValueError, match="expected three bins, found two"):
        Half(failing).result()


def test_a_forked_task_that_dies_is_an_error_not_a_hang(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    with pytest.raises(HalfFailed, match="stopped without a result"):
        Half(lambda: os._exit(3)).result()


def test_on_one_core_or_without_fork_the_task_runs_here(monkeypatch: pytest.MonkeyPatch) -> None:
    here = os.getpid()
    monkeypatch.setattr(os, "cpu_count", lambda: 1)
    assert Half(os.getpid).result() == here
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    monkeypatch.delattr(os, "fork")
    assert Half(os.getpid).result() == here


def test_stop_waits_for_the_process_and_leaves_nothing_behind(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    half = Half(lambda: b"x" * 5_000_000)  # more than a pipe holds: the task waits to write
    pid = half._pid
    assert pid is not None
    half.stop()
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)


def test_an_array_comes_back_as_it_was_made(monkeypatch: pytest.MonkeyPatch) -> None:
    # Sent as its bytes, not pickled: shape, byte order and values are kept.
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    made = np.arange(3 * 70_000, dtype=">u4").reshape(3, 70_000)[:, ::2]
    back = Half(lambda: made).result()
    assert back.dtype == made.dtype and back.shape == made.shape
    assert np.array_equal(back, made)
    assert Half(lambda: np.zeros(0, dtype=np.int64)).result().size == 0
    assert Half(lambda: np.int64(7)).result() == 7


def test_a_result_cut_short_is_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    # The process dies halfway through sending: what came is not taken for a result.
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
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
