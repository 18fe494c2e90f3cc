"""Request -> one worker -> result on the GUI thread, latest request wins.

A :class:`Channel` owns one worker thread and at most one *pending* request.
``submit()`` replaces whatever is pending (a burst of 50 seeks runs only the
job that was running plus the newest one), and every request carries a
generation number. Results come back to the GUI thread through a queued
signal; a result older than one already delivered is dropped, so the view
only ever moves forward and ends on the newest request.

Jobs are plain callables ``fn(request, ctx)``; ``ctx.cancelled()`` turns True
when a newer request arrives (for ``supersede=True`` channels) or on
``cancel()``, and ``ctx.progress(done, total)`` reports progress. Raise
:class:`~painxai_gui.errors.Cancelled` (the core's cancellations subclass it)
to stop early.
"""

from __future__ import annotations

import os
import threading
import time
import traceback
from dataclasses import dataclass
from typing import Any, Callable

from PySide6 import QtCore

from painxai_gui.errors import Cancelled

__all__ = ["Cancelled", "Channel", "Heartbeat", "Outcome", "TaskContext", "Tasks"]
Job = Callable[[Any, "TaskContext"], Any]


@dataclass(frozen=True)
class Outcome:
    """What a finished job hands back: its request, result and how long it ran."""

    request: Any
    result: Any
    generation: int
    seconds: float


class TaskContext:
    """Handed to a job: is it still wanted, and where to report progress (a :class:`~painxai_gui.live.context.JobContext`)."""

    def __init__(self, channel: "Channel", generation: int, request: Any = None):
        self._channel = channel
        self.generation = generation
        self.request = request

    def cancelled(self) -> bool:
        return self._channel._is_cancelled(self.generation)

    def check(self) -> None:
        if self.cancelled():
            raise Cancelled()

    def progress(self, done: int, total: int) -> None:
        _safe_emit(self._channel._progress, self.generation, self.request, int(done), int(total))


class Channel(QtCore.QObject):
    """One worker thread, one pending slot, newest wins.

    Signals (always on the GUI thread): ``finished(Outcome)``,
    ``failed(request, exception, traceback_text)``, ``progress(request, done,
    total)``, ``busy(bool)``, ``cancelled(request)``, and ``ended(request)``
    once for *every* request, whatever became of it (run, dropped as stale,
    replaced while pending, cancelled) -- after the signals above.
    """

    finished = QtCore.Signal(object)
    ended = QtCore.Signal(object)
    failed = QtCore.Signal(object, object, str)
    progress = QtCore.Signal(object, int, int)
    cancelled = QtCore.Signal(object)
    busy = QtCore.Signal(bool)

    _done = QtCore.Signal(int, object, object, float, object, str)
    _progress = QtCore.Signal(int, object, int, int)

    def __init__(self, name: str, fn: Job, *, supersede: bool = False, nice: int = 10,
                 parent: QtCore.QObject | None = None):
        super().__init__(parent)
        self.name = name
        self._nice = nice
        self._fn = fn
        self._supersede = supersede
        self._cond = threading.Condition()
        self._pending: tuple[int, Any] | None = None
        self._running: tuple[int, Any] | None = None
        self._generation = 0
        self._cancel_below = 0  # generations below this are cancelled
        self._delivered = 0
        self._stop = False
        self.jobs_run = 0  # how many jobs actually started (tests, status)
        self._done.connect(self._on_done, QtCore.Qt.ConnectionType.QueuedConnection)
        self._progress.connect(self._on_progress, QtCore.Qt.ConnectionType.QueuedConnection)
        self._thread = threading.Thread(target=self._loop, name=f"painxai-{name}", daemon=True)
        self._thread.start()

    # -- GUI-thread API ------------------------------------------------------
    def submit(self, request: Any) -> int:
        """Queue ``request``, replacing any pending one; returns its generation."""
        with self._cond:
            self._generation += 1
            replaced, self._pending = self._pending, (self._generation, request)
            if self._supersede:
                self._cancel_below = self._generation
            self._cond.notify()
            generation = self._generation
        self.busy.emit(True)
        self._ended_later(replaced)
        return generation

    def cancel(self) -> None:
        """Drop the pending request and ask the running job to stop."""
        with self._cond:
            self._generation += 1
            dropped, self._pending = self._pending, None
            self._cancel_below = self._generation
        self.busy.emit(self.is_busy())
        self._ended_later(dropped)

    def _ended_later(self, pending: tuple[int, Any] | None) -> None:
        """A request that will never run still gets its ``ended`` (on the next loop turn, in order)."""
        if pending is not None:
            QtCore.QTimer.singleShot(0, self, lambda r=pending[1]: self.ended.emit(r))

    def is_busy(self) -> bool:
        with self._cond:
            return self._pending is not None or self._running is not None

    @property
    def generation(self) -> int:
        return self._generation

    def shutdown(self, timeout: float = 2.0) -> None:
        with self._cond:
            self._stop = True
            self._pending = None
            self._cancel_below = self._generation + 1
            self._cond.notify()
        self._thread.join(timeout)

    # -- worker thread -------------------------------------------------------
    def _is_cancelled(self, generation: int) -> bool:
        return self._stop or generation < self._cancel_below

    def _loop(self) -> None:
        _lower_priority(self._nice)
        while True:
            with self._cond:
                while self._pending is None and not self._stop:
                    self._cond.wait()
                if self._stop:
                    return
                generation, request = self._pending
                self._pending = None
                self._running = (generation, request)
                self.jobs_run += 1
            self._run_one(generation, request)

    def _run_one(self, generation: int, request: Any) -> None:
        start = time.perf_counter()
        result = error = None
        text = ""
        try:
            result = self._fn(request, TaskContext(self, generation, request))
        except Exception as exc:  # reported on the GUI thread, never lost
            error = exc
            text = traceback.format_exc()
        with self._cond:
            self._running = None  # before the result is delivered, so is_busy() is right there
            if self._stop:
                return  # shut down meanwhile: nobody is listening any more
        _safe_emit(self._done, generation, request, result, time.perf_counter() - start, error, text)

    # -- back on the GUI thread ----------------------------------------------
    @QtCore.Slot(int, object, object, float, object, str)
    def _on_done(self, generation: int, request: Any, result: Any, seconds: float, error: Any, text: str) -> None:
        try:
            self._deliver(generation, request, result, seconds, error, text)
        finally:
            self.ended.emit(request)

    def _deliver(self, generation: int, request: Any, result: Any, seconds: float, error: Any, text: str) -> None:
        self.busy.emit(self.is_busy())
        if isinstance(error, Cancelled):
            self.cancelled.emit(request)
            return
        if generation < self._delivered:
            return  # an older result after a newer one: stale, dropped
        if error is not None:
            if generation < self._generation:
                return  # superseded or cancelled meanwhile: the newer request reports its own errors
            self.failed.emit(request, error, text)
            return
        self._delivered = generation
        self.finished.emit(Outcome(request, result, generation, seconds))

    @QtCore.Slot(int, object, int, int)
    def _on_progress(self, generation: int, request: Any, done: int, total: int) -> None:
        if generation >= self._delivered and not self._is_cancelled(generation):
            self.progress.emit(request, done, total)


