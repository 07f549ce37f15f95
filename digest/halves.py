"""Work split in two: one half in a forked copy of the process, the other here.

A cold folding is a chain of numpy steps taken a few thousand at a time (a bin of
buckets, a text's partners): each step is short, so two threads mostly wait for each
other's hold on the interpreter (the pair codes of 10,000 articles: 0.29 s in one
thread, 0.45 s in two). A forked process shares the arrays as they are, with nothing
copied, and runs beside the build on a core that folding otherwise leaves idle; only its
result (an array) comes back, through a pipe.

Written with ``os.fork`` rather than a process pool: a pool would pickle the arrays to
its workers, and imports multiprocessing to do so.
"""

from __future__ import annotations

import os
import pickle
from collections.abc import Callable
from typing import Generic, NoReturn, TypeVar

from digest.errors import DigestError

T = TypeVar("T")


class HalfFailed(DigestError):
    """The forked half stopped without a result (killed, out of memory)."""


class Half(Generic[T]):
    """``task()`` started in a forked process; ``result()`` waits for it and gives what it
    returned (or raises what it raised). Where a process cannot be forked, or only one
    core is there to run it, ``task`` runs in ``result()`` instead, here.

    >>> Half(lambda: 6 * 7).result()
    42
    """

    def __init__(self, task: Callable[[], T]) -> None:
        self._task: Callable[[], T] | None = task
        self._pid: int | None = None
        self._fd = -1
        if not hasattr(os, "fork") or (os.cpu_count() or 1) < 2:
            return
        read, write = os.pipe()
        try:
            pid = os.fork()
        except OSError:  # no process to be had: the task runs here
            os.close(read)
            os.close(write)
            return
        if pid == 0:
            os.close(read)
            _run(task, write)
        os.close(write)
        self._pid, self._fd, self._task = pid, read, None

    def result(self) -> T:
        """What the task returned; what it raised, raised here."""
        if self._task is not None:
            task, self._task = self._task, None
            return task()
        blob, status = self._wait()
        if not blob:
            raise HalfFailed(f"a forked half of the folding stopped without a result ({status})")
        ok, value = pickle.loads(blob)
        if not ok:
            raise value
        return value  # type: ignore[no-any-return]

    def stop(self) -> None:
        """Wait for the process, its result unread (after a failure here)."""
        self._wait()

    def _wait(self) -> tuple[bytes, int]:
        if self._pid is None:
            return b"", 0
        chunks = []
        try:
            while chunk := os.read(self._fd, 1 << 20):
                chunks.append(chunk)
        finally:
            os.close(self._fd)
            _, status = os.waitpid(self._pid, 0)
            self._pid = None
        return b"".join(chunks), status


def _run(task: Callable[[], object], fd: int) -> NoReturn:
    """The forked process: run the task, send back what came of it, and leave without
    the interpreter's teardown (the files and connections it shares are the build's)."""
    try:
        try:
            blob = pickle.dumps((True, task()), protocol=pickle.HIGHEST_PROTOCOL)
        except BaseException as exc:
            try:
                blob = pickle.dumps((False, exc), protocol=pickle.HIGHEST_PROTOCOL)
            except Exception:
                blob = pickle.dumps((False, HalfFailed(f"a forked half failed: {exc!r}")))
        view = memoryview(blob)
        while view:
            view = view[os.write(fd, view) :]
    finally:
        os._exit(0)
