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
