"""Qt objects in garbage cycles are destroyed on the GUI thread, never in a worker (the panel-export deadlock)."""

from __future__ import annotations

import gc
import threading

from PySide6 import QtCore

from painxai_gui.gui import main_thread_gc


class _Cycle:
    def __init__(self, obj):
        self.obj, self.me = obj, self


_kept: list = []


def _busy_worker() -> None:
    """Allocates containers the way TensorFlow's tracing does: enough to pass every GC threshold."""
    _kept.append([[i] for i in range(300_000)])


def test_qt_garbage_dies_on_the_gui_thread(qapp, qtbot):
    release = main_thread_gc.hold(interval_ms=20)
    try:
        assert not gc.isenabled() and main_thread_gc.holding()
        died_on: list[str] = []
        obj = QtCore.QObject()
        obj.destroyed.connect(lambda *_: died_on.append(threading.current_thread().name),
                              QtCore.Qt.ConnectionType.DirectConnection)
        _Cycle(obj)
        del obj
        worker = threading.Thread(target=_busy_worker, name="worker")
        worker.start()
        worker.join()
        assert died_on == []  # the worker passed the thresholds but collected nothing
        qtbot.waitUntil(lambda: bool(died_on), timeout=5000)  # the GUI thread's timer collects
        assert died_on == [threading.main_thread().name]
    finally:
        _kept.clear()
        release()
    assert main_thread_gc.holding()  # the GUI test session still holds it (conftest), like the app


def test_last_release_turns_automatic_collection_back_on(qapp):
    before = main_thread_gc._holders
    releases = [main_thread_gc.hold() for _ in range(2)]
    for release in releases:
        release()
        release()  # idempotent
    assert main_thread_gc._holders == before
    assert gc.isenabled() == (before == 0)


def test_what_was_alive_at_the_first_hold_is_frozen_out_of_full_collections(qapp):
    """Full collections walk only what was made after the first hold (the imports are frozen)."""
    assert main_thread_gc.holding()  # the GUI test session holds it
    frozen = gc.get_freeze_count()
    assert frozen > 10_000  # Qt, NumPy, pyqtgraph, the package: every module, class and function
    tracked_now = len(gc.get_objects())  # get_objects() leaves the permanent generation out
    assert tracked_now < frozen + 1_000_000
    cycle = _Cycle(None)
    ref = __import__("weakref").ref(cycle)
    del cycle
    gc.collect()
    assert ref() is None  # new garbage is still collected


def test_a_trace_freezes_its_objects_and_a_refreeze_collects_what_was_frozen(qapp, qtbot):
    """Graphs traced by TensorFlow leave long-lived objects: frozen at the next tick; a model change thaws."""
    import weakref

    from painxai_gui import tf_tracing

    assert main_thread_gc.holding()
    made = [[i] for i in range(20_000)]  # stand-ins for what a trace leaves behind
    frozen_before = gc.get_freeze_count()
    tf_tracing.TracedOnce(lambda: None)()  # one (trivial) traced call
    main_thread_gc._collect_by_threshold()  # the GUI thread's next tick
    assert gc.get_freeze_count() >= frozen_before + 20_000
    del made
    cycle = _Cycle(None)
    ref = weakref.ref(cycle)
    gc.freeze()  # a cycle that was alive at a freeze ...
    del cycle
    gc.collect()
    assert ref() is not None  # ... outlives ordinary collections (frozen) ...
    main_thread_gc.refreeze()
    assert ref() is None  # ... until a refreeze (model change) thaws and collects it
