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

import contextlib
import os
import pickle
import signal
import sys
from collections.abc import Callable, Sequence
from typing import Any, BinaryIO, Generic, NoReturn, TypeVar

from digest.errors import DigestError

T = TypeVar("T")
U = TypeVar("U")


class HalfFailed(DigestError):
    """The forked half stopped without a result (killed, out of memory), or its failure
    could not be sent back as it was."""


class HelperGone(HalfFailed):
    """A helper (see ``Helper``) is gone: it died, or was ended, before it answered."""


def cores() -> int:
    """The cores this process may run on (its affinity, where the system tells it): what
    every pool of workers and every split of the build is sized by. numpy is imported
    only for a half whose result is an array, so that this costs nothing."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def can_fork() -> bool:
    """Whether a half would run in a forked process beside this one: the system forks,
    and a second core is there to run it."""
    return hasattr(os, "fork") and cores() >= 2


class Half(Generic[T]):
    """``task()`` started in a forked process; ``result()`` waits for it and gives what it
    returned (or raises what it raised), once. Where a process cannot be forked, or only
    one core is there to run it, ``task`` runs in ``result()`` instead, here. ``stop()``
    ends the process without its result (after a failure of the other half).

    >>> Half(lambda: 6 * 7).result()
    42
    """

    def __init__(self, task: Callable[[], T]) -> None:
        self._task: Callable[[], T] | None = task
        self._pid: int | None = None
        self._fd = -1
        if not can_fork():
            return
        try:
            read, write = os.pipe()
        except OSError:  # no descriptors to be had: the task runs here
            return
        try:
            pid = os.fork()
        except OSError:  # no process to be had: likewise
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
        if self._pid is None:
            raise RuntimeError("expected a half still to be waited for, found it taken")
        try:
            value = self._read()
        except BaseException:  # interrupted while waiting (Ctrl-C): the half is ended too
            self.stop()
            raise
        status = self._wait()
        if value is None:
            code = os.waitstatus_to_exitcode(status)
            how = f"killed by signal {-code}" if code < 0 else f"exit status {code}"
            raise HalfFailed(f"a forked half stopped without a result ({how})")
        ok, result = value
        if not ok:
            raise result
        return result  # type: ignore[no-any-return]

    def done(self) -> bool:
        """Whether the forked half has finished, so that ``result()`` would not wait: it
        sent its result, or ended without one. False for a task that runs in
        ``result()`` (here), and once the result was taken.

        >>> import time
        >>> half = Half(lambda: 7)
        >>> while can_fork() and not half.done():
        ...     time.sleep(0.01)
        >>> half.result()
        7
        """
        import select

        if self._pid is None:
            return False
        poll = select.poll()  # (select.select refuses a descriptor past 1023)
        poll.register(self._fd, select.POLLIN)
        return bool(poll.poll(0))

    def stop(self) -> None:
        """End the process, its result not taken, and wait for it (a half still at work
        is killed: it writes nothing but its result)."""
        if self._pid is not None:
            with contextlib.suppress(ProcessLookupError):  # waited for elsewhere
                os.kill(self._pid, signal.SIGKILL)
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
            try:
                value = pickle.loads(blob)
            except Exception as exc:  # something that pickled but does not unpickle
                return False, HalfFailed(f"a forked half's result could not be read: {exc!r}")
            if kind == _PICKLED:
                return value  # type: ignore[no-any-return]
            import numpy as np

            dtype, shape = value
            data = np.empty(int(np.prod(shape, dtype=np.int64)) * dtype.itemsize, np.uint8)
            if pipe.readinto(data.data) != data.nbytes:
                return None
            return True, data.view(dtype).reshape(shape)

    def _wait(self) -> int:
        """Close the pipe and wait for the process to end; its wait status (0 once
        waited for)."""
        fd, self._fd = self._fd, -1
        if fd >= 0:
            os.close(fd)  # a process still writing gets a broken pipe, and leaves
        pid, self._pid = self._pid, None
        if pid is None:
            return 0
        return os.waitpid(pid, 0)[1]


class Helper:
    """A forked process that runs tasks in turn as they are asked for: ``ask(n, value)``
    has it run ``tasks[n](value)``, and ``answer()`` waits for what the oldest task not
    yet answered returned (or raises what it raised). It starts with this process's
    memory as it was when made, so a task reads that and needs only ``value`` besides;
    values and answers are pickled. It leaves when ``close()`` is called, its answers
    taken or not; ``stop()`` kills it.

    For work that can begin before all it needs is known: the helper imports and reads
    while this process makes the rest of its input. Only where ``can_fork()``: callers
    do the work themselves elsewhere. A value or an answer larger than a pipe holds
    (64 KB) is written while the other side reads it: take an answer before asking again
    with such a value.

    >>> helper = Helper([lambda x: x * 2, lambda x: -x])
    >>> helper.ask(0, 21)
    >>> helper.ask(1, 5)
    >>> helper.answer(), helper.answer()
    (42, -5)
    >>> helper.close()
    """

    def __init__(self, tasks: Sequence[Callable[[Any], Any]]) -> None:
        asks_read, asks_write = os.pipe()
        try:
            answers_read, answers_write = os.pipe()
        except OSError:
            os.close(asks_read)
            os.close(asks_write)
            raise
        try:
            pid = os.fork()
        except OSError:
            for fd in (asks_read, asks_write, answers_read, answers_write):
                os.close(fd)
            raise
        if pid == 0:
            try:
                os.close(asks_write)
                os.close(answers_read)
                _serve(tasks, asks_read, answers_write)
            finally:
                os._exit(1)  # never back into the caller's code
        with contextlib.suppress(OSError):  # as the helper does itself (no race with stop)
            os.setpgid(pid, pid)
        os.close(asks_read)
        os.close(answers_write)
        self._pid: int | None = pid
        self._asks: BinaryIO | None = os.fdopen(asks_write, "wb")
        self._answers: BinaryIO | None = os.fdopen(answers_read, "rb")

    def ask(self, task: int, value: Any) -> None:
        """Have the helper run ``tasks[task](value)`` once it is done with what it was
        asked before. Raises HalfFailed when the helper is gone."""
        if self._asks is None:
            raise HelperGone("expected a helper to ask, found it closed")
        try:
            _send(self._asks, (task, value))
            self._asks.flush()
        except (BrokenPipeError, ValueError) as exc:
            raise HelperGone(f"a helper stopped before it was asked: {exc}") from exc

    def answer(self) -> Any:
        """What the oldest task not yet answered returned; what it raised, raised here."""
        if self._answers is None:
            raise HelperGone("expected a helper to answer, found it closed")
        try:
            value = _receive(self._answers)
        except BaseException:  # interrupted while waiting (Ctrl-C): the helper is ended
            self.stop()
            raise
        if value is None:
            self.stop()
            raise HelperGone("a helper stopped without an answer")
        ok, result = value
        if not ok:
            if not isinstance(result, Exception):  # the helper's own exit, not the task's
                raise HalfFailed(f"a helper stopped: {result!r}")
            raise result
        return result

    def close(self) -> None:
        """Tell the helper to leave once its tasks are done, and wait for it."""
        self._end(kill=False)

    def stop(self) -> None:
        """Kill the helper, whatever it is doing, and wait for it."""
        self._end(kill=True)

    def _end(self, *, kill: bool) -> None:
        for pipe in (self._asks, self._answers):
            if pipe is not None:
                with contextlib.suppress(OSError):
                    pipe.close()
        self._asks = self._answers = None
        pid = self._pid
        if pid is not None:
            if kill:  # the helper and any process it forked (its group: see _serve)
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(pid, signal.SIGKILL)
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            self._pid = None  # (only once waited for: an interrupted wait is tried again)


def _send(pipe: BinaryIO, value: Any) -> None:
    blob = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    pipe.write(len(blob).to_bytes(8, "little"))
    pipe.write(blob)


def _receive(pipe: BinaryIO) -> Any:
    """What ``_send`` sent; None at the end of the pipe (or of a message cut short)."""
    head = pipe.read(8)
    if len(head) < 8:
        return None
    size = int.from_bytes(head, "little")
    blob = pipe.read(size)
    if len(blob) < size:
        return None
    return pickle.loads(blob)


def _serve(tasks: Sequence[Callable[[Any], Any]], asks: int, answers: int) -> NoReturn:
    """The helper: run each task asked for and send back what came of it, until the pipe
    of asks ends; then leave without the interpreter's teardown (see ``_run``). Once no
    one reads the answers (the helper was closed), the tasks already asked still run:
    ``close`` lets the helper finish them.

    The helper is a process group of its own, and ignores the terminal's Ctrl-C: the
    process that made it is interrupted, and ends it (with whatever it forked). In the
    background, it may still write to the terminal (SIGTTOU ignored: never stopped)."""
    with contextlib.suppress(OSError):
        os.setpgid(0, 0)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTTOU, signal.SIG_IGN)
    try:
        inbox, outbox = os.fdopen(asks, "rb"), os.fdopen(answers, "wb")
        answering = True
        while True:
            asked = _receive(inbox)
            if asked is None:
                break
            task, value = asked
            try:
                blob = pickle.dumps((True, tasks[task](value)), protocol=pickle.HIGHEST_PROTOCOL)
            except BaseException as exc:
                blob = _failure(exc)
            if answering:
                try:
                    outbox.write(len(blob).to_bytes(8, "little"))
                    outbox.write(blob)
                    outbox.flush()
                except OSError:  # closed: no answer is read any more
                    answering = False
    finally:
        os._exit(0)  # (the pipes' objects never flushed again, nor told of)


def in_halves(there: Callable[[], T], here: Callable[[], U]) -> tuple[T, U]:
    """``there()`` in a forked process (a ``Half``) while ``here()`` runs here; both
    results, once both are done. Should ``here()`` fail, the other half is stopped.

    >>> in_halves(lambda: 6 * 7, lambda: "here")
    (42, 'here')
    """
    other = Half(there)
    try:
        mine = here()
    except BaseException:
        other.stop()
        raise
    return other.result(), mine


_PICKLED, _ARRAY = b"P", b"A"
"""What the process sends: a pickle, or an array's dtype and shape (pickled) then its
bytes; either after its kind and its (pickle's) length."""


def _run(task: Callable[[], object], fd: int) -> NoReturn:
    """The forked process: run the task, send back what came of it, and leave without
    the interpreter's teardown (the files and connections it shares are the build's).
    numpy is not imported here when the process had not: a task need not use it, and
    another thread of the build may have been importing it when the process was forked
    (the module's lock would then never be released here)."""
    try:
        parts: list[bytes | memoryview]
        try:
            value: Any = task()
            np = sys.modules.get("numpy")  # an array's module is imported by then
            if np is not None and type(value) is np.ndarray and not value.dtype.hasobject:
                flat = np.ascontiguousarray(value).reshape(-1).view(np.uint8)
                head = pickle.dumps((value.dtype, value.shape))
                parts = [_ARRAY + len(head).to_bytes(8, "little"), head, flat.data]
            else:
                blob = pickle.dumps((True, value), protocol=pickle.HIGHEST_PROTOCOL)
                parts = [_PICKLED + len(blob).to_bytes(8, "little"), blob]
        except BaseException as exc:
            blob = _failure(exc)
            parts = [_PICKLED + len(blob).to_bytes(8, "little"), blob]
        for part in parts:
            view = memoryview(part)
            while view:
                view = view[os.write(fd, view) :]
    finally:
        os._exit(0)


def _failure(exc: BaseException) -> bytes:
    """What the task raised, pickled so that it reads back; else as a HalfFailed that
    tells it, with its traceback."""
    try:
        blob = pickle.dumps((False, exc), protocol=pickle.HIGHEST_PROTOCOL)
        pickle.loads(blob)
        return blob
    except Exception:
        import traceback

        told = "".join(traceback.format_exception(exc)).rstrip()
        return pickle.dumps((False, HalfFailed(f"a forked half failed:\n{told}")))
