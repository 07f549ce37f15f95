"""Work split in two: one half in a forked copy of the process, the other here.

A cold folding is a chain of numpy steps taken a few thousand at a time (a bin of
buckets, a text's partners): each step is short, so two threads mostly wait for each
other's hold on the interpreter (the pair codes of 10,000 articles: 0.29 s in one
thread, 0.45 s in two). A forked process shares the arrays as they are, with nothing
copied, and runs beside the build on a core that folding otherwise leaves idle; only its
result (an array) comes back, through a pipe.

Written with ``os.fork`` rather than a process pool: a pool would pickle the arrays to
its workers, and imports multiprocessing to do so. An array that comes back is sent as
its bytes and read straight into an array here: pickled, it was held three times over
(the pair codes of half of 100,000 articles are some 60 MB).
"""

from __future__ import annotations

import os
import pickle
from collections.abc import Callable
from typing import Any, Generic, NoReturn, TypeVar

import numpy as np

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
        try:
            value = self._read()
        finally:
            status = self._wait()
        if value is None:
            raise HalfFailed(f"a forked half of the folding stopped without a result ({status})")
        ok, result = value
        if not ok:
            raise result
        return result  # type: ignore[no-any-return]

    def stop(self) -> None:
        """Wait for the process, its result not taken (after a failure here): the pipe is
        closed first, so that a process still writing stops at once."""
        self._wait()

    def _read(self) -> tuple[bool, Any] | None:
        """(True, what the task returned) or (False, what it raised); None when the
        process did not send it whole."""
        with os.fdopen(os.dup(self._fd), "rb") as pipe:
            head = pipe.read(9)
            if len(head) < 9:
                return None
            kind, size = head[:1], int.from_bytes(head[1:], "little")
            blob = pipe.read(size)
            if len(blob) < size:
                return None
            if kind == _PICKLED:
                return pickle.loads(blob)  # type: ignore[no-any-return]
            dtype, shape = pickle.loads(blob)
            array = np.empty(shape, dtype=dtype)
            if pipe.readinto(array.data.cast("B")) != array.nbytes:
                return None
            return True, array

    def _wait(self) -> int:
        """Close the pipe and wait for the process to end; its wait status (0 once
        waited for)."""
        if self._pid is None:
            return 0
        os.close(self._fd)  # a process still writing gets a broken pipe, and leaves
        _, status = os.waitpid(self._pid, 0)
        self._pid = None
        return status


_PICKLED, _ARRAY = b"P", b"A"
"""What the process sends: a pickle, or an array's dtype and shape (pickled) then its
bytes; either after its kind and its (pickle's) length."""


def _run(task: Callable[[], object], fd: int) -> NoReturn:
    """The forked process: run the task, send back what came of it, and leave without
    the interpreter's teardown (the files and connections it shares are the build's)."""
    try:
        parts: list[bytes | memoryview]
        try:
            value = task()
            if isinstance(value, np.ndarray) and value.ndim and not value.dtype.hasobject:
                value = np.ascontiguousarray(value)
                head = pickle.dumps((value.dtype.str, value.shape))
                parts = [_ARRAY + len(head).to_bytes(8, "little"), head, value.data.cast("B")]
            else:
                blob = pickle.dumps((True, value), protocol=pickle.HIGHEST_PROTOCOL)
                parts = [_PICKLED + len(blob).to_bytes(8, "little"), blob]
        except BaseException as exc:
            try:
                blob = pickle.dumps((False, exc), protocol=pickle.HIGHEST_PROTOCOL)
            except Exception:
                blob = pickle.dumps((False, HalfFailed(f"a forked half failed: {exc!r}")))
            parts = [_PICKLED + len(blob).to_bytes(8, "little"), blob]
        for part in parts:
            view = memoryview(part)
            while view:
                view = view[os.write(fd, view) :]
    finally:
        os._exit(0)
