"""Background read-ahead: one daemon thread that decodes frames into a reader's cache."""

from __future__ import annotations

import threading
import weakref
from typing import Callable


class ReadAhead:
    """Decodes ``load(i)`` for a requested range of frames on a background thread.

    A new :meth:`request` supersedes the running one (latest request wins,
    like a scrubbing GUI needs). ``load`` is held weakly as a bound method so
    the thread never keeps its reader alive. The first exception of a range is
    kept in :attr:`error` and ends that range.
    """

    def __init__(self, load: Callable[[int], object], name: str = "painxai-readahead"):
        self._load = weakref.WeakMethod(load)  # type: ignore[arg-type]
        self._cond = threading.Condition()
        self._request: tuple[int, int] | None = None
        self._generation = 0
        self._busy = False
        self._closed = False
        self.error: Exception | None = None
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def request(self, start: int, stop: int) -> None:
        """Decode frames ``start .. stop-1`` next, abandoning any earlier request."""
        with self._cond:
            self._generation += 1
            self._request = (start, stop)
            self.error = None
            self._cond.notify_all()

    def cancel(self) -> None:
        """Stop after the frame being decoded now."""
        with self._cond:
            self._generation += 1
            self._request = None
            self._cond.notify_all()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the pending range is done; False on timeout."""
        with self._cond:
            return self._cond.wait_for(lambda: self._request is None and not self._busy, timeout)

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._generation += 1
            self._cond.notify_all()
        if self._thread is not threading.current_thread():
            self._thread.join(timeout=2.0)

    def _next_range(self) -> tuple[int, int, int] | None:
        with self._cond:
            self._cond.wait_for(lambda: self._closed or self._request is not None)
            if self._closed or self._request is None:
                return None
            start, stop = self._request
            self._request = None
            self._busy = True
            return start, stop, self._generation

    def _run(self) -> None:
        while True:
            job = self._next_range()
            if job is None:
                return
            start, stop, generation = job
            try:
                for index in range(start, stop):
                    load = self._load()
                    if load is None or self._generation != generation:
                        break
                    load(index)
                    del load
            except Exception as exc:  # noqa: BLE001 - surfaced through .error
                self.error = exc
            finally:
                with self._cond:
                    self._busy = False
                    self._cond.notify_all()
