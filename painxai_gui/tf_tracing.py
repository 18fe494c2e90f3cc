"""One lock for building TensorFlow graphs.

The app traces ``tf.function`` graphs in several worker threads (inference,
each explanation dock, panel export). Two threads tracing graphs of the same
model at once was seen to deadlock inside TensorFlow's graph construction, so
the first call of every compiled function (the one that traces) holds this
lock; later calls run the finished graph without it.
"""

from __future__ import annotations

import threading
from typing import Any, Callable

TRACE_LOCK = threading.RLock()

#: how many graphs were traced so far: a trace leaves ~100k long-lived Python objects behind, which the
#: GUI's collector freezes out of later full collections (``gui/main_thread_gc.py``) when this changes
traces_done = 0


class TracedOnce:
    """Wrap a ``tf.function`` with a fixed input signature: its tracing call is serialised."""

    def __init__(self, fn: Callable[..., Any]):
        self.fn = fn
        self._traced = False

    def __call__(self, *args: Any) -> Any:
        if self._traced:
            return self.fn(*args)
        global traces_done
        with TRACE_LOCK:
            out = self.fn(*args)
            self._traced = True
            traces_done += 1
        return out
