"""Python's cycle collector runs on the GUI thread only, while the app (or a GUI test) is up.

A worker thread that happens to trigger a collection (TensorFlow's graph
tracing allocates a lot) destroys whatever Qt objects sit in garbage cycles
*on that thread*: ``~QObject`` takes Qt's object mutex and then waits for the
GIL, while the GUI thread holds the GIL and waits for that mutex in its own
deletion -- a deadlock seen in the panel-export test (py-spy: ``gc_collect_main``
under ``tensorflow::StackTrace::Capture`` in the worker, ``QBasicMutex`` in
``runDeletionInMainThread`` on the GUI thread). pyqtgraph's
``GarbageCollector`` gives the remedy: disable automatic collection and
collect from a timer on the GUI thread. This module adds reference counting,
so the app, each main window and the test session can hold it, and the last
release turns automatic collection back on.

A full collection walks every tracked object: with TensorFlow, Keras and a
model's traced graphs that is ~0.5 million objects and 0.3-0.6 s on two cores,
a visible freeze in the middle of a scrub. So what is known to live long is
``gc.freeze()``-d out of later collections, as long-running Python services
do: what is alive at the first hold (imports), and what a TensorFlow trace
leaves behind (``tf_tracing.traces_done`` changes: the graphs live as long as
their model). A model change thaws everything, collects once (the old model's
cycles go) and freezes again (:func:`refreeze`). Full collections then walk
only what was made since (5-20 ms). The last release unfreezes.
"""

from __future__ import annotations

import gc
import sys
from typing import Callable

from PySide6 import QtCore

_holders = 0
_timer: QtCore.QTimer | None = None
_was_enabled = True
_blocks_after_full = 0
_traces_seen = 0


def _collect_by_threshold() -> None:
    """Collect what automatic GC would have: the generations past Python's thresholds.

    A full collection walks every object (with TensorFlow loaded, 0.3-1 s on
    two cores), so, like CPython's own rule (full only when the long-lived
    objects grew by 25 %), the oldest generation is collected only when the
    interpreter's allocated blocks grew by a quarter since the last full one.
    """
    global _blocks_after_full, _traces_seen
    from painxai_gui import tf_tracing

    if tf_tracing.traces_done != _traces_seen:  # new graphs: long-lived, out of every later full collection
        _traces_seen = tf_tracing.traces_done
        gc.freeze()
    counts, limits = gc.get_count(), gc.get_threshold()
    generation = -1
    for g in range(3):
        if counts[g] > limits[g]:
            generation = g
        else:
            break
    if generation == 2 and sys.getallocatedblocks() < 1.25 * _blocks_after_full:
        generation = 1
    if generation >= 0:
        gc.collect(generation)
        if generation == 2:
            _blocks_after_full = sys.getallocatedblocks()


def hold(interval_ms: int = 500) -> Callable[[], None]:
    """Collect only on the GUI thread until the returned release is called (idempotent release)."""
    global _holders, _timer, _was_enabled
    if QtCore.QCoreApplication.instance() is None:
        raise RuntimeError("main_thread_gc.hold() needs a QApplication")
    if _holders == 0:
        global _blocks_after_full
        _was_enabled = gc.isenabled()
        gc.disable()
        gc.collect()
        gc.freeze()  # the imports: long-lived, never garbage, never walked again
        _blocks_after_full = sys.getallocatedblocks()
        _timer = QtCore.QTimer()
        _timer.setInterval(interval_ms)
        _timer.timeout.connect(_collect_by_threshold)
        _timer.start()
    _holders += 1
    released = False

    def release() -> None:
        global _holders, _timer
        nonlocal released
        if released:
            return
        released = True
        _holders -= 1
        if _holders == 0:
            if _timer is not None:
                _timer.stop()
                _timer = None
            gc.unfreeze()
            gc.collect()  # here, on the GUI thread
            if _was_enabled:
                gc.enable()

    return release


def refreeze() -> None:
    """Thaw, collect everything once and freeze what is alive (on a model change: the old model's cycles go).

    0.3-0.6 s with TensorFlow loaded, paid when a model is loaded, never while scrubbing.
    """
    global _blocks_after_full
    if _holders == 0:
        return
    gc.unfreeze()
    gc.collect()
    gc.freeze()
    _blocks_after_full = sys.getallocatedblocks()


def holding() -> bool:
    return _holders > 0
