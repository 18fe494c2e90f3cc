"""PySide6 6.12's SignalInstance.emit drops a reference to True per call; the GUI package patches it."""

from __future__ import annotations

import sys

import painxai_gui.gui  # noqa: F401  (applies the fix on import)
from PySide6 import QtCore


class _Source(QtCore.QObject):
    changed = QtCore.Signal(int)


def test_emitting_does_not_eat_references_to_true(qtbot):
    source = _Source()
    got = []
    source.changed.connect(got.append)
    before = sys.getrefcount(True)
    for i in range(5000):
        source.changed.emit(i)
    assert len(got) == 5000
    assert abs(sys.getrefcount(True) - before) < 50  # unpatched: 5000 fewer, then a fatal bool_dealloc