def _safe_emit(signal, *args) -> None:
    """Emit from a worker; a channel deleted with its window (job outlived shutdown) is not an error."""
    try:
        signal.emit(*args)
    except RuntimeError:  # "Signal source has been deleted"
        pass


def _lower_priority(nice: int) -> None:
    """Workers yield the CPU to the GUI thread (Linux: per-thread niceness; threads they start inherit it)."""
    if nice <= 0 or not hasattr(os, "setpriority"):
        return
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), nice)
    except OSError:  # not permitted or not supported: run at normal priority
        pass


class Heartbeat(QtCore.QObject):
    """Measures how long the GUI event loop goes without running a timer (for tests and the status bar)."""

    def __init__(self, interval_ms: int = 20, parent: QtCore.QObject | None = None):
        super().__init__(parent)
        self.max_gap = 0.0
        self._last = time.perf_counter()
        self._timer = QtCore.QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self._beat)

    def start(self) -> None:
        self._last = time.perf_counter()
        self.max_gap = 0.0
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()

    def _beat(self) -> None:
        now = time.perf_counter()
        self.max_gap = max(self.max_gap, now - self._last)
        self._last = now


class Tasks(QtCore.QObject):
    """One-off background work by name (open a project, load a model, export): one worker per name.

    ``run(name, label, fn, on_done)`` calls ``fn(ctx)`` on the worker and
    ``on_done(result)`` on the GUI thread; errors go to ``on_error(exc, tb)``,
    a :class:`Cancelled` job to ``on_cancel()`` (nothing by default).
    """

    started = QtCore.Signal(str, str)        # name, label
    ended = QtCore.Signal(str)
    progressed = QtCore.Signal(str, int, int)

    def __init__(self, on_error: Callable[[BaseException, str], None], parent: QtCore.QObject | None = None):
        super().__init__(parent)
        self._on_error = on_error
        self._channels: dict[str, Channel] = {}
        self._callbacks: dict[tuple[str, int], tuple[Callable, Callable | None, Callable | None]] = {}

    def run(self, name: str, label: str, fn: Callable[[TaskContext], Any], on_done: Callable[[Any], None],
            on_error: Callable[[BaseException, str], None] | None = None,
            on_cancel: Callable[[], None] | None = None) -> int:
        channel = self._channels.get(name)
        if channel is None:
            channel = self._channels[name] = Channel(name, lambda job, ctx: job(ctx), parent=self)
            channel.finished.connect(lambda o, n=name: self._finished(n, o))
            channel.failed.connect(lambda req, exc, tb, n=name: self._failed(n, req, exc, tb))
            channel.cancelled.connect(lambda req, n=name: self._cancelled(n, req))
            channel.ended.connect(lambda req, n=name: self._ended(n, req))
            channel.progress.connect(lambda _r, d, t, n=name: self.progressed.emit(n, d, t))
        self._callbacks[(name, id(fn))] = (on_done, on_error, on_cancel)
        self.started.emit(name, label)
        return channel.submit(fn)

    def busy(self, name: str) -> bool:
        """True until every task of ``name`` has ended *and* its result was applied."""
        return any(key[0] == name for key in self._callbacks)

    def cancel(self, name: str) -> None:
        channel = self._channels.get(name)
        if channel is not None:
            channel.cancel()

    def shutdown(self) -> None:
        for channel in self._channels.values():
            channel.shutdown(timeout=1.0)

    def _finished(self, name: str, outcome: Outcome) -> None:
        on_done, _, _ = self._callbacks.get((name, id(outcome.request)), (None, None, None))
        if on_done is not None:
            on_done(outcome.result)

    def _failed(self, name: str, request: Any, error: BaseException, text: str) -> None:
        _, on_error, _ = self._callbacks.get((name, id(request)), (None, None, None))
        (on_error or self._on_error)(error, text)

    def _cancelled(self, name: str, request: Any) -> None:
        _, _, on_cancel = self._callbacks.get((name, id(request)), (None, None, None))
        if on_cancel is not None:
            on_cancel()

    def _ended(self, name: str, request: Any) -> None:
        self._callbacks.pop((name, id(request)), None)
        if not self.busy(name):
            self.ended.emit(name)
